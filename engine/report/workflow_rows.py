"""What every format of ``hrpolicy workflow``'s report shares: the deadline convention written
out, the window and target tables' rows, the CSV report's rows (also the workbook's results sheet).

A report here is a :class:`~engine.workflow.run.WorkflowReport` or a streamed run's
:class:`~engine.workflow.collect.StreamedReport`: its lists are sized and read again as often as
needed (from disk for a streamed run), never copied whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from engine.report.jobeval import cell
from engine.report.labels import Labels
from engine.report.safety import csv_writer
from engine.workflow import DAY_NAMES, Deadline, ObjectionLine, TargetSheet, day_text

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


class DeadlineTexts:
    """:func:`deadline_text` in ``labels``' language, remembered per deadline: a run has few notice
    days, and a million notices need not write the same sentence a million times (at most
    :data:`_REMEMBERED` are kept)."""

    def __init__(self, labels: Labels | None = None) -> None:
        self.labels = labels
        self.known: dict[Deadline, str] = {}

    def __call__(self, d: Deadline) -> str:
        text = self.known.get(d)
        if text is None:
            if len(self.known) >= _REMEMBERED:
                self.known.clear()
            text = self.known[d] = deadline_text(d, self.labels)
        return text


_REMEMBERED = 4096


def who(employee: str, name: str) -> str:
    return f"{employee} {name}".strip()


WINDOW_COLUMNS = (
    ("employee", "employee"), ("period", "period"), ("round", "round"), ("notice", "notice"),
    ("deadline", "deadline"), ("filed", "filed"), ("status", "status"),
)  # fmt: skip


def window_rows(lines: Iterable[ObjectionLine], labels: Labels) -> Iterator[list[str]]:
    """One row per notice or objection: the columns of :data:`WINDOW_COLUMNS`."""
    return (
        [
            who(o.employee, o.name),
            o.period,
            str(o.round),
            labels.day(day_text(o.deadline.notice)),
            labels.day(day_text(o.deadline.deadline)),
            labels.day(day_text(o.filed)) if o.filed else "-",
            labels.reason(o.status) or "-",
        ]
        for o in lines
    )


TARGET_COLUMNS = (
    ("indicator", "indicator"),
    ("category", "category"),
    ("weight", "weight"),
    ("target", "target"),
)


def target_rows(sheet: TargetSheet) -> list[list[str]]:
    """One row per goal of a mid-term target sheet."""
    return [[g.id, cell(g.category), cell(g.weight), cell(g.target) or "-"] for g in sheet.lines]


def windows(report: Any) -> Iterable[ObjectionLine]:
    """The notices, then the objections (read again each time: from disk for a streamed run)."""
    return itertools.chain(report.notices, report.objections)


def windows_head(report: Any, labels: Labels) -> str:
    troubled = sum(1 for o in windows(report) if o.problems)
    return labels.say(
        "windows_head", notices=len(report.notices), objections=len(report.objections), troubled=troubled
    )


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


CSV_HEADERS = (
    "record", "employee", "name", "period", "round", "notice", "deadline", "filed",
    "phase", "reason", "batch", "made_on", "status", "problems",
)  # fmt: skip


def write_csv(report: Any, out: Any, labels: Labels | None = None) -> None:
    """One row per notice, objection and goal change (columns that do not apply are empty), to
    ``out`` (anything with ``write``); the status in ``labels``' language (English without one)."""
    labels = labels or Labels({})
    writer = csv_writer(out)
    writer.writerow(CSV_HEADERS)
    for o in windows(report):
        d = o.deadline
        dates = [d.notice.isoformat(), d.deadline.isoformat(), iso(o.filed) or ""]
        row = [o.kind, o.employee, o.name, o.period, o.round, *dates, "", "", "", ""]
        writer.writerow([*row, labels.reason(o.status), len(o.problems)])
    for c in report.changes:
        verdict = labels.reason("accepted" if c.accepted else "rejected")
        row = ["goal_change", c.employee, c.name, "", "", "", "", "", c.phase, c.reason, c.batch or ""]
        writer.writerow([*row, iso(c.made_on) or "", verdict, len(c.problems)])
