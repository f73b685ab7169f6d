"""The generated clean-sheet test (engine.evaluate.sheet_fast) against the rule-by-rule check
(engine.evaluate.sheet.check_sheet): True exactly when the check finds no problem, for every
sheet no exception relaxes; False for a sheet an exception relaxes (the check decides those)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.errors import HRPolicyError
from engine.evaluate import Engine
from engine.evaluate.sheet import check_sheet
from engine.io.records import EmployeeRecord, IndicatorRecord

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["japan_mbo", "kepco_like", "kumho_like"]
_ENGINES: dict[str, Engine] = {}


def engine_of(name: str) -> Engine:
    if name not in _ENGINES:
        _ENGINES[name] = Engine.from_file(str(ROOT / "policies" / f"{name}.yaml"))
    return _ENGINES[name]


def relaxed(engine: Engine, record: EmployeeRecord, parameters: dict[str, Any], sheet: Any) -> bool:
    env = engine.sheet_env(record, parameters, sheet)
    return any(bool(e.when(env)) for e in engine.sheet_rules.exceptions)


def agree(engine: Engine, record: EmployeeRecord, parameters: dict[str, Any]) -> bool:
    """Asserts the generated test against check_sheet on every sheet; whether all were clean."""
    clean = engine.clean_sheet
    assert clean is not None
    sheets = list(record.periods.values()) if record.periods else [record.indicators]
    every = True
    for sheet in sheets:
        env = engine.sheet_env(record, parameters, sheet)
        try:
            problems = check_sheet(engine.sheet_rules, record, env, sheet)
        except HRPolicyError:  # the check fails (a condition on a line lacking its field)
            assert _answer(clean, parameters, record, sheet) is not True
            return False
        fast = clean(parameters, record.fields, sheet)
        if relaxed(engine, record, parameters, sheet):
            assert fast is False
        else:
            assert fast is (problems == []), problems
        every = every and problems == []
    return every


def _answer(clean: Any, parameters: dict[str, Any], record: EmployeeRecord, sheet: Any) -> Any:
    try:
        return clean(parameters, record.fields, sheet)
    except Exception as exc:  # the caller then checks rule by rule
        return exc


@pytest.mark.parametrize("name", SHIPPED)
def test_the_examples_agree_and_their_clean_sheets_take_the_fast_answer(name: str) -> None:
    engine = engine_of(name)
    population = engine.read(str(ROOT / "examples" / name / "employees.yaml"))
    cleans = sum(agree(engine, r, population.parameters) for r in population.employees)
    assert cleans >= 5  # most example sheets are clean
    for record in population.employees:
        parameters = population.parameters
        assert _shown(engine.check(record, parameters)) == _checked(engine, record, parameters)


def _shown(problems: list[Any]) -> list[tuple[Any, ...]]:
    return [(p.employee_id, p.indicator, p.rule, p.message, p.origin) for p in problems]


def _checked(engine: Engine, record: EmployeeRecord, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What Engine.check says, rule by rule (without the generated test)."""
    sheets = record.periods.items() if record.periods else [("", record.indicators)]
    out = []
    for period, sheet in sheets:
        for p in check_sheet(engine.sheet_rules, record, engine.sheet_env(record, parameters, sheet), sheet):
            message = f"{period}: {p.message}" if period else p.message
            out.append((p.employee_id, p.indicator, p.rule, message, p.origin))
    return out


#: Each field's values: valid ones first, then every kind of breach (and absent: ``ABSENT``).
ABSENT = object()
FIELD_VALUES: dict[str, list[Any]] = {
    "category": ["performance", "process", "other", None, 3],
    "kind": ["quantitative", "qualitative", "other", None],
    # equal numbers written differently (20, 20.0, 20.00, 2E+1) get the same answers, as in the check
    "weight": [D(5), D(10), D(20), D(30), D("4.9"), D(31), D(100), 20, 20.0, D("20.00"), D("2E+1"), None],
    "difficulty": [
        D("1.0"), D("1.1"), D("1.3"), D("1.10"), D("1.05"), D("0.9"), D("1.4"), 1, 1.0, 1.1, None, ABSENT
    ],
    "large_project": [False, True, None, ABSENT],
    **{name: ["goal", "", "  ", None, ABSENT] for name in ("what", "how_much", "how", "by_when")},
}
#: Weights that add up to 100 within 5..30, for 5 to 8 goals.
CLEAN_WEIGHTS = [
    [20] * 5, [30, 30, 20, 10, 10], [20, 20, 15, 15, 15, 15], [10] + [15] * 6, [10] * 4 + [15] * 4
]


@st.composite
def japan_sheet(draw: Any) -> list[IndicatorRecord]:
    """A clean sheet, then up to three changes: a field set to any value (or removed), a goal
    added or removed."""
    weights = draw(st.sampled_from(CLEAN_WEIGHTS))
    process = draw(st.integers(2, min(3, len(weights) - 3)))
    categories = ["process" if i < process else "performance" for i in range(len(weights))]
    lines = [{**_plain_line(c, str(w)).fields} for c, w in zip(categories, weights, strict=True)]
    changed(draw, lines, lambda category: {**_plain_line(category, "5").fields})
    return [IndicatorRecord(fields, "random") for fields in lines]


def changed(draw: Any, lines: list[dict[str, Any]], new_line: Any) -> None:
    """Up to three changes to ``lines``: a field set to any of :data:`FIELD_VALUES` (or removed),
    a goal added (``new_line(category)``, weight 5) or removed."""
    for _ in range(draw(st.integers(0, 3))):
        change = draw(st.sampled_from(["field", "field", "field", "add", "remove"]))
        if change == "add":
            lines.append(new_line(draw(st.sampled_from(["performance", "process"]))))
        elif change == "remove" and lines:
            lines.pop(draw(st.integers(0, len(lines) - 1)))
        elif lines:
            line = lines[draw(st.integers(0, len(lines) - 1))]
            name = draw(st.sampled_from(sorted(FIELD_VALUES)))
            value = draw(st.sampled_from(FIELD_VALUES[name]))
            if value is ABSENT:
                line.pop(name, None)
            else:
                line[name] = value


def _plain_line(category: str, weight: str) -> IndicatorRecord:
    fields = {"category": category, "kind": "quantitative", "weight": D(weight), "difficulty": D("1.0")}
    fields.update({"what": "w", "how_much": "h", "how": "h", "by_when": "b", "large_project": False})
    return IndicatorRecord(fields, "hand")


def _japan(lines: tuple[IndicatorRecord, ...], dedicated: bool = False) -> EmployeeRecord:
    fields = {"id": "E1", "segment": "manager", "dedicated_large_project": dedicated}
    return EmployeeRecord("E1", fields, lines, {}, (), "random")


#: 3 performance + 2 process goals of weight 20: a clean sheet (the weights add up to 100).
CLEAN = _japan(tuple(_plain_line(c, "20") for c in ["performance"] * 3 + ["process"] * 2))


@settings(max_examples=500, deadline=None)
@given(lines=japan_sheet(), dedicated=st.booleans())
@example(lines=list(CLEAN.indicators), dedicated=False)
@example(lines=list(CLEAN.indicators), dedicated=True)
def test_random_japan_sheets_agree(lines: list[IndicatorRecord], dedicated: bool) -> None:
    agree(engine_of("japan_mbo"), _japan(tuple(lines), dedicated), {})


def test_a_hand_worked_clean_sheet_and_each_rule_breached_once() -> None:
    engine = engine_of("japan_mbo")
    clean = engine.clean_sheet
    assert clean is not None
    assert clean({}, CLEAN.fields, CLEAN.indicators) is True
    assert engine.check(CLEAN, {}) == []
    # 31 is above the band 5..30 (the weights still add up to 100)
    weights = ["31", "9", "20", "20", "20"]
    categories = ["performance"] * 3 + ["process"] * 2
    record = _japan(tuple(_plain_line(c, w) for c, w in zip(categories, weights, strict=True)))
    assert clean({}, record.fields, record.indicators) is False
    assert [(p.rule, p.indicator) for p in engine.check(record, {})] == [("sheet-weight-band", 1)]
    # a sixth goal of 20: the weights add up to 120
    record = _japan((*CLEAN.indicators, _plain_line("performance", "20")))
    assert clean({}, record.fields, record.indicators) is False
    assert [p.message for p in engine.check(record, {})] == ["weights add up to 120, not 100"]
    # the large-project exception relaxes the band: left to the rule-by-rule check
    dedicated = _japan(CLEAN.indicators, dedicated=True)
    assert clean({}, dedicated.fields, dedicated.indicators) is False
    assert [p.rule for p in engine.check(dedicated, {})] == ["sheet-constraint-one_large_project"]


def test_the_reference_engine_checks_rule_by_rule() -> None:
    engine = Engine.from_file(str(ROOT / "policies" / "japan_mbo.yaml"), reference=True)
    assert engine.clean_sheet is None
    assert engine.check(CLEAN, {}) == []


def test_weights_that_are_not_decimals_add_up_as_the_check_adds_them() -> None:
    # the check adds Decimal(weight or 0): 30.0 (a binary float) is 30 exactly, 20 (an int) is
    # 20, None adds nothing; the generated test gives the same answer, where it used to raise
    engine = engine_of("japan_mbo")
    clean = engine.clean_sheet
    assert clean is not None
    categories = ["performance"] * 3 + ["process"] * 2
    for weights, problems in (
        ([30.0, 30, D(20), D("10.00"), 10.0], []),
        ([30.0, 30, D(20), D(10), 10.5], ["weights add up to 100.5, not 100"]),
        ([30.0, 30, D(20), D(10), None], ["weights add up to 90, not 100"]),
    ):
        lines = tuple(
            IndicatorRecord({**_plain_line(c, "5").fields, "weight": w}, "hand")
            for c, w in zip(categories, weights, strict=True)
        )
        record = _japan(lines)
        assert clean({}, record.fields, record.indicators) is (problems == [])
        assert [p.message for p in engine.check(record, {})] == problems
        assert agree(engine, record, {}) is (problems == [])
