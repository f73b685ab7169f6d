"""The columnar plan's byte-level cell readers (engine/evaluate/columnar/cells.py) against the
per-record reader (engine/io/fields.py): over generated cell texts, every cell the fast path
takes reads exactly as that reader reads it, and the fast path takes the plainest forms."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.evaluate.columnar import cells, reading
from engine.io.fields import compile_fields

FULL_WIDTH = "".join(chr(0xFF10 + d) for d in range(10))
#: Characters a number cell is made of here, with the ones the per-record reader may still
#: take (spaces, ``_``, exponents, ``+``, full-width digits) and ones nobody takes.
NUMBERISH = "0123456789" * 3 + "-.+eE_ \t\u3000\xa0" + FULL_WIDTH + "xN"


def _plan(decl: dict[str, Any]) -> reading.FieldPlan:
    rule = compile_fields({"f": decl})["f"]
    return reading.field_plan("f", 0, rule, decl, {})


PLANS = {
    "decimal": _plan({"type": "decimal"}),
    "integer": _plan({"type": "integer"}),
    "bounded": _plan({"type": "decimal", "min": Decimal("-1.5"), "max": 120}),
    "boolean": _plan({"type": "boolean"}),
    "enum": _plan({"type": "enum", "values": ["a", "b", "0", " c", "a"]}),
}


def _numbers() -> st.SearchStrategy[str]:
    digits = st.text("0123456789", min_size=1, max_size=22)
    plain = st.builds(
        lambda sign, whole, frac: sign + whole + frac,
        st.sampled_from(["", "-", "+"]),
        digits,
        st.one_of(st.just(""), digits.map(lambda d: "." + d), st.just(".")),
    )
    odd = st.builds(
        lambda left, body, exp, right: left + body + exp + right,
        st.sampled_from(["", " ", "\u3000", "0"]),
        plain,
        st.sampled_from(["", "e3", "E-2", "e+400"]),
        st.sampled_from(["", " ", "\xa0", "_0"]),
    )
    return st.one_of(plain, odd, st.text(NUMBERISH, max_size=24), st.sampled_from(["", "1_000", "９", "-0"]))


_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _read_alike(texts: list[str], plan: reading.FieldPlan) -> None:
    """The plan's reading of a column of ``texts``, row by row, is the per-record reader's
    (:func:`reading._cell` calls the field's own converter on the one text)."""
    plan.cache.clear()
    missing, bad, nums, dens = reading._read(pa.array(texts, pa.string()), plan)
    for k, text in enumerate(texts):
        got = (bool(missing[k]), bool(bad[k]), int(nums[k]), int(dens[k]))
        assert got == reading._cell(text, plan), text


@settings(max_examples=300, deadline=None)
@given(st.lists(_numbers(), min_size=1, max_size=30))
@example(["0", "-0", "-0.00", "007", "1.50", "999999999999999999", "9999999999999999999", "1e3", " 5"])
@example(["-9223372036854775808", "9223372036854775807", "18446744073709551616", "0.000000000000000001"])
@example(["120", "120.0", "120.01", "-1.5", "-1.50", "-1.51", "1_000", "１２", ".5", "5."])
def test_numbers_read_as_the_per_record_reader_reads_them(texts: list[str]) -> None:
    for name in ("decimal", "integer", "bounded"):
        _read_alike(texts, PLANS[name])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("abc0 1tTrRuUeEfFlLsSyYnN\t", max_size=6), min_size=1, max_size=30))
@example(["true", "false", "True", " true", "yes", "1", "0", "", " ", "a", "b", " c", "c", "0 "])
def test_booleans_and_enums_read_as_the_per_record_reader_reads_them(texts: list[str]) -> None:
    for name in ("boolean", "enum"):
        _read_alike(texts, PLANS[name])


@settings(max_examples=300, deadline=None)
@given(st.lists(_numbers(), min_size=1, max_size=30))
@example(["0", "-0", "00", "-00.0", "12.5", "-12.50", "1234567890123456789", "123456789012345678"])
def test_plain_numbers_are_taken_by_the_fast_path(texts: list[str]) -> None:
    """The fast path takes exactly the plainest form with at most 18 digits, no negative zero;
    each such cell is ``Decimal(cell)``'s coefficient over ``10**places``."""
    ok, nums, dens = cells.plain_numbers(pa.array(texts, pa.string()), False)
    for k, text in enumerate(texts):
        digits = sum(c.isdigit() for c in text)
        plain = bool(_PLAIN.fullmatch(text)) and digits <= 18 and not (text[0] == "-" and Decimal(text) == 0)
        assert bool(ok[k]) == plain, text
        if plain:
            _, _, exponent = Decimal(text).as_tuple()
            assert isinstance(exponent, int)
            assert Decimal(int(nums[k])) / Decimal(int(dens[k])) == Decimal(text)
            assert int(dens[k]) == 10**-exponent, text


def test_integers_with_a_point_go_to_the_converter() -> None:
    ok, nums, dens = cells.plain_numbers(pa.array(["30", "30.0", "-4", "1.5"]), True)
    assert ok.tolist() == [True, False, True, False]
    assert nums.tolist() == [30, 0, -4, 0]
    assert dens.tolist() == [1, 1, 1, 1]


#: Spaces of one, two and three bytes, and characters that share their first or last byte.
TEXTY = [
    *cells.SPACES[:12],
    *"\u1680\u2000\u202f\u3000\xa0\x85",
    *"ab売é\u3001\u2030\u00a1\u1681\u2010",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from(TEXTY), max_size=5), min_size=1, max_size=20), st.integers(0, 5))
def test_padded_and_blank_cells_are_those_str_strip_changes(texts: list[str], cut: int) -> None:
    """A cell is padded where ``str.strip`` changes it and blank where it leaves nothing, in a
    column or a slice of one (Arrow's offset into the buffers)."""
    series = pa.array(texts, pa.string()).slice(min(cut, len(texts)))
    texts = series.to_pylist()
    layout = cells.layout(series)
    assert layout is not None
    assert cells.padded(layout).tolist() == [text != text.strip() for text in texts]
    leading = cells.leading_space(layout)
    assert leading.tolist() == [text != text.lstrip() for text in texts]
    assert cells.trailing_space(layout).tolist() == [text != text.rstrip() for text in texts]
    assert cells.blank_cells(series, layout, leading).tolist() == [not text.strip() for text in texts]


def test_cells_longer_than_a_bound_count_characters_not_bytes() -> None:
    series = pa.array(["abcd", "売売売", "売売売売", "", "abcde"])
    layout = cells.layout(series)
    assert layout is not None
    assert cells.longer_than(layout, 3).tolist() == [True, False, True, False, True]
    assert cells.longer_than(layout, 4).tolist() == [False, False, False, False, True]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("0123456789-\u0661x ", min_size=8, max_size=11), min_size=1, max_size=20))
@example(["2026-04-10", "2026-4-10", "2026-04-10 ", "２026-04-10", "2026-04-1\u0661", "0000-00-00"])
def test_iso_days_are_the_regex_of_the_review(texts: list[str]) -> None:
    layout = cells.layout(pa.array(texts, pa.string()))
    assert layout is not None
    want = [bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", t)) and t.isascii() for t in texts]
    assert cells.iso_days(layout).tolist() == want


def test_a_column_with_nulls_has_no_layout() -> None:
    assert cells.layout(pa.array(["a", None])) is None
    assert cells.layout(pa.array([1, 2])) is None
    assert cells.lengths(pa.array(["ab", "", "売"])).tolist() == [2, 0, 3]  # type: ignore[union-attr]
    ok, _, _ = cells.plain_numbers(pa.array(["1", None]), False)
    assert not np.any(ok)


@settings(max_examples=300, deadline=None)
@given(st.text("\r\na,", max_size=12))
@example("a\r\nb\r\n")
@example("a\r\nb\r")
@example("a\r\r\nb")
@example("\ra\n")
def test_a_lone_carriage_return_is_one_not_followed_by_a_newline(text: str) -> None:
    data = text.encode()
    lone = any(c == "\r" and text[k + 1 : k + 2] != "\n" for k, c in enumerate(text))
    assert reading._lone_return(data, reading.line_starts(data)) is lone
