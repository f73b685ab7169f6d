"""The JSON block's numbers (engine/report/jsonblock.py) are ``str`` of their Decimals: every
number of places up to six, signs, zero, int64's extremes, and the rows it leaves to the
report's own writer (a denominator that is no power of ten, more than six places)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.report.jsonblock import JsonBlock, _decimal

LEAST, MOST = -(2**63), 2**63 - 1


def _expected(num: int, den: int) -> str | None:
    """``str`` of the Decimal ``num / den`` written as the block writes it, None: not by it."""
    places = len(str(den)) - 1
    if den != 10**places or places > 6 or num == LEAST:
        return None
    return str(Decimal(num).scaleb(-places))


def _written(nums: list[int], dens: list[int]) -> list[str | None]:
    text, ok = _decimal(np.array(nums, np.int64), np.array(dens, np.int64))
    return [t if sure else None for t, sure in zip(text.to_pylist(), ok.tolist(), strict=True)]


def test_numbers_of_every_number_of_places_in_one_column() -> None:
    nums = [0, 5, -5, 117552, -1, 1000, 7, MOST, LEAST + 1, 1290, 42, 3, 99]
    dens = [1000, 1, 10, 1000, 1000000, 100, 10000000, 1, 1000000, 100, 3, 10, 10**18]
    assert _written(nums, dens) == [
        "0.000",
        "5",
        "-0.5",
        "117.552",
        "-0.000001",
        "10.00",  # (trailing zeros kept: the places are the value's own)
        None,  # seven places: str would write 7E-7
        "9223372036854775807",
        "-9223372036854.775807",
        "12.90",
        None,  # no power of ten
        "0.3",
        None,
    ]


def test_no_numbers() -> None:
    text, ok = _decimal(np.array([], np.int64), np.array([], np.int64))
    assert text.to_pylist() == [] and ok.tolist() == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(LEAST, MOST), st.integers(-(10**7), 10**7)),
            st.one_of(st.sampled_from([10**k for k in range(9)]), st.integers(1, 10**6)),
        ),
        max_size=40,
    )
)
def test_any_numbers_are_their_decimals(pairs: list[tuple[int, int]]) -> None:
    nums, dens = [n for n, _ in pairs], [d for _, d in pairs]
    assert _written(nums, dens) == [_expected(n, d) for n, d in pairs]


def test_each_employees_goal_lines_are_one_run_of_the_lines_text() -> None:
    block = JsonBlock((), ('          "achievement": ', '          "weighted": '), ())
    starts, rows = np.array([0, 1, 4]), 5
    achievement = (np.array([1076, 5, 831, 1092, 745]), np.array([10, 1, 10, 10, 10]))
    weighted = (np.array([38736, 1290, 9972, 26208, 7]), np.array([1000, 100, 1000, 1000, 10**7]))
    body, ok = block._indicators(starts, rows, [achievement, weighted], 3)
    line = '        {{\n          "achievement": "{}",\n          "weighted": "{}"\n        }}'
    assert body.to_pylist()[:2] == [
        line.format("107.6", "38.736"),
        ",\n".join([line.format("5", "12.90"), line.format("83.1", "9.972"), line.format("109.2", "26.208")]),
    ]
    assert ok.tolist() == [True, True, False]  # (seven places: the third is the report writer's)
