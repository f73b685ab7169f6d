"""Reports of ``hrpolicy pay`` in a registry: ``text`` (merit raises, incentive pool and shares with
the check "sum of shares = pool", promotion points, each with its explanation), ``json`` and ``csv``
(one row per employee).

The text, JSON and CSV reports and the workbook are written a piece at a time
(:data:`WRITERS`, :func:`write_workbook`): a report's sections are read from its spooled lines
(:class:`engine.pay.PayReport`) as they are written, twice for an aligned table (its widths,
then its lines), so memory holds a batch of lines whatever the number of employees. The
registry's renderers join the same pieces, the page's too (:func:`write_page`: its tables' rows
read as it is written; its problems and the counts of the merit zones are held).
"""

from __future__ import annotations

import io
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import IO, Any, TypeVar

from engine.errors import Diagnostic
from engine.pay import IncentiveResult, PayReport
from engine.pay.incentive import Share
from engine.pay.mix import MixResult
from engine.pay.run import PayLine
from engine.provenance import Stamp
from engine.report import jsontext
from engine.report.diagnostics import format_text_line
from engine.report.html import Count, PageTable, chart, diagnostic_notes, generate_tables_page
from engine.report.jobeval import cell, jsonable
from engine.report.labels import Labels
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.safety import csv_writer
from engine.report.table import most_places, padded, write_table
from engine.report.xlsx import diagnostic_rows, write_xlsx_report

T = TypeVar("T")
Write = Callable[[str], object]


def share_check(result: IncentiveResult, unit: Decimal, labels: Labels | None = None) -> str:
    """The check line: the shares add up to the paid pool, or how many units stay unpaid."""
    labels = labels or Labels({})
    total = result.total
    if total == result.paid_pool:
        return labels.say("shares_ok", total=total, pool=result.paid_pool)
    left = (result.paid_pool - total) / unit
    return labels.say("shares_short", total=total, pool=result.paid_pool, left=left, unit=unit)


def _named(report: PayReport, get: Callable[[PayLine], T | None]) -> Iterator[tuple[str, T]]:
    """Each line's name with what ``get`` finds in it, for the lines where it finds something."""
    for line in report.lines:
        item = get(line)
        if item is not None:
            yield line.name, item


def _shares(report: PayReport, result: IncentiveResult) -> Iterator[tuple[str, Share]]:
    """Each share with its employee's name (the shares are those of the employees computed, in order)."""
    names = (line.name for line in report.lines if not line.bad)
    return zip(names, result.shares, strict=False)


def _heads(labels: Labels, *columns: tuple[str, str]) -> list[str]:
    return [labels.column(key, english) for key, english in columns]


class _Out:
    """Lines (each given without its end) written a batch at a time."""

    def __init__(self, write: Write) -> None:
        self._write = write
        self._batch: list[str] = []

    def line(self, text: str) -> None:
        self.text(text + "\n")

    def text(self, text: str) -> None:
        """``text`` as it is (a piece of a line)."""
        self._batch.append(text)
        if len(self._batch) >= 512:
            self.flush()

    def lines(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.line(text)

    def flush(self) -> None:
        if self._batch:
            self._write("".join(self._batch))
            self._batch.clear()

    def table(
        self, headers: Sequence[str], rows: Callable[[], Iterable[Sequence[str]]], numeric: Sequence[bool]
    ) -> None:
        """An aligned table over ``rows()`` (read twice), each of its lines indented by two spaces."""
        self.flush()

        def indented(chunk: str) -> None:
            self._write("".join(f"  {line}\n" for line in chunk.splitlines()))

        write_table(headers, rows, numeric, None, indented)


def merit_rows(report: PayReport) -> Iterator[list[str]]:
    """id, name, zone, raise per employee with a merit raise."""
    return ([m.employee, name, cell(m.zone), cell(m.value)] for name, m in _named(report, lambda x: x.merit))


def _merit_text(report: PayReport, labels: Labels, out: _Out) -> None:
    heads = _heads(labels, ("id", "id"), ("name", "name"), ("zone", "zone"), ("raise", "raise"))
    out.line(labels.say("merit_title"))
    out.table(heads, lambda: merit_rows(report), MERIT_NUMERIC)
    for name, m in _named(report, lambda line: line.merit):
        out.line(f"  {m.employee} {name}".rstrip() + ":")
        if m.zone_explanation:
            out.line(f"    {m.zone_explanation}")
        out.lines(f"    {line}" for line in m.explanation)


MERIT_NUMERIC = [False, False, False, True]
INCENTIVE_COLUMNS = (
    ("id", "id"), ("name", "name"), ("individual", "individual"), ("exact_share", "exact share"),
    ("amount", "amount"),
)  # fmt: skip
INCENTIVE_NUMERIC = [False, False, True, True, True]


def incentive_rows(report: PayReport, result: IncentiveResult) -> Iterator[list[str]]:
    """id, name, individual, exact share, amount per share of the pool."""
    return (
        [s.employee, name, cell(s.individual), cell(s.exact), cell(s.amount)]
        for name, s in _shares(report, result)
    )


def _incentive_text(report: PayReport, result: IncentiveResult, labels: Labels, out: _Out) -> None:
    out.line(labels.say("incentive_title", currency=report.currency))
    if result.shares:
        out.table(
            _heads(labels, *INCENTIVE_COLUMNS), lambda: incentive_rows(report, result), INCENTIVE_NUMERIC
        )
    out.line("  " + labels.say("explanation"))
    out.lines(f"    {line}" for line in result.trace)
    out.line("  " + share_check(result, report.incentive_unit, labels))


def _mix_rows(report: PayReport) -> Iterator[list[str]]:
    return ([t.employee, name, cell(t.held), cell(t.target)] for name, t in _named(report, lambda x: x.mix))


def _mix_text(report: PayReport, mix: MixResult, labels: Labels, out: _Out) -> None:
    out.line(labels.say("mix_title", component=mix.component, currency=report.currency))
    heads = [*_heads(labels, ("id", "id"), ("name", "name"), ("held", "held")), mix.component]
    out.table(heads, lambda: _mix_rows(report), [False, False, True, True])
    out.lines(f"  {t.employee}: {t.explanation}" for t in mix.targets)
    out.line("  " + labels.say("mix_total", component=mix.component, total=mix.total))


PROMOTION_COLUMNS = (
    ("id", "id"), ("name", "name"), ("grade_points", "grade points"), ("deduction_percent", "deduction %"),
    ("deduction", "deduction"), ("bonuses", "bonuses"), ("total", "total"),
)  # fmt: skip
PROMOTION_NUMERIC = [False, False, True, True, True, True, True]


def promotion_rows(report: PayReport) -> Iterator[list[str]]:
    """id, name, grade points, deduction %, deduction, bonuses, total per employee."""
    return (
        [
            p.id,
            name,
            cell(p.grade_points),
            cell(p.deduction_percent),
            cell(p.deduction),
            cell(sum(p.bonuses.values(), Decimal(0))),
            cell(p.total),
        ]
        for name, p in _named(report, lambda line: line.promotion)
    )


def _promotion_text(report: PayReport, labels: Labels, out: _Out) -> None:
    out.line(labels.say("promotion_title"))
    out.table(_heads(labels, *PROMOTION_COLUMNS), lambda: promotion_rows(report), PROMOTION_NUMERIC)
    for name, p in _named(report, lambda line: line.promotion):
        out.line(f"  {p.id} {name}".rstrip() + ":")
        out.lines(f"    {line}" for line in p.trace)


def bonus_rows(report: PayReport) -> Iterator[list[str]]:
    """id, name, bonus per employee (empty where a problem stopped it)."""
    return ([b.employee, name, cell(b.amount)] for name, b in _named(report, lambda line: line.bonus))


def _bonus_total(report: PayReport, labels: Labels) -> str:
    total = sum((b.amount for b in report.bonus if b.amount is not None), Decimal(0))
    return labels.say("bonus_total", total=total)


def _bonus_text(report: PayReport, labels: Labels, out: _Out) -> None:
    out.line(labels.say("bonus_title", currency=report.currency))
    heads = _heads(labels, ("id", "id"), ("name", "name"), ("bonus", "bonus"))
    out.table(heads, lambda: bonus_rows(report), [False, False, True])
    out.lines(f"  {b.employee}: {line}" for b in report.bonus for line in b.explanation)
    out.line("  " + _bonus_total(report, labels))


def _changes_text(report: PayReport, labels: Labels, out: _Out) -> None:
    out.line("")
    out.line(labels.say("grade_changes"))
    for name, c in _named(report, lambda line: line.change):
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
    out = _Out(write)
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


def _share_dict(s: Share) -> dict[str, Any]:
    return {
        "employee": s.employee,
        "individual": jsonable(s.individual),
        "exact": jsonable(s.exact),
        "amount": jsonable(s.amount),
        **({"adjusted": jsonable(s.adjusted)} if s.adjusted is not None else {}),
        "extra_unit": s.extra_unit,
        "explanation": s.explanation,
    }


#: A JSON object's members: each key with what writes its value at an indent.
Members = list[tuple[str, Callable[[str], None]]]


class _Json:
    """JSON written as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it, a list's
    items as they are read (:func:`engine.report.jsontext.dumps` for each)."""

    def __init__(self, write: Write) -> None:
        self.out = _Out(write)

    def value(self, value: Any) -> Callable[[str], None]:
        """What writes ``value`` (held whole) at an indent."""
        return lambda indent: self.out.text(jsontext.dumps(value, indent))

    def items(self, values: Iterable[Any]) -> Callable[[str], None]:
        """What writes a list of ``values`` (read as they are written) at an indent."""

        def write(indent: str) -> None:
            inner, pending = indent + "  ", None
            for value in values:
                self.out.line("[" if pending is None else pending + ",")
                pending = inner + jsontext.dumps(value, inner)
            if pending is None:
                self.out.text("[]")
            else:
                self.out.line(pending)
                self.out.text(indent + "]")

        return write

    def members(self, members: Members) -> Callable[[str], None]:
        """What writes an object of ``members`` at an indent."""

        def write(indent: str) -> None:
            inner = indent + "  "
            self.out.text("{\n")
            for index, (key, member) in enumerate(members):
                self.out.text(f"{inner}{jsontext.dumps(key)}: ")
                member(inner)
                self.out.text(",\n" if index < len(members) - 1 else "\n")
            self.out.text(indent + "}")

        return write


def write_json(report: PayReport, write: Write) -> None:
    """The pay report as JSON: each section's figures with their explanations, then the problems."""
    json = _Json(write)
    json.members(
        [
            ("policy", json.value(report.policy)),
            ("data", json.value(report.data)),
            ("currency", json.value(report.currency)),
            ("parameters", json.value(jsonable(report.parameters))),
            ("merit", json.items(_merit_dicts(report))),
            ("incentive", _incentive_json(report, json)),
            ("promotion", json.items(_promotion_dicts(report))),
            ("mix", _mix_json(report.mix, json)),
            ("grade_changes", json.items(_change_dicts(report))),
            ("bonus", json.items(_bonus_dicts(report))),
            ("problems", json.items(d.to_dict() for d in report.problems)),
        ]
    )("")
    json.out.line("")
    json.out.flush()


def _incentive_json(report: PayReport, json: _Json) -> Callable[[str], None]:
    result = report.incentive
    if result is None:
        return json.value(None)
    eligibility = [{"id": e.id, "passed": e.passed, "reason": e.reason} for e in result.eligibility]
    return json.members(
        [
            ("eligible", json.value(result.eligible)),
            ("eligibility", json.value(eligibility)),
            ("pool", json.value(jsonable(result.pool))),
            ("paid_pool", json.value(jsonable(result.paid_pool))),
            ("shares", json.items(_share_dict(s) for s in result.shares)),
            ("total", json.value(jsonable(result.total))),
            ("check", json.value(share_check(result, report.incentive_unit))),
            ("trace", json.items(result.trace)),
        ]
    )


def _mix_json(mix: MixResult | None, json: _Json) -> Callable[[str], None]:
    if mix is None:
        return json.value(None)
    targets = (
        {
            "employee": t.employee,
            "held": jsonable(t.held),
            "target": jsonable(t.target),
            "explanation": t.explanation,
        }
        for t in mix.targets
    )
    return json.members(
        [
            ("component", json.value(mix.component)),
            ("targets", json.items(targets)),
            ("total", json.value(jsonable(mix.total))),
        ]
    )


def render_json(report: PayReport) -> str:
    """The pay report as JSON: each section's figures with their explanations, then the problems."""
    parts: list[str] = []
    write_json(report, parts.append)
    return "".join(parts)


def _merit_dicts(report: PayReport) -> Iterator[dict[str, Any]]:
    """Each merit raise as JSON: the employee, the zone and why, the raise and its explanation."""
    return (
        {
            "employee": m.employee,
            "name": name,
            "zone": m.zone,
            "zone_explanation": m.zone_explanation,
            "raise": jsonable(m.value),
            "explanation": list(m.explanation),
        }
        for name, m in _named(report, lambda line: line.merit)
    )


def _promotion_dicts(report: PayReport) -> Iterator[dict[str, Any]]:
    """Each employee's promotion points as JSON, with the trace."""
    return (
        {
            "employee": p.id,
            "name": name,
            "grade_points": jsonable(p.grade_points),
            "deduction_percent": jsonable(p.deduction_percent),
            "deduction": jsonable(p.deduction),
            "bonuses": jsonable(p.bonuses),
            "total": jsonable(p.total),
            "trace": list(p.trace),
        }
        for name, p in _named(report, lambda line: line.promotion)
    )


def _change_dicts(report: PayReport) -> Iterator[dict[str, Any]]:
    """Each grade change (promotion or demotion) as JSON, with its explanation and problems."""
    return (
        {
            "employee": c.employee,
            "kind": c.kind,
            "before": c.before,
            "after": c.after,
            "explanation": list(c.explanation),
            "problems": list(c.problems),
        }
        for c in report.grade_changes
    )


def _bonus_dicts(report: PayReport) -> Iterator[dict[str, Any]]:
    return (
        {
            "employee": b.employee,
            "name": name,
            "amount": jsonable(b.amount),
            "explanation": list(b.explanation),
        }
        for name, b in _named(report, lambda line: line.bonus)
    )


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


@dataclass(frozen=True)
class _PageTable(PageTable):
    """A page's table whose rows are read twice as the page is written (their numbers' places,
    then the padded cells), never held."""

    @property
    def cells(self) -> Iterable[Sequence[str]]:
        most = most_places(self.rows, self.numeric)
        return (padded(row, most) for row in self.rows)


class _Again:
    """Rows made again by ``rows()`` each time they are iterated."""

    def __init__(self, rows: Callable[[], Iterable[Sequence[str]]]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[Sequence[str]]:
        return iter(self._rows())


class _Zones:
    """The merit zones met, sorted, as the chart reads them: counted, each given as often as met."""

    def __init__(self, report: PayReport) -> None:
        self.counts = Counter(cell(m.zone) for m in report.merit if m.zone is not None)

    def __iter__(self) -> Iterator[str]:
        for zone in sorted(self.counts):
            yield from itertools.repeat(zone, self.counts[zone])

    def __bool__(self) -> bool:
        return bool(self.counts)


def _page_tables(report: PayReport, labels: Labels) -> list[PageTable]:
    heads = partial(_heads, labels)
    tables: list[PageTable] = []
    if report.merit:
        merit_heads = heads(("id", "id"), ("name", "name"), ("zone", "zone"), ("raise", "raise"))
        rows = _Again(lambda: merit_rows(report))
        tables.append(_PageTable(labels.say("merit_title"), merit_heads, rows, MERIT_NUMERIC))
    if report.incentive is not None:
        result = report.incentive
        check = [share_check(result, report.incentive_unit, labels)]
        title = labels.say("incentive_title", currency=report.currency)
        rows = _Again(lambda: incentive_rows(report, result))
        tables.append(_PageTable(title, heads(*INCENTIVE_COLUMNS), rows, INCENTIVE_NUMERIC, check))
    if report.promotion:
        title = labels.say("promotion_title")
        rows = _Again(lambda: promotion_rows(report))
        tables.append(_PageTable(title, heads(*PROMOTION_COLUMNS), rows, PROMOTION_NUMERIC))
    if report.mix is not None:
        mix = report.mix
        title = labels.say("mix_title", component=mix.component, currency=report.currency)
        total = [labels.say("mix_total", component=mix.component, total=mix.total)]
        mix_heads = [*heads(("id", "id"), ("name", "name"), ("held", "held")), mix.component]
        rows = _Again(lambda: _mix_rows(report))
        tables.append(_PageTable(title, mix_heads, rows, [False, False, True, True], total))
    if report.bonus:
        title = labels.say("bonus_title", currency=report.currency)
        bonus_heads = heads(("id", "id"), ("name", "name"), ("bonus", "bonus"))
        total_line = [_bonus_total(report, labels)]
        rows = _Again(lambda: bonus_rows(report))
        tables.append(_PageTable(title, bonus_heads, rows, [False, False, True], total_line))
    return tables


def page_pieces(
    report: PayReport, labels: Labels | None = None, options: ReportOptions | None = None
) -> Iterator[str]:
    """Pay as a page, a piece at a time: counts, a chart of the merit zones, each declared
    section's table (the incentive with its check "sum of shares = pool"), the problems. The
    tables' rows are read from the report's lines as they are written."""
    labels = labels or Labels({})
    troubled = len({d.subject for d in report.problems if d.subject in report.employees})
    counts = [
        Count("employees", labels.word("employees"), len(report.employees)),
        Count("failed", labels.word("with_problems"), troubled, bad=troubled > 0),
    ]
    zones = _Zones(report)
    charts = [chart("zone", labels, zones, labels.column("zone", "zone"))] if zones else []  # type: ignore[arg-type]
    notes = diagnostic_notes(report.problems, labels)
    return generate_tables_page(labels, options, counts, _page_tables(report, labels), notes, charts)


def render_page(report: PayReport, labels: Labels | None = None, options: ReportOptions | None = None) -> str:
    """Pay as a page (:func:`page_pieces`)."""
    return "".join(page_pieces(report, labels, options))


def write_page(
    report: PayReport, labels: Labels, options: ReportOptions, stamps: Sequence[Stamp], write: Write
) -> None:
    """The page to ``write`` a piece at a time, stamped as a whole page is (the list of stamps
    goes right after ``<body>``, which comes before any table)."""
    head: list[str] = []
    pieces = page_pieces(report, labels, replace(options, stamps=tuple(stamps)))
    for piece in pieces:
        head.append(piece)
        if "<body>" in piece:
            break
    write(stamped("html", stamps, "".join(head)))
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= 512:
            write("".join(batch))
            batch.clear()
    write("".join(batch))


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
