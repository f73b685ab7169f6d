"""Sharing a pool in proportion to individual values, over values read again as often as needed.

The rule is :func:`engine.pay.incentive.allocate`'s (docs/jobeval-and-pay.md): each exact share
``units x value / total`` (a rational) is rounded down to the unit; with ``largest_remainder`` the
units left over go one each to the largest remainders, equal remainders by employee id. The values
come from ``values()`` (a spool of a million employees read back), so memory holds a compact
remainder per person, not the people: with every value scaled to one integer denominator
(``10**places``), ``units x value / total`` is ``units x V / T`` with integers ``V`` and ``T``,
so each remainder is the integer ``units x V mod T`` (an int64 array when ``T`` fits), and the
winners are those above the ``left``-th largest remainder, then the smallest ids at it.

An id given twice counts once, with the value of its last occurrence, as a mapping by id would
(what the whole-list allocation always did).
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Iterable
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from fractions import Fraction
from typing import Any

from engine.errors import DataError
from engine.io.ids import SeenIds
from engine.rounding import SHARE_MODES

#: The values to share a pool by, in order, started again by each call.
Values = Callable[[], Iterable[tuple[str, Decimal]]]

#: Remainders held as 64-bit integers while the scaled total stays below this.
_INT64 = 2**63


class Allocation:
    """The shares of ``pool`` (a multiple of ``unit``) by ``values``; :meth:`share` gives one person's."""

    def __init__(
        self, pool: Decimal, unit: Decimal, mode: str, remainder: str | None, values: Values
    ) -> None:
        if mode not in SHARE_MODES:
            modes = ", ".join(SHARE_MODES)
            raise DataError(f"incentive shares rounded '{mode}' could exceed the pool; use one of {modes}")
        self.pool, self.unit = pool, unit
        self.units = int(pool / unit)
        self.last: dict[str, Decimal] = {}  # the ids given more than once: their last value
        self.total, places = self._total(values)
        if self.total <= 0:
            raise DataError("the individual values add up to 0; the pool cannot be shared")
        self.places = places
        self.whole = _scaled(self.total, places)  # the total scaled: the remainders' denominator
        self.threshold: int | None = None  # the remainder at which units run out (None: no extra unit)
        self.winners: set[str] = set()  # ids at the threshold that get one
        if remainder == "largest_remainder":
            self._largest(values)

    def _total(self, values: Values) -> tuple[Decimal, int]:
        """The sum of the values (in order, as ``sum`` adds them) and the most decimal places of
        any value or the sum; the ids met twice noted in :attr:`last`."""
        total, places, seen, twice = Decimal(0), 0, SeenIds(), set()
        for emp, value in values():
            total += value
            places = max(places, _places(value))
            if not seen.add(emp):
                twice.add(emp)
        if twice:
            self.last = {emp: value for emp, value in values() if emp in twice}
        return total, max(places, _places(total))

    def _counted(self, values: Values) -> Iterable[tuple[str, int]]:
        """Each id once, with its scaled value (an id given twice: its last value, at its first place)."""
        done: set[str] = set()
        places = self.places
        for emp, value in values():
            if emp in self.last:
                if emp in done:
                    continue
                done.add(emp)
                value = self.last[emp]
            yield emp, _scaled(value, places)

    def _largest(self, values: Values) -> None:
        """The remainder at which the units left run out, and the ids at it that get one."""
        units, whole = self.units, self.whole
        remainders: array[int] | list[int] = array("q") if whole < _INT64 else []  # 8 bytes a person
        paid = 0
        for _, scaled in self._counted(values):
            share, left_over = divmod(units * scaled, whole)
            paid += share
            remainders.append(left_over)
        left = units - paid
        if left <= 0 or not remainders:
            return
        if left >= len(remainders):  # (only when an id given twice took part in the total)
            self.threshold = -1  # every id gets one
            return
        threshold = _kth_largest(remainders, left)
        above = sum(1 for r in remainders if r > threshold)
        del remainders
        at = (emp for emp, scaled in self._counted(values) if units * scaled % whole == threshold)
        self.threshold, self.winners = threshold, set(heapq.nsmallest(left - above, at))

    def share(self, emp: str, value: Decimal) -> tuple[Fraction, int, bool]:
        """``emp``'s exact share in units, the whole units of it, and whether a unit left over is its."""
        counted = self.last.get(emp, value)
        exact = Fraction(self.units) * Fraction(counted) / Fraction(self.total)
        paid = exact.numerator // exact.denominator
        extra = False
        if self.threshold is not None:
            left_over = self.units * _scaled(counted, self.places) % self.whole
            extra = left_over > self.threshold or (left_over == self.threshold and emp in self.winners)
        return exact, paid, extra


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _scaled(value: Decimal, places: int) -> int:
    """``value x 10**places`` as an exact integer (``places`` at least the value's own)."""
    return int(value.scaleb(places, _EXACT))


#: A context that never rounds (scaling a value by a power of ten only moves its exponent).
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _kth_largest(remainders: array[int] | list[int], k: int) -> int:
    """The ``k``-th largest of ``remainders`` (numpy's partition over 64-bit ones)."""
    if isinstance(remainders, array):
        import numpy as np

        found: Any = np.frombuffer(remainders, dtype=np.int64)
        kth: Any = np.partition(found, len(found) - k)[len(found) - k]
        return int(kth)
    return sorted(remainders, reverse=True)[k - 1]
