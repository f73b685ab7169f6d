"""Reports of ``hrpolicy jobeval`` in a registry: ``text`` (summary table, then each job's
explanation), ``json`` (everything, numbers as exact strings) and ``csv`` (one row per job).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine.jobeval import JobLine, JobReport, JobResult
from engine.report.diagnostics import format_text_line
from engine.report.html import Count, PageTable, chart, diagnostic_notes, render_tables_page
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.safety import csv_writer
from engine.report.table import render_table
from engine.report.xlsx import diagnostic_rows, xlsx_renderer


def cell(value: Any) -> str:
    """A value as report text: exact Decimal text, empty for ``None``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def jsonable(value: Any) -> Any:
    """Decimals as strings (exact), containers walked; everything else as it is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _committee_cell(line: JobLine, labels: Labels) -> str:
    result = line.result
    if result.adjustment is None:
        return ""
    outcome = result.adjustment_outcome
    verdict = labels.reason(outcome.verdict if outcome is not None else "does not stand")
    return f"{result.adjustment.committee} -> {result.adjustment.grade}: {verdict}"


def _holder(line: JobLine) -> str:
    return f"{line.holder} {line.holder_name}".strip()


SUMMARY_COLUMNS = (
    ("job", "job"), ("title", "title"), ("family", "family"), ("holder", "holder"), ("total", "total"),
    ("rounded", "rounded"), ("proposed_grade", "proposed"), ("final_grade", "final"),
    ("committee", "committee"),
)  # fmt: skip


def summary_rows(report: JobReport, labels: Labels) -> list[list[str]]:
    """One row per job, the columns of :data:`SUMMARY_COLUMNS` (text and HTML)."""
    return [
        [
            line.result.job,
            line.title,
            line.result.family,
            _holder(line),
            cell(line.result.total),
            cell(line.result.rounded),
            cell(line.result.proposed_grade),
            cell(line.result.final_grade),
            _committee_cell(line, labels),
        ]
        for line in report.jobs
    ]


def _summary(report: JobReport, labels: Labels, width: int | None) -> str:
    headers = [labels.column(key, english) for key, english in SUMMARY_COLUMNS]
    numeric = [False, False, False, False, True, True, False, False, False]
    return render_table(headers, summary_rows(report, labels), numeric, width=width)


def _job_text(line: JobLine, labels: Labels) -> list[str]:
    result = line.result
    title = f" {line.title}" if line.title else ""
    table_name = result.table or "-"
    out = [labels.say("job_head", job=result.job, title=title, family=result.family, table=table_name)]
    if result.raters:
        rows = [
            [r.rater, line.rater_names.get(r.rater, ""), r.group, cell(r.points) or labels.say("left_out")]
            for r in result.raters
        ]
        heads = [labels.column(key, key) for key in ("rater", "name", "group", "points")]
        table = render_table(heads, rows, [False, False, False, True])
        out += ["  " + row for row in table.splitlines()]
    out += ["  " + labels.say("explanation")] + [f"    {t}" for t in result.trace]
    out += _adjustment_text(result, labels)
    if line.problems:
        out.append("  " + labels.say("problems"))
        out += ["    " + format_text_line(d, labels).replace("\n", "\n    ") for d in line.problems]
    return out


def _adjustment_text(result: JobResult, labels: Labels) -> list[str]:
    """The committee's adjustment of the grade, its reasons and the final grade (none: no lines)."""
    adj = result.adjustment
    if adj is None:
        return []
    note = f" ({adj.note})" if adj.note else ""
    proposed = result.proposed_grade
    out = [
        "  "
        + labels.say("adjustment", committee=adj.committee, proposed=proposed, grade=adj.grade, note=note)
    ]
    reasons = result.adjustment_outcome.reasons if result.adjustment_outcome else []
    out += [f"    {reason}" for reason in reasons]
    out.append("    " + labels.say("final_grade_is", grade=cell(result.final_grade) or "-"))
    return out


def render_text(report: JobReport, labels: Labels | None = None, options: ReportOptions | None = None) -> str:
    """A summary table, then each job's raters, explanation, committee decision and problems."""
    labels = labels or Labels({})
    troubled = sum(1 for line in report.jobs if line.problems)
    n = len(report.jobs)
    jobs = f"{n} job{'s' if n != 1 else ''}"
    policy = report.policy if labels.lang is None else labels.policy_name()
    head = labels.say("jobs_head", policy=policy, jobs=jobs, n=n, data=report.data, troubled=troubled)
    width = options.width if options is not None else None
    parts = [head + "\n\n" + _summary(report, labels, width)]
    parts += ["\n".join(_job_text(line, labels)) + "\n" for line in report.jobs]
    if report.file_problems:
        parts.append(
            labels.say("file_problems")
            + "\n"
            + "".join(f"  {format_text_line(d, labels)}\n" for d in report.file_problems)
        )
    return "\n".join(parts)


def job_dict(line: JobLine) -> dict[str, Any]:
    """Everything about one job, JSON-ready."""
    r = line.result
    committee = None
    if r.adjustment is not None:
        outcome = r.adjustment_outcome
        committee = {
            "committee": r.adjustment.committee,
            "requested_grade": r.adjustment.grade,
            "note": r.adjustment.note,
            "meeting": jsonable(r.adjustment.meeting),
            "opened": outcome.opened if outcome else None,
            "decided": outcome.decided if outcome else None,
            "stands": outcome.stands if outcome else None,
            "verdict": outcome.verdict if outcome else None,
            "reasons": list(outcome.reasons) if outcome else [],
        }
    return {
        "job": r.job,
        "title": line.title,
        "family": r.family,
        "holder": line.holder,
        "holder_name": line.holder_name,
        "table": r.table,
        "raters": [
            {
                "rater": s.rater,
                "name": line.rater_names.get(s.rater, ""),
                "group": s.group,
                "points": jsonable(s.points),
                "detail": s.detail,
            }
            for s in r.raters
        ],
        "groups": [
            {
                "group": g.group,
                "weight": jsonable(g.weight),
                "expected": g.expected,
                "counted": g.counted,
                "mean": jsonable(g.mean),
                "contribution": jsonable(g.contribution),
            }
            for g in r.groups
        ],
        "total": jsonable(r.total),
        "rounded": jsonable(r.rounded),
        "proposed_grade": r.proposed_grade,
        "final_grade": r.final_grade,
        "committee": committee,
        "problems": [d.to_dict() for d in line.problems],
        "trace": list(r.trace),
    }


def render_json(report: JobReport) -> str:
    payload = {
        "policy": report.policy,
        "data": report.data,
        "jobs": [job_dict(line) for line in report.jobs],
        "problems": [d.to_dict() for d in report.all_problems()],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _group_ids(report: JobReport) -> list[str]:
    ids: list[str] = []
    for line in report.jobs:
        ids += [g.group for g in line.result.groups if g.group not in ids]
    return ids


def render_csv(report: JobReport, labels: Labels | None = None) -> str:
    """One row per job; a mean column per rater group found in any job (``labels``: the same
    table whatever the language, its header aside)."""
    groups = _group_ids(report)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(
        [
            "job",
            "title",
            "family",
            "holder",
            "table",
            *(f"mean_{g}" for g in groups),
            "total",
            "rounded",
            "proposed_grade",
            "final_grade",
            "committee",
            "committee_stands",
            "problems",
        ]
    )
    for line in report.jobs:
        r = line.result
        means = {g.group: g.mean for g in r.groups}
        outcome = r.adjustment_outcome
        writer.writerow(
            [
                r.job,
                line.title,
                r.family,
                line.holder,
                r.table or "",
                *(cell(means.get(g)) for g in groups),
                cell(r.total),
                cell(r.rounded),
                cell(r.proposed_grade),
                cell(r.final_grade),
                r.adjustment.committee if r.adjustment else "",
                cell(outcome.stands) if outcome else "",
                len(line.problems),
            ]
        )
    return buffer.getvalue()


def render_page(report: JobReport, labels: Labels | None = None, options: ReportOptions | None = None) -> str:
    """The jobs as a page: counts, a chart of the final grades, the summary table (one row per
    job), each job's raters, the problems."""
    labels = labels or Labels({})
    headers = [labels.column(key, english) for key, english in SUMMARY_COLUMNS]
    numeric = [False, False, False, False, True, True, False, False, False]
    tables = [PageTable(labels.word("results"), headers, summary_rows(report, labels), numeric)]
    for line in report.jobs:
        result = line.result
        if not result.raters:
            continue
        rows = [
            [r.rater, line.rater_names.get(r.rater, ""), r.group, cell(r.points) or labels.say("left_out")]
            for r in result.raters
        ]
        heads = [labels.column(key, key) for key in ("rater", "name", "group", "points")]
        title = f"{result.job} {line.title}".strip()
        notes = [text.strip() for text in _adjustment_text(result, labels)]
        tables.append(PageTable(title, heads, rows, [False, False, False, True], notes))
    troubled = sum(1 for line in report.jobs if line.problems)
    counts = [
        Count("jobs", labels.word("jobs"), len(report.jobs)),
        Count("failed", labels.word("with_problems"), troubled, bad=troubled > 0),
    ]
    finals = sorted(
        cell(line.result.final_grade) for line in report.jobs if line.result.final_grade is not None
    )
    charts = [chart("final_grade", labels, finals, labels.column("final_grade", "final grade"))]
    return render_tables_page(
        labels, options, counts, tables, diagnostic_notes(report.all_problems(), labels), charts
    )


RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
    "xlsx": xlsx_renderer(render_csv, lambda report: diagnostic_rows(report.all_problems())),
}
