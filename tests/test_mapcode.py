"""The generated mapping converter (engine/io/mapcode.py) against the rule-by-rule
``check_mapping`` it stands for: the same values (their types, representations and order) and
the same issues, mapping after mapping through one converter (its caches filled by the earlier
ones), and the same records and problems for whole JSON and YAML populations."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.io.mapcode as mapcode
from engine.io.fields import check_mapping, compile_fields
from engine.io.mapcode import MappingConverter
from engine.io.records import JsonConstant, read_population
from tests.test_reader_reference import typed

ROOT = Path(__file__).resolve().parent.parent
JAPAN = yaml.safe_load((ROOT / "policies" / "japan_mbo.yaml").read_text(encoding="utf-8"))

RULES = compile_fields(
    {
        "d": {"type": "decimal", "min": 0, "max": 200},
        "d2": {"type": "decimal"},
        "i": {"type": "integer"},
        "b": {"type": "boolean", "default": False},
        "e": {"type": "enum", "values": ["a", "b"]},
        "dt": {"type": "date", "required": False},
        "s": {"type": "string"},
        "opt": {"type": "string", "required": False},
        "dd": {"type": "decimal", "default": "1.0"},
        "x-declared": {"type": "string", "required": False},  # (x- names are notes: not a field)
    }
)
SKIP = frozenset({"indicators"})
TEXTS = ["", "  ", " a ", "a", "b", "c", "1.0", "1.00", " 2 ", "1e400", "NaN", "true", "no", "2026-04-01",
         "e\u0301", "\uff11\uff12", "1_0", "x" * 70, "-0", "0E-500"]  # fmt: skip
DECIMALS = [
    "1.0",
    "1.00",
    "-0",
    "0",
    "0E-500",
    "1E+999",
    "NaN",
    "sNaN",
    "Infinity",
    "100",
    "1E+2",
    "200.0",
    "200.01",
]
VALUES = st.one_of(
    st.none(),
    st.sampled_from(TEXTS),
    st.integers(-3, 300),
    st.booleans(),
    st.sampled_from([Decimal(d) for d in DECIMALS]),
    st.dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    st.lists(st.integers(), max_size=1),
    st.sampled_from([JsonConstant("NaN"), JsonConstant("Infinity"), JsonConstant("")]),  # (str's subclass)
)
KEYS = st.sampled_from(["d", "d2", "i", "b", "e", "dt", "s", "opt", "dd", "indicators", "x-note", "dx", 1])
MAPPINGS = st.lists(st.dictionaries(KEYS, VALUES, max_size=10), min_size=1, max_size=12)


def _answer(values: dict[str, Any], issues: list[Any]) -> Any:
    return typed(values), [(i.key, i.rule, i.message, i.about) for i in issues]


@settings(max_examples=400, deadline=None)
@given(MAPPINGS)
def test_converter_is_check_mapping(mappings: list[dict[Any, Any]]) -> None:
    convert = MappingConverter(RULES, SKIP, limit=3)  # (a small cache: full after a few values)
    for raw in [*mappings, *mappings]:  # (each again: its values now in the caches)
        assert _answer(*convert(raw)) == _answer(*check_mapping(raw, RULES, SKIP))


def test_decimals_keep_their_written_form() -> None:
    """``1.0`` and ``1.00`` are equal keys of a dict, not the same value: each keeps its form."""
    convert = MappingConverter(RULES, SKIP)
    for d in ("1.0", "1.00", "1E+2", "100", "-0", "0"):
        values, issues = convert({"s": "x", "e": "a", "d2": 0, "i": 1, "d": Decimal(d)})
        assert issues == [] and repr(values["d"]) == f"Decimal('{d}')"


def test_true_is_not_one() -> None:
    """``True == 1`` as a dict key: an integer field's cache of 1 does not read ``true``."""
    convert = MappingConverter(RULES, SKIP)
    assert convert({"s": "x", "e": "a", "d2": 0, "d": 1, "i": 1}) == (
        {"s": "x", "e": "a", "d2": 0, "d": 1, "i": 1, "b": False, "dd": Decimal("1.0")},
        [],
    )
    values, issues = convert({"s": "x", "e": "a", "d2": 0, "d": 1, "i": True, "b": 1})
    assert [i.message for i in issues] == ["i: expected an integer, got True"]
    assert values["b"] is True  # (a boolean field reads 1 as true)


def test_defaults_fill_in_check_mappings_order() -> None:
    convert = MappingConverter(RULES, SKIP)
    values, issues = convert({"e": "a", "s": " t ", "d": Decimal("3.50"), "d2": "7", "i": "4"})
    assert issues == []
    assert list(values.items()) == [
        ("e", "a"), ("s", "t"), ("d", Decimal("3.50")), ("d2", Decimal("7")), ("i", 4), ("b", False),
        ("dd", Decimal("1.0")),
    ]  # fmt: skip


def test_a_problem_is_reported_as_check_mapping_reports_it() -> None:
    convert = MappingConverter(RULES, SKIP)
    clean = {"e": "a", "s": "t", "d": 5, "d2": 1, "i": 2}
    assert convert(clean)[1] == []
    values, issues = convert({**clean, "d": Decimal("200.5")})  # (the same keys: the same code)
    assert [(i.key, i.rule, i.message) for i in issues] == [
        ("d", "record-range", "d: 200.5 is above the maximum 200")
    ]
    assert "d" not in values
    _, issues = convert({"e": "a", "d": 5, "d2": 1, "i": 2})
    assert [(i.key, i.rule, i.message) for i in issues] == [
        (None, "record-missing", "s: required field is missing")
    ]
    _, issues = convert({**clean, "dx": 1})
    assert [i.message for i in issues] == ["unknown field 'dx' (did you mean 'd'?)"]


def test_orders_of_keys_beyond_the_limit_are_read_rule_by_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapcode, "MAX_SHAPES", 2)
    convert = MappingConverter(RULES, SKIP)
    mappings = [{"e": "a", "s": "t", "d": 5, "d2": 1, "i": 2}, {"s": "t", "e": "a", "d": 5, "d2": 1, "i": 2}]
    mappings.append({"i": 2, "s": "t", "e": "a", "d": 5, "d2": 1})
    for raw in mappings:
        assert _answer(*convert(raw)) == _answer(*check_mapping(raw, RULES, SKIP))
    assert len(convert._by_keys) == 2  # (the third order: check_mapping's)


def _japan_people() -> dict[str, Any]:
    line = {"title": "売上高", "category": "performance", "kind": "quantitative", "weight": 30}
    line |= {"what": "項目", "how_much": "基準", "how": "手段", "by_when": "2027-03"}
    line |= {"target": 1208, "actual": 1123, "direction": "lower", "difficulty": 1.2}
    line |= {"shared": False, "large_project": False}
    people = []
    for n in range(6):
        lines = [dict(line, weight=w, actual=1000 + n) for w in (30, 30, 20, 10, 10)]
        people.append({"id": f"E{n}", "name": "名前", "segment": "general", "indicators": lines})
    people[2]["indicators"][1]["weight"] = "30.0"
    people[3]["indicators"][0]["difficulty"] = "hard"  # (a problem: rule by rule)
    people[4]["indicators"][2]["x-note"] = "kept out"
    people[5]["indicators"][4] = {
        "title": "t",
        "kind": "quantitative",
        "weght": 10,
    }  # (a typo, fields missing)
    return {"policy": "japan_mbo", "employees": people}


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_population_reads_as_rule_by_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    doc = _japan_people()
    path = tmp_path / f"people{suffix}"
    text = (
        json.dumps(doc, ensure_ascii=False) if suffix == ".json" else yaml.safe_dump(doc, allow_unicode=True)
    )
    path.write_text(text, encoding="utf-8")

    def read() -> Any:
        population = read_population(path, JAPAN["inputs"], scales=JAPAN.get("scales"))
        return population.employees, list(population.problems)

    fast = read()
    monkeypatch.setattr(
        MappingConverter, "__call__", lambda self, raw: check_mapping(raw, self.rules, self.skip)
    )
    assert typed(fast) == typed(read())
    assert [e.id for e in fast[0]] == ["E0", "E1", "E2", "E4"]
    assert fast[0][2].indicators[1].fields["weight"] == Decimal("30.0")
    missing = [
        f"{name}: required field is missing"
        for name in ("category", "weight", "what", "how_much", "how", "by_when")
    ]
    assert [(p.employee_id, p.indicator, p.message) for p in fast[1]] == [
        ("E3", 1, "difficulty: expected a decimal number, got 'hard'"),
        ("E5", 5, "unknown field 'weght' (did you mean 'weight'?)"),
        *[("E5", 5, message) for message in missing],
    ]
