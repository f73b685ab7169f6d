"""Result renderers in a registry: ``text`` (aligned table), ``json`` (with traces), ``csv``.

Decimals are written with their exact text (in JSON as strings, so no reader turns 0.3 into
0.30000000000000004).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.distribution import DistributionResult
from engine.errors import Problem
from engine.evaluate import EmployeeResult, RunOutcome
from engine.evaluate.parallel import DetailedPiece, FlatPiece, SplitRenderer
from engine.io.records import EmployeeRecord
from engine.report.columns import (
    CHAIN_GRADE,
    NO_BAND,
    Column,
    chain_grade,
    chain_graded,
    formatter,
    result_columns,
)
from engine.report.html import render_explained_page, render_html
from engine.report.jsontext import dumps
from engine.report.labels import Labels, policy_language
from engine.report.options import ReportOptions
from engine.report.phrases import ungraded
from engine.report.safety import csv_writer
from engine.report.table import write_table
from engine.report.xlsx import Sheet, problems_sheet, stamp_sheet, workbook_bytes


def _columns(outcome: RunOutcome) -> list[str]:
    return [c.key for c in result_columns(outcome)]


def report_columns(outcome: RunOutcome) -> list[str]:
    """The columns after ``id`` and ``name`` in the text and CSV reports."""
    return _columns(outcome)


@dataclass
class RowPlan:
    """How rows are made for one outcome: the columns, their formats, the labels, the records."""

    columns: list[Column]
    formats: list[Callable[[Any], str]]
    labels: Labels
    records: dict[str, EmployeeRecord]

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def headers(self) -> list[str]:
        """``id``, ``name`` and the columns, by their labels in the plan's language."""
        return [self.labels.field(k) for k in ("id", "name", *self.keys)]


def row_plan(outcome: RunOutcome, labels: Labels | None = None) -> RowPlan:
    columns = result_columns(outcome)
    return RowPlan(
        columns,
        [formatter(c) for c in columns],
        labels or Labels(outcome.policy.data),
        {r.id: r for r in outcome.population.employees},
    )


def _grade_cell(code: Any, column: str, plan: RowPlan, reason: str) -> str:
    return plan.labels.reason(reason) if code is None else plan.labels.grade(column, str(code))


def relative_cell(result: DistributionResult, column: str, plan: RowPlan, employee: str) -> str:
    """A distribution's cell for one employee: the grade, or why there is none."""
    grade = result.grade_of(employee)
    if grade is not None:
        return plan.labels.grade(column, str(grade))
    member = result.outcome(employee)
    return plan.labels.reason(member.reason if member is not None else "not graded: not a candidate")


def result_row(
    result: EmployeeResult, plan: RowPlan, outcome: RunOutcome, record: EmployeeRecord | None = None
) -> list[str]:
    """The cells of one employee: numbers with their column's places, a grade or why none."""
    row = [result.id, result.name or ""]
    for column, shown in zip(plan.columns, plan.formats, strict=True):
        name = column.key
        if name in outcome.relative:
            row.append(relative_cell(outcome.relative[name], name, plan, result.id))
        elif name in result.grades:
            row.append(_grade_cell(result.grades[name].grade, name, plan, NO_BAND))
        elif name.endswith("_points") and name[: -len("_points")] in result.grades:
            row.append(shown(result.grades[name[: -len("_points")]].points))
        elif column.kind == "grade" and name == CHAIN_GRADE:
            found = chain_grade(outcome, record or plan.records.get(result.id), result.values)
            shown_grade = plan.labels.reason(found) if ungraded(found) else plan.labels.grade(name, found)
            row.append(shown_grade)
        else:
            row.append(shown(result.values.get(name)))
    return row


#: How :func:`flat_row` fills each column: (0, i) the i-th employee formula value, (1, t) grade
#: table t's grade, (2, t) its points, (3, 0) nothing; with the column's format.
FlatPlan = tuple[tuple[int, int, Callable[[Any], str]], ...]


def flat_plan(outcome: RunOutcome) -> FlatPlan | None:
    """What :func:`result_row` would put in each column, as :func:`flat_row` reads it.

    None when a column needs more than the employee's own values and grades (a relative grade,
    a period blend or a chain's grade): those rows come from full results.
    """
    policy = outcome.policy
    if outcome.relative or policy.blend or chain_graded(outcome):
        return None
    tables = [t.name for t in policy.grade_tables]
    names = list(policy.employee_names)
    plan: list[tuple[int, int, Callable[[Any], str]]] = []
    for column in result_columns(outcome):  # the precedence of result_row: grade, points, value
        name, shown = column.key, formatter(column)
        if name in tables:
            plan.append((1, tables.index(name), shown))
        elif name.endswith("_points") and name[: -len("_points")] in tables:
            plan.append((2, tables.index(name[: -len("_points")]), shown))
        elif name in names:
            plan.append((0, names.index(name), shown))
        else:
            plan.append((3, 0, shown))
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
    for kind, index, shown in plan:
        if kind == 0:
            row.append(shown(values[index]))
        elif kind == 3:
            row.append("")
        elif kind == 1:
            grade = grades[index][0]
            row.append(NO_BAND if grade is None else grade)
        else:
            row.append(shown(grades[index][1]))
    return row


def csv_rows(rows: Iterable[list[str]]) -> str:
    """CSV lines without the header, exactly as :func:`render_csv` writes them."""
    buffer = io.StringIO()
    csv_writer(buffer).writerows(rows)
    return buffer.getvalue()


def format_problem(p: Problem, severity: str = "error", labels: Labels | None = None) -> str:
    """``origin: employee [indicator N]: severity [rule] message``; with ``labels`` in a language,
    the field a message starts with is named by its label too."""
    where = f"{p.employee_id}" if p.employee_id else "file"
    if p.indicator is not None:
        where += f" indicator {p.indicator}"
    message = labels.message(p.message) if labels is not None else p.message
    return f"{p.origin}: {where}: {severity} [{p.rule}] {message}"


def render_text(outcome: RunOutcome, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    plan = row_plan(outcome, Labels(outcome.policy.data, options.lang))
    rows = [result_row(r, plan, outcome) for r in outcome.results]
    parts: list[str] = []
    write_text(outcome, len(rows), plan, lambda: rows, options.width, parts.append)
    return "".join(parts)


def write_text(
    outcome: RunOutcome,
    evaluated: int,
    plan: RowPlan,
    rows: Callable[[], Iterable[Sequence[str]]],
    width: int | None,
    write: Callable[[str], object],
) -> None:
    """:func:`render_text` given to ``write`` a piece at a time, from ``evaluated`` rows that
    ``rows()`` gives again each time it is called (:func:`~engine.report.table.write_table`):
    a streamed run writes its table from the rows it spooled."""
    write(text_head(outcome, evaluated, plan.labels))
    write_table(plan.headers(), rows, text_numeric(plan), width, write)
    write(text_tail(outcome, plan.labels))


def text_numeric(plan: RowPlan) -> list[bool]:
    """Which columns of the text table are numbers (right-aligned, padded to one number of places)."""
    return [False, False] + [c.kind == "number" for c in plan.columns]


def text_head(outcome: RunOutcome, evaluated: int, labels: Labels) -> str:
    """The text report's first line (how many were evaluated, how many have problems) and a blank one."""
    if labels.lang is None:
        text = f"policy {outcome.policy.id}: {evaluated} evaluated"
        return text + f", {len(outcome.failed_employees)} with problems\n\n"
    text = f"{labels.policy_name()}: {labels.word('evaluated')} {evaluated}"
    return text + f", {labels.word('with_problems')} {len(outcome.failed_employees)}\n\n"


def text_tail(outcome: RunOutcome, labels: Labels) -> str:
    """What follows the text report's table: the problems and the warnings."""
    text = ""
    if outcome.problems:
        text += "\nproblems:\n" + "".join(
            f"  {format_problem(p, 'error', labels)}\n" for p in outcome.problems
        )
    if outcome.warnings:
        text += "\nwarnings:\n" + "".join(
            f"  {format_problem(p, 'warning', labels)}\n" for p in outcome.warnings
        )
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
        **(
            {"trace": [{"kind": t.kind, "subject": t.subject, "text": t.text} for t in result.trace]}
            if result.trace
            else {}
        ),
    }


def relative_dict(outcome: RunOutcome, employee: str) -> dict[str, Any]:
    """Each distribution's grade, rank and reason for one employee."""
    out: dict[str, Any] = {}
    for name, result in outcome.relative.items():
        member = result.outcome(employee)
        if member is not None:
            out[name] = {
                "grade": member.grade,
                "rank": member.rank,
                "size": member.size,
                "reason": member.reason,
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
    head, tail = json_result_parts(result)
    return head + json_relative(outcome, result.id) + tail


def json_result_parts(result: EmployeeResult) -> tuple[str, str]:
    """:func:`json_result` before and after its ``relative`` value (the item's last key), which
    :func:`json_relative` fills in: a streamed run renders the parts before the grades exist."""
    item = {**result_dict(result), "relative": None}
    # json.dumps puts every nested line on its own line and escapes newlines inside strings,
    # so indenting each line gives what dumping the whole report would (jsontext.dumps: the
    # same text, faster).
    text = "    " + dumps(item, "    ")
    head, _, tail = text.rpartition("null")  # the last key's value: nothing comes after it
    return head, tail


def json_relative(outcome: RunOutcome, employee: str) -> str:
    """The ``relative`` value of one employee's item in :func:`json_result` (two levels in)."""
    text = json.dumps(relative_dict(outcome, employee), ensure_ascii=False, indent=2)
    return text.replace("\n", "\n      ")


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
            {
                "employee": p.employee_id,
                "indicator": p.indicator,
                "rule": p.rule,
                "message": p.message,
                "origin": p.origin,
            }
            for p in outcome.problems
        ],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    if results:  # a raw newline is never inside a JSON string: this is the top-level key
        listed = '\n  "results": [\n' + ",\n".join(results) + "\n  ],\n"
        text = text.replace('\n  "results": [],\n', listed, 1)
    return text + "\n"


def render_json(outcome: RunOutcome, options: ReportOptions | None = None) -> str:
    """Everything, numbers as exact decimal strings (the language changes nothing here)."""
    results = [json_result(r, outcome) for r in outcome.results]
    return render_json_parts(outcome, len(results), results)


def render_csv(outcome: RunOutcome, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    plan = row_plan(outcome, Labels(outcome.policy.data, options.lang))
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(plan.headers())
    writer.writerows(result_row(r, plan, outcome) for r in outcome.results)
    return buffer.getvalue()


def human_labels(outcome: RunOutcome, options: ReportOptions) -> Labels:
    """Labels for the reports people open (HTML, xlsx): the language asked for, else the policy's."""
    data = outcome.policy.data
    return Labels(data, options.lang or policy_language(data))


def render_page(outcome: RunOutcome, options: ReportOptions | None = None) -> str:
    """The result table with a summary, the grade distribution and the problems, as one page
    (in the policy's language unless another is asked for)."""
    options = options or ReportOptions()
    plan = row_plan(outcome, human_labels(outcome, options))
    rows = [result_row(r, plan, outcome) for r in outcome.results]
    return render_html(outcome, plan, rows, options)


def problem_rows(outcome: RunOutcome, labels: Labels | None = None) -> list[list[str]]:
    """Problems, then warnings and notes, as rows: severity, employee, indicator, rule, message, where."""
    word = (labels or Labels({})).word
    found = [(word("error"), p) for p in outcome.problems] + [(word("warning"), p) for p in outcome.warnings]
    return [
        [
            severity,
            p.employee_id or "",
            "" if p.indicator is None else str(p.indicator),
            p.rule,
            p.message,
            p.origin,
        ]
        for severity, p in found
    ]


def render_xlsx(outcome: RunOutcome, options: ReportOptions | None = None) -> bytes:
    """The result table, the problems and the policy's stamp as three sheets of a workbook (in the
    policy's language unless another is asked for)."""
    options = options or ReportOptions()
    plan = row_plan(outcome, human_labels(outcome, options))
    rows = [result_row(r, plan, outcome) for r in outcome.results]
    labels = plan.labels
    places: list[int | None] = [None, None]
    places += [c.places if c.kind == "number" else None for c in plan.columns]
    words = ["severity", "id", "indicator", "rule", "message", "where"]
    headers = [labels.word(w) if w != "id" and w != "indicator" else labels.field(w) for w in words]
    return workbook_bytes(
        [
            Sheet(labels.word("results"), plan.headers(), rows, places),
            problems_sheet(labels.word("problems"), headers, problem_rows(outcome, labels)),
            stamp_sheet([outcome.policy.stamp], labels.word),
        ]
    )


#: ``(outcome, options or None) -> report`` (bytes for xlsx).
Renderer = Callable[..., "str | bytes"]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
    "xlsx": render_xlsx,
}


def _csv_flat(outcome: RunOutcome) -> FlatPiece | None:
    plan = flat_plan(outcome)
    if plan is None:
        return None
    return lambda employee, name, values, grades: flat_row(employee, name, values, grades, plan)


def plain_rows(rows: Iterable[list[str]]) -> str:
    """Rows as CSV lines that read back as they were (no spreadsheet guard): the text table's
    rows spooled between its passes (:data:`TEXT_ROWS`)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _text_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    rows = [row for text in texts for row in csv.reader(io.StringIO(text))]
    parts: list[str] = []
    write_text(outcome, evaluated, row_plan(outcome), lambda: rows, None, parts.append)
    return "".join(parts)


def _block(entries: list[str], indent: str, brackets: str) -> str:
    """A JSON object or array of entries already indented, as ``json.dumps(indent=2)`` writes it."""
    if not entries:
        return brackets
    return brackets[0] + "\n" + ",\n".join(entries) + "\n" + indent + brackets[1]


_FACTS = ("grade", "value", "rounded", "segment", "band", "points")


def _json_detailed(outcome: RunOutcome) -> DetailedPiece | None:
    """:func:`json_result` from the columnar plan's values, grades and details (the plan serves
    a policy without relative grades, blends or chain grades: no ``relative`` value, no trace),
    written straight: each key's text is made once, each value's with :func:`dumps`."""
    if flat_plan(outcome) is None:
        return None
    policy = outcome.policy
    i6, i8, i10 = " " * 6, " " * 8, " " * 10
    value_keys = [f"{i8}{dumps(name)}: " for name in policy.employee_names]
    table_keys = [f"{i8}{dumps(table.name)}: " for table in policy.grade_tables]
    fact_keys = [f"{i10}{dumps(fact)}: " for fact in _FACTS]
    line_keys = [f"{i10}{dumps(step.name)}: " for step in policy.indicator_steps]

    def grade(key: str, grade: Any, points: Any, value: Any, rounded: Any, segment: str, band: Any) -> str:
        facts = (grade, str(value), str(rounded), segment, band, _jsonable(points))
        return key + _block([k + dumps(f) for k, f in zip(fact_keys, facts, strict=True)], i8, "{}")

    def piece(employee: str, name: str | None, values: Any, grades: Any, detail: Any) -> str:
        lines, facts = detail
        # (the plan's numbers are Decimals: their text needs no escaping)
        shown = [f'{k}"{v}"' for k, v in zip(value_keys, values, strict=True)]
        graded = [
            grade(key, code, points, *fact)
            for key, (code, points), fact in zip(table_keys, grades, facts, strict=True)
        ]
        indicators = [
            i8 + _block([f'{k}"{v}"' for k, v in zip(line_keys, line, strict=True)], i8, "{}")
            for line in lines
        ]
        return (
            f'    {{\n{i6}"id": {dumps(employee)},\n{i6}"name": {dumps(name)},\n'
            f'{i6}"values": {_block(shown, i6, "{}")},\n{i6}"grades": {_block(graded, i6, "{}")},\n'
            f'{i6}"indicators": {_block(indicators, i6, "[]")},\n{i6}"relative": {{}}\n    }}'
        )

    return piece


def _csv_block(outcome: RunOutcome) -> Any:
    from engine.report.csvblock import block_lines  # numpy and Arrow: for the columnar plan only

    return block_lines(outcome)


def _json_block(outcome: RunOutcome) -> Any:
    from engine.report.jsonblock import json_block  # numpy and Arrow: for the columnar plan only

    return json_block(outcome)


def _csv_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    return render_csv(outcome) + "".join(texts)  # no results in the outcome: the header line only


def _json_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    return render_json_parts(outcome, evaluated, [text for text in texts if text])


def _csv_piece(result: EmployeeResult, outcome: RunOutcome, record: EmployeeRecord) -> list[str]:
    return result_row(result, row_plan(outcome), outcome, record)


def _json_piece(result: EmployeeResult, outcome: RunOutcome, record: EmployeeRecord) -> str:
    return json_result(result, outcome)


#: Formats that worker processes render in parts (:mod:`engine.evaluate.parallel`), each
#: byte for byte what :data:`RENDERERS` writes (with ids: a run in a language is one process);
#: a format left out is rendered by one process.
SPLIT_RENDERERS: dict[str, SplitRenderer] = {
    "csv": SplitRenderer(piece=_csv_piece, join=csv_rows, merge=_csv_merge, flat=_csv_flat, block=_csv_block),
    "json": SplitRenderer(
        piece=_json_piece,
        join=",\n".join,
        merge=_json_merge,
        between=",\n",
        detailed=_json_detailed,
        block=_json_block,
    ),
}


#: The text table's rows (ids, no language), rendered in parts as CSV's are, spooled as
#: :func:`plain_rows` for :func:`write_text` to align (:mod:`engine.report.stream`); its merge
#: writes the table without a terminal's width. The columnar plan's block lines are CSV's own:
#: only lines that need no quoting and no guard are written that way, and those read back as
#: their cells.
TEXT_ROWS = SplitRenderer(
    piece=_csv_piece, join=plain_rows, merge=_text_merge, flat=_csv_flat, block=_csv_block
)


def _named(text: str, labels: Labels) -> str:
    """A trace line whose first word is a formula or field, with that one's label after it."""
    if labels.lang is None:
        return text
    name = text.split(" ", 1)[0].rstrip(":")
    named = labels.field(name) if name.isidentifier() else name
    if named == name:
        return text
    return f"{name} ({named}){text[len(name) :]}"


def render_explain(result: EmployeeResult, labels: Labels | None = None) -> str:
    """The full trace of one employee, grouped by subject, for ``hrpolicy explain``.

    With a language, the employee line says what the policy calls the employee id, and each
    subject that is a formula or grade table is followed by its label.
    """
    labels = labels or Labels({})
    who = "employee" if labels.lang is None else labels.field("id")
    lines = [f"{who} {result.id}" + (f" ({result.name})" if result.name else "")]
    subject = None
    for line in result.trace:
        if line.subject != subject:
            subject = line.subject
            named = labels.field(subject)
            lines.append(f"  {subject}:" if named == subject else f"  {subject} ({named}):")
        lines.append(f"    [{line.kind}] {_named(line.text, labels)}")
    return "\n".join(lines) + "\n"


def render_explained(outcome: RunOutcome, labels: Labels | None = None) -> str:
    """``explain``'s text: the employee's trace (names labelled in ``labels``' language), then
    its relative grades."""
    result = outcome.results[0]
    return render_explain(result, labels) + render_relative(outcome, result.id)


def render_explained_json(outcome: RunOutcome, labels: Labels | None = None) -> str:
    """Every value, grade, indicator row and trace line of the employee, and its relative grades
    (ids, whatever the language)."""
    result = outcome.results[0]
    item = {**result_dict(result), "relative": relative_dict(outcome, result.id)}
    return json.dumps(item, ensure_ascii=False, indent=2) + "\n"


#: ``hrpolicy explain``: the run of one employee (``outcome.results[0]``).
EXPLAIN_RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_explained,
    "json": render_explained_json,
    "html": render_explained_page,
}
