"""What every command that writes a report shares: atomic output that never overwrites an
input, and the exit code and stderr lines of a run whose records have problems.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path as FsPath

from engine.errors import Diagnostic, UsageError
from engine.io.atomic import write_atomic
from engine.limits import regular_file
from engine.report.diagnostics import format_text_line

Echo = Callable[..., None]


def guard_output(output: str | None, inputs: Iterable[str]) -> None:
    """Refuse an output path that is one of the input files, or that exists and is not a
    regular file: the atomic write would replace a directory's name, a FIFO or a device
    (``/dev/null`` as root) with a file. Checked before any input is read."""
    if output is None:
        return
    target = FsPath(output).resolve()
    if any(FsPath(p).resolve() == target or _same_file(output, p) for p in inputs):
        raise UsageError(f"{output}: refusing to overwrite an input file")
    if os.path.lexists(output):
        regular_file(output)
    folder = os.path.dirname(output)
    if folder and not os.path.isdir(folder):  # found now, not after the whole run
        raise UsageError(f"{output}: cannot write the file: there is no folder {folder!r}")


def _same_file(a: str, b: str) -> bool:
    """Whether two existing paths are one file (a hard link has no path of its own to compare)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def deliver(text: str, output: str | None, echo: Echo) -> None:
    """Write the report atomically to ``output``, or echo it."""
    if output:
        write_atomic(output, text)
    else:
        echo(text, nl=False)


def finish(problems: Sequence[Diagnostic], subjects: Sequence[str], noun: str, fmt: str, echo: Echo) -> int:
    """Problems go to stderr when the report is not text (text reports carry them); exit 1 if any."""
    if not problems:
        return 0
    if fmt != "text":
        for diagnostic in problems:
            echo(format_text_line(diagnostic), err=True)
    failed = len({d.subject for d in problems if d.subject in subjects})
    echo(
        f"hrpolicy: {len(problems)} problem{'s' if len(problems) != 1 else ''},"
        f" {failed} of {len(subjects)} {noun} affected; see the problems above",
        err=True,
    )
    return 1
