"""The names of one level of a chunk (goal lines or employees) as columns, and the aggregates
of an employee's goal lines (``count``/``sum`` with filters) as segment reductions over the
groups' first rows."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar.numbers import Ints, Mask, Num
from engine.evaluate.columnar.reading import any_per_group, group_totals
from engine.evaluate.columnar.vectors import Col, Unsupported, constant, number_col


def const_num(value: Any, n: int) -> Num:
    col = constant(Decimal(value), n)
    assert col.num is not None
    return col.num


def group_sum(values: Num, starts: Ints, gid: Ints | None = None) -> Num:
    """Each group's sum from Decimal(0), with Decimal's exponent (the smallest of the terms):
    terms aligned to the group's largest denominator; approximate terms: ``bad``. ``gid``:
    each row's group, if the caller has it."""
    n = len(values.num)
    if n == 0:
        return Num(np.zeros(0, np.int64), np.ones(0, np.int64), np.zeros(0, bool), np.zeros(0, bool))
    sizes = np.diff(np.append(starts, n))
    flags = [mask for mask in (values.bad, values.approx) if not nb.never(mask)]
    flagged = any_per_group(flags[0] | flags[-1], starts) if flags else np.zeros(len(starts), bool)
    den = int(values.den[0])
    if nb.one_of(values.den) is not None or bool((values.den == den).all()):
        # the usual case: one denominator, no alignment
        peak = max(int(values.num.max()), -int(values.num.min()))
        if peak * int(sizes.max()) < nb.LIMIT:  # no group can reach the limit
            total = group_totals(values.num, starts)
            return Num(total, np.full(len(starts), den, np.int64), np.zeros(len(starts), bool), flagged)
    big = np.maximum.reduceat(values.den, starts)
    top = int(big.max())
    factor = _factors(values.den, top)
    # (exact values: powers of ten, every one dividing the top)
    if factor is not None and nb.peak(values.num) * float(factor.max()) * float(sizes.max()) < nb.LIMIT:
        # no group can reach the limit: every sum at the top scale, then each at its own
        # (each total a multiple of its divisor: divided exactly, as floor_divmod does it)
        scale = nb.floor_divmod(nb.same(top, len(big)), big)[0]
        total = nb.floor_divmod(group_totals(values.num * factor, starts), scale)[0]
        return Num(total, big, np.zeros(len(starts), bool), flagged)
    if gid is None:
        gid = np.repeat(np.arange(len(starts)), sizes)
    factor = big[gid] // values.den
    scaled = values.num.astype(np.float64) * factor
    over = np.maximum.reduceat(np.abs(scaled), starts) * sizes >= nb.LIMIT
    total = group_totals(values.num * factor, starts)
    return Num(total, big, np.zeros(len(starts), bool), over | flagged)


def _factors(den: Ints, top: int) -> Ints | None:
    """``top // den`` per row where every ``den`` divides ``top`` (else None). Over a few powers
    of ten (terms in units, tenths, hundredths: the usual case), one comparison per power: an
    int64 division or modulo by a column is ten times as slow."""
    low = int(den.min())
    if top in _TENS and low in _TENS and top // low <= 1000:
        factor = np.zeros(len(den), np.int64)
        matched, power = 0, low
        while power <= top:
            hit = den == power
            factor += hit * (top // power)
            matched += int(np.count_nonzero(hit))
            power *= 10
        if matched == len(den):
            return factor
    if (top % den).any():
        return None
    found: Ints = top // den
    return found


_TENS = frozenset(10**k for k in range(19))


def count_per_group(rows: Mask, starts: Ints) -> Ints:
    """Per group (as :func:`.reading.group_totals` has them), how many of its rows are true:
    few true rows (a filter such as ``large_project=True``) placed in their groups by a binary
    search and counted by ``bincount``; else one running sum."""
    hit = np.flatnonzero(rows)
    if not len(starts) or 8 * len(hit) >= len(rows):
        return group_totals(rows.astype(np.int64), starts)
    group = np.searchsorted(starts, hit, "right") - 1
    counts: Ints = np.bincount(group[group >= 0], minlength=len(starts)).astype(np.int64)
    return counts


class Level:
    """Names at one level (goal lines or employees) as columns; aggregates of the lines."""

    def __init__(self, parameters: Mapping[str, Any], cols: dict[str, Col], n: int) -> None:
        self.parameters, self.cols, self.n = parameters, cols, n
        self.fallback: Any = None
        self.aggregate_rows: Level | None = None
        self.starts: Ints = np.zeros(0, np.int64)
        self.gid: Ints = np.zeros(0, np.int64)
        #: Aggregates already computed over this chunk (two rules often count the same lines).
        self.done: dict[tuple[Any, ...], Col] = {}

    def get(self, name: str) -> Col:
        found = self.cols.get(name)
        if found is not None:
            return found
        if self.fallback is not None:
            col: Col = self.fallback(name)
            self.cols[name] = col
            return col
        if name in self.parameters:
            return constant(self.parameters[name], self.n)
        raise Unsupported(f"name {name!r}")

    def aggregate(self, fn: str, column: str, filters: Mapping[str, Col]) -> Col | None:
        """``fn`` (count, sum) of the goal lines' ``column`` per employee, of the lines whose
        fields equal ``filters`` (None: not an aggregate this level computes)."""
        rows = self.aggregate_rows
        if rows is None or column not in rows.cols or column in self.cols:
            return None
        keys = [_filter_key(k, v) for k, v in sorted(filters.items())]
        if any(k is None for k in keys):  # a filter that is not one value: not remembered
            return self._aggregate(rows, fn, column, filters)
        key = (fn, column, id(rows), *keys)
        found = self.done.get(key)
        if found is None:
            found = self.done[key] = self._aggregate(rows, fn, column, filters)
        return found

    def _aggregate(self, rows: Level, fn: str, column: str, filters: Mapping[str, Col]) -> Col:
        values = rows.cols[column]
        n_rows = len(values.missing)
        keep = np.ones(n_rows, bool)
        unsure = np.zeros(n_rows, bool)
        for key, wanted in filters.items():
            have = rows.get(key)
            same, doubt = _equal_filter(have, wanted, n_rows)
            keep &= same
            unsure |= doubt
        bad = any_per_group(unsure, self.starts)
        n_people = len(self.starts)
        if fn == "count":
            kept = count_per_group(keep, self.starts)
            counted = Num(kept, nb.same(1, n_people), nb.nowhere(n_people), bad)
            return number_col(counted, nb.nowhere(n_people))
        if fn == "sum":
            if values.kind != "num" or values.num is None:
                raise Unsupported(f"sum of {column}")
            failing = keep & (values.missing | values.bad)
            zero = Num.const(0, 0, n_rows)
            total = group_sum(nb.where(keep, values.num, zero), self.starts)
            total.bad |= bad | any_per_group(failing, self.starts)
            return number_col(total, nb.nowhere(n_people))
        raise Unsupported(f"{fn}() of a column")


def _filter_key(name: str, wanted: Col) -> tuple[Any, ...] | None:
    """A filter's value as a key: its kind, text and code where it is one value in every row
    (a literal), else None."""
    if wanted.missing.any() or wanted.bad.any():
        return None
    codes = wanted.codes
    if codes is not None and len(codes) and int(codes.min()) != int(codes.max()):
        return None
    if wanted.num is not None:
        return None
    return name, wanted.kind, wanted.text, int(codes[0]) if codes is not None and len(codes) else None


def _equal_filter(have: Col, wanted: Col, n: int) -> tuple[Mask, Mask]:
    """Rows whose field equals the filter's value (``row.get(k) == v``; None equals nothing)."""
    if wanted.kind == "bool" and have.kind == "bool" and wanted.codes is not None and have.codes is not None:
        return ~have.missing & (have.codes == wanted.codes[0]), have.bad
    if wanted.kind == "text" and have.kind == "cat" and have.codes is not None:
        code = have.vocab.index(wanted.text) if wanted.text in have.vocab else -2
        return ~have.missing & (have.codes == code), have.bad
    raise Unsupported(f"filter on a {have.kind} field by a {wanted.kind} value")
