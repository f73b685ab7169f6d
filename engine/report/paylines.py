"""What the pay reports share (:mod:`engine.report.pay`, :mod:`engine.report.payjson`,
:mod:`engine.report.paypage`): each section's rows and its employees' names read from a run's
spooled lines (:class:`engine.pay.PayReport`), the incentive's check line, and :class:`Lines`,
which gives lines to a ``write`` a batch at a time (an aligned table over rows read twice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from decimal import Decimal
from typing import TypeVar

from engine.pay import IncentiveResult, PayReport
from engine.pay.incentive import Share
from engine.pay.run import PayLine
from engine.report.jobeval import cell
from engine.report.labels import Labels
from engine.report.table import write_table

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


def named(report: PayReport, get: Callable[[PayLine], T | None], section: Sized) -> Iterator[tuple[str, T]]:
    """Each line's name with what ``get`` finds in it, for the lines where it finds something
    (none read when ``section``, what ``get`` finds, is empty)."""
    if not len(section):
        return
    for line in report.lines:
        item = get(line)
        if item is not None:
            yield line.name, item


def named_shares(report: PayReport, result: IncentiveResult) -> Iterator[tuple[str, Share]]:
    """Each share with its employee's name (the shares are those of the employees computed, in order)."""
    names = (line.name for line in report.lines if not line.bad)
    return zip(names, result.shares, strict=False)


def heads(labels: Labels, *columns: tuple[str, str]) -> list[str]:
    return [labels.column(key, english) for key, english in columns]


class Lines:
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

    def write(self, text: str) -> None:
        """:meth:`text` as a file's method (for a CSV writer)."""
        self.text(text)

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
    return (
        [m.employee, name, cell(m.zone), cell(m.value)]
        for name, m in named(report, lambda x: x.merit, report.merit)
    )


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
        for name, s in named_shares(report, result)
    )


def mix_rows(report: PayReport) -> Iterator[list[str]]:
    return (
        [t.employee, name, cell(t.held), cell(t.target)]
        for name, t in named(report, lambda x: x.mix, (report.mix.targets if report.mix else ()))
    )


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
        for name, p in named(report, lambda line: line.promotion, report.promotion)
    )


def bonus_rows(report: PayReport) -> Iterator[list[str]]:
    """id, name, bonus per employee (empty where a problem stopped it)."""
    return (
        [b.employee, name, cell(b.amount)] for name, b in named(report, lambda line: line.bonus, report.bonus)
    )


def bonus_total(report: PayReport, labels: Labels) -> str:
    total = sum((b.amount for b in report.bonus if b.amount is not None), Decimal(0))
    return labels.say("bonus_total", total=total)
