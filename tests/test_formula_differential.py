"""Differential property test: the generated code and the simpleeval reference agree on every
formula of the language and every record, value for value (same Decimal, same digits) and
error for error (same class, same message).

Formulas are drawn from the grammar the parser and checker accept, typed so that each one
compiles: numbers (plain, fractional, exponent forms), names in scope (Decimal fields, integer
fields read as Python ints, strings, booleans, columns of goal lines), ``+ - * / // % **``,
unary signs, comparisons (chained too), ``in`` a literal list, ``and``/``or``/``not``,
``x if c else y``, and every builtin with its arity and keyword filters. Records hold ordinary,
extreme and missing (None) values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal as D
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.errors import HRPolicyError
from engine.formula import Column, Scope, compile_formula
from engine.rounding import MODES

DECIMALS = ["a", "b", "c"]
INTEGERS = ["i", "j"]
SCOPE = Scope(
    scalars={"a": "decimal", "b": "decimal", "c": "decimal", "i": "integer", "j": "integer",
             "s": "string", "p": "boolean", "x": "any"},
    columns={"w": "decimal", "v": "decimal", "cat": "string"},
)

NUMBER_TEXT = st.sampled_from(
    ["0", "1", "2", "3", "7", "10", "100", "0.5", "0.1", "2.50", "12.345", "1e3", "1E-3", "0.000",
     "1_000", "99999999999999999999999999999", "1.0000000000000000000000000001"]
)


def _binary(num: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    op = st.sampled_from(["+", "-", "*", "/", "//", "%"])
    return st.builds(lambda x, o, y: f"({x} {o} {y})", num, op, num)


def _power(num: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    exponent = st.sampled_from(["0", "1", "2", "3", "-1", "-2", "0.5", "100", "i", "j", "a"])
    return st.builds(lambda x, e: f"({x} ** {e})", num, exponent)


def _calls(num: st.SearchStrategy[str], boolean: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    col = st.sampled_from(["w", "v"])
    where = st.sampled_from(["", ", cat='k'", ", cat='j'", ", cat=s"])
    mode = st.sampled_from(sorted(MODES))
    places = st.sampled_from(["0", "1", "2", "-1", "-2", "28"])
    several = st.lists(num, min_size=2, max_size=4).map(", ".join)
    return st.one_of(
        st.builds(lambda c, w: f"sum({c}{w})", col, where),
        st.builds(lambda c, w: f"count({c}{w})", st.sampled_from(["w", "v", "cat"]), where),
        st.builds(lambda c, w: f"mean({c}{w})", col, where),
        st.builds(lambda w: f"weighted_mean(w, v{w})", where),
        st.builds(lambda f, c, w: f"{f}({c}{w})", st.sampled_from(["min", "max"]), col, where),
        st.builds(lambda f, xs: f"{f}({xs})", st.sampled_from(["min", "max"]), several),
        st.builds(lambda x, lo, hi: f"clamp({x}, {lo}, {hi})", num, num, num),
        st.builds(lambda x: f"abs({x})", num),
        st.builds(lambda x, p, m: f"round({x}, {p}, '{m}')", num, places, mode),
        st.builds(lambda t, x, y: f"({x} if {t} else {y})", boolean, num, num),
    )


def _grammar() -> st.SearchStrategy[str]:
    """Typed formula text: number-valued, true/false-valued or text-valued expressions."""
    leaves = st.one_of(NUMBER_TEXT, st.sampled_from([*DECIMALS, *INTEGERS, "x"]))

    def number(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        boolean = _boolean(inner)
        return st.one_of(
            _binary(inner), _power(inner), _calls(inner, boolean),
            st.builds(lambda s, x: f"{s}{x}", st.sampled_from(["-", "+", "- -"]), inner),
        )

    return st.recursive(leaves, number, max_leaves=12)


LISTS = st.lists(st.sampled_from(["1", "-1", "0.5", "2", "-0", "+3"]), min_size=1, max_size=3).map(", ".join)


def _boolean(num: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    cmp = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])
    simple = st.one_of(
        st.builds(lambda x, o, y: f"{x} {o} {y}", num, cmp, num),
        st.builds(lambda x, o, y, q, z: f"{x} {o} {y} {q} {z}", num, cmp, num, cmp, num),
        st.builds(lambda x, n, items: f"{x} {n} [{items}]", num, st.sampled_from(["in", "not in"]), LISTS),
        st.sampled_from(["p", "True", "False", "s == 'x'", "s != 'k'", "s in ['x', 'k']", "s < 'm'"]),
    )
    return st.one_of(
        simple,
        st.builds(lambda x: f"not ({x})", simple),
        st.builds(lambda x, o, y: f"({x}) {o} ({y})", simple, st.sampled_from(["and", "or"]), simple),
    )


NUMBERS = _grammar()
FORMULAS = st.one_of(
    NUMBERS,
    NUMBERS,  # twice: numbers are what formulas mostly compute
    _boolean(NUMBERS),
    st.builds(lambda t: f"s if {t} else 'y'", _boolean(NUMBERS)),
)

VALUES = st.sampled_from(
    [D(0), D(1), D(-1), D("0.5"), D("3"), D("-7"), D("100"), D("12.345"), D("1E+30"), D("-2.5E-20"),
     D("0.000"), D("99999999999999999999999999999"), None]
)
INTS = st.sampled_from([0, 1, -1, 2, 3, -7, 100, 10**30 + 1, -(10**29) - 7, None])


@st.composite
def records(draw: Callable[[st.SearchStrategy[Any]], Any]) -> dict[str, Any]:
    n = draw(st.integers(0, 4))
    rows = [{"cat": draw(st.sampled_from(["k", "j", None]))} for _ in range(n)]
    env: dict[str, Any] = {name: draw(VALUES) for name in DECIMALS}
    env.update({name: draw(INTS) for name in INTEGERS})
    env["s"] = draw(st.sampled_from(["x", "k", "", None]))
    env["p"] = draw(st.sampled_from([True, False, None]))
    # ``any``: another formula's value (a number, a grade, a flag) or nothing
    env["x"] = draw(st.one_of(VALUES, st.sampled_from(["A", "", True, False])))
    env["w"] = Column([draw(VALUES) for _ in rows], rows, "w")
    env["v"] = Column([draw(VALUES) for _ in rows], rows, "v")
    env["cat"] = Column([r["cat"] for r in rows], rows, "cat")
    return env


def outcome(expr: str, env: Mapping[str, Any], reference: bool) -> tuple[str, str, str]:
    """('value', type, repr) or ('error', class, message): what a path gives for ``env``."""
    formula = compile_formula(expr, SCOPE, reference=reference)
    try:
        value = formula(env)
    except HRPolicyError as exc:
        return "error", type(exc).__name__, str(exc)
    return "value", type(value).__name__, repr(value)


def _env(**fields: Any) -> dict[str, Any]:
    env: dict[str, Any] = {"a": D(1), "b": D(2), "c": D(3), "i": 1, "j": 2, "s": "x", "p": True, "x": D(5)}
    env.update({"w": Column([]), "v": Column([]), "cat": Column([])})
    env.update(fields)
    return env


@settings(max_examples=settings.default.max_examples * 4)  # cheap: about 3 ms an example
@given(FORMULAS, records())
@example("i // j", _env(i=-7, j=2))  # Python ints floor; Decimal truncates toward zero: -3
@example("i % j", _env(i=-7, j=2))
@example("i * j", _env(i=10**30 + 1, j=3))  # beyond 28 digits: Decimal rounds, ints do not
@example("+i", _env(i=10**30 + 1))
@example("x / 2", _env(x="A"))  # '/' took Python's words here, its own with a name on the right
@example("x / 2", _env(x=True))  # and gave 0.5 here where 'x / a' refused a true/false value
@example("x / a", _env(x=True))
def test_generated_code_agrees_with_the_reference(expr: str, env: dict[str, Any]) -> None:
    assert outcome(expr, env, reference=False) == outcome(expr, env, reference=True), expr


# -- the fused sheet function --------------------------------------------------------------

LINE_FIELDS = ("w", "v", "cat")
ROWS = [{"cat": "k"}]


def _fused(expr: str) -> Callable[[Mapping[str, Any], Any], Any]:
    """``expr`` as the one employee formula of a fused goal sheet over lines with w, v, cat."""
    from engine.formula import FuseStep, SheetFuser, SheetPlan

    formula = compile_formula(expr, SCOPE)
    step = FuseStep("out", formula.parsed, formula.scope, formula.names, None, None, False)
    columns = tuple(sorted(formula.names & set(LINE_FIELDS)))
    plan = SheetPlan((), (step,), dict.fromkeys(LINE_FIELDS), columns)
    return SheetFuser(plan).build()[1]


@dataclasses.dataclass(frozen=True)
class _Line:
    fields: Mapping[str, Any]


@settings(max_examples=settings.default.max_examples * 2)
@given(FORMULAS, records())
@example("clamp(0, 1.0000000000000000000000000001, 1)", _env())  # bounds out of order by 1e-28
@example(
    "i // j + min(w)",
    _env(i=-7, j=2, w=Column([D(3)], ROWS), v=Column([D(1)], ROWS), cat=Column(["k"], ROWS)),
)
def test_the_fused_sheet_function_agrees_with_the_reference(expr: str, env: dict[str, Any]) -> None:
    """The evaluation hot path: when the fused function gives a value (on any error it hands
    over to the checked path), it is the reference's value, digit for digit."""
    rows = env["w"].rows
    lines = [
        _Line({"w": env["w"].values[k], "v": env["v"].values[k], "cat": rows[k]["cat"]})
        for k in range(len(rows))
    ]
    base = {k: v for k, v in env.items() if k not in LINE_FIELDS}
    try:
        (value,), _ = _fused(expr)(base, lines)
    except Exception:
        return
    assert outcome(expr, env, reference=True) == ("value", type(value).__name__, repr(value)), expr


SCALARS = ("a", "b", "c", "i", "j", "s", "p", "x")


@settings(max_examples=200)
@given(FORMULAS, records(), st.sets(st.sampled_from(SCALARS)))
@example("a / b * 100 if p else x", _env(a=D(1), b=D(3), p=True, x=D(2)), {"x"})
@example("a / b * 100 if p else x", _env(a=D(1), b=D(3), p=False, x=D(2)), set())
@example("a / b * 100 if p else x", _env(a=D(1), b=D(3), p=False, x=2), {"p"})  # an int: made Decimal
@example("i / j * 1", _env(i=1, j=3), set())  # two ints: the plain '/' gives a float, then fails
def test_a_line_formula_fused_agrees_with_the_reference(
    expr: str, env: dict[str, Any], absent: set[str]
) -> None:
    """The same on a goal line: fields read where they are used (subscripts, and ``.get`` again
    when the line lacks one: ``absent`` are left out of the line, which reads them as None), a
    top-level conditional as statements."""
    from engine.formula import FuseStep, SheetFuser, SheetPlan

    formula = compile_formula(expr, SCOPE)
    if formula.names & set(LINE_FIELDS):
        return  # a line formula reads no columns
    step = FuseStep("out", formula.parsed, formula.scope, formula.names, None, None, False)
    plan = SheetPlan((step,), (), dict.fromkeys(SCALARS), ())
    fused = SheetFuser(plan).build()[1]
    line = _Line({k: env[k] for k in SCALARS if k not in absent})
    try:
        _, rows = fused({}, [line])
    except Exception:
        return  # the checked path takes over
    value = rows[0]["out"]
    seen = {**env, **dict.fromkeys(absent)}
    assert outcome(expr, seen, reference=True) == ("value", type(value).__name__, repr(value)), expr
