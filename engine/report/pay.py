"""Reports of ``hrpolicy pay`` in a registry: ``text`` (merit raises, incentive pool and shares with
the check "sum of shares = pool", promotion points, each with its explanation), ``json`` and ``csv``
(one row per employee).

The text, JSON and CSV reports and the workbook are written a piece at a time
(:data:`WRITERS`, :func:`write_workbook`): a report's sections are read from its spooled lines
(:class:`engine.pay.PayReport`) as they are written, twice for an aligned table (its widths,
then its lines), so memory holds a batch of lines whatever the number of employees. The
registry's renderers join the same pieces (JSON: :mod:`engine.report.payjson`), the page's too
(:mod:`engine.report.paypage`: its tables' rows read as it is written).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from engine.errors import Diagnostic
from engine.pay import IncentiveResult, PayReport
from engine.pay.mix import MixResult
from engine.report.diagnostics import format_text_line
from engine.report.jobeval import cell
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.payjson import render_json, write_json
from engine.report.paylines import (
    INCENTIVE_COLUMNS,
    INCENTIVE_NUMERIC,
    MERIT_NUMERIC,
    PROMOTION_COLUMNS,
    PROMOTION_NUMERIC,
    Lines,
    Write,
    bonus_rows,
    bonus_total,
    heads,
    incentive_rows,
    merit_rows,
    mix_rows,
    named,
    promotion_rows,
    share_check,
)  # fmt: skip
from engine.report.paypage import render_page
from engine.report.safety import csv_writer
from engine.report.xlsx import diagnostic_rows, write_xlsx_report


def _merit_text(report: PayReport, labels: Labels, out: Lines) -> None:
    columns = heads(labels, ("id", "id"), ("name", "name"), ("zone", "zone"), ("raise", "raise"))
    out.line(labels.say("merit_title"))
    out.table(columns, lambda: merit_rows(report), MERIT_NUMERIC)
    for name, m in named(report, lambda line: line.merit, report.merit):
        out.line(f"  {m.employee} {name}".rstrip() + ":")
        if m.zone_explanation:
            out.line(f"    {m.zone_explanation}")
        out.lines(f"    {line}" for line in m.explanation)


def _incentive_text(report: PayReport, result: IncentiveResult, labels: Labels, out: Lines) -> None:
    out.line(labels.say("incentive_title", currency=report.currency))
    if result.shares:
        out.table(
            heads(labels, *INCENTIVE_COLUMNS), lambda: incentive_rows(report, result), INCENTIVE_NUMERIC
        )
    out.line("  " + labels.say("explanation"))
    out.lines(f"    {line}" for line in result.trace)
    out.line("  " + share_check(result, report.incentive_unit, labels))


def _mix_text(report: PayReport, mix: MixResult, labels: Labels, out: Lines) -> None:
    out.line(labels.say("mix_title", component=mix.component, currency=report.currency))
    columns = [*heads(labels, ("id", "id"), ("name", "name"), ("held", "held")), mix.component]
    out.table(columns, lambda: mix_rows(report), [False, False, True, True])
    out.lines(f"  {t.employee}: {t.explanation}" for t in mix.targets)
    out.line("  " + labels.say("mix_total", component=mix.component, total=mix.total))


def _promotion_text(report: PayReport, labels: Labels, out: Lines) -> None:
    out.line(labels.say("promotion_title"))
    out.table(heads(labels, *PROMOTION_COLUMNS), lambda: promotion_rows(report), PROMOTION_NUMERIC)
    for name, p in named(report, lambda line: line.promotion, report.promotion):
        out.line(f"  {p.id} {name}".rstrip() + ":")
        out.lines(f"    {line}" for line in p.trace)


def _bonus_text(report: PayReport, labels: Labels, out: Lines) -> None:
    out.line(labels.say("bonus_title", currency=report.currency))
    columns = heads(labels, ("id", "id"), ("name", "name"), ("bonus", "bonus"))
    out.table(columns, lambda: bonus_rows(report), [False, False, True])
    out.lines(f"  {b.employee}: {line}" for b in report.bonus for line in b.explanation)
    out.line("  " + bonus_total(report, labels))


def _changes_text(report: PayReport, labels: Labels, out: Lines) -> None:
    out.line("")
    out.line(labels.say("grade_changes"))
    for name, c in named(report, lambda line: line.change, report.grade_changes):
        who = f"  {c.employee} {name}".rstrip()
        out.line(f"{who}: {c.kind} {c.before} -> {c.after}")
        problems = (labels.say("problem_is", text=labels.message(p)) for p in c.problems)
        out.lines(f"    {line}" for line in (*c.explanation, *problems))


def write_text(
    report: PayReport, write: Write, labels: Labels | None = None, options: ReportOptions | None = None
) -> None:
    """Each declared section with its table and explanation lines, then the problems, to ``write``."""
    labels = labels or Labels({})
    shown = ", ".join(f"{k} = {cell(v)}" for k, v in report.parameters.items())
    count = len(report.employees)
    policy = report.policy if labels.lang is None else labels.policy_name()
    s = "s" if count != 1 else ""
    out = Lines(write)
    out.line(labels.say("pay_head", policy=policy, count=count, s=s, data=report.data))
    out.line(labels.say("parameters", shown=shown or "-"))
    sections: list[Callable[[], None]] = []
    if report.merit:
        sections.append(lambda: _merit_text(report, labels, out))
    if report.incentive is not None:
        result = report.incentive
        sections.append(lambda: _incentive_text(report, result, labels, out))
    if report.promotion:
        sections.append(lambda: _promotion_text(report, labels, out))
    if report.mix is not None:
        mix = report.mix
        sections.append(lambda: _mix_text(report, mix, labels, out))
    if report.bonus:
        sections.append(lambda: _bonus_text(report, labels, out))
    for section in sections:
        out.line("")
        section()
    if report.grade_changes:
        _changes_text(report, labels, out)
    if report.problems:
        out.line("")
        out.line(labels.say("problems"))
        out.lines("  " + format_text_line(d, labels).replace("\n", "\n  ") for d in report.problems)
    out.flush()


def render_text(report: PayReport, labels: Labels | None = None, options: ReportOptions | None = None) -> str:
    """Each declared section with its table and explanation lines, then the problems."""
    parts: list[str] = []
    write_text(report, parts.append, labels, options)
    return "".join(parts)


CSV_COLUMNS = (
    "id", "name", "zone", "merit_raise", "incentive_individual", "incentive_amount",
    "promotion_grade_points", "promotion_deduction", "promotion_total",
)  # fmt: skip


def write_csv(report: PayReport, out: Any, labels: Labels | None = None) -> None:
    """One row per employee to ``out`` (anything with ``write``); a cell is empty where a
    section does not apply or had a problem (``labels``: the same table whatever the language,
    its header aside)."""
    shares = iter(report.incentive.shares if report.incentive else ())
    extra = ["bonus"] if report.bonus else []  # a policy without a bonus keeps its columns
    writer = csv_writer(out)
    writer.writerow([*CSV_COLUMNS, *extra])
    for line in report.lines:
        share = next(shares, None) if not line.bad else None
        writer.writerow(
            [
                line.id,
                line.name,
                *_cells(line.merit, "zone", "value"),
                *_cells(share, "individual", "amount"),
                *_cells(line.promotion, "grade_points", "deduction", "total"),
                *(_cells(line.bonus, "amount") if extra else []),
            ]
        )


def render_csv(report: PayReport, labels: Labels | None = None) -> str:
    """One row per employee; a cell is empty where a section does not apply or had a problem
    (``labels``: the same table whatever the language, its header aside)."""
    buffer = io.StringIO()
    write_csv(report, buffer, labels)
    return buffer.getvalue()


def _cells(item: object | None, *fields: str) -> list[str]:
    """The CSV cells of ``item``'s ``fields``, or as many empty cells when there is no item."""
    return [cell(getattr(item, name)) for name in fields] if item else [""] * len(fields)


def write_workbook(report: PayReport, labels: Labels, options: ReportOptions, out: IO[bytes]) -> None:
    """The workbook :data:`RENDERERS` ``["xlsx"]`` makes, a row at a time."""
    rows = _ProblemRows(report.problems)
    write_xlsx_report(lambda table: write_csv(report, table, labels), rows, labels, options.stamps, out)


class _ProblemRows:
    """The problems sheet's rows, made again each time they are read."""

    def __init__(self, problems: Sequence[Diagnostic]) -> None:
        self.problems = problems

    def __iter__(self) -> Iterator[list[str]]:
        return iter(diagnostic_rows(self.problems))


def render_workbook(
    report: PayReport, labels: Labels | None = None, options: ReportOptions | None = None
) -> bytes:
    """The pay report as a workbook: the CSV report's table, the problems, the policies' stamps."""
    buffer = io.BytesIO()
    write_workbook(report, labels or Labels({}), options or ReportOptions(), buffer)
    return buffer.getvalue()


#: The formats written a piece at a time (to ``write``): the command's streamed reports.
WRITERS: dict[str, Callable[..., None]] = {"text": write_text, "json": write_json}


RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
    "xlsx": render_workbook,
}
