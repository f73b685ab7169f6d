"""Check one employee's goal sheet against the policy's indicator rules.

Every problem names the employee, the indicator (1-based line of the sheet) and where in the
data file it came from; nothing is raised, so one bad sheet never hides the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import Problem
from engine.evaluate.sheet_lines import SheetReport, line_checks, optional_decimal
from engine.evaluate.sheet_rules import Bounds, Exception_, SheetRules, compile_sheet_rules
from engine.formula import CompiledFormula, fast_or_checked
from engine.io.records import EmployeeRecord, IndicatorRecord

# The compiled rules live in sheet_rules; their names stay importable here, where the engine and
# its fast paths have always read them.
__all__ = ["Bounds", "SheetRules", "check_sheet", "compile_sheet_rules"]

_ZERO = Decimal(0)


def _relaxed(rules: SheetRules, env: Mapping[str, Any]) -> dict[str, Any]:
    """Bounds after the exceptions whose condition holds for this employee."""
    bounds: dict[str, Any] = {
        "weight_min": rules.weight_min,
        "weight_max": rules.weight_max,
        "count_min": rules.total.min,
        "count_max": rules.total.max,
        "exceptions": [],
    }
    per_line: list[Exception_] = []
    for exc in rules.exceptions:
        if not exc.when(env):
            continue
        bounds["exceptions"].append(exc.id)
        if exc.lines is not None:
            # The weight band is relaxed only on the lines the condition selects; a count is
            # a sheet-level bound, relaxed for the sheet.
            per_line.append(exc)
            relax = {k: v for k, v in exc.relax.items() if not k.startswith("weight")}
        else:
            relax = dict(exc.relax)
        bounds.update({k: optional_decimal(v) if k.startswith("weight") else v for k, v in relax.items()})
    bounds["line_exceptions"] = per_line
    return bounds


def check_sheet(
    rules: SheetRules, record: EmployeeRecord, env: Mapping[str, Any], indicators: Sequence[IndicatorRecord]
) -> list[Problem]:
    """Every problem of one goal sheet (``env``: the employee's fields and parameters, and the
    columns of :attr:`SheetRules.column_names`).

    One pass over the lines counts categories, fixed goals and weight totals and checks each
    line; the problems are then reported sheet-level counts first, lines, totals, constraints.
    """
    report = SheetReport(record)
    relaxing = any(_holds(e.when, env) for e in rules.exceptions)
    bounds = _relaxed(rules, env) if relaxing else rules.plain_bounds
    lines = SheetReport(record)
    tally = _scan(rules, bounds, indicators, lines)
    _report_counts(rules, bounds, len(indicators), tally, report)
    report.problems += lines.problems
    _report_weight_totals(rules, tally, report)
    for constraint in rules.constraints:
        applies = constraint.when is None or _holds(constraint.when, env)
        if applies and not _holds(constraint.check, env):
            report.sheet(f"sheet-constraint-{constraint.id}", constraint.message)
    return report.problems


def _holds(formula: CompiledFormula, env: Mapping[str, Any]) -> bool:
    """Whether ``formula`` is true: the bare function first, the checked call (and its precise
    error) when that fails."""
    return bool(fast_or_checked(formula.fast, formula, env))




@dataclass
class _Tally:
    """What the sheet-level rules need from the lines, gathered in the same pass."""

    categories: dict[str, int]
    present: set[tuple[str, Any]]
    totals: dict[str, Decimal]


def _scan(
    rules: SheetRules, bounds: Mapping[str, Any], indicators: Sequence[IndicatorRecord], report: SheetReport
) -> _Tally:
    """Tally what the sheet-level rules need, then check every line against each line rule
    that applies; ``report`` gets the line problems line by line, each line's in rule order.

    It runs for every employee, so each rule loops over the lines itself (no call per line).
    """
    tally = _tally(rules, indicators)
    checks = rules.plain_checks if bounds is rules.plain_bounds else line_checks(rules, bounds)
    for check in checks:
        check(indicators, report)
    if report.problems:
        report.problems.sort(key=_line_number)  # stable: within a line, the rules' order stays
    return tally


def _line_number(problem: Problem) -> int:
    return problem.indicator or 0


def _tally(rules: SheetRules, indicators: Sequence[IndicatorRecord]) -> _Tally:
    """Lines per category, the (category, fixed id) pairs present, the weight totals."""
    tally = _Tally({}, set(), {})
    counts, present, totals = tally.categories, tally.present, tally.totals
    cat_field, weight_field = rules.category_field, rules.weight_field
    fixed_field = rules.fixed_field if rules.fixed else None
    summing, by_category = rules.weight_total is not None, rules.total_scope == "category"
    for ind in indicators:
        get = ind.fields.get
        category = get(cat_field)
        category = category if type(category) is str else str(category)
        counts[category] = counts.get(category, 0) + 1
        if fixed_field is not None:
            present.add((category, get(fixed_field)))
        if summing:
            weight = get(weight_field)
            key = category if by_category else ""
            amount = weight if type(weight) is Decimal else Decimal(weight or 0)
            totals[key] = totals.get(key, _ZERO) + amount
    return tally


def _report_counts(
    rules: SheetRules, bounds: Mapping[str, Any], count: int, tally: _Tally, report: SheetReport
) -> None:
    limits = rules.total if bounds is rules.plain_bounds else Bounds(bounds["count_min"], bounds["count_max"])
    total = limits.breached(count)
    if total:
        report.sheet("sheet-count", f"the sheet has {_indicators(count)}; the policy requires {total}")
    for category, cat_bounds in rules.categories.items():
        have = tally.categories.get(category, 0)
        need = cat_bounds.breached(have)
        if need:
            text = f"category '{category}' has {_indicators(have)}; the policy requires {need}"
            report.sheet("sheet-category-count", text)
    for category, fixed_ids in rules.fixed.items():
        for fixed_id in fixed_ids:
            if (category, fixed_id) not in tally.present:
                report.sheet(
                    "sheet-fixed-missing",
                    f"mandatory indicator '{fixed_id}' of category '{category}' is missing "
                    f"(a line with {rules.fixed_field}: {fixed_id})",
                )


def _report_weight_totals(rules: SheetRules, tally: _Tally, report: SheetReport) -> None:
    for key, total in tally.totals.items():
        if total != rules.weight_total:
            where = f" in category '{key}'" if key else ""
            report.sheet("sheet-weight-total", f"weights{where} add up to {total}, not {rules.weight_total}")


def _indicators(count: int) -> str:
    return f"{count} indicator{'' if count == 1 else 's'}"
