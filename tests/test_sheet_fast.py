"""The generated clean-sheet test (engine.evaluate.sheet_fast) against the rule-by-rule check
(engine.evaluate.sheet.check_sheet): True exactly when the check finds no problem, for every
sheet no exception relaxes and for those the exceptions relax when their conditions can be tested
before the loop (engine.evaluate.sheet_relax); False for a sheet another exception relaxes (the
check decides those)."""

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
from engine.evaluate.sheet_fast import SheetWriter
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
        if relaxed(engine, record, parameters, sheet) and not SheetWriter(engine.sheet_rules).relaxing:
            assert fast is False  # an exception the test cannot apply inline: left to the check
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
        D("1.0"),
        D("1.1"),
        D("1.3"),
        D("1.10"),
        D("1.05"),
        D("0.9"),
        D("1.4"),
        1,
        1.0,
        1.1,
        None,
        ABSENT,
    ],
    "large_project": [False, True, None, ABSENT],
    **{name: ["goal", "", "  ", None, ABSENT] for name in ("what", "how_much", "how", "by_when")},
}
#: Weights that add up to 100 within 5..30, for 5 to 8 goals.
CLEAN_WEIGHTS = [
    [20] * 5,
    [30, 30, 20, 10, 10],
    [20, 20, 15, 15, 15, 15],
    [10] + [15] * 6,
    [10] * 4 + [15] * 4,
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
    # the large-project exception holds, but no goal is marked as the large project
    dedicated = _japan(CLEAN.indicators, dedicated=True)
    assert clean({}, dedicated.fields, dedicated.indicators) is False
    assert [p.rule for p in engine.check(dedicated, {})] == ["sheet-constraint-one_large_project"]


def _large(weights: list[str], marked: int, dedicated: bool) -> EmployeeRecord:
    """3 performance + 2 process goals of these weights, the goal ``marked`` the large project."""
    categories = ["performance"] * 3 + ["process"] * 2
    lines = [_plain_line(c, w) for c, w in zip(categories, weights, strict=True)]
    lines[marked] = IndicatorRecord({**lines[marked].fields, "large_project": True}, "hand")
    return _japan(tuple(lines), dedicated)


def test_the_large_project_exception_is_applied_inline() -> None:
    # japan_mbo: an employee dedicated to a large project may weight its one marked goal above
    # 30 % (weight_max 100 on that line only); the generated test applies it before its loop
    engine = engine_of("japan_mbo")
    clean = engine.clean_sheet
    assert clean is not None and SheetWriter(engine.sheet_rules).relaxing
    # 40 + 15 x 4 = 100, the 40 % goal marked: clean, and the fast answer says so
    record = _large(["40", "15", "15", "15", "15"], 0, dedicated=True)
    assert engine.check(record, {}) == [] and clean({}, record.fields, record.indicators) is True
    # the same sheet, another goal marked: the 40 % goal keeps the 5..30 band
    record = _large(["40", "15", "15", "15", "15"], 1, dedicated=True)
    assert [(p.rule, p.indicator) for p in engine.check(record, {})] == [("sheet-weight-band", 1)]
    assert clean({}, record.fields, record.indicators) is False
    # not dedicated: the band holds on every goal, and no goal may be marked
    record = _large(["40", "15", "15", "15", "15"], 0, dedicated=False)
    assert [p.rule for p in engine.check(record, {})] == [
        "sheet-weight-band", "sheet-constraint-large_project_needs_exception"
    ]  # fmt: skip
    assert clean({}, record.fields, record.indicators) is False
    # dedicated, the marked goal at 100 % is within its relaxed band; the weights then add up to 160
    record = _large(["100", "15", "15", "15", "15"], 0, dedicated=True)
    assert [p.message for p in engine.check(record, {})] == ["weights add up to 160, not 100"]
    assert clean({}, record.fields, record.indicators) is False


def test_exceptions_are_left_to_the_check_when_the_conditions_are_not_inline(tmp_path: Path) -> None:
    # a constraint that reads a column otherwise than by count(...) (here sum) makes every
    # condition run on the full environment after the loop: the exceptions cannot be applied
    # before it, and a sheet they relax is checked rule by rule (not known clean)
    text = (ROOT / "policies" / "japan_mbo.yaml").read_text(encoding="utf-8")
    old = '      check: "count(weight, large_project=True) == 1"\n'
    assert text.count(old) == 1
    new = '      check: "count(weight, large_project=True) == 1 and sum(weight) == 100"\n'
    (tmp_path / "policy.yaml").write_text(text.replace(old, new), encoding="utf-8")
    engine = Engine.from_file(str(tmp_path / "policy.yaml"))
    clean = engine.clean_sheet
    assert clean is not None and not SheetWriter(engine.sheet_rules).relaxing
    record = _large(["40", "15", "15", "15", "15"], 0, dedicated=True)
    assert engine.check(record, {}) == []
    assert clean({}, record.fields, record.indicators) is False
    assert agree(engine, record, {}) is True
