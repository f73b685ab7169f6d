"""The ``hrpolicy`` command line: thin click wrappers over the library.

Exit codes: 0 success, 1 invalid policy or failed records, 2 usage error or unreadable file,
130 interrupted (Ctrl-C; no output file is left behind).

Everything printed passes :func:`~engine.report.safety.terminal_text`: a name holding a
terminal escape sequence cannot set the window title or clear the screen.

The commands are grouped by who uses them: ``checking`` (policy owners and CI), ``results``
(evaluation and its reports), ``consult`` (consultants); ``guard`` runs them.
"""

from __future__ import annotations

import os

import click

from engine import __version__
from engine.cli import checking, consult, results
from engine.gcpause import pause_startup

# The --format choices are names only (engine.report.formats): the renderers, and the engine
# behind them, are imported by the command that runs, so validate, --help and --version stay cheap.

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hrpolicy")
def cli() -> None:
    """Validate, evaluate and explain HR evaluation policies written in YAML."""


for _module in (checking, results, consult):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Console entry point."""
    # The engine's columns are integer arithmetic: it never calls BLAS. OpenBLAS (numpy's) starts
    # a thread a core when numpy is imported, 70-100 ms of CPU, and the idle threads spin beside
    # the workers a command forks (100,000 employees to CSV: 1.36-1.39 s against 1.47-1.65 s of
    # wall here). One is enough; a value the user set stays.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    pause_startup()  # (the command's imports; run_guarded resumes the collector)
    cli(prog_name="hrpolicy")
