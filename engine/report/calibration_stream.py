"""``calibrate`` over a records file read an employee at a time: no records kept, the same bytes.

The file (CSV, Excel, JSON or YAML) is read as a stream
(:func:`engine.io.streaming.stream_records`); each employee is checked, evaluated and reviewed
by :class:`engine.evaluate.calibration.Calibrating` (the one implementation the whole-file run
uses too), which keeps only a compact row per person for the distributions. The report's
per-employee parts (the JSON ``reviews`` items; the text report's chains under a policy without
distributions) are written to a spool file as they come; the page's chain table (a policy
without distributions) goes to a :class:`~engine.io.spool.RowSpool`, the problems to a
:class:`~engine.io.spool.ProblemSpool` (temp files past a small threshold).
:func:`write_streamed` then writes the report a piece at a time around them
(:func:`engine.report.calibration.frame`; the CSV table through a spool file, read twice for its
number columns; the page through Jinja2's ``generate``): the bytes of the whole-file renderers,
with memory flat in the number of employees. Memory holds one employee and a compact row per
person per distribution (and what the distributions' groups list: their moves and the members
without a final grade). A workbook (``xlsx``) is written a row at a time too
(:func:`write_streamed_workbook`: openpyxl's write-only mode, the same cells).

What cannot be streamed is read whole, as before: a CSV file in another encoding than the one
detected (``--encoding``), a file the stream gives up on (:class:`~engine.io.model.ReadWhole`:
an employee whose rows are not consecutive, an id used twice, ...).
"""

from __future__ import annotations

import csv
import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import IO, Any

from engine.evaluate.calibration import Calibrating, PopulationCalibration
from engine.evaluate.run import Engine
from engine.gcpause import collected_gc
from engine.io.model import EmployeeRecord
from engine.io.spool import RowSpool
from engine.io.streaming import ReadWhole, can_stream, stream_records
from engine.io.table import read_problems
from engine.provenance import Stamp
from engine.report.calibration import (
    BETWEEN,
    PROBLEMS,
    REVIEWS,
    ProblemRows,
    generate_page,
    json_problem,
    json_review,
    page_row,
    problem_lines,
    text_review,
    write_csv,
)
from engine.report.calibration_frame import frame
from engine.report.html import write_stamped_page
from engine.report.labels import Labels
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.xlsx import relabel_rows, write_xlsx_report

#: Employees whose parts are written to the spool at a time.
CHUNK = 512

Progress = Callable[[int, int], None]


@dataclass
class Streamed:
    """A streamed calibration: the result (no reviews kept; ``reviewed`` counts them), and the
    page's chain rows when the format needs them. The spool holds the per-employee parts."""

    result: PopulationCalibration
    rows: RowSpool | None = field(default=None)

    def close(self) -> None:
        """Let the spooled rows and problems go (their temp files removed)."""
        if self.rows is not None:
            self.rows.close()
        self.result.close()


def streamable(data_path: str, encoding: str | None, sheet: str | None) -> bool:
    """Whether :func:`stream_calibration` can read ``data_path`` (:func:`~engine.io.streaming.can_stream`)."""
    return can_stream(data_path, encoding, sheet)


def spooled(fmt: str, result: PopulationCalibration) -> bool:
    """Whether the report of ``result`` in ``fmt`` has per-employee parts in the spool."""
    return result.reviewed > 0 and (fmt == "json" or (fmt == "text" and not result.reports))


def stream_calibration(
    engine: Engine,
    data_path: str,
    names: Sequence[str],
    fmt: str,
    spool: IO[str],
    *,
    parameters: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Streamed | None:
    """Calibrate the records file ``data_path`` (distributions ``names``; ``sheet`` of a
    workbook, ``encoding`` of a CSV file), writing the report's per-employee parts for ``fmt``
    to ``spool``; None when it must be read whole (:class:`~engine.io.model.ReadWhole`:
    ``spool`` holds nothing useful)."""
    data = engine.source.data
    try:
        stream, values, parameter_problems, _ = stream_records(
            data_path, data.get("inputs") or {}, scales=data.get("scales") or {},
            parameters=parameters, progress=progress, policy_id=engine.policy.id, sheet=sheet,
            encoding=encoding,
        )  # fmt: skip
    except ReadWhole:
        return None
    calibrating = Calibrating(engine, names, values)
    per_employee = _part(fmt, calibrating, bool(names))
    rows = RowSpool() if fmt == "html" and not names else None
    try:
        with collected_gc():
            _run(calibrating, stream, per_employee, rows, spool, BETWEEN.get(fmt, ""), chunk)
    except BaseException as exc:
        if rows is not None:
            rows.close()
        calibrating.close()  # the spools' temp files removed now, not whenever they are let go
        stream.part.close()
        if isinstance(exc, ReadWhole):
            return None
        raise
    read = stream.part
    try:
        problems = itertools.chain(parameter_problems, *read_problems([read]))
        result = calibrating.finish(problems, stream.org_parent)
    finally:
        read.close()  # (copied to the result's spool)
    return Streamed(result, rows)


def _part(fmt: str, calibrating: Calibrating, distributions: bool) -> Callable[[Any], str] | None:
    """How one employee's review is written to the spool in ``fmt`` (None: nothing)."""
    if fmt == "json":
        return json_review
    if fmt == "text" and not distributions:
        return lambda reviewed: text_review(reviewed.employee_id, calibrating.describe(reviewed))
    return None


def _run(
    calibrating: Calibrating,
    records: Iterable[EmployeeRecord],
    part: Callable[[Any], str] | None,
    rows: RowSpool | None,
    spool: IO[str],
    between: str,
    chunk: int,
) -> None:
    """Every record calibrated; its part written to ``spool`` (a chunk at a time), its page row kept."""
    reviews = (calibrating.add(record) for record in records)
    first = True
    while block := list(itertools.islice(reviews, chunk)):
        if part is not None:
            text = between.join(part(reviewed) for reviewed in block)
            spool.write(text if first else between + text)
        if rows is not None:
            rows.extend(page_row(reviewed) for reviewed in block)
        first = False


def write_streamed(
    fmt: str,
    done: Streamed,
    spool: IO[str],
    labels: Labels,
    options: ReportOptions,
    stamps: Sequence[Stamp],
    out: IO[str],
) -> None:
    """The report of a streamed run in ``fmt`` (csv, json, text or html; ``spool``: the
    employees' parts :func:`stream_calibration` wrote) to ``out`` a piece at a time, stamped:
    the bytes :func:`~engine.commands.common.deliver_report` writes for a whole-file run but
    the CSV byte-order mark (``labels``: the report's language, as ``deliver_report`` picks it)."""
    result = done.result
    if fmt == "csv":
        out.write(stamped(fmt, stamps, ""))
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as table:
            write_csv(result, labels, table)

            def rows() -> Iterable[list[str]]:
                table.seek(0)
                return csv.reader(table)

            relabel_rows(rows, labels, out)
    elif fmt == "html":
        page = generate_page(result, labels, replace(options, stamps=tuple(stamps)), done.rows)
        write_stamped_page(page, stamps, out.write)
    else:
        pieces = frame(fmt, result, labels, reviews=spooled(fmt, result))
        out.write(stamped(fmt, stamps, next(pieces)))  # (the head: never a mark)
        for piece in pieces:
            if piece == REVIEWS:
                spool.seek(0)
                shutil.copyfileobj(spool, out, 2**20)
            elif piece == PROBLEMS:
                _write_problems(fmt, result, labels, out)
            else:
                out.write(piece)


def write_streamed_workbook(done: Streamed, labels: Labels, stamps: Sequence[Stamp], out: IO[bytes]) -> None:
    """The ``xlsx`` report of a streamed run (the cells :data:`RENDERERS` ``["xlsx"]`` gives for
    the whole-file run) to ``out``, a row at a time (:func:`~engine.report.xlsx.write_xlsx_report`)."""
    result = done.result
    write_xlsx_report(lambda table: write_csv(result, labels, table), ProblemRows(result.problems), labels,
                      stamps, out)  # fmt: skip


def _write_problems(fmt: str, result: PopulationCalibration, labels: Labels, out: IO[str]) -> None:
    """Every problem's JSON item or text line, joined as :func:`frame` expects them."""
    parts = (json_problem(p) for p in result.problems) if fmt == "json" else problem_lines(result, labels)
    between, first = BETWEEN[fmt], True
    for block in iter(lambda: list(itertools.islice(parts, CHUNK)), []):
        out.write(between.join(block) if first else between + between.join(block))
        first = False


__all__ = [
    "Streamed", "spooled", "stream_calibration", "streamable", "write_streamed", "write_streamed_workbook",
]  # fmt: skip
