"""The merit raise of each person of a compared scheme, where the mapping declares pay: the
pay zone of the salary, the rate the merit matrix gives, the amount rounded as the policy says."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.compare.outcome import PersonOutcome, SchemeResult
from engine.errors import HRPolicyError
from engine.pay import merit_raise, zone_of


def add_raises(
    scheme: SchemeResult,
    policy: Mapping[str, Any],
    spec: Mapping[str, Any],
    parameters: Mapping[str, Any],
    fields: Mapping[str, Mapping[str, Any]],
) -> None:
    """Each person's merit raise under the mapping's ``pay`` (``spec``), or why there is none."""
    for pid, person in list(scheme.people.items()):
        record = dict(fields.get(pid) or {})
        for target, source in (spec.get("grades") or {}).items():
            grade = person.grade if source == scheme.grade_name else _other_grade(scheme, pid, source)
            if grade is not None:
                record[target] = grade
        scheme.people[pid] = _raised(scheme, policy, spec, parameters, person, record)


def _raised(
    scheme: SchemeResult,
    policy: Mapping[str, Any],
    spec: Mapping[str, Any],
    parameters: Mapping[str, Any],
    person: PersonOutcome,
    record: dict[str, Any],
) -> PersonOutcome:
    """The person with the raise their salary's pay zone and the merit matrix give."""
    raw = record.get(spec["salary"])
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        return _with_pay(person, None, None, None, (f"no raise: no numeric salary in {spec['salary']}",))
    salary = Decimal(raw)
    try:
        zone = zone_of(policy, str(record.get(spec["grade"])), salary)
        if zone.zone is None:
            raise HRPolicyError(zone.explanation)
        if spec.get("zone_field"):
            record[spec["zone_field"]] = zone.zone
        rate = merit_raise(policy, record, parameters)
    except (HRPolicyError, TypeError, ArithmeticError) as exc:
        return _with_pay(person, None, None, None, (f"no raise: {exc}",))
    amount = salary * rate.value / 100
    if scheme.rounding is not None:
        amount = scheme.rounding.apply(amount)
    why = (
        zone.explanation,
        *rate.explanation,
        f"raise amount = {salary} x {rate.value} / 100 = {amount}",
    )
    return _with_pay(person, salary, rate.value, amount, why)


def _other_grade(scheme: SchemeResult, pid: str, source: str) -> str | None:
    if source in scheme.outcome.relative:
        grade = scheme.outcome.relative[source].grade_of(pid)
        return None if grade is None else str(grade)
    result = next((r for r in scheme.outcome.results if r.id == pid), None)
    graded = result.grades.get(source) if result else None
    return graded.grade if graded else None


def _with_pay(
    p: PersonOutcome,
    salary: Decimal | None,
    rate: Decimal | None,
    amount: Decimal | None,
    why: tuple[str, ...],
) -> PersonOutcome:
    return PersonOutcome(p.id, p.score, p.grade, p.reason, salary, rate, amount, why)
