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
import functools
import itertools
import mmap
import os
import pickle
import shutil
import signal
import struct
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from engine.errors import Problem
from engine.evaluate.employee import EmployeeResult, evaluate_flat
from engine.evaluate.run import Engine, RunOutcome, stopped
from engine.gcpause import collected_gc
from engine.io.ids import SeenIds
from engine.io.model import EmployeeRecord, Population
from engine.io.records import TablePart, stream_csv
from engine.io.spool import Problems, ProblemSpool, shared_in

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
#: A piece from the columnar plan's values, grades and details: (id, name, values, grades,
#: (goal lines' values, each table's (value, rounded, segment name, band text))) -> piece.
DetailedPiece = Callable[[str, Any, Any, Any, Any], Any]


@dataclass(frozen=True)
class SplitRenderer:
    """How one output format is rendered in parts (the registry is
    :data:`engine.report.results.SPLIT_RENDERERS`; a format without one is rendered by one process).

    ``piece``: one full result's piece (its record too: a grade may come from its evaluations);
    ``join``: a worker's pieces as its text; ``merge``: the
    whole report around the workers' texts, in order, given how many results they hold;
    ``flat``: for a run, a :data:`FlatPiece` that skips the full result, or None (none for this
    run or this format); ``detailed``: one the columnar plan serves with its details.
    """

    piece: Callable[[EmployeeResult, RunOutcome, EmployeeRecord], Any]
    join: Callable[[list[Any]], str]
    merge: Callable[[RunOutcome, int, list[str]], str]
    flat: Callable[[RunOutcome], FlatPiece | None] = lambda outcome: None
    #: For a run, a :data:`DetailedPiece` that the columnar plan can serve (a report showing
    #: goal-line values and grade facts: JSON), or None.
    detailed: Callable[[RunOutcome], DetailedPiece | None] = lambda outcome: None
    #: What goes between two joined texts: ``join(a + b) == join(a) + between + join(b)``.
    between: str = ""
    #: For a run, what writes whole blocks of results from columns at once (the columnar
    #: plan's, :class:`engine.report.csvblock.BlockLines`), or None.
    block: Callable[[RunOutcome], Any] = lambda outcome: None


@dataclass(frozen=True)
class Joined:
    """Pieces already joined: ``text`` is what ``join`` makes of ``count`` pieces."""

    text: str
    count: int


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
    checks: Problems  # sheet checks and evaluation errors, in employee order (a ProblemSpool)
    evaluated: int
    times: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)  # e.g. record requirements declared as warnings


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
    # The mmap is for the few lines near each cut only: a scan of the whole file through it
    # would map every page into this process (its RSS would grow by the file's size).
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
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
    lines = _scan(path, cuts)
    if lines is None:
        return None
    rows = list(itertools.accumulate(lines, initial=2))  # the header is row 1
    return [Range(start, end, row) for (start, end), row in zip(itertools.pairwise(cuts), rows, strict=True)]


def whole_range(path: str) -> Range | None:
    """The file after its first line as one range (row 2 on), or None where :func:`plan_ranges`
    would not cut it either (a quote, a lone carriage return, no line end)."""
    with open(path, "rb") as handle:
        header_end = len(handle.readline())
    size = os.path.getsize(path)
    if header_end == 0 or header_end >= size or _scan(path, [header_end, size]) is None:
        return None
    return Range(header_end, size, 2)


def _scan(path: str, cuts: Sequence[int]) -> list[int] | None:
    """The newlines of each range between two cuts but the last (the first rows of the ranges
    after them), read a block at a time; None if the file holds a quote (a quoted cell may hide
    a newline) or a carriage return not followed by a newline (it ends a CSV row but not a
    counted line). The last range's newlines are not counted (no range follows it)."""
    counts: list[int] = []
    crs, crlfs, cr_before = 0, 0, False
    buffer = bytearray(_CHUNK)
    ranges = list(itertools.pairwise([0, *cuts]))
    with open(path, "rb") as handle:
        for index, (start, end) in enumerate(ranges):
            handle.seek(start)
            count, left = 0, end - start
            counted = 0 < index < len(ranges) - 1
            while left > 0 and (got := handle.readinto(memoryview(buffer)[: min(_CHUNK, left)])):
                left -= got
                block = buffer if got == _CHUNK else buffer[:got]
                if b'"' in block:
                    return None
                newlines, returns, pairs = _line_ends(block, counted)
                crs, crlfs = crs + returns, crlfs + pairs + (cr_before and block.startswith(b"\n"))
                cr_before = block.endswith(b"\r")
                count += newlines
            if counted:
                counts.append(count)
    return counts if crs == crlfs else None


def _line_ends(block: bytearray, newlines: bool) -> tuple[int, int, int]:
    """The block's newlines (where asked for), carriage returns, and carriage returns followed
    by a newline within it: byte comparisons over the whole block (numpy), several times
    faster than ``bytes.count`` of a two-byte sequence."""
    import numpy as np  # only for big files: the others never plan ranges

    raw = np.frombuffer(block, np.uint8)
    found = int(np.count_nonzero(raw == 10)) if newlines else 0
    if b"\r" not in block:
        return found, 0, 0
    returns = np.flatnonzero(raw == 13)
    after = returns[returns < len(raw) - 1] + 1
    return found, len(returns), int(np.count_nonzero(raw[after] == 10))


def _id_column(line: bytes) -> int | None:
    try:
        header = next(csv.reader([line.decode("utf-8-sig")]), [])
    except UnicodeDecodeError:
        return None
    names = [cell.strip() for cell in header]
    return names.index("id") if "id" in names else None


def line_id(line: bytes, id_col: int) -> bytes:
    """The id cell of one CSV line (raw bytes, stripped)."""
    cells = line.split(b",")
    return cells[id_col].strip() if id_col < len(cells) else b""


def _employee_start(data: mmap.mmap, near: int, id_col: int) -> int:
    """The first line start at or after ``near`` whose id differs from the line before it."""
    start = data.find(b"\n", near - 1) + 1
    if start == 0:
        return len(data)
    previous = line_id(data[data.rfind(b"\n", 0, start - 1) + 1 : start], id_col)
    while start < len(data):
        end = data.find(b"\n", start) + 1 or len(data)
        current = line_id(data[start:end], id_col)
        if current != previous:
            return start
        start = end
    return len(data)


# -- one worker's range ------------------------------------------------------------------


def evaluate_range(
    engine: Engine,
    path: str,
    part: Range,
    parameters: Mapping[str, Any] | None,
    render: SplitRenderer,
    out_path: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Part:
    """Read, check, evaluate and render one range, as one process would, an employee at a time:
    the text is the range's pieces joined by ``render`` (CSV rows; JSON items of the ``results``
    list). With ``out_path`` the text goes to that file, a chunk at a time, and the part's text
    is empty. ``progress`` is told the bytes of the range and the rows read so far.
    """
    times = {"start": time.perf_counter()}
    data = engine.source.data
    stream, values, parameter_problems, _ = stream_csv(
        path,
        data.get("inputs") or {},
        scales=data.get("scales") or {},
        parameters=parameters,
        part=(part.start, part.end, part.first_row),
        progress=progress,
    )
    outcome = RunOutcome(engine.policy, Population([], values, {}, {}, None, [], path))
    checks = ProblemSpool()
    pieces = render_records(engine, outcome, stream, render, checks)
    with collected_gc():
        if out_path is None:
            text, count = write_pieces(pieces, render, None)
        else:
            with open(out_path, "w", encoding="utf-8", newline="") as out:
                text, count = write_pieces(pieces, render, out)
    times["evaluated"] = times["rendered"] = time.perf_counter()
    return Part(text, stream.part, values, parameter_problems, checks, count, times, outcome.warnings)


def render_records(
    engine: Engine,
    outcome: RunOutcome,
    records: Iterable[EmployeeRecord],
    render: SplitRenderer,
    checks: Problems,
) -> Iterator[Any]:
    """Check and evaluate each record and yield its piece; the problems of the others go to
    ``checks``, in employee order."""
    values = outcome.population.parameters
    fast = _flat_renderer(engine, outcome, render.flat(outcome))
    for record in records:
        piece = _range_one(engine, record, values, fast, render, outcome, checks)
        if piece is not None:
            yield piece


def settle_read(
    outcome: RunOutcome,
    read: TablePart,
    parameter_problems: list[Any],
    notes: list[Problem],
    checks: Problems,
) -> None:
    """Put a streamed read's problems and notes on ``outcome`` as a whole-file run has them: the
    parameters' and the reading's problems, then the employees' checks (spooled: however many);
    the notes on reading (``notes``: the header's) before the employees' own warnings."""
    problems = [*parameter_problems, *read.problems]
    outcome.population.problems = problems
    outcome.problems = _spooled(problems, [checks])
    outcome.warnings = [*notes, *read.notes, *outcome.warnings]


def write_pieces(
    pieces: Iterable[Any], render: SplitRenderer, out: IO[str] | None, chunk: int = 512
) -> tuple[str, int]:
    """Join ``pieces`` as ``render.join`` would, ``chunk`` at a time (a :class:`Joined` piece as
    it is), writing the text to ``out`` (then the text returned is empty) or returning it; and
    the number of pieces."""
    texts: list[str] = []
    count = 0
    block: list[Any] = []

    def put(text: str, pieces: int) -> None:
        nonlocal count
        text = (render.between if count else "") + text
        count += pieces
        if out is None:
            texts.append(text)
        else:
            out.write(text)

    for piece in pieces:
        if type(piece) is Joined:
            if block:
                put(render.join(block), len(block))
                block = []
            if piece.count:
                put(piece.text, piece.count)
            continue
        block.append(piece)
        if len(block) == chunk:
            put(render.join(block), len(block))
            block = []
    if block:
        put(render.join(block), len(block))
    return "".join(texts), count


def _range_one(
    engine: Engine,
    record: EmployeeRecord,
    values: Mapping[str, Any],
    fast: Callable[[EmployeeRecord], Any] | None,
    render: SplitRenderer,
    outcome: RunOutcome,
    checks: Problems,
) -> Any | None:
    """One employee of a range, in the order Engine.evaluate takes it: periods and sheet checks,
    the evaluator chain (after evaluating when a chain condition reads a formula); its piece, or
    None with its problems added to ``checks``."""
    completed, problems, _ = engine.prepare(record)
    problems = problems or engine.check(record, values)
    early = not engine.chains_read_formulas
    reviewed = engine.review(record, None) if early and not problems else None
    if stopped(outcome.warnings, checks, problems, reviewed):
        return None
    piece = fast(completed) if fast is not None and early else None
    if piece is not None:
        return piece
    done = engine.evaluate_checked(completed, values)
    if isinstance(done, Problem):
        checks.append(done)
        return None
    late = None if early else engine.review(record, done.values)
    if stopped(outcome.warnings, checks, [], late):
        return None
    return render.piece(done, outcome, completed)


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


def fork_all(tasks: Sequence[Callable[[], T]], poll: Callable[[], None] | None = None) -> list[T | None]:
    """Run each task in a forked process at once; its result, or None where the task failed.

    A temporary file, not a pipe, carries each result back: the worker never waits for us.
    ``poll`` is called about ten times a second while the workers run (a progress bar).
    Interrupted (Ctrl-C, or any exception while forking or waiting), every worker still
    running is killed and reaped before the exception goes on: none outlives the run, and
    their results (unnamed temporary files) vanish with them.
    """
    children: list[tuple[int, IO[bytes]]] = []
    # The workers' problem spools spill to named files here (engine.io.spool.shared_in); their
    # copies in this process open them when unpickled, so they outlive the folder's names.
    shared = tempfile.TemporaryDirectory(prefix="hrpolicy-spools-")
    try:
        for task in tasks:
            _fork(functools.partial(_shared, shared.name, task), tempfile.TemporaryFile(), children)  # noqa: SIM115
        results: list[T | None] = []
        while children:
            pid, handle = children[0]
            status = _wait(pid, poll)
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
    finally:
        shared.cleanup()


def _shared(folder: str, task: Callable[[], T]) -> T:
    """``task()`` in a worker, its problem spools spilling to named files in ``folder``."""
    with shared_in(folder):
        return task()


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


def _wait(pid: int, poll: Callable[[], None] | None) -> int:
    if poll is None:
        return os.waitpid(pid, 0)[1]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        poll()
        time.sleep(0.1)


class Counters:
    """Numbers the workers write and the parent reads (shared memory made before the fork)."""

    def __init__(self, count: int) -> None:
        self._memory = mmap.mmap(-1, 16 * max(1, count))

    def setter(self, index: int) -> Callable[[int, int], None]:
        """What worker ``index`` calls with its two numbers (bytes and rows read)."""
        return lambda first, second: struct.pack_into("qq", self._memory, 16 * index, first, second)

    def totals(self) -> tuple[int, int]:
        """The sums of the first and of the second numbers."""
        pairs = list(struct.iter_unpack("qq", self._memory))
        return sum(a for a, _ in pairs), sum(b for _, b in pairs)


# -- the whole run -----------------------------------------------------------------------


def evaluate_split(
    engine: Engine,
    path: str,
    render: SplitRenderer | None,
    *,
    workers: int,
    parameters: Mapping[str, Any] | None = None,
    min_bytes: int | None = None,
    out: IO[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[RunOutcome, str] | None:
    """The report of ``path`` rendered in parts by ``render`` in ``workers`` processes, or None:
    use one process (as for a format without a split renderer).

    The outcome has the problems, warnings and parameters of a one-process run but no
    results (the workers rendered them: the text is the whole report). With ``out``, the
    workers write their pieces to files, only the report's body (the workers' texts joined)
    goes to ``out`` and the text is empty; the outcome's ``streamed`` counts the results.
    ``progress`` is told the bytes and rows read by all workers.
    """
    if render is None or not _splittable(engine, path):
        return None
    # A table holds no parameters: those evaluation reads must come from the caller.
    engine.require_parameters(dict(parameters or {}))
    ranges = plan_ranges(path, workers, min_bytes)
    if ranges is None:
        return None
    _ = engine.policy.fused, engine.policy.fast_grades  # built once, before the fork
    runner = range_runner()  # imported before the fork too
    with tempfile.TemporaryDirectory(prefix="hrpolicy-") as folder:
        files = [os.path.join(folder, f"{i}.part") if out is not None else None for i in range(len(ranges))]
        counters = Counters(len(ranges))
        tasks = [
            _task(runner, engine, path, r, parameters, render, f, counters.setter(i) if progress else None)
            for i, (r, f) in enumerate(zip(ranges, files, strict=True))
        ]
        parts = fork_all(tasks, (lambda: progress(*counters.totals())) if progress else None)
        complete = [p for p in parts if p is not None]
        if len(complete) != len(parts) or not _disjoint(complete):
            return None
        outcome, text = _merge(engine, path, complete, render if out is None else None)
        if out is not None:
            _copy_parts([f for f in files if f], [p.evaluated for p in complete], render.between, out)
        return outcome, text


def _copy_parts(files: Sequence[str], counts: Sequence[int], between: str, out: IO[str]) -> None:
    first = True
    for name, count in zip(files, counts, strict=True):
        if not count:
            continue
        if not first:
            out.write(between)
        first = False
        with open(name, encoding="utf-8", newline="") as part:
            shutil.copyfileobj(part, out, 2**20)


def _splittable(engine: Engine, path: str) -> bool:
    """A CSV file, under a policy without ``distributions`` (relative grades need everyone)."""
    if engine.source.data.get("distributions"):
        return False
    return os.path.splitext(path)[1].lower() == ".csv" and os.path.isfile(path)


RangeRunner = Callable[..., Part]


def range_runner() -> RangeRunner:
    """What reads, checks, evaluates and renders one range: the columnar plan
    (:mod:`engine.evaluate.columnar`, which falls back to :func:`evaluate_range` for whatever
    it cannot do), or :func:`evaluate_range` itself when the plan is switched off."""
    from engine.evaluate.columnar import run as columnar

    return columnar.evaluate_range if columnar.enabled() else evaluate_range


def _task(
    runner: RangeRunner,
    engine: Engine,
    path: str,
    part: Range,
    parameters: Mapping[str, Any] | None,
    render: SplitRenderer,
    out_path: str | None,
    progress: Callable[[int, int], None] | None,
) -> Callable[[], Part]:
    return lambda: runner(engine, path, part, parameters, render, out_path, progress)


def _disjoint(parts: Sequence[Part]) -> bool:
    """No employee in two parts: one process would have merged their rows into one employee."""
    seen = SeenIds()  # compact: the parts' ids come in increasing order from a sorted file
    return all(seen.add(emp_id) for part in parts for emp_id in part.read.ids)


def _merge(
    engine: Engine, path: str, parts: Sequence[Part], render: SplitRenderer | None
) -> tuple[RunOutcome, str]:
    """The outcome of the parts, and (with ``render``) the whole report around their texts."""
    first = parts[0]
    read = [*first.parameter_problems, *first.read.header]
    read += [p for part in parts for p in part.read.rows]
    read += [p for part in parts for p in part.read.grouped]
    population = Population([], first.parameters, {}, {}, None, read, path)
    outcome = RunOutcome(engine.policy, population)
    outcome.problems = _spooled(read, [part.checks for part in parts])
    outcome.warnings.extend(p for part in parts for p in part.warnings)
    outcome.streamed = sum(part.evaluated for part in parts)
    if render is None:
        return outcome, ""
    return outcome, render.merge(outcome, outcome.streamed, [part.text for part in parts])


def _spooled(first: Iterable[Problem], then: Sequence[Problems]) -> ProblemSpool:
    """``first``, then each of ``then`` (let go once copied), in one spool."""
    spool = ProblemSpool(first)
    for problems in then:
        spool.extend(problems)
        if isinstance(problems, ProblemSpool):
            problems.close()
    return spool


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
