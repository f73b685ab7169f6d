"""The quick proof of validity (engine/schemaproof.py) never proves valid what jsonschema finds
invalid, and never calls invalid what jsonschema finds valid (``not``, ``anyOf``, ``oneOf`` and
``if`` rest on that): over every policy the repository holds and thousands of mutations of the
shipped ones. The shipped policies are proven valid (else every run would import jsonschema)."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from engine.errors import HRPolicyError
from engine.loader import load_yaml_file
from engine.schema import load_schema, validate_schema
from engine.schemaproof import _Proof, proves

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "policies").glob("*.yaml"))
SHIPPED = [p for p in SHIPPED if not p.name.endswith(".test.yaml")]
POLICIES = sorted(
    p
    for p in ROOT.rglob("*.yaml")
    if p.is_file() and ".test." not in p.name and b"\nhrpolicy:" in b"\n" + p.read_bytes()
)
VALIDATOR = Draft202012Validator(load_schema(), format_checker=FormatChecker(formats=("date",)))
#: Values a mutation puts in place of another.
PALETTE: list[Any] = [
    None, True, False, 0, -1, 7, 2.5, "", "x", "Bad Id", "2026-02-30", "2026-01-15", [], ["a", "a"],
    [1, 1], {}, {"x-note": 1}, {"zz": 1},
]  # fmt: skip


def _data(path: Path) -> Any:
    return load_yaml_file(str(path)).data


def _agrees(document: Any) -> tuple[bool | None, bool]:
    """The proof's verdict and jsonschema's, asserted consistent."""
    verdict = _Proof(load_schema()).check(load_schema(), document)
    valid = VALIDATOR.is_valid(document)
    if verdict is True:
        assert valid, list(VALIDATOR.iter_errors(document))[:3]
    if verdict is False:
        assert not valid
    return verdict, valid


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, sub in value.items():
            found += _nodes(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += _nodes(sub, (*path, index))
    return found


def _mutated(document: Any, rng: random.Random) -> Any:
    """``document`` with one node changed: removed, replaced, a key added, an item repeated."""
    out = copy.deepcopy(document)
    path = rng.choice(_nodes(out)[1:])
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    kind = rng.randrange(4)
    if kind == 0:
        del parent[last]
    elif kind == 1:
        parent[last] = copy.deepcopy(rng.choice(PALETTE))
    elif kind == 2 and isinstance(parent[last], dict):
        key = rng.choice(["zz", "x-note", "keys", "rows", "columns", "stage", "self"])
        parent[last][key] = rng.choice(PALETTE)
    elif isinstance(parent[last], list) and parent[last]:
        parent[last].append(copy.deepcopy(parent[last][0]))
    else:
        parent[last] = copy.deepcopy(rng.choice(PALETTE))
    return out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_shipped_policies_are_proven_valid(path: Path) -> None:
    assert proves(load_schema(), _data(path))


def test_every_policy_in_the_repository_gets_a_verdict_jsonschema_shares() -> None:
    verdicts = []
    for path in POLICIES:
        try:
            document = _data(path)
        except HRPolicyError:
            continue  # (not YAML the loader takes: no schema check either)
        verdicts.append(_agrees(document))
    assert len(verdicts) > 40
    assert (True, True) in verdicts and (False, False) in verdicts


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_mutations_of_a_shipped_policy_get_verdicts_jsonschema_shares(path: Path) -> None:
    rng = random.Random(path.name)
    document = _data(path)
    verdicts = [_agrees(_mutated(document, rng)) for _ in range(300)]
    # Both ways are exercised: mutants proven valid and mutants proven invalid.
    assert sum(v == (True, True) for v in verdicts) > 30
    assert sum(v == (False, False) for v in verdicts) > 30


def test_the_branches_of_not_one_of_and_if_are_judged_as_jsonschema_judges_them() -> None:
    """A 1-D table with rows (``dependentSchemas`` + ``not anyOf``), a 2-D one without columns
    (``if``/``else``), an agreement by a stage and by the employee at once (``oneOf``)."""
    document = _data(ROOT / "policies" / "japan_mbo.yaml")
    seen = []
    for mutate in (_one_d_with_rows, _two_d_without_columns, _both_stage_and_self, _neither_stage_nor_self):
        changed = copy.deepcopy(document)
        if mutate(changed):
            seen.append(_agrees(changed))
    assert seen and all(v == (False, False) for v in seen)


def _found(document: Any, wanted: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """Every mapping in ``document`` (at any depth) that is ``wanted``."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if wanted(value):
                found.append(value)
            for sub in value.values():
                walk(sub)
        elif isinstance(value, list):
            for sub in value:
                walk(sub)

    walk(document)
    return found


def _tables(document: Any) -> list[dict[str, Any]]:
    return _found(document, lambda value: "values" in value and ("keys" in value or "rows" in value))


def _one_d_with_rows(document: Any) -> bool:
    tables = [t for t in _tables(document) if "keys" in t]
    for table in tables:
        table["rows"] = ["a"]
    return bool(tables)


def _two_d_without_columns(document: Any) -> bool:
    tables = [t for t in _tables(document) if "rows" in t]
    for table in tables:
        table.pop("columns", None)
    return bool(tables)


def _agreements(document: Any) -> list[dict[str, Any]]:
    return _found(document, lambda value: "field" in value and ("stage" in value or "self" in value))


def _both_stage_and_self(document: Any) -> bool:
    found = _agreements(document)
    for agreement in found:
        agreement["stage"], agreement["self"] = "first", True
    return bool(found)


def _neither_stage_nor_self(document: Any) -> bool:
    found = _agreements(document)
    for agreement in found:
        agreement.pop("stage", None)
        agreement.pop("self", None)
    return bool(found)


def test_what_is_not_proven_is_worded_by_jsonschema() -> None:
    document = _data(ROOT / "policies" / "japan_mbo.yaml")
    document["metadata"]["colour"] = "blue"
    source = load_yaml_file(str(ROOT / "policies" / "japan_mbo.yaml")).source
    found = validate_schema(document, source)
    assert [d.rule for d in found] == ["schema-unknown-key"]
    assert "colour" in found[0].message


@pytest.mark.parametrize(
    ("schema", "instance", "verdict"),
    [
        ({"type": "integer"}, 3.0, True),  # (Draft 2020-12: a float without a fraction)
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"enum": [1, "a"]}, True, False),  # (True is not 1 here)
        ({"const": False}, 0, False),
        ({"uniqueItems": True}, [1, 1.0], False),
        ({"uniqueItems": True}, [{"a": 1}, {"a": 2}], None),  # (mappings: left to jsonschema)
        ({"minimum": 0}, float("nan"), True),  # (no NaN is below anything)
        ({"format": "date"}, "2026-02-29", False),
        ({"format": "date"}, "2028-02-29", True),
        ({"format": "email"}, "x", None),
        ({"prefixItems": [{}]}, [1], None),
        ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"a": 1, "b": 2}, False),
        ({"not": {"type": "string"}}, 1, True),
        ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": False}, {"c": 1}, False),
        ({"$ref": "https://example.org/x"}, 1, None),
        ({"additionalProperties": False, "patternProperties": {"^x-": {}}}, {"x-a": 1}, True),
        ({"additionalProperties": False}, {1: 1}, None),
    ],
)
def test_a_keyword_is_judged_as_jsonschema_judges_it_or_left_to_it(
    schema: dict[str, Any], instance: Any, verdict: bool | None
) -> None:
    assert _Proof(schema).check(schema, instance) is verdict
    if verdict is not None:
        checker = Draft202012Validator(schema, format_checker=FormatChecker(formats=("date",)))
        assert checker.is_valid(instance) is verdict
