"""One worker's range read, checked, evaluated and rendered an employee at a time, and how a
format is rendered in parts (:class:`SplitRenderer`): the pieces a worker makes, joined, are
byte for byte what one process writes for the same employees (:mod:`engine.evaluate.parallel`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from engine.errors import Problem
from engine.evaluate.employee import EmployeeResult, FlatValues, evaluate_flat
from engine.evaluate.ranges import Range, require_cuttable
from engine.evaluate.run import Engine, RunOutcome, stopped
from engine.gcpause import collected_gc
from engine.io.model import EmployeeRecord, Population
from engine.io.records import TablePart, stream_csv
from engine.io.spool import Head, Problems, ProblemSpool
from engine.io.table import read_problems

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
    #: ``merge`` a piece at a time (a report listing a million problems), or None: ``merge``'s
    #: text is one piece.
    pieces: Callable[[RunOutcome, int, list[str]], Iterable[str]] | None = None
    flat: Callable[[RunOutcome], FlatPiece | None] = lambda outcome: None
    #: For a run, a :data:`DetailedPiece` that the columnar plan can serve (a report showing
    #: goal-line values and grade facts: JSON), or None.
    detailed: Callable[[RunOutcome], DetailedPiece | None] = lambda outcome: None
    #: What goes between two joined texts: ``join(a + b) == join(a) + between + join(b)``.
    between: str = ""
    #: For a run, what writes whole blocks of results from columns at once (the columnar
    #: plan's, :class:`engine.report.csvblock.BlockLines`), or None.
    block: Callable[[RunOutcome], Any] = lambda outcome: None
    #: In a worker, once its part is written to a file: what the parent's ``rewrite`` needs to
    #: know of it (picklable; the text table: the places and widths of its columns), or None.
    summary: Callable[[str], Any] | None = None
    #: In the parent, given every part's summary in order: what turns a part's file into its
    #: final text (``(part file, final file)``), run in forked workers, one a part (the text
    #: table: the rows aligned over them all), or None when each worker's summary already wrote
    #: that final text beside its part (``<part>.final``); no rewrite at all (None): the parts
    #: are final as they are.
    rewrite: Callable[[list[Any]], Callable[[str, str], None] | None] | None = None


@dataclass(frozen=True)
class Joined:
    """Pieces already joined: ``text`` is what ``join`` makes of ``count`` pieces (or its UTF-8
    bytes: written to a binary file as they are)."""

    text: str | bytes
    count: int


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
    summary: Any = None  # (see SplitRenderer.summary)
    #: The range's lines, when its reader checked only those against the row bound (see
    #: :func:`~engine.evaluate.ranges.rows_within`); None: it checked its rows' own numbers.
    lines: int | None = None


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
    require_cuttable(part)  # (a planned range: before its first byte is read)
    data = engine.source.data
    stream, values, parameter_problems, notes = stream_csv(
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
    warnings = [*notes, *outcome.warnings]  # (notes: the file's, with its first range only)
    return Part(text, stream.part, values, parameter_problems, checks, count, times, warnings)


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


def spooled(first: Iterable[Problem], then: Sequence[Problems]) -> ProblemSpool:
    """``first``, then each of ``then`` (let go once copied), in one spool."""
    spool = ProblemSpool(first)
    for problems in then:
        spool.extend(problems)
        if isinstance(problems, ProblemSpool):
            problems.close()
    return spool


def settle_problems(
    outcome: RunOutcome,
    parameter_problems: list[Problem],
    reads: Sequence[TablePart],
    checks: Sequence[Problems],
) -> None:
    """Put the problems of a streamed run on ``outcome`` as a whole-file run has them, in one
    spool: the parameters', the reading's (of a file read in parts ``reads``, in order: see
    :func:`~engine.io.table.read_problems`), then the employees' ``checks`` (of each part, in
    order); each part's spools let go once copied. The population's problems are the first of
    them (a view of the spool: the reading's)."""
    runs = [parameter_problems, *read_problems(reads)]
    count = sum(len(run) for run in runs)
    outcome.problems = spooled((), [*runs, *checks])
    outcome.population.problems = Head(outcome.problems, count)


def settle_read(
    outcome: RunOutcome,
    read: TablePart,
    parameter_problems: list[Any],
    notes: list[Problem],
    checks: Problems,
) -> None:
    """Put a streamed read's problems and notes on ``outcome`` as a whole-file run has them: the
    parameters' and the reading's problems, then the employees' checks (:func:`settle_problems`);
    the notes on reading (``notes``: the header's) before the employees' own warnings."""
    settle_problems(outcome, parameter_problems, [read], [checks])
    outcome.warnings = [*notes, *read.notes, *outcome.warnings]


def write_pieces(
    pieces: Iterable[Any], render: SplitRenderer, out: IO[str] | IO[bytes] | None, chunk: int = 512
) -> tuple[str, int]:
    """Join ``pieces`` as ``render.join`` would, ``chunk`` at a time (a :class:`Joined` piece as
    it is), writing the text to ``out`` (a text file, or a binary one written in UTF-8; then
    the text returned is empty) or returning it; and the number of pieces."""
    texts: list[str] = []
    count = 0
    block: list[Any] = []

    def put(text: str | bytes, pieces: int) -> None:
        nonlocal count
        if count and render.between:
            _put(out, texts, render.between)
        count += pieces
        _put(out, texts, text)

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


def _put(out: IO[Any] | None, texts: list[str], text: str | bytes) -> None:
    """Write ``text`` to ``out`` in its kind (a text or a binary file), or add it to ``texts``."""
    binary = out is not None and not hasattr(out, "encoding")  # (a text file has one)
    if binary == isinstance(text, str):
        text = text.encode() if isinstance(text, str) else text.decode()
    if out is None:
        assert isinstance(text, str)
        texts.append(text)
    else:
        out.write(text)


def _range_one(
    engine: Engine,
    record: EmployeeRecord,
    values: Mapping[str, Any],
    fast: Callable[[EmployeeRecord, FlatValues | None], Any] | None,
    render: SplitRenderer,
    outcome: RunOutcome,
    checks: Problems,
) -> Any | None:
    """One employee of a range, in the order Engine.evaluate takes it: periods and sheet checks,
    the evaluator chain (after evaluating when a chain condition reads a formula); its piece, or
    None with its problems added to ``checks``. A sheet known clean is checked and evaluated in
    one pass (:meth:`Engine.flat_when_clean`) when the piece needs only its flat values."""
    completed, problems, _ = engine.prepare(record)
    early = not engine.chains_read_formulas
    known = None
    if fast is not None and early and not problems and completed is record:
        known = engine.flat_when_clean(record, values)
    if known is None:
        problems = problems or engine.check(record, values)
    reviewed = engine.review(record, None) if early and not problems else None
    if stopped(outcome.warnings, checks, problems, reviewed):
        return None
    piece = fast(completed, known) if fast is not None and early else None
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
) -> Callable[[EmployeeRecord, FlatValues | None], Any] | None:
    """A record's piece straight from its values and grades, given (``known``) or evaluated
    here (None from it: use a full result)."""
    if piece is None:
        return None
    policy = engine.policy

    def render(record: EmployeeRecord, known: FlatValues | None) -> Any:
        flat = known or evaluate_flat(policy, record, outcome.population.parameters)
        if flat is None:
            return None
        return piece(record.id, record.fields.get("name"), flat[0], flat[1])

    return render
