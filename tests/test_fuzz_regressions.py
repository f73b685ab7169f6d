"""Every crash the fuzz harness (fuzz/run.py) found, kept as a regression test after its fix
(and a bug the differential property test found in the same family: number literals).

The crash inputs themselves are in fuzz/crashes/ (named by target and SHA-1); each is replayed
through its target here, and its consequence is checked where a user meets it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.formula import Scope, check_formula
from fuzz.targets import TARGETS

ROOT = Path(__file__).resolve().parent.parent
CRASHES = ROOT / "fuzz" / "crashes"

# 2026-11-30, target formula (atheris, first 15 minutes): a number literal beyond the decimal
# context's exponent range (Emax 999999) as an exponent: the checker's bound check negated it
# and raised decimal.Overflow, so check_formula (documented never to raise) raised and
# ``hrpolicy validate`` stopped with "cannot process the input: Overflow" (exit 2).
RANGE = "is beyond the range of decimal numbers (exponents -999999 to 999999)"
#: crash file -> the literal after "a **" (the whole input).
FOUND = {
    "formula-crash-4ffb4b103296c142a2a708a2b013c930a0293a50": "277771e37777778",
    "formula-crash-91f546b7b88404956fb664925ef78b0e81d28872": "7777771e37777778778",
    "formula-crash-b03a0e6d8236233537365fa1984158e79a6746aa": "2e0852888742",
    "formula-crash-d0d19c788538dcdf872e100509f629b01c9099b2": "71e377777777777778",
    "formula-crash-eab1de05055cf5f3b9bc2d8d9b32f2a3824c4a84": "77e082588841",
}


def test_every_saved_crash_input_is_covered_here() -> None:
    saved = {p.name for p in CRASHES.glob("*-crash-*")}
    assert saved == set(FOUND)


@pytest.mark.parametrize("name", sorted(FOUND))
def test_a_number_beyond_the_decimal_range_is_a_diagnostic(name: str) -> None:
    data = (CRASHES / name).read_bytes()
    number = FOUND[name]
    text = f"a **{number}"
    assert data.decode("utf-8") == text
    TARGETS[name.split("-")[0]](data)  # no longer raises
    problems = check_formula(text, Scope({"a": "decimal"}))
    assert [(p.rule, p.message, p.offset) for p in problems] == [
        ("formula-bad-literal", f"number '{number}' {RANGE}", 4)
    ]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("a + 0e-9999999999", [("formula-bad-literal", f"number '0e-9999999999' {RANGE}", 4)]),
        ("a in [2, -1e9999999]", [("formula-bad-literal", f"number '1e9999999' {RANGE}", 10)]),
        ("a + 1e999999 - 1e-999999", []),  # the very edges are still numbers
    ],
)
def test_numbers_at_and_beyond_the_edges_of_the_range(
    text: str, problems: list[tuple[str, str, int]]
) -> None:
    found = check_formula(text, Scope({"a": "decimal"}))
    assert [(p.rule, p.message, p.offset) for p in found] == problems


def test_validate_reports_the_literal_at_its_line_and_column(tmp_path: Path) -> None:
    text = (ROOT / "tests" / "cases" / "valid" / "minimal" / "policy.yaml").read_text(encoding="utf-8")
    assert "      expr: sum(weighted)\n" in text
    policy = tmp_path / "policy.yaml"
    bad = "      expr: sum(weighted) ** 2e0852888742\n"
    policy.write_text(text.replace("      expr: sum(weighted)\n", bad), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(policy)])
    assert result.exit_code == 1
    expected = f"{policy}:80:30: error [formula-bad-literal] number '2e0852888742' {RANGE}"
    assert result.stdout.splitlines()[0] == expected


def test_python_syntax_warnings_do_not_reach_the_terminal() -> None:
    """Seen in the fuzz logs: ``1if p else 2`` made ast print "<unknown>:1: SyntaxWarning"."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert check_formula("1if p else 2", Scope({"p": "boolean"})) == []
    assert seen == []


def test_a_signed_literal_keeps_every_digit() -> None:
    """Found by the differential property test (fused sheet path), 2026-11-30: a literal of 29
    digits lost its last one when its sign was applied, so the fused code took clamp's bounds
    1.0000000000000000000000000001 and 1 as in order and gave 1 instead of the error."""
    from decimal import Decimal

    from engine.formula import FuseStep, SheetFuser, SheetPlan, compile_formula
    from engine.formula.parse import parse_or_raise, signed_number

    scope = Scope({"a": "decimal"})
    expr = "clamp(a, 1.0000000000000000000000000001, 1)"
    formula = compile_formula(expr, scope)
    step = FuseStep("out", formula.parsed, scope, formula.names, None, None, False)
    fused = SheetFuser(SheetPlan((), (step,), {}, ())).build()[1]
    with pytest.raises(Exception, match=r"^clamp\(\) lower bound 1.0000000000000000000000000001 is above"):
        fused({"a": Decimal(0)}, [])
    parsed = parse_or_raise("-1.0000000000000000000000000001")
    assert signed_number(parsed, parsed.tree.body) == Decimal("-1.0000000000000000000000000001")
    inside = compile_formula("a in [-1.0000000000000000000000000001]", scope)
    assert inside({"a": Decimal(-1)}) is False
