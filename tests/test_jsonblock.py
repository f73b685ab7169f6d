"""The JSON items written a block at a time (engine/report/jsonblock.py): each number's text is
``str`` of its Decimal wherever the block says so; a cell JSON would escape is left to the
report's own writer. (Whole items against the per-record path: tests/test_columnar_json.py.)"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.report.jsonblock import _decimal, _plain_text

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
DEN = st.one_of(st.sampled_from([10**k for k in range(19)]), st.integers(min_value=1, max_value=10**18))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(INT64, st.integers(-(10**7), 10**7)), DEN), min_size=1, max_size=30))
def test_a_number_is_written_as_its_decimal_or_left_out(pairs: list[tuple[int, int]]) -> None:
    num = np.array([n for n, _ in pairs], np.int64)
    den = np.array([d for _, d in pairs], np.int64)
    text, ok = _decimal(num, den)
    for (n, d), shown, sure in zip(pairs, text.to_pylist(), ok.tolist(), strict=True):
        places = len(str(d)) - 1
        if sure:
            assert d == 10**places and places <= 6
            assert shown == str(Decimal(n).scaleb(-places))
        else:
            assert d != 10**places or places > 6 or n == -(2**63)


def test_hand_worked_numbers() -> None:
    num = np.array([1290, 38736, -5, 0, 7, 123456789, -(2**63), 5], np.int64)
    den = np.array([100, 1000, 1000, 100, 1, 10**6, 1, 10**7], np.int64)
    text, ok = _decimal(num, den)
    shown = [t if sure else None for t, sure in zip(text.to_pylist(), ok.tolist(), strict=True)]
    assert shown == ["12.90", "38.736", "-0.005", "0.00", "7", "123.456789", None, None]


def test_cells_json_escapes_are_not_plain() -> None:
    cells = pa.array(["E1", 'say "hi"', "back\\slash", "tab\there", "\x1f", "山田 太郎", "\u2028", None])
    assert _plain_text(cells).tolist() == [True, False, False, False, False, True, True, False]
