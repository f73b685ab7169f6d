"""The policy JSON Schema and the mapping of its errors to located diagnostics."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

import engine.schema as schema_module
from engine.errors import Diagnostic
from engine.loader import load_yaml_file, load_yaml_text
from engine.location import SourceMap
from engine.rounding import MODES
from engine.schema import load_schema, schema_path, validate_schema

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted(p for p in (ROOT / "policies").glob("*.yaml") if not p.name.endswith(".test.yaml"))
SCHEMA_CASES = sorted(p for p in (ROOT / "tests" / "cases" / "invalid").glob("schema-*") if p.is_dir())

# A small valid policy; each test below swaps one line for a mistake.
BASE = """\
hrpolicy: 1
metadata:
  id: mini
  name: {en: Mini}
  version: "1"
  effective: {from: "2026-04-01"}
  rounding: {mode: half_up, places: 1}
inputs:
  employee:
    segment: {type: enum, values: [manager, general], label: {en: Segment}}
  indicator:
    weight: {type: decimal, unit: percent, label: {en: Weight}}
indicator_rules:
  weight:
    min: 5
    max: 30
    total: 100
"""


def render(diagnostics: list[Diagnostic]) -> list[str]:
    out = []
    for d in diagnostics:
        out.append(f"{d.location}: {d.severity.value} [{d.rule}] {d.message}")
        if d.suggestion:
            out.append(f"  suggestion: {d.suggestion}")
    return out


def check(text: str) -> list[Diagnostic]:
    doc = load_yaml_text(text, "policy.yaml")
    assert doc.diagnostics == [], doc.diagnostics
    return validate_schema(doc.data, doc.source)


def mutated(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


# ---------------------------------------------------------------------------- the schema itself


def test_schema_file_is_found_and_cached() -> None:
    assert schema_path() == ROOT / "engine" / "schemas" / "policy.schema.json"
    assert load_schema() is load_schema()
    assert load_schema()["$id"] == "https://hrpolicy.dev/schema/policy.schema.json"


def test_schema_passes_the_2020_12_metaschema() -> None:
    Draft202012Validator.check_schema(load_schema())


@pytest.mark.skipif(shutil.which("check-jsonschema") is None, reason="check-jsonschema not installed")
def test_schema_passes_check_jsonschema_metaschema_check() -> None:
    result = subprocess.run(
        ["check-jsonschema", "--check-metaschema", str(schema_path())],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _walk(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    """Every (pointer, schema) listed under a ``properties`` keyword anywhere in the schema."""
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}/properties/{name}", sub
        for key, sub in node.items():
            yield from _walk(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _walk(sub, f"{where}/{i}")


# Properties named inside if/then/else/not only narrow a property declared elsewhere.
_NARROWING = re.compile(r"/(examples|if|then|else|not)/")
PROPERTIES = [(ptr, sub) for ptr, sub in _walk(load_schema()) if not _NARROWING.search(ptr)]


def test_the_walk_sees_every_section() -> None:
    # 17 top-level keys plus a few hundred nested ones: a walk that found few would be broken.
    top = [ptr for ptr, _ in PROPERTIES if ptr.count("/properties/") == 1 and ptr.startswith("#/properties/")]
    assert len(top) == 17
    assert len(PROPERTIES) > 200


def test_every_property_has_title_description_and_examples() -> None:
    missing = [
        ptr for ptr, sub in PROPERTIES
        if not (isinstance(sub, dict) and sub.get("title") and sub.get("description") and sub.get("examples"))
    ]
    assert missing == []


def _standalone(sub: dict[str, Any]) -> dict[str, Any]:
    # A property schema refers to "#/$defs/..."; give it the root's $defs so the refs resolve.
    return {"$defs": load_schema()["$defs"], "allOf": [copy.deepcopy(sub)]}


def test_every_example_is_valid_for_its_property() -> None:
    wrong = []
    for ptr, sub in PROPERTIES:
        validator = Draft202012Validator(_standalone(sub), format_checker=FormatChecker())
        wrong += [f"{ptr}: {ex!r}" for ex in sub["examples"] if not validator.is_valid(ex)]
    assert wrong == []


def test_top_level_keys_are_exactly_those_of_the_language_doc() -> None:
    doc = (ROOT / "docs" / "policy-language.md").read_text(encoding="utf-8")
    table = doc.split("## Top level", 1)[1].split("##", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \| (yes|no) \|", table, flags=re.M)
    schema = load_schema()
    assert list(schema["properties"]) == [key for key, _ in documented]
    assert schema["required"] == [key for key, needed in documented if needed == "yes"]


def test_rounding_modes_are_the_engine_modes() -> None:
    assert load_schema()["$defs"]["rounding"]["properties"]["mode"]["enum"] == list(MODES)


# ---------------------------------------------------------------------------- valid input


def test_the_base_policy_is_valid() -> None:
    assert check(BASE) == []


def test_x_keys_are_notes_anywhere() -> None:
    text = mutated("hrpolicy: 1\n", "hrpolicy: 1\nx-owner: HR team\n")
    text = text.replace("  name: {en: Mini}", "  name: {en: Mini, x-note: draft}")
    text = text.replace("    total: 100\n", "    total: 100\n    x-why: {ko: 합계}\n")
    assert check(text) == []


# ---------------------------------------------------------------------------- one case per rule id

CASES = [
    pytest.param(
        "    max: 30\n", "    max: 30\n    totl: 3\n",
        ["policy.yaml:17:5: error [schema-unknown-key] unknown key 'totl' in indicator_rules.weight",
         "  suggestion: did you mean 'total'?"],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        "    max: 30\n", "    max: 30\n    colour: red\n",
        ["policy.yaml:17:5: error [schema-unknown-key] unknown key 'colour' in indicator_rules.weight",
         "  suggestion: allowed keys: field, min, max, total, total_scope"],
        id="unknown-key-allowed-keys",
    ),
    pytest.param(
        "hrpolicy: 1\n", "hrpolicy: 1\nformulae: {}\n",
        ["policy.yaml:2:1: error [schema-unknown-key] unknown key 'formulae' at the top level",
         "  suggestion: did you mean 'formulas'?"],
        id="unknown-key-top-level",
    ),
    pytest.param(
        "    total: 100\n", "",
        ["policy.yaml:15:5: error [schema-missing-key] missing required key 'total' "
         "in indicator_rules.weight"],
        id="missing-key",
    ),
    pytest.param(
        "    segment: {type: enum, values: [manager, general], label: {en: Segment}}",
        "    segment: {type: enum, label: {en: Segment}}",
        ["policy.yaml:10:14: error [schema-missing-key] missing required key 'values' "
         "in inputs.employee.segment"],
        id="missing-key-conditional",
    ),
    pytest.param(
        "    min: 5\n", "    min: abc\n",
        ["policy.yaml:15:10: error [schema-type] indicator_rules.weight.min: "
         "expected a number, got string 'abc'"],
        id="type",
    ),
    pytest.param(
        "places: 1}", "places: 1.5}",
        ["policy.yaml:7:37: error [schema-type] metadata.rounding.places: "
         "expected an integer, got number 1.5"],
        id="type-integer",
    ),
    pytest.param(
        "mode: half_up", "mode: half-up",
        ["policy.yaml:7:20: error [schema-enum] metadata.rounding.mode: 'half-up' is not one of 'half_up', "
         "'half_even', 'half_down', 'up', 'down', 'ceiling', 'floor'",
         "  suggestion: did you mean 'half_up'?"],
        id="enum",
    ),
    pytest.param(
        "hrpolicy: 1\n", "hrpolicy: 2\n",
        ["policy.yaml:1:11: error [schema-enum] hrpolicy: expected 1, got 2"],
        id="const",
    ),
    pytest.param(
        "    max: 30\n", "    max: 130\n",
        ["policy.yaml:16:10: error [schema-range] indicator_rules.weight.max: must be at most 100, got 130"],
        id="range-maximum",
    ),
    pytest.param(
        "    min: 5\n", "    min: -0.5\n",
        ["policy.yaml:15:10: error [schema-range] indicator_rules.weight.min: must be at least 0, got -0.5"],
        id="range-minimum",
    ),
    pytest.param(
        "  id: mini\n", "  id: Mini-Policy\n",
        ["policy.yaml:3:7: error [schema-pattern] metadata.id: 'Mini-Policy' must be lower snake_case "
         "(a-z, 0-9, _) starting with a letter",
         "  suggestion: did you mean 'mini_policy'?"],
        id="pattern",
    ),
    pytest.param(
        "    segment:", "    Segment-Code:",
        ["policy.yaml:10:5: error [schema-pattern] key 'Segment-Code' in inputs.employee must be a "
         "formula name (letters, digits, _; starting with a letter), or start with 'x-' for a note",
         "  suggestion: did you mean 'segment_code'?"],
        id="pattern-of-a-key",
    ),
    pytest.param(
        "values: [manager, general]", "values: []",
        ["policy.yaml:10:35: error [schema-size] inputs.employee.segment.values: "
         "expected at least 1 item, got 0"],
        id="size-min-items",
    ),
    pytest.param(
        "values: [manager, general]", "values: [manager, general, manager]",
        ["policy.yaml:10:35: error [schema-size] inputs.employee.segment.values: items must be unique; "
         "'manager' appears more than once"],
        id="size-unique",
    ),
    pytest.param(
        "  name: {en: Mini}", "  name: {}",
        ["policy.yaml:4:9: error [schema-size] metadata.name: expected at least 1 key, got 0",
         "  suggestion: allowed keys: ko, ja, en"],
        id="size-min-properties",
    ),
    pytest.param(
        '{from: "2026-04-01"}', '{from: "2026-02-30"}',
        ["policy.yaml:6:21: error [schema-format] metadata.effective.from: '2026-02-30' is not a valid date",
         '  suggestion: write a real calendar date as a quoted string "YYYY-MM-DD"'],
        id="format",
    ),
    pytest.param(
        "indicator_rules:\n", "indicator_rules:\n  count: {min: 2, exact: 4}\n",
        ["policy.yaml:14:10: error [schema-invalid] indicator_rules.count: "
         "write either exact or min/max, not both"],
        id="invalid",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_each_rule_reports_exact_text_line_and_column(old: str, new: str, expected: list[str]) -> None:
    assert render(check(mutated(old, new))) == expected


def test_unknown_key_path_names_the_key_itself() -> None:
    [diag] = check(mutated("indicator_rules:\n  weight:", "indicator_rules:\n  weigth:"))
    assert diag.location.path == "$.indicator_rules.weigth"
    assert (diag.location.line, diag.location.col, diag.suggestion) == (14, 3, "did you mean 'weight'?")


def test_several_errors_come_sorted_by_location() -> None:
    text = mutated("    total: 100\n", "    total: 100\n    totl: 1\n")
    text = text.replace("hrpolicy: 1", "hrpolicy: one")
    found = [(d.location.line, d.rule) for d in check(text)]
    assert found == [(1, "schema-enum"), (18, "schema-unknown-key")]


def test_a_long_value_is_cut_in_the_message() -> None:
    [diag] = check(mutated("    min: 5\n", "    min: " + "x" * 60 + "\n"))
    # 40 characters at most: 37 of the value and "...".
    assert diag.message == f"indicator_rules.weight.min: expected a number, got string '{'x' * 37}...'"


def test_a_mapping_where_a_number_belongs_is_not_dumped() -> None:
    [diag] = check(mutated("    min: 5\n", "    min: {a: 1, b: [1, 2, 3]}\n"))
    assert diag.message == "indicator_rules.weight.min: expected a number, got a mapping"


def test_any_of_reports_the_sub_error_of_the_branch_that_fitted_best() -> None:
    # The policy schema has no anyOf today; a new one must not surface as a generic error.
    validator = Draft202012Validator({"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 5}]})
    [error] = validator.iter_errors(3)
    assert error.validator == "anyOf"
    [diag] = schema_module._diagnose(schema_module._most_relevant(error), SourceMap("policy.yaml"))
    assert (diag.rule, diag.message) == ("schema-range", "the policy: must be at least 5, got 3")


def test_a_non_mapping_document() -> None:
    doc = load_yaml_text("- 1\n- 2\n", "policy.yaml")
    assert render(validate_schema(doc.data, doc.source)) == [
        "policy.yaml:1:1: error [schema-type] the policy: expected a mapping, got a list"
    ]


def test_a_30_kb_policy_is_validated_by_one_validator_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Speed is measured in bench/bench_validate.py; here we count the work: the validator (which
    # compiles $refs and regexes) is built once per process, however many policies are checked,
    # and not at all while every policy is proven valid (engine.schemaproof).
    built: list[object] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return Draft202012Validator(*args, **kwargs)

    monkeypatch.setattr(jsonschema, "Draft202012Validator", counting)
    schema_module._validator.cache_clear()
    line = "    field_{0}: {{type: decimal, unit: percent, min: 0, max: 100, label: {{en: Field {0}}}}}\n"
    fields = "".join(line.format(i) for i in range(340))
    text = mutated("  indicator:\n", "  indicator:\n" + fields)
    assert len(text.encode()) > 30_000
    doc = load_yaml_text(text, "policy.yaml")
    for _ in range(3):
        assert validate_schema(doc.data, doc.source) == []
    assert built == []
    bad = load_yaml_text(text.replace("field_7: {type: decimal", "field_7: {type: decimals"), "policy.yaml")
    for _ in range(3):
        assert [d.rule for d in validate_schema(bad.data, bad.source)] == ["schema-enum"]
    assert len(built) == 1
    schema_module._validator.cache_clear()


# ---------------------------------------------------------------------------- golden cases and policies


def test_there_is_a_golden_case_per_rule_id() -> None:
    names = {p.name for p in SCHEMA_CASES}
    assert names == {
        "schema-unknown-key", "schema-missing-key", "schema-type", "schema-enum", "schema-range",
        "schema-pattern", "schema-size", "schema-format", "schema-invalid",
    }


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[p.name for p in SCHEMA_CASES])
def test_golden_case_schema_diagnostics(case: Path) -> None:
    doc = load_yaml_file(case / "policy.yaml", display="policy.yaml")
    assert doc.diagnostics == []
    got = "".join(f"{line}\n" for line in render(validate_schema(doc.data, doc.source)))
    assert got == (case / "expected.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[p.name for p in SCHEMA_CASES])
def test_golden_case_has_exactly_one_mistake(case: Path) -> None:
    # The case file differs from the others' common base only in its one mistake: count errors.
    doc = load_yaml_file(case / "policy.yaml", display="policy.yaml")
    assert len(validate_schema(doc.data, doc.source)) == 1


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_shipped_policy_is_schema_valid(policy: Path) -> None:
    doc = load_yaml_file(policy, display=policy.name)
    assert doc.diagnostics == []
    assert render(validate_schema(doc.data, doc.source)) == []


@pytest.mark.skipif(shutil.which("check-jsonschema") is None, reason="check-jsonschema not installed")
@pytest.mark.skipif(not POLICIES, reason="no policies written yet")
def test_shipped_policies_pass_check_jsonschema() -> None:
    result = subprocess.run(
        ["check-jsonschema", "--schemafile", str(schema_path()), *map(str, POLICIES)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_json_is_what_its_builder_generates(tmp_path: Path) -> None:
    """schema/policy.schema.json is generated by schema/build_schema.py: the two must agree."""
    out = tmp_path / "schema.json"
    subprocess.run([sys.executable, str(ROOT / "schema" / "build_schema.py"), str(out)], check=True)
    committed = ROOT / "schema" / "policy.schema.json"
    assert out.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["policy.schema.json", "records.schema.json", "policy-test.schema.json"])
def test_the_packaged_schema_is_the_one_editors_point_at(name: str) -> None:
    """The package reads engine/schemas/; editors read schema/: one source, two identical copies."""
    packaged = ROOT / "engine" / "schemas" / name
    assert packaged.read_bytes() == (ROOT / "schema" / name).read_bytes()
