"""The JSON report through the exact columnar plan (its goal-line values and grade facts):
byte for byte the per-record path, for every range, whole reports with 2 and 3 workers, and
random files; an employee whose shown numbers the plan cannot vouch for takes the per-record
path (a zero line value, whose sign the plan does not keep)."""

from __future__ import annotations

import dataclasses
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from helpers import csv_rows
from test_columnar import JAPAN, _write, generate, population

from engine.evaluate import Engine, RunOutcome, parallel
from engine.evaluate.columnar import run as columnar
from engine.evaluate.parallel import DetailedPiece, SplitRenderer
from engine.report.results import SPLIT_RENDERERS
from engine.report.stream import write_report

JSON = SPLIT_RENDERERS["json"]
__all__ = ["population"]  # the fixture, shared with tests/test_columnar.py


def _counting(served: list[str], block: bool = True) -> SplitRenderer:
    """The JSON renderer, noting the id of each piece the plan writes itself: one at a time
    (``detailed``) or a block of items at once (``block``; without it every piece is written
    one at a time)."""

    def detailed(outcome: RunOutcome) -> DetailedPiece | None:
        piece = JSON.detailed(outcome)
        assert piece is not None

        def counted(employee: str, *rest: Any) -> Any:
            served.append(employee)
            return piece(employee, *rest)

        return counted

    return dataclasses.replace(JSON, detailed=detailed, block=JSON.block if block else lambda _: None)


def _noting_blocks(served: list[str]) -> Any:
    """:meth:`RangeJob.pieces` noting the ids of the items written a block at a time."""
    pieces = columnar.RangeJob.pieces

    def noted(self: columnar.RangeJob, chunk_bytes: int) -> Any:
        for piece in pieces(self, chunk_bytes):
            if type(piece) is parallel.Joined:
                text = piece.text if isinstance(piece.text, str) else piece.text.decode()
                served.extend(item["id"] for item in json.loads("[" + text + "]"))
            yield piece

    return noted


def _parts_equal(
    engine: Engine, path: str, chunk: int, workers: int = 2, block: bool = True, min_blocks: int = 1
) -> list[str]:
    """Every range through the plan against the per-record path; the employees the plan did
    (with ``block``: nearly all of them a block of items at a time)."""
    ranges = parallel.plan_ranges(path, workers, 0)
    assert ranges is not None
    served: list[str] = []
    blocks: list[str] = []  # (of those, the items written a block at a time)
    for part in ranges:
        want = parallel.evaluate_range(engine, path, part, None, JSON)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(columnar.RangeJob, "pieces", _noting_blocks(blocks))
            got = columnar._columnar(engine, path, part, None, _counting(served, block), None, None, chunk)
        assert got is not None
        assert (got.text, got.evaluated, got.checks, got.warnings) == (
            want.text, want.evaluated, want.checks, want.warnings,
        )  # fmt: skip
        read, wanted = got.read, want.read
        assert (read.rows, read.grouped, read.ids) == (wanted.rows, wanted.grouped, wanted.ids)
    assert len(set(blocks)) == len(blocks)  # (an item written once)
    assert len(blocks) >= min_blocks if block else not blocks
    return served + blocks


@pytest.mark.parametrize("block", [True, False])
@pytest.mark.parametrize("chunk", [600, 2**20])
def test_every_range_is_the_per_record_ranges(population: Path, chunk: int, block: bool) -> None:
    served = _parts_equal(Engine.from_file(JAPAN), str(population), chunk, block=block, min_blocks=500)
    assert len(served) > 500  # of the 600 generated and 20 boundary and trap employees
    assert len(set(served)) == len(served)
    assert "E000001" in served and "E000010" not in served  # (a weight out of its band)
    assert "B000009" not in served  # zero values: the per-record path


def _report(
    path: Path, workers: int, switch: str, monkeypatch: pytest.MonkeyPatch, fmt: str = "json"
) -> str:
    monkeypatch.setenv(columnar.SWITCH, switch)
    out = io.StringIO()
    write_report(Engine.from_file(JAPAN), str(path), fmt, out, workers=workers, min_bytes=1000)
    return out.getvalue()


@pytest.mark.parametrize("workers", [2, 3])
def test_whole_reports_are_byte_identical(
    population: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _report(population, workers, "0", monkeypatch)
    assert _report(population, workers, "1", monkeypatch) == plain
    results = {item["id"]: item for item in json.loads(plain)["results"]}
    assert results["B000001"]["grades"]["rating"] == {
        "grade": "S", "value": "110.00", "rounded": "110", "segment": "manager",
        "band": "110 <= value", "points": "100",
    }  # fmt: skip
    assert results["B000002"]["grades"]["rating"]["rounded"] == "80"  # 79.50 -> 80: C
    # 0 rounded to 1 place is 0.0; 20 x 0.0 x 1.0 / 100 keeps Decimal's two places: 0.00 (zeros
    # take the per-record path: the plan keeps no sign of zero)
    assert results["B000009"]["indicators"][0] == {"achievement": "0.0", "weighted": "0.00"}


@pytest.mark.parametrize("workers", [2, 3])
def test_the_text_table_through_the_plan_is_the_per_record_ones(
    population: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its rows are spooled from the plan's block lines (CSV lines that need no quoting and no
    # guard read back as their cells), its flat rows and per-record rows, then aligned.
    plain = _report(population, workers, "0", monkeypatch, "text")
    assert _report(population, workers, "1", monkeypatch, "text") == plain
    assert "\nB000001  境界 一    110.00  S                 100\n" in plain
    assert plain.startswith("policy japan_mbo: 597 evaluated, 18 with problems\n")


def test_a_random_population_many_times(tmp_path: Path) -> None:
    engine = Engine.from_file(JAPAN)
    rng = random.Random(5)
    cells = ["", " ", "0", "-0", "5", "30", "1.0", "1.30", "abc", "100.05", "79.5", "true", "1e1"]
    for round_ in range(4):
        path = tmp_path / f"r{round_}.csv"
        generate(40, str(path), seed=round_ + 20)
        rows = csv_rows(path)
        for row in rows[1:]:
            if rng.random() < 0.05:
                row[rng.randrange(1, len(row))] = rng.choice(cells)
        _write(path, rows, rng.choice(["\r\n", "\n"]))
        chunk, workers = rng.choice([300, 2000, 2**20]), rng.choice([2, 3])
        _parts_equal(engine, str(path), chunk, workers, block=rng.random() < 0.7)
