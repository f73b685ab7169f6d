"""Build hook: copy the seed policies and example populations into the package.

Everything else is declared in pyproject.toml. ``policies/`` and ``examples/`` stay at the top of
the repository, where people edit them; a wheel carries a copy under ``engine/_bundled/`` so that
``hrpolicy examples`` and ``hrpolicy init --from`` work from any folder (engine.resources finds it).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ("policies", "examples")
KEEP = ("*.yaml", "*.yml", "*.json", "*.csv", "*.xlsx", "*.md")


class BuildWithBundle(build_py):
    """build_py that also copies the bundled data folders into the built package."""

    def run(self) -> None:
        super().run()
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "engine" / "_bundled"
        for name in BUNDLED:
            source = here / name
            if not source.is_dir():
                continue
            shutil.rmtree(target / name, ignore_errors=True)
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(source, target / name, ignore=ignore)
            for path in sorted((target / name).rglob("*")):
                if path.is_file() and not any(path.match(pattern) for pattern in KEEP):
                    path.unlink()


setup(cmdclass={"build_py": BuildWithBundle})
