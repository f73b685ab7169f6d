"""Evaluation reports written as the employees are read: bounded memory, the same bytes.

:func:`write_report` reads a records file (CSV, Excel, JSON or YAML) an employee at a time
(:func:`engine.io.streaming.stream_records`), checks, evaluates and renders each one, and writes
the rows to a spool file; then it writes the report around them (a CSV header; JSON's counts and
problems). Memory holds one employee, the problems and the ids met, whatever the number of
employees.

Under a policy with ``distributions`` (a relative grade needs the whole group) the file is read
in two passes, keeping a compact candidate per person (:mod:`engine.report.relative_stream`).
What cannot be streamed is read whole, as before, with the very same output: a CSV file in
another encoding than the one detected, a file the stream gives up on
(:class:`~engine.io.model.ReadWhole`: an employee whose rows are not consecutive, an id used
twice, ...), an output format without a streamed form. The text table, aligned and fitted over
every row, spools its rows and is written from them in two passes. Big CSV and JSON files
rendered as CSV, JSON or text are shared between processes first
(:func:`engine.evaluate.parallel.evaluate_split`), each writing its rows to a file of its own.
The report's head and tail (the problems, the failed ids: a million of each) are written a
piece at a time.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import IO, Any

from engine.evaluate import RunOutcome, parallel
from engine.evaluate.run import Engine
from engine.gcpause import collected_gc
from engine.io.model import Population
from engine.io.spool import ProblemSpool
from engine.io.streaming import ReadWhole, can_stream, stream_records
from engine.provenance import Stamp
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.relative_stream import Frame, relative_streamable, spill_relative
from engine.report.results import (
    RENDERERS,
    SPLIT_RENDERERS,
    TEXT_ROWS,
    RowPlan,
    row_plan,
    text_head,
    text_numeric,
    text_tail,
    write_text,
)
from engine.report.safety import raw_cells, terminal_text

#: Formats written as the employees are read. (The text table, aligned and fitted over every
#: row, spools its rows and is written from them: :func:`_frame_text`.)
STREAMED = ("csv", "json", "text")
#: Employees rendered between two writes.
CHUNK = 512

Progress = Callable[[int, int], None]


def streamable(engine: Engine, data_path: str, fmt: str) -> bool:
    """Whether :func:`write_report` can read ``data_path`` an employee at a time."""
    if engine.source.data.get("distributions"):  # (text: the rows of the CSV report)
        return relative_streamable(engine, data_path, "csv" if fmt == "text" else fmt)
    return fmt in STREAMED and can_stream(data_path)


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
    stamps: Sequence[Stamp] = (),
    org_parent: Mapping[str, str | None] | None = None,
    width: int | None = None,
) -> RunOutcome:
    """Evaluate ``data_path`` and write the report in format ``fmt`` to ``out``.

    The bytes are those of ``RENDERERS[fmt]`` over a whole-file run, whatever the path taken,
    with the ``stamps`` of the policies behind it (:func:`~engine.report.model.stamped`).
    ``workers`` (default :func:`~engine.evaluate.parallel.default_workers`) and ``min_bytes``
    as in :func:`~engine.evaluate.parallel.run_report`; ``chunk``: employees rendered between
    two writes; ``progress`` is told the bytes and rows read so far, now and then. The outcome
    holds the problems and warnings; a streamed one keeps no results (``streamed`` counts them).
    ``org_parent``: the org tree a distribution's small groups merge up (a table carries none).
    ``width``: the terminal's width a text table is fitted to (None: not fitted).
    """
    relative = bool(engine.source.data.get("distributions"))
    if streamable(engine, data_path, fmt) and not relative:
        done = _split(engine, data_path, fmt, out, parameters, workers, min_bytes, progress, stamps, width)
        if done is not None:
            return done
    if streamable(engine, data_path, fmt) and relative and fmt != "text":  # (text: aligned over all rows)
        args = (engine, data_path, fmt, out, parameters, workers, min_bytes, progress, org_parent)
        done = _relative(*args, partial(_head_tail, fmt, stamps))
        if done is not None:  # (None: nothing written, the file is read whole below)
            return done
    elif streamable(engine, data_path, fmt):
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
            if relative:
                done = _relative(
                    engine, data_path, fmt, spool, parameters, workers, min_bytes, progress, org_parent
                )
            else:
                render = _split_renderer(fmt)
                assert render is not None  # (write_report streams only formats that have one)
                done = _stream(engine, data_path, render, spool, parameters, chunk, progress)
            if done is not None and fmt == "text":
                _frame_text(done, spool, out, stamps, width)
                return done
            if done is not None:
                _frame(done, fmt, spool, out, stamps)
                return done
    population = engine.read(data_path, parameters)
    population.org_parent.update(org_parent or {})
    outcome = engine.evaluate(population)
    options = ReportOptions(width=width) if fmt == "text" else None
    out.write(_stamped(fmt, stamps, str(RENDERERS[fmt](outcome, options))))  # csv, json or text: a str
    return outcome


def _relative(
    engine: Engine,
    data_path: str,
    fmt: str,
    spool: IO[str],
    parameters: Mapping[str, Any] | None,
    workers: int | None,
    min_bytes: int | None,
    progress: Progress | None,
    org_parent: Mapping[str, str | None] | None,
    frame: Frame | None = None,
) -> RunOutcome | None:
    """Two passes under a policy with distributions (:mod:`engine.report.relative_stream`);
    None when the file is to be read whole (an employee's rows not consecutive, a CSV file
    not in UTF-8: found in the first pass, before anything is written). The text table's rows
    are the CSV report's, every cell as computed. With ``frame``, the whole report."""
    spilled = "csv" if fmt == "text" else fmt
    try:
        with raw_cells(fmt == "text"):
            return spill_relative(
                engine, data_path, spilled, spool, parameters=parameters, org_parent=org_parent,
                workers=workers, min_bytes=min_bytes, progress=progress, frame=frame,
                brief=fmt == "text",
            )  # fmt: skip
    except ReadWhole:
        return None


def _split(
    engine: Engine,
    data_path: str,
    fmt: str,
    out: IO[str],
    parameters: Mapping[str, Any] | None,
    workers: int | None,
    min_bytes: int | None,
    progress: Progress | None,
    stamps: Sequence[Stamp],
    width: int | None,
) -> RunOutcome | None:
    """The report written to ``out`` by processes sharing the file (each worker's rows in a file
    of its own, copied between the report's head and tail), or None (nothing written): one
    process does it."""
    count = parallel.default_workers() if workers is None else workers
    render = _split_renderer(fmt)
    if render is None or count < 2:
        return None
    frame: parallel.Frame
    if fmt == "text":
        from engine.report.textparts import TextParts  # (the aligned table, wcwidth: for text only)

        bare = RunOutcome(engine.policy, Population([], {}, {}, {}, None, [], data_path))  # (its columns)
        table = TextParts(bare, width, stamps)
        render, frame = table.renderer(), table.frame
    else:
        frame = partial(_head_tail, fmt, stamps)
    done = parallel.evaluate_split(
        engine, data_path, render, workers=count, parameters=parameters, min_bytes=min_bytes,
        out=out, progress=progress, frame=frame,
    )  # fmt: skip
    return None if done is None else done[0]


def _head_tail(fmt: str, stamps: Sequence[Stamp], outcome: RunOutcome) -> tuple[Iterator[str], Iterator[str]]:
    """The report of ``fmt`` (CSV, JSON) before and after its results (stamped as a whole
    report), a piece at a time: the head's pieces are to be written before the tail's."""
    render = SPLIT_RENDERERS[fmt]
    if not outcome.streamed:
        return _stamp_first(fmt, stamps, _merged(render, outcome, 0, [])), iter(())
    # The merged report around one stand-in text, cut there: the results go in between.
    pieces = _merged(render, outcome, outcome.streamed, [_HOLE])
    after: list[str] = []

    def head() -> Iterator[str]:
        for piece in pieces:
            if _HOLE in piece:
                before, rest = piece.split(_HOLE)
                after.append(rest)
                yield before
                return
            yield piece

    def tail() -> Iterator[str]:
        yield from after
        yield from pieces

    return _stamp_first(fmt, stamps, head()), tail()


def _merged(
    render: parallel.SplitRenderer, outcome: RunOutcome, evaluated: int, texts: list[str]
) -> Iterator[str]:
    """``render``'s merge a piece at a time (its pieces, if it has them)."""
    if render.pieces is None:
        return iter([render.merge(outcome, evaluated, texts)])
    return iter(render.pieces(outcome, evaluated, texts))


def _stamp_first(fmt: str, stamps: Sequence[Stamp], pieces: Iterator[str]) -> Iterator[str]:
    """The pieces of a report, the first stamped as the head of a whole report is."""
    first = next(pieces, "")
    yield _stamped(fmt, stamps, first)
    yield from pieces


def spool_pieces(
    engine: Engine,
    data_path: str,
    render: parallel.SplitRenderer,
    spool: IO[str],
    *,
    parameters: Mapping[str, Any] | None = None,
    workers: int | None = None,
    min_bytes: int | None = None,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> RunOutcome | None:
    """Every evaluated employee's piece of ``render``, joined, written to ``spool``: by processes
    sharing a big CSV or JSON file (as :func:`write_report` shares one), else by this one an
    employee at a time. The outcome holds the problems and warnings, ``streamed`` counts the
    pieces; None when the file must be read whole (what was written to ``spool`` is to be
    dropped). A policy with ``distributions`` is not for this (its pieces need everyone)."""
    count = parallel.default_workers() if workers is None else workers
    if count >= 2:
        done = parallel.evaluate_split(
            engine, data_path, render, workers=count, parameters=parameters, min_bytes=min_bytes,
            out=spool, progress=progress,
        )  # fmt: skip
        if done is not None:
            return done[0]
    return _stream(engine, data_path, render, spool, parameters, chunk, progress)


def _stream(
    engine: Engine,
    data_path: str,
    render: parallel.SplitRenderer,
    spool: IO[str],
    parameters: Mapping[str, Any] | None,
    chunk: int,
    progress: Progress | None,
) -> RunOutcome | None:
    """One process: read, check, evaluate and render an employee at a time into ``spool``;
    None when an employee's rows are not consecutive."""
    data = engine.source.data
    try:
        stream, values, parameter_problems, notes = stream_records(
            data_path, data.get("inputs") or {}, scales=data.get("scales") or {},
            parameters=parameters, progress=progress, policy_id=engine.policy.id,
        )  # fmt: skip
    except ReadWhole:
        return None
    engine.require_parameters(values)  # as the whole run does, before anything is evaluated
    population = Population([], values, stream.org_parent, {}, None, [], data_path)
    outcome = RunOutcome(engine.policy, population)
    checks = ProblemSpool()
    pieces: Iterable[Any] = parallel.render_records(engine, outcome, stream, render, checks)
    try:
        with collected_gc():
            _, outcome.streamed = parallel.write_pieces(pieces, render, spool, chunk)
    except BaseException as exc:
        checks.close()  # the spooled problems' temp files removed now
        stream.part.close()
        if isinstance(exc, ReadWhole):
            return None
        raise
    parallel.settle_read(outcome, stream.part, parameter_problems, notes, checks)
    return outcome


def _split_renderer(fmt: str) -> parallel.SplitRenderer | None:
    """How ``fmt``'s pieces are rendered: the text table's are its rows (:data:`TEXT_ROWS`)."""
    return TEXT_ROWS if fmt == "text" else SPLIT_RENDERERS.get(fmt)


def _stamped(fmt: str, stamps: Sequence[Stamp], text: str) -> str:
    return stamped(fmt, stamps, text) if stamps else text


def _frame(outcome: RunOutcome, fmt: str, spool: IO[str], out: IO[str], stamps: Sequence[Stamp]) -> None:
    """The report around the pieces in ``spool``: what ``RENDERERS[fmt]`` writes for the run,
    stamped as a whole report is (the stamps go at the head: CSV rows, JSON's first key)."""
    spool.seek(0)
    head, tail = _head_tail(fmt, stamps, outcome)
    out.writelines(head)
    raw = getattr(spool, "buffer", None)  # (at its start: seeking flushed the text written)
    if raw is None:
        shutil.copyfileobj(spool, out, 2**20)
    else:
        parallel.copy_bytes(raw, out)
    out.writelines(tail)


def _frame_text(
    outcome: RunOutcome, spool: IO[str], out: IO[str], stamps: Sequence[Stamp], width: int | None
) -> None:
    """The text report around the rows in ``spool``, aligned over all of them: the spool is
    read once for the places of the numbers and the widths, once for the lines (a big one
    by columns, :func:`_text_by_columns`)."""

    def rows() -> Iterable[list[str]]:
        spool.seek(0)
        return csv.reader(spool)

    out.write(_stamped("text", stamps, ""))
    plan = row_plan(outcome, brief=True)
    spool.seek(0)
    raw = getattr(spool, "buffer", None)  # (at its start: seeking flushed the text written)
    if (
        raw is not None
        and raw.seek(0, 2) >= COLUMNS_FROM
        and _text_by_columns(outcome, plan, raw, width, out)
    ):
        return
    write_text(outcome, outcome.streamed, plan, rows, width, out.write)


#: Bytes of spooled rows from which a text table is measured and set by columns (Arrow's import
#: costs more than a small table's rows one by one).
COLUMNS_FROM = 1 << 20


def _text_by_columns(
    outcome: RunOutcome, plan: RowPlan, spool: IO[bytes], width: int | None, out: IO[str]
) -> bool:
    """:func:`~engine.report.results.write_text`'s report of the rows in ``spool`` (UTF-8 CSV
    lines) measured and set by columns (:mod:`engine.report.textblock`); False, nothing
    written: the csv module reads the spool otherwise."""
    from engine.report import textblock  # (Arrow: for a big table only)

    headers = [terminal_text(h) for h in plan.headers()]
    numeric = text_numeric(plan)
    found = textblock.measure_spool(spool, headers, numeric)
    if found is None:
        return False
    shape = found.shape().fitted(numeric, width)
    out.write(text_head(outcome, outcome.streamed, plan.labels) + shape.head(headers, numeric))
    if not textblock.write_spool(spool, shape, numeric, lambda lines: out.write(lines.decode())):
        raise RuntimeError("a spool read by columns could not be read again")
    out.writelines(text_tail(outcome, plan.labels))
    return True


#: Stands for the spooled pieces in a merged report (a NUL is never in a report's text).
_HOLE = "\x00spooled pieces\x00"
