"""Hostile formulas: every escape hatch is refused statically, every cost is bounded."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
import simpleeval

from engine.formula import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_EXPR_LENGTH,
    MAX_STRING,
    FormulaRuntimeError,
    Scope,
    check_formula,
    compile_formula,
)

SCOPE = Scope(scalars={"a": "decimal", "b": "decimal", "c": "decimal", "x": "decimal", "s": "string"})


def rules(expr: str) -> list[str]:
    return [p.rule for p in check_formula(expr, SCOPE)]


@pytest.mark.parametrize(
    ("expr", "rule"),
    [
        ("().__class__.__bases__", "formula-forbidden"),
        ("__import__('os')", "formula-forbidden"),
        ("_secret + 1", "formula-forbidden"),
        ("open('x')", "formula-unknown-function"),
        ("eval('1')", "formula-unknown-function"),
        ("[x for x in ...]", "formula-forbidden"),
        ("lambda: 1", "formula-forbidden"),
        ("a.b", "formula-forbidden"),
        ("a.b()", "formula-forbidden"),
        ("a[0]", "formula-forbidden"),
        ("f'{x}'", "formula-forbidden"),
        ("(x := 1)", "formula-forbidden"),
        ("abs(*a)", "formula-forbidden"),
        ("abs(**a)", "formula-forbidden"),
        ("abs(a)(b)", "formula-forbidden"),
        ("{'k': 1}", "formula-forbidden"),
        ("{1, 2}", "formula-forbidden"),
        ("[1, 2]", "formula-forbidden"),
        ("(yield)", "formula-forbidden"),
        ("None", "formula-forbidden"),
        ("b'x'", "formula-forbidden"),
        ("a @ b", "formula-forbidden"),
        ("a << 2", "formula-forbidden"),
        ("~a", "formula-forbidden"),
        ("'a' * 10**6", "formula-type"),
        ("s / s", "formula-type"),
        ("'x' + s", "formula-type"),
        ("1j", "formula-bad-literal"),
        ("'" + "y" * (MAX_STRING + 1) + "'", "formula-bad-literal"),
        ("4000000**4000000", "formula-bad-literal"),
        ("a ** -101", "formula-bad-literal"),
        ("a\x00", "formula-syntax"),
    ],
)
def test_refused(expr: str, rule: str) -> None:
    assert rules(expr) == [rule]


def test_forbidden_offset_points_at_the_node() -> None:
    # 'a + ' is 4 characters; the attribute access starts at offset 4.
    [problem] = check_formula("a + ().__class__", SCOPE)
    assert (problem.rule, problem.message, problem.offset) == (
        "formula-forbidden",
        "attribute access (a.b) is not allowed",
        4,
    )


def test_too_long() -> None:
    [problem] = check_formula("a + " * 750, SCOPE)  # 3000 characters
    assert (problem.rule, problem.message, problem.offset) == (
        "formula-too-long",
        "formula is 3000 characters long; the limit is 2000",
        MAX_EXPR_LENGTH,
    )


@pytest.mark.parametrize(
    "expr",
    ["abs(" * 40 + "a" + ")" * 40, "(a + " * 40 + "a" + ")" * 40, "-" * 40 + "a", "not " * 40 + "a"],
)
def test_too_deep(expr: str) -> None:
    [problem] = check_formula(expr, SCOPE)
    assert problem.rule == "formula-too-deep"
    assert problem.message == f"formula nests deeper than {MAX_DEPTH} levels"


def test_limits_are_the_documented_ones() -> None:
    assert (MAX_EXPR_LENGTH, MAX_DEPTH, MAX_EXPONENT, MAX_STRING) == (2000, 32, 100, 200)


def test_long_flat_chain_compiles_without_recursion() -> None:
    expr = "a + " * 450 + "a - b * a / c"  # 1813 characters, one flat chain of 452 terms
    f = compile_formula(expr, SCOPE)
    # 451 * 2 - 3 * 2 / 4 = 902 - 1.5
    assert f({"a": D(2), "b": D(3), "c": D(4)}) == D("900.5")


def test_power_tower_is_bounded_at_run_time() -> None:
    f = compile_formula("2**2**2**2**2", SCOPE)  # 2**(2**16): the exponent 65536 is refused
    with pytest.raises(FormulaRuntimeError) as info:
        f({})  # refused from the exponent alone, before any power is computed
    assert str(info.value) == "exponent 65536 is beyond the limit of 100 in '2**2**2**2**2'"


def test_power_with_record_values() -> None:
    f = compile_formula("a ** b", SCOPE)
    assert f({"a": D(2), "b": D(10)}) == D(1024)
    assert f({"a": 4000000, "b": 100}) == D(4000000) ** 100  # Decimal, not a 660-digit int
    with pytest.raises(FormulaRuntimeError) as info:
        f({"a": D(2), "b": D(101)})
    assert str(info.value) == "exponent 101 is beyond the limit of 100 in 'a ** b' (a=2, b=101)"
    g = compile_formula("((a ** 100) ** 100) ** 100", SCOPE)  # 10**1000000 overflows Decimal
    with pytest.raises(FormulaRuntimeError, match=r"^number too large in"):
        g({"a": D(10)})


def test_generated_code_has_no_builtins() -> None:
    f = compile_formula("abs(a) + b / c", SCOPE)
    assert f.source == "lambda e: _b_abs(e['a']) + _div(e['b'], e['c'])"
    assert f._fn.__globals__["__builtins__"] == {}


def test_names_are_quoted_in_generated_code() -> None:
    # A name is only ever a dictionary key in the generated text.
    f = compile_formula("a + 1", Scope(scalars={"a": "decimal"}))
    assert f.source == "lambda e: e['a'] + _k0"
    assert f({"a": D(1)}) == D(2)


DIFFERENTIAL = [
    "a + b * c",
    "(a - b) / c",
    "a * b * c / 100",
    "a / b / c",
    "a // b + a % b",
    "-a + +b - -c",
    "a ** 2 - b ** 3",
    "(a + b) * (c - a) / (b + 1)",
    "a - (b - (c - a))",
    "a * (b + c) ** 2 // 7",
    "a < b <= c or a == c",
    "a > b and not b > c",
    "a if a > b else b * 2",
    "(a + b) % 3 == 1",
]
VALUES = [
    {"a": D("33.3"), "b": D("12.5"), "c": D("7")},
    {"a": D("-4.25"), "b": D("3"), "c": D("0.1")},
    {"a": D("100"), "b": D("-7.5"), "c": D("-3.125")},
    {"a": D("1E+3"), "b": D("0.001"), "c": D("42")},
]


@pytest.mark.parametrize("expr", DIFFERENTIAL)
def test_same_result_as_simpleeval(expr: str) -> None:
    f = compile_formula(expr, SCOPE)
    for env in VALUES:
        expected = simpleeval.SimpleEval(names=dict(env)).eval(expr)
        assert f(env) == expected, (expr, env)
        assert type(f(env)) is type(expected)
