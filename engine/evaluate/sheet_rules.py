"""A policy's indicator rules compiled once (:func:`compile_sheet_rules`): count bounds per sheet and
category, allowed kinds, mandatory goals, the weight band and total, exceptions that relax them,
constraints, required fields and the difficulty rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from engine.evaluate.sheet_lines import LineCheck, line_checks, optional_decimal
from engine.formula import CompiledFormula, Scope, compile_formula, formula_scope


@dataclass(frozen=True)
class Bounds:
    """A count's declared bounds (``None``: unbounded on that side)."""

    min: int | None
    max: int | None

    @classmethod
    def of(cls, spec: Mapping[str, Any] | None) -> Bounds:
        """``{min?, max?}`` or ``{exact}``; no spec: no bound."""
        spec = spec or {}
        if "exact" in spec:
            return cls(int(spec["exact"]), int(spec["exact"]))
        return cls(spec.get("min"), spec.get("max"))

    def breached(self, n: int) -> str | None:
        """What the bounds require (``at least 3``) when ``n`` breaks them, else None."""
        if self.min is not None and n < self.min:
            return f"at least {self.min}" if self.min != self.max else f"exactly {self.min}"
        if self.max is not None and n > self.max:
            return f"at most {self.max}" if self.min != self.max else f"exactly {self.max}"
        return None


@dataclass(frozen=True)
class Exception_:
    """An exception to the indicator rules: when it holds, ``relax`` replaces their bounds."""

    id: str
    when: CompiledFormula
    relax: Mapping[str, Any]
    #: ``lines``: the goal lines the relaxed weight band applies to (``None``: every line).
    lines: CompiledFormula | None = None


@dataclass(frozen=True)
class Constraint:
    """A declared check over the employee (``when`` it applies), with its message."""

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
        return tuple(line_checks(self, self.plain_bounds))


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
        """The rule of ``indicator_rules.difficulty``; None where none is declared."""
        if not spec:
            return None
        steps = [Decimal(s) for s in spec.get("steps") or []]
        return cls(
            str(spec.get("field", "difficulty")),
            optional_decimal(spec.get("min")),
            optional_decimal(spec.get("max")),
            frozenset(steps),
            ", ".join(str(s) for s in steps),
        )


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
        "weight_min": optional_decimal(weight.get("min")),
        "weight_max": optional_decimal(weight.get("max")),
        "weight_total": optional_decimal(weight.get("total")),
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
