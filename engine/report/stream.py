"""Evaluation reports written as the employees are read: bounded memory, the same bytes.

:func:`write_report` reads a CSV file an employee at a time (:class:`~engine.io.table.TableStream`),
checks, evaluates and renders each one, and writes the rows to a spool file; then it writes the
report around them (a CSV header; JSON's counts and problems). Memory holds one employee,
the problems and the ids met, whatever the number of employees.

What cannot be streamed is read whole, as before, with the very same output: a YAML, JSON or
Excel file, a policy with ``distributions`` (a relative grade needs the whole group), an
employee whose rows are not consecutive (:class:`~engine.io.table.Interleaved`), an output
format without a streamed form (the text table is aligned and fitted over every row). Big
CSV files rendered as CSV or JSON are shared between
processes first (:func:`engine.evaluate.parallel.evaluate_split`), each writing its rows to a
file of its own.
"""

from __future__ import annotations

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
from engine.report.results import RENDERERS, SPLIT_RENDERERS

#: Formats written as the employees are read. (The text table, aligned and fitted over every
#: row, is rendered whole.)
STREAMED = ("csv", "json")
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
                _frame(outcome, fmt, spool, out)
                return outcome
            try:
                outcome = _stream(engine, data_path, fmt, spool, parameters, chunk, progress)
            except Interleaved:
                spool.seek(0)
                spool.truncate()
            else:
                _frame(outcome, fmt, spool, out)
                return outcome
    outcome = engine.evaluate(engine.read(data_path, parameters))
    out.write(str(RENDERERS[fmt](outcome)))  # csv, json or text: a str
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
) -> RunOutcome:
    """One process: read, check, evaluate and render an employee at a time into ``spool``."""
    data = engine.source.data
    stream, values, parameter_problems, notes = stream_csv(
        data_path, data.get("inputs") or {}, scales=data.get("scales") or {},
        parameters=parameters, progress=progress,
    )  # fmt: skip
    outcome = RunOutcome(engine.policy, Population([], values, {}, {}, None, [], data_path))
    checks: list[Any] = []
    render = SPLIT_RENDERERS[fmt]
    pieces: Iterable[Any] = parallel.render_records(engine, outcome, stream, render, checks)
    with collected_gc():
        _, outcome.streamed = parallel.write_pieces(pieces, render, spool, chunk)
    read = stream.part
    problems = [*parameter_problems, *read.header, *read.rows, *read.grouped]
    outcome.population.problems = problems
    outcome.problems = [*problems, *checks]
    outcome.warnings = [*notes, *read.notes]
    return outcome


def _frame(outcome: RunOutcome, fmt: str, spool: IO[str], out: IO[str]) -> None:
    """The report around the pieces in ``spool``: what ``RENDERERS[fmt]`` writes for the run."""
    spool.seek(0)
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



def copy_out(source: IO[str], echo: Callable[..., None]) -> None:
    """Echo a finished report a megabyte at a time."""
    source.seek(0)
    while block := source.read(2**20):
        echo(block, nl=False)


