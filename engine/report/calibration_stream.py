"""``calibrate`` over a records file read an employee at a time: no records kept, the same bytes.

The file (CSV, Excel, JSON or YAML) is read as a stream
(:func:`engine.io.streaming.stream_records`); each employee is checked, evaluated and reviewed
by :class:`engine.evaluate.calibration.Calibrating` (the one implementation the whole-file run
uses too), which keeps only a compact row per person for the distributions. The report's
per-employee parts (the JSON ``reviews`` items; the text report's chains under a policy without
distributions) are written to a spool file as they come, and the report is framed around them at
the end (:func:`engine.report.calibration.frame`): the bytes of the whole-file renderers. The
other formats show no per-employee part beyond the groups, moves and problems, except the page's
chain table under a policy without distributions (a row of three short texts per person, kept:
the page is built whole). Memory holds one employee and a compact row per person per
distribution; the problems are spooled (:class:`engine.io.spool.ProblemSpool`: a temp file past
a small threshold) and rendered at the end of every report (the rendered report itself is still
built whole, but for the spooled parts).

What cannot be streamed is read whole, as before: a CSV file in another encoding than the one
detected (``--encoding``), a file the stream gives up on (:class:`~engine.io.model.ReadWhole`:
an employee whose rows are not consecutive, an id used twice, ...).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from engine.evaluate.calibration import Calibrating, PopulationCalibration
from engine.evaluate.run import Engine
from engine.gcpause import collected_gc
from engine.io.model import EmployeeRecord
from engine.io.streaming import ReadWhole, can_stream, stream_records
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
) -> Streamed | None:
    """Calibrate the records file ``data_path`` (distributions ``names``; ``sheet`` of a
    workbook), writing the report's per-employee parts for ``fmt`` to ``spool``; None when it
    must be read whole (:class:`~engine.io.model.ReadWhole`: ``spool`` holds nothing useful)."""
    data = engine.source.data
    try:
        stream, values, parameter_problems, _ = stream_records(
            data_path, data.get("inputs") or {}, scales=data.get("scales") or {},
            parameters=parameters, progress=progress, policy_id=engine.policy.id, sheet=sheet,
        )  # fmt: skip
    except ReadWhole:
        return None
    calibrating = Calibrating(engine, names, values)
    per_employee = _part(fmt, calibrating, bool(names))
    rows: list[list[str]] | None = [] if fmt == "html" and not names else None
    try:
        with collected_gc():
            _run(calibrating, stream, per_employee, rows, spool, BETWEEN.get(fmt, ""), chunk)
    except ReadWhole:
        return None
    problems = [*parameter_problems, *stream.part.problems]
    return Streamed(calibrating.finish(problems, stream.org_parent), rows)


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
