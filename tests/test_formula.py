"""The formula language: exact values, static checks with exact messages, explain, cycles."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from engine.formula import (
    Column,
    FormulaError,
    FormulaProblem,
    FormulaRuntimeError,
    FunctionSpec,
    Scope,
    check_formula,
    compile_formula,
    find_cycle,
    names_used,
)

MERIT = {("T", "II"): D("1"), ("E", "I"): D("2.5")}


def lookup(table: str, *keys: Any) -> D:
    """A stand-in for the policy-bound lookup(): the checker only needs its spec."""
    return MERIT[(keys[0], keys[1])]


INDICATOR = Scope(
    scalars={
        "weight": "decimal",
        "achievement": "decimal",
        "difficulty": "decimal",
        "actual": "decimal",
        "target": "decimal",
        "direction": "string",
        "category": "string",
        "has_kpi": "boolean",
    }
)
EMPLOYEE = Scope(
    scalars={"segment": "string", "X": "decimal", "zone": "string", "grade": "string", "score": "decimal"},
    columns={
        "weighted": "decimal",
        "weight": "decimal",
        "achievement": "decimal",
        "category": "string",
        "kind": "string",
    },
    functions={"lookup": FunctionSpec(lookup, 2, None, ref_kind="table")},
    refs={"table": {"merit_offset", "promotion_points"}},
)

ROWS = [
    {"category": "kpi", "kind": "quantitative"},
    {"category": "kpi", "kind": "qualitative"},
    {"category": "contribution", "kind": "quantitative"},
]


def col(name: str, *values: Any) -> Column:
    return Column(values=list(values), rows=ROWS, name=name)


SHEET = {
    "weighted": col("weighted", D("33.0"), D("25.0"), D("40.5")),
    "weight": col("weight", D(30), D(25), D(45)),
    "achievement": col("achievement", D("110.0"), D("100.0"), D("90.0")),
    "category": col("category", "kpi", "kpi", "contribution"),
    "kind": col("kind", "quantitative", "qualitative", "quantitative"),
    "segment": "manager",
    "X": D("3.0"),
    "zone": "E",
    "grade": "I",
}


def run(expr: str, env: dict[str, Any], scope: Scope = EMPLOYEE) -> Any:
    return compile_formula(expr, scope)(env)


def problems(expr: str, scope: Scope = EMPLOYEE) -> list[tuple[str, str, int, str | None]]:
    return [(p.rule, p.message, p.offset, p.suggestion) for p in check_formula(expr, scope)]


# -- exact arithmetic ------------------------------------------------------------------------


def test_decimal_literals_are_exact() -> None:
    assert run("0.1 + 0.2 == 0.3", {}) is True  # Decimal('0.1') + Decimal('0.2') is exactly 0.3
    total = run("33.3 + 33.3 + 33.4", {})
    assert total == D("100.0") and str(total) == "100.0"


def test_japan_mbo_weighted_score_and_explain() -> None:
    f = compile_formula("weight * achievement * difficulty / 100", INDICATOR)
    env = {"weight": D(30), "achievement": D("110.0"), "difficulty": D("1.1")}
    # 30 * 110.0 = 3300.0; * 1.1 = 3630.00; / 100 = 36.3000
    assert f(env) == D("36.3")
    assert f.explain(env) == "30 * 110.0 * 1.1 / 100"
    assert f.result_type == "decimal"
    assert f.names == frozenset({"weight", "achievement", "difficulty"})


def test_achievement_with_direction() -> None:
    expr = (
        "clamp(actual / target * 100, 0, 200) if direction == 'higher' "
        "else clamp(target / actual * 100, 0, 200)"
    )
    f = compile_formula(expr, INDICATOR)
    assert f({"actual": D(55), "target": D(50), "direction": "higher"}) == D(110)  # 55/50*100
    assert f({"actual": D(40), "target": D(50), "direction": "lower"}) == D(125)  # 50/40*100
    assert f({"actual": D(500), "target": D(100), "direction": "higher"}) == D(200)  # 500 clamped


def test_record_ints_divide_into_decimal() -> None:
    # Python would give 1 / 4 == 0.25 as a float; formulas must stay Decimal.
    result = run("score / X", {"score": 1, "X": 4})
    assert result == D("0.25") and isinstance(result, D)
    assert isinstance(run("score", {"score": 7}), D)


def test_operators() -> None:
    env = {"score": D(7), "X": D(2)}
    assert run("score // X", env) == D(3)  # 7 // 2
    assert run("score % X", env) == D(1)  # 7 % 2
    assert run("score ** X", env) == D(49)  # 7 ** 2
    assert run("-score + +X", env) == D(-5)  # -7 + 2
    assert run("X - score - 1", env) == D(-6)  # (2 - 7) - 1, left to right
    assert run("X - (score - 1)", env) == D(-4)  # 2 - 6
    assert run("0 <= score < 10", env) is True
    assert run("score > X and not X > score", env) is True
    assert run("segment in ['manager', 'lead']", SHEET) is True
    assert run("segment not in ('manager',)", SHEET) is False
    assert run("X in [1, 3.0, -2]", {"X": D(3)}) is True  # Decimal('3') == Decimal('3.0')


def test_round_uses_declared_mode() -> None:
    assert run("round(score, 2, 'half_even')", {"score": D("2.345")}) == D("2.34")
    assert run("round(score, 2, 'half_up')", {"score": D("2.345")}) == D("2.35")
    result = run("round(score, -2, 'half_up')", {"score": D(1250)})
    assert result == D(1300) and str(result) == "1300"
    assert run("round(score, 0, 'floor')", {"score": D("-0.5")}) == D(-1)


# -- columns and aggregates ------------------------------------------------------------------


def test_aggregates_over_columns() -> None:
    assert run("sum(weighted)", SHEET) == D("98.5")  # 33.0 + 25.0 + 40.5
    assert run("sum(weighted, category='kpi')", SHEET) == D("58.0")  # 33.0 + 25.0
    assert run("count(kind, category='kpi', kind='quantitative')", SHEET) == D(1)
    assert run("count(weight)", SHEET) == D(3)
    assert run("mean(weight, category='kpi')", SHEET) == D("27.5")  # (30 + 25) / 2
    # (110.0*30 + 100.0*25 + 90.0*45) / (30+25+45) = (3300 + 2500 + 4050) / 100
    assert run("weighted_mean(achievement, weight)", SHEET) == D("98.5")
    assert run("min(achievement)", SHEET) == D("90.0")
    assert run("max(weighted, category='kpi')", SHEET) == D("33.0")
    assert run("max(X, 5, score)", {"X": D(2), "score": D("4.5")}) == D(5)
    assert run("abs(X - 5)", {"X": D(2)}) == D(3)
    assert run("sum(weighted, category='none')", SHEET) == D(0)


def test_policy_function_with_ref() -> None:
    # X + lookup('merit_offset', 'E', 'I') = 3.0 + 2.5
    assert run("X + lookup('merit_offset', zone, grade)", SHEET) == D("5.5")


def test_result_types() -> None:
    assert compile_formula("sum(weighted) > 50", EMPLOYEE).result_type == "boolean"
    assert compile_formula("'S' if score >= 110 else 'A'", EMPLOYEE).result_type == "string"
    assert compile_formula("weighted", EMPLOYEE).result_type == "column"
    assert compile_formula("lookup('merit_offset', zone, grade)", EMPLOYEE).result_type == "any"


# -- explain ---------------------------------------------------------------------------------


def test_explain_columns_and_negatives() -> None:
    f = compile_formula("sum(weighted, category='kpi') / count(weight)", EMPLOYEE)
    assert f.explain(SHEET) == "sum([33.0, 25.0, 40.5], category='kpi') / count([30, 25, 45])"
    g = compile_formula("score - X + abs(X)", EMPLOYEE)
    assert g.explain({"score": D(10), "X": D(-5)}) == "10 - (-5) + abs(-5)"
    h = compile_formula("segment == 'manager' and score >= 110", EMPLOYEE)
    assert h.explain({"segment": "manager", "score": None}) == "'manager' == 'manager' and None >= 110"


def test_explain_shows_only_the_branch_taken() -> None:
    f = compile_formula(
        "(actual / target * 100 if direction == 'higher' else target / actual * 100) "
        "if target > 0 else 0",
        INDICATOR,
    )
    env = {"actual": D("90"), "target": D("100"), "direction": "lower"}
    # target > 0 holds, direction is not 'higher': the lower-is-better branch, 100 / 90 x 100.
    assert f.explain(env) == "100 / 90 * 100"
    assert f.explain({**env, "target": D(0)}) == "0"
    g = compile_formula("weight * (2 if difficulty > 1 else 1)", INDICATOR)
    assert g.explain({"weight": D(30), "difficulty": D("1.1")}) == "30 * (2)"
    # One formula explained again and again (a pay run explains it for every employee): each
    # explanation follows its own values, whatever branch the one before took.
    higher = {**env, "direction": "higher"}
    seen = [f.explain(e) for e in (env, higher, {**env, "target": D(0)}, env, higher)]
    assert seen == ["100 / 90 * 100", "90 / 100 * 100", "0", "100 / 90 * 100", "90 / 100 * 100"]
    assert f.branches(higher) == (("target > 0", True), ("direction == 'higher'", True))
    assert f.branches(env) == (("target > 0", True), ("direction == 'higher'", False))


# -- static problems, exact texts ------------------------------------------------------------


def test_unknown_name_did_you_mean() -> None:
    assert problems("wieght * 2", INDICATOR) == [
        ("formula-unknown-name", "unknown name 'wieght'", 0, "did you mean 'weight'?")
    ]


def test_offsets_count_characters_not_bytes() -> None:
    # '업적' is 2 characters but 6 UTF-8 bytes; 'wieght' starts at character 8.
    assert problems("'업적' == wieght", INDICATOR)[0][2] == 8


def test_every_problem_is_collected_in_offset_order() -> None:
    assert problems("sun(weighted) + foo + round(X, 1)") == [
        ("formula-unknown-function", "unknown function 'sun'", 0, "did you mean 'sum'?"),
        ("formula-unknown-name", "unknown name 'foo'", 16, None),
        ("formula-arity", "round() takes 3 arguments, got 2", 22, "give the mode: round(x, 1, 'half_up')"),
    ]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (
            "weighted * 2",
            (
                "formula-type",
                "column 'weighted' is a list of values per indicator; "
                "aggregate it with sum(), mean(), min() or max()",
                0,
                None,
            ),
        ),
        (
            "sum(X)",
            (
                "formula-type",
                "sum() needs a column of values per indicator; 'X' is a single decimal value",
                4,
                None,
            ),
        ),
        (
            "mean(kind)",
            ("formula-type", "mean() needs a column of numbers; 'kind' holds string values", 5, None),
        ),
        ("segment * 3", ("formula-type", "'*' needs numbers, got string", 0, None)),
        ("segment < 1", ("formula-type", "cannot compare string with decimal using '<'", 10, None)),
        ("not score", ("formula-type", "'not' needs true/false, got decimal", 4, None)),
        (
            "1 if score else 2",
            ("formula-type", "the condition of 'x if c else y' needs true/false, got decimal", 5, None),
        ),
        (
            "1 if X > 1 else 'a'",
            ("formula-type", "'x if c else y' gives decimal on one side and string on the other", 0, None),
        ),
        ("clamp(X, 0)", ("formula-arity", "clamp() takes 3 arguments, got 2", 0, None)),
        ("min()", ("formula-arity", "min() takes at least 1 argument, got 0", 0, None)),
        (
            "lookup('merit_ofset', zone, grade)",
            ("formula-unknown-ref", "unknown table 'merit_ofset'", 7, "did you mean 'merit_offset'?"),
        ),
        (
            "lookup(zone, grade)",
            ("formula-type", "the first argument of lookup() must be a quoted table name", 7, None),
        ),
        (
            "round(X, 1, 'half')",
            ("formula-bad-literal", "unknown rounding mode 'half'", 12, "did you mean 'half_up'?"),
        ),
        (
            "round(X, score, 'up')",
            ("formula-bad-literal", "round() places must be a whole number written out, e.g. 1", 9, None),
        ),
        (
            "sum(weighted, categry='kpi')",
            (
                "formula-unknown-name",
                "unknown indicator field 'categry' in filter",
                14,
                "did you mean 'category'?",
            ),
        ),
        (
            "sum(weighted, category=1)",
            ("formula-type", "filter category= compares string values with decimal", 23, None),
        ),
        ("X(1)", ("formula-unknown-function", "'X' is not a function", 0, None)),
        ("sum + 1", ("formula-unknown-name", "'sum' is a function; call it as sum(...)", 0, None)),
        ("X ~ 1", ("formula-syntax", "invalid syntax", 2, None)),
        ("X *", ("formula-syntax", "invalid syntax", 3, None)),
        ("(X + 1", ("formula-syntax", "invalid syntax: '(' was never closed", 0, None)),
        ("", ("formula-syntax", "formula is empty", 0, None)),
        ("0x1F", ("formula-bad-literal", "number '0x1F' must be plain decimal digits", 0, None)),
        ("X is score", ("formula-forbidden", "'is' is not allowed; use == or !=", 5, None)),
        (
            "X in score",
            ("formula-forbidden", "'in' needs a literal list on its right, e.g. ['a', 'b']", 5, None),
        ),
        ("segment in ['a', 1]", ("formula-type", "cannot compare string with decimal using 'in'", 17, None)),
    ],
)
def test_static_problems(expr: str, expected: tuple[str, str, int, str | None]) -> None:
    assert problems(expr) == [expected]


def test_compile_raises_with_every_problem() -> None:
    with pytest.raises(FormulaError) as info:
        compile_formula("wieght + foo", INDICATOR)
    assert info.value.problems == [
        FormulaProblem("formula-unknown-name", "unknown name 'wieght'", 0, "did you mean 'weight'?"),
        FormulaProblem("formula-unknown-name", "unknown name 'foo'", 9, None),
    ]
    assert str(info.value) == (
        "invalid formula 'wieght + foo': unknown name 'wieght' (did you mean 'weight'?); unknown name 'foo'"
    )


# -- run-time errors -------------------------------------------------------------------------


def test_runtime_errors_name_the_formula() -> None:
    f = compile_formula("actual / target * 100", INDICATOR)
    with pytest.raises(FormulaRuntimeError) as info:
        f({"actual": D(5), "target": D(0)})
    assert str(info.value) == "division by zero in 'actual / target * 100' (actual=5, target=0)"
    with pytest.raises(FormulaRuntimeError) as info:
        f({"actual": D(5), "target": None})
    assert str(info.value) == "'target' has no value in 'actual / target * 100' (actual=5, target=none)"
    assert info.value.name == "target"
    with pytest.raises(FormulaRuntimeError, match=r"^'target' has no value in"):
        f({"actual": D(5)})
    loose = Scope(scalars={"a": "decimal", "b": "any"})
    with pytest.raises(FormulaRuntimeError) as info:
        compile_formula("b / a", loose)({"a": 1, "b": "5"})  # a string is never read as a number
    # The same words as every other operator gives (``/`` once had its own, and disagreed with
    # itself: with a literal on the right it took Python's, and True / 2 was 0.5 there only).
    assert str(info.value) == (
        "wrong kind of value in 'b / a' (b='5', a=1): unsupported operand type(s) for /: 'str' and 'int'"
    )


def test_runtime_errors_inside_aggregates() -> None:
    env = {"weighted": Column([D(1), None], ROWS[:2], name="weighted")}
    with pytest.raises(FormulaRuntimeError) as info:
        run("sum(weighted)", env)
    assert str(info.value) == (
        "sum() of 'weighted': goal line 2 has no value in 'sum(weighted)' (weighted=[1, None])"
    )
    with pytest.raises(FormulaRuntimeError) as info:
        run("mean(weighted, category='none')", SHEET)
    assert (
        str(info.value)
        == "mean() of 'weighted' has no goal lines to average in 'mean(weighted, category='none')'"
        " (weighted=[33.0, 25.0, 40.5])"
    )
    with pytest.raises(FormulaRuntimeError, match=r"^number too large in"):
        run("score * score", {"score": D("1E+999990")})


# -- names and cycles ------------------------------------------------------------------------


def test_names_used() -> None:
    expr = "clamp(actual / target * 100, 0, 200) if direction == 'higher' else sum(weighted, category=kind)"
    assert names_used(expr) == {"actual", "target", "direction", "weighted", "kind"}
    with pytest.raises(FormulaError) as info:
        names_used("actual /")
    assert info.value.problems[0].rule == "formula-syntax"


def test_find_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"c": {"a"}, "b": {"c"}, "a": {"b"}}) == ["a", "b", "c", "a"]  # same answer
    assert find_cycle({"score": {"score"}}) == ["score", "score"]
    assert find_cycle({"a": {"b", "x"}, "b": {"c"}, "c": set(), "d": {"b"}}) is None  # x: not a node
    assert find_cycle({"a": {"b"}, "b": {"c", "d"}, "c": set(), "d": {"b"}}) == ["b", "d", "b"]
