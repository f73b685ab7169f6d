"""Compile a validated policy once: formulas parsed and name-checked, grade tables built.

Nothing here reads a record; :mod:`engine.evaluate.employee` applies the result to many records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

from engine.errors import HRPolicyError
from engine.formula import (
    CompiledFormula,
    FlatFunction,
    FlatGrade,
    FlatPlan,
    FunctionSpec,
    FuseStep,
    RecordFuser,
    Scope,
    SheetFuser,
    SheetPlan,
    compile_formula,
    find_cycle,
    formula_scope,
    names_used,
    reference_interpreter,
)
from engine.grading import Band, GradeTable, Segment, build_grade_table
from engine.provenance import Stamp, stamp_of
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

    @property
    def fuse_step(self) -> FuseStep:
        """This step as :class:`engine.formula.codegen.SheetFuser` takes it."""
        f = self.formula
        negative = bool(self.rounding and self.rounding.places < 0)
        return FuseStep(self.name, f.parsed, f.scope, f.names, self.quantum, self.mode, negative)


#: (name, bare function, formula, quantum, rounding mode, negative places) of one step.
FastStep = tuple[str, Any, CompiledFormula, Decimal | None, str | None, bool]


def fast_steps(steps: Sequence[Step]) -> tuple[FastStep, ...]:
    """The steps as plain tuples for the no-trace hot loop (engine.evaluate.employee)."""
    return tuple(
        (s.name, s.formula.fast, s.formula, s.quantum, s.mode, bool(s.rounding and s.rounding.places < 0))
        for s in steps
    )


@dataclass(frozen=True)
class FieldSpec:
    """A declared input field: its default applies when a record omits it."""

    name: str
    type: str
    default: Any = None
    has_default: bool = False


#: ``(employee environment, goal lines) -> (employee formula values, each line's values)``.
FusedSheet = Callable[[Mapping[str, Any], Any], tuple[tuple[Any, ...], list[dict[str, Any]]]]


@dataclass(frozen=True)
class FastGrade:
    """A grade table prepared for the hot loop (see :func:`engine.evaluate.employee.grade_fast`).

    ``segments``: each segment with its condition's bare function (None: always); ``bands``:
    per segment name, (band, min, max, min inclusive, max inclusive, points) in table order.
    """

    segments: tuple[tuple[Segment, Callable[[Mapping[str, Any]], Any] | None], ...]
    quantum: Decimal | None
    mode: str | None
    negative: bool
    bands: Mapping[str, tuple[tuple[Band, Decimal | None, Decimal | None, bool, bool, Decimal | None], ...]]

    @classmethod
    def of(cls, table: GradeTable) -> FastGrade:
        r = table.rounding
        return cls(
            segments=tuple((s, s.when.fast if s.when else None) for s in table.segments),
            quantum=r.quantum if r else None,
            mode=MODES[r.mode] if r else None,
            negative=bool(r and r.places < 0),
            bands={
                s.name: tuple(
                    (b, b.min, b.max, b.min_inclusive, b.max_inclusive, table.points.get(b.grade))
                    for b in s.bands
                )
                for s in table.segments
            },
        )


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
    #: Formulas run on the reference interpreter (simpleeval): no fused sheet function then.
    reference: bool = False

    @cached_property
    def stamp(self) -> Stamp:
        """The policy's id, version and content hash, recorded with every result (see provenance)."""
        return stamp_of(self.data)

    @cached_property
    def fast(self) -> tuple[tuple[FastStep, ...], tuple[FastStep, ...]]:
        """The steps prepared for the no-trace hot loop (see :func:`fast_steps`)."""
        return fast_steps(self.indicator_steps), fast_steps(self.employee_steps)

    @cached_property
    def fast_grades(self) -> tuple[FastGrade, ...]:
        """The grade tables prepared for the hot loop, in table order."""
        return tuple(FastGrade.of(t) for t in self.grade_tables)

    @cached_property
    def employee_names(self) -> tuple[str, ...]:
        """The employee formulas' names, in evaluation order."""
        return tuple(s.name for s in self.employee_steps)

    @cached_property
    def fused(self) -> FusedSheet | None:
        """One generated function for a whole goal sheet (see :class:`SheetFuser`), or None.

        None when a grade table's segment condition reads a column: the fused function hands
        back no columns, so such policies keep the step-by-step path; None too when the policy
        runs on the reference interpreter, which evaluates one formula at a time.
        """
        conditions = [s.when for t in self.grade_tables for s in t.segments if s.when is not None]
        if self.reference or any(c.names & set(self.columns) for c in conditions):
            return None
        return SheetFuser(self.sheet_plan).build()[1]

    @cached_property
    def flat(self) -> FlatFunction | None:
        """One generated function for a whole employee (sheet, formulas, grade tables: see
        :class:`RecordFuser`), for :func:`engine.evaluate.employee.evaluate_flat`; None where
        :attr:`fused` is None."""
        plan = self.flat_plan
        return None if plan is None else RecordFuser(plan).build_flat()[1]

    @cached_property
    def flat_plan(self) -> FlatPlan | None:
        """What :attr:`flat` is generated from (None where :attr:`fused` is None)."""
        if self.fused is None:
            return None
        grades = tuple(_flat_grade(t, f) for t, f in zip(self.grade_tables, self.fast_grades, strict=True))
        return FlatPlan(self.sheet_plan, dict(self.employee_blank), grades)

    @property
    def sheet_plan(self) -> SheetPlan:
        """The formulas of a goal sheet as :class:`SheetFuser` takes them."""
        return SheetPlan(
            line_steps=tuple(s.fuse_step for s in self.indicator_steps),
            person_steps=tuple(s.fuse_step for s in self.employee_steps),
            fields=dict(self.indicator_blank),
            columns=self.columns,
        )


def _flat_grade(table: GradeTable, fast: FastGrade) -> FlatGrade:
    """A grade table as :class:`RecordFuser` takes it: each band with its (grade, points)."""
    segments = tuple(
        (s.when, tuple((lo, hi, lo_in, hi_in, (b.grade, pts)) for b, lo, hi, lo_in, hi_in, pts in bands))
        for s in table.segments
        for bands in [fast.bands[s.name]]
    )
    return FlatGrade(table.name, table.input, fast.quantum, fast.mode, fast.negative, segments)


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


def compile_policy(policy: ValidatedPolicy, *, reference: bool = False) -> CompiledPolicy:
    """Build the compiled form of an already validated policy.

    With ``reference`` every formula runs on the reference interpreter (simpleeval) instead
    of generated code: slower, the same results.
    """
    with reference_interpreter(reference):
        return _compile_policy(policy, reference)


def _compile_policy(policy: ValidatedPolicy, reference: bool) -> CompiledPolicy:
    data = policy.data
    inputs = data.get("inputs") or {}
    grade_tables = tuple(
        build_grade_table(name, spec, data) for name, spec in (data.get("grade_tables") or {}).items()
    )
    grade = _grade_function(grade_tables)
    employee_fields = _fields(inputs.get("employee") or {})
    indicator_fields = _fields(inputs.get("indicator") or {})
    indicator_steps = _steps(data, "indicator", grade)
    employee_steps = _steps(data, "employee", grade)
    return CompiledPolicy(
        id=str(data["metadata"]["id"]),
        data=data,
        employee_fields=employee_fields,
        indicator_fields=indicator_fields,
        indicator_steps=indicator_steps,
        employee_steps=employee_steps,
        grade_tables=grade_tables,
        **_period_blend(data),
        labels=_labels(inputs),
        employee_blank={f.name: f.default for f in employee_fields},
        indicator_blank={f.name: f.default for f in indicator_fields},
        columns=_columns(indicator_fields, indicator_steps, employee_steps),
        reference=reference,
    )


def _period_blend(data: Mapping[str, Any]) -> dict[str, Any]:
    """Each period's weight, the blended formula's name and the blend's rounding."""
    periods = data.get("periods") or {}
    return {
        "period_weights": {k: Decimal(v["weight"]) for k, v in periods.items() if isinstance(v, Mapping)},
        "blend": periods.get("blend"),
        "blend_rounding": Rounding.from_policy(periods.get("round") or data["metadata"].get("rounding")),
    }


def _labels(inputs: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: label_text(spec.get("label"), name)
        for level in ("employee", "indicator")
        for name, spec in (inputs.get(level) or {}).items()
    }


def _columns(
    indicator_fields: Sequence[FieldSpec], indicator_steps: Sequence[Step], employee_steps: Sequence[Step]
) -> tuple[str, ...]:
    """The per-line values the employee formulas read as columns of the sheet."""
    per_line = {f.name for f in indicator_fields} | {s.name for s in indicator_steps}
    used = set().union(*(s.formula.names for s in employee_steps)) if employee_steps else set()
    return tuple(sorted(per_line & used))
