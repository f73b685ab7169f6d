"""What every command that writes a report shares: atomic output that never overwrites an
input, and the exit code and stderr lines of a run whose records have problems.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path as FsPath
from typing import IO, Any, TextIO

from engine.errors import Diagnostic, UsageError
from engine.io.atomic import open_atomic, open_atomic_binary, write_atomic
from engine.limits import regular_file
from engine.provenance import Stamp, stamp_of
from engine.report.diagnostics import format_text_line
from engine.report.labels import Labels, policy_language
from engine.report.model import stamped
from engine.report.options import SUFFIX_FORMATS, ReportOptions
from engine.report.progress import ProgressBar, counting_bar, progress_bar

Echo = Callable[..., None]


@dataclass(frozen=True)
class Reading:
    """How to read a data file: a CSV file's encoding (None: UTF-8 or detected), an Excel sheet,
    run-time parameters that override the file's (None: the file's only); where to draw a
    progress bar while it is read (a terminal's stderr; None: nowhere), and whether from the
    start (``--progress``) or once the run has lasted a moment."""

    encoding: str | None = None
    sheet: str | None = None
    parameters: Mapping[str, Any] | None = None
    progress: TextIO | None = None
    progress_at_once: bool = False

    def bar(self, path: str, title: str = "") -> ProgressBar | None:
        """A progress bar for reading ``path`` (``title`` before it), or None (see
        :func:`engine.report.progress.progress_bar`)."""
        return progress_bar(path, self.progress, self.progress_at_once, title)

    def counting_bar(self, total: int, title: str = "", label: str = "people") -> ProgressBar | None:
        """A progress bar over ``total`` things counted one by one (people of a population read
        already), or None: drawn as :meth:`bar`'s, the count standing for the bytes."""
        return counting_bar(total, self.progress, self.progress_at_once, title, label)


def parse_params(params: Iterable[str]) -> dict[str, str]:
    """``--param`` ``NAME=VALUE`` pairs; a pair without ``=`` or without a name is a usage error."""
    found: dict[str, str] = {}
    for pair in params:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {pair!r}: expected NAME=VALUE")
        found[name.strip()] = value.strip()
    return found


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
        why = f"{folder!r} is not a folder" if os.path.lexists(folder) else f"there is no folder {folder!r}"
        raise UsageError(f"{output}: cannot write the file: {why}")


def _same_file(a: str, b: str) -> bool:
    """Whether two existing paths are one file (a hard link has no path of its own to compare)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def resolve_format(fmt: str | None, output: str | None) -> str:
    """The format asked for; without one, the one the output file's suffix names (else text)."""
    if fmt is not None:
        return fmt
    suffix = os.path.splitext(output)[1].lower() if output else ""
    return SUFFIX_FORMATS.get(suffix, "text")


def check_output(output: str | None, fmt: str) -> None:
    """Refuse an output whose suffix names another format than ``fmt`` (``-o r.xlsx`` with text),
    and a workbook without a file to go to. Checked before anything is read or written."""
    if output is None:
        if fmt == "xlsx":
            raise UsageError("--format xlsx writes a workbook: name the file with -o (e.g. -o results.xlsx)")
        return
    suffix = os.path.splitext(output)[1].lower()
    meant = SUFFIX_FORMATS.get(suffix)
    if meant is not None and meant != fmt:
        raise UsageError(
            f"{output}: a {suffix} file is for --format {meant}, not --format {fmt}; "
            f"add --format {meant} or change the file name"
        )
    if fmt == "xlsx" and suffix != ".xlsx":
        raise UsageError(f"{output}: an Excel workbook needs a .xlsx file name")


def deliver(
    report: str | bytes,
    output: str | None,
    echo: Echo,
    fmt: str = "text",
    bom: bool = True,
    stamps: Sequence[Stamp] = (),
) -> None:
    """Write the report atomically to ``output`` (CSV with a UTF-8 byte-order mark unless
    ``bom`` is false, so that Excel reads it as UTF-8), or echo it (never a mark). A text format
    records the ``stamps`` (id, version, content hash) of the policies behind it."""
    if stamps and isinstance(report, str):
        report = stamped(fmt, stamps, report)
    if output:
        if isinstance(report, str) and fmt == "csv" and bom:
            report = "\ufeff" + report
        write_atomic(output, report)
    elif isinstance(report, bytes):
        raise UsageError(f"--format {fmt} writes a file: name it with -o")
    else:
        echo(report, nl=False)


@contextlib.contextmanager
def streamed_out(output: str | None, echo: Echo, fmt: str, bom: bool = True) -> Iterator[IO[str]]:
    """Where a report written a piece at a time goes, as :func:`deliver` delivers a whole one:
    ``output`` atomically (swapped in when the block ends without an error; CSV with a UTF-8
    byte-order mark unless ``bom`` is false), or a temp file echoed a megabyte at a time once the
    block has ended without an error (nothing is echoed when the run fails)."""
    if output:
        with open_atomic(output) as out:
            if fmt == "csv" and bom:
                out.write("\ufeff")  # as deliver() marks a CSV file, so that Excel reads UTF-8
            yield out
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        yield spool
        spool.seek(0)
        while block := spool.read(2**20):
            echo(block, nl=False)


#: Writes a report's workbook: ``(report, labels, options with the stamps, binary out)``.
WorkbookWriter = Callable[[Any, Labels, ReportOptions, IO[bytes]], None]
#: Writes a report as text, JSON, CSV or HTML: ``(report, fmt, labels, options, stamps, out)``.
TextWriter = Callable[[Any, str, Labels, ReportOptions, Sequence[Stamp], IO[str]], None]


def deliver_in_pieces(
    report: Any,
    fmt: str,
    output: str | None,
    echo: Echo,
    options: ReportOptions,
    policy: Mapping[str, Any],
    workbook: WorkbookWriter,
    text: TextWriter,
) -> None:
    """A report written a piece at a time, atomically (:func:`streamed_out`; a workbook, which
    must go to a file, through :func:`open_atomic_binary`), stamped with ``policy``'s stamp; the
    page and the workbook (which people open) in the policy's own language without one asked."""
    stamps = (stamp_of(policy),)
    lang = options.lang or policy_language(policy) if fmt in ("html", "xlsx") else options.lang
    labels = Labels(policy, lang)
    if fmt == "xlsx":
        assert output is not None  # (check_output refused a workbook without a file)
        with open_atomic_binary(output) as binary:
            workbook(report, labels, replace(options, stamps=stamps), binary)
        return
    with streamed_out(output, echo, fmt, options.bom) as out:
        text(report, fmt, labels, options, stamps, out)


def deliver_report(
    renderers: Mapping[str, Callable[..., str | bytes]],
    fmt: str,
    report: Any,
    output: str | None,
    echo: Echo,
    options: ReportOptions,
    policy_data: Mapping[str, Any],
) -> None:
    """Render ``report`` with its registry and deliver it: text and CSV in the language of
    ``options`` (the policy's labels and the reports' own words; ids and English without one),
    HTML and xlsx (which people open) in it or else the policy's own language; JSON as it is.
    CSV to a file with a byte-order mark unless refused. Every format records the policy's stamp
    (text formats through :func:`deliver`, a workbook on its last sheet from ``options.stamps``)."""
    labels = Labels(policy_data, options.lang)
    stamps = (stamp_of(policy_data),)
    payload: str | bytes
    if fmt == "csv":
        from engine.report.xlsx import relabel_csv  # (with wcwidth: imported when used)

        payload = relabel_csv(str(renderers["csv"](report, labels)), labels)
    elif fmt == "json":
        payload = renderers["json"](report)
    else:
        if fmt in ("html", "xlsx"):
            labels = Labels(policy_data, options.lang or policy_language(policy_data))
        payload = renderers[fmt](report, labels, replace(options, stamps=stamps))
    deliver(payload, output, echo, fmt, options.bom, stamps)


def finish(
    problems: Sequence[Diagnostic],
    subjects: Sequence[str],
    noun: str,
    fmt: str,
    echo: Echo,
    labels: Labels | None = None,
) -> int:
    """Problems go to stderr when the report is not text (text reports carry them); exit 1 if any.
    ``labels``: the lines in their language (``noun``: ``employees`` or ``jobs``)."""
    if not problems:
        return 0
    labels = labels or Labels({})
    if fmt != "text":
        for diagnostic in problems:
            echo(format_text_line(diagnostic, labels), err=True)
    failed = len({d.subject for d in problems if d.subject in subjects})
    n = len(problems)
    named = noun if labels.lang is None else labels.word(noun)
    line = labels.say(
        "affected", n=n, s="s" if n != 1 else "", failed=failed, total=len(subjects), noun=named
    )
    echo(f"hrpolicy: {line}", err=True)
    return 1
