"""Result renderers in a registry: ``text`` (aligned table), ``json`` (with traces), ``csv``.

Decimals are written with their exact text (in JSON as strings, so no reader turns 0.3 into
0.30000000000000004).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from engine.errors import Problem
from engine.evaluate import EmployeeResult, RunOutcome
from engine.evaluate.parallel import FlatPiece, SplitRenderer
from engine.report.html import render_html
from engine.report.safety import csv_writer
from engine.report.table import render_table


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


def report_columns(outcome: RunOutcome) -> list[str]:
    """The columns after ``id`` and ``name`` in the text and CSV reports."""
    return _columns(outcome)


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


#: How :func:`flat_row` fills each column: (0, i) the i-th employee formula value, (1, t) grade
#: table t's grade, (2, t) its points, (3, 0) nothing.
FlatPlan = tuple[tuple[int, int], ...]


def flat_plan(outcome: RunOutcome) -> FlatPlan | None:
    """What :func:`result_row` would put in each column, as :func:`flat_row` reads it.

    None when a column needs more than the employee's own values and grades (a relative grade
    or a period blend): those rows come from full results.
    """
    policy = outcome.policy
    if outcome.relative or policy.blend:
        return None
    tables = [t.name for t in policy.grade_tables]
    names = list(policy.employee_names)
    plan: list[tuple[int, int]] = []
    for name in _columns(outcome):  # the precedence of result_row: grade, points, value
        if name in tables:
            plan.append((1, tables.index(name)))
        elif name.endswith("_points") and name[: -len("_points")] in tables:
            plan.append((2, tables.index(name[: -len("_points")])))
        elif name in names:
            plan.append((0, names.index(name)))
        else:
            plan.append((3, 0))
    return tuple(plan)


def flat_row(
    employee_id: str,
    name: str | None,
    values: tuple[Any, ...],
    grades: tuple[tuple[str | None, Any], ...],
    plan: FlatPlan,
) -> list[str]:
    """:func:`result_row` from :func:`engine.evaluate.employee.evaluate_flat`'s values: the same cells."""
    row = [employee_id, name or ""]
    for kind, index in plan:
        if kind == 0:
            row.append(_cell(values[index]))
        elif kind == 3:
            row.append("")
        else:
            row.append(_cell(grades[index][kind - 1]))
    return row


def csv_rows(rows: Iterable[list[str]]) -> str:
    """CSV lines without the header, exactly as :func:`render_csv` writes them."""
    buffer = io.StringIO()
    csv_writer(buffer).writerows(rows)
    return buffer.getvalue()


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


def render_relative(outcome: RunOutcome, employee: str) -> str:
    """The ``relative:`` block of ``explain``: each distribution's grade and why (group, rank,
    seats, and the merge path of a group formed higher up the org tree)."""
    found = relative_dict(outcome, employee)
    if not found:
        return ""
    lines = ["  relative:"]
    for name, item in found.items():
        lines.append(f"    [relative] {name} = {item['grade'] or 'not graded'}: {item['reason']}")
    return "".join(line + "\n" for line in lines)


def json_result(result: EmployeeResult, outcome: RunOutcome) -> str:
    """One result as :func:`render_json` writes it in its ``results`` list (so indented)."""
    item = {**result_dict(result), "relative": relative_dict(outcome, result.id)}
    # json.dumps puts every nested line on its own line and escapes newlines inside strings,
    # so indenting each line gives what dumping the whole report would.
    return "    " + json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")


def render_json_parts(outcome: RunOutcome, evaluated: int, results: list[str]) -> str:
    """The JSON report around results already rendered by :func:`json_result`, in order.

    ``evaluated`` is their number; the rest (failed, warnings, problems) comes from ``outcome``.
    """
    payload = {
        "policy": outcome.policy.id,
        "evaluated": evaluated,
        "failed": outcome.failed_employees,
        "results": [],
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
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    if results:  # a raw newline is never inside a JSON string: this is the top-level key
        listed = '\n  "results": [\n' + ",\n".join(results) + "\n  ],\n"
        text = text.replace('\n  "results": [],\n', listed, 1)
    return text + "\n"


def render_json(outcome: RunOutcome) -> str:
    results = [json_result(r, outcome) for r in outcome.results]
    return render_json_parts(outcome, len(results), results)


def render_csv(outcome: RunOutcome) -> str:
    columns = _columns(outcome)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["id", "name", *columns])
    writer.writerows(result_row(r, columns, outcome) for r in outcome.results)
    return buffer.getvalue()


def render_page(outcome: RunOutcome) -> str:
    """The same table as the text report, as a self-contained HTML page."""
    columns = _columns(outcome)
    rows = [result_row(r, columns, outcome) for r in outcome.results]
    return render_html(outcome, ["id", "name", *columns], rows)


RENDERERS: dict[str, Callable[[RunOutcome], str]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
}


def _csv_flat(outcome: RunOutcome) -> FlatPiece | None:
    plan = flat_plan(outcome)
    if plan is None:
        return None
    return lambda employee, name, values, grades: flat_row(employee, name, values, grades, plan)


def _csv_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    return render_csv(outcome) + "".join(texts)  # no results in the outcome: the header line only


def _json_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    return render_json_parts(outcome, evaluated, [text for text in texts if text])


#: Formats that worker processes render in parts (:mod:`engine.evaluate.parallel`), each
#: byte for byte what :data:`RENDERERS` writes; a format left out is rendered by one process.
SPLIT_RENDERERS: dict[str, SplitRenderer] = {
    "csv": SplitRenderer(
        piece=lambda result, outcome: result_row(result, report_columns(outcome), outcome),
        join=csv_rows,
        merge=_csv_merge,
        flat=_csv_flat,
    ),
    "json": SplitRenderer(piece=json_result, join=",\n".join, merge=_json_merge),
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


def render_explained(outcome: RunOutcome) -> str:
    """``explain``'s text: the employee's trace, then its relative grades."""
    result = outcome.results[0]
    return render_explain(result) + render_relative(outcome, result.id)


def render_explained_json(outcome: RunOutcome) -> str:
    """Every value, grade, indicator row and trace line of the employee, and its relative grades."""
    result = outcome.results[0]
    item = {**result_dict(result), "relative": relative_dict(outcome, result.id)}
    return json.dumps(item, ensure_ascii=False, indent=2) + "\n"


#: ``hrpolicy explain``: the run of one employee (``outcome.results[0]``).
EXPLAIN_RENDERERS: dict[str, Callable[[RunOutcome], str]] = {
    "text": render_explained,
    "json": render_explained_json,
}
