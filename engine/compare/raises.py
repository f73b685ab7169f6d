"""The merit raise of each person of a compared scheme, where the mapping declares pay: the
pay zone of the salary, the rate the merit matrix gives, the amount rounded as the policy says."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine.compare.outcome import PersonOutcome, SchemeResult
from engine.errors import HRPolicyError
from engine.pay import merit_raise, zone_of
from engine.pay.formulas import PayFormulas


def person_raise(
    scheme: SchemeResult,
    policy: Mapping[str, Any],
    spec: Mapping[str, Any],
    parameters: Mapping[str, Any],
    person: PersonOutcome,
    fields: Mapping[str, Any],
    grade_of: Callable[[str], str | None],
    formulas: PayFormulas,
) -> PersonOutcome:
    """One person's merit raise under the mapping's ``pay`` (``spec``), or why there is none:
    ``fields`` are their mapped record's, ``grade_of(name)`` their grade from another grade
    table or distribution of the policy than the headline one; ``formulas`` the scheme's pay
    formulas, compiled once for every person (made per person, the compiling was a third of
    ``compare --population``'s time)."""
    record = dict(fields)
    for target, source in (spec.get("grades") or {}).items():
        grade = person.grade if source == scheme.grade_name else grade_of(source)
        if grade is not None:
            record[target] = grade
    return _raised(scheme, policy, spec, parameters, person, record, formulas)


def _raised(
    scheme: SchemeResult,
    policy: Mapping[str, Any],
    spec: Mapping[str, Any],
    parameters: Mapping[str, Any],
    person: PersonOutcome,
    record: dict[str, Any],
    formulas: PayFormulas,
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
        rate = merit_raise(policy, record, parameters, formulas)
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


def _with_pay(
    p: PersonOutcome,
    salary: Decimal | None,
    rate: Decimal | None,
    amount: Decimal | None,
    why: tuple[str, ...],
) -> PersonOutcome:
    return PersonOutcome(p.id, p.score, p.grade, p.reason, salary, rate, amount, why)
