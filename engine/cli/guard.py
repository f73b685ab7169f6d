"""How the command line runs a command: exit codes, the one way anything is printed, and every
error of ours turned into one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

import click

from engine.errors import HRPolicyError, PolicyInvalid, UsageError
from engine.gcpause import end_startup
from engine.report.options import ReportOptions
from engine.report.safety import raw_cells, terminal_text

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def echo(message: Any = None, nl: bool = True, err: bool = False) -> None:
    """``click.echo`` of text without control characters: the one way anything is printed."""
    click.echo(terminal_text(message) if isinstance(message, str) else message, nl=nl, err=err)


def _fail(message: str, code: int) -> NoReturn:
    echo(f"hrpolicy: {message}", err=True)
    sys.exit(code)


def run_guarded(action: Callable[[], int], raw: bool = False) -> NoReturn:
    """Run a command body; map our exceptions to exit codes and one-line messages, never a traceback.

    ``raw``: CSV cells are written as computed (``--raw-cells``). The collector paused while
    the command line started (:func:`~engine.gcpause.pause_startup`) runs again from here.
    """
    end_startup()
    try:
        with raw_cells(raw):
            code = action()
    except KeyboardInterrupt:
        # Output is written atomically: an interrupted run leaves no file, whole or partial.
        _fail("interrupted; nothing was written", EXIT_INTERRUPTED)
    except PolicyInvalid as exc:
        from engine.report import diagnostics

        files = [(d.location.file, [d]) for d in exc.diagnostics]
        echo(diagnostics.render_text(files), nl=False, err=True)
        _fail("the policy is invalid; run 'hrpolicy validate' for details", EXIT_INVALID)
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except HRPolicyError as exc:
        _fail(str(exc), EXIT_USAGE)
    except (ArithmeticError, RecursionError, OSError) as exc:
        # Last resort: input so extreme that a guard further in missed it. One line, no traceback.
        _fail(f"cannot process the input: {type(exc).__name__}: {exc}", EXIT_USAGE)
    sys.exit(code)


def progress_to(asked: bool | None) -> tuple[TextIO | None, bool]:
    """Where a progress bar goes (``--progress/--no-progress`` as ``asked``): stderr when asked
    or, not told, when stderr is a terminal, else None (no bar); and whether it is drawn from the
    start (asked for) rather than once the run has lasted a moment."""
    shown = sys.stderr.isatty() if asked is None else asked
    return (sys.stderr if shown else None), asked is True


def report_options(lang: str | None, bom: bool = True) -> ReportOptions:
    """What the report is asked for; a terminal's width when standard output is one."""
    width = None
    if sys.stdout.isatty():
        width = shutil.get_terminal_size().columns
    return ReportOptions(lang=lang, bom=bom, width=width)
