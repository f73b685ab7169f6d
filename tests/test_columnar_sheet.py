"""The columnar sheet checks' segment reductions (engine/evaluate/columnar/sheet.py, levels.py)
on hand-worked goal lines: the category counts per employee, the allowed kinds, group sums and
the aggregates two rules share."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluate.columnar import sheet
from engine.evaluate.columnar.levels import Level, group_sum
from engine.evaluate.columnar.numbers import Num
from engine.evaluate.columnar.reading import any_per_group
from engine.evaluate.columnar.vectors import Col, constant

CATEGORIES = ("performance", "process", "other")
KINDS = ("quantitative", "qualitative", "other_kind")


def _cat(codes: list[int], vocab: tuple[str, ...], missing: list[bool] | None = None) -> Col:
    n = len(codes)
    gone = np.array(missing if missing is not None else [False] * n, bool)
    return Col("cat", gone, np.zeros(n, bool), codes=np.array(codes, np.int64), vocab=vocab)


def test_kinds_are_checked_only_where_a_category_allows_some() -> None:
    rules = SimpleNamespace(
        kinds={"performance": ("quantitative",), "process": (), "unknown": ("qualitative",)}
    )
    category = _cat([0, 0, 1, 2, 0, 0], CATEGORIES)
    kind = _cat([0, 1, 2, 1, 0, 0], KINDS, [False, False, False, False, True, False])
    # performance+quantitative ok; performance+qualitative not allowed; process allows any;
    # "other" has no rule; performance without a kind; performance+quantitative ok
    assert sheet._kind_wrong(rules, category, kind).tolist() == [False, True, False, False, True, False]


def test_category_counts_per_employee_in_one_pass() -> None:
    bounds = SimpleNamespace
    rules = SimpleNamespace(
        categories={
            "performance": bounds(min=1, max=1),
            "process": bounds(min=1, max=None),
            "absent": bounds(min=None, max=0),
        }
    )
    # employee 0: two performance lines (over 1); 1: one of each; 2: no process line;
    # 3: one of each and an "other"
    gid = np.array([0, 0, 1, 1, 2, 3, 3, 3], np.int64)
    category = _cat([0, 0, 0, 1, 0, 1, 0, 2], CATEGORIES)
    assert sheet._category_counts(rules, category, gid, 4).tolist() == [True, False, True, False]


def _num(nums: list[int], dens: list[int]) -> Num:
    n = len(nums)
    return Num(np.array(nums, np.int64), np.array(dens, np.int64), np.zeros(n, bool), np.zeros(n, bool))


def test_group_sums_keep_decimals_exponent_and_flag_overflow() -> None:
    starts = np.array([0, 2, 3], np.int64)
    same = group_sum(_num([30, 45, 25, 1, 2], [1, 1, 1, 1, 1]), starts)  # one denominator
    assert (same.num.tolist(), same.den.tolist(), same.bad.tolist()) == ([75, 25, 3], [1, 1, 1], [False] * 3)
    mixed = group_sum(_num([305, 45, 25, 1, 2], [10, 1, 100, 1, 1]), starts)  # 30.5 + 45; 0.25; 1 + 2
    assert (mixed.num.tolist(), mixed.den.tolist()) == ([755, 25, 3], [10, 100, 1])
    big = 2**61
    over = group_sum(_num([big, big, 1, 1, 2], [1, 1, 1, 1, 1]), starts)
    assert over.bad.tolist() == [True, False, False]
    assert over.num.tolist()[1:] == [1, 3]


_terms = st.lists(st.tuples(st.integers(-(10**9), 10**9), st.integers(0, 6)), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(_terms, min_size=1, max_size=12), st.booleans())
def test_group_sums_are_decimal_sums(groups: list[list[tuple[int, int]]], huge: bool) -> None:
    """Each group's sum is Decimal's (from Decimal(0), at the smallest exponent of its terms)
    or flagged; ``huge``: one term near the limit, so that the whole chunk takes the path that
    checks each group."""
    if huge:
        groups = [*groups, [(2**61, 0), (2**61, 0)]]
    nums = [c for group in groups for c, _ in group]
    dens = [10**p for group in groups for _, p in group]
    starts = np.cumsum([0] + [len(g) for g in groups[:-1]]).astype(np.int64)
    total = group_sum(_num(nums, dens), starts)
    for g, group in enumerate(groups):
        want = sum((Decimal(c).scaleb(-p) for c, p in group), Decimal(0))
        if total.bad[g]:
            assert abs(want) * int(total.den[g]) >= 2**60  # only near the limit
            continue
        got = Decimal(int(total.num[g])).scaleb(-(len(str(int(total.den[g]))) - 1))
        assert str(got) == str(want)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=40), st.integers(0, 3), st.randoms())
def test_any_per_group_dense_and_sparse(sizes: list[int], density: int, rng: Any) -> None:
    starts = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
    rows = np.array([rng.random() < density / 3 for _ in range(sum(sizes))], bool)
    want = [bool(rows[a : a + k].any()) for a, k in zip(starts.tolist(), sizes, strict=True)]
    assert any_per_group(rows, starts).tolist() == want


def test_an_aggregate_two_rules_share_is_computed_once() -> None:
    rows = Level({}, {}, 5)
    rows.cols["weight"] = Col(
        "num", np.zeros(5, bool), np.zeros(5, bool), _num([10, 20, 30, 40, 50], [1] * 5)
    )
    flag = np.array([1, 0, 1, 1, 0], np.int64)
    rows.cols["large"] = Col("bool", np.zeros(5, bool), np.zeros(5, bool), codes=flag)
    people = Level({}, {}, 2)
    people.aggregate_rows, people.starts = rows, np.array([0, 3], np.int64)
    first = people.aggregate("count", "weight", {"large": constant(True, 2)})
    again = people.aggregate("count", "weight", {"large": constant(True, 2)})
    assert first is again and first is not None and first.num is not None
    assert first.num.num.tolist() == [2, 1]
    other = people.aggregate("count", "weight", {"large": constant(False, 2)})
    assert other is not None and other.num is not None and other.num.num.tolist() == [1, 1]
    total = people.aggregate("sum", "weight", {"large": constant(True, 2)})
    assert total is not None and total.num is not None and total.num.num.tolist() == [40, 40]
    varying = Col("bool", np.zeros(2, bool), np.zeros(2, bool), codes=np.array([1, 0], np.int64))
    assert people.aggregate("count", "weight", {"large": varying}) is not people.aggregate(
        "count", "weight", {"large": varying}
    )  # a filter that is not one value is not remembered


def _difficulty_rows(nums: list[int], dens: list[int], missing: list[bool]) -> Level:
    rows = Level({}, {}, len(nums))
    gone = np.array(missing, bool)
    rows.cols["difficulty"] = Col("num", gone, np.zeros(len(nums), bool), _num(nums, dens))
    return rows


def test_difficulty_steps_and_bounds_on_one_scale_and_on_several() -> None:
    from decimal import Decimal as D

    steps = frozenset({D("1.0"), D("1.1"), D("1.2"), D("1.3")})
    rule = SimpleNamespace(field="difficulty", min=D("1.0"), max=D("1.3"), steps=steps)
    rules = SimpleNamespace(difficulty_rule=rule)
    # tenths: 1.2 ok, 1.4 over, 0.9 under, (missing), 1.0 ok
    tenths = _difficulty_rows([12, 14, 9, 0, 10], [10, 10, 10, 1, 10], [False, False, False, True, False])
    assert sheet._difficulty_on_one_scale(rule, tenths.cols["difficulty"]) is not None
    assert sheet._difficulty(rules, tenths).tolist() == [False, True, True, False, False]
    # 1.25 is within the bounds but not a step; 1.20 (hundredths) is the step 1.2; 1 is 1.0
    mixed = _difficulty_rows([125, 120, 1, 13], [100, 100, 1, 10], [False] * 4)
    assert sheet._difficulty_on_one_scale(rule, mixed.cols["difficulty"]) is None
    assert sheet._difficulty(rules, mixed).tolist() == [True, False, False, False]
    hundredths = _difficulty_rows([125, 120, 130], [100, 100, 100], [False] * 3)
    assert sheet._difficulty_on_one_scale(rule, hundredths.cols["difficulty"]) is not None
    assert sheet._difficulty(rules, hundredths).tolist() == [True, False, False]
