"""Fuzz targets: each takes the fuzzer's bytes and raises only when it finds a bug.

A bug is anything but the outcomes the engine promises: diagnostics, or one of our own errors
(:class:`engine.errors.HRPolicyError`, which the CLI reports with exit 2). A Python exception
of any other class, a hang (the fuzzer's timeout) or a memory blow-up (its RSS limit) is a
crash; so is a formula on which the generated code and the simpleeval reference disagree.

Targets: ``policy`` (loading and validating a policy file, then compiling it when valid),
``formula`` (the compiler, both interpreters and ``explain``), and the record readers
``yaml``, ``json``, ``csv`` and ``xlsx`` (read under the japan_mbo policy, then evaluated and
rendered in every format).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Mapping
from decimal import Decimal as D
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Where targets write the file under test (a RAM disk when there is one).
WORK = Path(tempfile.mkdtemp(prefix="hrpolicy-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))


def _policy(data: bytes) -> None:
    from engine.compile import compile_policy
    from engine.errors import HRPolicyError
    from engine.loader import load_yaml_text
    from engine.validate import ValidatedPolicy, has_errors, validate_document

    doc = load_yaml_text(data, "fuzz.yaml")
    diagnostics = validate_document(doc)
    if has_errors(diagnostics) or doc.data is None:
        return
    with contextlib.suppress(HRPolicyError):
        compile_policy(ValidatedPolicy(doc.file, doc.data, doc.source, tuple(diagnostics)))


@cache
def _scope() -> Any:
    from engine.formula import FunctionSpec, Scope

    def grade(table: str, value: Any, segment: Any = None) -> str:
        return "A" if value > 0 else "B"

    return Scope(
        scalars={
            "a": "decimal", "b": "decimal", "i": "integer", "s": "string", "p": "boolean",
            "weight": "decimal", "target": "decimal", "actual": "decimal", "x": "any",
        },
        columns={"w": "decimal", "v": "decimal", "cat": "string"},
        functions={"grade": FunctionSpec(grade, 2, 3, ref_kind="grade_table", returns="string")},
        refs={"grade_table": ["t"]},
    )


def _envs() -> list[dict[str, Any]]:
    from engine.formula import Column

    rows = [{"cat": "k"}, {"cat": "j"}, {"cat": "k"}]
    full = {
        "a": D("12.5"), "b": D("-3"), "i": -7, "s": "k", "p": True, "weight": D(30), "target": D(100),
        "actual": D("110.5"), "x": D(2),
        "w": Column([D(1), D("2.5"), D(-4)], rows, "w"), "v": Column([D(3), D(0), D(1)], rows, "v"),
        "cat": Column(["k", "j", "k"], rows, "cat"),
    }
    zeros = {k: (D(0) if isinstance(v, D) else 0 if isinstance(v, int) and not isinstance(v, bool) else v)
             for k, v in full.items()}
    empty = {**{k: None for k in full}, "w": Column([]), "v": Column([]), "cat": Column([])}
    # ``x`` is typed ``any`` (another formula's value): also a grade or a flag
    return [full, zeros, empty, {**full, "x": "A"}, {**zeros, "x": True}]


ENVS = _envs()


def _outcome(formula: Any, env: Mapping[str, Any]) -> tuple[str, str]:
    from engine.errors import HRPolicyError

    try:
        value = formula(env)
    except HRPolicyError as exc:
        return type(exc).__name__, str(exc)
    return type(value).__name__, repr(value)


def _formula(data: bytes) -> None:
    from engine.formula import FormulaError, compile_formula

    text = data.decode("utf-8", "replace")
    try:
        generated = compile_formula(text, _scope())
    except FormulaError:
        return
    reference = compile_formula(text, _scope(), reference=True)
    for env in ENVS:
        got, want = _outcome(generated, env), _outcome(reference, env)
        if got != want:
            raise AssertionError(f"interpreters disagree on {text!r}: generated {got}, reference {want}")
        if got[0] != "FormulaRuntimeError":
            generated.explain(env)


@cache
def _engine() -> Any:
    from engine.evaluate.run import Engine

    return Engine.from_file(str(ROOT / "policies" / "japan_mbo.yaml"))


def _records(suffix: str, data: bytes) -> None:
    from engine.errors import HRPolicyError
    from engine.report.results import RENDERERS

    path = WORK / f"records{suffix}"
    if suffix == ".xlsx" and not data.startswith(b"PK"):
        data = _as_xlsx(data)
    path.write_bytes(data)
    engine = _engine()
    try:
        outcome = engine.evaluate(engine.read(str(path)))
    except HRPolicyError:
        return
    for render in RENDERERS.values():
        render(outcome)


def _cell(raw: str) -> Any:
    """A CSV cell typed as Excel would store it: empty, true/false, a number or text."""
    if raw == "":
        return None
    if raw in ("true", "false"):
        return raw == "true"
    for kind in (int, float):
        try:
            return kind(raw)
        except (ValueError, OverflowError):
            pass
    return raw


def _as_xlsx(data: bytes) -> bytes:
    """CSV-like text as a workbook with an ``indicators`` sheet (cells typed as Excel does)."""
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "indicators"
    for line in data.decode("utf-8", "replace").splitlines()[:200]:
        try:
            sheet.append([_cell(c) for c in line.split(",")[:50]])
        except (IllegalCharacterError, ValueError):
            sheet.append([line.encode("unicode_escape").decode("ascii")[:100]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TARGETS: dict[str, Callable[[bytes], None]] = {
    "policy": _policy,
    "formula": _formula,
    "yaml": lambda data: _records(".yaml", data),
    "json": lambda data: _records(".json", data),
    "csv": lambda data: _records(".csv", data),
    "xlsx": lambda data: _records(".xlsx", data),
}


#: Policy keys whose values are formulas.
FORMULA_KEYS = ("expr", "when", "check", "pool", "opens_when", "passes_when")


def _formula_seeds() -> list[bytes]:
    import yaml

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in FORMULA_KEYS and isinstance(value, str):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for policy in sorted((ROOT / "policies").glob("*.yaml")):
        walk(yaml.safe_load(policy.read_text(encoding="utf-8")))
    found += [
        "a + b * i // 2 % 3 ** 2", "round(a / 3, 2, 'half_up')", "sum(w, cat='k') / count(w)",
        "weighted_mean(w, v, cat=s)", "clamp(actual / target * 100, 0, 120) if p else 0",
        "s in ['k', 'j'] and not a < b <= 1e3", "grade('t', a - b)", "max(w) - min(a, b, i)",
    ]
    return [text.encode("utf-8") for text in dict.fromkeys(found)]


def seeds(target: str) -> list[bytes]:
    """The starting corpus of ``target``: the repository's own files of that kind."""
    io_data = ROOT / "tests" / "data" / "io"
    if target == "policy":
        files = [*sorted((ROOT / "policies").glob("*.yaml")), *sorted((ROOT / "tests/cases").rglob("*.yaml"))]
        return [f.read_bytes() for f in files]
    if target == "formula":
        return _formula_seeds()
    if target == "yaml":
        example = ROOT / "examples" / "japan_mbo" / "employees.yaml"
        return [(io_data / "people.yaml").read_bytes(), example.read_bytes()]
    if target == "json":
        return [(io_data / "people.json").read_bytes()]
    csv = (io_data / "people.csv").read_bytes()
    return [csv, _as_xlsx(csv)] if target == "xlsx" else [csv]
