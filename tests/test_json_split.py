"""A JSON records file shared between processes (engine/evaluate/json_split.py): the bytes of
the whole read's reports with 1, 2 or 3 workers, the problems naming each item by its index in
the whole list, and one process (the same bytes, or the whole read's error) wherever a cut
could be wrong."""

from __future__ import annotations

import io
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluate import Engine, parallel
from engine.evaluate.json_split import JsonRange, plan_json_ranges
from engine.report.results import RENDERERS
from engine.report.stream import write_report

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_formats import dump_json, employees  # noqa: E402

COUNT = 120


def _people() -> list[dict[str, Any]]:
    """120 generated japan employees: a sheet check (E000010), a bad value (E000020, a reading
    problem), an unknown field (E000070), a bad value late in the list (E000110)."""
    people = list(employees(COUNT, 3))
    by_id = {p["id"]: p for p in people}
    by_id["E000010"]["indicators"][0]["weight"] = 99
    by_id["E000020"]["indicators"][1]["difficulty"] = "abc"
    by_id["E000070"]["colour"] = "blue"
    by_id["E000110"]["indicators"][0]["difficulty"] = "x"
    return people


def _dumped(path: Path, people: list[dict[str, Any]], head: str = '"policy": "japan_mbo"') -> Path:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        dump_json(people, out, head)
    return path


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _dumped(tmp_path_factory.mktemp("json-split") / "pop.json", _people())


def _whole(path: Path, fmt: str) -> str:
    engine = Engine.from_file(JAPAN)
    return str(RENDERERS[fmt](engine.evaluate(engine.read(str(path)))))


def _split(path: Path, fmt: str, workers: int, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[int]]:
    """The streamed report with ``workers`` processes, and how many parts were merged (none:
    one process did it)."""
    merged: list[int] = []
    merge = parallel._merge

    def merging(engine: Engine, path: str, parts: list[parallel.Part], render: Any) -> Any:
        merged.append(len(parts))
        return merge(engine, path, parts, render)

    monkeypatch.setattr(parallel, "_merge", merging)
    out = io.StringIO()
    write_report(Engine.from_file(JAPAN), str(path), fmt, out, workers=workers, min_bytes=0)
    monkeypatch.undo()
    return out.getvalue(), merged


def test_the_plan_cuts_between_items_and_counts_them(population: Path) -> None:
    """Each range starts on an item's line, and the counts add up to the list: 120 items."""
    ranges = plan_json_ranges(str(population), 3, 0)
    assert ranges is not None and len(ranges) == 3
    content = population.read_bytes()
    assert [r.first for r in ranges] == [0, ranges[0].items, ranges[0].items + ranges[1].items]
    assert sum(r.items for r in ranges) == COUNT and ranges[-1].end is None
    for before, after in itertools.pairwise(ranges):
        assert before.end == after.start and content[after.start :].startswith(b'    {"id": "E000')
        first_id = f'"E{after.first + 1:06d}"'.encode()
        assert content[after.start : after.start + 40].find(first_id) > 0
    assert plan_json_ranges(str(population), 3, len(content)) is None  # small: one process
    assert plan_json_ranges(str(population), 1, 0) is None


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_one_two_and_three_workers_write_the_whole_reads_bytes(
    population: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _whole(population, fmt)
    for workers in (1, 2, 3):
        text, merged = _split(population, fmt, workers, monkeypatch)
        assert text == whole
        assert merged == ([] if workers == 1 else [workers])  # shared between the workers
    if fmt == "json":
        problems = json.loads(whole)["problems"]
        late = [p["origin"] for p in problems if p["employee"] == "E000110"]
        # named by its index in the whole list, though the third worker read it
        assert late == [f"{population}:$.employees[109].indicators[0].difficulty"]
        assert json.loads(whole)["failed"] == ["E000010", "E000020", "E000070", "E000110"]


def test_the_command_shares_a_big_json_file(population: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command, with the size under which a file stays in one process set to 0: the same
    stdout and stderr as one process."""
    args = ["evaluate", JAPAN, str(population), "--format", "json"]
    one = CliRunner().invoke(cli, args)
    monkeypatch.setattr("engine.evaluate.ranges.MIN_BYTES", 0)  # (the one bound for CSV and JSON)
    merged: list[int] = []
    merge = parallel._merge
    monkeypatch.setattr(parallel, "_merge", lambda *a: merged.append(len(a[2])) or merge(*a))
    shared = CliRunner().invoke(cli, args)
    assert merged == [2] and shared.exit_code == one.exit_code == 1
    assert shared.stdout == one.stdout and shared.stderr == one.stderr


def _layouts(people: list[dict[str, Any]], tmp_path: Path) -> dict[str, Path]:
    """The same employees written in ways the plan cannot cut, or cuts wrongly."""
    found = {"pretty": tmp_path / "pretty.json", "one-line": tmp_path / "one-line.json"}
    document = {"policy": "japan_mbo", "employees": people}
    found["pretty"].write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    found["one-line"].write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    # a mapping nested in an item at the items' indentation: the plan counts one line too many
    nested = tmp_path / "nested.json"
    _dumped(nested, people)
    text = nested.read_text(encoding="utf-8")
    marker = '"id": "E000090"'
    text = text.replace(marker, '"x-memo": [\n    {"note": "kept"}], ' + marker, 1)
    nested.write_text(text, encoding="utf-8")
    found["nested"] = nested
    # two items on one line: a range would start inside the list of the line before
    shared_line = tmp_path / "shared-line.json"
    _dumped(shared_line, people)
    text = shared_line.read_text(encoding="utf-8").replace(',\n    {"id": "E000061"', ', {"id": "E000061"', 1)
    shared_line.write_text(text, encoding="utf-8")
    found["shared-line"] = shared_line
    return found


def test_layouts_the_plan_cannot_cut_are_read_by_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts = _layouts(_people(), tmp_path)
    assert plan_json_ranges(str(layouts["one-line"]), 2, 0) is None  # no line before the first item
    pretty = plan_json_ranges(str(layouts["pretty"]), 2, 0)  # json.dumps(indent=2): items at 4 spaces
    assert pretty is not None and sum(r.items for r in pretty) == COUNT
    nested = plan_json_ranges(str(layouts["nested"]), 2, 0)
    assert nested is not None and sum(r.items for r in nested) == COUNT + 1  # (one line too many)
    for name, path in layouts.items():
        whole = _whole(path, "json")
        for workers in (2, 3):
            text, merged = _split(path, "json", workers, monkeypatch)
            assert text == whole, name
            # shared only where the cuts are right; the workers' counts send the others to one process
            assert merged == ([workers] if name == "pretty" else []), name


def test_an_id_in_two_ranges_and_the_heads_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An id used twice (once in each half): one process, the whole read's very report. The
    file's own problems (an unknown top-level key, a bad parameter), read by every worker from
    the head, are reported once."""
    people = _people()
    people[100] = {**people[100], "id": "E000005"}
    twice = _dumped(tmp_path / "twice.json", people)
    whole = _whole(twice, "json")
    assert '"rule": "record-duplicate-id"' in whole
    text, merged = _split(twice, "json", 2, monkeypatch)
    assert text == whole and merged == []
    head = '"policy": "japan_mbo", "x-note": "kept", "extra": 1, "parameters": {"bonus_rate": "abc"}'
    given = _dumped(tmp_path / "given.json", _people(), head)
    whole = _whole(given, "json")
    rules = [p["rule"] for p in json.loads(whole)["problems"] if p["employee"] is None]
    assert rules == ["record-unknown-field", "record-unknown-field"]  # extra; bonus_rate
    text, merged = _split(given, "json", 3, monkeypatch)
    assert text == whole and merged == [3]


def test_progress_is_summed_over_the_workers(population: Path) -> None:
    told: list[tuple[int, int]] = []
    out = io.StringIO()
    write_report(
        Engine.from_file(JAPAN), str(population), "csv", out, workers=2, min_bytes=0,
        progress=lambda done, rows: told.append((done, rows)),
    )  # fmt: skip
    # every item counted once (each worker its own), every byte of the ranges read
    assert told[-1] == (population.stat().st_size, COUNT)


def test_a_range_is_a_frozen_record() -> None:
    assert JsonRange(0, 10, 0, 2) == JsonRange(0, 10, 0, 2)
