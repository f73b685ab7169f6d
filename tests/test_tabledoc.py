"""pay and workflow read their data from a CSV file (in its encoding) or an Excel workbook too
(issue 15): the same document the YAML file gives, so the same figures, problems and locations
(file:row:column). The tables are built here from the examples' YAML, as an HR person would
type them."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KUMHO, KEPCO = str(ROOT / "policies/kumho_like.yaml"), str(ROOT / "policies/kepco_like.yaml")
PAY = ROOT / "examples/kumho_like/pay.yaml"
WORKFLOW = ROOT / "examples/kepco_like/workflow.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``promotion: {credits: 12}`` as the column ``promotion.credits``."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def pay_workbook(path: Path) -> Path:
    """The pay example as a workbook: a title row above the employees' header, and the file's
    parameters, company and zone_from sections on sheets of their own (key | value)."""
    data = yaml.safe_load(PAY.read_text(encoding="utf-8"))
    rows = [flat(e) for e in data["employees"]]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "employees"
    sheet.append(["2026년 보상 계산표 (금호 예시)"])
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    for section in ("parameters", "company", "zone_from"):
        extra = book.create_sheet(section)
        for key, value in data[section].items():
            extra.append([key, value])
    book.save(path)
    return path


def test_pay_from_a_workbook_gives_the_yaml_files_figures(tmp_path: Path) -> None:
    book = pay_workbook(tmp_path / "보상.xlsx")
    code, out, err = invoke("pay", KUMHO, str(book), "--format", "json")
    assert code == 0, err
    _, want, _ = invoke("pay", KUMHO, str(PAY), "--format", "json")
    got, expected = json.loads(out), json.loads(want)
    # Excel keeps the number 3.0 as 3 (as `X: 3` would be in YAML); every figure is the same.
    assert got["parameters"] == {"X": 3, "coefficient": "1.0"} and expected["parameters"]["X"] == "3.0"
    for section in ("merit", "promotion"):
        assert [(e["employee"], e.get("raise"), e.get("total")) for e in got[section]] == [
            (e["employee"], e.get("raise"), e.get("total")) for e in expected[section]
        ]
    # H101: 3 + (0.5 x 70 + 1.5 x 30) / 100 = 3.8; the pool 88,060,000 paid in full.
    assert got["merit"][0]["raise"] == "3.8"
    assert got["incentive"]["check"] == "sum of shares = pool: 88060000 = 88060000"
    assert [s["amount"] for s in got["incentive"]["shares"]] == [
        s["amount"] for s in expected["incentive"]["shares"]
    ]


def test_pay_from_a_cp949_csv_names_each_problem_by_row(tmp_path: Path) -> None:
    data = yaml.safe_load(PAY.read_text(encoding="utf-8"))
    rows = [flat(e) for e in data["employees"]]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    path = tmp_path / "보상.csv"
    with path.open("w", encoding="cp949", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([["" if row.get(c) is None else row.get(c) for c in columns] for row in rows])
    code, out, err = invoke("pay", KUMHO, str(path), "--param", "X=3.0", "--format", "csv")
    # A CSV file holds the employees only: without zone_from no zone is found for a merit raise.
    assert code == 1
    assert (
        err.splitlines()[0]
        == f"hrpolicy: note: {path}: not UTF-8: read as cp949 (detected); give --encoding if that is wrong"
    )
    assert (
        f"{path}:2:1: H101: error [pay-merit] employee H101: merit raise needs 'zone' "
        "(a key of table merit_offset: P, T, E)"
    ) in err
    # Promotion points need no section: H101 28 grade points + language 1 + hanja 1 = 30.00.
    assert out.splitlines()[2].split(",")[-1] == "30.00"
    code, _, err = invoke("pay", KUMHO, str(path), "--encoding", "cp949", "--sheet", "x")
    assert code == 2 and err == f"hrpolicy: {path}: --sheet is for Excel workbooks, not CSV files\n"


def workflow_csv(path: Path, encoding: str = "cp949") -> Path:
    """The example's notices and objections as one table, a ``record`` column saying which."""
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record", "employee", "name", "period", "round", "notice", "filed", "indicators[]"])
        for kind in ("notices", "objections"):
            for r in data[kind]:
                filed, indicators = r.get("filed", ""), ", ".join(r.get("indicators", []))
                writer.writerow(
                    [
                        kind[:-1],
                        r["employee"],
                        r["name"],
                        r["period"],
                        r["round"],
                        r["notice"],
                        filed,
                        indicators,
                    ]
                )
    return path


def test_workflow_notices_and_objections_from_a_cp949_csv(tmp_path: Path) -> None:
    path = workflow_csv(tmp_path / "이의신청.csv")
    code, out, err = invoke(
        "workflow", KEPCO, str(path), "--today", "2027-02-10", "--encoding", "cp949", "--format", "json"
    )
    assert code == 1
    # K002: notice Wed 2027-02-03, deadline Fri 2027-02-12, filed Mon 2027-02-15: the cell is
    # row 6 (header + 2 notices + 3rd objection), column 7 (filed).
    assert err.splitlines() == [
        f"{path}:6:7: K002: error [objection-late] objection filed 2027-02-15, after the deadline 2027-02-12 "
        "(5 working days from the day after the notice of 2027-02-03): 1 working day late",
        "hrpolicy: 1 problem, 1 of 4 employees affected; see the problems above",
    ]
    got = json.loads(out)
    _, want, _ = invoke("workflow", KEPCO, str(WORKFLOW), "--today", "2027-02-10", "--format", "json")
    expected = json.loads(want)
    for kind in ("notices", "objections"):
        keys = ("employee", "round", "notice", "deadline", "filed", "status", "indicators")
        assert [[o[k] for k in keys] for o in got[kind]] == [[o[k] for k in keys] for o in expected[kind]]
    assert got["notices"][0]["status"] == "open: 3 working days left, until Fri 2027-02-12"


def test_a_record_kind_that_is_no_list_of_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("record,employee,period,round,notice\nappeal,K001,final,1,2027-02-03\n", encoding="utf-8")
    code, _, err = invoke("workflow", KEPCO, str(path))
    assert code == 2
    assert err == f"hrpolicy: {path}:2:1: record 'appeal' is not one of notices, objections, goal_changes\n"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_jobeval_reads_yaml_or_json_only(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"jobs{suffix}"
    path.write_bytes(b"job,title\n")
    code, _, err = invoke("jobeval", KEPCO, str(path))
    assert code == 2 and f"unsupported data file type '{suffix}'" in err


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "record,employee,period,round,notice,employee",
            "6: column 'employee' repeats column 2; name each column once",
        ),
        (
            "record,employee,period,round,notice,notice.day",
            "6: column 'notice.day' and column 5 (notice) overlap: 'notice' cannot hold a value and "
            "nested fields at once",
        ),
    ],
)
def test_a_header_that_would_lose_values_is_refused(tmp_path: Path, header: str, message: str) -> None:
    """A column named twice, or beside a dotted column under it, would overwrite or drop a value."""
    path = tmp_path / "w.csv"
    path.write_text(f"{header}\nnotice,K001,final,1,2027-02-03,x\n", encoding="utf-8")
    code, _, err = invoke("workflow", KEPCO, str(path))
    assert code == 2
    assert err == f"hrpolicy: {path}:1:{message}\n"
