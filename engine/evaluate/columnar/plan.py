"""A policy compiled once into a columnar plan: its fields, formulas, sheet rules and grade
tables over whole chunks of rows, in exact integer arithmetic.

:func:`build_plan` raises :class:`~.vectors.Unsupported` for anything the plan does not
express (periods, a blend, forced distributions, fixed goals, conditional required fields,
a formula construct :mod:`.vectors` does not walk, a chain that needs evaluations): the
policy then keeps the per-record path. :meth:`Plan.evaluate` gives, per employee of a chunk,
whether the plan can vouch for it (``clean``: the per-record path would check it without a
problem and compute the very same numbers) and its formula values and grades.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from engine.chains.model import Confirmation
from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar.calls import policy_calls
from engine.evaluate.columnar.confirm import confirmations_of, unconfirmed
from engine.evaluate.columnar.kept import kept_fields
from engine.evaluate.columnar.numbers import Ints, Mask, Num
from engine.evaluate.columnar.reading import (
    FieldPlan,
    Frame,
    any_per_group,
    convert,
    differs_in_group,
    field_plan,
    gather,
    groups_of,
    text_ok,
)
from engine.evaluate.columnar.review import ChainReview, build_review
from engine.evaluate.columnar.signs import negative_people, signless
from engine.evaluate.columnar.vectors import Call, Col, Unsupported, Walker, constant, number_col, truth
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
    names: list[str | None]
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


@dataclass
class Typed:
    """A chunk's declared cells converted: goal-line and employee columns, the groups."""

    line: dict[str, Col]
    person: dict[str, Col]
    starts: Ints
    gid: Ints
    bad: Mask  # per employee: a cell the plan cannot take


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
        ids_raw, starts = frame[self.id_column], typed.starts
        ids = gather(ids_raw, starts).to_pylist()
        warnings: dict[int, Any] = {}
        if self.review_each:
            sure = clean & self._sure(frame, typed)
            clean = self._reviewed(frame, starts, ids, clean & ~sure, warnings, origin) | sure
        names = (
            gather(frame[self.name_column], starts).to_pylist()
            if self.name_column is not None
            else [None] * len(starts)
        )
        kept = (
            kept_fields(self.kept, self.employee, typed.person, frame, starts, self.rules)
            if self.kept and self.rules is not None
            else {}
        )
        lines, graded, exact = shown
        return Chunk(
            starts, typed.gid, clean, ids, names, values, grades, warnings, kept, lines, graded,
            exact if detail else None,
        )  # fmt: skip

    def _sure(self, frame: Frame, typed: Typed) -> Mask:
        """The employees whose chain and record requirement review surely finds nothing."""
        n = len(typed.starts)
        if self.review is None:
            return np.zeros(n, bool)
        blanks = self._blank_people()

        def person(name: str) -> Col:
            found = typed.person.get(name)
            return found if found is not None else blanks[name](n)

        ids = gather(frame[self.id_column], typed.starts)
        return self.review.sure(frame, typed.starts, ids, person)

    def _reviewed(
        self,
        frame: Frame,
        starts: Ints,
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
        rows = starts[wanted]
        cells = {fp.name: gather(frame[fp.column], rows).to_pylist() for fp in self.employee}
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
        rows_bad = ~text_ok(ids_raw) | (ids_raw.to_numpy(zero_copy_only=False) == "")
        line: dict[str, Col] = {}
        for fp in self.indicator:
            col, bad = convert(frame[fp.column], fp)
            line[fp.name] = col
            rows_bad |= bad
        person: dict[str, Col] = {}
        group_bad = np.zeros(len(starts), bool)
        for fp in self.employee:
            series = frame[fp.column]
            rows_bad |= differs_in_group(series, starts, gid)
            col, bad = convert(gather(series, starts), fp)
            person[fp.name] = col
            group_bad |= bad
        group_bad |= any_per_group(rows_bad, starts)
        return Typed(line, person, starts, gid, group_bad)

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
        people = _Env(self, person, n_people, None)
        rows = _Env(self, {}, n_rows, None)
        rows.fallback = lambda name: people.get(name).take(gid)
        for name, col in line.items():
            rows.cols[name] = col
        for name, default in self._blank_lines().items():
            if name not in rows.cols:
                rows.cols[name] = default(n_rows)
        if checks:
            bad = bad | self._sheet_bad(rows, people, starts, gid)
            if self.confirmations:
                bad |= unconfirmed(self.confirmations, rows.get, n_rows, starts, self.calls)
        row_bad, lines, exact = self._line_steps(rows, starts, detail)
        bad |= row_bad
        people.aggregate_rows = rows
        people.starts, people.gid = starts, gid
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

    def _line_steps(self, rows: _Env, starts: Ints, detail: bool) -> tuple[Mask, list[Num | None], Mask]:
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

    def _grade(self, table: TablePlan, people: _Env) -> tuple[Ints, Mask, tuple[Num, Num, Ints, Ints]]:
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
            segment = np.where(here, s, segment)
            matched = np.zeros(n, bool)
            for b, (grade, low, high, low_in, high_in) in enumerate(bands):
                inside = np.ones(n, bool)
                for bound, lower, inclusive in ((low, True, low_in), (high, False, high_in)):
                    if bound is None:
                        continue
                    sign, doubt = nb.compare(num, _const_num(bound, n))
                    unsure = unsure | (here & ~matched & doubt)
                    if lower:
                        inside &= (sign > 0) | ((sign == 0) & inclusive)
                    else:
                        inside &= (sign < 0) | ((sign == 0) & inclusive)
                take = here & ~matched & inside
                found = np.where(take, table.grades.index(grade), found)
                band = np.where(take, b, band)
                matched |= take
        return found, unsure, (unrounded, num, segment, band)

    def _sheet_bad(self, rows: _Env, people: _Env, starts: Ints, gid: Ints) -> Mask:
        """Employees whose sheet the per-record checks might fault (then those checks run)."""
        rules = self.sheet
        n_people = len(starts)
        bad = np.zeros(n_people, bool)
        counts = np.diff(np.append(starts, len(gid)))
        for exc in rules.exceptions:  # an exception changes the bounds: the per-record path
            holds, doubt = truth(Walker(exc.when.parsed, n_people, people.get, None, self.calls).run())
            bad |= holds | doubt
        bad |= _outside(counts, rules.total.min, rules.total.max)
        cat = rules.category_field
        if rules.categories or rules.kinds:
            category = rows.get(cat)
            if category.kind != "cat" or category.codes is None:
                raise Unsupported("category field is not an enum")
            bad |= any_per_group(category.missing | category.bad, starts)
            for name, bounds in rules.categories.items():
                code = category.vocab.index(name) if name in category.vocab else -5
                have = np.add.reduceat((category.codes == code).astype(np.int64), starts)
                bad |= _outside(have, bounds.min, bounds.max)
            if rules.kinds:
                kind = rows.get(rules.kind_field)
                if kind.kind != "cat" or kind.codes is None:
                    raise Unsupported("kind field is not an enum")
                wrong = np.zeros(len(gid), bool)
                for name, allowed in rules.kinds.items():
                    if not allowed or name not in category.vocab:
                        continue
                    codes = [kind.vocab.index(k) for k in allowed if k in kind.vocab]
                    wrong |= (category.codes == category.vocab.index(name)) & (
                        ~np.isin(kind.codes, codes) | kind.missing
                    )
                bad |= any_per_group(wrong, starts)
        bad |= self._weights(rows, starts)
        for name in rules.required_fields:
            col = rows.get(name)
            bad |= any_per_group(col.missing | col.bad, starts)
        if rules.difficulty_rule is not None:
            bad |= self._difficulty(rows, starts)
        calls = self.calls
        for constraint in rules.constraints:
            applies = np.ones(n_people, bool)
            if constraint.when is not None:
                when = Walker(constraint.when.parsed, n_people, people.get, None, calls)
                applies, doubt = truth(when.run())
                bad |= doubt
            people.aggregate_rows, people.starts, people.gid = rows, starts, gid
            holds, doubt = truth(
                Walker(constraint.check.parsed, n_people, people.get, people.aggregate, calls).run()
            )
            bad |= applies & (~holds | doubt)
        return bad

    def _weights(self, rows: _Env, starts: Ints) -> Mask:
        rules = self.sheet
        n_people = len(starts)
        if rules.weight_min is None and rules.weight_max is None and rules.weight_total is None:
            return np.zeros(n_people, bool)
        weight = rows.get(rules.weight_field)
        if weight.kind != "num" or weight.num is None:
            raise Unsupported("weight field is not a number")
        n = len(weight.missing)
        wrong = weight.bad.copy()
        for bound, lower in ((rules.weight_min, True), (rules.weight_max, False)):
            if bound is None:
                continue
            sign, doubt = nb.compare(weight.num, _const_num(bound, n))
            wrong |= ~weight.missing & (doubt | ((sign < 0) if lower else (sign > 0)))
        bad = any_per_group(wrong, starts)
        if rules.weight_total is None:
            return bad
        zero = Num.const(0, 0, n)
        amounts = nb.where(weight.missing, zero, weight.num)
        if rules.total_scope != "category":
            return bad | _total_wrong(_group_sum(amounts, starts), rules.weight_total, None)
        category = rows.get(rules.category_field)
        if category.kind != "cat" or category.codes is None:
            raise Unsupported("category field is not an enum")
        bad |= any_per_group(category.missing | category.bad, starts)
        for code in range(len(category.vocab)):  # one total per category on the sheet
            inside = category.codes == code
            present = any_per_group(inside, starts)
            total = _group_sum(nb.where(inside, amounts, zero), starts)
            bad |= _total_wrong(total, rules.weight_total, present)
        return bad

    def _difficulty(self, rows: _Env, starts: Ints) -> Mask:
        diff = self.sheet.difficulty_rule
        col = rows.get(diff.field)
        if col.kind != "num" or col.num is None:
            raise Unsupported("difficulty field is not a number")
        n = len(col.missing)
        wrong = col.bad.copy()
        for bound, lower in ((diff.min, True), (diff.max, False)):
            if bound is not None:
                sign, doubt = nb.compare(col.num, _const_num(bound, n))
                wrong |= ~col.missing & (doubt | ((sign < 0) if lower else (sign > 0)))
        if diff.steps:
            allowed = np.zeros(n, bool)
            for step in diff.steps:
                sign, doubt = nb.compare(col.num, _const_num(step, n))
                allowed |= sign == 0
                wrong |= doubt
            wrong |= ~col.missing & ~allowed
        return any_per_group(wrong, starts)

    def _blank_people(self) -> dict[str, Any]:
        return self.extra["blank_people"]  # type: ignore[no-any-return]

    def _blank_lines(self) -> dict[str, Any]:
        return self.extra["blank_lines"]  # type: ignore[no-any-return]


def _total_wrong(total: Num, wanted: Decimal, present: Mask | None) -> Mask:
    """Groups whose weight total differs from ``wanted`` (or may: an overflow); ``present``:
    only the groups that have such lines (a category absent from a sheet has no total)."""
    sign, doubt = nb.compare(total, _const_num(wanted, len(total.num)))
    wrong: Mask = doubt | (sign != 0)
    return wrong if present is None else wrong & present


def _outside(counts: Ints, low: int | None, high: int | None) -> Mask:
    bad = np.zeros(len(counts), bool)
    if low is not None:
        bad |= counts < low
    if high is not None:
        bad |= counts > high
    return bad


def _const_num(value: Any, n: int) -> Num:
    col = constant(Decimal(value), n)
    assert col.num is not None
    return col.num


def _group_sum(values: Num, starts: Ints) -> Num:
    """Each group's sum from Decimal(0), with Decimal's exponent (the smallest of the terms):
    terms aligned to the group's largest denominator; approximate terms: ``bad``."""
    n = len(values.num)
    if n == 0:
        return Num(np.zeros(0, np.int64), np.ones(0, np.int64), np.zeros(0, bool), np.zeros(0, bool))
    big = np.maximum.reduceat(values.den, starts)
    gid = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    factor = big[gid] // values.den
    scaled = values.num.astype(np.float64) * factor
    over = np.maximum.reduceat(np.abs(scaled), starts) * np.diff(np.append(starts, n)) >= nb.LIMIT
    total = np.add.reduceat(values.num * factor, starts)
    bad = over | np.logical_or.reduceat(values.bad | values.approx, starts)
    return Num(total, big, np.zeros(len(starts), bool), bad)


def _rounded(col: Col, step: StepPlan) -> Col:
    if step.places is None or step.mode is None:
        return col
    if col.kind != "num" or col.num is None:
        raise Unsupported(f"{step.name}: rounding a value that is not a number")
    num = Num(col.num.num, col.num.den, col.num.approx, col.num.bad | col.bad | col.missing)
    return number_col(nb.round_to(num, step.places, step.mode), np.zeros(len(num.num), bool))


class _Env:
    """Names at one level (goal lines or employees) as columns; aggregates of the lines."""

    def __init__(self, plan: Plan, cols: dict[str, Col], n: int, parent: _Env | None) -> None:
        self.plan, self.cols, self.n = plan, cols, n
        self.fallback: Any = None
        self.aggregate_rows: _Env | None = None
        self.starts: Ints = np.zeros(0, np.int64)
        self.gid: Ints = np.zeros(0, np.int64)

    def get(self, name: str) -> Col:
        found = self.cols.get(name)
        if found is not None:
            return found
        if self.fallback is not None:
            col: Col = self.fallback(name)
            self.cols[name] = col
            return col
        if name in self.plan.parameters:
            return constant(self.plan.parameters[name], self.n)
        raise Unsupported(f"name {name!r}")

    def aggregate(self, fn: str, column: str, filters: Mapping[str, Col]) -> Col | None:
        rows = self.aggregate_rows
        if rows is None or column not in rows.cols or column in self.cols:
            return None
        values = rows.cols[column]
        n_rows = len(values.missing)
        keep = np.ones(n_rows, bool)
        unsure = np.zeros(n_rows, bool)
        for key, wanted in filters.items():
            have = rows.get(key)
            same, doubt = _equal_filter(have, wanted, n_rows)
            keep &= same
            unsure |= doubt
        kept = np.add.reduceat(keep.astype(np.int64), self.starts)
        bad = any_per_group(unsure, self.starts)
        if fn == "count":
            return number_col(
                Num(kept, np.ones(len(kept), np.int64), np.zeros(len(kept), bool), bad),
                np.zeros(len(kept), bool),
            )
        if fn == "sum":
            if values.kind != "num" or values.num is None:
                raise Unsupported(f"sum of {column}")
            failing = keep & (values.missing | values.bad)
            zero = Num.const(0, 0, n_rows)
            total = _group_sum(nb.where(keep, values.num, zero), self.starts)
            total.bad |= bad | any_per_group(failing, self.starts)
            return number_col(total, np.zeros(len(kept), bool))
        raise Unsupported(f"{fn}() of a column")


def _equal_filter(have: Col, wanted: Col, n: int) -> tuple[Mask, Mask]:
    """Rows whose field equals the filter's value (``row.get(k) == v``; None equals nothing)."""
    if wanted.kind == "bool" and have.kind == "bool" and wanted.codes is not None and have.codes is not None:
        return ~have.missing & (have.codes == wanted.codes[0]), have.bad
    if wanted.kind == "text" and have.kind == "cat" and have.codes is not None:
        code = have.vocab.index(wanted.text) if wanted.text in have.vocab else -2
        return ~have.missing & (have.codes == code), have.bad
    raise Unsupported(f"filter on a {have.kind} field by a {wanted.kind} value")


# -- building ------------------------------------------------------------------------------


def _require_fused_policy(engine: Engine, relative: bool) -> None:
    """:class:`Unsupported` for periods, a blend, a reference, no fused sheet or distributions
    (``relative``: the distributions are graded by the caller, from what the plan computes)."""
    policy = engine.policy
    if engine.period_rules is not None or policy.blend or policy.reference or policy.fused is None:
        raise Unsupported("periods, a blend, or no fused sheet")
    if engine.source.data.get("distributions") and not relative:
        raise Unsupported("distributions")


def _require_plain_sheet(sheet: Any, header_plan: Any) -> None:
    """:class:`Unsupported` for fixed goals, conditional required fields, totals per category
    or a period column."""
    if (
        any(sheet.fixed.values())
        or sheet.required_when
        or (sheet.weight_total is not None and sheet.total_scope not in ("sheet", "category"))
    ):
        raise Unsupported("fixed goals, conditional required fields or totals of another scope")
    if header_plan.period is not None:
        raise Unsupported("a period column")


def _field_plans(
    header_plan: Any, rules: RecordRules, inputs: Mapping[str, Any], scales: Mapping[str, Any]
) -> tuple[tuple[FieldPlan, ...], tuple[FieldPlan, ...]]:
    """The employee and the indicator fields' plans, in column order; :class:`Unsupported` for a
    field at both levels."""
    employee = tuple(
        field_plan(name, col, rules.employee[name], (inputs.get("employee") or {}).get(name) or {}, scales)
        for col, name in header_plan.employee
    )
    indicator = tuple(
        field_plan(name, col, rules.indicator[name], (inputs.get("indicator") or {}).get(name) or {}, scales)
        for col, name, _, _ in header_plan.indicator
    )
    if {f.name for f in employee} & {f.name for f in indicator}:
        raise Unsupported("a field at both levels")
    return employee, indicator


def build_plan(
    engine: Engine,
    header_plan: Any,
    rules: RecordRules,
    parameters: Mapping[str, Any],
    *,
    relative: bool = False,
) -> Plan:
    """The plan of ``engine``'s policy for a file whose header gave ``header_plan`` (the
    per-record reader's column plan, :class:`engine.io.table.TableStream`'s ``plan``);
    ``relative``: a policy with distributions is planned too (the caller grades them)."""
    policy = engine.policy
    data = engine.source.data
    _require_fused_policy(engine, relative)
    review_each = _check_chains(engine)
    sheet = engine.sheet_rules
    _require_plain_sheet(sheet, header_plan)
    inputs = data.get("inputs") or {}
    scales = data.get("scales") or {}
    employee, indicator = _field_plans(header_plan, rules, inputs, scales)
    names_emp = {f.name for f in employee}
    plan = Plan(
        engine=engine,
        id_column=header_plan.id,
        employee=tuple(f for f in employee if f.name != "id"),
        indicator=indicator,
        line_steps=tuple(_step(s) for s in policy.indicator_steps),
        person_steps=tuple(_step(s) for s in policy.employee_steps),
        tables=tuple(_table(t) for t in policy.grade_tables),
        parameters=dict(parameters),
        sheet=sheet,
        name_column=next((col for col, name in header_plan.employee if name == "name"), None),
        review_each=review_each,
        rules=rules,
        calls=policy_calls(data),
        confirmations=confirmations_of(engine),
    )
    steps = (*plan.line_steps, *plan.person_steps)
    plan.extra["signless"] = signless((s.parsed for s in steps), plan.parameters, data.get("scales") or {})
    if review_each and engine.chain_rules is not None:
        plan.review = build_review(engine.chain_rules, plan.employee, rules.employee)
    plan.extra["blank_people"] = _blanks(rules.employee, names_emp, inputs.get("employee") or {}, scales)
    plan.extra["blank_lines"] = _blanks(
        rules.indicator, {f.name for f in indicator}, inputs.get("indicator") or {}, scales
    )
    return plan


def _blanks(
    rules: Any, have: set[str], decls: Mapping[str, Any], scales: Mapping[str, Any]
) -> dict[str, Any]:
    """For each declared field without a column: its default (or None) in every row."""
    out: dict[str, Any] = {}
    for name, rule in rules.items():
        if name in have or name == "id":
            continue
        plan = field_plan(name, -1, rule, decls.get(name) or {}, scales)
        out[name] = _blank_maker(plan)
    return out


def _blank_maker(plan: FieldPlan) -> Any:
    def make(n: int) -> Col:
        rule = plan.rule
        if not rule.has_default or rule.default is None:
            if rule.required:
                raise Unsupported(f"required field {plan.name} without a column")
            kind = plan.kind if plan.kind != "text" else "text"
            none = np.ones(n, bool)
            zeros = np.zeros(n, np.int64)
            num = (
                Num(zeros, np.ones(n, np.int64), np.zeros(n, bool), np.zeros(n, bool))
                if kind == "num"
                else None
            )
            return Col(
                kind, none, np.zeros(n, bool), num, zeros if kind in ("bool", "cat") else None, plan.vocab
            )
        if plan.kind == "cat":
            return Col(
                "cat",
                np.zeros(n, bool),
                np.zeros(n, bool),
                codes=np.full(n, plan.vocab.index(str(rule.default)), np.int64),
                vocab=plan.vocab,
            )
        return constant(rule.default, n)

    return make


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


def _step(step: Any) -> StepPlan:
    rounding = step.rounding
    return StepPlan(
        step.name,
        step.formula.parsed,
        rounding.places if rounding else None,
        rounding.mode if rounding else None,
    )


def _table(table: Any) -> TablePlan:
    grades: list[str] = []
    segments = []
    described: list[tuple[str, ...]] = []
    for segment in table.segments:
        bands = []
        for band in segment.bands:
            if band.grade not in grades:
                grades.append(band.grade)
            bands.append((band.grade, band.min, band.max, band.min_inclusive, band.max_inclusive))
        segments.append((segment.when.parsed if segment.when is not None else None, tuple(bands)))
        described.append(tuple(band.describe() for band in segment.bands))
    rounding = table.rounding
    return TablePlan(
        table.input,
        rounding.places if rounding else None,
        rounding.mode if rounding else None,
        tuple(segments),
        tuple(grades),
        {g: table.points.get(g) for g in grades},
        tuple(segment.name for segment in table.segments),
        tuple(described),
    )


def _check_chains(engine: Engine) -> bool:
    """Whether each clean employee's chain and record requirements must be reviewed one by one
    (with the per-record path's own review); False when there are none, or when, with no
    evaluation on record (a CSV file holds none), the review finds nothing for anyone.
    :class:`Unsupported` for chains that read formulas (confirmations, which need the sheet, are
    checked over the goal lines' columns: :mod:`.confirm`)."""
    rules = engine.chain_rules
    if rules is None:
        return False
    if engine.chains_read_formulas:
        raise Unsupported("evaluator chains reading formulas")
    # The review is run on a record without its goal lines: only requirements over the
    # employee's own fields (and formulas over those) are reviewed that way.
    employee = set(engine.policy.employee_blank) | {"id", "name"}
    for requirement in rules.requirements:
        fields = {
            *requirement.fields,
            *(p.field for p in requirement.parties),
            *(d.field for d in requirement.dates),
        }
        if not fields <= employee or not requirement.names <= employee:
            raise Unsupported(f"record requirement {requirement.id} reads more than the employee's fields")
    if rules.requirements or not rules.chains or any(c.when is not None for c in rules.chains):
        return True
    blank = EmployeeRecord("-", {}, (), {}, (), "-")
    reviewed = engine.review(blank, None)
    return reviewed is not None and bool(reviewed.problems)


def columns_of(values: Sequence[Num]) -> list[Num]:
    return list(values)
