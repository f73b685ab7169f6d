"""Names that must point at something declared elsewhere in the policy (``ref-unknown``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from engine.checks.context import CheckContext, did_you_mean, entries, mapping, sequence, where
from engine.formula import RECORD_FIELDS
from engine.location import Path


def unknown(ctx: CheckContext, path: Path, name: Any, known: Collection[str], kind: str, plural: str) -> None:
    """Report ``name`` (at ``path``) unless it is one of ``known``."""
    if name is None or str(name) in known:
        return
    ctx.report(
        path,
        "ref-unknown",
        f"unknown {kind} '{name}' in {where(path)}",
        suggestion=did_you_mean(str(name), known, plural),
    )


class Names:
    """The declared names references may point at."""

    def __init__(self, data: Any) -> None:
        inputs = mapping(data.get("inputs"))
        formulas = mapping(data.get("formulas"))
        self.scales = set(mapping(data.get("scales")))
        self.tables = set(mapping(data.get("tables")))
        self.employee_fields = set(mapping(inputs.get("employee"))) | set(RECORD_FIELDS)
        self.indicator_fields = set(mapping(inputs.get("indicator")))
        self.parameters = set(mapping(inputs.get("parameters")))
        self.employee_formulas = set(mapping(formulas.get("employee")))
        self.indicator_formulas = set(mapping(formulas.get("indicator")))
        self.employee_values = self.employee_fields | self.employee_formulas


def check_references(ctx: CheckContext) -> None:
    """Every reference in the policy names a declared scale, table, field, formula, stage, ..."""
    data, names = ctx.data, Names(ctx.data)
    for level, fields in entries(data.get("inputs")):
        for name, spec in entries(fields):
            unknown(ctx, ("inputs", level, name, "scale"), spec.get("scale"), names.scales, "scale", "scales")
    for name, table in entries(data.get("grade_tables")):
        unknown(ctx, ("grade_tables", name, "scale"), table.get("scale"), names.scales, "scale", "scales")
        graded = names.employee_values | names.indicator_fields | names.indicator_formulas | names.parameters
        unknown(
            ctx,
            ("grade_tables", name, "input"),
            table.get("input"),
            graded,
            "formula or field",
            "formulas or fields",
        )
    for name, dist in entries(data.get("distributions")):
        _check_distribution(ctx, ("distributions", name), dist, names)
    stages = {
        str(mapping(s).get("id"))
        for _, c in entries(data.get("evaluator_chains"))
        for s in sequence(c.get("stages"))
    }
    for name, confirmation in entries(data.get("confirmations")):
        requires = mapping(confirmation.get("requires"))
        stage = requires.get("stage")
        unknown(ctx, ("confirmations", name, "requires", "stage"), stage, stages, "evaluator stage", "stages")
        signed = requires.get("field")
        where_signed = ("confirmations", name, "requires", "field")
        unknown(ctx, where_signed, signed, names.indicator_fields, "indicator field", "indicator fields")
    _check_requirements(ctx, names, stages)
    periods = mapping(data.get("periods"))
    unknown(
        ctx,
        ("periods", "blend"),
        periods.get("blend"),
        names.employee_formulas,
        "employee formula",
        "employee formulas",
    )
    final = mapping(mapping(data.get("job_evaluation")).get("final_grade"))
    committees = set(mapping(data.get("committees")))
    decider = final.get("decided_by")
    at: Path = ("job_evaluation", "final_grade", "decided_by")
    unknown(ctx, at, decider, committees, "committee", "committees")
    _check_pay(ctx, names)
    _check_indicator_rules(ctx, names)
    declared = {n for n, spec in entries(periods) if isinstance(spec, dict)}
    for name in sorted(declared):
        for i, rule in enumerate(sequence(mapping(periods[name]).get("missing"))):
            path: Path = ("periods", name, "missing", i, "use_period")
            others = declared - {name}
            unknown(ctx, path, mapping(rule).get("use_period"), others, "other period", "other periods")
    _check_workflows(ctx, {n for n, _ in entries(periods)})
    _check_chains(ctx, names, declared)


def _check_chains(ctx: CheckContext, names: Names, periods: set[str]) -> None:
    """A chain's ``period`` is a declared period; a stage's ``field`` an employee field."""
    for name, chain in entries(ctx.data.get("evaluator_chains")):
        at: Path = ("evaluator_chains", name, "period")
        unknown(ctx, at, chain.get("period"), periods, "period", "periods")
        for i, stage in enumerate(sequence(chain.get("stages"))):
            path: Path = ("evaluator_chains", name, "stages", i, "field")
            signed = mapping(stage).get("field")
            unknown(ctx, path, signed, names.employee_fields, "employee field", "employee fields")


def _check_requirements(ctx: CheckContext, names: Names, stages: Collection[str]) -> None:
    """Each record requirement names declared employee fields (dates: date fields) and stages."""
    employee = mapping(mapping(ctx.data.get("inputs")).get("employee"))
    dates = {n for n, spec in entries(employee) if spec.get("type") == "date"}
    fields = "employee field", "employee fields"
    for name, requirement in entries(ctx.data.get("record_requirements")):
        base: Path = ("record_requirements", name)
        for i, field in enumerate(sequence(requirement.get("fields"))):
            unknown(ctx, (*base, "fields", i), field, names.employee_fields, *fields)
        for i, party in enumerate(sequence(requirement.get("parties"))):
            signer = mapping(party).get("field")
            unknown(ctx, (*base, "parties", i, "field"), signer, names.employee_fields, *fields)
            stage = mapping(party).get("stage")
            unknown(ctx, (*base, "parties", i, "stage"), stage, stages, "evaluator stage", "stages")
        for field, rule in entries(requirement.get("dates")):
            unknown(ctx, (*base, "dates", field), field, dates, "date field", "employee date fields")
            after = mapping(rule).get("after")
            unknown(ctx, (*base, "dates", field, "after"), after, dates, "date field", "employee date fields")


def _check_distribution(ctx: CheckContext, base: Path, dist: Any, names: Names) -> None:
    scales = mapping(ctx.data.get("scales"))
    unknown(ctx, (*base, "scale"), dist.get("scale"), names.scales, "scale", "scales")
    unknown(
        ctx,
        (*base, "score"),
        dist.get("score"),
        names.employee_values,
        "employee formula or field",
        "employee formulas or fields",
    )
    group_by = [str(g) for g in sequence(dist.get("group_by"))]
    for i, field in enumerate(group_by):
        unknown(
            ctx, (*base, "group_by", i), field, names.employee_fields, "employee field", "employee fields"
        )
    for i, field in enumerate(sequence(mapping(dist.get("merge")).get("keep"))):
        unknown(ctx, (*base, "merge", "keep", i), field, group_by, "group_by field", "group_by fields")
    for i, tie in enumerate(sequence(dist.get("ties"))):
        unknown(
            ctx,
            (*base, "ties", i, "field"),
            mapping(tie).get("field"),
            names.employee_values,
            "employee formula or field",
            "employee formulas or fields",
        )
    if dist.get("scale") in scales:
        codes = {
            str(mapping(lv).get("code")) for lv in sequence(mapping(scales[dist["scale"]]).get("levels"))
        }
        for part in ("quotas", "tolerance"):
            for grade in mapping(dist.get(part)):
                path: Path = (*base, part, grade)
                if str(grade) not in codes:
                    ctx.report(
                        path,
                        "ref-unknown",
                        f"unknown grade '{grade}' in {where(path)}: not a level of scale '{dist['scale']}'",
                        suggestion=did_you_mean(str(grade), codes, f"levels of scale '{dist['scale']}'"),
                        key=True,
                    )


def _check_pay(ctx: CheckContext, names: Names) -> None:
    pay = mapping(ctx.data.get("pay"))
    merit, promotion = mapping(pay.get("merit")), mapping(pay.get("promotion"))
    unknown(ctx, ("pay", "merit", "table"), merit.get("table"), names.tables, "table", "tables")
    unknown(
        ctx,
        ("pay", "merit", "base_rate"),
        merit.get("base_rate"),
        names.parameters,
        "parameter",
        "parameters",
    )
    unknown(
        ctx,
        ("pay", "promotion", "points_table"),
        promotion.get("points_table"),
        names.tables,
        "table",
        "tables",
    )


def _check_indicator_rules(ctx: CheckContext, names: Names) -> None:
    rules = mapping(ctx.data.get("indicator_rules"))
    fields = names.indicator_fields
    base: Path = ("indicator_rules",)
    categories = dict(entries(rules.get("categories")))
    if categories:
        _check_categories(ctx, rules.get("category_field", "category"), set(categories), names)
    _check_kinds(ctx, rules.get("kind_field", "kind"), categories, names)
    for name, category in categories.items():
        allowed = [str(k) for k in sequence(category.get("kinds"))]
        for i, fixed in enumerate(sequence(category.get("fixed"))):
            if allowed and "kind" in mapping(fixed):
                path: Path = (*base, "categories", name, "fixed", i, "kind")
                unknown(
                    ctx,
                    path,
                    fixed["kind"],
                    allowed,
                    f"kind of category '{name}'",
                    f"kinds of category '{name}'",
                )
    if "weight" in rules:
        unknown(
            ctx,
            (*base, "weight", "field"),
            mapping(rules["weight"]).get("field", "weight"),
            fields,
            "indicator field",
            "indicator fields",
        )
    if "difficulty" in rules:
        field = mapping(rules["difficulty"]).get("field", "difficulty")
        unknown(ctx, (*base, "difficulty", "field"), field, fields, "indicator field", "indicator fields")
    for i, field in enumerate(sequence(rules.get("required_fields"))):
        unknown(ctx, (*base, "required_fields", i), field, fields, "indicator field", "indicator fields")
    for i, rule in enumerate(sequence(rules.get("required_when"))):
        for j, field in enumerate(sequence(mapping(rule).get("fields"))):
            at: Path = (*base, "required_when", i, "fields", j)
            unknown(ctx, at, field, fields, "indicator field", "indicator fields")
    for i, exception in enumerate(sequence(rules.get("exceptions"))):
        for key in mapping(mapping(exception).get("relax")):
            section = str(key).split("_")[0]  # weight_max relaxes the weight band, count_min the count
            if section not in rules:
                ctx.report(
                    (*base, "exceptions", i, "relax", key),
                    "ref-unknown",
                    f"exception '{mapping(exception).get('id')}' relaxes {key}, but indicator_rules declares "
                    f"no {section}",
                    suggestion=f"declare indicator_rules.{section} or drop {key}",
                    key=True,
                )


def _enum_values(ctx: CheckContext, field: Any) -> list[str] | None:
    """The allowed values of an enum indicator field (``None`` for any other type)."""
    spec = mapping(mapping(mapping(ctx.data.get("inputs")).get("indicator")).get(field))
    return [str(v) for v in sequence(spec.get("values"))] if spec.get("type") == "enum" else None


def _check_categories(ctx: CheckContext, field: Any, declared: set[str], names: Names) -> None:
    """The category field's values and the declared categories are the same set."""
    path: Path = ("indicator_rules", "category_field")
    if str(field) not in names.indicator_fields:
        unknown(ctx, path, field, names.indicator_fields, "indicator field", "indicator fields")
        return
    values = _enum_values(ctx, field)
    if values is None:
        return
    for i, value in enumerate(values):
        if value not in declared:
            ctx.report(
                ("inputs", "indicator", str(field), "values", i),
                "ref-unknown",
                f"category '{value}' of indicator field '{field}' is not declared in "
                "indicator_rules.categories",
                suggestion="declare the category or remove it from the field's values",
            )
    for value in sorted(declared - set(values)):
        ctx.report(
            ("indicator_rules", "categories", value),
            "ref-unknown",
            f"category '{value}' is not one of the values of indicator field '{field}'",
            suggestion=did_you_mean(value, values, f"values of '{field}'"),
            key=True,
        )


def _check_kinds(ctx: CheckContext, field: Any, categories: dict[str, Any], names: Names) -> None:
    """Every kind a category allows is a value of the kind field."""
    used = [
        (name, i, str(k)) for name, c in categories.items() for i, k in enumerate(sequence(c.get("kinds")))
    ]
    if not used:
        return
    if str(field) not in names.indicator_fields:
        path: Path = ("indicator_rules", "kind_field")
        unknown(ctx, path, field, names.indicator_fields, "indicator field", "indicator fields")
        return
    values = _enum_values(ctx, field)
    if values is None:
        return
    for name, i, kind in used:
        path = ("indicator_rules", "categories", name, "kinds", i)
        unknown(
            ctx, path, kind, values, f"kind (a value of indicator field '{field}')", f"values of '{field}'"
        )


def _check_workflows(ctx: CheckContext, periods: set[str]) -> None:
    workflows = mapping(ctx.data.get("workflows"))
    changes = mapping(workflows.get("goal_changes"))
    reasons = {str(mapping(r).get("id")) for r in sequence(changes.get("reasons"))}
    for i, window in enumerate(sequence(changes.get("windows"))):
        for j, reason in enumerate(sequence(mapping(window).get("reasons"))):
            path: Path = ("workflows", "goal_changes", "windows", i, "reasons", j)
            unknown(ctx, path, reason, reasons, "goal-change reason", "goal-change reasons")
    for i, period in enumerate(sequence(mapping(workflows.get("objections")).get("periods"))):
        unknown(ctx, ("workflows", "objections", "periods", i), period, periods, "period", "periods")
