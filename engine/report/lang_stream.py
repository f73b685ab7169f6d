"""``evaluate``'s CSV and text reports in a language (``--lang``) written a piece at a time:
bounded memory, the bytes of :func:`~engine.report.results.render_csv` and
:func:`~engine.report.results.render_text` over a whole-file run.

The rows are those of the page (:func:`engine.report.page_stream.spooled_rows`: rendered in the
language as the employees are read, or under a policy with distributions the CSV report's rows
in ids with their grades named as they are read back); the CSV report writes them through the
spreadsheet guard as :func:`render_csv` does, the text report aligns them over every row as
:func:`render_text` does. Memory holds a row, the problems' spool and (under distributions) a
compact row per person, whatever the number of employees; before, a run in a language read the
whole file into one process (issue 12, point 1).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any

from engine.evaluate import RunOutcome
from engine.evaluate.run import Engine
from engine.provenance import Stamp
from engine.report import formats
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.page_stream import spooled_rows
from engine.report.paylines import Lines
from engine.report.results import RENDERERS, write_text
from engine.report.safety import csv_writer
from engine.report.stream import Progress

#: The formats written here (named in :mod:`engine.report.formats`, which the command imports).
IN_LANGUAGE = formats.IN_LANGUAGE


def write_in_language(
    engine: Engine,
    data_path: str,
    fmt: str,
    out: IO[str],
    options: ReportOptions,
    *,
    parameters: Mapping[str, Any] | None = None,
    workers: int | None = None,
    min_bytes: int | None = None,
    progress: Progress | None = None,
    stamps: Sequence[Stamp] = (),
) -> RunOutcome:
    """The CSV or text report of ``data_path`` in ``options.lang`` written to ``out``, stamped
    (``workers``, ``min_bytes`` and ``progress`` as in :func:`~engine.report.stream.write_report`).
    What cannot be streamed (a file the stream gives up on) is read whole, with the same bytes."""
    assert fmt in IN_LANGUAGE and options.lang is not None
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        spooled = spooled_rows(
            engine, data_path, options, spool, parameters, workers, min_bytes, progress, brief=fmt == "text"
        )
        if spooled is None:
            whole = engine.evaluate(engine.read(data_path, parameters))
            out.write(stamped(fmt, stamps, str(RENDERERS[fmt](whole, options))))
            return whole
        outcome, plan, rows = spooled
        out.write(stamped(fmt, stamps, "") if stamps else "")  # (the stamps head the report)
        if fmt == "csv":
            _write_csv(plan.headers(), rows, out.write)
        else:
            write_text(outcome, outcome.streamed, plan, rows, options.width, out.write)
        return outcome


def _write_csv(
    headers: Sequence[str], rows: Callable[[], Iterator[list[str]]], write: Callable[[str], object]
) -> None:
    """The header and the rows as :func:`~engine.report.results.render_csv` writes them (each
    cell through the spreadsheet guard of :func:`~engine.report.safety.csv_writer`), a batch of
    lines at a time."""
    lines = Lines(write)
    writer = csv_writer(lines)
    writer.writerow(headers)
    for row in rows():
        writer.writerow(row)
    lines.flush()
