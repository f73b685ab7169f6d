"""``python -m engine`` runs the same command line as ``hrpolicy``."""

from engine.cli import main

if __name__ == "__main__":
    main()
