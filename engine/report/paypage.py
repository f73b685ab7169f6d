"""The ``pay`` report as a page, written a piece at a time: its tables' rows read from the run's
lines as the page is written (twice for a table with numbers: their places, then the padded
cells); its problems and the counts of the merit zones are held.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial

from engine.pay import PayReport
from engine.provenance import Stamp
from engine.report.html import (
    Count,
    PageTable,
    chart,
    diagnostic_notes,
    generate_tables_page,
    write_stamped_page,
)
from engine.report.jobeval import cell
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.paylines import (
    INCENTIVE_COLUMNS,
    INCENTIVE_NUMERIC,
    MERIT_NUMERIC,
    PROMOTION_COLUMNS,
    PROMOTION_NUMERIC,
    Write,
    bonus_rows,
    bonus_total,
    heads,
    incentive_rows,
    merit_rows,
    mix_rows,
    promotion_rows,
    share_check,
)  # fmt: skip
from engine.report.table import most_places, padded


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
    column = partial(heads, labels)
    tables: list[PageTable] = []
    if report.merit:
        merit_heads = column(("id", "id"), ("name", "name"), ("zone", "zone"), ("raise", "raise"))
        rows = _Again(lambda: merit_rows(report))
        tables.append(_PageTable(labels.say("merit_title"), merit_heads, rows, MERIT_NUMERIC))
    if report.incentive is not None:
        result = report.incentive
        check = [share_check(result, report.incentive_unit, labels)]
        title = labels.say("incentive_title", currency=report.currency)
        rows = _Again(lambda: incentive_rows(report, result))
        tables.append(_PageTable(title, column(*INCENTIVE_COLUMNS), rows, INCENTIVE_NUMERIC, check))
    if report.promotion:
        title = labels.say("promotion_title")
        rows = _Again(lambda: promotion_rows(report))
        tables.append(_PageTable(title, column(*PROMOTION_COLUMNS), rows, PROMOTION_NUMERIC))
    if report.mix is not None:
        mix = report.mix
        title = labels.say("mix_title", component=mix.component, currency=report.currency)
        total = [labels.say("mix_total", component=mix.component, total=mix.total)]
        mix_heads = [*column(("id", "id"), ("name", "name"), ("held", "held")), mix.component]
        rows = _Again(lambda: mix_rows(report))
        tables.append(_PageTable(title, mix_heads, rows, [False, False, True, True], total))
    if report.bonus:
        title = labels.say("bonus_title", currency=report.currency)
        bonus_heads = column(("id", "id"), ("name", "name"), ("bonus", "bonus"))
        total_line = [bonus_total(report, labels)]
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
    charts = [chart("zone", labels, zones, labels.column("zone", "zone"))] if zones else []
    notes = diagnostic_notes(report.problems, labels)
    return generate_tables_page(labels, options, counts, _page_tables(report, labels), notes, charts)


def render_page(report: PayReport, labels: Labels | None = None, options: ReportOptions | None = None) -> str:
    """Pay as a page (:func:`page_pieces`)."""
    return "".join(page_pieces(report, labels, options))


def write_page(
    report: PayReport, labels: Labels, options: ReportOptions, stamps: Sequence[Stamp], write: Write
) -> None:
    """The page to ``write`` a piece at a time, stamped as a whole page is
    (:func:`~engine.report.html.write_stamped_page`)."""
    write_stamped_page(page_pieces(report, labels, replace(options, stamps=tuple(stamps))), stamps, write)
