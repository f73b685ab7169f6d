"""The memo of the generated sheet test (engine.evaluate.sheet_memo): a line's tallies by its
repeated values. Whatever the memo holds (empty, filled by other sheets, full), the answers are
those of the rule-by-rule check, and the fused pass's those of evaluate_flat, digit for digit."""

from __future__ import annotations

from decimal import Decimal as D
from decimal import InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.evaluate import Engine, sheet_memo
from engine.evaluate.sheet_memo import SCALE, scaled
from engine.io.records import EmployeeRecord, IndicatorRecord
from tests.test_flat_checked import _line, _record, evaluable_sheet, fused_agrees
from tests.test_sheet_fast import CLEAN, _japan, _plain_line, agree, engine_of, japan_sheet

CATEGORIES = ["performance"] * 3 + ["process"] * 2
JAPAN = str(Path(__file__).resolve().parent.parent / "policies" / "japan_mbo.yaml")


def _memo(fn: Any) -> dict[Any, int]:
    """The memo a generated function reads (a parameter defaulting to the module's dict)."""
    known: dict[Any, int] = fn.__globals__["_memo"]
    return known


def test_a_line_packs_its_tallies() -> None:
    engine = Engine.from_file(JAPAN)
    clean = engine.clean_sheet
    assert clean is not None and clean({}, CLEAN.fields, CLEAN.indicators) is True
    known = _memo(clean)
    # the key: category, kind, weight, difficulty, large_project; packed, 32 bits each from the
    # low end: performance goals, process goals, large projects, then the weight in 10**-8
    performance = ("performance", "quantitative", D(20), D("1.0"), False)
    process = ("process", "quantitative", D(20), D("1.0"), False)
    assert known == {performance: (20 * 10**8 << 96) + 1, process: (20 * 10**8 << 96) + (1 << 32)}
    # a large project is counted in the filtered count's bits (32..63 after the 2 categories)
    fields = ["category", "kind", "weight", "difficulty", "large_project"]
    memo = sheet_memo.LineMemo(engine.sheet_rules, fields, [("weight", (("large_project", True),))])
    assert (
        memo.verdict("performance", "quantitative", D(30), D("1.0"), True)
        == (30 * 10**8 << 96) + (1 << 64) + 1
    )
    assert memo.verdict("process", "qualitative", D("5.5"), None, False) == (55 * 10**7 << 96) + (1 << 32)


def test_a_line_the_memo_cannot_answer() -> None:
    engine = engine_of("japan_mbo")
    assert engine.sheet_rules is not None
    memo = sheet_memo.LineMemo(engine.sheet_rules, ["category", "kind", "weight", "difficulty"], [])
    assert memo.verdict("performance", "quantitative", D(31), D("1.0")) is None  # above the band
    assert memo.verdict("performance", "other", D(20), D("1.0")) is None  # a kind not allowed
    assert memo.verdict("performance", "quantitative", D(20), D("1.05")) is None  # not a step
    assert memo.verdict("performance", "quantitative", "20", D("1.0")) is None  # text: not comparable
    assert memo.verdict("performance", "quantitative", D("NaN"), D("1.0")) is None
    # 10.123456789 has more decimals than the memo sums (8): the exact test adds it
    assert memo.verdict("performance", "quantitative", D("10.123456789"), D("1.0")) is None
    assert memo.known == {}
    # a category that is not text is answered (its text is not a category) but not remembered;
    # with no filtered count, the weight starts after the 2 categories' counts (bit 64)
    assert memo.verdict(3, "quantitative", D(20), D("1.0")) == 20 * 10**8 << 64
    assert memo.known == {}


def test_scaled() -> None:
    assert scaled(D("12.5")) == 1_250_000_000
    assert scaled(D("12.50000000")) == 1_250_000_000
    assert scaled(D("-0.00000001")) == -1
    assert scaled(D("0.000000001")) is None
    assert scaled(D(10) ** 10) is None  # too large to sum within 28 digits
    assert scaled(D("9999999999.99999999")) == 999_999_999_999_999_999
    assert SCALE == 8


def test_equal_weights_written_differently_share_a_verdict() -> None:
    engine = Engine.from_file(JAPAN)
    clean = engine.clean_sheet
    assert clean is not None
    assert clean({}, CLEAN.fields, CLEAN.indicators) is True  # remembers Decimal(20) lines
    # 20 written as 20.0 (binary), 20.00, the int 20: the same band, the same total, 100
    for twenty in (20.0, D("20.00"), 20, D("2E+1")):
        lines = [IndicatorRecord({**i.fields, "weight": twenty}, "hand") for i in CLEAN.indicators]
        record = _japan(tuple(lines))
        assert clean({}, record.fields, record.indicators) is True
        assert agree(engine, record, {}) is True
    assert len(_memo(clean)) == 2
    # 30 + 30.0 + 20 + 10.00 + 10 = 100 for a sheet the memo has never seen
    weights: list[Any] = [D(30), 30.0, D(20), D("10.00"), 10]
    lines = [
        IndicatorRecord({**i.fields, "weight": w}, "hand")
        for i, w in zip(CLEAN.indicators, weights, strict=True)
    ]
    assert agree(engine, _japan(tuple(lines)), {}) is True
    # and 30.0 + 30 + 20 + 10 + 10.5 = 100.5: not clean, whatever the memo holds
    weights = [30.0, D(30), D(20), D(10), D("10.5")]
    lines = [
        IndicatorRecord({**i.fields, "weight": w}, "hand")
        for i, w in zip(CLEAN.indicators, weights, strict=True)
    ]
    record = _japan(tuple(lines))
    assert clean({}, record.fields, record.indicators) is False
    assert [p.message for p in engine.check(record, {})] == ["weights add up to 100.5, not 100"]


def test_none_and_missing_fields_read_alike() -> None:
    engine = Engine.from_file(JAPAN)
    clean = engine.clean_sheet
    assert clean is not None
    # no difficulty (missing or None) is allowed; large_project missing counts as not true
    lines = [dict(i.fields) for i in CLEAN.indicators]
    lines[0]["difficulty"] = None
    del lines[1]["difficulty"]
    del lines[2]["large_project"]
    record = _japan(tuple(IndicatorRecord(f, "hand") for f in lines))
    assert clean({}, record.fields, record.indicators) is True
    assert agree(engine, record, {}) is True
    assert ("performance", "quantitative", D(20), None, False) in _memo(clean)
    assert ("performance", "quantitative", D(20), D("1.0"), None) in _memo(clean)


#: Each example patches in its own context (monkeypatch.context), so the fixture may be shared.
SHARED_FIXTURE = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SHARED_FIXTURE
@given(lines=japan_sheet(), dedicated=st.booleans(), empty=st.booleans())
def test_a_full_or_empty_memo_changes_no_answer(
    monkeypatch: pytest.MonkeyPatch, lines: list[IndicatorRecord], dedicated: bool, empty: bool
) -> None:
    engine = engine_of("japan_mbo")
    clean = engine.clean_sheet
    assert clean is not None
    if empty:
        _memo(clean).clear()  # every line unseen
    before = len(_memo(clean))
    with monkeypatch.context() as patch:
        patch.setattr(sheet_memo, "LIMIT", 3)  # full after three keys: answered, not remembered
        agree(engine, _japan(tuple(lines), dedicated), {})
    assert len(_memo(clean)) == before if before >= 3 else len(_memo(clean)) <= 3


@SHARED_FIXTURE
@given(lines=evaluable_sheet(), empty=st.booleans())
def test_the_fused_pass_with_a_full_or_empty_memo(
    monkeypatch: pytest.MonkeyPatch, lines: list[dict[str, Any]], empty: bool
) -> None:
    engine = engine_of("japan_mbo")
    fused = engine.checked_flat
    assert fused is not None
    if empty:
        _memo(fused).clear()
    with monkeypatch.context() as patch:
        patch.setattr(sheet_memo, "LIMIT", 3)
        fused_agrees(engine, _record(lines), {})


def test_a_memo_full_stays_bounded() -> None:
    engine = Engine.from_file(JAPAN)
    clean = engine.clean_sheet
    assert clean is not None
    old = sheet_memo.LIMIT
    sheet_memo.LIMIT = 1
    try:
        for weights in (["20"] * 5, ["30", "30", "20", "10", "10"]):
            lines = tuple(_plain_line(c, w) for c, w in zip(CATEGORIES, weights, strict=True))
            assert clean({}, CLEAN.fields, lines) is True
    finally:
        sheet_memo.LIMIT = old
    assert len(_memo(clean)) == 1


def test_employee_names_the_conditions_read_once() -> None:
    # dedicated_large_project is read once, from the employee or else the parameters; an
    # employee and parameters without it: the exact test and the check decide, as before
    engine = Engine.from_file(JAPAN)
    lines = [_line(c, "20", "100") for c in CATEGORIES]
    record = _record(lines)
    without = EmployeeRecord("E2", {"id": "E2", "segment": "manager"}, record.indicators, {}, (), "hand")
    assert fused_agrees(engine, without, {"dedicated_large_project": False}) is not None
    assert fused_agrees(engine, without, {"dedicated_large_project": True}) is None
    assert fused_agrees(engine, without, {}) is None


def test_values_with_no_hash_are_answered_not_remembered() -> None:
    # a list in a field of the key (large_project: only compared with true) is answered, not
    # remembered; a signaling NaN there is an error of the check (comparing it signals), and no
    # answer of the generated test
    engine = Engine.from_file(JAPAN)
    clean = engine.clean_sheet
    assert clean is not None
    lines = [dict(i.fields) for i in CLEAN.indicators]
    lines[0]["large_project"] = ["a"]
    record = _japan(tuple(IndicatorRecord(f, "hand") for f in lines))
    assert agree(engine, record, {}) is True
    assert clean({}, record.fields, record.indicators) is True
    lines[0]["large_project"] = D("sNaN")
    record = _japan(tuple(IndicatorRecord(f, "hand") for f in lines))
    assert agree(engine, record, {}) is False
    with pytest.raises(InvalidOperation):
        clean({}, record.fields, record.indicators)
    # the other four lines' key, remembered once
    assert list(_memo(clean)) == [
        ("performance", "quantitative", D(20), D("1.0"), False),
        ("process", "quantitative", D(20), D("1.0"), False),
    ]
