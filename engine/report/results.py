"""Result renderers in a registry: ``text`` (aligned table), ``json`` (with traces), ``csv``.

Decimals are written with their exact text (in JSON as strings, so no reader turns 0.3 into
0.30000000000000004).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.evaluate import EmployeeResult
from engine.report.table import render_table
from engine.run import Problem, RunOutcome


def _columns(outcome: RunOutcome) -> list[str]:
    policy = outcome.policy
    names = [s.name for s in policy.employee_steps]
    if policy.blend and policy.blend not in names:
        names.append(policy.blend)
    for table in policy.grade_tables:
        names.append(table.name)
        if table.points:
            names.append(f"{table.name}_points")
    names.extend(outcome.relative)
    return names


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def result_row(result: EmployeeResult, columns: list[str], outcome: RunOutcome) -> list[str]:
    row = [result.id, result.name or ""]
    for name in columns:
        if name in outcome.relative:
            row.append(_cell(outcome.relative[name].grade_of(result.id)))
        elif name in result.grades:
            row.append(_cell(result.grades[name].grade))
        elif name.endswith("_points") and name[: -len("_points")] in result.grades:
            row.append(_cell(result.grades[name[: -len("_points")]].points))
        else:
            row.append(_cell(result.values.get(name)))
    return row


def format_problem(p: Problem, severity: str = "error") -> str:
    where = f"{p.employee_id}" if p.employee_id else "file"
    if p.indicator is not None:
        where += f" indicator {p.indicator}"
    return f"{p.origin}: {where}: {severity} [{p.rule}] {p.message}"


def render_text(outcome: RunOutcome) -> str:
    columns = _columns(outcome)
    rows = [result_row(r, columns, outcome) for r in outcome.results]
    numeric = [False, False] + [
        bool(rows) and all(_is_number(row[i + 2]) for row in rows) for i in range(len(columns))
    ]
    text = f"policy {outcome.policy.id}: {len(outcome.results)} evaluated"
    text += f", {len(outcome.failed_employees)} with problems\n\n"
    text += render_table(["id", "name", *columns], rows, numeric)
    if outcome.problems:
        text += "\nproblems:\n" + "".join(f"  {format_problem(p)}\n" for p in outcome.problems)
    if outcome.warnings:
        text += "\nwarnings:\n" + "".join(f"  {format_problem(p, 'warning')}\n" for p in outcome.warnings)
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return text != ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def result_dict(result: EmployeeResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "name": result.name,
        "values": {k: _jsonable(v) for k, v in result.values.items()},
        "grades": {
            name: {
                "grade": g.grade,
                "value": str(g.value),
                "rounded": str(g.rounded),
                "segment": g.segment,
                "band": g.band.describe() if g.band else None,
                "points": _jsonable(g.points),
            }
            for name, g in result.grades.items()
        },
        "indicators": [{k: _jsonable(v) for k, v in row.items()} for row in result.indicators],
        **({"trace": [{"kind": t.kind, "subject": t.subject, "text": t.text} for t in result.trace]}
           if result.trace else {}),
    }


def relative_dict(outcome: RunOutcome, employee: str) -> dict[str, Any]:
    """Each distribution's grade, rank and reason for one employee."""
    out: dict[str, Any] = {}
    for name, result in outcome.relative.items():
        member = result.outcome(employee)
        if member is not None:
            out[name] = {
                "grade": member.grade, "rank": member.rank, "size": member.size, "reason": member.reason
            }
    return out


def render_json(outcome: RunOutcome) -> str:
    payload = {
        "policy": outcome.policy.id,
        "evaluated": len(outcome.results),
        "failed": outcome.failed_employees,
        "results": [
            {**result_dict(r), "relative": relative_dict(outcome, r.id)} for r in outcome.results
        ],
        "warnings": [
            {"employee": p.employee_id, "rule": p.rule, "message": p.message, "origin": p.origin}
            for p in outcome.warnings
        ],
        "problems": [
            {"employee": p.employee_id, "indicator": p.indicator, "rule": p.rule, "message": p.message,
             "origin": p.origin}
            for p in outcome.problems
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def render_csv(outcome: RunOutcome) -> str:
    columns = _columns(outcome)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name", *columns])
    writer.writerows(result_row(r, columns, outcome) for r in outcome.results)
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[RunOutcome], str]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
}


def render_explain(result: EmployeeResult) -> str:
    """The full trace of one employee, grouped by subject, for ``hrpolicy explain``."""
    lines = [f"employee {result.id}" + (f" ({result.name})" if result.name else "")]
    subject = None
    for line in result.trace:
        if line.subject != subject:
            subject = line.subject
            lines.append(f"  {subject}:")
        lines.append(f"    [{line.kind}] {line.text}")
    return "\n".join(lines) + "\n"
