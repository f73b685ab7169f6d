"""The sheet checks and the evaluation in one generated pass (engine.evaluate.flat_checked)
against the two run one after the other: rule by rule (engine.evaluate.sheet.check_sheet) and
the per-employee function (evaluate_flat, itself tested against the reference interpreter in
test_flat_reference). The fused answer is given exactly when the sheet has no problem, no
exception relaxes it and evaluate_flat gives values; then they are the same values, digit for
digit (exponents included), under every rounding mode."""

from __future__ import annotations

import ast
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.errors import HRPolicyError
from engine.evaluate import Engine, evaluate_flat
from engine.evaluate.sheet import check_sheet
from engine.evaluate.sheet_fast import SheetWriter
from engine.formula.codegen import count_key
from engine.formula.parse import parse_or_raise
from engine.io.records import EmployeeRecord, IndicatorRecord
from tests.test_flat_reference import NUMBERS, VARIANTS, _engines, tmp_policies  # noqa: F401
from tests.test_sheet_fast import ABSENT, CLEAN_WEIGHTS, changed, engine_of, relaxed

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["japan_mbo", "kepco_like", "kumho_like"]


def fused_agrees(engine: Engine, record: EmployeeRecord, parameters: dict[str, Any]) -> Any:
    """Asserts the fused answer against the rule-by-rule check and evaluate_flat; the answer."""
    fused = engine.flat_when_clean(record, parameters)
    sheets = list(record.periods.values()) if record.periods else [record.indicators]
    rules = engine.sheet_rules
    envs = [(s, engine.sheet_env(record, parameters, s)) for s in sheets]
    try:
        problems = [p for s, env in envs for p in check_sheet(rules, record, env, s)]
    except HRPolicyError as exc:  # the check fails (a condition on a line lacking its field)
        assert fused is None
        with pytest.raises(HRPolicyError) as raised:
            engine.check_flat(record, parameters)
        assert str(raised.value) == str(exc)
        return None
    flat = evaluate_flat(engine.policy, record, parameters) if not problems else None
    known = (
        not problems and flat is not None and not record.periods
        and (SheetWriter(rules).relaxing or not any(relaxed(engine, record, parameters, s) for s in sheets))
        and engine.checked_flat is not None
    )  # fmt: skip
    assert (fused is not None) is known, (problems, flat)
    if fused is not None:
        assert repr(fused) == repr(flat)
    got_problems, got_flat = engine.check_flat(record, parameters)
    assert [(p.rule, p.indicator, p.message) for p in got_problems] == [
        (p.rule, p.indicator, p.message) for p in problems
    ]
    assert repr(got_flat) == repr(flat)
    return fused


@pytest.mark.parametrize("name", SHIPPED)
def test_the_examples_agree(name: str) -> None:
    engine = engine_of(name)
    population = engine.read(str(ROOT / "examples" / name / "employees.yaml"))
    answers = [fused_agrees(engine, r, population.parameters) for r in population.employees]
    if name == "japan_mbo":
        assert sum(a is not None for a in answers) >= 5  # most example sheets are clean


def _line(category: str, weight: str, achievement: str, difficulty: str = "1.0") -> dict[str, Any]:
    """A qualitative goal that breaks no rule but the weights' total (decided by the sheet)."""
    return {
        "category": category, "kind": "qualitative", "weight": D(weight),
        "assessed_achievement": D(achievement), "difficulty": D(difficulty),
        "what": "w", "how_much": "h", "how": "h", "by_when": "b", "large_project": False,
    }  # fmt: skip


def _record(lines: list[dict[str, Any]], segment: str = "manager", dedicated: bool = False) -> EmployeeRecord:
    fields = {"id": "E1", "segment": segment, "dedicated_large_project": dedicated}
    return EmployeeRecord("E1", fields, tuple(IndicatorRecord(f, "hand") for f in lines), {}, (), "hand")


CATEGORIES = ["process", "process", "performance", "performance", "performance"]


def test_hand_worked_sheets() -> None:
    engine = engine_of("japan_mbo")
    # 30 x 110.0 x 1.0 = 3300.00, / 100 = 33.00 (an exact quotient keeps the dividend's
    # exponent); 30 -> 33.00, 20 -> 22.00, 10 -> 11.00 twice: 110.00 exactly -> 110 -> manager S
    # (110 and up), 100 points
    lines = [_line(c, w, "110.0") for c, w in zip(CATEGORIES, ["30", "30", "20", "10", "10"], strict=True)]
    fused = engine.flat_when_clean(_record(lines), {})
    assert fused == ((D(110),), (("S", D(100)),))
    assert str(fused[0][0]) == "110.00"
    # weights 10.1 + 10.2 + 29.7 + 30 + 20 = 100.0 exactly (binary floats make 100.00000000000001);
    # achievement 100 (rounded: 100.0) each: 10.1 x 100.0 x 1.0 = 1010.000, / 100 = 10.100; 30
    # -> 3000.00 / 100 = 30.00; the sum 100.000 -> 100 -> manager A (100 to 109), 80 points
    weights = ["10.1", "10.2", "29.7", "30", "20"]
    lines = [_line(c, w, "100", "1.0") for c, w in zip(CATEGORIES, weights, strict=True)]
    fused = engine.flat_when_clean(_record(lines), {})
    assert fused == ((D(100),), (("A", D(80)),))
    assert str(fused[0][0]) == "100.000"
    # a negative achievement is scored as given (qualitative): 30 x -5.0 x 1.0 = -150.00, / 100
    # = -1.50; the other weights (70 in all) at 100.0 give 70.00; 70.00 - 1.50 = 68.50 -> 69
    # half up -> manager D (79 and below), 20 points
    lines = [_line(c, w, a) for c, w, a in zip(
        CATEGORIES, ["30", "20", "20", "10", "20"], ["-5.0", "100.0", "100.0", "100.0", "100.0"], strict=True
    )]  # fmt: skip
    fused = engine.flat_when_clean(_record(lines), {})
    assert fused == ((D("68.5"),), (("D", D(20)),))
    assert str(fused[0][0]) == "68.50"
    # 33.3 / 33.3 / 33.4 (3 goals, no process goal): not clean; the check says why, nothing fused
    lines = [_line("performance", w, "110.0") for w in ["33.3", "33.3", "33.4"]]
    record = _record(lines)
    assert engine.flat_when_clean(record, {}) is None
    problems, flat = engine.check_flat(record, {})
    assert flat is None
    assert [(p.rule, p.indicator) for p in problems] == [
        ("sheet-count", None), ("sheet-category-count", None),
        ("sheet-weight-band", 1), ("sheet-weight-band", 2), ("sheet-weight-band", 3),
    ]  # fmt: skip
    assert problems[2].message == "weight 33.3 is outside the band 5..30"


@st.composite
def evaluable_sheet(draw: Any) -> list[dict[str, Any]]:
    """A sheet whose goals can be scored (quantitative or qualitative, random numbers), its
    weights clean, then up to three changes as in test_sheet_fast."""
    weights = draw(st.sampled_from(CLEAN_WEIGHTS))
    process = draw(st.integers(2, min(3, len(weights) - 3)))
    lines = []
    for i, weight in enumerate(weights):
        line = _line("process" if i < process else "performance", str(weight), "0")
        if draw(st.booleans()):
            del line["assessed_achievement"]
            line["kind"] = "quantitative"
            line["target"], line["actual"] = draw(NUMBERS), draw(NUMBERS)
            direction = draw(st.sampled_from([None, "higher", "lower"]))
            if direction is not None:  # missing: the declared default, higher
                line["direction"] = direction
        else:
            line["assessed_achievement"] = draw(NUMBERS)
        line["difficulty"] = draw(st.sampled_from([D("1.0"), D("1.1"), D("1.3"), D("1.00"), ABSENT]))
        if line["difficulty"] is ABSENT:  # missing: the declared default, 1.0
            del line["difficulty"]
        lines.append(line)
    changed(draw, lines, lambda category: _line(category, "5", "100"))
    return lines


@settings(max_examples=400, deadline=None)
@given(
    lines=evaluable_sheet(),
    dedicated=st.booleans(),
    segment=st.sampled_from(["manager", "general", "other"]),
)
@example(lines=[_line(c, "20", "110.0") for c in CATEGORIES], dedicated=False, segment="manager")
def test_random_japan_sheets(lines: list[dict[str, Any]], dedicated: bool, segment: str) -> None:
    fused_agrees(engine_of("japan_mbo"), _record(lines, segment, dedicated), {})


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(map(str, v)))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=evaluable_sheet(), segment=st.sampled_from(["manager", "general"]))
def test_every_rounding_mode(
    tmp_policies: Path,  # noqa: F811
    variant: tuple[str, int, str, int],
    lines: list[dict[str, Any]],
    segment: str,
) -> None:
    fast, _ = _engines(tmp_policies, variant)
    fused_agrees(fast, _record(lines, segment), {})


def test_the_reference_engine_has_no_fused_pass() -> None:
    engine = Engine.from_file(str(ROOT / "policies" / "japan_mbo.yaml"), reference=True)
    assert engine.checked_flat is None
    lines = [_line(c, "20", "100") for c in CATEGORIES]
    assert engine.flat_when_clean(_record(lines), {}) is None


@pytest.mark.parametrize("name", SHIPPED)
def test_the_shipped_conditions_run_inline(name: str) -> None:
    # every exception and constraint of the shipped policies reads employee fields, parameters
    # and filtered counts only: no environment is built per employee
    writer = SheetWriter(engine_of(name).sheet_rules)
    assert writer.inlined is not None
    source = writer.source()
    assert "_env" not in source and "_srows" not in source


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("count(weight, large_project=True)", ("weight", (("large_project", True),))),
        ("count(weight, category='a', level=2.50)", ("weight", (("category", "a"), ("level", D("2.50"))))),
        ("count(weight)", ("weight", ())),
        ("count(weight, level=-2)", None),  # a signed number is an operation: left to the call
        ("count(weight, level=x)", None),
        ("count(weight, level=None)", None),
    ],
)
def test_count_keys(text: str, key: Any) -> None:
    parsed = parse_or_raise(text)
    call = parsed.tree.body
    assert isinstance(call, ast.Call)
    got = count_key(parsed, call)
    assert got == key
    assert got is None or [type(v) for _, v in got[1]] == [type(v) for _, v in key[1]]  # True is not 1
