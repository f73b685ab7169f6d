"""Exact numbers in columns: each value a fraction ``num / den`` of two int64, as Decimal holds it.

An *exact* value has ``den = 10**k``: it is the Decimal with coefficient ``num`` and exponent
``-k`` (``12.90`` is ``1290 / 100``, never reduced), so sums, products and roundings give the
very Decimal the per-record path computes, exponent included. A division whose result Decimal
cannot hold exactly is *approximate*: the true fraction is kept, and any decision on it that
28 digits of rounding could change (an exact tie, an equality) marks the row ``bad``. A ``bad``
row (an error, a missing value, a possible overflow, an undecidable case) goes to the exact
per-record path; nothing is ever guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

#: Magnitudes a product or sum may reach: below int64's limit, with room for one more step.
LIMIT = 2.0**62
POW10 = np.array([10**k for k in range(19)], dtype=np.int64)
_TENS = frozenset(10**k for k in range(19))


@dataclass
class Num:
    """A column of numbers: fractions ``num / den`` (``den > 0``), flags per row."""

    num: Ints
    den: Ints
    approx: Mask
    bad: Mask
    #: ``(num, den)`` of every row where the column is one constant (a literal, a parameter),
    #: for an operation to take it as one number; None: not known. (Only what ``num`` and
    #: ``den`` hold: the flags are read from their arrays, as for any column.)
    value: tuple[int, int] | None = None

    @classmethod
    def const(cls, numerator: int, exponent: int, n: int) -> Num:
        """The Decimal ``numerator E exponent`` (exponent <= 0) in every one of ``n`` rows."""
        den = 10 ** (-exponent)
        return cls(same(numerator, n), same(den, n), nowhere(n), nowhere(n), (numerator, den))

    def take(self, index: Ints) -> Num:
        return Num(self.num[index], kept(self.den, index), kept(self.approx, index), kept(self.bad, index))


def same(value: int, n: int) -> Ints:
    """``value`` in each of ``n`` rows, as a read-only view of one number: no array of ``n`` is
    written (a constant of a formula is read by every row, so it only costs its operations).
    Operations may tell such a column by its stride (:func:`one_of`)."""
    key = (value, n)
    found: Ints | None = _SAME.get(key)
    if found is None:
        if len(_SAME) > 256:  # (a few per chunk size: kept while chunks keep their size)
            _SAME.clear()
        found = _SAME[key] = np.broadcast_to(np.int64(value), (n,))
    return found


def nowhere(n: int) -> Mask:
    """A mask false in each of ``n`` rows, read-only, one per ``n``: operations may skip it
    (:func:`never`). An array of its own, not a view like :func:`same`'s: numpy's boolean
    operations are many times slower over a view of one value than over contiguous bytes."""
    found = _NOWHERE.get(n)
    if found is None:
        if len(_NOWHERE) > 64:  # (one per chunk size and level: kept while chunks keep it)
            _NOWHERE.clear()
        found = _NOWHERE[n] = np.zeros(n, bool)
        found.flags.writeable = False
    return found


#: The views :func:`same` gave and the masks :func:`nowhere` gave (read-only: shared safely).
_SAME: dict[tuple[int, int], Ints] = {}
_NOWHERE: dict[int, Mask] = {}


def kept(values: Any, index: Ints) -> Any:
    """``values[index]``; a column of :func:`same` or :func:`nowhere` stays one (nothing
    gathered)."""
    if values.dtype == np.bool_ and never(values):
        return nowhere(len(index))
    if len(values) and values.strides[0] == 0:
        return same(int(values[0]), len(index))
    return values[index]


def peak(a: Ints) -> float:
    """The largest magnitude in ``a`` (not empty), as a float (no int64 ``abs`` to wrap)."""
    return float(max(int(a.max()), -int(a.min())))


def _mul(a: Ints, b: Ints) -> tuple[Ints, Mask]:
    """``a * b`` and where it could overflow (judged in float: a wide margin). (A column of
    one number, :func:`same`, is that number: the product may be the other column itself.)"""
    k = one_of(b)
    if k is not None:
        return _scaled(a, k)
    k = one_of(a)
    if k is not None:
        return _scaled(b, k)
    if len(a) == 0 or peak(a) * peak(b) < LIMIT:
        return a * b, np.zeros(len(a), bool)  # the usual case: no row near the limit
    over = np.abs(a.astype(np.float64) * b.astype(np.float64)) >= LIMIT
    return np.where(over, 0, a) * np.where(over, 0, b), over


def _flags(*values: Num) -> tuple[Mask, Mask]:
    """The operands' flags or'ed, in new arrays (the caller adds to them in place); a mask
    of :func:`nowhere` (a constant's, a typed column's) is not read."""
    return _any_of([v.approx for v in values]), _any_of([v.bad for v in values])


def _any_of(masks: list[Mask]) -> Mask:
    read = [m for m in masks if not never(m)]
    if not read:
        return np.zeros(len(masks[0]), bool)
    found = read[0].copy()
    for mask in read[1:]:
        found |= mask
    return found


def add(a: Num, b: Num, sign: int = 1) -> Num:
    """``a + b`` (``sign`` -1: ``a - b``); exact values keep Decimal's exponent (the smaller)."""
    approx, bad = _flags(a, b)
    bnum = b.num if sign > 0 else -b.num
    same = a.den == b.den
    # Exact decimals: align to the larger power of ten (Decimal's smaller exponent).
    big = np.maximum(a.den, b.den)
    fa, fb = big // a.den, big // b.den
    na, o1 = _mul(a.num, fa)
    nb, o2 = _mul(bnum, fb)
    # Approximate values: cross-multiplied.
    xa, o3 = _mul(a.num, b.den)
    xb, o4 = _mul(bnum, a.den)
    xd, o5 = _mul(a.den, b.den)
    use_cross = approx & ~same
    num = np.where(use_cross, xa + xb, na + nb)
    den = np.where(use_cross, xd, big)
    over = np.where(use_cross, o3 | o4 | o5, o1 | o2)
    over |= np.abs(num.astype(np.float64)) >= LIMIT
    return Num(num, den, approx, bad | over)


def neg(a: Num) -> Num:
    return Num(-a.num, a.den, a.approx, a.bad)


def _scaled(a: Ints, k: int) -> tuple[Ints, Mask]:
    """:func:`_mul` by one integer ``k``: no column of it, nothing done for ``k == 1`` (the
    column itself is given back), a column of :func:`same` stays one."""
    if k == 1:
        return a, nowhere(len(a))
    one = one_of(a)
    if one is not None and abs(one * k) < LIMIT:
        return same(one * k, len(a)), nowhere(len(a))
    if len(a) == 0 or peak(a) * abs(k) < LIMIT:
        return a * k, np.zeros(len(a), bool)
    over = np.abs(a.astype(np.float64) * k) >= LIMIT
    return np.where(over, 0, a) * k, over


def mul(a: Num, b: Num) -> Num:
    approx, bad = _flags(a, b)
    if a.value is not None and b.value is None:
        a, b = b, a
    if b.value is not None:  # (by a constant: ``x * 100``)
        num, o1 = _scaled(a.num, b.value[0])
        den, o2 = _scaled(a.den, b.value[1])
    else:
        num, o1 = _mul(a.num, b.num)
        den, o2 = _mul(a.den, b.den)
    return Num(num, den, approx, bad | o1 | o2)


def div(a: Num, b: Num) -> Num:
    """``a / b``: exact when Decimal's quotient is exact (its exponent as Decimal chooses it),
    else the true fraction, approximate. Division by zero is an error: ``bad``."""
    approx, bad = _flags(a, b)
    if len(a.num) and not approx.any() and _all_tens(b.num):
        return _by_power_of_ten(a, b, bad)
    zero = b.num == 0
    bad = bad | zero
    bnum = b.num + zero  # 1 where it is 0
    num, o1 = _mul(a.num, b.den)
    den, o2 = _mul(a.den, bnum)
    if len(den) and int(den.min()) < 0:  # (a negative divisor: the sign goes to the numerator)
        sign = np.where(den < 0, -1, 1)
        num, den = num * sign, den * sign
    bad |= o1 | o2
    exact = np.zeros(len(num), bool)
    if len(den) and int(den.min()) > 0 and int(den.max()) < _SMALL:
        return _by_small(num, den, a, b, approx, bad)
    # Only a quotient whose denominator's other factors than 2 and 5 divide the numerator ends:
    # the full test (a gcd per row) runs on those rows alone.
    maybe = np.flatnonzero((den > 0) & (num % _without_twos_and_fives(den) == 0))
    if len(maybe):
        num, den = num.copy(), den.copy()  # (written below: not an operand's own column)
        found_num, found_den, found = _as_decimal(num[maybe], den[maybe], a.take(maybe), b.take(maybe))
        hit = maybe[found]  # (written in place)
        num[hit], den[hit], exact[hit] = found_num[found], found_den[found], True
    return Num(num, den, approx | ~exact, bad)


#: Denominators below this are looked up in :func:`_small_tables` (the usual divisors: counts,
#: targets, amounts in whole units).
_SMALL = 1 << 16


class _Small:
    """Per denominator ``d < _SMALL``: ``rest`` (``d`` with its factors 2 and 5 divided out),
    ``places`` (``k``: the places of ``x / (d / rest)`` for any integer ``x``, at most) and
    ``scale`` (``10**k / (d / rest)``, an integer)."""

    tables: tuple[Ints, Ints, Ints] | None = None


def _small_tables() -> tuple[Ints, Ints, Ints]:
    """:class:`_Small`'s tables, built once (a few milliseconds) when first needed."""
    if _Small.tables is None:
        d = np.arange(_SMALL, dtype=np.int64)
        d[0] = 1
        low = d & -d
        twos = np.rint(np.log2(low.astype(np.float64))).astype(np.int64)
        rest = d // low
        fives = np.zeros(_SMALL, np.int64)
        rows = np.flatnonzero(rest % 5 == 0)
        while len(rows):
            rest[rows] //= 5
            fives[rows] += 1
            rows = rows[rest[rows] % 5 == 0]
        places = np.maximum(twos, fives)
        scale = 2 ** (places - twos) * 5 ** (places - fives)
        _Small.tables = rest, places, scale
    return _Small.tables


def _by_small(num: Ints, den: Ints, a: Num, b: Num, approx: Mask, bad: Mask) -> Num:
    """:func:`div`'s quotient ``num / den`` for denominators ``0 < den < _SMALL``: where the
    fraction ends (``rest`` divides ``num``), it is ``num / rest * scale`` over ``10**places``,
    then at Decimal's exponent: padded to the ideal exponent below it, or trailing zeros
    stripped up to it (:func:`_at_ideal`). Same results as the general path, without a gcd."""
    rest_of, places_of, scale_of = _small_tables()
    rest = rest_of[den]
    exact = np.zeros(len(num), bool)
    skip = approx | bad
    if peak(num) < 2.0**52:  # quotients exact in float: a division and a product, no modulo
        # (a quotient that ends is a whole number in float, exactly; any other fails the test
        # below however it is cut: truncated, as the cast does, cheaper than ``rint``)
        quotient = (num / rest).astype(np.int64)
        ends = quotient * rest == num
    else:
        quotient = num // rest
        ends = num % rest == 0
    rows = np.flatnonzero(ends & ~skip)
    if not len(rows):
        return Num(num, den, approx | ~exact, bad)
    d = den[rows]
    coefficient, over = _mul(quotient[rows], scale_of[d])
    exponent = -places_of[d]
    ideal = _digits_at(b.den, rows) - _digits_at(a.den, rows)
    coefficient, exponent, fits = _at_ideal(coefficient, exponent, ideal)
    ok = ~over & fits
    hit = rows[ok]
    num, den = num.copy(), den.copy()
    num[hit], den[hit], exact[hit] = coefficient[ok], POW10[-exponent[ok]], True
    return Num(num, den, approx | ~exact, bad)


def _at_ideal(coefficient: Ints, exponent: Ints, ideal: Ints) -> tuple[Ints, Ints, Mask]:
    """An exact quotient ``coefficient E exponent`` (every one with exponent <= 0) at the
    exponent Decimal gives it: the ideal one where that is below (zeros appended), else
    trailing zeros stripped while the exponent is below the ideal one. Also where it fits a
    power-of-ten denominator: an exponent from -18 to 0 (``5 / 0.01`` is ``5E+2``: not)."""
    pad = np.maximum(exponent - ideal, 0)
    fits = ~(pad > 18)
    if pad.any():
        coefficient, over = _mul(coefficient, POW10[np.minimum(pad, 18)])
        fits &= ~over
        exponent = exponent - pad
    rows = np.flatnonzero(exponent < ideal)
    while len(rows):  # each pass on the rows that may still lose a trailing zero
        c = coefficient[rows]
        tenth = c // 10  # (by a constant: far cheaper than ``% 10``)
        strip = tenth * 10 == c
        rows = rows[strip]
        coefficient[rows] = tenth[strip]
        exponent[rows] += 1
        rows = rows[exponent[rows] < ideal[rows]]
    fits &= (exponent <= 0) & (exponent >= -18)
    return coefficient, exponent, fits


def _by_power_of_ten(a: Num, b: Num, bad: Mask) -> Num:
    """``a / b`` for exact ``a`` and a divisor ``10**j / 10**k`` (``/ 100``): always exact. The
    quotient is ``a``'s coefficient at exponent ``exp(a) - j + k``, trailing zeros stripped up to
    the ideal exponent ``exp(a) + k`` (``1290.00 / 100`` is ``12.90``; ``0 / 100`` keeps it)."""
    one = _one_power(b.num), _one_power(b.den), _one_power(a.den)
    if one[0] is not None and one[1] is not None and one[2] is not None:
        found = _by_one_power_of_ten(a, one[0], one[1] - one[2], bad)
        if found is not None:
            return found
    j, k, la = _digits(b.num), _digits(b.den), _digits(a.den)
    ideal = k - la
    exponent = ideal - j
    coefficient = a.num.copy()
    zero = coefficient == 0
    exponent[zero] = ideal[zero]
    for _ in range(int(j.max())):
        tenth = coefficient // 10  # (by a constant: far cheaper than ``% 10``)
        strip = (exponent < ideal) & (tenth * 10 == coefficient) & ~zero
        if not strip.any():
            break
        coefficient = pick(strip, tenth, coefficient)
        exponent += strip
    if int(exponent.max()) <= 0 and int(exponent.min()) >= -18:  # the usual case: no clipping
        num, over = _mul(coefficient, np.ones(len(coefficient), np.int64))
        return Num(num, POW10[-exponent], np.zeros(len(num), bool), bad | over)
    # A positive exponent (5 / 0.01 is 5E+2) is not a power-of-ten denominator: approximate.
    positive = exponent > 0
    bad = bad | (exponent < -18)
    scale = POW10[np.clip(-exponent, 0, 18)]
    num, over = _mul(coefficient, np.where(positive, POW10[np.clip(exponent, 0, 18)], 1))
    return Num(num, np.where(positive, 1, scale), positive, bad | over)


def _one_power(values: Ints) -> int | None:
    """``k`` where every value is ``10**k`` (one power of ten), else None."""
    first = int(values[0])
    if first not in _TENS or int(values.min()) != int(values.max()):
        return None
    return len(str(first)) - 1


def _by_one_power_of_ten(a: Num, j: int, ideal: int, bad: Mask) -> Num | None:
    """:func:`_by_power_of_ten` where every row divides by the same ``10**j`` and has the same
    ideal exponent: each row strips the trailing zeros it has, up to ``j`` (a zero: all ``j``),
    found by ``j`` divisions by constants; None where an exponent could leave -18..0."""
    start = ideal - j
    if start < -18 or ideal > 0:
        return None
    coefficient = a.num
    stripped = np.zeros(len(coefficient), np.int64)
    for t in range(1, j + 1):  # (divisible by 10**t: by every smaller power too)
        power = 10**t
        quotient = a.num // power
        whole = quotient * power == a.num
        coefficient = pick(whole, quotient, coefficient)
        stripped += whole
    coefficient = coefficient.copy() if coefficient is a.num else coefficient  # (its own array)
    return Num(coefficient, POW10[-start - stripped], np.zeros(len(coefficient), bool), bad)


def _all_tens(values: Ints) -> bool:
    """Whether every value (not none) is a power of ten (``/ 100``: one constant, checked once)."""
    if int(values[0]) not in _TENS:
        return False
    return int(values.min()) == int(values.max()) or bool(np.isin(values, POW10).all())


def _without_twos_and_fives(den: Ints) -> Ints:
    """``den`` (> 0) with every factor 2 and 5 divided out (1 where it had no other)."""
    safe = np.where(den > 0, den, 1)
    rest: Ints = safe // (safe & -safe)  # the largest power of two dividing it, out
    rows = np.flatnonzero(rest // 5 * 5 == rest)  # (by a constant: cheaper than ``% 5``)
    while len(rows):  # each pass on the rows that still end in a factor 5 only
        rest[rows] //= 5
        left = rest[rows]
        rows = rows[left // 5 * 5 == left]
    return rest


def _digits(den: Ints) -> Ints:
    """log10 of powers of ten (exact values' denominators)."""
    if len(den) and int(den.min()) == int(den.max()):  # the usual case: one denominator
        return np.full(len(den), int(np.searchsorted(POW10, den[0])), np.int64)
    return np.searchsorted(POW10, den).astype(np.int64)


def _digits_at(den: Ints, rows: Ints) -> Ints:
    """:func:`_digits` of ``den`` at ``rows`` (of a said denominator: no column of it read)."""
    one = one_of(den)
    if one is not None:
        return np.full(len(rows), int(np.searchsorted(POW10, one)), np.int64)
    return _digits(den)[rows]


def _as_decimal(num: Ints, den: Ints, a: Num, b: Num) -> tuple[Ints, Ints, Mask]:
    """The quotient ``num / den`` as Decimal writes an exact quotient of ``a / b``: at the ideal
    exponent ``exp(a) - exp(b)`` when it fits, else with just the digits it needs (``1/4`` ->
    ``0.25``). Rows where it is not a finite decimal (or an operand is approximate, or the
    exponent would be positive, which a power-of-ten denominator cannot hold) are not exact."""
    g = np.gcd(num, den)
    g = np.where(g == 0, 1, g)
    red_n, red_d = num // g, den // g
    k = _fraction_digits(red_d)
    finite = k >= 0
    ideal = _digits(b.den) - _digits(a.den)  # exponent of a minus exponent of b
    exponent = np.minimum(ideal, -np.maximum(k, 0))
    # An integer quotient ending in 0 (or 0 itself) keeps the ideal exponent if that is
    # positive (5 / 0.01 is 5E+2): not a power-of-ten denominator, so not taken.
    positive = (ideal > 0) & (k == 0) & (red_n % 10 == 0)
    ok = finite & ~a.approx & ~b.approx & ~positive & (exponent <= 0) & (exponent > -19)
    scale = POW10[np.clip(-exponent, 0, 18)]
    # red_n / red_d * 10**-exponent is an integer where ok.
    factor = np.where(ok, scale // np.where(ok, red_d, 1), 1)
    coef, over = _mul(red_n, factor)
    ok &= ~over & (scale % np.where(ok, red_d, 1) == 0)
    return coef, scale, ok


#: Powers of five up to int64's range: a reduced denominator 2**a * 5**b ends after max(a, b) places.
_POW5 = np.array([5**k for k in range(28)], dtype=np.int64)


def _fraction_digits(den: Ints) -> Ints:
    """The fewest decimal places of a reduced fraction over ``den`` (> 0), or -1 where it does not end."""
    low = den & -den  # the largest power of two dividing den
    twos = np.rint(np.log2(low.astype(np.float64))).astype(np.int64)
    rest = den // low
    fives = np.searchsorted(_POW5, rest)
    is_five = _POW5[np.minimum(fives, len(_POW5) - 1)] == rest
    return np.where(is_five, np.maximum(twos, fives), -1)


def compare(a: Num, b: Num) -> tuple[Ints, Mask]:
    """The sign of ``a - b`` per row, and the rows where it cannot be trusted: overflow, or an
    approximate value exactly equal to the other (Decimal's 28 digits may fall either side)."""
    if b.value is not None or a.value is not None:
        found = _compare_constant(a, b) if b.value is not None else _compare_constant(b, a)
        if found is not None:
            return (found[0] if b.value is not None else -found[0]), found[1]
    approx, bad = _flags(a, b)
    if len(a.num) and peak(a.num) < LIMIT and peak(b.num) < LIMIT and bool((a.den == b.den).all()):
        sign: Ints = sign_of(a.num - b.num)  # the usual case (same denominators): no products
        return sign, bad | (approx & (sign == 0))
    left, o1 = _mul(a.num, b.den)
    right, o2 = _mul(b.num, a.den)
    sign = sign_of(left - right)
    return sign, bad | o1 | o2 | (approx & (sign == 0))


def _compare_constant(a: Num, b: Num) -> tuple[Ints, Mask] | None:
    """:func:`compare` where ``b`` is one constant ``p / q``: ``sign(a.num * q - p * a.den)``
    with no column of ``b`` read (denominators are positive); None where a product might
    overflow (the caller's general path then decides)."""
    assert b.value is not None
    p, q = b.value
    n = len(a.num)
    d = one_of(a.den)
    if a.value is not None:  # (two constants: one comparison)
        x, y = a.value
        sign: Ints = np.full(n, (x * q > p * y) - (x * q < p * y), np.int64)
    elif d is not None:  # (one denominator: ``a.num`` against the constant on its scale)
        sign = sign_against(a.num, p * d, q)
    elif p == 0:
        sign = sign_of(a.num)
    elif n and peak(a.num) * q < LIMIT and float(a.den.max()) * abs(p) < LIMIT:
        left = a.num * q if q != 1 else a.num
        sign = sign_of(left - a.den * p)
    elif n:
        return None
    else:
        sign = np.zeros(0, np.int64)
    doubt = a.bad.copy() if never(b.bad) else a.bad | b.bad
    if not (never(a.approx) and never(b.approx)):
        doubt |= (a.approx | b.approx) & (sign == 0)
    return sign, doubt


def within(a: Num, bound: Num, lower: bool, inclusive: bool) -> tuple[Mask, Mask]:
    """Rows of ``a`` on the inner side of ``bound``: above it (``lower``) or below it, or equal
    where ``inclusive``; and the rows :func:`compare` cannot decide. Where ``bound`` is one
    constant ``p / q`` and ``a`` has one denominator ``d``: one comparison of ``a.num`` with
    the bound on its scale, ``p * d / q`` rounded inward (no product: nothing to overflow)."""
    d = one_of(a.den)
    if d is None or bound.value is None or a.value is not None:
        sign, unsure = compare(a, bound)
        side: Mask = sign > 0 if lower else sign < 0
        return (side | (sign == 0)) if inclusive else side, unsure
    p, q = bound.value
    floor, ceiling = p * d // q, -(-p * d // q)
    if lower:  # (a >= p/q: num >= ceiling, that is num > ceiling - 1; a > p/q: num > floor)
        inside = _beyond(a.num, ceiling - 1 if inclusive else floor, True)
    else:  # (a <= p/q: num <= floor, that is num < floor + 1; a < p/q: num < ceiling)
        inside = _beyond(a.num, floor + 1 if inclusive else ceiling, False)
    doubt: Mask = a.bad | bound.bad
    on_bound = floor == ceiling and _INT64.min <= floor <= _INT64.max
    if on_bound and not (never(a.approx) and never(bound.approx)):
        doubt |= (a.approx | bound.approx) & (a.num == floor)
    return inside, doubt


def one_of(values: Ints) -> int | None:
    """The one value of a column made by :func:`same` (None: any other column, not read)."""
    return int(values[0]) if len(values) and values.strides[0] == 0 else None


def never(mask: Mask) -> bool:
    """Whether ``mask`` is surely false in every row, known without reading it: a mask of
    :func:`nowhere` (or no row)."""
    return not len(mask) or mask is _NOWHERE.get(len(mask))


_INT64 = np.iinfo(np.int64)


def sign_against(num: Ints, top: int, bottom: int) -> Ints:
    """The sign of ``num - top / bottom`` (``bottom > 0``) per row, exactly: an integer is above
    the fraction where it is above its floor, below it where it is below its ceiling (two
    comparisons with Python's exact integers: no product, nothing to overflow)."""
    floor, ceiling = top // bottom, -(-top // bottom)
    above = _beyond(num, floor, True)
    below = _beyond(num, ceiling, False)
    sign: Ints = above.astype(np.int64)
    sign -= below
    return sign


def _beyond(num: Ints, bound: int, upward: bool) -> Mask:
    """``num > bound`` (``upward``) or ``num < bound``, ``bound`` any integer (beyond int64's
    range, every row or none)."""
    if bound > _INT64.max or bound < _INT64.min:
        every = (bound < _INT64.min) == upward
        return np.full(len(num), every, bool)
    found: Mask = num > bound if upward else num < bound
    return found


def where(cond: Mask, a: Num, b: Num) -> Num:
    """``a`` where ``cond``, else ``b`` (a new Num: its flags may be changed in place)."""
    if len(cond) and cond.all():
        return Num(a.num, a.den, a.approx.copy(), a.bad.copy())
    if not cond.any():
        return Num(b.num, b.den, b.approx.copy(), b.bad.copy())
    # (a constant side is read as its one number; one denominator on both sides is kept)
    num = pick(cond, a.num if a.value is None else a.value[0], b.num if b.value is None else b.value[0])
    da, db = one_of(a.den), one_of(b.den)
    if a.den is b.den or (da is not None and da == db):
        den = a.den
    else:
        den = pick(cond, a.den if da is None else da, b.den if db is None else db)
    return Num(
        num,
        den,
        (cond & a.approx) | (~cond & b.approx),
        (cond & a.bad) | (~cond & b.bad),
    )


def pick(cond: Mask, a: Ints | int, b: Ints | int) -> Ints:
    """``np.where(cond, a, b)`` for int64 (columns or numbers), without branches (several times
    faster when ``cond`` is mixed): ``b + (a - b) * cond`` is exact, int64 wrapping around
    alike both ways."""
    if isinstance(a, int) and isinstance(b, int):
        return np.where(cond, a, b).astype(np.int64)
    picked: Ints = np.subtract(a, b, dtype=np.int64)
    picked *= cond
    picked += b
    return picked


def sign_of(x: Ints) -> Ints:
    """``np.sign(x)`` without branches: numpy's is several times slower where signs are mixed."""
    sign = (x > 0).view(np.int8) - (x < 0).view(np.int8)
    return sign.astype(np.int64)


def round_to(a: Num, places: int, mode: str) -> Num:
    """``a`` rounded to ``places`` as :func:`engine.rounding.round_decimal` rounds it (negative
    places: to tens, the result with exponent 0). Approximate values on a boundary are ``bad``."""
    p = max(places, 0)
    m, over = _scaled(a.num, 10**p)
    den_col, over2 = _scaled(a.den, 10 ** max(-places, 0))
    over = _any_of([over, over2])
    den: Ints | int = den_col
    one = one_of(den_col)
    if one is not None:
        den = one  # one denominator, said (a rounded value's): a division by a constant
    elif len(den_col) and int(den_col.min()) == int(den_col.max()):
        den = int(den_col[0])  # one denominator (the usual case): a division by a constant
    q, r = floor_divmod(m, den)
    negative = a.num < 0
    inexact = r != 0
    twice: Ints = 2 * r
    up = _round_up(mode, q, twice, den, inexact, negative)
    result = q + up
    bad = _any_of([a.bad, over])
    if not never(a.approx):
        boundary = ~inexact | (twice == den)  # on a step, or exactly half way
        bad |= a.approx & boundary
    n = len(result)
    if places < 0:
        num, o2 = _scaled(result, 10 ** (-places))
        return Num(num, same(1, n), nowhere(n), bad | o2)
    return Num(result, same(10**p, n), nowhere(n), bad)


def floor_divmod(m: Ints, den: Ints | int) -> tuple[Ints, Ints]:
    """``m // den`` and ``m % den`` (``den > 0``) per row, exactly. By one number, numpy's
    division (by a constant: fast); by a column, where every value is below 2**52 (the usual
    case), the quotient in float, cut toward zero, then set right: an int64 division by a
    column costs ten times as much as the float one."""
    if isinstance(den, int) or not len(m) or peak(m) >= 2.0**52 or float(den.max()) >= 2.0**52:
        q: Ints = np.floor_divide(m, den)
        return q, m - q * den
    # Both operands are exact in float, so the float quotient is the true one rounded, and
    # rounding is monotone with every integer below 2**53 a float: it lies between the floor
    # and the floor plus one. Cut toward zero, it is the floor or one above it, never below.
    q = (m / den).astype(np.int64)
    r: Ints = m - q * den
    above = r < 0
    if above.any():
        q -= above
        r += den * above
    return q, r


def _round_up(mode: str, q: Ints, twice: Ints, den: Ints | int, inexact: Mask, negative: Mask) -> Mask:
    """Whether the floor quotient ``q`` goes up by one."""
    if mode == "floor":
        return np.zeros(len(q), bool)
    if mode == "ceiling":
        return inexact
    if mode == "down":
        return inexact & negative
    if mode == "up":
        return inexact & ~negative
    above: Mask = twice > den
    tie: Mask = twice == den
    if mode == "half_up":
        up: Mask = above | (tie & ~negative)
    elif mode == "half_down":
        up = above | (tie & negative)
    elif mode == "half_even":
        up = above | (tie & (q % 2 != 0))
    else:
        raise ValueError(f"unknown rounding mode {mode!r}")
    return up
    raise ValueError(f"unknown rounding mode {mode!r}")
