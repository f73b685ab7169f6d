"""Evaluation periods: every declared period needs a goal sheet, unless the policy says otherwise.

A policy with ``periods`` blends one score per period (kepco_like: the July mid-term check 10 %,
the final evaluation 90 %). An employee whose record lacks a period's sheet would otherwise get the
missing share counted as zero. So a missing (or undeclared) period is a per-employee problem,
unless the period declares ``missing`` rules: the first whose ``when`` holds for the employee says
which period's sheet stands in (``use_period``); its condition may read the employee's fields and
``period_from``/``period_to``, the period's own dates (``dates``, ``MM-DD`` within the effective
period or ``YYYY-MM-DD``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from engine.compile import label_text
from engine.errors import Problem
from engine.formula import CompiledFormula, FormulaRuntimeError, compile_formula, formula_scope
from engine.io.fields import cycle_date, did_you_mean
from engine.io.records import EmployeeRecord, IndicatorRecord


@dataclass(frozen=True)
class MissingRule:
    """What happens to an employee without a sheet for the period, when ``when`` holds."""

    when: CompiledFormula | None
    use_period: str


@dataclass(frozen=True)
class Period:
    id: str
    label: str
    dates: tuple[date, date] | None
    missing: tuple[MissingRule, ...]


@dataclass(frozen=True)
class PeriodRules:
    """The declared periods in order, each with its dates and its rules for a missing sheet."""

    periods: tuple[Period, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.periods)


def compile_periods(data: Mapping[str, Any]) -> PeriodRules | None:
    """The policy's ``periods`` (None when it blends no periods). The policy is validated: its
    conditions compile and its dates parse."""
    spec = data.get("periods")
    if not isinstance(spec, Mapping) or not spec.get("blend"):
        return None
    start = _start(data)
    scope = formula_scope(data, "period_condition")
    found = []
    for name, body in spec.items():
        if not isinstance(body, Mapping) or str(name).startswith("x-"):
            continue
        rules = tuple(
            MissingRule(_when(r, scope), str(r["use_period"])) for r in (body.get("missing") or ())
        )
        found.append(Period(str(name), label_text(body.get("label"), str(name)), _dates(body, start), rules))
    return PeriodRules(tuple(found))


def _when(rule: Mapping[str, Any], scope: Any) -> CompiledFormula | None:
    return compile_formula(str(rule["when"]), scope) if rule.get("when") else None


def _start(data: Mapping[str, Any]) -> date:
    effective = (data.get("metadata") or {}).get("effective") or {}
    return cycle_date(effective.get("from"), date.min)


def _dates(body: Mapping[str, Any], start: date) -> tuple[date, date] | None:
    dates = body.get("dates")
    if not isinstance(dates, Mapping):
        return None
    first = cycle_date(dates["from"], start)
    return first, cycle_date(dates["to"], first)


def complete(
    rules: PeriodRules, record: EmployeeRecord, env: Mapping[str, Any]
) -> tuple[EmployeeRecord, list[Problem], list[str]]:
    """The record with every declared period's sheet (a missing one taken from the period the
    policy names), the problems (an undeclared period, a missing sheet no rule covers), and a
    note per sheet taken from another period, for ``explain``."""
    problems: list[Problem] = []
    notes: list[str] = []
    declared = rules.names
    for name in record.periods:
        if name not in declared:
            hint = did_you_mean(name, declared)
            message = f"period '{name}' is not declared by the policy (periods: {', '.join(declared)}){hint}"
            problems.append(Problem(record.id, None, "period-unknown", message, record.origin))
    if not record.periods:
        message = (
            f"the policy blends periods ({', '.join(declared)}): give the goal sheets under 'periods',"
            " one per period, not 'indicators'"
        )
        return record, [*problems, Problem(record.id, None, "period-missing", message, record.origin)], notes
    sheets: dict[str, tuple[IndicatorRecord, ...]] = {}
    for period in rules.periods:
        if period.id in record.periods:
            sheets[period.id] = record.periods[period.id]
            continue
        source, why = _stand_in(period, record, env)
        if source is None or source not in record.periods:
            if source is not None:
                why += f", but the record has no '{source}' sheet either"
            message = f"no goal sheet for period '{period.id}' ({period.label}){why}"
            problems.append(Problem(record.id, None, "period-missing", message, record.origin))
            continue
        sheets[period.id] = record.periods[source]
        notes.append(f"{period.id}: no goal sheet; {why}: the '{source}' sheet stands in")
    if problems:
        return record, problems, notes
    return replace(record, periods=sheets), [], notes


def _stand_in(period: Period, record: EmployeeRecord, env: Mapping[str, Any]) -> tuple[str | None, str]:
    """The period whose sheet stands in for ``period`` and why; (None, why not) when no rule applies."""
    if not period.missing:
        return None, "; the policy declares no rule for a missing sheet (periods.<id>.missing)"
    names = dict(env)
    if period.dates is not None:
        names["period_from"], names["period_to"] = (d.isoformat() for d in period.dates)
    reasons = []
    for rule in period.missing:
        if rule.when is None:
            return rule.use_period, "the policy's rule applies to everyone"
        try:
            holds = rule.when(names) is True
        except FormulaRuntimeError as exc:
            reasons.append(f"{rule.when.text}: {exc}")
            continue
        shown = f"{rule.when.text} ({rule.when.explain(names)})"
        if holds:
            return rule.use_period, f"the policy's rule {shown} holds"
        reasons.append(f"{shown} is false")
    return None, "; the policy's rule does not apply: " + "; ".join(reasons)


__all__ = ["MissingRule", "Period", "PeriodRules", "compile_periods", "complete"]
