"""A policy compiled once into a columnar plan: its fields, formulas, sheet rules and grade
tables over whole chunks of rows, in exact integer arithmetic.

:func:`.build.build_plan` raises :class:`~.vectors.Unsupported` for anything the plan does not
express (periods, a blend, forced distributions, fixed goals, conditional required fields,
a formula construct :mod:`.vectors` does not walk, a chain that needs evaluations): the
policy then keeps the per-record path. :meth:`Plan.evaluate` gives, per employee of a chunk,
whether the plan can vouch for it (``clean``: the per-record path would check it without a
problem and compute the very same numbers) and its formula values and grades.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa

import engine.arrowcompute as ac
from engine.chains.model import Confirmation
from engine.evaluate.columnar import cells
from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar.confirm import unconfirmed
from engine.evaluate.columnar.kept import kept_fields
from engine.evaluate.columnar.levels import Level, const_num
from engine.evaluate.columnar.numbers import Ints, Mask, Num
from engine.evaluate.columnar.reading import (
    FieldPlan,
    Frame,
    any_per_group,
    convert,
    differs_in_group,
    gather,
    groups_of,
    text_ok,
)
from engine.evaluate.columnar.review import ChainReview
from engine.evaluate.columnar.sheet import sheet_bad
from engine.evaluate.columnar.signs import negative_people
from engine.evaluate.columnar.vectors import Call, Col, Unsupported, Walker, number_col, truth
from engine.evaluate.run import Engine
from engine.formula.parse import Parsed
from engine.io.fields import check_mapping
from engine.io.model import EmployeeRecord, RecordRules


@dataclass(frozen=True)
class StepPlan:
    name: str
    parsed: Parsed
    places: int | None
    mode: str | None


@dataclass(frozen=True)
class TablePlan:
    """A grade table: its input, rounding, segments (condition, bands) and points."""

    input: str
    places: int | None
    mode: str | None
    segments: tuple[
        tuple[Parsed | None, tuple[tuple[str, Decimal | None, Decimal | None, bool, bool], ...]], ...
    ]
    grades: tuple[str, ...]  # every grade code, in the order the codes below index
    points: Mapping[str, Decimal | None]
    #: Each segment's name and each of its bands described (as a report shows a grade's facts).
    segment_names: tuple[str, ...] = ()
    described: tuple[tuple[str, ...], ...] = ()


@dataclass
class Chunk:
    """What the plan found for the employees (groups of rows) of one chunk."""

    starts: Ints
    gid: Ints
    clean: Mask  # per employee
    ids: list[str]
    #: Each employee's id and name cells (its first row's), as the frame has them.
    id_cells: pa.Array
    name_cells: pa.Array | None
    values: list[Num]  # per employee formula, in the policy's order (rows: employees)
    grades: list[Ints]  # per grade table: index into TablePlan.grades, -1: no band
    #: The review's warnings of clean employees (by employee index), to report in their turn.
    warnings: dict[int, Any] = field(default_factory=dict)
    #: :attr:`Plan.kept` fields, per employee (:func:`.kept.kept_fields`).
    kept: dict[str, list[Any]] = field(default_factory=dict)
    #: Each goal-line formula's values (rows: goal lines; None: not numbers) and, per grade
    #: table, the value, the rounded value, the segment and the band index within it (-1:
    #: none), for a report that shows them (JSON); ``lines_exact``: per employee, each of
    #: those numbers is an exact Decimal with a known exponent, not zero (the plan keeps no
    #: sign of zero).
    lines: list[Num | None] = field(default_factory=list)
    graded: list[tuple[Num, Num, Ints, Ints]] = field(default_factory=list)
    lines_exact: Mask | None = None

    @property
    def names(self) -> list[str | None]:
        """Each employee's name cell (None: the policy's records have no name column)."""
        found = self.__dict__.get("_names")
        if found is None:
            cells = self.name_cells
            found = cells.to_pylist() if cells is not None else [None] * len(self.starts)
            self.__dict__["_names"] = found
        return found


@dataclass
class Typed:
    """A chunk's declared cells converted: goal-line and employee columns, the groups."""

    line: dict[str, Col]
    person: dict[str, Col]
    starts: Ints
    gid: Ints
    bad: Mask  # per employee: a cell the plan cannot take
    #: Employee columns' cells (by position in the frame), each employee's first row's: taken
    #: once per chunk, for every part that reads them (:meth:`Typed.head`).
    heads: dict[int, pa.Array] = field(default_factory=dict)
    frame: Frame = field(default_factory=list)

    def head(self, column: int) -> pa.Array:
        """The cells of ``column`` in each employee's first row."""
        found = self.heads.get(column)
        if found is None:
            found = self.heads[column] = gather(self.frame[column], self.starts)
        return found


@dataclass
class Plan:
    """See the module doc. Built by :func:`build_plan`."""

    engine: Engine
    id_column: int
    employee: tuple[FieldPlan, ...]
    indicator: tuple[FieldPlan, ...]
    line_steps: tuple[StepPlan, ...]
    person_steps: tuple[StepPlan, ...]
    tables: tuple[TablePlan, ...]
    parameters: Mapping[str, Any]
    sheet: Any  # engine.evaluate.sheet.SheetRules
    name_column: int | None = None
    #: Review each clean employee's chain and record requirements (see :func:`_check_chains`).
    review_each: bool = False
    rules: RecordRules | None = None
    #: Which clean employees surely pass that review, decided over columns (the others are
    #: reviewed one by one); None: every clean employee is.
    review: ChainReview | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: The policy's own functions (``points``) over columns.
    calls: Mapping[str, Call] = field(default_factory=dict)
    #: Confirmations each goal line is checked against (:mod:`.confirm`).
    confirmations: tuple[Confirmation, ...] = ()
    #: Employee fields given back per employee (the groups and tie keys of distributions).
    kept: tuple[str, ...] = ()

    # -- one chunk -----------------------------------------------------------------------

    def evaluate(self, frame: Frame, origin: Callable[[int], str] = str, *, detail: bool = True) -> Chunk:
        """Check and evaluate every employee of ``frame`` (rows grouped by consecutive id);
        ``origin`` names where a line of the frame is in the file (``path:row N``); ``detail``
        False: the goal lines' values and grade facts a JSON report shows are not gathered."""
        typed = self.typed(frame)
        with np.errstate(all="ignore"):
            line, person = dict(typed.line), dict(typed.person)
            computed = self._compute(line, person, typed.starts, typed.gid, typed.bad, True, detail)
            clean, values, grades, shown = computed
        starts = typed.starts
        id_cells = typed.head(self.id_column)
        ids = id_cells.to_pylist()
        warnings: dict[int, Any] = {}
        if self.review_each:
            sure = clean & self._sure(typed, id_cells)
            clean = self._reviewed(typed, ids, clean & ~sure, warnings, origin) | sure
        name_cells = typed.head(self.name_column) if self.name_column is not None else None
        kept = (
            kept_fields(self.kept, self.employee, typed.person, typed.head, len(starts), self.rules)
            if self.kept and self.rules is not None
            else {}
        )
        lines, graded, exact = shown
        return Chunk(
            starts, typed.gid, clean, ids, id_cells, name_cells, values, grades, warnings, kept,
            lines, graded, exact if detail else None,
        )  # fmt: skip

    def _sure(self, typed: Typed, ids: pa.Array) -> Mask:
        """The employees whose chain and record requirement review surely finds nothing."""
        n = len(typed.starts)
        if self.review is None:
            return np.zeros(n, bool)
        blanks = self._blank_people()

        def person(name: str) -> Col:
            found = typed.person.get(name)
            return found if found is not None else blanks[name](n)

        return self.review.sure(typed.head, n, ids, person)

    def _reviewed(
        self,
        typed: Typed,
        ids: list[Any],
        clean: Mask,
        warnings: dict[int, Any],
        origin: Callable[[int], str],
    ) -> Mask:
        """``clean`` less the employees whose chain or record requirements have a problem, each
        reviewed by :meth:`Engine.review` on the record the per-record reader would build; the
        warnings of the others (a requirement declared a warning) go to ``warnings``."""
        assert self.rules is not None
        wanted = np.flatnonzero(clean)
        if not len(wanted):
            return clean
        starts, at = typed.starts, ac.array_of(wanted)
        cells = {fp.name: ac.take(typed.head(fp.column), at).to_pylist() for fp in self.employee}
        rules = self.rules.employee
        out = clean.copy()
        for k, g in enumerate(wanted.tolist()):
            raw = {name: column[k] for name, column in cells.items()}
            raw["id"] = ids[g]
            values, issues = check_mapping(raw, rules)
            record = EmployeeRecord(ids[g], values, (), {}, (), origin(int(starts[g])))
            reviewed = self.engine.review(record, None) if not issues else None
            if issues or (reviewed is not None and reviewed.problems):
                out[g] = False
            elif reviewed is not None and reviewed.warnings:
                warnings[g] = reviewed.warnings
        return out

    def typed(self, frame: Frame) -> Typed:
        """The frame's declared cells converted, grouped by employee, with the rows and
        employees whose cells the plan cannot take."""
        ids_raw = frame[self.id_column]
        starts, gid = groups_of(ids_raw)
        sizes = cells.lengths(ids_raw)
        empty = sizes == 0 if sizes is not None else ids_raw.to_numpy(zero_copy_only=False) == ""
        rows_bad = ~text_ok(ids_raw) | empty
        line: dict[str, Col] = {}
        for fp in self.indicator:
            col, bad = convert(frame[fp.column], fp)
            line[fp.name] = col
            rows_bad |= bad
        person: dict[str, Col] = {}
        group_bad = np.zeros(len(starts), bool)
        typed = Typed(line, person, starts, gid, group_bad, frame=frame)
        for fp in self.employee:
            rows_bad |= differs_in_group(frame[fp.column], starts, gid)
            col, bad = convert(typed.head(fp.column), fp)
            person[fp.name] = col
            group_bad |= bad
        group_bad |= any_per_group(rows_bad, starts)
        return typed

    def compute(self, typed: Typed, *, checks: bool = True) -> tuple[Mask, list[Num], list[Ints]]:
        """Whether each employee is clean, the employee formulas' values and each table's grade
        codes (``checks`` False: the sheet rules are not checked, for the benchmark of the
        evaluation step alone)."""
        line, person = dict(typed.line), dict(typed.person)
        return self._compute(line, person, typed.starts, typed.gid, typed.bad, checks, False)[:3]

    def _compute(
        self,
        line: dict[str, Col],
        person: dict[str, Col],
        starts: Ints,
        gid: Ints,
        bad: Mask,
        checks: bool,
        detail: bool,
    ) -> tuple[Mask, list[Num], list[Ints], tuple[list[Num | None], list[tuple[Num, Num, Ints, Ints]], Mask]]:
        n_rows, n_people = len(gid), len(starts)
        for fp_name, default in self._blank_people().items():
            if fp_name not in person:
                person[fp_name] = default(n_people)
        people = Level(self.parameters, person, n_people)
        rows = Level(self.parameters, {}, n_rows)
        rows.fallback = lambda name: people.get(name).take(gid)
        for name, col in line.items():
            rows.cols[name] = col
        for name, default in self._blank_lines().items():
            if name not in rows.cols:
                rows.cols[name] = default(n_rows)
        people.aggregate_rows = rows
        people.starts, people.gid = starts, gid
        try:
            return self._levels(people, rows, bad, checks, detail)
        finally:
            # The two levels refer to each other (the lines read an employee's columns, the
            # employees aggregate the lines): a reference cycle holding every column of the
            # chunk, which reference counting alone never frees. Broken here, the chunk goes
            # as soon as it is written; left to the cyclic collector, the chunks of a whole
            # range piled up in its oldest generation (a worker grew 120 bytes an employee).
            rows.fallback = people.aggregate_rows = None

    def _levels(
        self, people: Level, rows: Level, bad: Mask, checks: bool, detail: bool
    ) -> tuple[Mask, list[Num], list[Ints], tuple[list[Num | None], list[tuple[Num, Num, Ints, Ints]], Mask]]:
        """:meth:`_compute` over the chunk's two levels, linked."""
        starts, gid, n_rows, n_people = people.starts, people.gid, rows.n, people.n
        if checks:
            bad = bad | sheet_bad(self.sheet, self.calls, rows, people, starts, gid)
            if self.confirmations:
                bad |= unconfirmed(self.confirmations, rows.get, n_rows, starts, self.calls)
        row_bad, lines, exact = self._line_steps(rows, starts, detail)
        bad = bad | row_bad  # a new mask: without checks, ``bad`` is still the caller's
        values: list[Num] = []
        for step in self.person_steps:
            walker = Walker(step.parsed, n_people, people.get, people.aggregate, self.calls)
            col = _rounded(walker.run(), step)
            bad |= col.bad | col.missing
            people.cols[step.name] = col
            if col.kind != "num" or col.num is None:
                raise Unsupported(f"employee formula {step.name} is not a number")
            bad |= col.num.approx  # shown as Decimal writes it
            values.append(col.num)
        zero = np.zeros(n_people, bool)
        for value in values:
            zero |= value.num == 0
        if zero.any():  # a zero may be Decimal's -0 (shown -0.00): see .signs
            if self.extra.get("signless", False):
                zero &= negative_people(rows.cols.values(), people.cols.values(), starts, n_people)
            bad |= zero
        grades = []
        graded: list[tuple[Num, Num, Ints, Ints]] = []
        for table in self.tables:
            found, unsure, facts = self._grade(table, people)
            bad |= unsure
            grades.append(found)
            if detail:
                graded.append(facts)
                exact &= ~_num_not_exact(facts[0]) & ~_num_not_exact(facts[1])
        return ~bad, values, grades, (lines, graded, exact)

    def _line_steps(self, rows: Level, starts: Ints, detail: bool) -> tuple[Mask, list[Num | None], Mask]:
        """The goal-line formulas into ``rows``: the employees they fail, and (``detail``) their
        values and whether each employee's are all shown exactly (else: none and all true)."""
        n_rows = rows.n
        row_bad = np.zeros(n_rows, bool)
        inexact = np.zeros(n_rows, bool)
        lines: list[Num | None] = []
        for step in self.line_steps:
            col = _rounded(Walker(step.parsed, n_rows, rows.get, None, self.calls).run(), step)
            row_bad |= col.bad | col.missing
            rows.cols[step.name] = col
            if detail:  # (only a report showing the goal lines needs them: JSON)
                lines.append(col.num if col.kind == "num" else None)
                inexact |= _not_shown_exactly(col)
        exact = ~any_per_group(inexact, starts) if n_rows and detail else np.ones(len(starts), bool)
        return any_per_group(row_bad, starts), lines, exact

    def _grade(self, table: TablePlan, people: Level) -> tuple[Ints, Mask, tuple[Num, Num, Ints, Ints]]:
        value = people.get(table.input)
        if value.kind != "num" or value.num is None:
            raise Unsupported(f"grade table input {table.input}")
        num = unrounded = value.num
        unsure = value.bad | value.missing | num.bad
        if table.places is not None and table.mode is not None:
            num = nb.round_to(num, table.places, table.mode)
            unsure = unsure | num.bad
        n = len(num.num)
        found = np.full(n, -1, np.int64)
        segment, band = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
        chosen = np.zeros(n, bool)
        for s, (when, bands) in enumerate(table.segments):
            if when is None:
                holds, doubt = np.ones(n, bool), np.zeros(n, bool)
            else:
                holds, doubt = truth(Walker(when, n, people.get, None, self.calls).run())
            unsure = unsure | (~chosen & doubt)
            here = ~chosen & holds
            chosen |= here
            segment += here * (s + 1)  # (each employee is chosen once: -1 becomes s)
            open_ = here.copy()  # this segment's employees no band has taken yet
            for b, (grade, low, high, low_in, high_in) in enumerate(bands):
                take = open_.copy()
                for bound, lower, inclusive in ((low, True, low_in), (high, False, high_in)):
                    if bound is None:
                        continue
                    inside, doubt = nb.within(num, const_num(bound, n), lower, inclusive)
                    unsure = unsure | (open_ & doubt)
                    take &= inside
                found += take * (table.grades.index(grade) + 1)  # (taken once: -1 becomes it)
                band += take * (b + 1)
                open_ &= ~take
        return found, unsure, (unrounded, num, segment, band)

    def _blank_people(self) -> dict[str, Any]:
        return self.extra["blank_people"]  # type: ignore[no-any-return]

    def _blank_lines(self) -> dict[str, Any]:
        return self.extra["blank_lines"]  # type: ignore[no-any-return]


def _rounded(col: Col, step: StepPlan) -> Col:
    if step.places is None or step.mode is None:
        return col
    if col.kind != "num" or col.num is None:
        raise Unsupported(f"{step.name}: rounding a value that is not a number")
    num = Num(col.num.num, col.num.den, col.num.approx, col.num.bad | col.bad | col.missing)
    return number_col(nb.round_to(num, step.places, step.mode), np.zeros(len(num.num), bool))


def _not_shown_exactly(col: Col) -> Mask:
    """Rows whose value a report could not write as the per-record path's Decimal: not a
    number, approximate, not in tenths, hundredths... (the exponent unknown), or zero (-0?)."""
    if col.kind != "num" or col.num is None:
        return np.ones(len(col.missing), bool)
    return _num_not_exact(col.num)


def _num_not_exact(num: Num) -> Mask:
    """:func:`_not_shown_exactly` of numbers."""
    places = np.minimum(np.searchsorted(nb.POW10, num.den), len(nb.POW10) - 1)
    shown: Mask = num.approx | num.bad | (num.num == 0) | (nb.POW10[places] != num.den)
    return shown
