"""How the command line runs a command: exit codes, the one way anything is printed, and every
error of ours turned into one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from engine.errors import HRPolicyError, PolicyInvalid, UsageError
from engine.gcpause import end_startup
from engine.report.options import ReportOptions
from engine.report.safety import raw_cells, terminal_text

if TYPE_CHECKING:
    from engine.report.screen import FittedLines

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


#: A text report's lines on their way to a terminal (:func:`run_guarded`'s ``screen``).
_SCREEN: ContextVar[FittedLines | None] = ContextVar("screen", default=None)


def echo(message: Any = None, nl: bool = True, err: bool = False) -> None:
    """``click.echo`` of text without control characters: the one way anything is printed
    (a text report to a terminal: each long line wrapped at its spaces, see :func:`screen`)."""
    text = terminal_text(message) if isinstance(message, str) else message
    lines = _SCREEN.get()
    if lines is not None and not err and isinstance(text, str):
        lines.write(text + "\n" if nl else text)
        return
    click.echo(text, nl=nl, err=err)


@contextlib.contextmanager
def screen(shown: bool) -> Iterator[None]:
    """Within the block, when ``shown`` (a text report) and standard output is a terminal,
    every line :func:`echo` prints there that is longer than the terminal is wide is wrapped
    at its spaces, its rest set in under it (:class:`~engine.report.screen.FittedLines`): the
    terminal itself cuts words ("perfor" / "mance"). Pipes and files get the lines whole."""
    if not (shown and sys.stdout.isatty()):
        yield
        return
    from engine.report.screen import FittedLines  # (wcwidth: for a terminal only)

    lines = FittedLines(lambda text: click.echo(text, nl=False), shutil.get_terminal_size().columns)
    token = _SCREEN.set(lines)
    try:
        yield
    finally:
        _SCREEN.reset(token)
        lines.close()


def _fail(message: str, code: int) -> NoReturn:
    echo(f"hrpolicy: {message}", err=True)
    sys.exit(code)


def run_guarded(action: Callable[[], int], raw: bool = False, text: bool = False) -> NoReturn:
    """Run a command body; map our exceptions to exit codes and one-line messages, never a traceback.

    ``raw``: CSV cells are written as computed (``--raw-cells``); ``text``: the report is text
    (at a terminal, fitted to it: :func:`screen`). The collector paused while the command line
    started (:func:`~engine.gcpause.pause_startup`) runs again from here.
    """
    end_startup()
    try:
        with raw_cells(raw), screen(text):
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


def terminal_width() -> int | None:
    """The terminal's width in cells when standard output is one, else None."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def report_options(lang: str | None, bom: bool = True) -> ReportOptions:
    """What the report is asked for; a terminal's width when standard output is one."""
    return ReportOptions(lang=lang, bom=bom, width=terminal_width())
