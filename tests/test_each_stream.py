"""Commands that keep only a little of each evaluated employee read a CSV file an employee at a
time (engine/evaluate/each.py): ``pay --records``; the same outcome, and the same bytes in every
format, as reading the file whole."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from helpers import records_as_csv

import engine.evaluate.each as each
from engine.cli import cli
from engine.evaluate import Engine

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
EXAMPLE = ROOT / "examples" / "japan_mbo" / "employees.yaml"
PAY = str(ROOT / "examples" / "japan_mbo" / "pay.yaml")


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return records_as_csv(EXAMPLE, tmp_path_factory.mktemp("each") / "employees.csv")


def _pay(
    records: Path, fmt: str, out: Path | None, *, whole: bool, mp: pytest.MonkeyPatch
) -> tuple[Any, ...]:
    """(exit code, stdout, stderr, file bytes) of ``hrpolicy pay --records``, streamed or whole."""
    calls: list[str] = []
    real = each._streamed

    def spy(*args: Any) -> Any:
        calls.append("streamed")
        return real(*args)

    with mp.context() as patch:
        patch.setattr(each, "_streamed", (lambda *_: calls.append("refused")) if whole else spy)
        args = ["pay", JAPAN, PAY, "--records", str(records), "--format", fmt]
        result = CliRunner().invoke(cli, [*args, *(["-o", str(out)] if out else [])])
    assert calls == (["refused"] if whole else ["streamed"])
    written = out.read_bytes() if out is not None else b""
    return result.exit_code, result.stdout, result.stderr, written


def test_pay_records_from_a_csv_file_give_the_bonuses_worked_out_by_hand(
    records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """examples/japan_mbo/pay.yaml: bonus = bonus_base x score / 100, whole yen rounded down:
    800,000 x 79.50 % = 636,000; 900,000 x 110.00 % = 990,000; 500,000 x 96.60 % = 483,000;
    450,000 x 84.90 % = 382,050; 777,777 x 79.40 % = 617,554.938 -> 617,554."""
    code, stdout, _, _ = _pay(records, "json", None, whole=False, mp=monkeypatch)
    assert code == 0
    amounts = {b["employee"]: b["amount"] for b in json.loads(stdout)["bonus"]}
    assert amounts == {
        "E001": "636000",
        "E002": "990000",
        "E003": "483000",
        "E004": "382050",
        "E012": "617554",
    }


@pytest.mark.parametrize("fmt", ["csv", "json", "text", "html", "xlsx"])
def test_pay_records_streamed_are_the_whole_file_run(
    records: Path, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / f"pay.{fmt}"
    streamed = _pay(records, fmt, out, whole=False, mp=monkeypatch)
    whole = _pay(records, fmt, out, whole=True, mp=monkeypatch)
    assert streamed[:3] == whole[:3]
    if fmt == "xlsx":  # a workbook's zip records the time it was written: compare the cells
        books = [openpyxl.load_workbook(io.BytesIO(run[3])) for run in (streamed, whole)]
        cells = [[[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book] for book in books]
        assert cells[0] == cells[1]
    else:
        assert streamed[3] == whole[3]


def _problem_records(records: Path, path: Path) -> Path:
    """The example with E002's weights off (a sheet problem), E003's goal agreement unsigned
    (a record requirement), and a bad number for E004."""
    rows = list(csv.reader(records.read_text(encoding="utf-8").splitlines()))
    col = {name: i for i, name in enumerate(rows[0])}
    firsts = {row[0]: n for n, row in reversed(list(enumerate(rows)))}
    rows[firsts["E002"]][col["weight"]] = "90"
    for row in rows[1:]:
        if row[0] == "E003":
            row[col["goals_agreed_by_employee"]] = ""
    rows[firsts["E004"]][col["actual"]] = "many"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_each_keeps_only_what_the_caller_asks_with_the_whole_runs_problems_and_warnings(
    records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _problem_records(records, tmp_path / "problems.csv")
    engine = Engine.from_file(JAPAN)
    streamed = each.evaluate_each(engine, str(path), lambda _, result: (result.id, result.values["score"]))
    monkeypatch.setattr(each, "_streamed", lambda *_: None)
    whole = each.evaluate_each(engine, str(path), lambda _, result: (result.id, result.values["score"]))
    assert streamed[1] == whole[1]
    scores = {pid: str(score) for pid, score in streamed[1]}
    assert (scores["E001"], scores["E012"]) == ("79.50", "79.40")  # worked out in pay.yaml
    assert not {"E002", "E003", "E004"} & scores.keys()
    assert [p.rule for p in streamed[0].problems] == [p.rule for p in whole[0].problems]
    assert streamed[0].problems == whole[0].problems and streamed[0].warnings == whole[0].warnings
    assert {p.employee_id for p in streamed[0].problems} == {"E002", "E003", "E004"}
    assert streamed[0].results == [] == whole[0].results


def test_pay_records_with_problems_streamed_are_the_whole_file_run(
    records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _problem_records(records, tmp_path / "problems.csv")
    for fmt in ("json", "text"):
        streamed = _pay(path, fmt, None, whole=False, mp=monkeypatch)
        assert streamed == _pay(path, fmt, None, whole=True, mp=monkeypatch)
        assert streamed[0] == 1 and "E003" in streamed[1]


def test_a_policy_with_distributions_grades_relatively_after_the_stream(tmp_path: Path) -> None:
    """kumho_like's example as a CSV file: the relative grades' warnings (a table has no org
    tree, so small groups cannot merge up) are the whole-file run's."""
    path = tmp_path / "kumho.csv"
    source = ROOT / "examples" / "kumho_like" / "employees.yaml"
    people = yaml.safe_load(source.read_text(encoding="utf-8"))["employees"]
    if any("indicators" not in p for p in people):
        pytest.skip("the example has sheets by period")
    records_as_csv(source, path)
    engine = Engine.from_file(KUMHO)
    streamed = each.evaluate_each(engine, str(path), lambda _, result: result.id)
    population = engine.read(str(path))
    whole = engine.evaluate(population)
    assert streamed[1] == [r.id for r in whole.results]
    assert streamed[0].warnings == whole.warnings and streamed[0].problems == whole.problems
    assert any(w.rule.startswith("distribution-") for w in whole.warnings)
    assert streamed[0].relative.keys() == whole.relative.keys()


def _command(args: list[str], fmt: str, out: Path, *, whole: bool, mp: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """(exit code, stdout, stderr, file bytes, streamed runs) of a command over a policy's records."""
    calls: list[str] = []
    real = each._streamed

    def spy(*given: Any) -> Any:
        calls.append("streamed")
        return real(*given)

    with mp.context() as patch:
        patch.setattr(each, "_streamed", (lambda *_: None) if whole else spy)
        result = CliRunner().invoke(cli, [*args, "--format", fmt, "-o", str(out)])
    return result.exit_code, result.stdout, result.stderr, out.read_bytes(), len(calls)


def _same(streamed: tuple[Any, ...], whole: tuple[Any, ...], fmt: str) -> None:
    assert streamed[:3] == whole[:3]
    if fmt == "xlsx":
        books = [openpyxl.load_workbook(io.BytesIO(run[3])) for run in (streamed, whole)]
        cells = [[[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book] for book in books]
        assert cells[0] == cells[1]
    else:
        assert streamed[3] == whole[3]


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html", "xlsx"])
def test_diff_over_a_csv_population_is_streamed_with_the_same_bytes(
    records: Path, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _problem_records(records, tmp_path / "problems.csv")
    new = str(ROOT / "examples" / "compare" / "japan_mbo_2027.yaml")
    args = ["diff", JAPAN, new, "--population", str(path)]
    out = tmp_path / f"diff.{fmt}"
    streamed = _command(args, fmt, out, whole=False, mp=monkeypatch)
    assert streamed[4] == 2  # one stream per version of the policy
    _same(streamed, _command(args, fmt, out, whole=True, mp=monkeypatch), fmt)
    if fmt == "text":  # of the example's 12, E004 is not read (a bad number); E002 and E003,
        # read but not evaluated, count
        assert f"population {path}: 0 of 11 people change score, grade or pay" in out.read_text("utf-8")


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html", "xlsx"])
def test_simulate_over_a_csv_population_grades_relatively_with_the_same_bytes(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = records_as_csv(ROOT / "examples" / "kumho_like" / "employees.yaml", tmp_path / "kumho.csv")
    vary = "distributions.performance.min_group_size=5,3"
    args = ["simulate", KUMHO, "--population", str(path), "--vary", vary]
    out = tmp_path / f"simulate.{fmt}"
    streamed = _command(args, fmt, out, whole=False, mp=monkeypatch)
    assert streamed[4] == 3  # as written, 5 and 3
    _same(streamed, _command(args, fmt, out, whole=True, mp=monkeypatch), fmt)
    if fmt == "text":  # groups of 3 and 4 are graded only with the minimum at 3
        assert "H008 -->II, H009 -->IV" in out.read_text("utf-8")
