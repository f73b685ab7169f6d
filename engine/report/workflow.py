"""Reports of ``hrpolicy workflow`` in a registry: ``text`` (objection deadlines written out,
goal changes accepted or not, the mid-term targets), ``json`` (everything) and ``csv`` (one row
per record).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from engine.errors import Diagnostic
from engine.report.diagnostics import format_text_line
from engine.report.html import Count, PageTable, diagnostic_notes, render_tables_page
from engine.report.jobeval import cell
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.safety import csv_writer
from engine.report.table import render_table
from engine.report.xlsx import diagnostic_rows, xlsx_renderer
from engine.workflow import (
    DAY_NAMES,
    ChangeLine,
    Deadline,
    GoalLine,
    ObjectionLine,
    TargetSheet,
    WorkflowReport,
    day_text,
)

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short(day: date, month: bool = True) -> str:
    text = f"{DAY_NAMES[day.weekday()]} {day.day}"
    return f"{text} {MONTH_NAMES[day.month - 1]}" if month else text


def _runs(skipped: Sequence[tuple[date, str]]) -> list[tuple[str, date, date]]:
    """Consecutive skipped days of one kind merged: (kind, first, last)."""
    runs: list[tuple[str, date, date]] = []
    for day, kind in skipped:
        if runs and runs[-1][0] == kind and (day - runs[-1][2]).days == 1:
            runs[-1] = (kind, runs[-1][1], day)
        else:
            runs.append((kind, day, day))
    return runs


def _run_text(kind: str, first: date, last: date, labels: Labels) -> str:
    if labels.lang is not None:  # dates in full, the weekday in the language: 2027-02-06(토)~2027-02-07(일)
        span = day_text(first) if first == last else f"{day_text(first)}~{day_text(last)}"
        return f"{labels.say(kind)} {labels.day(span)}"
    if first == last:
        return f"{kind} {_short(first)}"
    same_month = (first.year, first.month) == (last.year, last.month)
    plural = "s" if kind == "holiday" else ""
    return f"{kind}{plural} {_short(first, month=not same_month)}-{_short(last)}"


def deadline_text(d: Deadline, labels: Labels | None = None) -> str:
    """The convention written out, e.g. ``5 working days after Wed 2027-02-03 (skipping weekend
    Sat 6-Sun 7 Feb, holidays Mon 8-Tue 9 Feb) = Fri 2027-02-12`` (or in ``labels``' language)."""
    labels = labels or Labels({})
    runs = _runs(d.skipped)
    if runs:
        skipping = labels.say("skipping", runs=", ".join(_run_text(*run, labels) for run in runs))
    else:
        skipping = labels.say("no_day_skipped")
    unit = "working day" if d.working_days == 1 else "working days"
    notice, deadline = labels.day(day_text(d.notice)), labels.day(day_text(d.deadline))
    return labels.say(
        "deadline", days=d.working_days, unit=unit, notice=notice, skipping=skipping, deadline=deadline
    )


def _who(employee: str, name: str) -> str:
    return f"{employee} {name}".strip()


WINDOW_COLUMNS = (
    ("employee", "employee"), ("period", "period"), ("round", "round"), ("notice", "notice"),
    ("deadline", "deadline"), ("filed", "filed"), ("status", "status"),
)  # fmt: skip


def window_rows(lines: Sequence[ObjectionLine], labels: Labels) -> list[list[str]]:
    """One row per notice or objection: the columns of :data:`WINDOW_COLUMNS`."""
    return [
        [
            _who(o.employee, o.name),
            o.period,
            str(o.round),
            labels.day(day_text(o.deadline.notice)),
            labels.day(day_text(o.deadline.deadline)),
            labels.day(day_text(o.filed)) if o.filed else "-",
            labels.reason(o.status) or "-",
        ]
        for o in lines
    ]


def _objection_rows(lines: Sequence[ObjectionLine], labels: Labels, width: int | None) -> str:
    headers = [labels.column(key, english) for key, english in WINDOW_COLUMNS]
    numeric = [False, False, True, False, False, False, False]
    return render_table(headers, window_rows(lines, labels), numeric, width=width)


def _problem_lines(problems: Sequence[Diagnostic], indent: str, labels: Labels) -> list[str]:
    if not problems:
        return []
    return [f"{indent}{labels.say('problems')}"] + [
        f"{indent}  " + format_text_line(d, labels).replace("\n", f"\n{indent}  ") for d in problems
    ]


def _objection_text(o: ObjectionLine, labels: Labels) -> list[str]:
    ids = ", ".join(o.indicators)
    indicators = labels.say("indicators", ids=ids) if o.indicators else ""
    kind = labels.say(o.kind) if labels.lang is not None else o.kind
    who = _who(o.employee, o.name)
    line = labels.say(
        "objection_line", kind=kind, who=who, period=o.period, round=o.round, handler=o.handler,
        indicators=indicators,
    )  # fmt: skip
    out = [line, "  " + labels.say("deadline_is", text=deadline_text(o.deadline, labels))]
    if o.filed is not None:
        filed = labels.day(day_text(o.filed))
        out.append("  " + labels.say("filed_on", day=filed, status=labels.reason(o.status)))
    elif o.status:
        out.append(f"  {labels.reason(o.status)}")
    return out + _problem_lines(o.problems, "  ", labels)


def _change_text(c: ChangeLine, labels: Labels) -> list[str]:
    batch = labels.say("batch", batch=c.batch) if c.batch else ""
    made = labels.say("made_on", day=labels.day(day_text(c.made_on))) if c.made_on else ""
    verdict = labels.reason("accepted" if c.accepted else "rejected")
    who = _who(c.employee, c.name)
    line = labels.say(
        "change_line", who=who, made=made, phase=c.phase, reason=c.reason, batch=batch, verdict=verdict
    )
    out = [line, *(f"  {text}" for text in c.changes)]
    return out + _problem_lines(c.problems, "  ", labels)


TARGET_COLUMNS = (
    ("indicator", "indicator"),
    ("category", "category"),
    ("weight", "weight"),
    ("target", "target"),
)


def target_rows(sheet: TargetSheet) -> list[list[str]]:
    """One row per goal of a mid-term target sheet."""
    return [[g.id, cell(g.category), cell(g.weight), cell(g.target) or "-"] for g in sheet.lines]


def _targets_text(sheet: TargetSheet, labels: Labels) -> list[str]:
    out = [
        labels.say("targets_head", who=_who(sheet.employee, sheet.name), source=labels.reason(sheet.source))
    ]
    heads = [labels.column(key, english) for key, english in TARGET_COLUMNS]
    table = render_table(heads, target_rows(sheet), [False, False, True, True])
    return out + ["  " + row for row in table.splitlines()]


def _windows_text(report: WorkflowReport, labels: Labels, width: int | None) -> list[str]:
    """The deadlines table, then each notice and objection explained (none: no part)."""
    windows = (*report.notices, *report.objections)
    if not windows:
        return []
    troubled = sum(1 for o in windows if o.problems)
    head = labels.say(
        "windows_head", notices=len(report.notices), objections=len(report.objections), troubled=troubled
    )
    parts = [f"{head}\n" + _objection_rows(windows, labels, width)]
    return parts + ["\n".join(_objection_text(o, labels)) + "\n" for o in windows]


def _changes_text(report: WorkflowReport, labels: Labels) -> list[str]:
    """The goal changes counted, then each one (none: no part)."""
    if not report.changes:
        return []
    accepted = sum(1 for c in report.changes if c.accepted)
    parts = [labels.say("changes_head", n=len(report.changes), accepted=accepted) + "\n"]
    return parts + ["\n".join(_change_text(c, labels)) + "\n" for c in report.changes]


def render_text(
    report: WorkflowReport, labels: Labels | None = None, options: ReportOptions | None = None
) -> str:
    """Deadlines table and each notice/objection explained; each goal change; mid-term targets."""
    labels = labels or Labels({})
    width = options.width if options is not None else None
    today = labels.say("today", day=labels.day(day_text(report.today))) if report.today else ""
    policy = report.policy if labels.lang is None else labels.policy_name()
    parts = [labels.say("workflow_head", policy=policy, data=report.data, today=today) + "\n"]
    parts += _windows_text(report, labels, width) + _changes_text(report, labels)
    parts += ["\n".join(_targets_text(s, labels)) + "\n" for s in report.targets]
    if report.file_problems:
        lines = "".join(f"  {format_text_line(d, labels)}\n" for d in report.file_problems)
        parts.append(labels.say("file_problems") + "\n" + lines)
    return "\n".join(parts)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _objection_dict(o: ObjectionLine) -> dict[str, Any]:
    d = o.deadline
    return {
        "kind": o.kind,
        "employee": o.employee,
        "name": o.name,
        "period": o.period,
        "round": o.round,
        "handler": o.handler,
        "indicators": list(o.indicators),
        "notice": d.notice.isoformat(),
        "working_days": d.working_days,
        "deadline": d.deadline.isoformat(),
        "skipped": [{"date": day.isoformat(), "kind": kind} for day, kind in d.skipped],
        "explanation": deadline_text(d),
        "filed": _iso(o.filed),
        "status": o.status,
        "working_days_late": o.working_days_late,
        "problems": [p.to_dict() for p in o.problems],
    }


def _line_dict(g: GoalLine) -> dict[str, Any]:
    return {"id": g.id, "category": g.category, "weight": cell(g.weight), "target": cell(g.target) or None}


def _change_dict(c: ChangeLine) -> dict[str, Any]:
    return {
        "employee": c.employee,
        "name": c.name,
        "phase": c.phase,
        "reason": c.reason,
        "batch": c.batch,
        "made_on": _iso(c.made_on),
        "accepted": c.accepted,
        "changes": list(c.changes),
        "problems": [p.to_dict() for p in c.problems],
    }


def render_json(report: WorkflowReport) -> str:
    payload = {
        "policy": report.policy,
        "data": report.data,
        "today": _iso(report.today),
        "notices": [_objection_dict(o) for o in report.notices],
        "objections": [_objection_dict(o) for o in report.objections],
        "goal_changes": [_change_dict(c) for c in report.changes],
        "midterm_targets": [
            {
                "employee": s.employee,
                "name": s.name,
                "source": s.source,
                "lines": [_line_dict(g) for g in s.lines],
            }
            for s in report.targets
        ],
        "problems": [d.to_dict() for d in report.all_problems()],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


CSV_HEADERS = (
    "record", "employee", "name", "period", "round", "notice", "deadline", "filed",
    "phase", "reason", "batch", "made_on", "status", "problems",
)  # fmt: skip


def render_csv(report: WorkflowReport, labels: Labels | None = None) -> str:
    """One row per notice, objection and goal change (columns that do not apply are empty); the
    status in ``labels``' language (English without one)."""
    labels = labels or Labels({})
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_HEADERS)
    for o in (*report.notices, *report.objections):
        d = o.deadline
        dates = [d.notice.isoformat(), d.deadline.isoformat(), _iso(o.filed) or ""]
        writer.writerow(
            [
                o.kind,
                o.employee,
                o.name,
                o.period,
                o.round,
                *dates,
                "",
                "",
                "",
                "",
                labels.reason(o.status),
                len(o.problems),
            ]
        )
    for c in report.changes:
        verdict = labels.reason("accepted" if c.accepted else "rejected")
        row = ["goal_change", c.employee, c.name, "", "", "", "", "", c.phase, c.reason, c.batch or ""]
        writer.writerow([*row, _iso(c.made_on) or "", verdict, len(c.problems)])
    return buffer.getvalue()


def render_page(
    report: WorkflowReport, labels: Labels | None = None, options: ReportOptions | None = None
) -> str:
    """The workflow records as a page: counts, the objection windows, the goal changes, the
    mid-term targets, the problems."""
    labels = labels or Labels({})
    tables: list[PageTable] = []
    if report.notices or report.objections:
        tables.append(_windows_table(report, labels))
    if report.changes:
        tables.append(_changes_table(report, labels))
    for sheet in report.targets:
        title = labels.say(
            "targets_head", who=_who(sheet.employee, sheet.name), source=labels.reason(sheet.source)
        ).rstrip(":")
        heads = [labels.column(key, english) for key, english in TARGET_COLUMNS]
        tables.append(PageTable(title, heads, target_rows(sheet), [False, False, True, True]))
    problems = report.all_problems()
    counts = [
        Count("notices", labels.word("notices"), len(report.notices)),
        Count("objections", labels.word("objections"), len(report.objections)),
        Count("goal_changes", labels.word("goal_changes"), len(report.changes)),
        Count("problems", labels.word("problems"), len(problems), bad=bool(problems)),
    ]
    return render_tables_page(labels, options, counts, tables, diagnostic_notes(problems, labels))



def _windows_table(report: WorkflowReport, labels: Labels) -> PageTable:
    """The notices' and objections' windows: a row each, then each one's deadline."""
    windows = (*report.notices, *report.objections)
    troubled = sum(1 for o in windows if o.problems)
    title = labels.say(
        "windows_head", notices=len(report.notices), objections=len(report.objections), troubled=troubled
    )
    heads = [labels.column(key, english) for key, english in WINDOW_COLUMNS]
    numeric = [False, False, True, False, False, False, False]
    lines = [f"{_who(o.employee, o.name)}: {deadline_text(o.deadline, labels)}" for o in windows]
    return PageTable(title, heads, window_rows(windows, labels), numeric, lines)


def _changes_table(report: WorkflowReport, labels: Labels) -> PageTable:
    """The goal changes: who, when, in which phase, why, accepted or rejected."""
    accepted = sum(1 for c in report.changes if c.accepted)
    title = labels.say("changes_head", n=len(report.changes), accepted=accepted)
    keys = (("employee", "employee"), ("made_on", "made on"), ("phase", "phase"), ("reason", "reason"),
            ("status", "status"))  # fmt: skip
    rows = [
        [
            _who(c.employee, c.name),
            labels.day(day_text(c.made_on)) if c.made_on else "-",
            c.phase,
            c.reason,
            labels.reason("accepted" if c.accepted else "rejected"),
        ]
        for c in report.changes
    ]
    return PageTable(title, [labels.column(k, e) for k, e in keys], rows)

RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
    "xlsx": xlsx_renderer(render_csv, lambda report: diagnostic_rows(report.all_problems())),
}
