"""The package's layers, read from its imports (docs/architecture.md draws the same picture).

Data flows one way: load -> validate -> compile -> evaluate and the domain packages -> report ->
commands -> cli. Each group below (a top-level module or package of ``engine``) may import only
the groups listed for it; a new module or package must be given its place here first.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
MODULES = sorted(ENGINE.rglob("*.py"))

BASE = frozenset(
    {
        "errors", "location", "rounding", "suggest", "resources", "gcpause", "limits", "provenance",
        "timeline", "arrowcompute",
    }
)  # fmt: skip
DOMAIN = frozenset({"evaluate", "distribution", "chains", "workflow", "jobeval", "pay"})
#: What each group may import besides itself. Lower layers never reach up.
ALLOWED: dict[str, frozenset[str]] = {
    "__init__": BASE,
    "errors": frozenset(),
    "location": frozenset({"errors"}),
    "rounding": frozenset({"errors"}),
    "suggest": frozenset(),
    "resources": frozenset(),
    "gcpause": frozenset(),
    "provenance": frozenset(),
    "timeline": frozenset(),
    "arrowcompute": frozenset(),
    "schemaproof": frozenset(),
    "limits": frozenset({"errors"}),
    "loader": BASE,
    # A quick proof that a document meets a schema, where jsonschema need not be imported.
    "schema": BASE | {"schemaproof"},
    "io": BASE | {"loader"},
    "formula": BASE,
    # A meaning check may call the one implementation of its rule, kept with its domain.
    "checks": BASE | {"formula", "distribution", "workflow"},
    # `validate` finds the policies its paths name (io.discover) and reads each once.
    "validate": BASE | {"io", "loader", "schema", "checks"},
    "grading": BASE | {"formula"},
    "compile": BASE | {"formula", "grading", "validate"},
    # a calibration spools its groups to a temp file (engine.io.spool)
    "distribution": BASE | {"io"},
    "workflow": BASE | {"io"},
    "jobeval": BASE | {"formula", "grading"},
    # A pay run keeps its employees' lines and ids compact as it reads them (io.spool, io.ids).
    "pay": BASE | {"formula", "io"},
    # A run applies the domain rules (chains, distributions) to every employee it evaluates.
    "evaluate": BASE
    | {"io", "loader", "formula", "grading", "compile", "validate", "distribution", "chains"},
    "chains": BASE | {"io", "formula", "compile", "distribution"},
    # Tests stored with a policy: read records, evaluate, compare, measure coverage.
    "policytest": BASE | {"io", "loader", "formula", "compile"} | DOMAIN,
    # `hrpolicy init`: templates and the seed policies, with the modeline for where they go.
    "scaffold": BASE | {"io", "schema"},
    # `hrpolicy lsp`: validate's diagnostics in the editor, their field names by the policy's
    # labels in the editor's language (the report's labels, above which the server sits).
    "lsp": BASE | {"__init__", "io", "loader", "validate", "report"},
    # Consultants' tools over several policies: facts, mappings, diffs, what-if, rulebooks.
    "compare": BASE | {"io", "loader", "schema", "formula", "validate", "compile"} | DOMAIN,
    "report": BASE | {"__init__", "io", "formula", "policytest", "compare"} | DOMAIN,
    "commands": BASE
    | {"io", "loader", "schema", "formula", "validate", "compile", "report", "policytest", "scaffold", "lsp"}
    | {"compare"}
    | DOMAIN,
    # The options the commands share, declared once; only names (label languages) from below.
    "cli_options": frozenset({"report"}),
    "cli": BASE | {"__init__", "schema", "commands", "report", "cli_options"},
    "__main__": frozenset({"cli"}),
}
#: Imports against the layers that are known and being removed; the list may only shrink.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


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


def group_of(module: str) -> str:
    """``engine.formula.parse`` -> ``formula``; ``engine`` itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def engine_imports() -> Iterator[tuple[str, str]]:
    for path in MODULES:
        name = module_name(path).removesuffix(".__init__")
        for imported in imports_of(path):
            if imported == "engine" or imported.startswith("engine."):
                yield name, imported


def test_every_group_has_its_place_in_the_layers() -> None:
    groups = {group_of(module_name(p).removesuffix(".__init__")) for p in MODULES}
    assert sorted(groups - set(ALLOWED)) == []


def test_no_module_imports_against_the_layers() -> None:
    against = {
        (importer, imported)
        for importer, imported in engine_imports()
        if group_of(imported) != group_of(importer) and group_of(imported) not in ALLOWED[group_of(importer)]
    }
    assert sorted(against - KNOWN_VIOLATIONS) == []
    assert sorted(KNOWN_VIOLATIONS - against) == []  # fixed: take it off the list


def test_the_groups_import_each_other_without_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for importer, imported in engine_imports():
        if group_of(importer) != group_of(imported) and (importer, imported) not in KNOWN_VIOLATIONS:
            graph.setdefault(group_of(importer), set()).add(group_of(imported))
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*trail, node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*trail, node])):
                return cycle
        state[node] = 2
        return None

    cycles = [c for g in sorted(graph) if g not in state and (c := visit(g, []))]
    assert cycles == []


def test_only_the_cli_knows_click() -> None:
    users = sorted(
        module_name(p).removesuffix(".__init__")
        for p in MODULES
        if any(m.split(".")[0] == "click" for m in imports_of(p))
    )
    assert users == [
        "engine.cli",
        "engine.cli.checking",
        "engine.cli.consult",
        "engine.cli.guard",
        "engine.cli.results",
        "engine.cli_options",
    ]


def test_the_library_never_prints() -> None:
    printing = sorted(
        module_name(p)
        for p in MODULES
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    )
    assert printing == []


def test_the_top_of_the_package_reads_as_the_data_flow() -> None:
    top = sorted(p.stem for p in ENGINE.glob("*.py"))
    assert top == [
        "__init__",
        "__main__",
        "arrowcompute",
        "cli_options",
        "compile",
        "errors",
        "gcpause",
        "grading",
        "limits",
        "location",
        "provenance",
        "resources",
        "rounding",
        "schema",
        "schemaproof",
        "suggest",
        "timeline",
        "validate",
    ]


#: Modules split for size (issue 12, fmt-speed): each stays a few hundred lines at most.
SPLIT_MODULES = [
    "evaluate/parallel.py",
    "evaluate/ranges.py",
    "evaluate/pieces.py",
    "evaluate/forking.py",
    "report/results.py",
    "report/rows.py",
    "report/jsonreport.py",
    "report/explain.py",
    "report/jsonblock.py",
    "report/textparts.py",
]


def test_the_split_modules_stay_small() -> None:
    sizes = {name: len((ENGINE / name).read_text(encoding="utf-8").splitlines()) for name in SPLIT_MODULES}
    assert {name: size for name, size in sizes.items() if size > 400} == {}
