"""The fast evaluation paths (one fused function per goal sheet, flat values for CSV rows) give
exactly what the step-by-step path gives: same values (same exponents), grades, lines and order."""

from __future__ import annotations

import ast
import re
import sys
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from engine.evaluate import EmployeeResult, Engine, RunOutcome, evaluate_employee, evaluate_flat
from engine.evaluate.employee import IndicatorError
from engine.formula import FormulaRuntimeError, Generator, Scope, SheetFuser, parse
from engine.io.records import EmployeeRecord, IndicatorRecord, Population
from engine.report.results import flat_plan, flat_row, result_row, row_plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/employees.yaml"))
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402


def runs_fused(engine: Engine, record: EmployeeRecord, parameters: dict[str, Any]) -> bool:
    """Whether the fused function itself evaluates this sheet (no fallback to the step path)."""
    fused = engine.policy.fused
    assert fused is not None
    base = {**parameters, **engine.policy.employee_blank, **record.fields, "id": record.id}
    try:
        fused(base, record.indicators)
    except Exception:
        return False
    return True


def exact(result: EmployeeResult) -> tuple[Any, ...]:
    """Everything a result says, with Decimals as text so that 1.0 and 1.00 differ."""
    grades = {
        k: (str(g.value), str(g.rounded), g.segment, g.band, str(g.points)) for k, g in result.grades.items()
    }
    lines = [{k: repr(v) for k, v in line.items()} for line in result.indicators]
    return result.id, result.name, {k: repr(v) for k, v in result.values.items()}, grades, lines


@pytest.mark.parametrize("data", EXAMPLES, ids=lambda p: p.parent.name)
def test_examples_are_the_same_with_and_without_trace(data: Path) -> None:
    engine = Engine.from_file(str(ROOT / "policies" / f"{data.parent.name}.yaml"))
    population = engine.read(str(data))
    assert population.employees
    for record in population.employees:
        fast = evaluate_employee(engine.policy, record, population.parameters)
        traced = evaluate_employee(engine.policy, record, population.parameters, trace=True)
        assert traced.trace and not fast.trace
        assert exact(fast) == exact(traced)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Any]:
    path = tmp_path_factory.mktemp("pop") / "pop.csv"
    generate(400, str(path), seed=11)
    engine = Engine.from_file(JAPAN)
    return engine, engine.read(str(path))


def test_generated_population_is_the_same_on_both_paths(generated: tuple[Engine, Any]) -> None:
    engine, population = generated
    assert engine.policy.fused is not None
    lower = 0
    for record in population.employees:
        lower += sum(i.fields.get("direction") == "lower" for i in record.indicators)
        assert runs_fused(engine, record, population.parameters)
        fast = evaluate_employee(engine.policy, record, population.parameters)
        traced = evaluate_employee(engine.policy, record, population.parameters, trace=True)
        assert exact(fast) == exact(traced)
    assert lower > 50  # both branches of the achievement formula were exercised


def _line(**fields: Any) -> IndicatorRecord:
    base = {"category": "performance", "kind": "quantitative", "what": "w", "how_much": "h", "how": "h"}
    base["by_when"] = "b"
    return IndicatorRecord({**base, **fields}, "hand:1")


def test_hand_worked_sheet_on_the_fused_path() -> None:
    engine = Engine.from_file(JAPAN)
    record = EmployeeRecord(
        "H1", {"name": "n", "segment": "general", "id": "H1"},
        (
            # Decimal keeps exponents: an exact quotient takes the dividend's exponent minus the
            # divisor's (100: 0) where it can, so 3348.00 / 100 = 33.48 and 1920.60 / 100 = 19.206.
            # 1123 / 1208 x 100 = 92.96357... -> 93.0; 30 x 93.0 x 1.2 = 3348.00; / 100 = 33.48
            _line(weight=D(30), target=D(1208), actual=D(1123), difficulty=D("1.2")),
            # lower is better: 40 / 50 x 100 = 80 -> 80.0; 20 x 80.0 x 1.0 = 1600.00; / 100 = 16.00
            _line(weight=D(20), target=D(40), actual=D(50), direction="lower"),
            # lower with actual 0: 200 -> 200.0; 10 x 200.0 x 1.0 = 2000.00; / 100 = 20.00
            _line(weight=D(10), target=D(5), actual=D(0), direction="lower"),
            # negative actual: max(-10 / 20 x 100, 0) = 0 -> 0.0; 20 x 0.0 x 1.0 = 0.00; / 100 = 0.00
            _line(weight=D(20), target=D(20), actual=D(-10)),
            # qualitative: 87.25 -> 87.3; 20 x 87.3 x 1.1 = 1920.60; / 100 = 19.206
            _line(
                category="process", kind="qualitative", weight=D(20),
                assessed_achievement=D("87.25"), difficulty=D("1.1"),
            ),
        ),
        {}, (), "hand",
    )
    assert runs_fused(engine, record, {})
    result = evaluate_employee(engine.policy, record, {})
    assert [(str(r["achievement"]), str(r["weighted"])) for r in result.indicators] == [
        ("93.0", "33.48"), ("80.0", "16.00"), ("200.0", "20.00"),
        ("0.0", "0.00"), ("87.3", "19.206"),
    ]
    # 33.48 + 16.00 + 20.00 + 0.00 + 19.206 = 88.686 -> 89 -> general staff B (85 <= x < 100)
    assert str(result.values["score"]) == "88.686"
    assert (str(result.grades["rating"].rounded), result.grades["rating"].grade) == ("89", "B")
    assert result.grades["rating"].points == D(60)


def test_a_failing_sheet_falls_back_to_the_precise_error() -> None:
    engine = Engine.from_file(JAPAN)
    record = EmployeeRecord(
        "Z1", {"segment": "manager", "id": "Z1"},
        (_line(weight=D(100), target=D(0), actual=D(5)),), {}, (), "z",
    )
    text = engine.policy.indicator_steps[0].formula.text
    assert not runs_fused(engine, record, {})
    with pytest.raises(FormulaRuntimeError) as caught:
        evaluate_employee(engine.policy, record, {})
    assert str(caught.value) == (
        f"achievement: division by zero in '{text}' "
        "(actual=5, target=0, direction='higher', kind='quantitative', assessed_achievement=none)"
    )
    assert isinstance(caught.value, IndicatorError)
    assert (caught.value.indicator, caught.value.origin) == (1, "hand:1")


def test_fused_code_reads_names_as_quoted_keys_only() -> None:
    engine = Engine.from_file(JAPAN)
    source, fn = SheetFuser(engine.policy.sheet_plan).build()
    assert fn.__globals__["__builtins__"] == {}
    tree = ast.parse(source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    # generated locals and hoisted globals only: no policy name is ever a Python name here
    assert all(n.startswith("_") or n in ("base", "lines") for n in names), names
    assert "_f.get('actual')" in source
    # a field read once is read in place: a subscript, and if the line lacks it, its default
    default = re.search(r"_f.get\('direction', (_k[0-9]+)\)", source)
    assert default is not None and fn.__globals__[default.group(1)] == "higher"
    assert "_f['direction']" in source


@pytest.mark.parametrize(
    ("expr", "a", "b", "want"),
    [
        # ties keep the first operand, exactly like max(): 1.0 vs 1.00 are equal
        ("max(a * 1, b * 1)", "1.0", "1.00", "1.0"),
        ("min(a * 1, b * 1)", "1.00", "1.0", "1.00"),
        ("max(a * 1, b * 1)", "2", "3.5", "3.5"),
        ("clamp(a * 1, 0, 120)", "130.5", "0", "120"),
        ("clamp(a * 1, 0, 120)", "-1", "0", "0"),
        ("a / b", "1", "3", "0.3333333333333333333333333333"),
    ],
)
def test_inline_builtins_match_the_builtins(expr: str, a: str, b: str, want: str) -> None:
    scope = Scope(scalars={"a": "decimal", "b": "decimal"})
    parsed = parse(expr)
    assert not isinstance(parsed, type(None))
    gen = Generator(parsed, scope, names={"a": "a", "b": "b"})  # type: ignore[arg-type]
    text = gen.emit(parsed.tree.body).text  # type: ignore[union-attr]
    assert "_b_" not in text  # inlined
    env = {**gen.globals, "a": D(a), "b": D(b)}
    value = eval(compile(text, "<test>", "eval"), env)
    assert str(value) == want
    if expr == "a / b":  # two ints divide through _div into a Decimal, not a float
        assert eval(compile(text, "<test>", "eval"), {**gen.globals, "a": 1, "b": 4}) == D("0.25")


def test_flat_values_and_rows_are_those_of_full_results(generated: tuple[Engine, Any]) -> None:
    engine, population = generated
    outcome = RunOutcome(engine.policy, population)
    plan = flat_plan(outcome)
    assert plan is not None
    assert [step[:2] for step in plan] == [(0, 0), (1, 0), (2, 0)]  # score, rating, rating_points
    columns = row_plan(outcome)
    for record in population.employees:
        full = evaluate_employee(engine.policy, record, population.parameters)
        flat = evaluate_flat(engine.policy, record, population.parameters)
        assert flat is not None
        values, grades = flat
        assert [repr(v) for v in values] == [repr(full.values["score"])]
        assert grades == ((full.grades["rating"].grade, full.grades["rating"].points),)
        row = flat_row(record.id, record.fields.get("name"), values, grades, plan)
        assert row == result_row(full, columns, outcome)


def test_hand_worked_flat_row() -> None:
    engine = Engine.from_file(JAPAN)
    # 5 lines of weight 20, actual = target: achievement 50 / 50 x 100 = 100 -> 100.0;
    # 20 x 100.0 = 2000.0, x 1.0 = 2000.00, / 100 = 20.00 (an exact quotient keeps the
    # dividend's exponent); score 5 x 20.00 = 100.00 -> rounded 100 -> manager A
    # (100 <= x < 110), 80 points
    lines = tuple(_line(weight=D(20), target=D(50), actual=D(50)) for _ in range(5))
    record = EmployeeRecord("M1", {"name": "山田", "segment": "manager", "id": "M1"}, lines, {}, (), "h")
    flat = evaluate_flat(engine.policy, record, {})
    assert flat == ((D("100.00"),), (("A", D(80)),))
    assert str(flat[0][0]) == "100.00"
    plan = flat_plan(RunOutcome(engine.policy, Population([], {}, {}, {}, None, [], "h")))
    assert plan is not None
    assert flat_row("M1", "山田", *flat, plan) == ["M1", "山田", "100.00", "A", "80"]


def test_a_failing_sheet_has_no_flat_values() -> None:
    engine = Engine.from_file(JAPAN)
    record = EmployeeRecord(
        "Z1", {"segment": "manager", "id": "Z1"},
        (_line(weight=D(100), target=D(0), actual=D(5)),), {}, (), "z",
    )
    assert evaluate_flat(engine.policy, record, {}) is None  # 5 / 0: the full path reports it


def _fused_text(expr: str, scope: Scope) -> tuple[str, dict[str, Any]]:
    parsed = parse(expr)
    gen = Generator(parsed, scope, names={n: n for n in scope.scalars})  # type: ignore[arg-type]
    return gen.emit(parsed.tree.body).text, gen.globals  # type: ignore[union-attr]


def test_a_quotient_meeting_a_decimal_divides_plainly() -> None:
    """``a / b * 100``: no type test, since a float (two ints) would fail at ``* 100``, and the
    checked path would then run; every other operand pair gives _div's Decimal."""
    text, glob = _fused_text("a / b * 100", Scope(scalars={"a": "any", "b": "any"}))
    assert text == "a / b * _k0"

    def run(a: Any, b: Any) -> Any:
        return eval(compile(text, "<test>", "eval"), {**glob, "a": a, "b": b})

    # 1123 / 1208 = 0.92963576158940397350993377483.. to 28 digits ..7748 (then 3: down); x 100
    assert str(run(D(1123), D(1208))) == "92.96357615894039735099337748"
    assert str(run(1, D(4))) == "25.00"  # int / Decimal is Decimal(1) / 4, as _div does
    assert str(run(True, D(4))) == "25.00"
    with pytest.raises(TypeError):  # 1 / 3 = 0.333.. (a float) * Decimal: the fast path fails
        run(1, 3)
    # a quotient that meets no Decimal keeps the type test
    text, _ = _fused_text("a / b + c", Scope(scalars={"a": "any", "b": "any", "c": "any"}))
    assert "_div(a, b)" in text


def test_the_flat_function_keeps_no_lists_and_reads_a_field_where_it_is_used() -> None:
    """japan_mbo: the score is a running total (no list, no sum() call, no per-line dict); the
    assessed achievement is read only on the branch of qualitative goals (as a subscript, and
    with .get if the line lacks a field read so)."""
    engine = Engine.from_file(JAPAN)
    flat = engine.policy.flat
    assert flat is not None
    source, fn = SheetFuser(engine.policy.sheet_plan, keep_lines=False).build()
    assert ".append(" not in source and "_sum(" not in source
    lines = tuple(_line(weight=D(20), target=D(50), actual=D(50)) for _ in range(5))
    assert fn({"segment": "manager"}, lines) == ((D("100.00"),), [])
    for read in (r"_f\['assessed_achievement'\]", r"_f\.get\('assessed_achievement'\)"):
        assert re.search(rf"else:\n +_v[0-9]+ = {read}\n", source), read
    assert flat.__defaults__ is not None  # the constants the loop reads are locals
