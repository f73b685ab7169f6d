"""Promotion points: appraisal grades of the years in grade, an education deduction, bonus points.

``pay.promotion`` names the points table (grade -> points), the education deduction (at most
``max_percent`` of the grade points, in proportion to the credits short of the requirement),
optional ``years`` (only the most recent years count), ``bonuses`` (formulas over the person's
fields) and ``round`` (else ``metadata.rounding``), applied once to the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.errors import DataError
from engine.pay.formulas import PayFormulas, as_env
from engine.pay.merit import employee_defaults
from engine.rounding import Rounding


@dataclass(frozen=True)
class PromotionInput:
    """A candidate: appraisal grade per year in grade (year -> grade), education credits, other fields."""

    id: str
    #: year -> grade, or year -> {performance: grade, competency: grade} (see ``performance_share``)
    history: Mapping[str, Any]
    credits: Decimal | None = None
    required_credits: Decimal | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PromotionResult:
    """Grade points, deduction, bonuses and the rounded total, with the explanation."""

    id: str
    grade_points: Decimal
    deduction_percent: Decimal
    deduction: Decimal
    bonuses: Mapping[str, Decimal]
    total: Decimal
    trace: tuple[str, ...]


def _table_points(policy: Mapping[str, Any], table_name: str) -> Mapping[str, Any]:
    table = (policy.get("tables") or {}).get(table_name)
    if table is None:
        raise DataError(
            f"pay.promotion.points_table names '{table_name}', which is not a table of the policy"
        )
    values: Mapping[str, Any] = table["values"]
    return values


def _grade_points(
    spec: Mapping[str, Any], formulas: PayFormulas, person: PromotionInput
) -> tuple[Decimal, str]:
    policy = formulas.policy
    table_name = str(spec["points_table"])
    points = _table_points(policy, table_name)
    years = sorted(person.history)
    if spec.get("years") is not None:
        years = years[-int(spec["years"]) :]
    share = _performance_share(spec, formulas, person)
    parts = []
    for year in years:
        entry = person.history[year]
        if isinstance(entry, Mapping):
            parts.append(_blended(person, year, entry, points, table_name, share))
            continue
        grade = str(entry)
        parts.append((year, grade, _points_of(person, year, grade, points, table_name)))
    total = sum((p for _, _, p in parts), Decimal(0))
    shown = " + ".join(f"{g} ({y}) {p}" for y, g, p in parts)
    return total, f"grade points = {shown} = {total}"


def _points_of(
    person: PromotionInput, year: str, grade: str, points: Mapping[str, Any], table: str
) -> Decimal:
    if grade not in points:
        raise DataError(f"{person.id}: grade '{grade}' of {year} is not a key of table {table}")
    return Decimal(points[grade])


def _performance_share(
    spec: Mapping[str, Any], formulas: PayFormulas, person: PromotionInput
) -> Decimal | None:
    """``performance_share``: the percent of a year's points from the performance grade (the rest
    from the competency grade), a formula over the candidate's fields; ``None`` when undeclared."""
    text = spec.get("performance_share")
    if text is None:
        return None
    env = as_env({**employee_defaults(formulas.policy), "id": person.id, **person.fields})
    return Decimal(formulas.formula(str(text), "employee", env)(env))


def _blended(
    person: PromotionInput,
    year: str,
    entry: Mapping[str, Any],
    points: Mapping[str, Any],
    table: str,
    share: Decimal | None,
) -> tuple[str, str, Decimal]:
    """A year with a performance and a competency grade: their points blended by ``share``."""
    if share is None:
        raise DataError(
            f"{person.id}: {year} gives two grades, but pay.promotion declares no performance_share"
        )
    if "performance" not in entry or "competency" not in entry:
        raise DataError(f"{person.id}: {year} needs a performance and a competency grade")
    perf, comp = str(entry["performance"]), str(entry["competency"])
    p, c = _points_of(person, year, perf, points, table), _points_of(person, year, comp, points, table)
    value = (p * share + c * (100 - share)) / 100
    return year, f"{perf}/{comp} = ({p} x {share} + {c} x {100 - share}) / 100", value


def _deduction_percent(spec: Mapping[str, Any], person: PromotionInput) -> tuple[Decimal, str]:
    """``max_percent`` x the share of required credits not earned (0 when the requirement is met)."""
    rule = spec.get("education_deduction")
    if not rule or person.required_credits is None or person.required_credits <= 0:
        return Decimal(0), "education deduction: none (no credit requirement)"
    earned = person.credits or Decimal(0)
    short = max(person.required_credits - earned, Decimal(0))
    top = Decimal(rule["max_percent"])
    percent = top * short / person.required_credits
    # The shortfall is never below 0 (credits beyond the requirement earn nothing), and the
    # line shows that max so that it restates the arithmetic actually done.
    return percent, (
        f"education deduction = {top}% x max({person.required_credits} - {earned}, 0)"
        f" / {person.required_credits} = {percent}%"
    )


def _bonuses(
    spec: Mapping[str, Any], formulas: PayFormulas, person: PromotionInput
) -> tuple[dict[str, Decimal], list[str]]:
    env = as_env({**employee_defaults(formulas.policy), "id": person.id, **person.fields})
    found, lines = {}, []
    for name, bonus in (spec.get("bonuses") or {}).items():
        formula = formulas.formula(str(bonus["expr"]), "employee", env)
        raw = Decimal(formula(env))
        value = raw
        if bonus.get("max") is not None:
            value = min(value, Decimal(bonus["max"]))
        if bonus.get("min") is not None:
            value = max(value, Decimal(bonus["min"]))
        capped = f", limited to {value}" if value != raw else ""
        lines.append(f"bonus {name} = {formula.text} = {formula.explain(env)} = {raw}{capped}")
        found[str(name)] = value
    return found, lines


def promotion_points(
    policy: Mapping[str, Any], person: PromotionInput, formulas: PayFormulas | None = None
) -> PromotionResult:
    """The promotion points of ``person``; raises :class:`DataError` for a grade outside the table
    (``formulas``: the run's compiled formulas)."""
    spec = (policy.get("pay") or {})["promotion"]
    formulas = formulas or PayFormulas(policy)
    base, base_line = _grade_points(spec, formulas, person)
    percent, deduction_line = _deduction_percent(spec, person)
    deduction = base * percent / 100
    bonuses, bonus_lines = _bonuses(spec, formulas, person)
    raw = base - deduction + sum(bonuses.values(), Decimal(0))
    trace = [
        base_line,
        deduction_line,
        f"after deduction = {base} - {base} x {percent}% = {base - deduction}",
    ]
    trace.extend(bonus_lines)
    rounding = Rounding.from_policy(spec.get("round") or (policy.get("metadata") or {}).get("rounding"))
    total = rounding.apply(raw) if rounding else raw
    trace.append(f"total = {raw}" + (f" -> {total} ({rounding.describe()})" if rounding else ""))
    return PromotionResult(person.id, base, percent, deduction, bonuses, total, tuple(trace))
