"""One worker's byte range through the columnar plan, a chunk of employees at a time, with the
per-record path for every employee the plan does not vouch for.

The output is what :func:`engine.evaluate.parallel.evaluate_range` writes for the range: the
same pieces in the same order, the same problems (those all come from the per-record path,
run on the byte spans of the employees the plan left to it, with their real row numbers).
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

import engine.limits as limits
from engine.distribution.compact import Scaled
from engine.errors import DataError, Problem
from engine.evaluate import parallel
from engine.evaluate.columnar.build import build_plan
from engine.evaluate.columnar.numbers import POW10
from engine.evaluate.columnar.plan import Chunk, Plan
from engine.evaluate.columnar.reading import line_starts, normalized, read_chunk, text_ok
from engine.evaluate.columnar.vectors import Unsupported
from engine.evaluate.ranges import require_uncut
from engine.evaluate.run import Engine, RunOutcome
from engine.gcpause import collected_gc
from engine.io.encoding import file_codec
from engine.io.ids import SeenIds
from engine.io.model import Population, RecordRules, compile_inputs
from engine.io.records import TablePart, stream_csv
from engine.io.spool import ProblemSpool

#: Bytes parsed at a time (a chunk ends at the last employee boundary inside it).
CHUNK_BYTES = 8 * 2**20
#: Set to 0 to force the per-record path (tests compare the two).
SWITCH = "HRPOLICY_COLUMNAR"


def enabled() -> bool:
    """Whether the plan may be used (``HRPOLICY_COLUMNAR=0`` forces the per-record path)."""
    return os.environ.get(SWITCH, "1") != "0"


class GiveUp(Exception):
    """This range cannot be done here as the per-record path would do it (an employee's rows in
    two places): the caller runs the per-record path for the whole range."""


_GiveUp = GiveUp


def evaluate_range(
    engine: Engine,
    path: str,
    part: parallel.Range,
    parameters: Mapping[str, Any] | None,
    render: parallel.SplitRenderer,
    out_path: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> parallel.Part:
    """:func:`engine.evaluate.parallel.evaluate_range`, through the plan where it can: the very
    same part. Falls back to that function for the whole range when the policy, the format or
    the file is beyond the plan."""
    if enabled():
        try:
            done = _columnar(engine, path, part, parameters, render, out_path, progress, chunk_bytes)
        except (Unsupported, GiveUp):
            done = None
        if done is not None:
            return done
    return parallel.evaluate_range(engine, path, part, parameters, render, out_path, progress)


def _columnar(
    engine: Engine,
    path: str,
    part: parallel.Range,
    parameters: Mapping[str, Any] | None,
    render: parallel.SplitRenderer,
    out_path: str | None,
    progress: Callable[[int, int], None] | None,
    chunk_bytes: int,
) -> parallel.Part | None:
    times = {"start": time.perf_counter()}
    job = start_job(engine, path, part, parameters, render, progress)
    if job is None:
        return None
    values, parameter_problems = job.values, job.parameter_problems
    with collected_gc():
        if out_path is None:
            text, count = parallel.write_pieces(job.pieces(chunk_bytes), render, None)
        else:
            with open(out_path, "wb") as out:  # (UTF-8: the blocks' bytes go as they are)
                text, count = parallel.write_pieces(job.pieces(chunk_bytes), render, out)
    times["evaluated"] = times["rendered"] = time.perf_counter()
    warnings = [*job.notes, *job.outcome.warnings]  # (notes: the file's, with its first range only)
    done = parallel.Part(
        text, job.read(), dict(values), parameter_problems, job.checks, count, times, warnings
    )
    done.lines = job.lines_read
    return done


def start_job(
    engine: Engine,
    path: str,
    part: parallel.Range,
    parameters: Mapping[str, Any] | None,
    render: parallel.SplitRenderer,
    progress: Callable[[int, int], None] | None,
    *,
    relative: bool = False,
) -> RangeJob | None:
    """The plan's job over ``part`` (its pieces: :meth:`RangeJob.pieces`), or None when the file
    or the format is beyond the plan (:class:`Unsupported` for the policy). ``relative``: a
    policy with distributions, whose pieces come without the relative grades."""
    data = engine.source.data
    inputs, scales = data.get("inputs") or {}, data.get("scales") or {}
    rules = compile_inputs(inputs, scales)
    header_stream, values, parameter_problems, notes = stream_csv(
        # (The header and the parameters only: no line of the range is read, so no row is numbered.)
        path, inputs, scales=scales, parameters=parameters, part=(part.start, part.start, part.row),
        rules=rules,
    )  # fmt: skip
    outcome = RunOutcome(engine.policy, Population([], values, {}, {}, None, [], path))
    if os.path.getsize(path) > limits.MAX_TABLE_BYTES:
        return None
    flat, detailed = render.flat(outcome), render.detailed(outcome)
    if flat is None and detailed is None:
        return None
    plan = build_plan(engine, header_stream.plan, rules, values, relative=relative)
    width = header_stream.plan.width
    job = RangeJob(engine, plan, path, part, values, render, outcome, flat, progress, width)
    job.rules = rules
    job.block = render.block(outcome)
    job.detailed = detailed
    job.header, job.parameter_problems, job.notes = header_stream.part.header, parameter_problems, notes
    return job


class RangeJob:
    """The state of one range: problems and ids in file order, the ids seen. ``keep``, when set,
    is told each run of employees the plan vouches for (the chunk, the first employee's index
    in it and the one after the last, and each formula's values of them as Decimals) just
    before their pieces."""

    def __init__(
        self,
        engine: Engine,
        plan: Plan,
        path: str,
        part: parallel.Range,
        values: Mapping[str, Any],
        render: parallel.SplitRenderer,
        outcome: RunOutcome,
        flat: parallel.FlatPiece | None,
        progress: Callable[[int, int], None] | None,
        width: int,
    ) -> None:
        self.engine, self.plan, self.path, self.part = engine, plan, path, part
        self.values, self.render, self.outcome, self.flat = values, render, outcome, flat
        self.progress = progress
        self.width = width
        # however many: spooled (sent to the parent by name), the reading's as the checks'
        self.rows, self.grouped = ProblemSpool(), ProblemSpool()
        self.checks = ProblemSpool()
        self.ids = SeenIds()  # every id met, compact (sorted files: a few bytes an id)
        self.lines_read = 0
        self.codec = file_codec(path, path)[0]  # (the file's, as its per-record spans decode it)
        #: Writes a block's result lines from the columns at once (see _lines), or None.
        self.block: Any = None
        self.header: list[Problem] = []
        self.parameter_problems: list[Problem] = []
        self.notes: list[Problem] = []  # on reading the header (an encoding, a title block)
        self.span_notes: list[Problem] = []  # the per-record spans' notes on reading cells
        self.keep: Callable[[Chunk, int, int, list[list[Decimal]]], None] | None = None
        #: The policy's input rules, compiled once for the range's per-record spans (an
        #: employee the plan leaves alone is read on its own: the set-up counts).
        self.rules: RecordRules | None = None
        #: Writes a piece from the plan's details (JSON), or None.
        self.detailed: parallel.DetailedPiece | None = None
        #: When set, each block line the report writes as it is becomes a piece of its own,
        #: ``each_line(id, its text without what goes between two)``, not a run of
        #: :class:`~engine.evaluate.parallel.Joined` lines (a spill of pieces, one an employee).
        self.each_line: Callable[[str, str], Any] | None = None
        # Per grade table, what a grade code (-1: no band) gives: (grade, points).
        self._graded = [
            {-1: (None, None), **{i: (g, t.points.get(g)) for i, g in enumerate(t.grades)}}
            for t in plan.tables
        ]

    def read(self) -> TablePart:
        """How the range was read, as the per-record reader's part has it (no employees)."""
        return TablePart([], self.header, self.rows, self.grouped, self.ids, [])

    def pieces(self, chunk_bytes: int) -> Iterator[Any]:
        # ``row``: the range's lines read so far. The file's row of one is asked of the range
        # (counted, once) only where a problem is worded or a span read per record: a clean
        # range never counts the lines before it (the parent checks the file's rows: lines).
        start, row = self.part.start, 0
        end = self.part.end
        with open(self.path, "rb") as handle:
            handle.seek(start)
            carry = b""
            while start < end:
                block = carry + handle.read(min(chunk_bytes, end - start - len(carry)))
                last = start + len(block) >= end
                if not last:
                    cut = block.rfind(b"\n") + 1
                    if cut == 0:
                        carry = block
                        continue
                    block = block[:cut]
                consumed, rows = yield from self._chunk(block, start, row, last)
                carry = block[consumed:]
                handle.seek(start + len(block))
                start += consumed
                row += rows
                if self.progress is not None:
                    self.progress(start - self.part.start, row)
                if consumed == 0 and last:
                    break
                if consumed == 0:
                    # One employee larger than a chunk: read on until it ends.
                    chunk_bytes *= 2
                    carry = b""
                    handle.seek(start)
        self.lines_read = row

    def _chunk(self, block: bytes, start: int, row: int, last: bool) -> Generator[Any, None, tuple[int, int]]:
        """Pieces of the complete employees of ``block``; returns (bytes consumed, rows consumed)."""
        width = self.width
        starts_b = line_starts(block)
        frame = read_chunk(block, width, starts_b, self.codec)
        lines = len(starts_b) - 1 if block.endswith(b"\n") else len(starts_b)
        least = self.part.first_row if self.part.counted else 2  # (uncounted: the parent checks)
        if least + row + lines - 1 > limits.MAX_ROWS:
            raise _GiveUp  # the per-record reader says what is wrong
        if frame is None or not normalized(frame):
            # A block read_chunk takes has no quote and no lone carriage return, the checks a
            # planned range needs (parallel.require_cuttable): this one is checked here.
            require_uncut(self.part, block)
            # The per-record path reads this block, up to its last employee's first line.
            cut = len(block) if last else _last_employee(block, starts_b, self.plan.id_column)
            if cut == 0:
                return 0, 0
            yield from self._per_record(start, start + cut, self._row(row))
            return cut, int(np.searchsorted(starts_b, cut))
        chunk = self.plan.evaluate(
            frame, lambda line: f"{self.path}:row {self._row(row + line)}", detail=self.detailed is not None
        )
        n = len(chunk.starts)
        usable = n if last else n - 1  # the last employee may go on in the next block
        if usable <= 0:
            return 0, 0
        yield from self._emit(chunk, usable, starts_b, start, row, self._lines(chunk))
        end_row = int(chunk.starts[usable]) if usable < n else lines
        consumed = int(starts_b[end_row]) if end_row < len(starts_b) else len(block)
        return consumed, end_row

    def _lines(self, chunk: Chunk) -> _Lines | None:
        """The result lines of the chunk's employees written from the columns, and which of them
        are the report's own (the others are written one by one)."""
        if self.block is None or not len(chunk.starts):
            return None
        ids, names = chunk.id_cells, chunk.name_cells
        values = [(v.num, v.den) for v in chunk.values]
        grades = [(codes, self._graded[t]) for t, codes in enumerate(chunk.grades)]
        if self.detailed is not None:  # (JSON items, with the goal lines and grade facts)
            facts = [((v.num, v.den), (r.num, r.den), s, b) for v, r, s, b in chunk.graded]
            steps = [(n.num, n.den) if n is not None else None for n in chunk.lines]
            lines, plain = self.block(
                ids, names, values, grades, facts, self.plan.tables, chunk.starts, len(chunk.gid), steps
            )
        else:
            lines, plain = self.block(ids, names, values, grades)
        if names is not None:
            plain &= text_ok(names)  # the reader strips a name; a padded one is written as it reads
        return _Lines(lines, plain, len(self.render.between) if self.detailed is not None else 0)

    def _emit(
        self, chunk: Chunk, usable: int, starts_b: Any, start: int, row: int, lines: _Lines | None
    ) -> Iterator[Any]:
        clean = chunk.clean
        if self.detailed is not None and chunk.lines_exact is not None:
            clean = clean & chunk.lines_exact  # the others' details come from full results
        for g, h, sure in _runs(clean, usable):
            if sure:
                yield from self._clean(chunk, g, h, lines)
            else:
                first = int(chunk.starts[g])
                stop = int(chunk.starts[h]) if h < len(chunk.starts) else len(starts_b)
                end_byte = int(starts_b[stop]) if stop < len(starts_b) else None
                begin = start + int(starts_b[first])
                finish = start + end_byte if end_byte is not None else start + int(starts_b[-1])
                yield from self._per_record(begin, finish, self._row(row + first))

    def _clean(self, chunk: Chunk, g: int, h: int, lines: _Lines | None) -> Iterator[Any]:
        """The pieces of clean employees ``g`` to ``h``: runs of lines written from the columns
        as one piece each, the other employees one by one."""
        if not self.ids.add_run(chunk.ids[g:h]):
            raise _GiveUp
        for k in sorted(k for k in chunk.warnings if g <= k < h):
            self.outcome.warnings.extend(chunk.warnings[k])
        columns: list[list[Decimal]] | None = None
        if self.keep is not None:
            # with their integers: the distributions' rows pack those, not the Decimals
            columns = [_scaled(v.num[g:h], v.den[g:h]) for v in chunk.values]
            self.keep(chunk, g, h, columns)
        if lines is None:
            yield from self._one_by_one(chunk, g, h, columns)
            return
        for a, b, plain in _runs(lines.plain[g:h], h - g):
            if plain and self.each_line is not None:
                yield from map(self.each_line, chunk.ids[g + a : g + b], lines.each(g + a, g + b))
            elif plain:
                yield parallel.Joined(lines.text(g + a, g + b), b - a)
            else:
                yield from self._one_by_one(chunk, g + a, g + b)

    def _one_by_one(
        self, chunk: Chunk, g: int, h: int, columns: list[list[Decimal]] | None = None
    ) -> Iterator[Any]:
        flat, names = self.flat, chunk.names
        if columns is None:
            columns = [_decimals(v.num[g:h], v.den[g:h]) for v in chunk.values]
        found = [
            [self._graded[t][code] for code in codes[g:h].tolist()] for t, codes in enumerate(chunk.grades)
        ]
        shown = list(zip(*columns, strict=True)) if columns else [()] * (h - g)
        grades = list(zip(*found, strict=True)) if found else [()] * (h - g)
        if self.detailed is not None:
            details = self._details(chunk, g, h)
            for i, k in enumerate(range(g, h)):
                yield self.detailed(chunk.ids[k], _name(names[k]), shown[i], grades[i], details[i])
            return
        assert flat is not None  # (a run has a flat or a detailed piece)
        for i, k in enumerate(range(g, h)):
            yield flat(chunk.ids[k], _name(names[k]), shown[i], grades[i])

    def _details(self, chunk: Chunk, g: int, h: int) -> list[Any]:
        """Employees ``g:h``'s goal lines' values and grade facts (see :data:`parallel.DetailedPiece`)."""
        starts = chunk.starts.tolist()
        first = starts[g]
        last = starts[h] if h < len(starts) else len(chunk.gid)
        blank = [None] * (last - first)
        lines = [
            _decimals(num.num[first:last], num.den[first:last]) if num is not None else blank
            for num in chunk.lines
        ]
        per_line = list(zip(*lines, strict=True)) if lines else [()] * (last - first)
        facts = []
        for t, (value, rounded, segment, band) in enumerate(chunk.graded):
            table = self.plan.tables[t]
            shown = zip(
                _decimals(value.num[g:h], value.den[g:h]), _decimals(rounded.num[g:h], rounded.den[g:h]),
                segment[g:h].tolist(), band[g:h].tolist(), strict=True,
            )  # fmt: skip
            facts.append([
                (v, r, table.segment_names[s] if s >= 0 else "", table.described[s][b] if b >= 0 else None)
                for v, r, s, b in shown
            ])  # fmt: skip
        per_table = list(zip(*facts, strict=True)) if facts else [()] * (h - g)
        bounds = [*starts[g:h], last]
        return [(per_line[bounds[i] - first : bounds[i + 1] - first], per_table[i]) for i in range(h - g)]

    def _row(self, line: int) -> int:
        """The file's row of the range's line ``line`` (0: its first)."""
        return self.part.first_row + line

    def _per_record(self, begin: int, finish: int, first_row: int) -> Iterator[Any]:
        data = self.engine.source.data
        stream, _, _, _ = stream_csv(
            self.path, data.get("inputs") or {}, scales=data.get("scales") or {},
            parameters=None, part=(begin, finish, first_row), rules=self.rules,
        )  # fmt: skip
        stream.problems_into(self.rows, self.grouped)  # (the spans' in turn, in file order)
        checks: list[Problem] = []
        try:
            yield from parallel.render_records(self.engine, self.outcome, stream, self.render, checks)
        except DataError:
            raise _GiveUp from None
        read = stream.part
        if not all([self.ids.add(emp_id) for emp_id in read.ids]):
            raise _GiveUp
        self.span_notes.extend(read.notes)
        self.checks.extend(checks)


class _Lines:
    """A chunk's result lines (:class:`pyarrow.StringArray`) and which are plain."""

    def __init__(self, lines: Any, plain: Any, cut: int = 0) -> None:
        self.plain = np.asarray(plain, bool)
        self._cut = cut  # bytes after each line that go between two (the last one's are cut)
        self._lines = lines
        self._offsets = np.frombuffer(lines.buffers()[1], np.int32)[lines.offset :]
        self._data = lines.buffers()[2]

    def text(self, first: int, stop: int) -> bytes:
        """Lines ``first`` to ``stop`` (excluded), joined (UTF-8)."""
        begin, end = int(self._offsets[first]), int(self._offsets[stop]) - self._cut
        text: bytes = self._data[begin:end].to_pybytes()
        return text

    def each(self, first: int, stop: int) -> list[str]:
        """Lines ``first`` to ``stop`` (excluded), each without what goes between two."""
        texts: list[str] = self._lines.slice(first, stop - first).to_pylist()  # (decoded in C)
        return [text[: -self._cut] for text in texts] if self._cut else texts


def _runs(mask: Any, stop: int) -> list[tuple[int, int, bool]]:
    """The runs of equal values in ``mask[:stop]``: (first, after the last, value)."""
    flags = np.asarray(mask[:stop], bool)
    if not stop:
        return []
    edges = [0, *(np.flatnonzero(flags[1:] != flags[:-1]) + 1).tolist(), stop]
    return [(a, b, bool(flags[a])) for a, b in itertools.pairwise(edges)]


def _name(cell: str | None) -> str | None:
    """The name as the per-record reader keeps it (stripped; blank: none)."""
    return (cell.strip() or None) if cell else None


def _decimals(num: Any, den: Any) -> list[Decimal]:
    """The Decimals ``num / den`` (``den`` powers of ten) with their exponents: ``1290/100`` -> ``12.90``."""
    places = np.searchsorted(POW10, den).tolist()
    return [Decimal(n).scaleb(-p) for n, p in zip(num.tolist(), places, strict=True)]


def _scaled(num: Any, den: Any) -> Scaled:
    """:func:`_decimals`, kept with (copies of) their integers."""
    return Scaled(_decimals(num, den), np.array(num, dtype=np.int64), np.array(den, dtype=np.int64))


def _last_employee(block: bytes, starts: Any, id_col: int) -> int:
    """Where the last employee of ``block`` (whole lines) starts: 0 if it is the only one."""
    bounds = [int(b) for b in starts]
    if bounds[-1] != len(block):
        bounds.append(len(block))
    last = parallel.line_id(block[bounds[-2] : bounds[-1]], id_col)
    for index in range(len(bounds) - 2, 0, -1):
        if parallel.line_id(block[bounds[index - 1] : bounds[index]], id_col) != last:
            return bounds[index]
    return 0


_Job = RangeJob
