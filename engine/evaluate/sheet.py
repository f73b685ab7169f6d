"""Check one employee's goal sheet against the policy's indicator rules.

Every problem names the employee, the indicator (1-based line of the sheet) and where in the
data file it came from; nothing is raised, so one bad sheet never hides the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from engine.errors import Problem
from engine.formula import CompiledFormula, Scope, compile_formula, fast_or_checked, formula_scope
from engine.io.records import EmployeeRecord, IndicatorRecord


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
    #: ``lines``: the goal lines the relaxed weight band applies to (``None``: every line).
    lines: CompiledFormula | None = None


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
    difficulty_rule: Difficulty | None = None
    #: ``required_when``: (condition over a goal line, the fields such a line must state).
    required_when: tuple[tuple[CompiledFormula, tuple[str, ...]], ...] = ()
    #: Indicator fields the exceptions and constraints read (as columns of the sheet).
    column_names: tuple[str, ...] = ()

    @cached_property
    def plain_bounds(self) -> Mapping[str, Any]:
        """The bounds when no exception applies (most sheets): built once."""
        return {
            "weight_min": self.weight_min,
            "weight_max": self.weight_max,
            "count_min": self.total.min,
            "count_max": self.total.max,
        }

    @cached_property
    def plain_checks(self) -> tuple[LineCheck, ...]:
        """The line rules when no exception applies (most sheets): chosen once."""
        return tuple(_line_checks(self, self.plain_bounds))


@dataclass(frozen=True)
class Difficulty:
    """``indicator_rules.difficulty`` converted once: field, bounds, allowed steps."""

    field: str
    min: Decimal | None
    max: Decimal | None
    steps: frozenset[Decimal]
    shown: str  # the steps as the message lists them

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> Difficulty | None:
        if not spec:
            return None
        steps = [Decimal(s) for s in spec.get("steps") or []]
        return cls(
            str(spec.get("field", "difficulty")),
            _dec(spec.get("min")),
            _dec(spec.get("max")),
            frozenset(steps),
            ", ".join(str(s) for s in steps),
        )


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def compile_sheet_rules(policy: Mapping[str, Any]) -> SheetRules:
    """Build :class:`SheetRules` from ``indicator_rules`` (empty rules when absent)."""
    rules = policy.get("indicator_rules") or {}
    scope = formula_scope(policy, "employee")
    exceptions = _exceptions(rules, policy, scope)
    constraints = _constraints(rules, scope)
    return SheetRules(
        **_category_rules(rules),
        **_weight_rules(rules.get("weight") or {}),
        category_field=rules.get("category_field", "category"),
        kind_field=rules.get("kind_field", "kind"),
        fixed_field=rules.get("fixed_field", "fixed_id"),
        exceptions=exceptions,
        difficulty=rules.get("difficulty") or {},
        required_fields=tuple(rules.get("required_fields") or ()),
        constraints=constraints,
        difficulty_rule=Difficulty.of(rules.get("difficulty") or {}),
        required_when=_required_when(rules, policy),
        column_names=_columns_read(policy, exceptions, constraints),
    )


def _required_when(
    rules: Mapping[str, Any], policy: Mapping[str, Any]
) -> tuple[tuple[CompiledFormula, tuple[str, ...]], ...]:
    """``required_when``: each condition over a goal line, compiled, with the fields it requires."""
    line_scope = formula_scope(policy, "indicator_condition")
    return tuple(
        (compile_formula(str(r["when"]), line_scope), tuple(str(f) for f in r["fields"]))
        for r in rules.get("required_when") or []
    )


def _columns_read(
    policy: Mapping[str, Any], exceptions: Sequence[Exception_], constraints: Sequence[Constraint]
) -> tuple[str, ...]:
    """The indicator fields the exceptions and constraints read, in declaration order."""
    formulas = [e.when for e in exceptions] + [f for c in constraints for f in (c.when, c.check) if f]
    read: set[str] = set().union(*(f.names for f in formulas))
    declared = (policy.get("inputs") or {}).get("indicator") or {}
    return tuple(n for n in declared if n in read)


def _category_rules(rules: Mapping[str, Any]) -> dict[str, Any]:
    """The sheet's and each category's count bounds, allowed kinds and mandatory goals."""
    cats = rules.get("categories") or {}
    return {
        "total": Bounds.of(rules.get("count")),
        "categories": {c: Bounds.of(s.get("count")) for c, s in cats.items()},
        "kinds": {c: tuple(s["kinds"]) for c, s in cats.items() if s.get("kinds")},
        "fixed": {c: tuple(f["id"] for f in s.get("fixed") or []) for c, s in cats.items()},
    }


def _weight_rules(weight: Mapping[str, Any]) -> dict[str, Any]:
    """``indicator_rules.weight``: the field, each line's band, the total and what it sums over."""
    return {
        "weight_field": weight.get("field", "weight"),
        "weight_min": _dec(weight.get("min")),
        "weight_max": _dec(weight.get("max")),
        "weight_total": _dec(weight.get("total")),
        "total_scope": weight.get("total_scope", "sheet"),
    }


def _exceptions(rules: Mapping[str, Any], policy: Mapping[str, Any], scope: Scope) -> tuple[Exception_, ...]:
    line_scope = formula_scope(policy, "indicator_condition")
    return tuple(
        Exception_(
            e["id"],
            compile_formula(str(e["when"]), scope),
            e.get("relax") or {},
            compile_formula(str(e["lines"]), line_scope) if e.get("lines") else None,
        )
        for e in rules.get("exceptions") or []
    )


def _constraints(rules: Mapping[str, Any], scope: Scope) -> tuple[Constraint, ...]:
    return tuple(
        Constraint(
            c["id"],
            compile_formula(str(c["when"]), scope) if c.get("when") else None,
            compile_formula(str(c["check"]), scope),
            _text(c.get("message"), c["id"]),
        )
        for c in rules.get("constraints") or []
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
        bounds.update({k: _dec(v) if k.startswith("weight") else v for k, v in relax.items()})
    bounds["line_exceptions"] = per_line
    return bounds


def _line_band(
    bounds: Mapping[str, Any], fields: Mapping[str, Any]
) -> tuple[Decimal | None, Decimal | None]:
    """The weight band of one goal line: the sheet's band, relaxed by each exception whose
    ``lines`` condition holds for the line."""
    low, high = bounds["weight_min"], bounds["weight_max"]
    for exc in bounds.get("line_exceptions") or ():
        assert exc.lines is not None
        if exc.lines(fields):
            low = _dec(exc.relax.get("weight_min", low))
            high = _dec(exc.relax.get("weight_max", high))
    return low, high


class _Report:
    def __init__(self, record: EmployeeRecord) -> None:
        self.record = record
        self.problems: list[Problem] = []

    def sheet(self, rule: str, message: str) -> None:
        self.problems.append(Problem(self.record.id, None, rule, message, self.record.origin))

    def line(self, index: int, ind: IndicatorRecord, rule: str, message: str) -> None:
        self.problems.append(Problem(self.record.id, index + 1, rule, message, ind.origin))


def check_sheet(
    rules: SheetRules, record: EmployeeRecord, env: Mapping[str, Any], indicators: Sequence[IndicatorRecord]
) -> list[Problem]:
    """Every problem of one goal sheet (``env``: the employee's fields and parameters, and the
    columns of :attr:`SheetRules.column_names`).

    One pass over the lines counts categories, fixed goals and weight totals and checks each
    line; the problems are then reported sheet-level counts first, lines, totals, constraints.
    """
    report = _Report(record)
    relaxing = any(_holds(e.when, env) for e in rules.exceptions)
    bounds = _relaxed(rules, env) if relaxing else rules.plain_bounds
    lines = _Report(record)
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
    rules: SheetRules, bounds: Mapping[str, Any], indicators: Sequence[IndicatorRecord], report: _Report
) -> _Tally:
    """Tally what the sheet-level rules need, then check every line against each line rule
    that applies; ``report`` gets the line problems line by line, each line's in rule order.

    It runs for every employee, so each rule loops over the lines itself (no call per line).
    """
    tally = _tally(rules, indicators)
    checks = rules.plain_checks if bounds is rules.plain_bounds else _line_checks(rules, bounds)
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


#: One line rule over every line of a sheet: (lines, report).
LineCheck = Callable[[Sequence[IndicatorRecord], "_Report"], None]


def _line_checks(rules: SheetRules, bounds: Mapping[str, Any]) -> list[LineCheck]:
    """The line rules that apply to this sheet, in the order their problems are reported."""
    found: list[LineCheck] = []
    low, high = bounds["weight_min"], bounds["weight_max"]
    if bounds.get("line_exceptions"):
        found.append(partial(_check_line_weight_bands, rules.weight_field, bounds))
    elif low is not None or high is not None:
        found.append(partial(_check_weight_band, rules.weight_field, low, high))
    if rules.kinds:
        found.append(partial(_check_kinds, rules))
    if rules.required_fields:
        found.append(partial(_check_required, rules.required_fields))
    if rules.required_when:
        found.append(partial(_check_required_when, rules.required_when))
    if rules.difficulty_rule is not None:
        found.append(partial(_check_difficulties, rules.difficulty_rule))
    return found


def _check_weight_band(
    field: str,
    low: Decimal | None,
    high: Decimal | None,
    indicators: Sequence[IndicatorRecord],
    report: _Report,
    start: int = 0,
) -> None:
    """Each line's weight within ``low..high`` (``start``: the first line's index in the sheet)."""
    for index, ind in enumerate(indicators, start):
        weight = ind.fields.get(field)
        if weight is None:
            continue
        if (low is not None and weight < low) or (high is not None and weight > high):
            report.line(index, ind, "sheet-weight-band", f"weight {weight} is outside the band {low}..{high}")


def _check_line_weight_bands(
    field: str, bounds: Mapping[str, Any], indicators: Sequence[IndicatorRecord], report: _Report
) -> None:
    """The weight band of a sheet with exceptions that relax it on some lines only."""
    for index, ind in enumerate(indicators):
        low, high = _line_band(bounds, ind.fields)
        _check_weight_band(field, low, high, [ind], report, index)


def _check_kinds(rules: SheetRules, indicators: Sequence[IndicatorRecord], report: _Report) -> None:
    kinds_of, kind_field, cat_field = rules.kinds, rules.kind_field, rules.category_field
    for index, ind in enumerate(indicators):
        get = ind.fields.get
        category = get(cat_field)
        kinds = kinds_of.get(category if type(category) is str else str(category))
        if kinds and get(kind_field) not in kinds:
            report.line(
                index, ind, "sheet-kind",
                f"kind '{get(kind_field)}' is not allowed in category '{get(cat_field)}' "
                f"(allowed: {', '.join(kinds)})",
            )  # fmt: skip


def _check_required(
    required: tuple[str, ...], indicators: Sequence[IndicatorRecord], report: _Report
) -> None:
    _require(required, "", enumerate(indicators), report)


def _check_required_when(
    required_when: Sequence[tuple[CompiledFormula, tuple[str, ...]]],
    indicators: Sequence[IndicatorRecord],
    report: _Report,
) -> None:
    """The fields a line must state when its ``required_when`` condition holds (one condition at a
    time; the problems are put back in line order after the line rules ran)."""
    for condition, names in required_when:
        lines = ((index, ind) for index, ind in enumerate(indicators) if condition(ind.fields))
        _require(names, f" ({condition.text})", lines, report)


def _check_difficulties(diff: Difficulty, indicators: Sequence[IndicatorRecord], report: _Report) -> None:
    """The cheap test first; the messages only for a line that breaks a difficulty rule."""
    field, low, high, steps = diff.field, diff.min, diff.max, diff.steps
    for index, ind in enumerate(indicators):
        value = ind.fields.get(field)
        if value is not None and (
            (low is not None and value < low)
            or (high is not None and value > high)
            or (steps and (value if type(value) is Decimal else Decimal(value)) not in steps)
        ):
            _check_difficulty(diff, index, ind, report)


_ZERO = Decimal(0)


def _require(
    names: tuple[str, ...], why: str, lines: Iterable[tuple[int, IndicatorRecord]], report: _Report
) -> None:
    """A problem for each of ``names`` a line leaves empty (``why``: the condition that asks)."""
    for index, ind in lines:
        get = ind.fields.get
        for name in names:
            value = get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                report.line(index, ind, "sheet-required-field", f"the goal does not state '{name}'{why}")


def _check_difficulty(diff: Difficulty, index: int, ind: IndicatorRecord, report: _Report) -> None:
    value = ind.fields.get(diff.field)
    if value is None:
        return
    low, high = diff.min, diff.max
    if (low is not None and value < low) or (high is not None and value > high):
        report.line(index, ind, "sheet-difficulty", f"difficulty {value} is outside {low}..{high}")
    if diff.steps and Decimal(value) not in diff.steps:
        report.line(index, ind, "sheet-difficulty", f"difficulty {value} is not one of {diff.shown}")


def _report_counts(
    rules: SheetRules, bounds: Mapping[str, Any], count: int, tally: _Tally, report: _Report
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


def _report_weight_totals(rules: SheetRules, tally: _Tally, report: _Report) -> None:
    for key, total in tally.totals.items():
        if total != rules.weight_total:
            where = f" in category '{key}'" if key else ""
            report.sheet("sheet-weight-total", f"weights{where} add up to {total}, not {rules.weight_total}")


def _indicators(count: int) -> str:
    return f"{count} indicator{'' if count == 1 else 's'}"
