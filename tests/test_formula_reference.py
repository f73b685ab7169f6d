"""The reference interpreter (simpleeval) at run time: `--reference` gives byte-identical output,
really runs through simpleeval, and is imported only when asked for."""

from __future__ import annotations

import ast
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluate.run import Engine
from engine.formula import Column, FormulaRuntimeError, Scope, compile_formula
from engine.formula.check import BINOPS, CMPOPS, UNARYOPS
from engine.formula.reference import NODES, OPERATORS
from engine.report.labels import Labels
from engine.report.results import EXPLAIN_RENDERERS

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["kepco_like", "kumho_like", "japan_mbo"]


def _paths(name: str) -> tuple[str, str]:
    return str(ROOT / "policies" / f"{name}.yaml"), str(ROOT / "examples" / name / "employees.yaml")


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html"])
def test_evaluate_reference_is_byte_identical(name: str, fmt: str) -> None:
    policy, data = _paths(name)
    normal = _invoke("evaluate", policy, data, "--format", fmt)
    reference = _invoke("evaluate", policy, data, "--format", fmt, "--reference")
    assert normal[0] == 0
    assert all(employee in normal[1] for employee in _employee_ids(data))
    assert reference == normal


def _employee_ids(data: str) -> list[str]:
    doc = yaml.safe_load(Path(data).read_text(encoding="utf-8"))
    return [str(e["id"]) for e in doc["employees"]]


@pytest.mark.parametrize("name", SHIPPED)
def test_explain_reference_is_byte_identical_for_every_employee(name: str) -> None:
    """Every employee's explanation in text and JSON, through the generated code and through
    the reference: the same bytes. The command for the first one; the explain renderers over
    each engine's own traced run for all of them (each engine compiled once, the records read
    once each: a command per employee recompiled the policy 36 times for kumho_like)."""
    policy, data = _paths(name)
    ids = _employee_ids(data)
    assert len(ids) >= 9
    for fmt in ("text", "json"):
        args = ("explain", policy, data, "--employee", ids[0], "--format", fmt)
        normal = _invoke(*args)
        assert normal[0] == 0, normal
        assert "=" in normal[1]
        assert _invoke(*args, "--reference") == normal, (ids[0], fmt)
    runs = []
    for reference in (False, True):
        engine = Engine.from_file(policy, reference=reference)
        runs.append((engine, engine.read(data)))
    for employee in ids:
        for fmt in ("text", "json"):
            shown = []
            for engine, population in runs:
                outcome = engine.evaluate(population, trace=True, only=employee)
                assert [r.id for r in outcome.results] == [employee]
                shown.append(EXPLAIN_RENDERERS[fmt](outcome, Labels(outcome.policy.data, None)))
            assert "=" in shown[0] or fmt == "json"
            assert shown[1] == shown[0], (employee, fmt)


@pytest.mark.parametrize("name", SHIPPED)
def test_reference_engine_runs_every_formula_through_simpleeval(name: str) -> None:
    policy, _ = _paths(name)
    engine = Engine.from_file(policy, reference=True)
    compiled = engine.policy
    steps = [*compiled.indicator_steps, *compiled.employee_steps]
    conditions = [s.when for t in compiled.grade_tables for s in t.segments if s.when is not None]
    assert steps
    assert all(s.formula.reference and s.formula.source == "<simpleeval reference>" for s in steps)
    assert all(c.reference for c in conditions)
    assert compiled.fused is None  # no generated sheet function either
    normal = Engine.from_file(policy)
    assert not any(s.formula.reference for s in normal.policy.indicator_steps)
    assert normal.policy.fused is not None


def test_a_runtime_error_is_the_same_through_the_reference(tmp_path: Path) -> None:
    """An employee whose formula divides by zero: the same problem text either way."""
    policy, data = _paths("kepco_like")
    text = Path(data).read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    lines = [
        line
        for employee in doc["employees"]
        for period in (employee.get("periods") or {}).values()
        for line in period["indicators"]
        if "target" in line and line.get("direction", "higher") == "higher"
    ]
    lines[0]["target"] = 0
    bad = tmp_path / "employees.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    normal = _invoke("evaluate", policy, str(bad))
    reference = _invoke("evaluate", policy, str(bad), "--reference")
    assert normal[0] == 1
    assert "division by zero in" in normal[1]
    assert reference == normal


def test_validate_does_not_import_simpleeval_but_reference_does() -> None:
    policy, data = _paths("japan_mbo")
    code = (
        "import sys\n"
        "from engine.commands.validate import run_validate\n"
        "from engine.evaluate.run import run\n"
        "assert run_validate([{policy!r}], 'text', False, lambda *a, **k: None) == 0\n"
        "run({policy!r}, {data!r}{extra})\n"
        "print('simpleeval' in sys.modules)\n"
    )
    for extra, expected in (("", "False"), (", reference=True", "True")):
        done = subprocess.run(
            [sys.executable, "-c", code.format(policy=policy, data=data, extra=extra)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )
        assert done.stdout.strip() == expected


def test_reference_operators_and_nodes_are_exactly_the_language() -> None:
    assert set(OPERATORS) == {*BINOPS, *UNARYOPS, *CMPOPS}
    assert set(NODES) == {
        ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call,
        ast.keyword, ast.List, ast.Tuple,
    }


SCOPE = Scope({"a": "decimal", "s": "string"}, {"w": "decimal", "cat": "string"})


@pytest.mark.parametrize(
    ("expr", "env", "expected"),
    [
        ("0.1 + 0.2", {}, D("0.3")),  # literals are their decimal text, not floats
        ("a // 2", {"a": D("-7")}, D("-3")),  # Decimal floor division truncates
        ("a % 3", {"a": D("-7")}, D("-1")),
        ("sum(w, cat='k') / count(w)", {"w": Column([D(1), D(2)], [{"cat": "k"}, {"cat": "j"}])}, D("0.5")),
        ("round(a, -1, 'half_up')", {"a": D("125")}, D("130")),
        ("s in ['x', 'y'] and not a in [-1, 2]", {"s": "x", "a": D(-1)}, False),
        ("1+" * 900 + "a", {"a": D(1)}, D(901)),  # a flat chain longer than the stack allows
    ],
)
def test_reference_values(expr: str, env: dict[str, object], expected: object) -> None:
    value = compile_formula(expr, SCOPE, reference=True)(env)
    assert value == expected
    assert type(value) is type(expected)


def test_reference_refuses_what_is_not_the_language_even_unchecked() -> None:
    import simpleeval

    from engine.formula.parse import parse_or_raise
    from engine.formula.reference import ReferenceEval

    for text in ("a.__class__", "a[0]", "f'{a}'", "{1: 2}"):
        with pytest.raises(simpleeval.FeatureNotAvailable):
            ReferenceEval(parse_or_raise(text), SCOPE).run({"a": D(1)})


def test_reference_exponent_limit_is_ours() -> None:
    f = compile_formula("a ** a", SCOPE, reference=True)
    message = r"^exponent 101 is beyond the limit of 100 in 'a \*\* a' \(a=101\)$"
    with pytest.raises(FormulaRuntimeError, match=message):
        f({"a": D(101)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a + " * 500 + "a", "formula is 2001 characters long; the limit is 2000"),
        ("-" * 40 + "a", "formula nests deeper than 32 levels"),
        ("'" + "x" * 201 + "'", "string constant is 201 characters long; the limit is 200"),
    ],
)
def test_the_reference_holds_the_limits_itself(text: str, message: str) -> None:
    """Even handed a tree that skipped the checker, the interpreter refuses what is over a limit."""
    import ast as ast_

    from engine.formula import FormulaError
    from engine.formula.parse import Parsed
    from engine.formula.reference import ReferenceEval

    parsed = Parsed(text, ast_.parse(text, mode="eval"), 0, (0,))
    with pytest.raises(FormulaError) as caught:
        ReferenceEval(parsed, SCOPE)
    assert caught.value.problems[0].message == message
