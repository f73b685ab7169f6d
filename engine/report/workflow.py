"""Reports of ``hrpolicy workflow`` in a registry: ``text`` (objection deadlines written out,
goal changes accepted or not, the mid-term targets), ``json`` (everything), ``csv`` (one row
per record), ``html`` and ``xlsx`` (:mod:`engine.report.workflow_page`).

Each is written a piece at a time (:func:`write_report`, :func:`write_workbook`): a streamed
run's lines are read from disk as they are written, never held; the registry's renderers give
the same text whole.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import IO, Any

from engine.errors import Diagnostic
from engine.provenance import Stamp
from engine.report.diagnostics import format_text_line
from engine.report.html import write_stamped_page
from engine.report.jobeval import cell
from engine.report.labels import Labels
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.table import render_table, write_table
from engine.report.workflow_page import page_pieces, render_page, render_workbook, write_workbook
from engine.report.workflow_rows import (
    TARGET_COLUMNS,
    WINDOW_COLUMNS,
    DeadlineTexts,
    deadline_text,
    iso,
    target_rows,
    who,
    window_rows,
    windows,
    windows_head,
    write_csv,
)
from engine.report.xlsx import relabel_rows
from engine.workflow import (
    ChangeLine,
    GoalLine,
    ObjectionLine,
    TargetSheet,
    WorkflowReport,
    day_text,
)


def _problem_lines(problems: Sequence[Diagnostic], indent: str, labels: Labels) -> list[str]:
    if not problems:
        return []
    return [f"{indent}{labels.say('problems')}"] + [
        f"{indent}  " + format_text_line(d, labels).replace("\n", f"\n{indent}  ") for d in problems
    ]


def _objection_text(o: ObjectionLine, labels: Labels, explain: DeadlineTexts) -> list[str]:
    ids = ", ".join(o.indicators)
    indicators = labels.say("indicators", ids=ids) if o.indicators else ""
    kind = labels.say(o.kind) if labels.lang is not None else o.kind
    person = who(o.employee, o.name)
    line = labels.say(
        "objection_line", kind=kind, who=person, period=o.period, round=o.round, handler=o.handler,
        indicators=indicators,
    )  # fmt: skip
    out = [line, "  " + labels.say("deadline_is", text=explain(o.deadline))]
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
    person = who(c.employee, c.name)
    line = labels.say(
        "change_line", who=person, made=made, phase=c.phase, reason=c.reason, batch=batch, verdict=verdict
    )
    out = [line, *(f"  {text}" for text in c.changes)]
    return out + _problem_lines(c.problems, "  ", labels)


def _targets_text(sheet: TargetSheet, labels: Labels) -> list[str]:
    out = [
        labels.say("targets_head", who=who(sheet.employee, sheet.name), source=labels.reason(sheet.source))
    ]
    heads = [labels.column(key, english) for key, english in TARGET_COLUMNS]
    table = render_table(heads, target_rows(sheet), [False, False, True, True])
    return out + ["  " + row for row in table.splitlines()]


class _Parts:
    """Parts of a text report, each after the one before and an empty line."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write, self.first = write, True

    def part(self, text: str = "") -> None:
        """Start a part (with ``text``); its rest is written to :attr:`write` after it."""
        self.write(text if self.first else "\n" + text)
        self.first = False


def write_text(
    report: Any,
    write: Callable[[str], object],
    labels: Labels | None = None,
    options: ReportOptions | None = None,
) -> None:
    """Deadlines table and each notice/objection explained; each goal change; mid-term targets;
    to ``write`` a piece at a time (the lines of a streamed run read from disk as they are written)."""
    labels = labels or Labels({})
    width = options.width if options is not None else None
    today = labels.say("today", day=labels.day(day_text(report.today))) if report.today else ""
    policy = report.policy if labels.lang is None else labels.policy_name()
    explain = DeadlineTexts(labels)
    parts = _Parts(write)
    parts.part(labels.say("workflow_head", policy=policy, data=report.data, today=today) + "\n")
    if len(report.notices) or len(report.objections):
        parts.part(windows_head(report, labels) + "\n")
        headers = [labels.column(key, english) for key, english in WINDOW_COLUMNS]
        numeric = [False, False, True, False, False, False, False]
        write_table(headers, lambda: window_rows(windows(report), labels), numeric, width, write)
        for o in windows(report):
            parts.part("\n".join(_objection_text(o, labels, explain)) + "\n")
    if len(report.changes):
        accepted = sum(1 for c in report.changes if c.accepted)
        parts.part(labels.say("changes_head", n=len(report.changes), accepted=accepted) + "\n")
        for c in report.changes:
            parts.part("\n".join(_change_text(c, labels)) + "\n")
    for sheet in report.targets:
        parts.part("\n".join(_targets_text(sheet, labels)) + "\n")
    if len(report.file_problems):
        parts.part(labels.say("file_problems") + "\n")
        for d in report.file_problems:
            write(f"  {format_text_line(d, labels)}\n")


def render_text(
    report: WorkflowReport, labels: Labels | None = None, options: ReportOptions | None = None
) -> str:
    """:func:`write_text` as one text."""
    pieces: list[str] = []
    write_text(report, pieces.append, labels, options)
    return "".join(pieces)


def _objection_dict(o: ObjectionLine, explain: DeadlineTexts) -> dict[str, Any]:
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
        "explanation": explain(d),
        "filed": iso(o.filed),
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
        "made_on": iso(c.made_on),
        "accepted": c.accepted,
        "changes": list(c.changes),
        "problems": [p.to_dict() for p in c.problems],
    }


def _target_dict(s: TargetSheet) -> dict[str, Any]:
    return {
        "employee": s.employee,
        "name": s.name,
        "source": s.source,
        "lines": [_line_dict(g) for g in s.lines],
    }


def write_json(report: Any, write: Callable[[str], object]) -> None:
    """Everything, as one indented JSON object, to ``write`` an item at a time."""
    explain = DeadlineTexts()

    def dumps(value: Any, indent: str = "  ") -> str:
        return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)

    write("{\n")
    for key in ("policy", "data"):
        write(f'  "{key}": {dumps(getattr(report, key))},\n')
    write(f'  "today": {dumps(iso(report.today))},\n')
    lists: list[tuple[str, Iterable[Any]]] = [
        ("notices", (_objection_dict(o, explain) for o in report.notices)),
        ("objections", (_objection_dict(o, explain) for o in report.objections)),
        ("goal_changes", map(_change_dict, report.changes)),
        ("midterm_targets", map(_target_dict, report.targets)),
        ("problems", (d.to_dict() for d in report.all_problems())),
    ]
    for number, (key, items) in enumerate(lists):
        write(f'  "{key}": [')
        first = True
        for item in items:
            write(("\n" if first else ",\n") + "    " + dumps(item, "    "))
            first = False
        write(("]" if first else "\n  ]") + (",\n" if number < len(lists) - 1 else "\n"))
    write("}\n")


def render_json(report: WorkflowReport) -> str:
    """:func:`write_json` as one text."""
    pieces: list[str] = []
    write_json(report, pieces.append)
    return "".join(pieces)


def render_csv(report: WorkflowReport, labels: Labels | None = None) -> str:
    """:func:`write_csv` as one text."""
    buffer = io.StringIO()
    write_csv(report, buffer, labels)
    return buffer.getvalue()


class _StampedOut:
    """``out`` with the policies' stamps added to the first piece written, as
    :func:`~engine.report.model.stamped` adds them to a whole report."""

    def __init__(self, fmt: str, stamps: Sequence[Stamp], out: IO[str]) -> None:
        self.fmt, self.stamps, self.out, self.first = fmt, stamps, out, True

    def write(self, piece: str) -> None:
        if self.first and piece:
            piece, self.first = stamped(self.fmt, self.stamps, piece), False
        self.out.write(piece)


def write_report(
    report: Any, fmt: str, labels: Labels, options: ReportOptions, stamps: Sequence[Stamp], out: IO[str]
) -> None:
    """The text, JSON, CSV or HTML report, stamped, to ``out`` a piece at a time: the bytes
    :func:`~engine.commands.common.deliver_report` writes for :data:`RENDERERS`."""
    if fmt == "html":
        write_stamped_page(
            page_pieces(report, labels, replace(options, stamps=tuple(stamps))), stamps, out.write
        )
        return
    target = _StampedOut(fmt, stamps, out)
    if fmt == "csv":
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as raw:
            write_csv(report, raw, labels)
            relabel_rows(lambda: _reread(raw), labels, target)
    elif fmt == "text":
        write_text(report, target.write, labels, options)
    else:
        write_json(report, target.write)


def _reread(spool: IO[str]) -> Iterator[list[str]]:
    spool.seek(0)
    return csv.reader(spool)


RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
    "xlsx": render_workbook,
}

__all__ = ["RENDERERS", "deadline_text", "render_csv", "write_report", "write_workbook"]
