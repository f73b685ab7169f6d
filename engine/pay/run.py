"""A whole ``pay`` run over a data file: every section the policy's ``pay`` declares (merit
raises with their zones, the incentive pool and its shares, promotion points); a problem with
one employee is a :class:`Diagnostic` about that employee and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from engine.errors import DataError, Diagnostic, HRPolicyError, UsageError
from engine.formula import table_axes
from engine.location import Path
from engine.pay.bonus import BonusLine, bonus_amount
from engine.pay.formulas import PayFormulas
from engine.pay.grade_change import GradeChange, grade_change
from engine.pay.incentive import IncentiveResult, compute_incentive, individual_values
from engine.pay.merit import merit_raise, run_parameters, zone_of
from engine.pay.mix import MixResult, mix_targets
from engine.pay.promotion import PromotionInput, PromotionResult, promotion_points


class PayEmployee(Protocol):
    """One employee of the data file, as the computations read it."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> Path: ...
    @property
    def fields(self) -> dict[str, Any]: ...
    @property
    def bad(self) -> bool: ...


E = TypeVar("E", bound=PayEmployee)


class PayData(Protocol[E]):
    """The data file of a ``pay`` run, read a section at a time when a computation needs it
    (:class:`engine.io.payfile.PayFile`), and where every problem is collected, in order."""

    @property
    def policy(self) -> Mapping[str, Any]: ...
    @property
    def pay(self) -> Mapping[str, Any]: ...
    @property
    def file(self) -> str: ...
    @property
    def problems(self) -> list[Diagnostic]: ...

    def problem(
        self, subject: str, path: Path, rule: str, message: str, suggestion: str | None = None
    ) -> None: ...
    def where(self, path: Path) -> str: ...
    def has(self, key: str) -> bool: ...
    def parameters(
        self, base_rate: str | None, complete: Callable[[Mapping[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]: ...
    def employees(self) -> Sequence[E]: ...
    def zone_from(self) -> Mapping[str, Any] | None: ...
    def company(self, params: Mapping[str, Any]) -> dict[str, Any]: ...
    def promotion(self, emp: E) -> tuple[dict[str, Any], Decimal | None, Decimal | None] | None: ...


@dataclass(frozen=True)
class MeritLine:
    """One employee's merit raise (``None`` when a problem stopped it) and how it was found."""

    employee: str
    zone: str | None
    zone_explanation: str
    value: Decimal | None
    explanation: tuple[str, ...] = ()


@dataclass(frozen=True)
class PayReport:
    """A whole ``pay`` run; sections the policy does not declare are empty (``incentive`` None)."""

    policy: str
    data: str
    currency: str
    parameters: Mapping[str, Any]
    employees: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict)
    merit: tuple[MeritLine, ...] = ()
    incentive: IncentiveResult | None = None
    incentive_unit: Decimal = Decimal(1)
    promotion: tuple[PromotionResult, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    mix: MixResult | None = None
    grade_changes: tuple[GradeChange, ...] = ()
    bonus: tuple[BonusLine, ...] = ()


def _zone_field(run: PayData[E], zone_from: Mapping[str, Any] | None) -> str | None:
    """The field that holds the zone: ``zone_from.field``, else the merit table's axis whose keys
    are the zones of ``pay.ranges.zones``; ``None`` when neither names one.

    Raises :class:`DataError` when ``zone_from`` asks for zones but no field can hold them.
    """
    if zone_from is not None and zone_from.get("field"):
        return str(zone_from["field"])
    zones = [str(z) for z in (run.pay.get("ranges") or {}).get("zones") or []]
    table_name = str((run.pay.get("merit") or {}).get("table"))
    axis = _zone_axis(run.policy, table_name, zones)
    if axis is not None or zone_from is None:
        return axis  # None: the zone is no key of the merit table; the formula reads the fields as given
    raise DataError(
        f"{run.where(('zone_from',))}: no axis of table {table_name} (pay.merit.table) has the"
        f" zones of pay.ranges.zones ({', '.join(zones) or 'none declared'}) as its keys, so the"
        " zone found from the salary has no field to go in; name it with zone_from.field"
    )


def _zone_axis(policy: Mapping[str, Any], table_name: str, zones: Sequence[str]) -> str | None:
    """The axis of the merit table whose keys are the declared zones, or None."""
    if not zones:
        return None
    for name, keys in table_axes((policy.get("tables") or {}).get(table_name)):
        if set(keys) == set(zones):
            return name
    return None


def _computed_zone(run: PayData[E], emp: E, zone_from: Mapping[str, Any]) -> tuple[str | None, str]:
    grade_key, salary_key = str(zone_from.get("grade")), str(zone_from.get("salary"))
    grade, salary = emp.fields.get(grade_key), emp.fields.get(salary_key)
    if grade is None or isinstance(salary, bool) or not isinstance(salary, int | Decimal):
        run.problem(
            emp.id,
            emp.path,
            "pay-zone-input",
            f"employee {emp.id}: the zone needs '{grade_key}' and a numeric '{salary_key}'",
        )
        return None, ""
    try:
        zone = zone_of(run.policy, str(grade), Decimal(salary))
    except DataError as exc:
        run.problem(emp.id, (*emp.path, grade_key), "pay-zone-input", f"employee {emp.id}: {exc}")
        return None, ""
    if zone.zone is None:
        run.problem(
            emp.id,
            (*emp.path, salary_key),
            "pay-zone-outside-range",
            f"employee {emp.id}: {zone.explanation}",
        )
    return zone.zone, f"zone from {salary_key} in grade {grade}: {zone.explanation}"


def _zone(
    run: PayData[E], emp: E, zone_from: Mapping[str, Any] | None, key: str | None
) -> tuple[str | None, str]:
    if key is None:
        return None, ""
    given = emp.fields.get(key)
    if zone_from is None:
        return (str(given), f"zone {given} (given)") if given is not None else (None, "")
    computed, why = _computed_zone(run, emp, zone_from)
    if given is not None and computed is not None and str(given) != computed:
        run.problem(
            emp.id,
            (*emp.path, key),
            "pay-zone-mismatch",
            f"employee {emp.id}: {key} {given} is given, but the salary puts the employee in zone {computed}",
        )
    return (str(given), f"zone {given} (given); {why}") if given is not None else (computed, why)


def _merit(
    run: PayData[E], staff: Sequence[E], params: Mapping[str, Any], formulas: PayFormulas
) -> tuple[MeritLine, ...]:
    zone_from = run.zone_from()
    key = _zone_field(run, zone_from)
    lines = []
    for emp in staff:
        zone, why = _zone(run, emp, zone_from, key)
        if zone is None and zone_from is not None:
            lines.append(MeritLine(emp.id, None, why, None, ("no merit raise: no zone",)))
            continue
        values = {**emp.fields, key: zone} if key is not None and zone is not None else emp.fields
        try:
            result = merit_raise(run.policy, values, params, formulas)
        except UsageError:
            raise
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-merit", f"employee {emp.id}: {exc}")
            lines.append(MeritLine(emp.id, zone, why, None, ()))
            continue
        lines.append(MeritLine(emp.id, zone, why, result.value, result.explanation))
    return tuple(lines)


def _incentive(
    run: PayData[E], staff: Sequence[E], params: Mapping[str, Any], formulas: PayFormulas
) -> IncentiveResult | None:
    """Eligibility, pool and shares; ``None`` (with located problems) when a value cannot be computed."""
    company = run.company(params)
    ok = True
    for emp in staff:  # one by one, so that a failing formula names its employee
        try:
            individual_values(run.policy, company, [emp.fields], formulas)
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-incentive", f"employee {emp.id}: {exc}")
            ok = False
    if not ok:
        return None
    try:
        return compute_incentive(run.policy, company, [emp.fields for emp in staff], formulas)
    except HRPolicyError as exc:
        at: Path = ("company",) if run.has("company") else ()
        run.problem("incentive", at, "pay-incentive", str(exc))
        return None


def _promotion(run: PayData[E], staff: Sequence[E], formulas: PayFormulas) -> tuple[PromotionResult, ...]:
    found = []
    for emp in staff:
        record = run.promotion(emp)
        if record is None:
            continue
        person = PromotionInput(emp.id, *record, emp.fields)
        try:
            found.append(promotion_points(run.policy, person, formulas))
        except HRPolicyError as exc:
            run.problem(emp.id, (*emp.path, "promotion", "history"), "pay-promotion", str(exc))
    return tuple(found)


def _mix(run: PayData[E], staff: Sequence[E]) -> MixResult | None:
    """Each employee's pay-mix target; an employee without the field is a located problem."""
    fine = []
    for emp in staff:
        try:
            mix_targets(run.policy, [emp.fields])
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-mix", str(exc))
            continue
        fine.append(emp.fields)
    return mix_targets(run.policy, fine)


def _grade_changes(run: PayData[E], staff: Sequence[E], formulas: PayFormulas) -> tuple[GradeChange, ...]:
    """Each employee's grade change; its problems located at the employee (``pay-grade-change``)."""
    found = []
    for emp in staff:
        try:
            change = grade_change(run.policy, emp.fields, formulas)
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-grade-change", str(exc))
            continue
        if change is None:
            continue
        found.append(change)
        for text in change.problems:
            run.problem(emp.id, emp.path, "pay-grade-change", f"employee {emp.id}: {text}")
    return tuple(found)


def _bonus(
    run: PayData[E],
    staff: Sequence[E],
    params: Mapping[str, Any],
    evaluated: Mapping[str, Mapping[str, Any] | str] | None,
    formulas: PayFormulas,
) -> tuple[BonusLine, ...]:
    """Each employee's bonus; with ``evaluated`` (employee id -> the evaluation's values, or why
    the employee has none), those values join the employee's fields, and a field the pay file
    gives differently is a problem (``pay-bonus``)."""
    lines = []
    for emp in staff:
        values = dict(emp.fields)
        if evaluated is not None:
            found = evaluated.get(emp.id, "the records have no employee by this id")
            if isinstance(found, str):
                run.problem(emp.id, emp.path, "pay-bonus", f"employee {emp.id}: no evaluated result: {found}")
                lines.append(BonusLine(emp.id, None))
                continue
            clash = sorted(k for k, v in found.items() if values.get(k) is not None and values[k] != v)
            if clash:
                shown = ", ".join(f"{k} {values[k]} (evaluated: {found[k]})" for k in clash)
                run.problem(emp.id, emp.path, "pay-bonus", f"employee {emp.id}: the pay file gives {shown}")
                lines.append(BonusLine(emp.id, None))
                continue
            values.update(found)
        try:
            lines.append(bonus_amount(run.policy, values, params, formulas))
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-bonus", str(exc))
            lines.append(BonusLine(emp.id, None))
    return tuple(lines)


def build_pay_report(
    policy_id: str,
    run: PayData[E],
    base_rate: str | None,
    overrides: Mapping[str, Any] | None = None,
    evaluated: Mapping[str, Mapping[str, Any] | str] | None = None,
) -> PayReport:
    """Every pay section the policy declares, over a data file being read; ``overrides`` (the
    ``--param`` values, converted) win over the file's parameters; ``evaluated`` (employee id ->
    the values of the evaluated goal sheet, or why there are none) feeds the bonus."""
    given = dict(overrides or {})

    def complete(found: Mapping[str, Any]) -> dict[str, Any]:
        return {**run_parameters(run.policy, found), **given}

    params = run.parameters(base_rate, complete)
    staff = run.employees()
    fit = [emp for emp in staff if not emp.bad]  # a bad value is its employee's problem only
    formulas = PayFormulas(run.policy)  # each formula compiled once for the whole run
    merit = _merit(run, fit, params, formulas) if run.pay.get("merit") else ()
    incentive = _incentive(run, fit, params, formulas) if run.pay.get("incentive") else None
    promotion = _promotion(run, fit, formulas) if run.pay.get("promotion") else ()
    mix = _mix(run, fit) if run.pay.get("mix_target") else None
    changes = _grade_changes(run, fit, formulas) if run.pay.get("grade_change") else ()
    bonus = _bonus(run, fit, params, evaluated, formulas) if run.pay.get("bonus") else ()
    unit = Decimal(((run.pay.get("incentive") or {}).get("rounding") or {}).get("unit", 1))
    return PayReport(
        policy_id,
        run.file,
        str(run.pay.get("currency", "")),
        params,
        tuple(emp.id for emp in staff),
        {emp.id: emp.name for emp in staff},
        merit,
        incentive,
        unit,
        promotion,
        tuple(run.problems),
        mix,
        changes,
        bonus,
    )
