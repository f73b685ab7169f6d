"""``hrpolicy workflow``'s page and workbook, written a piece (a row) at a time: the windows
table's rows are read twice (the places of its number column, then the page), the problems'
entries are made as the page comes to them, the workbook's sheets are written from spools.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, cast

from engine.errors import Diagnostic
from engine.report.html import Count, PageTable, generate_tables_page
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.table import most_places, padded
from engine.report.workflow_rows import (
    TARGET_COLUMNS,
    WINDOW_COLUMNS,
    DeadlineTexts,
    target_rows,
    who,
    window_rows,
    windows,
    windows_head,
    write_csv,
)
from engine.report.xlsx import write_xlsx_report
from engine.workflow import WorkflowReport, day_text


class _Again:
    """Items made again each time they are iterated (a streamed run's lines read from disk)."""

    def __init__(self, make: Callable[[], Iterable[Any]]) -> None:
        self.make = make

    def __iter__(self) -> Iterator[Any]:
        return iter(self.make())


@dataclass(frozen=True)
class _TwoPassTable(PageTable):
    """A page table whose rows are read twice instead of held: once for the most places of each
    number column, once as the page is written (:attr:`PageTable.cells`, cell for cell)."""

    @property
    def cells(self) -> Iterable[Sequence[str]]:
        most = most_places(self.rows, self.numeric)
        return (padded(row, most) for row in self.rows)


class _Entries:
    """The page's entries of the problems of one severity, made as the page is written."""

    def __init__(self, problems: Iterable[Diagnostic], severity: str, labels: Labels) -> None:
        self.problems, self.severity, self.labels = problems, severity, labels

    def __len__(self) -> int:
        return sum(1 for d in self.problems if d.severity.value == self.severity)

    def __iter__(self) -> Iterator[dict[str, str]]:
        for d in self.problems:
            if d.severity.value == self.severity:
                origin, subject, message = (
                    str(d.location),
                    d.subject or "file",
                    self.labels.message(d.message),
                )
                yield {"origin": origin, "subject": subject, "rule": d.rule, "message": message}


def _notes(problems: Iterable[Diagnostic], labels: Labels) -> list[dict[str, Any]]:
    """:func:`~engine.report.html.diagnostic_notes`, each entry made as the page is written."""
    return [
        {"kind": kind, "title": labels.word(kind), "entries": _Entries(problems, severity, labels)}
        for kind, severity in (("problems", "error"), ("warnings", "warning"))
    ]


def _tables(report: Any, labels: Labels) -> Iterator[PageTable]:
    """The page's tables, each made as the page comes to it."""
    if len(report.notices) or len(report.objections):
        yield _windows_table(report, labels)
    if len(report.changes):
        yield _changes_table(report, labels)
    for sheet in report.targets:
        title = labels.say(
            "targets_head", who=who(sheet.employee, sheet.name), source=labels.reason(sheet.source)
        ).rstrip(":")
        heads = [labels.column(key, english) for key, english in TARGET_COLUMNS]
        yield PageTable(title, heads, target_rows(sheet), [False, False, True, True])


def page_pieces(report: Any, labels: Labels, options: ReportOptions | None = None) -> Iterator[str]:
    """The workflow records as a page, a piece at a time: counts, the objection windows, the goal
    changes, the mid-term targets, the problems."""
    problems = report.all_problems()
    count = len(problems)
    counts = [
        Count("notices", labels.word("notices"), len(report.notices)),
        Count("objections", labels.word("objections"), len(report.objections)),
        Count("goal_changes", labels.word("goal_changes"), len(report.changes)),
        Count("problems", labels.word("problems"), count, bad=bool(count)),
    ]
    return generate_tables_page(labels, options, counts, _tables(report, labels), _notes(problems, labels))


def render_page(
    report: WorkflowReport, labels: Labels | None = None, options: ReportOptions | None = None
) -> str:
    """:func:`page_pieces` as one text."""
    return "".join(page_pieces(report, labels or Labels({}), options))


def _windows_table(report: Any, labels: Labels) -> PageTable:
    """The notices' and objections' windows: a row each, then each one's deadline."""
    heads = [labels.column(key, english) for key, english in WINDOW_COLUMNS]
    numeric = [False, False, True, False, False, False, False]
    explain = DeadlineTexts(labels)
    lines = _Again(lambda: (f"{who(o.employee, o.name)}: {explain(o.deadline)}" for o in windows(report)))
    rows = _Again(lambda: window_rows(windows(report), labels))
    return _TwoPassTable(windows_head(report, labels), heads, rows, numeric, cast(Sequence[str], lines))


def _changes_table(report: Any, labels: Labels) -> PageTable:
    """The goal changes: who, when, in which phase, why, accepted or rejected."""
    accepted = sum(1 for c in report.changes if c.accepted)
    title = labels.say("changes_head", n=len(report.changes), accepted=accepted)
    keys = (("employee", "employee"), ("made_on", "made on"), ("phase", "phase"), ("reason", "reason"),
            ("status", "status"))  # fmt: skip
    rows = (
        [
            who(c.employee, c.name),
            labels.day(day_text(c.made_on)) if c.made_on else "-",
            c.phase,
            c.reason,
            labels.reason("accepted" if c.accepted else "rejected"),
        ]
        for c in report.changes
    )
    return PageTable(title, [labels.column(k, e) for k, e in keys], rows)


class _ProblemRows:
    """The problems sheet's rows, made again each time they are read."""

    def __init__(self, report: Any) -> None:
        self.report = report

    def __iter__(self) -> Iterator[list[str]]:
        for d in self.report.all_problems():
            yield [d.severity.value, d.subject or "", d.rule, d.message, str(d.location)]


def write_workbook(report: Any, labels: Labels, options: ReportOptions, out: IO[bytes]) -> None:
    """The CSV report's table as a sheet, the problems as another, the policies' stamps
    (``options.stamps``) as the last, a row at a time."""
    write = lambda table: write_csv(report, table, labels)  # noqa: E731
    write_xlsx_report(write, _ProblemRows(report), labels, options.stamps, out)


def render_workbook(
    report: WorkflowReport, labels: Labels | None = None, options: ReportOptions | None = None
) -> bytes:
    """:func:`write_workbook` as bytes."""
    buffer = io.BytesIO()
    write_workbook(report, labels or Labels({}), options or ReportOptions(), buffer)
    return buffer.getvalue()
