"""Evaluate a big CSV file in forked workers, each on its own byte range of the file.

Forking after reading would make every worker copy the pages of the population it touches
(reference counts are writes) and ship its results back: more than the evaluation itself
(bench/RESULTS.md). So the work is split, not the data: the file is cut into ranges at
employee boundaries, and each worker reads, checks, evaluates and renders only its range,
then sends back its rendered part (CSV rows or JSON results) and its problems. Concatenated
in range order they are byte for byte what one process writes, with the file's real row
numbers.

Anything that could make the parts differ from one process sends the run down the plain
path instead: a small file (no start-up cost), a policy with ``distributions`` (relative
grades need everyone), the text format (aligned over every row), a quote in the file (a
quoted cell may hide a newline), a lone carriage return, an employee whose rows fall in two
ranges, a failed worker.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import mmap
import os
import pickle
import signal
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from engine.errors import Problem
from engine.evaluate.employee import EmployeeResult, evaluate_flat
from engine.evaluate.run import Engine, RunOutcome
from engine.gcpause import paused_gc
from engine.io.model import EmployeeRecord, Population
from engine.io.records import TablePart, read_csv_range

T = TypeVar("T")

#: Files up to this size are read in one process: forking would cost more than it saves.
MIN_BYTES = 8 * 2**20
_CHUNK = 16 * 2**20  # bytes scanned at a time when counting lines


def default_workers() -> int:
    """Processes to share a big file between: up to 2 cores' worth (1 without ``os.fork``)."""
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(2, os.cpu_count() or 1))


#: A record's piece straight from its flat values and grades: (id, name, values, grades) -> piece.
FlatPiece = Callable[[str, Any, Any, Any], Any]


@dataclass(frozen=True)
class SplitRenderer:
    """How one output format is rendered in parts (the registry is
    :data:`engine.report.results.SPLIT_RENDERERS`; a format without one is rendered by one process).

    ``piece``: one full result's piece (its record too: a grade may come from its evaluations);
    ``join``: a worker's pieces as its text; ``merge``: the
    whole report around the workers' texts, in order, given how many results they hold;
    ``flat``: for a run, a :data:`FlatPiece` that skips the full result, or None (none for this
    run or this format).
    """

    piece: Callable[[EmployeeResult, RunOutcome, EmployeeRecord], Any]
    join: Callable[[list[Any]], str]
    merge: Callable[[RunOutcome, int, list[str]], str]
    flat: Callable[[RunOutcome], FlatPiece | None] = lambda outcome: None


@dataclass(frozen=True)
class Range:
    """Bytes ``[start, end)`` of a file, whose first line is the file's row ``first_row``."""

    start: int
    end: int
    first_row: int


@dataclass
class Part:
    """What a worker sends back: its rendered rows, its problems, the ids it met, its times.

    ``times`` are :func:`time.perf_counter` readings (one clock for every process on Linux):
    ``start``, ``read`` (range read), ``evaluated`` (checked and evaluated), ``rendered``.
    """

    text: str
    read: TablePart  # without its employees (they stay in the worker)
    parameters: dict[str, Any]
    parameter_problems: list[Any]
    checks: list[Problem]  # sheet checks and evaluation errors, in employee order
    evaluated: int
    times: dict[str, float] = field(default_factory=dict)


# -- cutting the file --------------------------------------------------------------------


def plan_ranges(path: str, workers: int, min_bytes: int | None = None) -> list[Range] | None:
    """Ranges of ``path`` that ``workers`` processes can read apart, or None: read it whole.

    ``min_bytes``: a file this size or smaller is read whole (default :data:`MIN_BYTES`).
    Each range starts on a line whose employee id differs from the line before it, so one
    employee's consecutive rows stay in one range.
    """
    size = os.path.getsize(path)
    if workers < 2 or size == 0 or size <= (MIN_BYTES if min_bytes is None else min_bytes):
        return None
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b'"') >= 0 or not _only_crlf(data):
            return None
        header_end = data.find(b"\n") + 1
        id_col = _id_column(data[:header_end]) if header_end else None
        if id_col is None:
            return None
        cuts = [header_end]
        for k in range(1, workers):
            cut = _employee_start(data, max(size * k // workers, cuts[-1]), id_col)
            if cut > cuts[-1] and cut < size:
                cuts.append(cut)
        if len(cuts) < 2:
            return None
        cuts.append(size)
        ranges, row = [], 2  # the header is row 1
        for start, end in itertools.pairwise(cuts):
            ranges.append(Range(start, end, row))
            row += _count(data, start, end, b"\n")
        return ranges


def _only_crlf(data: mmap.mmap) -> bool:
    """No carriage return except in CR LF: a lone CR ends a CSV row but not a counted line."""
    if data.find(b"\r") < 0:
        return True
    return _count(data, 0, len(data), b"\r") == _count(data, 0, len(data), b"\r\n")


def _count(data: mmap.mmap, start: int, end: int, what: bytes) -> int:
    """Occurrences of ``what`` (1 or 2 bytes) beginning in ``[start, end)``, a chunk at a time."""
    total = 0
    for at in range(start, end, _CHUNK):
        stop = min(at + _CHUNK, end)
        total += data[at : stop + len(what) - 1].count(what)
    return total


def _id_column(line: bytes) -> int | None:
    try:
        header = next(csv.reader([line.decode("utf-8-sig")]), [])
    except UnicodeDecodeError:
        return None
    names = [cell.strip() for cell in header]
    return names.index("id") if "id" in names else None


def _line_id(line: bytes, id_col: int) -> bytes:
    cells = line.split(b",")
    return cells[id_col].strip() if id_col < len(cells) else b""


def _employee_start(data: mmap.mmap, near: int, id_col: int) -> int:
    """The first line start at or after ``near`` whose id differs from the line before it."""
    start = data.find(b"\n", near - 1) + 1
    if start == 0:
        return len(data)
    previous = _line_id(data[data.rfind(b"\n", 0, start - 1) + 1 : start], id_col)
    while start < len(data):
        end = data.find(b"\n", start) + 1 or len(data)
        current = _line_id(data[start:end], id_col)
        if current != previous:
            return start
        start = end
    return len(data)


# -- one worker's range ------------------------------------------------------------------


def evaluate_range(
    engine: Engine, path: str, part: Range, parameters: Mapping[str, Any] | None, render: SplitRenderer
) -> Part:
    """Read, check, evaluate and render one range, as one process would: the text is the range's
    pieces joined by ``render`` (CSV rows; JSON items of the ``results`` list).
    """
    times = {"start": time.perf_counter()}
    data = engine.source.data
    read, values, parameter_problems = read_csv_range(
        path,
        data.get("inputs") or {},
        start=part.start,
        end=part.end,
        first_row=part.first_row,
        scales=data.get("scales") or {},
        parameters=parameters,
    )
    times["read"] = time.perf_counter()
    outcome = RunOutcome(engine.policy, Population([], values, {}, {}, None, [], path))
    fast = _flat_renderer(engine, outcome, render.flat(outcome))
    pieces: list[Any] = []
    checks: list[Problem] = []
    with paused_gc():
        for record in read.employees:
            problems = engine.check(record, values)
            if problems:
                checks.extend(problems)
                continue
            piece = fast(record) if fast is not None else None
            if piece is not None:
                pieces.append(piece)
                continue
            done = engine.evaluate_checked(record, values)
            if isinstance(done, Problem):
                checks.append(done)
            else:
                pieces.append(render.piece(done, outcome, record))
    times["evaluated"] = time.perf_counter()
    text = render.join(pieces)
    times["rendered"] = time.perf_counter()
    read.employees = []  # the worker's own: nothing to send back
    return Part(text, read, values, parameter_problems, checks, len(pieces), times)


def _flat_renderer(
    engine: Engine, outcome: RunOutcome, piece: FlatPiece | None
) -> Callable[[EmployeeRecord], Any] | None:
    """A record's piece straight from its values and grades (None from it: use a full result)."""
    if piece is None:
        return None
    policy = engine.policy

    def render(record: EmployeeRecord) -> Any:
        flat = evaluate_flat(policy, record, outcome.population.parameters)
        if flat is None:
            return None
        return piece(record.id, record.fields.get("name"), flat[0], flat[1])

    return render


# -- forking -----------------------------------------------------------------------------


def fork_all(tasks: Sequence[Callable[[], T]]) -> list[T | None]:
    """Run each task in a forked process at once; its result, or None where the task failed.

    A temporary file, not a pipe, carries each result back: the worker never waits for us.
    Interrupted (Ctrl-C, or any exception while forking or waiting), every worker still
    running is killed and reaped before the exception goes on: none outlives the run, and
    their results (unnamed temporary files) vanish with them.
    """
    children: list[tuple[int, IO[bytes]]] = []
    try:
        for task in tasks:
            _fork(task, tempfile.TemporaryFile(), children)  # noqa: SIM115 (closed below, or by _stop)
        results: list[T | None] = []
        while children:
            pid, handle = children[0]
            _, status = os.waitpid(pid, 0)
            children.pop(0)  # reaped: never to be killed
            with handle:
                if os.waitstatus_to_exitcode(status) != 0:
                    results.append(None)
                    continue
                handle.seek(0)
                results.append(pickle.load(handle))
        return results
    except BaseException:
        _stop(children)
        raise


def _fork(task: Callable[[], T], handle: IO[bytes], children: list[tuple[int, IO[bytes]]]) -> None:
    """Fork a worker that pickles ``task()`` to ``handle``, and add it to ``children``.

    SIGINT is held back until the worker is in ``children``, so a Ctrl-C cannot land between
    the fork and that note (a worker nobody would stop); the worker gets the signal mask back.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except BaseException:
        handle.close()
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    if pid != 0:
        children.append((pid, handle))
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a pending Ctrl-C is raised here
        return
    code = 1  # the worker: run, write, and leave without any cleanup or output
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        pickle.dump(task(), handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        code = 0
    finally:
        os._exit(code)


def _stop(children: Sequence[tuple[int, IO[bytes]]]) -> None:
    """Kill and reap the workers not yet reaped, and close their result files."""
    for pid, _ in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid, handle in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        handle.close()


# -- the whole run -----------------------------------------------------------------------


def evaluate_split(
    engine: Engine,
    path: str,
    render: SplitRenderer | None,
    *,
    workers: int,
    parameters: Mapping[str, Any] | None = None,
    min_bytes: int | None = None,
) -> tuple[RunOutcome, str] | None:
    """The report of ``path`` rendered in parts by ``render`` in ``workers`` processes, or None:
    use one process (as for a format without a split renderer).

    The outcome has the problems, warnings and parameters of a one-process run but no
    results (the workers rendered them: the text is the whole report).
    """
    if render is None or not _splittable(engine, path):
        return None
    ranges = plan_ranges(path, workers, min_bytes)
    if ranges is None:
        return None
    _ = engine.policy.fused, engine.policy.fast_grades  # built once, before the fork
    parts = fork_all([_task(engine, path, r, parameters, render) for r in ranges])
    complete = [p for p in parts if p is not None]
    if len(complete) != len(parts) or not _disjoint(complete):
        return None
    return _merge(engine, path, complete, render)


def _splittable(engine: Engine, path: str) -> bool:
    """A CSV file, under a policy without ``distributions`` (relative grades need everyone)."""
    if engine.source.data.get("distributions"):
        return False
    return os.path.splitext(path)[1].lower() == ".csv" and os.path.isfile(path)


def _task(
    engine: Engine, path: str, part: Range, parameters: Mapping[str, Any] | None, render: SplitRenderer
) -> Callable[[], Part]:
    return lambda: evaluate_range(engine, path, part, parameters, render)


def _disjoint(parts: Sequence[Part]) -> bool:
    """No employee in two parts: one process would have merged their rows into one employee."""
    seen: set[str] = set()
    for part in parts:
        if not seen.isdisjoint(part.read.ids):
            return False
        seen.update(part.read.ids)
    return True


def _merge(engine: Engine, path: str, parts: Sequence[Part], render: SplitRenderer) -> tuple[RunOutcome, str]:
    first = parts[0]
    read = [*first.parameter_problems, *first.read.header]
    read += [p for part in parts for p in part.read.rows]
    read += [p for part in parts for p in part.read.grouped]
    population = Population([], first.parameters, {}, {}, None, read, path)
    outcome = RunOutcome(engine.policy, population)
    outcome.problems.extend(read)
    outcome.problems.extend(p for part in parts for p in part.checks)
    evaluated = sum(part.evaluated for part in parts)
    return outcome, render.merge(outcome, evaluated, [part.text for part in parts])


def run_report(
    policy_path: str,
    data_path: str,
    render: Callable[[RunOutcome], str | bytes],
    split: SplitRenderer | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
    workers: int | None = None,
    min_bytes: int | None = None,
    reference: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
) -> tuple[RunOutcome, str | bytes]:
    """Evaluate ``data_path`` under ``policy_path`` and render the report with ``render``.

    With ``split`` (the same format rendered in parts), a big CSV file is shared between
    ``workers`` processes (default :func:`default_workers`) when that gives the very same
    report; otherwise one process does it all (:func:`engine.evaluate.run.run`). Without the
    split the outcome holds every result. ``reference`` runs every formula on the reference
    interpreter (the same report). ``encoding`` and ``sheet`` say how to read a table; a file
    read in another encoding than UTF-8 is read by one process.
    """
    engine = Engine.from_file(policy_path, reference=reference)
    count = default_workers() if workers is None else workers
    plain = sheet is None and encoding in (None, "utf-8", "utf8", "utf-8-sig")
    if split is not None and count > 1 and plain:
        done = evaluate_split(
            engine, data_path, split, workers=count, parameters=parameters, min_bytes=min_bytes
        )
        if done is not None:
            return done
    outcome = engine.evaluate(engine.read(data_path, parameters, encoding=encoding, sheet=sheet))
    return outcome, render(outcome)
