"""Check one employee's goal sheet against the policy's indicator rules.

Every problem names the employee, the indicator (1-based line of the sheet) and where in the
data file it came from; nothing is raised, so one bad sheet never hides the others.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.checks.scopes import formula_scope
from engine.formula import CompiledFormula, compile_formula
from engine.io.records import EmployeeRecord, IndicatorRecord


@dataclass(frozen=True)
class SheetProblem:
    employee_id: str
    indicator: int | None  # 1-based line of the goal sheet, None for the whole sheet
    rule: str
    message: str
    origin: str


@dataclass(frozen=True)
class Bounds:
    min: int | None
    max: int | None

    @classmethod
    def of(cls, spec: Mapping[str, Any] | None) -> Bounds:
        spec = spec or {}
        if "exact" in spec:
            return cls(int(spec["exact"]), int(spec["exact"]))
        return cls(spec.get("min"), spec.get("max"))

    def breached(self, n: int) -> str | None:
        if self.min is not None and n < self.min:
            return f"at least {self.min}" if self.min != self.max else f"exactly {self.min}"
        if self.max is not None and n > self.max:
            return f"at most {self.max}" if self.min != self.max else f"exactly {self.max}"
        return None


@dataclass(frozen=True)
class Exception_:
    id: str
    when: CompiledFormula
    relax: Mapping[str, Any]


@dataclass(frozen=True)
class Constraint:
    id: str
    when: CompiledFormula | None
    check: CompiledFormula
    message: str


@dataclass(frozen=True)
class SheetRules:
    """The indicator rules of a policy, compiled once."""

    total: Bounds
    categories: Mapping[str, Bounds]
    kinds: Mapping[str, tuple[str, ...]]
    fixed: Mapping[str, tuple[str, ...]]
    category_field: str
    kind_field: str
    fixed_field: str
    weight_field: str
    weight_min: Decimal | None
    weight_max: Decimal | None
    weight_total: Decimal | None
    total_scope: str
    exceptions: tuple[Exception_, ...]
    difficulty: Mapping[str, Any]
    required_fields: tuple[str, ...]
    constraints: tuple[Constraint, ...]


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def compile_sheet_rules(policy: Mapping[str, Any]) -> SheetRules:
    """Build :class:`SheetRules` from ``indicator_rules`` (empty rules when absent)."""
    rules = policy.get("indicator_rules") or {}
    cats = rules.get("categories") or {}
    weight = rules.get("weight") or {}
    scope = formula_scope(policy, "employee")
    return SheetRules(
        total=Bounds.of(rules.get("count")),
        categories={c: Bounds.of(s.get("count")) for c, s in cats.items()},
        kinds={c: tuple(s["kinds"]) for c, s in cats.items() if s.get("kinds")},
        fixed={c: tuple(f["id"] for f in s.get("fixed") or []) for c, s in cats.items()},
        category_field=rules.get("category_field", "category"),
        kind_field=rules.get("kind_field", "kind"),
        fixed_field=rules.get("fixed_field", "fixed_id"),
        weight_field=weight.get("field", "weight"),
        weight_min=_dec(weight.get("min")),
        weight_max=_dec(weight.get("max")),
        weight_total=_dec(weight.get("total")),
        total_scope=weight.get("total_scope", "sheet"),
        exceptions=tuple(
            Exception_(e["id"], compile_formula(str(e["when"]), scope), e.get("relax") or {})
            for e in rules.get("exceptions") or []
        ),
        difficulty=rules.get("difficulty") or {},
        required_fields=tuple(rules.get("required_fields") or ()),
        constraints=tuple(
            Constraint(
                c["id"],
                compile_formula(str(c["when"]), scope) if c.get("when") else None,
                compile_formula(str(c["check"]), scope),
                _text(c.get("message"), c["id"]),
            )
            for c in rules.get("constraints") or []
        ),
    )


def _text(label: Any, fallback: str) -> str:
    if isinstance(label, Mapping):
        return str(label.get("en") or label.get("ko") or label.get("ja") or fallback)
    return fallback


def _relaxed(rules: SheetRules, env: Mapping[str, Any]) -> dict[str, Any]:
    """Bounds after the exceptions whose condition holds for this employee."""
    bounds: dict[str, Any] = {
        "weight_min": rules.weight_min,
        "weight_max": rules.weight_max,
        "count_min": rules.total.min,
        "count_max": rules.total.max,
        "exceptions": [],
    }
    for exc in rules.exceptions:
        if exc.when(env):
            bounds.update({k: _dec(v) if k.startswith("weight") else v for k, v in exc.relax.items()})
            bounds["exceptions"].append(exc.id)
    return bounds


class _Report:
    def __init__(self, record: EmployeeRecord) -> None:
        self.record = record
        self.problems: list[SheetProblem] = []

    def sheet(self, rule: str, message: str) -> None:
        self.problems.append(SheetProblem(self.record.id, None, rule, message, self.record.origin))

    def line(self, index: int, ind: IndicatorRecord, rule: str, message: str) -> None:
        self.problems.append(SheetProblem(self.record.id, index + 1, rule, message, ind.origin))


def check_sheet(
    rules: SheetRules, record: EmployeeRecord, env: Mapping[str, Any], indicators: Sequence[IndicatorRecord]
) -> list[SheetProblem]:
    """Every problem of one goal sheet (``env``: the employee's fields and parameters)."""
    report = _Report(record)
    bounds = _relaxed(rules, env)
    _check_counts(rules, bounds, indicators, report)
    _check_lines(rules, bounds, indicators, report)
    _check_weight_totals(rules, indicators, report)
    for constraint in rules.constraints:
        if constraint.when is None or constraint.when(env):
            if not constraint.check(env):
                report.sheet(f"sheet-constraint-{constraint.id}", constraint.message)
    return report.problems


def _check_counts(
    rules: SheetRules, bounds: Mapping[str, Any], indicators: Sequence[IndicatorRecord], report: _Report
) -> None:
    total = Bounds(bounds["count_min"], bounds["count_max"]).breached(len(indicators))
    if total:
        report.sheet("sheet-count", f"the sheet has {len(indicators)} indicators; the policy requires {total}")
    per_category = Counter(str(i.fields.get(rules.category_field)) for i in indicators)
    for category, cat_bounds in rules.categories.items():
        need = cat_bounds.breached(per_category[category])
        if need:
            report.sheet(
                "sheet-category-count",
                f"category '{category}' has {per_category[category]} indicators; the policy requires {need}",
            )
    present = {(str(i.fields.get(rules.category_field)), i.fields.get(rules.fixed_field)) for i in indicators}
    for category, fixed_ids in rules.fixed.items():
        for fixed_id in fixed_ids:
            if (category, fixed_id) not in present:
                report.sheet(
                    "sheet-fixed-missing",
                    f"mandatory indicator '{fixed_id}' of category '{category}' is missing "
                    f"(a line with {rules.fixed_field}: {fixed_id})",
                )


def _check_lines(
    rules: SheetRules, bounds: Mapping[str, Any], indicators: Sequence[IndicatorRecord], report: _Report
) -> None:
    low, high = bounds["weight_min"], bounds["weight_max"]
    diff = rules.difficulty
    for index, ind in enumerate(indicators):
        fields = ind.fields
        weight = fields.get(rules.weight_field)
        if weight is not None and (low is not None and weight < low or high is not None and weight > high):
            report.line(index, ind, "sheet-weight-band", f"weight {weight} is outside the band {low}..{high}")
        kinds = rules.kinds.get(str(fields.get(rules.category_field)))
        if kinds and fields.get(rules.kind_field) not in kinds:
            report.line(
                index, ind, "sheet-kind",
                f"kind '{fields.get(rules.kind_field)}' is not allowed in category "
                f"'{fields.get(rules.category_field)}' (allowed: {', '.join(kinds)})",
            )
        for name in rules.required_fields:
            value = fields.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                report.line(index, ind, "sheet-required-field", f"the goal does not state '{name}'")
        _check_difficulty(diff, index, ind, report)


def _check_difficulty(diff: Mapping[str, Any], index: int, ind: IndicatorRecord, report: _Report) -> None:
    if not diff:
        return
    value = ind.fields.get(diff.get("field", "difficulty"))
    if value is None:
        return
    low, high = _dec(diff.get("min")), _dec(diff.get("max"))
    if (low is not None and value < low) or (high is not None and value > high):
        report.line(index, ind, "sheet-difficulty", f"difficulty {value} is outside {low}..{high}")
    steps = [Decimal(s) for s in diff.get("steps") or []]
    if steps and Decimal(value) not in steps:
        shown = ", ".join(str(s) for s in steps)
        report.line(index, ind, "sheet-difficulty", f"difficulty {value} is not one of {shown}")


def _check_weight_totals(rules: SheetRules, indicators: Sequence[IndicatorRecord], report: _Report) -> None:
    if rules.weight_total is None:
        return
    groups: dict[str, Decimal] = {}
    for ind in indicators:
        key = str(ind.fields.get(rules.category_field)) if rules.total_scope == "category" else ""
        groups[key] = groups.get(key, Decimal(0)) + Decimal(ind.fields.get(rules.weight_field) or 0)
    for key, total in groups.items():
        if total != rules.weight_total:
            where = f" in category '{key}'" if key else ""
            report.sheet(
                "sheet-weight-total", f"weights{where} add up to {total}, not {rules.weight_total}"
            )
