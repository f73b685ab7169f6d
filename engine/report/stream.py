"""Evaluation reports written as the employees are read: bounded memory, the same bytes.

:func:`write_report` reads a CSV file an employee at a time (:class:`~engine.io.table.TableStream`),
checks, evaluates and renders each one, and writes the rows to a spool file; then it writes the
report around them (a CSV header; JSON's counts and problems; the text table's aligned
columns, measured while the rows went by). Memory holds one employee, the problems, the ids
met and, for text, one width per column, whatever the number of employees.

What cannot be streamed is read whole, as before, with the very same output: a YAML, JSON or
Excel file, a policy with ``distributions`` (a relative grade needs the whole group), an
employee whose rows are not consecutive (:class:`~engine.io.table.Interleaved`), an output
format without a streamed form. Big CSV files rendered as CSV or JSON are shared between
processes first (:func:`engine.evaluate.parallel.evaluate_split`), each writing its rows to a
file of its own.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from engine.evaluate import RunOutcome, parallel
from engine.evaluate.run import Engine
from engine.gcpause import collected_gc
from engine.io.model import Population
from engine.io.records import Interleaved, stream_csv
from engine.report.results import RENDERERS, SPLIT_RENDERERS, _is_number, format_problem, report_columns
from engine.report.safety import terminal_text
from engine.report.table import display_width, pad

#: Formats written as the employees are read.
STREAMED = ("csv", "json", "text")
#: Employees rendered between two writes.
CHUNK = 512

Progress = Callable[[int, int], None]


def streamable(engine: Engine, data_path: str, fmt: str) -> bool:
    """Whether :func:`write_report` can read ``data_path`` an employee at a time."""
    return (
        fmt in STREAMED
        and not engine.source.data.get("distributions")
        and os.path.splitext(data_path)[1].lower() == ".csv"
    )


def write_report(
    engine: Engine,
    data_path: str,
    fmt: str,
    out: IO[str],
    *,
    parameters: Mapping[str, Any] | None = None,
    workers: int | None = None,
    min_bytes: int | None = None,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> RunOutcome:
    """Evaluate ``data_path`` and write the report in format ``fmt`` to ``out``.

    The bytes are those of ``RENDERERS[fmt]`` over a whole-file run, whatever the path taken.
    ``workers`` (default :func:`~engine.evaluate.parallel.default_workers`) and ``min_bytes``
    as in :func:`~engine.evaluate.parallel.run_report`; ``chunk``: employees rendered between
    two writes; ``progress`` is told the bytes and rows read so far, now and then. The outcome
    holds the problems and warnings; a streamed one keeps no results (``streamed`` counts them).
    """
    if streamable(engine, data_path, fmt):
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
            outcome = _split(engine, data_path, fmt, spool, parameters, workers, min_bytes, progress)
            if outcome is not None:
                _frame(outcome, fmt, spool, out, None)
                return outcome
            try:
                outcome, sink = _stream(engine, data_path, fmt, spool, parameters, chunk, progress)
            except Interleaved:
                spool.seek(0)
                spool.truncate()
            else:
                _frame(outcome, fmt, spool, out, sink)
                return outcome
    outcome = engine.evaluate(engine.read(data_path, parameters))
    out.write(RENDERERS[fmt](outcome))
    return outcome


def _split(
    engine: Engine,
    data_path: str,
    fmt: str,
    spool: IO[str],
    parameters: Mapping[str, Any] | None,
    workers: int | None,
    min_bytes: int | None,
    progress: Progress | None,
) -> RunOutcome | None:
    count = parallel.default_workers() if workers is None else workers
    render = SPLIT_RENDERERS.get(fmt)
    if render is None or count < 2:
        return None
    done = parallel.evaluate_split(
        engine, data_path, render, workers=count, parameters=parameters, min_bytes=min_bytes,
        out=spool, progress=progress,
    )  # fmt: skip
    if done is None:
        spool.seek(0)
        spool.truncate()
        return None
    return done[0]


def _stream(
    engine: Engine,
    data_path: str,
    fmt: str,
    spool: IO[str],
    parameters: Mapping[str, Any] | None,
    chunk: int,
    progress: Progress | None,
) -> tuple[RunOutcome, TextColumns | None]:
    """One process: read, check, evaluate and render an employee at a time into ``spool``."""
    data = engine.source.data
    stream, values, parameter_problems = stream_csv(
        data_path, data.get("inputs") or {}, scales=data.get("scales") or {},
        parameters=parameters, progress=progress,
    )  # fmt: skip
    outcome = RunOutcome(engine.policy, Population([], values, {}, {}, None, [], data_path))
    checks: list[Any] = []
    render = TEXT_ROWS if fmt == "text" else SPLIT_RENDERERS[fmt]
    pieces: Iterable[Any] = parallel.render_records(engine, outcome, stream, render, checks)
    sink = TextColumns(outcome) if fmt == "text" else None
    with collected_gc():
        if sink is not None:
            pieces = sink.measured(pieces)
        _, outcome.streamed = parallel.write_pieces(pieces, render, spool, chunk)
    read = stream.part
    problems = [*parameter_problems, *read.header, *read.rows, *read.grouped]
    outcome.population.problems = problems
    outcome.problems = [*problems, *checks]
    return outcome, sink


class TextColumns:
    """The text table's column widths and numeric columns, measured as the rows go by."""

    def __init__(self, outcome: RunOutcome) -> None:
        self.headers = ["id", "name", *report_columns(outcome)]
        self.widths = [display_width(terminal_text(h)) for h in self.headers]
        self.numeric = [False, False] + [True] * (len(self.headers) - 2)

    def measured(self, rows: Iterable[list[str]]) -> Iterable[list[str]]:
        """``rows``, measured on the way."""
        widths, numeric = self.widths, self.numeric
        for row in rows:
            for i, cell in enumerate(row):
                width = display_width(terminal_text(cell))
                if width > widths[i]:
                    widths[i] = width
                if numeric[i] and not _is_number(cell):
                    numeric[i] = False
            yield row

    def write(self, rows: Iterable[list[str]], out: IO[str]) -> None:
        """Headers, a rule and the rows, as :func:`engine.report.table.render_table` lays them out."""
        widths, numeric = self.widths, self.numeric
        out.write(self._line(self.headers) + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for row in rows:
            out.write(
                "  ".join(pad(terminal_text(c), w, r) for c, w, r in zip(row, widths, numeric, strict=True))
                .rstrip() + "\n"
            )  # fmt: skip

    def _line(self, cells: list[str]) -> str:
        return "  ".join(
            pad(terminal_text(c), w, r) for c, w, r in zip(cells, self.widths, self.numeric, strict=True)
        ).rstrip()


def _frame(outcome: RunOutcome, fmt: str, spool: IO[str], out: IO[str], sink: TextColumns | None) -> None:
    """The report around the pieces in ``spool``: what ``RENDERERS[fmt]`` writes for the run."""
    spool.seek(0)
    if fmt == "text":
        _write_text(outcome, spool, out, sink or TextColumns(outcome))
        return
    merge = SPLIT_RENDERERS[fmt].merge
    if not outcome.streamed:
        out.write(merge(outcome, 0, []))
        return
    # The merged report around one stand-in text, cut there: the spool goes in between.
    head, tail = merge(outcome, outcome.streamed, [_HOLE]).split(_HOLE)
    out.write(head)
    shutil.copyfileobj(spool, out, 2**20)
    out.write(tail)


#: Stands for the spooled pieces in a merged report (a NUL is never in a report's text).
_HOLE = "\x00spooled pieces\x00"


def _plain_rows(rows: list[list[str]]) -> str:
    """Rows as CSV lines, cells as computed (the text table's spool, read back by csv.reader)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


#: The text table's rows: the CSV report's cells, without the spreadsheet guard.
TEXT_ROWS = dataclasses.replace(SPLIT_RENDERERS["csv"], join=_plain_rows)


def _write_text(outcome: RunOutcome, spool: IO[str], out: IO[str], columns: TextColumns) -> None:
    if not outcome.streamed:
        columns.numeric[2:] = [False] * (len(columns.numeric) - 2)
    out.write(f"policy {outcome.policy.id}: {outcome.streamed} evaluated")
    out.write(f", {len(outcome.failed_employees)} with problems\n\n")
    columns.write(csv.reader(spool), out)
    if outcome.problems:
        out.write("\nproblems:\n")
        out.writelines(f"  {format_problem(p)}\n" for p in outcome.problems)
    if outcome.warnings:
        out.write("\nwarnings:\n")
        out.writelines(f"  {format_problem(p, 'warning')}\n" for p in outcome.warnings)


def copy_out(source: IO[str], echo: Callable[..., None]) -> None:
    """Echo a finished report a megabyte at a time."""
    source.seek(0)
    while block := source.read(2**20):
        echo(block, nl=False)


