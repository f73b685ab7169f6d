"""The per-employee generated function (``evaluate_flat``: goal sheet, employee formulas, grade
tables in one function) against the reference interpreter (simpleeval, ``--reference``) on random
goal sheets: the same values digit for digit, the same grades and points, under every rounding mode.

The policies are japan_mbo and variants of it: each rounding mode for the achievement rate and
the grade table, negative and extra places, and a second grade table whose segments read the
score formula and a field (bands with exclusive ends, values outside the range in no band).
"""

from __future__ import annotations

import copy
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.evaluate import Engine, evaluate_employee, evaluate_flat
from engine.formula import FormulaRuntimeError
from engine.io.records import EmployeeRecord, IndicatorRecord
from engine.rounding import MODES

ROOT = Path(__file__).resolve().parent.parent
JAPAN = ROOT / "policies" / "japan_mbo.yaml"

#: A second table: its segments read a field and the score formula; bands
#: with exclusive ends; values outside its range (0..200) fall in no band.
BONUS_TABLE = {
    "input": "score",
    "round": {"mode": "half_even", "places": -1},
    "range": {"min": 0, "max": 200},
    "segments": {
        "top": {
            "when": "segment == 'manager' and score >= 110",
            "bands": [{"grade": "X", "min": 0, "max": 200, "max_inclusive": True}],
        },
        "high": {
            "when": "score >= 95 or segment == 'general'",
            "bands": [
                {"grade": "H", "min": 100, "max": 200, "min_inclusive": False, "max_inclusive": True},
                {"grade": "M", "min": 0, "max": 100, "max_inclusive": True},
            ],
        },
        "rest": {  # no condition: everyone else
            "bands": [
                {"grade": "L", "min": 70, "max": 200, "max_inclusive": True},
                {"grade": "Z", "min": 0, "max": 70},
            ]
        },
    },
}


def _variant(tmp: Path, name: str, mode: str, places: int, grade_mode: str, grade_places: int) -> Path:
    data = yaml.safe_load(JAPAN.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["formulas"]["indicator"]["achievement"]["round"] = {"mode": mode, "places": places}
    data["grade_tables"]["rating"]["round"] = {"mode": grade_mode, "places": grade_places}
    data["grade_tables"]["bonus_band"] = BONUS_TABLE
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


#: (achievement mode, places, grade table mode, places): every mode, and places -1, 0, 2 (a grade
#: table's: 0 or -1, else its bands leave gaps).
VARIANTS = [(m, 1, m, 0) for m in sorted(MODES)] + [
    ("half_up", -1, "half_down", -1),
    ("down", 2, "ceiling", -1),
    ("half_even", 0, "floor", 0),
]
_ENGINES: dict[tuple[Any, ...], tuple[Engine, Engine]] = {}


@pytest.fixture(scope="module")
def tmp_policies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("flat_variants")


def _engines(tmp: Path, variant: tuple[str, int, str, int]) -> tuple[Engine, Engine]:
    """The generated-code engine and the reference (simpleeval) engine of one policy variant."""
    if variant not in _ENGINES:
        path = str(_variant(tmp, "_".join(map(str, variant)), *variant))
        _ENGINES[variant] = (Engine.from_file(path), Engine.from_file(path, reference=True))
    return _ENGINES[variant]


NUMBERS = st.sampled_from(
    [D(0), D(1), D(-10), D("0.1"), D("0.2"), D("0.3"), D("33.3"), D("33.4"), D("110.0"), D("110"),
     D(50), D(1208), D(1123), D("87.25"), D("99.95"), D("0.05"), D("1E+3"),
     D("1.0000000000000000000000000001")]
)  # fmt: skip
WEIGHTS = st.sampled_from([D("33.3"), D("33.4"), D("0.1"), D("0.2"), D(5), D(10), D(20), D(30), D(100)])
DIFFICULTY = st.sampled_from([None, D("1.0"), D("1.1"), D("1.2"), D("1.3"), D("1.00")])


@st.composite
def goal_line(draw: Any) -> IndicatorRecord:
    fields: dict[str, Any] = {"category": "performance", "weight": draw(WEIGHTS)}
    if draw(st.booleans()):
        fields["kind"] = "quantitative"
        fields["target"], fields["actual"] = draw(NUMBERS), draw(NUMBERS)
        direction = draw(st.sampled_from([None, "higher", "lower"]))
        if direction is not None:  # missing: the declared default, higher
            fields["direction"] = direction
    else:
        fields["kind"] = "qualitative"
        fields["assessed_achievement"] = draw(NUMBERS)
    difficulty = draw(DIFFICULTY)
    if difficulty is not None:  # missing: the declared default, 1.0
        fields["difficulty"] = difficulty
    return IndicatorRecord(fields, "random")


@st.composite
def employees(draw: Any) -> EmployeeRecord:
    lines = tuple(draw(st.lists(goal_line(), min_size=0, max_size=8)))
    fields: dict[str, Any] = {"id": "E1", "name": "n"}
    segment = draw(st.sampled_from(["manager", "general", "other", None]))
    if segment is not None:
        fields["segment"] = segment
    return EmployeeRecord("E1", fields, lines, {}, (), "random")


def _lines(*rows: tuple[str, str, str]) -> tuple[IndicatorRecord, ...]:
    """Qualitative lines (weight, assessed achievement, difficulty)."""
    return tuple(
        IndicatorRecord(
            {"category": "performance", "kind": "qualitative", "weight": D(w), "assessed_achievement": D(a),
             "difficulty": D(d)},
            "hand",
        )
        for w, a, d in rows
    )  # fmt: skip


def _record(segment: str, lines: tuple[IndicatorRecord, ...]) -> EmployeeRecord:
    return EmployeeRecord("E1", {"id": "E1", "name": "n", "segment": segment}, lines, {}, (), "hand")


#: 0.1 + 0.2 is exactly 0.3; 33.3 + 33.3 + 33.4 weights of 110.0 give exactly 110.000.
POINT_THREE = _record("manager", _lines(("0.1", "100", "1.0"), ("0.2", "100", "1.0")))
EXACT_110 = _record(
    "manager", _lines(("33.3", "110.0", "1.0"), ("33.3", "110.0", "1.0"), ("33.4", "110.0", "1.0"))
)


def reference_outcome(engine: Engine, record: EmployeeRecord) -> tuple[Any, ...]:
    """What the reference interpreter gives: the score's repr and each table's (grade, points),
    or the error's message."""
    try:
        result = evaluate_employee(engine.policy, record, {})
    except FormulaRuntimeError as exc:
        return ("error", str(exc))
    grades = tuple((g.grade, g.points) for g in result.grades.values())
    return ("value", repr(result.values["score"]), grades)


def flat_outcome(engine: Engine, record: EmployeeRecord) -> tuple[Any, ...] | None:
    flat = evaluate_flat(engine.policy, record, {})
    if flat is None:
        return None
    return ("value", repr(flat[0][0]), flat[1])


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(map(str, v)))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=employees())
@example(record=POINT_THREE)
@example(record=EXACT_110)
def test_flat_agrees_with_the_reference(
    tmp_policies: Path, variant: tuple[str, int, str, int], record: EmployeeRecord
) -> None:
    fast, reference = _engines(tmp_policies, variant)
    assert fast.policy.flat is not None and reference.policy.flat is None
    want = reference_outcome(reference, record)
    got = flat_outcome(fast, record)
    if want[0] == "error":
        # no flat values; the checked path of the fast engine gives the reference's error
        assert got is None
        assert reference_outcome(fast, record) == want
    else:
        assert got == want  # and never a needless fallback: every record the reference takes


def test_hand_worked_exact_sums_and_boundaries(tmp_policies: Path) -> None:
    fast, _ = _engines(tmp_policies, ("half_up", 1, "half_up", 0))
    # Decimal keeps exponents: 0.1 x 100.0 = 10.00, x 1.0 = 10.000, / 100 = 0.100 (an exact
    # quotient keeps the dividend's exponent); 0.2 -> 0.200; sum 0.300 (not 0.30000000000000004)
    # -> rounded 0 -> manager D (max 79 inclusive), 20 points; bonus_band: 0 -> rest Z (<= 60)
    flat = evaluate_flat(fast.policy, POINT_THREE, {})
    assert flat == ((D("0.3"),), (("D", D(20)), ("Z", None)))
    assert str(flat[0][0]) == "0.300"
    # 33.3 x 110.0 = 3663.00, x 1.0 = 3663.000, / 100 = 36.630; twice, plus 33.4 x 110.0 x 1.0
    # / 100 = 36.740: 110.000 exactly -> 110 -> manager S (min 110 inclusive), 100 points;
    # bonus_band: rating S and score >= 110 -> top; 110 half_even to tens = 110 -> X (min 100)
    flat = evaluate_flat(fast.policy, EXACT_110, {})
    assert flat == ((D("110"),), (("S", D(100)), ("X", None)))
    assert str(flat[0][0]) == "110.000"


def test_exclusive_ends_no_band_and_a_segment_reading_a_formula(tmp_policies: Path) -> None:
    fast, reference = _engines(tmp_policies, ("half_up", 1, "half_up", 0))
    # 100 x 65.0 = 6500.0, x 1.0 = 6500.00, / 100 = 65.00 -> 65: manager D (max 79), 20 points.
    # bonus_band: not >= 110, not >= 95, not general -> rest; 65.00 to tens half_even -> 6E+1
    # (the tie goes to even), quantize(1) -> 60 -> Z (0 <= x < 70)
    record = _record("manager", _lines(("100", "65.0", "1.0")))
    flat = evaluate_flat(fast.policy, record, {})
    assert flat == ((D(65),), (("D", D(20)), ("Z", None)))
    assert str(flat[0][0]) == "65.00"
    # 66.00 -> 7E+1 -> 70 -> L (70 <= x <= 200)
    record = _record("manager", _lines(("100", "66", "1.0")))
    assert evaluate_flat(fast.policy, record, {}) == ((D(66),), (("D", D(20)), ("L", None)))
    # 100.00 -> manager A (100 <= x < 110), 80 points; bonus_band: score >= 95 -> high; 100 is
    # not in H (its min 100 is exclusive) but in M (0 <= x <= 100, max inclusive)
    record = _record("manager", _lines(("100", "100", "1.0")))
    assert evaluate_flat(fast.policy, record, {}) == ((D(100),), (("A", D(80)), ("M", None)))
    # an unknown segment: no rating segment holds -> (None, None); 250.00 -> high, but 250 is
    # outside the table's range: no band -> (None, None)
    record = _record("other", _lines(("100", "250", "1.0")))
    assert evaluate_flat(fast.policy, record, {}) == ((D(250),), ((None, None), (None, None)))
    for r in (record, POINT_THREE, EXACT_110):
        assert flat_outcome(fast, r) == reference_outcome(reference, r)
