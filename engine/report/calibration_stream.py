"""``calibrate`` over a CSV file read an employee at a time: no records kept, the same bytes.

The file is read as a stream (:func:`engine.io.records.stream_csv`); each employee is checked,
evaluated and reviewed by :class:`engine.evaluate.calibration.Calibrating` (the one
implementation the whole-file run uses too), which keeps only a compact row per person for
the distributions. The report's per-employee parts (the JSON ``reviews`` items; the text
report's chains under a policy without distributions) are written to a spool file as they
come, and the report is framed around them at the end (:func:`engine.report.calibration.frame`):
the bytes of the whole-file renderers. The other formats show no per-employee part beyond the
groups, moves and problems, except the page's chain table under a policy without
distributions (a row of three short texts per person, kept: the page is built whole). Memory
holds one employee, a compact row per person per distribution, and the problems (kept, as
``evaluate``'s stream keeps them, and rendered whole at the end of every report).

What cannot be streamed is read whole, as before: a YAML, JSON or Excel file, a CSV file in
another encoding than the one detected (``--encoding``), an employee whose rows are not
consecutive (:class:`~engine.io.table.Interleaved`).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from engine.evaluate.calibration import Calibrating, PopulationCalibration
from engine.evaluate.run import Engine
from engine.gcpause import collected_gc
from engine.io.records import EmployeeRecord, Interleaved, stream_csv
from engine.report.calibration import BETWEEN, json_review, page_row, text_review

#: Employees whose parts are written to the spool at a time.
CHUNK = 512

Progress = Callable[[int, int], None]


@dataclass
class Streamed:
    """A streamed calibration: the result (no reviews kept; ``reviewed`` counts them), and the
    page's chain rows when the format needs them. The spool holds the per-employee parts."""

    result: PopulationCalibration
    rows: list[list[str]] | None = field(default=None)


def streamable(data_path: str, encoding: str | None, sheet: str | None) -> bool:
    """Whether :func:`stream_calibration` can read ``data_path``: a CSV file read as detected."""
    return encoding is None and sheet is None and os.path.splitext(data_path)[1].lower() == ".csv"


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
) -> Streamed | None:
    """Calibrate the CSV file ``data_path`` (distributions ``names``), writing the report's
    per-employee parts for ``fmt`` to ``spool``; None when an employee's rows are not
    consecutive (read the file whole then: ``spool`` holds nothing useful)."""
    data = engine.source.data
    stream, values, parameter_problems, _ = stream_csv(
        data_path, data.get("inputs") or {}, scales=data.get("scales") or {},
        parameters=parameters, progress=progress,
    )  # fmt: skip
    calibrating = Calibrating(engine, names, values)
    per_employee = _part(fmt, calibrating, bool(names))
    rows: list[list[str]] | None = [] if fmt == "html" and not names else None
    try:
        with collected_gc():
            _run(calibrating, stream, per_employee, rows, spool, BETWEEN.get(fmt, ""), chunk)
    except Interleaved:
        return None
    read = stream.part
    problems = [*parameter_problems, *read.header, *read.rows, *read.grouped]
    return Streamed(calibrating.finish(problems, {}), rows)


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
    rows: list[list[str]] | None,
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


__all__ = ["Streamed", "spooled", "stream_calibration", "streamable"]
