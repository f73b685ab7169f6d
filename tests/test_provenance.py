"""Every consultant result records the policy id, version and content hash, in every format;
the hash names the rules (comments and layout do not change it, a value does)."""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from helpers import Echo
from openpyxl import load_workbook

from engine.commands.compare import run_compare
from engine.provenance import Stamp, stamp_of
from engine.report.model import RENDERERS
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICIES = [str(ROOT / "policies" / f"{n}.yaml") for n in ("japan_mbo", "kumho_like", "kepco_like")]
POPULATION = str(ROOT / "examples" / "compare" / "population.yaml")
STAMPS = [stamp_of(load_policy(p).data) for p in POLICIES]


def test_the_hash_is_sha256_of_the_canonical_data() -> None:
    data = {"metadata": {"id": "x", "version": "1"}, "count": 3, "flag": True}
    text = '{"count":{"n":"3"},"flag":true,"metadata":{"id":"x","version":"1"}}'
    assert stamp_of(data) == Stamp("x", "1", hashlib.sha256(text.encode()).hexdigest())


def test_comments_do_not_change_the_hash_and_values_do() -> None:
    same = stamp_of(load_policy(str(ROOT / "examples" / "compare" / "japan_mbo_2026.yaml")).data)
    assert same == STAMPS[0]  # the example copy differs from policies/japan_mbo.yaml in comments only
    changed = copy.deepcopy(load_policy(POLICIES[0]).data)
    changed["grade_tables"]["rating"]["round"]["places"] = 1
    assert stamp_of(changed).sha256 != STAMPS[0].sha256


def report(fmt: str, tmp_path: Path, population: str | None = POPULATION) -> bytes:
    out = tmp_path / f"report.{fmt}"
    run_compare(POLICIES, population, [], fmt, str(out), "en", None, Echo())
    return out.read_bytes()


@pytest.mark.parametrize("population", [None, POPULATION], ids=["facts", "population"])
def test_every_format_carries_every_stamp(tmp_path: Path, population: str | None) -> None:
    assert sorted(RENDERERS) == ["csv", "html", "json", "text", "xlsx"]
    text = report("text", tmp_path, population).decode()
    assert text.splitlines()[:3] == [s.short() for s in STAMPS]
    payload = json.loads(report("json", tmp_path, population))
    assert payload["policies"] == [s.as_dict() for s in STAMPS]
    rows = list(csv.reader(io.StringIO(report("csv", tmp_path, population).decode())))
    assert rows[:3] == [["# policy", s.id, s.version, s.sha256] for s in STAMPS]
    html = report("html", tmp_path, population).decode()
    assert all(f"<li>{s.text()}</li>" in html for s in STAMPS)
    report("xlsx", tmp_path, population)
    sheet = load_workbook(tmp_path / "report.xlsx")["summary"]
    assert [sheet.cell(row=r, column=1).value for r in (2, 3, 4)] == [s.text() for s in STAMPS]


def test_the_workbook_holds_the_same_tables(tmp_path: Path) -> None:
    report("xlsx", tmp_path)
    book = load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == [
        "summary",
        "people",
        "score statistics and pay tot",
        "grade distribution",
        "grade transitions japan_mbo",
        # japan_mbo -> kepco_like (kepco grades since its relative rule; Excel titles hold 31 characters)
        "grade transitions japan_m 2",
    ]
    people = book["people"]
    assert [c.value for c in people[2]][:4] == ["id", "name", "japan_mbo score", "japan_mbo grade"]
    # P5 under kumho_like: 75.00, grade I, raise 5.0 %, 2,900,000.00 (test_compare)
    p5 = [c.value for c in people[7]]
    assert p5[:6] == ["P5", "Jung Hana", 110.9, "S", 75, "I"]
    assert p5[6:8] == [5, 2900000]
    matrix = book["grade transitions japan_mbo"]
    assert [c.value for c in matrix[3]] == ["S", 1, 0, 0, 0, 0]


# --- every command ---------------------------------------------------------------------------------

EX = ROOT / "examples"
COMMANDS = {
    # command: (data, policy, formats)
    "evaluate": (EX / "japan_mbo" / "employees.yaml", "japan_mbo", ["text", "json", "csv", "html"]),
    "calibrate": (EX / "kumho_like" / "calibration.yaml", "kumho_like", ["text", "json", "csv"]),
    "jobeval": (EX / "kepco_like" / "jobs.yaml", "kepco_like", ["text", "json", "csv"]),
    "pay": (EX / "kumho_like" / "pay.yaml", "kumho_like", ["text", "json", "csv"]),
    "workflow": (EX / "kepco_like" / "workflow.yaml", "kepco_like", ["text", "json", "csv"]),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_records_its_policy_in_every_format(command: str) -> None:
    from click.testing import CliRunner

    from engine.cli import cli

    data, name, formats = COMMANDS[command]
    policy = ROOT / "policies" / f"{name}.yaml"
    stamp = stamp_of(load_policy(str(policy)).data)
    for fmt in formats:
        out = CliRunner().invoke(cli, [command, str(policy), str(data), "--format", fmt]).stdout
        first = {
            "text": stamp.short() + "\n",
            "csv": f"# policy,{stamp.id},{stamp.version},{stamp.sha256}\n",
            "json": '{\n  "policies": [\n    {\n      "id": "' + stamp.id + '",',
            "html": f"<li>{stamp.text()}</li>",
        }[fmt]
        assert out.startswith(first) if fmt != "html" else first in out, (command, fmt)
    if command == "evaluate":
        explained = CliRunner().invoke(cli, ["explain", str(policy), str(data), "--employee", "E001"]).stdout
        assert explained.startswith(stamp.short() + "\nemployee E001 (山田 太郎)\n")
