"""Mappings from the canonical population to a scheme's records: validated like a policy, every
problem located (file:line:col, rule id, did-you-mean), nothing run when one is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.compare import load_mapping, read_canonical
from engine.errors import DataError
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
POPULATION = str(ROOT / "examples" / "compare" / "population.yaml")


def problems(tmp_path: Path, text: str, policy: str = "japan_mbo") -> str:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_mapping(
            str(path), load_policy(str(ROOT / "policies" / f"{policy}.yaml")).data, read_canonical(POPULATION)
        )
    return str(caught.value).replace(str(path), "map.yaml").replace(POPULATION, "population.yaml")


def test_meaning_problems_are_located_with_suggestions(tmp_path: Path) -> None:
    text = (
        "hrpolicy-map: 1\n"
        "policy: japan_mbo\n"
        "let:\n"
        '  total: {over: goal, expr: "sum(weight)"}\n'
        "employee:\n"
        "  segmnt: {value: manager}\n"
        "  name: {from: nmae}\n"
        "indicators:\n"
        "  - from: goals\n"
        "    fields:\n"
        '      weight: {expr: "weight * 2 +"}\n'
        '      title: {expr: "titel"}\n'
    )
    assert problems(tmp_path, text) == (
        "the mapping is invalid:\n"
        "map.yaml:4:17: error [map-unknown-list] the population has no list 'goal'\n"
        "  suggestion: did you mean 'goals'?\n"
        "map.yaml:6:3: error [map-unknown-field] policy japan_mbo declares no employee field 'segmnt'\n"
        "  suggestion: did you mean 'segment'?\n"
        "map.yaml:7:16: error [map-unknown-source] no person in population.yaml has a field 'nmae'\n"
        "  suggestion: did you mean 'name'?\n"
        "map.yaml:11:35: error [map-formula-syntax] invalid syntax in \"weight * 2 +\"\n"
        "map.yaml:12:22: error [map-formula-unknown-name] unknown name 'titel' in \"titel\"\n"
        "  suggestion: did you mean 'title'?"
    )


def test_shape_problems_come_from_the_mapping_schema(tmp_path: Path) -> None:
    text = "hrpolicy-map: 1\npolicy: japan_mbo\nindicators:\n  - from: goals\n"
    text += "    fields:\n      weight: {form: weight}\n"
    assert problems(tmp_path, text) == (
        "the mapping is invalid:\n"
        "map.yaml:6:15: error [schema-missing-key] missing required key 'from'"
        " in indicators[0].fields.weight\n"
        "map.yaml:6:16: error [schema-unknown-key] unknown key 'form' in indicators[0].fields.weight\n"
        "  suggestion: did you mean 'from'?"
    )


def test_a_mapping_for_another_policy_says_only_that(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "compare" / "map_japan_mbo.yaml").read_text(encoding="utf-8")
    assert problems(tmp_path, text, "kumho_like") == (
        "the mapping is invalid:\n"
        "map.yaml:4:9: error [map-policy-mismatch] the mapping is for policy 'japan_mbo', not 'kumho_like'"
    )


def test_a_period_policy_needs_its_periods_mapped(tmp_path: Path) -> None:
    text = "hrpolicy-map: 1\npolicy: kepco_like\nindicators:\n"
    text += "  - from: goals\n    fields: {title: {from: title}}\n"
    assert problems(tmp_path, text, "kepco_like") == (
        "the mapping is invalid:\n"
        "map.yaml:1:1: error [map-periods] policy kepco_like has periods midterm, final:"
        " map each under 'periods'"
    )
