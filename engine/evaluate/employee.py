"""Evaluate compiled policies over employee records: pure functions, exact Decimal results.

The fast path (``trace=False``) computes values and grades only; ``trace=True`` also records
every input, every formula with its values substituted, every rounding and the grade band that
matched, for ``hrpolicy explain`` and audits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.compile import CompiledPolicy, FastGrade, FastStep, Step
from engine.errors import HRPolicyError
from engine.formula import Column, FormulaRuntimeError, fast_or_checked
from engine.gcpause import paused_gc
from engine.grading import GradeOutcome, GradeTable
from engine.io.records import EmployeeRecord, IndicatorRecord


@dataclass(frozen=True)
class TraceLine:
    """One line of an explanation: what was computed and how."""

    kind: str  # input | formula | round | blend | grade
    subject: str
    text: str


@dataclass(frozen=True)
class EmployeeResult:
    id: str
    name: str | None
    values: Mapping[str, Any]
    grades: Mapping[str, GradeOutcome]
    indicators: tuple[Mapping[str, Any], ...]
    trace: tuple[TraceLine, ...] = ()
    #: On the traced path: (formula, condition, branch taken) of every conditional reached.
    branches: tuple[tuple[str, str, bool], ...] = ()


@dataclass(frozen=True)
class EvaluationFailure:
    """An employee whose evaluation failed (e.g. division by zero); others are unaffected."""

    employee_id: str
    rule: str
    message: str
    origin: str


class IndicatorError(FormulaRuntimeError):
    """A formula failed on one goal line: ``indicator`` is its 1-based number within its sheet,
    ``origin`` where the line was read (``data.csv:row 7``, ``data.yaml:12:9``)."""

    def __init__(self, failure: FormulaRuntimeError, indicator: int, origin: str, prefix: str = "") -> None:
        super().__init__(f"{prefix}{failure}", failure.text, failure.name)
        self.indicator = indicator
        self.origin = origin


def _named(name: str, failure: FormulaRuntimeError) -> FormulaRuntimeError:
    """The failure with the name of the formula (the policy's step) in front."""
    return FormulaRuntimeError(f"{name}: {failure}", failure.text, failure.name)


@dataclass
class Tracer:
    lines: list[TraceLine] = field(default_factory=list)
    branches: list[tuple[str, str, bool]] = field(default_factory=list)

    def add(self, kind: str, subject: str, text: str) -> None:
        self.lines.append(TraceLine(kind, subject, text))


def _run_fast(steps: tuple[FastStep, ...], env: dict[str, Any]) -> None:
    """Evaluate ``steps`` into ``env`` with no trace: the per-employee hot path."""
    for name, fn, formula, quantum, mode, negative in steps:
        try:
            value = fast_or_checked(fn, formula, env)  # the precise FormulaRuntimeError if both fail
        except FormulaRuntimeError as exc:
            raise _named(name, exc) from None
        if type(value) is int:
            value = Decimal(value)
        if quantum is not None and type(value) is Decimal:
            try:
                value = value.quantize(quantum, rounding=mode)
            except ArithmeticError:  # too many digits for the declared places: say so plainly
                places = -int(quantum.as_tuple().exponent)
                message = f"{name}: {value} is too large to round to {places} decimal places"
                raise FormulaRuntimeError(message) from None
            if negative:
                value = value.quantize(_ONE)
        env[name] = value


_ONE = Decimal(1)


def _run_traced(steps: Sequence[Step], env: dict[str, Any], tracer: Tracer, subject: str) -> None:
    """Evaluate ``steps`` into ``env``, recording each formula with its values and each rounding."""
    for step in steps:
        try:
            value = step.formula(env)
        except FormulaRuntimeError as exc:
            raise _named(step.name, exc) from None
        shown = step.formula.explain(env)
        tracer.add("formula", subject, f"{step.name} = {step.formula.text} = {shown} = {value}")
        tracer.branches.extend((step.name, test, taken) for test, taken in step.formula.branches(env))
        if step.rounding is not None and isinstance(value, Decimal):
            rounded = step.rounding.apply(value)
            tracer.add("round", subject, f"{step.name}: {value} -> {rounded} ({step.rounding.describe()})")
            value = rounded
        env[step.name] = value


def _indicator_subject(index: int, record: IndicatorRecord) -> str:
    title = record.fields.get("title") or record.fields.get("name")
    return f"indicator {index + 1}" + (f" ({title})" if title else "")


def _evaluate_sheet(
    policy: CompiledPolicy,
    base: Mapping[str, Any],
    indicators: Sequence[IndicatorRecord],
    tracer: Tracer | None,
) -> tuple[dict[str, Any], tuple[dict[str, Any], ...]]:
    """One goal sheet: the employee environment after every formula, and each line's values."""
    if tracer is None and policy.fused is not None:
        return fast_or_checked(_sheet_fused, _sheet_checked, policy, base, indicators, None)
    return _sheet_checked(policy, base, indicators, tracer)


def _sheet_fused(
    policy: CompiledPolicy, base: Mapping[str, Any], indicators: Sequence[IndicatorRecord], tracer: None
) -> tuple[dict[str, Any], tuple[dict[str, Any], ...]]:
    """:func:`_evaluate_sheet` by the policy's one generated function (no trace)."""
    assert policy.fused is not None
    values, lines = policy.fused(base, indicators)
    env = dict(base)
    env.update(zip(policy.employee_names, values, strict=True))
    return env, tuple(lines)


def _sheet_checked(
    policy: CompiledPolicy,
    base: Mapping[str, Any],
    indicators: Sequence[IndicatorRecord],
    tracer: Tracer | None,
) -> tuple[dict[str, Any], tuple[dict[str, Any], ...]]:
    """:func:`_evaluate_sheet` one checked formula at a time (with a trace if asked)."""
    env, rows = _evaluate_steps(policy, base, indicators, tracer)
    return env, tuple({s.name: row[s.name] for s in policy.indicator_steps} for row in rows)


def _evaluate_steps(
    policy: CompiledPolicy,
    base: Mapping[str, Any],
    indicators: Sequence[IndicatorRecord],
    tracer: Tracer | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every indicator formula per line, then the employee formulas, one formula at a time."""
    start = {**base, **policy.indicator_blank}
    rows: list[dict[str, Any]] = []
    line_steps, person_steps = policy.fast
    for index, indicator in enumerate(indicators):
        env = start.copy()
        env.update(indicator.fields)
        try:
            if tracer is None:
                _run_fast(line_steps, env)
            else:
                subject = _indicator_subject(index, indicator)
                shown = ", ".join(f"{k}={env[k]}" for k in indicator.fields)
                tracer.add("input", subject, f"{shown} (from {indicator.origin})")
                _run_traced(policy.indicator_steps, env, tracer, subject)
        except FormulaRuntimeError as exc:
            raise IndicatorError(exc, index + 1, indicator.origin) from None
        rows.append(env)
    employee_env = dict(base)
    for name in policy.columns:
        employee_env[name] = Column([row[name] for row in rows], rows)
    if tracer is None:
        _run_fast(person_steps, employee_env)
    else:
        _run_traced(policy.employee_steps, employee_env, tracer, "employee")
    return employee_env, rows


def _blend(
    policy: CompiledPolicy, per_period: Mapping[str, Mapping[str, Any]], tracer: Tracer | None
) -> Decimal:
    name = policy.blend or ""
    total = sum((policy.period_weights[p] * Decimal(per_period[p][name]) for p in per_period), Decimal(0))
    value = total / Decimal(100)
    if tracer is not None:
        parts = " + ".join(f"{policy.period_weights[p]}% x {per_period[p][name]}" for p in per_period)
        tracer.add("blend", "employee", f"{name} = {parts} = {value}")
    if policy.blend_rounding is not None:
        rounded = policy.blend_rounding.apply(value)
        if tracer is not None:
            how = policy.blend_rounding.describe()
            tracer.add("round", "employee", f"{name}: {value} -> {rounded} ({how})")
        value = rounded
    return value


def _evaluate_fused(
    policy: CompiledPolicy, record: EmployeeRecord, parameters: Mapping[str, Any], trace: bool
) -> EmployeeResult:
    """The no-trace path of one goal sheet: one generated function, then the grade tables.

    Any error is raw: :func:`fast_or_checked` then takes the checked path for the precise one.
    """
    assert policy.fused is not None
    env = {**parameters, **policy.employee_blank, **record.fields, "id": record.id}
    results, lines = policy.fused(env, record.indicators)
    values = dict(zip(policy.employee_names, results, strict=True))
    env.update(values)
    grades = {}
    for table, fast in zip(policy.grade_tables, policy.fast_grades, strict=True):
        outcome = grade_fast(table, fast, env)
        grades[table.name] = outcome
        env[table.name] = outcome.grade
    return EmployeeResult(record.id, record.fields.get("name"), values, grades, tuple(lines))


def grade_fast(table: GradeTable, fast: FastGrade, env: Mapping[str, Any]) -> GradeOutcome:
    """What ``table.grade(Decimal(env[table.input]), env)`` gives, from precomputed parts."""
    value = Decimal(env[table.input])
    segment, rounded, found = _match(fast, env, value)
    if segment is None:
        return GradeOutcome(table.name, value, rounded, "", None, None)
    if found is None:
        return GradeOutcome(table.name, value, rounded, segment.name, None, None)
    return GradeOutcome(table.name, value, rounded, segment.name, found[0], found[5])


def _match(fast: FastGrade, env: Mapping[str, Any], value: Decimal) -> tuple[Any, Decimal, Any]:
    """(segment or None, rounded value, the matching band's FastGrade entry or None)."""
    segment = next((s for s, when in fast.segments if when is None or when(env)), None)
    rounded = value
    if fast.quantum is not None:
        rounded = value.quantize(fast.quantum, fast.mode)
        if fast.negative:
            rounded = rounded.quantize(_ONE)
    if segment is None:
        return None, rounded, None
    return segment, rounded, _band_entry(fast.bands[segment.name], rounded)


def _band_entry(entries: Sequence[Any], rounded: Decimal) -> Any:
    """The first band (a FastGrade entry) that holds ``rounded``, or None."""
    for entry in entries:
        _, low, high, low_in, high_in, _ = entry
        # Band.contains, inline: this runs once per band per employee.
        if low is not None and (rounded < low or (rounded == low and not low_in)):
            continue
        if high is not None and (rounded > high or (rounded == high and not high_in)):
            continue
        return entry
    return None


#: Each grade table's (grade or None, points or None), in table order.
FlatGrades = tuple[tuple[str | None, Decimal | None], ...]
#: What :func:`evaluate_flat` gives: the employee formulas' values, and the grades.
FlatValues = tuple[tuple[Any, ...], FlatGrades]


def evaluate_flat(
    policy: CompiledPolicy, record: EmployeeRecord, parameters: Mapping[str, Any]
) -> FlatValues | None:
    """The employee formulas' values (in :attr:`CompiledPolicy.employee_names` order) and each
    grade table's grade and points, without building an :class:`EmployeeResult`.

    For renderers that only need those (the CSV rows): the same numbers as
    :func:`evaluate_employee`, a third of its cost saved. None when the fused path does not
    apply or fails (a policy with a period blend, a formula error): use
    :func:`evaluate_employee` then, which gives the value or the precise error.
    """
    flat = policy.flat
    if flat is None or policy.blend:
        return None
    # fast_or_checked's rule written out: this runs once per employee, and a frame less there
    # is 5 % of the per-record path
    try:
        return flat(parameters, record.fields, record.id, record.indicators)
    except Exception:  # any raw error of generated code: the caller's checked path says what
        return None


def evaluate_employee(
    policy: CompiledPolicy,
    record: EmployeeRecord,
    parameters: Mapping[str, Any],
    *,
    trace: bool = False,
) -> EmployeeResult:
    """Scores and grades of one employee. Raises FormulaRuntimeError on a failing formula.

    Without ``trace`` the fused path runs first; the results are the same either way.
    """
    if not trace and policy.fused is not None and not (record.periods and policy.blend):
        return fast_or_checked(_evaluate_fused, _evaluate_checked, policy, record, parameters, False)
    return _evaluate_checked(policy, record, parameters, trace)


def _evaluate_checked(
    policy: CompiledPolicy, record: EmployeeRecord, parameters: Mapping[str, Any], trace: bool
) -> EmployeeResult:
    """One formula at a time, each checked (and traced with ``trace``)."""
    tracer = Tracer() if trace else None
    base = {**parameters, **policy.employee_blank, **record.fields, "id": record.id}
    if tracer is not None:
        shown = ", ".join(f"{k}={v}" for k, v in record.fields.items())
        tracer.add("input", "employee", f"{shown} (from {record.origin})")
    if record.periods and policy.blend:
        env, lines = _evaluate_periods(policy, base, record, tracer)
    else:
        env, lines = _evaluate_sheet(policy, base, record.indicators, tracer)
    grades = _grade(policy, env, tracer)
    values = {name: env[name] for name in policy.employee_names if name in env}
    if policy.blend:
        values[policy.blend] = env[policy.blend]
    return EmployeeResult(
        id=record.id,
        name=record.fields.get("name"),
        values=values,
        grades=grades,
        indicators=lines,
        trace=tuple(tracer.lines) if tracer is not None else (),
        branches=tuple(tracer.branches) if tracer is not None else (),
    )


def _evaluate_periods(
    policy: CompiledPolicy, base: Mapping[str, Any], record: EmployeeRecord, tracer: Tracer | None
) -> tuple[dict[str, Any], tuple[dict[str, Any], ...]]:
    """Each period's sheet, then the blend of the periods' values (the last period's lines)."""
    assert policy.blend
    per_period: dict[str, dict[str, Any]] = {}
    lines: tuple[dict[str, Any], ...] = ()
    for period, indicators in record.periods.items():
        sub = Tracer() if tracer is not None else None
        try:
            per_period[period], lines = _evaluate_sheet(policy, base, indicators, sub)
        except IndicatorError as exc:
            raise IndicatorError(exc, exc.indicator, exc.origin, f"{period}: ") from None
        if tracer is not None and sub is not None:
            tracer.lines.extend(TraceLine(t.kind, f"{period}: {t.subject}", t.text) for t in sub.lines)
            tracer.branches.extend(sub.branches)
    env = dict(per_period[list(per_period)[-1]])
    env[policy.blend] = _blend(policy, per_period, tracer)
    return env, lines


def _grade(policy: CompiledPolicy, env: dict[str, Any], tracer: Tracer | None) -> dict[str, GradeOutcome]:
    """Every grade table in order (a later table may read an earlier grade from ``env``)."""
    grades = {}
    for table in policy.grade_tables:
        outcome = table.grade(Decimal(env[table.input]), env)
        grades[table.name] = outcome
        env[table.name] = outcome.grade
        if tracer is not None:
            tracer.add("grade", table.name, describe_grade(outcome))
    return grades


def describe_grade(outcome: GradeOutcome) -> str:
    """Why a grade: the value, its rounding, the segment and the band that matched."""
    text = f"{outcome.table}: value {outcome.value}"
    if outcome.rounded != outcome.value:
        text += f", rounded to {outcome.rounded}"
    text += f", segment '{outcome.segment}'"
    if outcome.band is None:
        return text + ": no band matches"
    text += f": band {outcome.band.grade} ({outcome.band.describe()}) matches"
    if outcome.points is not None:
        text += f", {outcome.points} points"
    return text


@dataclass
class Evaluation:
    """Results of a run: every employee that could be evaluated, and who failed and why."""

    results: list[EmployeeResult]
    failures: list[EvaluationFailure]


def evaluate_all(
    policy: CompiledPolicy,
    records: Iterable[EmployeeRecord],
    parameters: Mapping[str, Any],
    *,
    trace: bool = False,
) -> Evaluation:
    """Evaluate every record; a failure of one employee never stops the others."""
    results: list[EmployeeResult] = []
    failures: list[EvaluationFailure] = []
    with paused_gc():
        for record in records:
            try:
                results.append(evaluate_employee(policy, record, parameters, trace=trace))
            except (FormulaRuntimeError, HRPolicyError) as exc:
                failures.append(EvaluationFailure(record.id, "evaluation-error", str(exc), record.origin))
    return Evaluation(results, failures)
