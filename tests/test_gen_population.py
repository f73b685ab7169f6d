"""bench/gen_population.py: the default population is the one every earlier file and test was
made from, and ``--dedicated`` adds employees under japan_mbo's large-project exception whose
sheets the policy accepts (so the benchmark's exception rows time evaluation, not rejection)."""

from __future__ import annotations

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

from bench.gen_population import generate
from engine.evaluate import Engine

ROOT = Path(__file__).resolve().parent.parent
#: Employees drawn under the exception with seed 7, a quarter asked for, of 400 (the generator's
#: draw: what the tests below check is that each of them is well formed and graded).
COUNT = 92


def test_the_default_population_is_unchanged_by_the_option(tmp_path: Path) -> None:
    # The digest of the file the generator made before --dedicated existed (commit c80ac89).
    path = tmp_path / "japan.csv"
    generate(50, str(path), 7)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == "da61b0dd7a3eb03b93a94868a972e617ea26eea4ea808c8e0e467bb6ab46d741"


def _sheets(path: Path) -> dict[str, list[dict[str, str]]]:
    sheets: dict[str, list[dict[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            sheets.setdefault(row["id"], []).append(row)
    return sheets


def test_dedicated_employees_have_one_large_project_above_the_band(tmp_path: Path) -> None:
    path = tmp_path / "japan.csv"
    generate(400, str(path), 7, 0.25)
    sheets = _sheets(path)
    dedicated = {i: rows for i, rows in sheets.items() if rows[0]["dedicated_large_project"] == "true"}
    assert len(dedicated) == COUNT
    for rows in dedicated.values():
        weights = [int(r["weight"]) for r in rows]
        large = [r for r in rows if r["large_project"] == "true"]
        assert len(large) == 1 and large[0] is rows[0] and rows[0]["category"] == "performance"
        assert 35 <= weights[0] <= 60 and all(5 <= w <= 30 for w in weights[1:])
        assert sum(weights) == 100
    others = [rows for i, rows in sheets.items() if i not in dedicated]
    assert all(r["large_project"] == "false" and int(r["weight"]) <= 30 for rows in others for r in rows)


def test_the_policy_grades_every_dedicated_employee(tmp_path: Path) -> None:
    path = tmp_path / "japan.csv"
    generate(400, str(path), 7, 0.25)
    engine = Engine.from_file(str(ROOT / "policies" / "japan_mbo.yaml"))
    read = engine.read(str(path))
    assert len(read.employees) == 400 and not read.problems
    graded = set()
    for record in read.employees:
        problems, flat = engine.check_flat(record, read.parameters)
        assert not problems and flat is not None
        if record.fields["dedicated_large_project"]:
            assert max(line.fields["weight"] for line in record.indicators) > Decimal(30)
            graded.add(record.id)
    # exactly the employees the file marks, each graded under the exception
    marked = {i for i, rows in _sheets(path).items() if rows[0]["dedicated_large_project"] == "true"}
    assert graded == marked and len(marked) == COUNT
