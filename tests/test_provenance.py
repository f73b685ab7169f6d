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
from helpers import Echo, canonical_json, policy_stamp
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


def test_comments_do_not_change_the_hash_and_values_do(tmp_path: Path) -> None:
    bare = tmp_path / "bare.yaml"  # policies/japan_mbo.yaml without a comment line
    lines = Path(POLICIES[0]).read_text(encoding="utf-8").split("\n")
    bare.write_text("\n".join(line for line in lines if not line.lstrip().startswith("#")), encoding="utf-8")
    same = stamp_of(load_policy(str(bare)).data)
    assert same == STAMPS[0]
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
    "calibrate": (EX / "kumho_like" / "calibration.yaml", "kumho_like", ["text", "json", "csv", "html"]),
    "jobeval": (EX / "kepco_like" / "jobs.yaml", "kepco_like", ["text", "json", "csv", "html"]),
    "pay": (EX / "kumho_like" / "pay.yaml", "kumho_like", ["text", "json", "csv", "html"]),
    "workflow": (EX / "kepco_like" / "workflow.yaml", "kepco_like", ["text", "json", "csv", "html"]),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_records_its_policy_in_every_format(command: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from engine.cli import cli

    data, name, formats = COMMANDS[command]
    policy = ROOT / "policies" / f"{name}.yaml"
    stamp = stamp_of(load_policy(str(policy)).data)
    assert stamp.sha256 == hashlib.sha256(canonical_json(policy).encode()).hexdigest()
    book = tmp_path / "r.xlsx"
    CliRunner().invoke(cli, [command, str(policy), str(data), "-o", str(book), "--lang", "en"])
    last = load_workbook(book).worksheets[-1]  # the workbook's last sheet: its policy
    assert last.title == "Policy"
    assert [[c.value for c in row] for row in last.iter_rows()] == [
        ["id", "version", "sha256"],
        [stamp.id, stamp.version, stamp.sha256],
    ]
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
        args = ["explain", str(policy), str(data), "--employee", "E001", "--format"]
        assert f"<li>{stamp.text()}</li>" in CliRunner().invoke(cli, [*args, "html"]).stdout
        assert json.loads(CliRunner().invoke(cli, [*args, "json"]).stdout)["policies"] == [stamp.as_dict()]


# --- validate: the stamp of each policy it checked, in every format ---------------------------------


def _stamp_dict(policy: Path) -> dict[str, str]:
    """id, version and the SHA-256 of the content, computed here from the YAML."""
    _, ident, _, version, _, digest = policy_stamp(policy).split(" ")
    return {"id": ident, "version": version, "sha256": digest}


def test_validate_json_and_sarif_name_each_policy_checked(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from engine.cli import cli

    broken = tmp_path / "broken.yaml"
    broken.write_text("hrpolicy: 1\nmetadata: [unclosed\n", encoding="utf-8")
    japan = ROOT / "policies" / "japan_mbo.yaml"
    args = ["validate", str(japan), str(broken), "--format"]
    payload = json.loads(CliRunner().invoke(cli, [*args, "json"]).stdout)
    assert payload["policies"] == [_stamp_dict(japan)]  # the broken file never loaded: no stamp
    assert [f["policy"] for f in payload["files"]] == [_stamp_dict(japan), None]
    log = json.loads(CliRunner().invoke(cli, [*args, "sarif"]).stdout)
    assert log["runs"][0]["artifacts"] == [
        {"location": {"uri": str(japan)}, "properties": {"policy": _stamp_dict(japan)}}
    ]


def test_policy_tests_record_the_policy_they_ran_in_every_format() -> None:
    from xml.etree import ElementTree as ET

    from click.testing import CliRunner

    from engine.cli import cli

    japan = ROOT / "policies" / "japan_mbo.yaml"

    def run(fmt: str) -> str:
        return CliRunner().invoke(cli, ["test", str(japan), "--format", fmt]).stdout

    payload = json.loads(run("json"))
    assert payload["policies"] == [_stamp_dict(japan)]
    assert [(f["policy"], f["stamp"]) for f in payload["files"]] == [(str(japan), _stamp_dict(japan))]
    suite = ET.fromstring(run("junit")).find("testsuite")
    assert suite is not None
    listed = [(p.get("name"), p.get("value")) for p in suite.iter("property")]
    assert listed == [(str(japan), policy_stamp(japan))]
    artifacts = json.loads(run("sarif"))["runs"][0]["artifacts"]
    assert artifacts == [{"location": {"uri": str(japan)}, "properties": {"policy": _stamp_dict(japan)}}]
    assert run("github") == f"hrpolicy: {japan}: {policy_stamp(japan)}\n"  # every case passes
    assert run("text").split("\n")[1] == "  " + policy_stamp(japan, short=True)


# --- diff, simulate and doc: every format --------------------------------------------------------


def _consultant(command: str, fmt: str, out: Path) -> None:
    from engine.commands.diff import run_diff
    from engine.commands.doc import run_doc
    from engine.commands.simulate import run_simulate

    old, new = POLICIES[0], str(ROOT / "examples" / "compare" / "japan_mbo_2027.yaml")
    if command == "diff":
        run_diff(old, new, POPULATION, [], fmt, str(out), "en", Echo())
    elif command == "simulate":
        vary = "grade_tables.rating.segments.manager.bands[S].min=108"
        run_simulate(old, POPULATION, vary, [], fmt, str(out), "en", Echo())
    else:
        run_doc(old, "en", fmt, str(out), Echo())


@pytest.mark.parametrize(
    ("command", "fmt"),
    [(c, f) for c in ("diff", "simulate") for f in ("text", "json", "csv", "html", "xlsx")]
    + [("doc", "md"), ("doc", "html")],
)
def test_diff_simulate_and_doc_record_the_policy_in_every_format(
    command: str, fmt: str, tmp_path: Path
) -> None:
    out = tmp_path / f"r.{'txt' if fmt == 'text' else fmt}"
    _consultant(command, fmt, out)
    japan = ROOT / "policies" / "japan_mbo.yaml"
    full, short = policy_stamp(japan), policy_stamp(japan, short=True)  # the first policy behind it
    if fmt == "xlsx":
        assert load_workbook(out)["summary"].cell(row=2, column=1).value == full
        return
    text = out.read_text(encoding="utf-8-sig")
    if fmt == "json":
        payload = json.loads(text)
        assert next(iter(payload)) == "policies" and payload["policies"][0] == _stamp_dict(japan)
    elif fmt == "html":
        assert f"<li>{full}</li>" in text
    else:
        first = {
            "text": short + "\n",
            "csv": "# policy," + ",".join(_stamp_dict(japan).values()) + "\n",
            "md": f"<!-- {full} -->\n",
        }[fmt]
        assert text.startswith(first), text[:300]
