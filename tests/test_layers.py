"""The package's layering, read from its imports: load, validate, compile, evaluate, report, cli."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
MODULES = sorted(ENGINE.rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ENGINE.parent).with_suffix("").parts)


def test_only_the_cli_knows_click() -> None:
    users = sorted(module_name(p) for p in MODULES if any(m.split(".")[0] == "click" for m in imports_of(p)))
    assert users == ["engine.cli"]


def test_the_library_never_prints() -> None:
    printing = sorted(
        module_name(p)
        for p in MODULES
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    )
    assert printing == []


def test_loading_checking_and_compiling_do_not_reach_into_evaluation_or_reports() -> None:
    early = [ENGINE / name for name in ("loader.py", "location.py", "schema.py", "errors.py", "compile.py")]
    early += sorted((ENGINE / "checks").glob("*.py"))
    late = (
        "engine.evaluate", "engine.report", "engine.commands", "engine.cli"
    )
    offenders = {
        module_name(p): sorted(m for m in imports_of(p) if m.startswith(late)) for p in early
    }
    assert {k: v for k, v in offenders.items() if v} == {}
