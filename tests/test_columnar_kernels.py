"""The columnar plan's faster kernels (engine/evaluate/columnar/numbers.py, levels.py,
vectors.py) on hand-worked values: constants and said denominators as views of one number,
comparisons with a constant bound in integers, floor division by a column in float, group sums
over a few powers of ten, counts of the few rows a filter keeps. Each against the very numbers
Decimal (or plain integer arithmetic) gives, edge cases included: int64's limits and beyond,
negative numbers, a rounding half-up exactly at .5."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar.levels import const_num, count_per_group, group_sum
from engine.evaluate.columnar.numbers import Num
from engine.evaluate.columnar.vectors import Col, Walker
from engine.formula.parse import parse_or_raise

I64_MAX, I64_MIN = 2**63 - 1, -(2**63)


def _ints(values: list[int]) -> nb.Ints:
    return np.array(values, np.int64)


def _exact(num: list[int], den: int | list[int]) -> Num:
    """Exact values ``num / den``: ``den`` one number (said once, as a typed column says it)
    or one per row."""
    n = len(num)
    dens = nb.same(den, n) if isinstance(den, int) else _ints(den)
    return Num(_ints(num), dens, nb.nowhere(n), nb.nowhere(n))


# -- views of one value --------------------------------------------------------------------


def test_one_value_is_said_not_written() -> None:
    five, never = nb.same(5, 4), nb.nowhere(4)
    assert five.tolist() == [5, 5, 5, 5] and nb.one_of(five) == 5
    assert never.tolist() == [False] * 4 and nb.never(never)
    assert nb.one_of(_ints([5, 5, 5, 5])) is None  # (not said: a column is not read to know)
    assert not nb.never(np.zeros(4, bool))
    assert nb.never(np.zeros(0, bool))  # no row: nothing to be true
    for view in (five, never):  # shared between operations: nobody may write in them
        with pytest.raises(ValueError):
            view[0] = 1
    at = _ints([3, 0])
    assert nb.one_of(nb.kept(five, at)) == 5 and len(nb.kept(five, at)) == 2
    assert nb.never(nb.kept(never, at)) and len(nb.kept(never, at)) == 2
    assert nb.kept(_ints([7, 8, 9, 10]), at).tolist() == [10, 7]
    const = Num.const(-125, -2, 3)  # -1.25 (a literal)
    assert const.value == (-125, 100) and nb.one_of(const.den) == 100
    assert const.num.tolist() == [-125] * 3 and nb.never(const.bad) and nb.never(const.approx)


def test_sign_and_pick_without_branches() -> None:
    assert nb.sign_of(_ints([-5, 0, 7, I64_MIN, I64_MAX])).tolist() == [-1, 0, 1, -1, 1]
    cond = np.array([True, False, True])
    assert nb.pick(cond, 7, _ints([1, 2, 3])).tolist() == [7, 2, 7]
    assert nb.pick(cond, _ints([1, 2, 3]), -4).tolist() == [1, -4, 3]
    assert nb.pick(cond, 7, 9).tolist() == [7, 9, 7]
    # int64 wraps around alike both ways: the far ends of its range picked exactly
    assert nb.pick(cond, _ints([I64_MAX, 0, I64_MIN]), _ints([I64_MIN, I64_MAX, 0])).tolist() == [
        I64_MAX,
        I64_MAX,
        I64_MIN,
    ]


# -- comparisons with a constant bound -----------------------------------------------------


def test_sign_against_a_fraction_in_integers() -> None:
    num = _ints([-3, 0, 2, 3, 4])
    assert nb.sign_against(num, 5, 2).tolist() == [-1, -1, -1, 1, 1]  # 2.5
    assert nb.sign_against(num, 6, 2).tolist() == [-1, -1, -1, 0, 1]  # 3
    assert nb.sign_against(_ints([-3, -2]), -5, 2).tolist() == [-1, 1]  # -2.5
    ends = _ints([I64_MAX, I64_MIN, 0])
    assert nb.sign_against(ends, 2**70, 1).tolist() == [-1, -1, -1]  # beyond int64: no overflow
    assert nb.sign_against(ends, -(2**70), 3).tolist() == [1, 1, 1]
    assert nb.sign_against(ends, I64_MAX, 1).tolist() == [0, -1, -1]
    assert nb.sign_against(ends, I64_MIN, 1).tolist() == [1, 0, 1]


@pytest.mark.parametrize("bound", ["80", "79.5", "80.05", "-0.5", "0", "-0.499"])
def test_within_a_bound_as_decimal_decides(bound: str) -> None:
    """79.5, 80.0, 80.5, -0.5, 0.0 (in tenths, said once) against each bound, both sides,
    inclusive or not: as Decimal compares them, and as the general comparison decides."""
    values = [Decimal(v) for v in ("79.5", "80.0", "80.5", "-0.5", "0.0")]
    a = _exact([795, 800, 805, -5, 0], 10)
    column = _exact([795, 800, 805, -5, 0], [10] * 5)  # the same, its denominator not said
    edge = Decimal(bound)
    for lower in (True, False):
        for inclusive in (True, False):
            want = [(v > edge if lower else v < edge) or (inclusive and v == edge) for v in values]
            inside, doubt = nb.within(a, const_num(edge, 5), lower, inclusive)
            assert inside.tolist() == want and not doubt.any()
            general, unsure = nb.within(column, const_num(edge, 5), lower, inclusive)
            assert general.tolist() == want and not unsure.any()


def test_within_leaves_an_approximate_value_on_the_bound_undecided() -> None:
    a = Num(_ints([800, 801, 800]), nb.same(10, 3), np.array([True, True, False]), np.zeros(3, bool))
    inside, doubt = nb.within(a, const_num(80, 3), True, True)
    assert inside.tolist() == [True, True, True]
    assert doubt.tolist() == [True, False, False]  # 28 digits may fall either side of 80
    bad = Num(_ints([1, 2]), nb.same(1, 2), nb.nowhere(2), np.array([False, True]))
    assert nb.within(bad, const_num(0, 2), True, False)[1].tolist() == [False, True]


def test_within_never_overflows_at_int64s_limits() -> None:
    """Values near int64's limit over 10**18 against bounds whose scaled value leaves int64:
    decided exactly (the product a general comparison would make is never made)."""
    a = _exact([2**62, -(2**62), I64_MAX], 10**18)  # 4.61..., -4.61..., 9.22...
    assert nb.within(a, const_num(10, 3), True, True)[0].tolist() == [False, False, False]
    assert nb.within(a, const_num(10, 3), False, False)[0].tolist() == [True, True, True]
    assert nb.within(a, const_num(-10, 3), True, False)[0].tolist() == [True, True, True]
    assert nb.within(a, const_num(9, 3), True, True)[0].tolist() == [False, False, True]


def test_comparisons_of_a_column_with_a_constant() -> None:
    """The walker's single comparisons (a bound, an equality of codes) as Python decides them."""
    n = 6
    values = [Decimal(v) for v in ("-1.5", "0.0", "2.4", "2.5", "2.6", "7.0")]
    none = np.zeros(n, bool)
    missing = np.array([False] * 5 + [True])
    x = Col("num", missing, none, _exact([-15, 0, 24, 25, 26, 70], 10))
    kind = Col("cat", none, none, codes=_ints([0, 1, 1, 0, -1, 1]), vocab=("a", "b"))
    cols = {"x": x, "kind": kind}
    cases = {
        "x > 2.5": [v > Decimal("2.5") for v in values],
        "x >= 2.5": [v >= Decimal("2.5") for v in values],
        "x < 0": [v < 0 for v in values],
        "x <= 2.45": [v <= Decimal("2.45") for v in values],
        "kind == 'b'": [False, True, True, False, False, True],
        "kind != 'a'": [False, True, True, False, True, True],
        "'a' == kind": [True, False, False, True, False, False],
        "kind == 'z'": [False] * n,
    }
    for text, want in cases.items():
        got = Walker(parse_or_raise(text), n, cols.__getitem__, None).run()
        assert got.kind == "bool" and got.codes is not None
        undecided = missing.tolist() if text.startswith("x") else [False] * n
        assert got.bad.tolist() == undecided, text
        assert [bool(c) for c, u in zip(got.codes, undecided, strict=True) if not u] == [
            w for w, u in zip(want, undecided, strict=True) if not u
        ], text


# -- division and rounding -----------------------------------------------------------------


def test_floor_division_by_a_column() -> None:
    m = _ints([7, -7, 7, -7, 0, 6, -6, 2**51 + 1, -(2**51) - 1, 2**52 - 2, -(2**52) + 2])
    den = _ints([2, 2, 3, 3, 5, 3, 3, 2, 2, 2**52 - 1, 2**52 - 1])
    q, r = nb.floor_divmod(m, den)
    assert q.tolist() == [int(a) // int(b) for a, b in zip(m, den, strict=True)]
    assert r.tolist() == [int(a) % int(b) for a, b in zip(m, den, strict=True)]
    assert q.tolist()[:7] == [3, -4, 2, -3, 0, 2, -2] and r.tolist()[:7] == [1, 1, 1, 2, 0, 0, 0]
    big = _ints([2**60 + 3, -(2**60) - 3])  # beyond float's exact integers: int64 division
    assert nb.floor_divmod(big, _ints([2, 2]))[0].tolist() == [2**59 + 1, -(2**59) - 2]
    assert nb.floor_divmod(big, _ints([2, 2]))[1].tolist() == [1, 1]
    assert nb.floor_divmod(_ints([-7, 7]), 2)[0].tolist() == [-4, 3]  # by one number


def test_rounding_half_up_at_half_exactly() -> None:
    """Fractions over a column of denominators (the float division's path) and over a said one:
    each rounded as Decimal's ROUND_HALF_UP rounds it (a tie away from zero)."""
    num, den = [5, -5, 1, -1, 1, -1, 49, 7, -49], [2, 2, 8, 8, 3, 3, 20, 4, 20]
    a = Num(_ints(num), _ints(den), np.zeros(9, bool), np.zeros(9, bool))
    for places in (0, 1, 2):
        got = nb.round_to(a, places, "half_up")
        step = Decimal(1).scaleb(-places)
        want = [
            ((Decimal(x) / Decimal(y)).quantize(step, ROUND_HALF_UP)) for x, y in zip(num, den, strict=True)
        ]
        assert not got.bad.any() and nb.one_of(got.den) == 10**places
        assert [Decimal(int(v)).scaleb(-places) for v in got.num] == want, places
    # 2.5 and -2.5 (exact, at .5): 3 and -3; 2.45 to a tenth: 2.5; 0.125 to hundredths: 0.13
    assert nb.round_to(a, 0, "half_up").num.tolist()[:2] == [3, -3]
    assert nb.round_to(a, 1, "half_up").num.tolist()[6] == 25
    assert nb.round_to(a, 2, "half_up").num.tolist()[2:4] == [13, -13]
    tenths = _exact([25, -25, 24, -26, 15], 10)  # a said denominator: a division by a constant
    assert nb.round_to(tenths, 0, "half_up").num.tolist() == [3, -3, 2, -3, 2]
    near = Num(_ints([5, 7]), _ints([2, 3]), np.ones(2, bool), np.zeros(2, bool))
    assert nb.round_to(near, 0, "half_up").bad.tolist() == [True, False]  # approximate, at .5


# -- sums and counts per group -------------------------------------------------------------


def test_group_sums_over_a_few_powers_of_ten_keep_decimals_exponent() -> None:
    terms = [Decimal(v) for v in ("1.5", "2.25", "3", "4.0", "1", "-0.07", "0.07", "12")]
    starts = _ints([0, 3, 5, 7])
    values = Num(
        _ints([15, 225, 3, 40, 1, -7, 7, 12]),
        _ints([10, 100, 1, 10, 1, 100, 100, 1]),
        np.zeros(8, bool),
        np.zeros(8, bool),
    )
    total = group_sum(values, starts)
    want = [sum(terms[0:3], Decimal(0)), sum(terms[3:5], Decimal(0)), sum(terms[5:7], Decimal(0))]
    want.append(sum(terms[7:], Decimal(0)))
    got = [Decimal(int(n)).scaleb(-(len(str(int(d))) - 1)) for n, d in zip(total.num, total.den, strict=True)]
    assert [str(g) for g in got] == [str(w) for w in want] == ["6.75", "5.0", "0.00", "12"]
    assert not total.bad.any()
    odd = Num(_ints([1, 3]), _ints([20, 100]), np.zeros(2, bool), np.zeros(2, bool))
    assert group_sum(odd, _ints([0])).num.tolist() == [8]  # 1/20 + 3/100 = 8/100


def test_counts_of_the_rows_a_filter_keeps() -> None:
    starts = _ints(list(range(0, 40, 5)))  # 8 groups of 5 rows
    few = np.zeros(40, bool)
    few[[1, 2, 36]] = True  # few rows: placed by a binary search
    assert count_per_group(few, starts).tolist() == [2, 0, 0, 0, 0, 0, 0, 1]
    many = np.ones(40, bool)
    many[[0, 39]] = False  # most rows: one running sum
    assert count_per_group(many, starts).tolist() == [4, 5, 5, 5, 5, 5, 5, 4]
    uneven = _ints([0, 1, 4])
    assert count_per_group(np.array([True, False, True, True, False, True]), uneven).tolist() == [1, 2, 1]
    assert count_per_group(np.zeros(0, bool), _ints([])).tolist() == []
