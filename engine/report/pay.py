"""Reports of ``hrpolicy pay`` in a registry: ``text`` (merit raises, incentive pool and shares with
the check "sum of shares = pool", promotion points, each with its explanation), ``json`` and ``csv``
(one row per employee).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.pay import IncentiveResult, PayReport
from engine.pay.mix import MixResult
from engine.report.diagnostics import format_text_line
from engine.report.jobeval import cell, jsonable
from engine.report.safety import csv_writer
from engine.report.table import render_table
from engine.report.xlsx import diagnostic_rows, xlsx_renderer


def share_check(result: IncentiveResult, unit: Decimal) -> str:
    """The check line: the shares add up to the paid pool, or how many units stay unpaid."""
    total = result.total
    if total == result.paid_pool:
        return f"sum of shares = pool: {total} = {result.paid_pool}"
    left = (result.paid_pool - total) / unit
    return f"sum of shares != pool: {total} != {result.paid_pool} ({left} units of {unit} not paid)"


def _name(report: PayReport, employee: str) -> str:
    return report.names.get(employee, "")


def _indent(table: str) -> list[str]:
    return ["  " + row for row in table.splitlines()]


def _merit_text(report: PayReport) -> list[str]:
    rows = [[m.employee, _name(report, m.employee), cell(m.zone), cell(m.value)] for m in report.merit]
    out = [
        "merit raise (%)",
        *_indent(render_table(["id", "name", "zone", "raise"], rows, [False, False, False, True])),
    ]
    for m in report.merit:
        out.append(f"  {m.employee} {_name(report, m.employee)}".rstrip() + ":")
        out += [f"    {m.zone_explanation}"] if m.zone_explanation else []
        out += [f"    {line}" for line in m.explanation]
    return out


def _incentive_text(report: PayReport, result: IncentiveResult) -> list[str]:
    out = [f"incentive ({report.currency})"]
    rows = [
        [s.employee, _name(report, s.employee), cell(s.individual), cell(s.exact), cell(s.amount)]
        for s in result.shares
    ]
    headers = ["id", "name", "individual", "exact share", "amount"]
    out += _indent(render_table(headers, rows, [False, False, True, True, True])) if rows else []
    out += ["  explanation:"] + [f"    {line}" for line in result.trace]
    out.append("  " + share_check(result, report.incentive_unit))
    return out


def _mix_text(report: PayReport, mix: MixResult) -> list[str]:
    rows = [[t.employee, _name(report, t.employee), cell(t.held), cell(t.target)] for t in mix.targets]
    out = [f"pay mix target: {mix.component} ({report.currency})"]
    out += _indent(render_table(["id", "name", "held", mix.component], rows, [False, False, True, True]))
    out += [f"  {t.employee}: {t.explanation}" for t in mix.targets]
    out.append(f"  total {mix.component} = {mix.total}")
    return out


def _promotion_text(report: PayReport) -> list[str]:
    rows = [
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
    headers = ["id", "name", "grade points", "deduction %", "deduction", "bonuses", "total"]
    out = [
        "promotion points",
        *_indent(render_table(headers, rows, [False, False, True, True, True, True, True])),
    ]
    for p in report.promotion:
        out.append(f"  {p.id} {_name(report, p.id)}".rstrip() + ":")
        out += [f"    {line}" for line in p.trace]
    return out


def _bonus_text(report: PayReport) -> list[str]:
    rows = [[b.employee, _name(report, b.employee), cell(b.amount)] for b in report.bonus]
    out = [f"bonus ({report.currency})"]
    out += _indent(render_table(["id", "name", "bonus"], rows, [False, False, True]))
    out += [f"  {b.employee}: {line}" for b in report.bonus for line in b.explanation]
    total = sum((b.amount for b in report.bonus if b.amount is not None), Decimal(0))
    out.append(f"  total bonus = {total}")
    return out


def render_text(report: PayReport) -> str:
    """Each declared section with its table and explanation lines, then the problems."""
    shown = ", ".join(f"{k} = {cell(v)}" for k, v in report.parameters.items())
    count = len(report.employees)
    out = [
        f"policy {report.policy}: pay for {count} employee{'s' if count != 1 else ''} from {report.data}",
        f"parameters: {shown or '-'}",
    ]
    if report.merit:
        out += ["", *_merit_text(report)]
    if report.incentive is not None:
        out += ["", *_incentive_text(report, report.incentive)]
    if report.promotion:
        out += ["", *_promotion_text(report)]
    if report.mix is not None:
        out += ["", *_mix_text(report, report.mix)]
    if report.bonus:
        out += ["", *_bonus_text(report)]
    if report.grade_changes:
        out += ["", "grade changes"]
        for c in report.grade_changes:
            who = f"  {c.employee} {_name(report, c.employee)}".rstrip()
            out.append(f"{who}: {c.kind} {c.before} -> {c.after}")
            out += [f"    {line}" for line in (*c.explanation, *(f"problem: {p}" for p in c.problems))]
    if report.problems:
        out += ["", "problems:"] + [
            "  " + format_text_line(d).replace("\n", "\n  ") for d in report.problems
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
    payload = {
        "policy": report.policy,
        "data": report.data,
        "currency": report.currency,
        "parameters": jsonable(report.parameters),
        "merit": [
            {
                "employee": m.employee,
                "name": _name(report, m.employee),
                "zone": m.zone,
                "zone_explanation": m.zone_explanation,
                "raise": jsonable(m.value),
                "explanation": list(m.explanation),
            }
            for m in report.merit
        ],
        "incentive": _incentive_dict(report, report.incentive) if report.incentive is not None else None,
        "promotion": [
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
        ],
        "mix": None
        if report.mix is None
        else {
            "component": report.mix.component,
            "targets": [
                {"employee": t.employee, "held": jsonable(t.held), "target": jsonable(t.target),
                 "explanation": t.explanation}
                for t in report.mix.targets
            ],
            "total": jsonable(report.mix.total),
        },
        "grade_changes": [
            {"employee": c.employee, "kind": c.kind, "before": c.before, "after": c.after,
             "explanation": list(c.explanation), "problems": list(c.problems)}
            for c in report.grade_changes
        ],
        "bonus": [
            {"employee": b.employee, "name": _name(report, b.employee), "amount": jsonable(b.amount),
             "explanation": list(b.explanation)}
            for b in report.bonus
        ],
        "problems": [d.to_dict() for d in report.problems],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def render_csv(report: PayReport) -> str:
    """One row per employee; a cell is empty where a section does not apply or had a problem."""
    merit = {m.employee: m for m in report.merit}
    shares = {s.employee: s for s in report.incentive.shares} if report.incentive else {}
    promotion = {p.id: p for p in report.promotion}
    bonus = {b.employee: b for b in report.bonus}
    extra = ["bonus"] if report.bonus else []  # a policy without a bonus keeps its columns
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(
        [
            "id",
            "name",
            "zone",
            "merit_raise",
            "incentive_individual",
            "incentive_amount",
            "promotion_grade_points",
            "promotion_deduction",
            "promotion_total",
            *extra,
        ]
    )
    for emp in report.employees:
        m, s, p = merit.get(emp), shares.get(emp), promotion.get(emp)
        writer.writerow(
            [
                emp,
                _name(report, emp),
                cell(m.zone) if m else "",
                cell(m.value) if m else "",
                cell(s.individual) if s else "",
                cell(s.amount) if s else "",
                cell(p.grade_points) if p else "",
                cell(p.deduction) if p else "",
                cell(p.total) if p else "",
                *([cell(bonus[emp].amount) if emp in bonus else ""] if extra else []),
            ]
        )
    return buffer.getvalue()


RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "xlsx": xlsx_renderer(render_csv, lambda report: diagnostic_rows(report.problems)),
}
