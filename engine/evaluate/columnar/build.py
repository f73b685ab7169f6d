"""Building a policy's columnar plan once (:func:`build_plan`): its fields, formulas, grade
tables and sheet rules, or :class:`~.vectors.Unsupported` for anything the plan does not
express (see :mod:`.plan`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.evaluate.columnar.calls import policy_calls
from engine.evaluate.columnar.confirm import confirmations_of
from engine.evaluate.columnar.numbers import Num
from engine.evaluate.columnar.plan import Plan, StepPlan, TablePlan
from engine.evaluate.columnar.reading import FieldPlan, field_plan
from engine.evaluate.columnar.review import build_review
from engine.evaluate.columnar.signs import signless
from engine.evaluate.columnar.vectors import Col, Unsupported, constant
from engine.evaluate.run import Engine
from engine.io.model import EmployeeRecord, RecordRules


def _require_fused_policy(engine: Engine, relative: bool) -> None:
    """:class:`Unsupported` for periods, a blend, a reference, no fused sheet or distributions
    (``relative``: the distributions are graded by the caller, from what the plan computes)."""
    policy = engine.policy
    if engine.period_rules is not None or policy.blend or policy.reference or policy.fused is None:
        raise Unsupported("periods, a blend, or no fused sheet")
    if engine.source.data.get("distributions") and not relative:
        raise Unsupported("distributions")


def _require_plain_sheet(sheet: Any, header_plan: Any) -> None:
    """:class:`Unsupported` for fixed goals, conditional required fields, totals per category
    or a period column."""
    if (
        any(sheet.fixed.values())
        or sheet.required_when
        or (sheet.weight_total is not None and sheet.total_scope not in ("sheet", "category"))
    ):
        raise Unsupported("fixed goals, conditional required fields or totals of another scope")
    if header_plan.period is not None:
        raise Unsupported("a period column")


def _field_plans(
    header_plan: Any, rules: RecordRules, inputs: Mapping[str, Any], scales: Mapping[str, Any]
) -> tuple[tuple[FieldPlan, ...], tuple[FieldPlan, ...]]:
    """The employee and the indicator fields' plans, in column order; :class:`Unsupported` for a
    field at both levels."""
    employee = tuple(
        field_plan(name, col, rules.employee[name], (inputs.get("employee") or {}).get(name) or {}, scales)
        for col, name in header_plan.employee
    )
    indicator = tuple(
        field_plan(name, col, rules.indicator[name], (inputs.get("indicator") or {}).get(name) or {}, scales)
        for col, name, _, _ in header_plan.indicator
    )
    if {f.name for f in employee} & {f.name for f in indicator}:
        raise Unsupported("a field at both levels")
    return employee, indicator


def build_plan(
    engine: Engine,
    header_plan: Any,
    rules: RecordRules,
    parameters: Mapping[str, Any],
    *,
    relative: bool = False,
) -> Plan:
    """The plan of ``engine``'s policy for a file whose header gave ``header_plan`` (the
    per-record reader's column plan, :class:`engine.io.table.TableStream`'s ``plan``);
    ``relative``: a policy with distributions is planned too (the caller grades them)."""
    policy = engine.policy
    data = engine.source.data
    _require_fused_policy(engine, relative)
    review_each = _check_chains(engine)
    sheet = engine.sheet_rules
    _require_plain_sheet(sheet, header_plan)
    inputs = data.get("inputs") or {}
    scales = data.get("scales") or {}
    employee, indicator = _field_plans(header_plan, rules, inputs, scales)
    names_emp = {f.name for f in employee}
    plan = Plan(
        engine=engine,
        id_column=header_plan.id,
        employee=tuple(f for f in employee if f.name != "id"),
        indicator=indicator,
        line_steps=tuple(_step(s) for s in policy.indicator_steps),
        person_steps=tuple(_step(s) for s in policy.employee_steps),
        tables=tuple(_table(t) for t in policy.grade_tables),
        parameters=dict(parameters),
        sheet=sheet,
        name_column=next((col for col, name in header_plan.employee if name == "name"), None),
        review_each=review_each,
        rules=rules,
        calls=policy_calls(data),
        confirmations=confirmations_of(engine),
    )
    steps = (*plan.line_steps, *plan.person_steps)
    plan.extra["signless"] = signless((s.parsed for s in steps), plan.parameters, data.get("scales") or {})
    if review_each and engine.chain_rules is not None:
        plan.review = build_review(engine.chain_rules, plan.employee, rules.employee)
    plan.extra["blank_people"] = _blanks(rules.employee, names_emp, inputs.get("employee") or {}, scales)
    plan.extra["blank_lines"] = _blanks(
        rules.indicator, {f.name for f in indicator}, inputs.get("indicator") or {}, scales
    )
    return plan


def _blanks(
    rules: Any, have: set[str], decls: Mapping[str, Any], scales: Mapping[str, Any]
) -> dict[str, Any]:
    """For each declared field without a column: its default (or None) in every row."""
    out: dict[str, Any] = {}
    for name, rule in rules.items():
        if name in have or name == "id":
            continue
        plan = field_plan(name, -1, rule, decls.get(name) or {}, scales)
        out[name] = _blank_maker(plan)
    return out


def _blank_maker(plan: FieldPlan) -> Any:
    def make(n: int) -> Col:
        rule = plan.rule
        if not rule.has_default or rule.default is None:
            if rule.required:
                raise Unsupported(f"required field {plan.name} without a column")
            kind = plan.kind if plan.kind != "text" else "text"
            none = np.ones(n, bool)
            zeros = np.zeros(n, np.int64)
            num = (
                Num(zeros, np.ones(n, np.int64), np.zeros(n, bool), np.zeros(n, bool))
                if kind == "num"
                else None
            )
            return Col(
                kind, none, np.zeros(n, bool), num, zeros if kind in ("bool", "cat") else None, plan.vocab
            )
        if plan.kind == "cat":
            return Col(
                "cat",
                np.zeros(n, bool),
                np.zeros(n, bool),
                codes=np.full(n, plan.vocab.index(str(rule.default)), np.int64),
                vocab=plan.vocab,
            )
        return constant(rule.default, n)

    return make


def _step(step: Any) -> StepPlan:
    rounding = step.rounding
    return StepPlan(
        step.name,
        step.formula.parsed,
        rounding.places if rounding else None,
        rounding.mode if rounding else None,
    )


def _table(table: Any) -> TablePlan:
    grades: list[str] = []
    segments = []
    described: list[tuple[str, ...]] = []
    for segment in table.segments:
        bands = []
        for band in segment.bands:
            if band.grade not in grades:
                grades.append(band.grade)
            bands.append((band.grade, band.min, band.max, band.min_inclusive, band.max_inclusive))
        segments.append((segment.when.parsed if segment.when is not None else None, tuple(bands)))
        described.append(tuple(band.describe() for band in segment.bands))
    rounding = table.rounding
    return TablePlan(
        table.input,
        rounding.places if rounding else None,
        rounding.mode if rounding else None,
        tuple(segments),
        tuple(grades),
        {g: table.points.get(g) for g in grades},
        tuple(segment.name for segment in table.segments),
        tuple(described),
    )


def _check_chains(engine: Engine) -> bool:
    """Whether each clean employee's chain and record requirements must be reviewed one by one
    (with the per-record path's own review); False when there are none, or when, with no
    evaluation on record (a CSV file holds none), the review finds nothing for anyone.
    :class:`Unsupported` for chains that read formulas (confirmations, which need the sheet, are
    checked over the goal lines' columns: :mod:`.confirm`)."""
    rules = engine.chain_rules
    if rules is None:
        return False
    if engine.chains_read_formulas:
        raise Unsupported("evaluator chains reading formulas")
    # The review is run on a record without its goal lines: only requirements over the
    # employee's own fields (and formulas over those) are reviewed that way.
    employee = set(engine.policy.employee_blank) | {"id", "name"}
    for requirement in rules.requirements:
        fields = {
            *requirement.fields,
            *(p.field for p in requirement.parties),
            *(d.field for d in requirement.dates),
        }
        if not fields <= employee or not requirement.names <= employee:
            raise Unsupported(f"record requirement {requirement.id} reads more than the employee's fields")
    if rules.requirements or not rules.chains or any(c.when is not None for c in rules.chains):
        return True
    blank = EmployeeRecord("-", {}, (), {}, (), "-")
    reviewed = engine.review(blank, None)
    return reviewed is not None and bool(reviewed.problems)
