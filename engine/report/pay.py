"""Reports of ``hrpolicy pay`` in a registry: ``text`` (merit raises, incentive pool and shares with
the check "sum of shares = pool", promotion points, each with its explanation), ``json`` and ``csv``
(one row per employee).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from engine.pay import IncentiveResult, PayReport
from engine.pay.mix import MixResult
from engine.report.diagnostics import format_text_line
from engine.report.html import Count, PageTable, chart, diagnostic_notes, render_tables_page
from engine.report.jobeval import cell, jsonable
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.safety import csv_writer
from engine.report.table import render_table
from engine.report.xlsx import diagnostic_rows, xlsx_renderer


def share_check(result: IncentiveResult, unit: Decimal, labels: Labels | None = None) -> str:
    """The check line: the shares add up to the paid pool, or how many units stay unpaid."""
    labels = labels or Labels({})
    total = result.total
    if total == result.paid_pool:
        return labels.say("shares_ok", total=total, pool=result.paid_pool)
    left = (result.paid_pool - total) / unit
    return labels.say("shares_short", total=total, pool=result.paid_pool, left=left, unit=unit)


def _name(report: PayReport, employee: str) -> str:
    return report.names.get(employee, "")


def _indent(table: str) -> list[str]:
    return ["  " + row for row in table.splitlines()]


def _heads(labels: Labels, *columns: tuple[str, str]) -> list[str]:
    return [labels.column(key, english) for key, english in columns]


def merit_rows(report: PayReport) -> list[list[str]]:
    """id, name, zone, raise per employee with a merit raise."""
    return [[m.employee, _name(report, m.employee), cell(m.zone), cell(m.value)] for m in report.merit]


def _merit_text(report: PayReport, labels: Labels) -> list[str]:
    heads = _heads(labels, ("id", "id"), ("name", "name"), ("zone", "zone"), ("raise", "raise"))
    out = [labels.say("merit_title"), *_indent(render_table(heads, merit_rows(report), MERIT_NUMERIC))]
    for m in report.merit:
        out.append(f"  {m.employee} {_name(report, m.employee)}".rstrip() + ":")
        out += [f"    {m.zone_explanation}"] if m.zone_explanation else []
        out += [f"    {line}" for line in m.explanation]
    return out


MERIT_NUMERIC = [False, False, False, True]
INCENTIVE_COLUMNS = (
    ("id", "id"), ("name", "name"), ("individual", "individual"), ("exact_share", "exact share"),
    ("amount", "amount"),
)  # fmt: skip
INCENTIVE_NUMERIC = [False, False, True, True, True]


def incentive_rows(report: PayReport, result: IncentiveResult) -> list[list[str]]:
    """id, name, individual, exact share, amount per share of the pool."""
    return [
        [s.employee, _name(report, s.employee), cell(s.individual), cell(s.exact), cell(s.amount)]
        for s in result.shares
    ]


def _incentive_text(report: PayReport, result: IncentiveResult, labels: Labels) -> list[str]:
    out = [labels.say("incentive_title", currency=report.currency)]
    rows = incentive_rows(report, result)
    headers = _heads(labels, *INCENTIVE_COLUMNS)
    out += _indent(render_table(headers, rows, INCENTIVE_NUMERIC)) if rows else []
    out += ["  " + labels.say("explanation")] + [f"    {line}" for line in result.trace]
    out.append("  " + share_check(result, report.incentive_unit, labels))
    return out


def _mix_text(report: PayReport, mix: MixResult, labels: Labels) -> list[str]:
    rows = [[t.employee, _name(report, t.employee), cell(t.held), cell(t.target)] for t in mix.targets]
    out = [labels.say("mix_title", component=mix.component, currency=report.currency)]
    heads = [*_heads(labels, ("id", "id"), ("name", "name"), ("held", "held")), mix.component]
    out += _indent(render_table(heads, rows, [False, False, True, True]))
    out += [f"  {t.employee}: {t.explanation}" for t in mix.targets]
    out.append("  " + labels.say("mix_total", component=mix.component, total=mix.total))
    return out


PROMOTION_COLUMNS = (
    ("id", "id"), ("name", "name"), ("grade_points", "grade points"), ("deduction_percent", "deduction %"),
    ("deduction", "deduction"), ("bonuses", "bonuses"), ("total", "total"),
)  # fmt: skip
PROMOTION_NUMERIC = [False, False, True, True, True, True, True]


def promotion_rows(report: PayReport) -> list[list[str]]:
    """id, name, grade points, deduction %, deduction, bonuses, total per employee."""
    return [
        [
            p.id,
            _name(report, p.id),
            cell(p.grade_points),
            cell(p.deduction_percent),
            cell(p.deduction),
            cell(sum(p.bonuses.values(), Decimal(0))),
            cell(p.total),
        ]
        for p in report.promotion
    ]


def _promotion_text(report: PayReport, labels: Labels) -> list[str]:
    table = render_table(_heads(labels, *PROMOTION_COLUMNS), promotion_rows(report), PROMOTION_NUMERIC)
    out = [labels.say("promotion_title"), *_indent(table)]
    for p in report.promotion:
        out.append(f"  {p.id} {_name(report, p.id)}".rstrip() + ":")
        out += [f"    {line}" for line in p.trace]
    return out


def bonus_rows(report: PayReport) -> list[list[str]]:
    """id, name, bonus per employee (empty where a problem stopped it)."""
    return [[b.employee, _name(report, b.employee), cell(b.amount)] for b in report.bonus]


def _bonus_total(report: PayReport, labels: Labels) -> str:
    total = sum((b.amount for b in report.bonus if b.amount is not None), Decimal(0))
    return labels.say("bonus_total", total=total)


def _bonus_text(report: PayReport, labels: Labels) -> list[str]:
    out = [labels.say("bonus_title", currency=report.currency)]
    heads = _heads(labels, ("id", "id"), ("name", "name"), ("bonus", "bonus"))
    out += _indent(render_table(heads, bonus_rows(report), [False, False, True]))
    out += [f"  {b.employee}: {line}" for b in report.bonus for line in b.explanation]
    out.append("  " + _bonus_total(report, labels))
    return out


def _changes_text(report: PayReport, labels: Labels) -> list[str]:
    out = ["", labels.say("grade_changes")]
    for c in report.grade_changes:
        who = f"  {c.employee} {_name(report, c.employee)}".rstrip()
        out.append(f"{who}: {c.kind} {c.before} -> {c.after}")
        problems = (labels.say("problem_is", text=labels.message(p)) for p in c.problems)
        out += [f"    {line}" for line in (*c.explanation, *problems)]
    return out


def render_text(report: PayReport, labels: Labels | None = None, options: ReportOptions | None = None) -> str:
    """Each declared section with its table and explanation lines, then the problems."""
    labels = labels or Labels({})
    shown = ", ".join(f"{k} = {cell(v)}" for k, v in report.parameters.items())
    count = len(report.employees)
    policy = report.policy if labels.lang is None else labels.policy_name()
    s = "s" if count != 1 else ""
    out = [
        labels.say("pay_head", policy=policy, count=count, s=s, data=report.data),
        labels.say("parameters", shown=shown or "-"),
    ]
    if report.merit:
        out += ["", *_merit_text(report, labels)]
    if report.incentive is not None:
        out += ["", *_incentive_text(report, report.incentive, labels)]
    if report.promotion:
        out += ["", *_promotion_text(report, labels)]
    if report.mix is not None:
        out += ["", *_mix_text(report, report.mix, labels)]
    if report.bonus:
        out += ["", *_bonus_text(report, labels)]
    if report.grade_changes:
        out += _changes_text(report, labels)
    if report.problems:
        out += ["", labels.say("problems")] + [
            "  " + format_text_line(d, labels).replace("\n", "\n  ") for d in report.problems
        ]
    return "\n".join(out) + "\n"


def _incentive_dict(report: PayReport, result: IncentiveResult) -> dict[str, Any]:
    return {
        "eligible": result.eligible,
        "eligibility": [{"id": e.id, "passed": e.passed, "reason": e.reason} for e in result.eligibility],
        "pool": jsonable(result.pool),
        "paid_pool": jsonable(result.paid_pool),
        "shares": [
            {
                "employee": s.employee,
                "individual": jsonable(s.individual),
                "exact": jsonable(s.exact),
                "amount": jsonable(s.amount),
                **({"adjusted": jsonable(s.adjusted)} if s.adjusted is not None else {}),
                "extra_unit": s.extra_unit,
                "explanation": s.explanation,
            }
            for s in result.shares
        ],
        "total": jsonable(result.total),
        "check": share_check(result, report.incentive_unit),
        "trace": list(result.trace),
    }


def render_json(report: PayReport) -> str:
    """The pay report as JSON: each section's figures with their explanations, then the problems."""
    payload = {
        "policy": report.policy,
        "data": report.data,
        "currency": report.currency,
        "parameters": jsonable(report.parameters),
        "merit": _merit_dicts(report),
        "incentive": _incentive_dict(report, report.incentive) if report.incentive is not None else None,
        "promotion": _promotion_dicts(report),
        "mix": None if report.mix is None else _mix_dict(report.mix),
        "grade_changes": _change_dicts(report),
        "bonus": [
            {"employee": b.employee, "name": _name(report, b.employee), "amount": jsonable(b.amount),
             "explanation": list(b.explanation)}
            for b in report.bonus
        ],
        "problems": [d.to_dict() for d in report.problems],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _merit_dicts(report: PayReport) -> list[dict[str, Any]]:
    """Each merit raise as JSON: the employee, the zone and why, the raise and its explanation."""
    return [
        {
            "employee": m.employee,
            "name": _name(report, m.employee),
            "zone": m.zone,
            "zone_explanation": m.zone_explanation,
            "raise": jsonable(m.value),
            "explanation": list(m.explanation),
        }
        for m in report.merit
    ]


def _promotion_dicts(report: PayReport) -> list[dict[str, Any]]:
    """Each employee's promotion points as JSON, with the trace."""
    return [
        {
            "employee": p.id,
            "name": _name(report, p.id),
            "grade_points": jsonable(p.grade_points),
            "deduction_percent": jsonable(p.deduction_percent),
            "deduction": jsonable(p.deduction),
            "bonuses": jsonable(p.bonuses),
            "total": jsonable(p.total),
            "trace": list(p.trace),
        }
        for p in report.promotion
    ]


def _mix_dict(mix: MixResult) -> dict[str, Any]:
    """The pay-mix section as JSON: the component, each employee's held and target amount, the total."""
    return {
        "component": mix.component,
        "targets": [
            {
                "employee": t.employee,
                "held": jsonable(t.held),
                "target": jsonable(t.target),
                "explanation": t.explanation,
            }
            for t in mix.targets
        ],
        "total": jsonable(mix.total),
    }


def _change_dicts(report: PayReport) -> list[dict[str, Any]]:
    """Each grade change (promotion or demotion) as JSON, with its explanation and problems."""
    return [
        {
            "employee": c.employee,
            "kind": c.kind,
            "before": c.before,
            "after": c.after,
            "explanation": list(c.explanation),
            "problems": list(c.problems),
        }
        for c in report.grade_changes
    ]


CSV_COLUMNS = (
    "id", "name", "zone", "merit_raise", "incentive_individual", "incentive_amount",
    "promotion_grade_points", "promotion_deduction", "promotion_total",
)  # fmt: skip


def render_csv(report: PayReport, labels: Labels | None = None) -> str:
    """One row per employee; a cell is empty where a section does not apply or had a problem
    (``labels``: the same table whatever the language, its header aside)."""
    merit = {m.employee: m for m in report.merit}
    shares = {s.employee: s for s in report.incentive.shares} if report.incentive else {}
    promotion = {p.id: p for p in report.promotion}
    bonus = {b.employee: b for b in report.bonus}
    extra = ["bonus"] if report.bonus else []  # a policy without a bonus keeps its columns
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([*CSV_COLUMNS, *extra])
    for emp in report.employees:
        writer.writerow(
            [
                emp,
                _name(report, emp),
                *_cells(merit.get(emp), "zone", "value"),
                *_cells(shares.get(emp), "individual", "amount"),
                *_cells(promotion.get(emp), "grade_points", "deduction", "total"),
                *(_cells(bonus.get(emp), "amount") if extra else []),
            ]
        )
    return buffer.getvalue()


def _cells(item: object | None, *fields: str) -> list[str]:
    """The CSV cells of ``item``'s ``fields``, or as many empty cells when there is no item."""
    return [cell(getattr(item, name)) for name in fields] if item else [""] * len(fields)


def render_page(report: PayReport, labels: Labels | None = None, options: ReportOptions | None = None) -> str:
    """Pay as a page: counts, a chart of the merit zones, each declared section's table (the
    incentive with its check "sum of shares = pool"), the problems."""
    labels = labels or Labels({})
    heads = partial(_heads, labels)
    tables: list[PageTable] = []
    if report.merit:
        merit_heads = heads(("id", "id"), ("name", "name"), ("zone", "zone"), ("raise", "raise"))
        tables.append(PageTable(labels.say("merit_title"), merit_heads, merit_rows(report), MERIT_NUMERIC))
    if report.incentive is not None:
        result = report.incentive
        check = [share_check(result, report.incentive_unit, labels)]
        title = labels.say("incentive_title", currency=report.currency)
        rows = incentive_rows(report, result)
        tables.append(PageTable(title, heads(*INCENTIVE_COLUMNS), rows, INCENTIVE_NUMERIC, check))
    if report.promotion:
        title = labels.say("promotion_title")
        tables.append(PageTable(title, heads(*PROMOTION_COLUMNS), promotion_rows(report), PROMOTION_NUMERIC))
    if report.mix is not None:
        mix = report.mix
        rows = [[t.employee, _name(report, t.employee), cell(t.held), cell(t.target)] for t in mix.targets]
        title = labels.say("mix_title", component=mix.component, currency=report.currency)
        total = [labels.say("mix_total", component=mix.component, total=mix.total)]
        mix_heads = [*heads(("id", "id"), ("name", "name"), ("held", "held")), mix.component]
        tables.append(PageTable(title, mix_heads, rows, [False, False, True, True], total))
    if report.bonus:
        title = labels.say("bonus_title", currency=report.currency)
        bonus_heads = heads(("id", "id"), ("name", "name"), ("bonus", "bonus"))
        total_line = [_bonus_total(report, labels)]
        tables.append(PageTable(title, bonus_heads, bonus_rows(report), [False, False, True], total_line))
    troubled = len({d.subject for d in report.problems if d.subject in report.employees})
    counts = [
        Count("employees", labels.word("employees"), len(report.employees)),
        Count("failed", labels.word("with_problems"), troubled, bad=troubled > 0),
    ]
    zones = sorted(cell(m.zone) for m in report.merit if m.zone is not None)
    charts = [chart("zone", labels, zones, labels.column("zone", "zone"))] if zones else []
    return render_tables_page(
        labels, options, counts, tables, diagnostic_notes(report.problems, labels), charts
    )


RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
    "xlsx": xlsx_renderer(render_csv, lambda report: diagnostic_rows(report.problems)),
}
