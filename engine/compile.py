"""Compile a validated policy once: formulas parsed and name-checked, grade tables built.

Nothing here reads a record; :mod:`engine.evaluate` applies the result to many records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from decimal import Decimal
from typing import Any

from engine.checks.scopes import formula_scope
from engine.errors import HRPolicyError
from engine.formula import CompiledFormula, FunctionSpec, Scope, compile_formula, find_cycle, names_used
from engine.grading import GradeTable, build_grade_table
from engine.rounding import MODES, Rounding
from engine.validate import ValidatedPolicy


@dataclass(frozen=True)
class Step:
    """One named formula, compiled, with the rounding it declares (if any)."""

    name: str
    formula: CompiledFormula
    rounding: Rounding | None
    label: str

    @property
    def quantum(self) -> Decimal | None:
        """What the hot loop passes to ``Decimal.quantize`` (None: not rounded)."""
        return self.rounding.quantum if self.rounding else None

    @property
    def mode(self) -> str | None:
        return MODES[self.rounding.mode] if self.rounding else None


@dataclass(frozen=True)
class FieldSpec:
    """A declared input field: its default applies when a record omits it."""

    name: str
    type: str
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class CompiledPolicy:
    """Everything evaluation needs, built once per run."""

    id: str
    data: Mapping[str, Any]
    employee_fields: tuple[FieldSpec, ...]
    indicator_fields: tuple[FieldSpec, ...]
    indicator_steps: tuple[Step, ...]
    employee_steps: tuple[Step, ...]
    grade_tables: tuple[GradeTable, ...]
    period_weights: Mapping[str, Decimal] = field(default_factory=dict)
    blend: str | None = None
    blend_rounding: Rounding | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Every declared field with its default (or None): the starting env of a record.
    employee_blank: Mapping[str, Any] = field(default_factory=dict)
    indicator_blank: Mapping[str, Any] = field(default_factory=dict)
    #: Indicator fields and formulas that employee formulas read as columns.
    columns: tuple[str, ...] = ()

    @cached_property
    def fast(self) -> tuple[Any, Any]:
        """The steps prepared for the no-trace hot loop (see engine.evaluate.fast_steps)."""
        from engine.evaluate import fast_steps

        return fast_steps(self.indicator_steps), fast_steps(self.employee_steps)


def label_text(label: Any, fallback: str) -> str:
    """The first of en, ko, ja a localised label has, else ``fallback``."""
    if isinstance(label, Mapping):
        for lang in ("en", "ko", "ja"):
            if label.get(lang):
                return str(label[lang])
    return fallback


def _fields(decls: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(name, str(d.get("type", "string")), d.get("default"), "default" in d)
        for name, d in decls.items()
    )


def _ordered(formulas: Mapping[str, Any]) -> list[str]:
    """Formula names so that each comes after the formulas it uses (declaration order otherwise)."""
    graph = {name: names_used(str(spec["expr"])) & set(formulas) for name, spec in formulas.items()}
    cycle = find_cycle(graph)
    if cycle:
        raise HRPolicyError("formulas form a cycle: " + " -> ".join(cycle))
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for dep in sorted(graph[name]):
            visit(dep)
        done.append(name)

    for name in formulas:
        visit(name)
    return done


def _grade_function(tables: tuple[GradeTable, ...]) -> FunctionSpec:
    """``grade('table', value[, 'segment'])`` bound to the compiled grade tables."""
    by_name = {t.name: t for t in tables}

    def grade(table: str, value: Decimal, segment: str | None = None) -> str | None:
        outcome = by_name[table].grade_in(Decimal(value), segment)
        return outcome.grade

    return FunctionSpec(grade, 2, 3, ref_kind="grade_table", returns="string")


def _scope(data: Mapping[str, Any], level: str, grade: FunctionSpec) -> Scope:
    scope = formula_scope(data, level)
    return replace(scope, functions={**scope.functions, "grade": grade})


def _steps(data: Mapping[str, Any], level: str, grade: FunctionSpec) -> tuple[Step, ...]:
    formulas = (data.get("formulas") or {}).get(level) or {}
    scope = _scope(data, level, grade)
    steps = []
    for name in _ordered(formulas):
        spec = formulas[name]
        steps.append(
            Step(
                name=name,
                formula=compile_formula(str(spec["expr"]), scope),
                rounding=Rounding.from_policy(spec.get("round")),
                label=label_text(spec.get("label"), name),
            )
        )
    return tuple(steps)


def compile_policy(policy: ValidatedPolicy) -> CompiledPolicy:
    """Build the compiled form of an already validated policy."""
    data = policy.data
    inputs = data.get("inputs") or {}
    periods = data.get("periods") or {}
    weights = {k: Decimal(v["weight"]) for k, v in periods.items() if isinstance(v, Mapping)}
    grade_tables = tuple(
        build_grade_table(name, spec, data) for name, spec in (data.get("grade_tables") or {}).items()
    )
    grade = _grade_function(grade_tables)
    labels = {
        name: label_text(spec.get("label"), name)
        for level in ("employee", "indicator")
        for name, spec in (inputs.get(level) or {}).items()
    }
    employee_fields = _fields(inputs.get("employee") or {})
    indicator_fields = _fields(inputs.get("indicator") or {})
    indicator_steps = _steps(data, "indicator", grade)
    employee_steps = _steps(data, "employee", grade)
    per_line = {f.name for f in indicator_fields} | {s.name for s in indicator_steps}
    used = set().union(*(s.formula.names for s in employee_steps)) if employee_steps else set()
    return CompiledPolicy(
        id=str(data["metadata"]["id"]),
        data=data,
        employee_fields=employee_fields,
        indicator_fields=indicator_fields,
        indicator_steps=indicator_steps,
        employee_steps=employee_steps,
        grade_tables=grade_tables,
        period_weights=weights,
        blend=periods.get("blend"),
        blend_rounding=Rounding.from_policy(periods.get("round") or data["metadata"].get("rounding")),
        labels=labels,
        employee_blank={f.name: f.default for f in employee_fields},
        indicator_blank={f.name: f.default for f in indicator_fields},
        columns=tuple(sorted(per_line & used)),
    )
