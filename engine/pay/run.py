"""A whole ``pay`` run over a data file: every section the policy's ``pay`` declares (merit
raises with their zones, the incentive pool and its shares, promotion points); a problem with
one employee is a :class:`Diagnostic` about that employee and the others go on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.errors import DataError, Diagnostic, HRPolicyError, UsageError
from engine.formula import table_axes
from engine.io.datafile import where
from engine.loader import LoadedDocument
from engine.location import Path
from engine.pay.incentive import IncentiveResult, compute_incentive, individual_values
from engine.pay.merit import merit_raise, zone_of
from engine.pay.promotion import PromotionResult, promotion_points
from engine.pay.records import (
    TOP_KEYS,
    PayEmployee,
    PayRun,
    read_company,
    read_employees,
    read_parameters,
    read_promotion,
    read_zone_from,
)


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


def _zone_field(run: PayRun, zone_from: Mapping[str, Any] | None) -> str | None:
    """The field that holds the zone: ``zone_from.field``, else the merit table's axis whose keys
    are the zones of ``pay.ranges.zones``; ``None`` when neither names one.

    Raises :class:`DataError` when ``zone_from`` asks for zones but no field can hold them.
    """
    if zone_from is not None and zone_from.get("field"):
        return str(zone_from["field"])
    zones = [str(z) for z in (run.pay.get("ranges") or {}).get("zones") or []]
    table_name = str((run.pay.get("merit") or {}).get("table"))
    for name, keys in table_axes((run.policy.get("tables") or {}).get(table_name)):
        if zones and set(keys) == set(zones):
            return name
    if zone_from is None:
        return None  # the zone is no key of the merit table: the formula reads the fields as given
    raise DataError(
        f"{where(run.doc, ('zone_from',))}: no axis of table {table_name} (pay.merit.table) has the"
        f" zones of pay.ranges.zones ({', '.join(zones) or 'none declared'}) as its keys, so the"
        " zone found from the salary has no field to go in; name it with zone_from.field"
    )


def _computed_zone(run: PayRun, emp: PayEmployee, zone_from: Mapping[str, Any]) -> tuple[str | None, str]:
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
    run: PayRun, emp: PayEmployee, zone_from: Mapping[str, Any] | None, key: str | None
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


def _merit(run: PayRun, staff: Sequence[PayEmployee], params: Mapping[str, Any]) -> tuple[MeritLine, ...]:
    zone_from = read_zone_from(run)
    key = _zone_field(run, zone_from)
    lines = []
    for emp in staff:
        zone, why = _zone(run, emp, zone_from, key)
        if zone is None and zone_from is not None:
            lines.append(MeritLine(emp.id, None, why, None, ("no merit raise: no zone",)))
            continue
        values = {**emp.fields, key: zone} if key is not None and zone is not None else emp.fields
        try:
            result = merit_raise(run.policy, values, params)
        except UsageError:
            raise
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-merit", f"employee {emp.id}: {exc}")
            lines.append(MeritLine(emp.id, zone, why, None, ()))
            continue
        lines.append(MeritLine(emp.id, zone, why, result.value, result.explanation))
    return tuple(lines)


def _incentive(
    run: PayRun, staff: Sequence[PayEmployee], params: Mapping[str, Any]
) -> IncentiveResult | None:
    """Eligibility, pool and shares; ``None`` (with located problems) when a value cannot be computed."""
    company = read_company(run, params)
    ok = True
    for emp in staff:  # one by one, so that a failing formula names its employee
        try:
            individual_values(run.policy, company, [emp.fields])
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-incentive", f"employee {emp.id}: {exc}")
            ok = False
    if not ok:
        return None
    try:
        return compute_incentive(run.policy, company, [emp.fields for emp in staff])
    except HRPolicyError as exc:
        at: Path = ("company",) if "company" in run.doc.data else ()
        run.problem("incentive", at, "pay-incentive", str(exc))
        return None


def _promotion(run: PayRun, staff: Sequence[PayEmployee]) -> tuple[PromotionResult, ...]:
    found = []
    for emp in staff:
        person = read_promotion(run, emp)
        if person is None:
            continue
        try:
            found.append(promotion_points(run.policy, person))
        except HRPolicyError as exc:
            run.problem(emp.id, (*emp.path, "promotion", "history"), "pay-promotion", str(exc))
    return tuple(found)


def build_pay_report(
    policy_id: str, policy: Mapping[str, Any], doc: LoadedDocument, base_rate: str | None
) -> PayReport:
    """Every pay section the policy declares, over a loaded data file."""
    run = PayRun(policy, doc)
    run.unknown_keys("file", (), doc.data, TOP_KEYS, "the file")
    params = read_parameters(run, base_rate)
    staff = read_employees(run)
    merit = _merit(run, staff, params) if run.pay.get("merit") else ()
    incentive = _incentive(run, staff, params) if run.pay.get("incentive") else None
    promotion = _promotion(run, staff) if run.pay.get("promotion") else ()
    unit = Decimal(((run.pay.get("incentive") or {}).get("rounding") or {}).get("unit", 1))
    return PayReport(
        policy_id,
        doc.file,
        str(run.pay.get("currency", "")),
        params,
        tuple(emp.id for emp in staff),
        {emp.id: str(emp.raw.get("name", "")) for emp in staff},
        merit,
        incentive,
        unit,
        promotion,
        tuple(run.problems),
    )
