"""The command line end to end: exit codes, formats, output files, bad input."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import case_folder, policy_stamp, stamp_line, unstamped

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
JAPAN_DATA = str(ROOT / "examples" / "japan_mbo" / "employees.yaml")
WEIGHT_SUM_CASE = ROOT / "tests" / "cases" / "invalid" / "weight-sum"


@pytest.fixture
def weight_sum(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The weight-sum golden case's policy, written out as policy.yaml in its own folder."""
    return case_folder(WEIGHT_SUM_CASE, tmp_path_factory.mktemp("weight-sum"))


POLICY_NAMES = ("japan_mbo", "kepco_like", "kumho_like")  # as a folder search finds them


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_the_bundled_policies_exits_0_with_a_summary() -> None:
    code, out, err = invoke("validate", str(ROOT / "policies"))
    assert (code, out) == (0, "")
    # The policies' test files (*.test.yaml) are YAML without the 'hrpolicy:' key: skipped, counted.
    skipped = len(list((ROOT / "policies").glob("*.test.yaml")))
    assert skipped >= 1
    stamps = "".join(stamp_line(str(ROOT / "policies" / f"{n}.yaml")) for n in POLICY_NAMES)
    assert err == stamps + (
        "checked 3 files: 3 valid, 0 invalid (0 errors, 0 warnings); "
        f"skipped {skipped} YAML file{'s' if skipped != 1 else ''} without 'hrpolicy:'\n"
    )


def test_validate_invalid_exits_1_and_prints_file_line_col_rule(
    monkeypatch: pytest.MonkeyPatch, weight_sum: Path
) -> None:
    monkeypatch.chdir(weight_sum)
    code, out, _ = invoke("validate", "policy.yaml")
    assert code == 1
    assert out == (
        "policy.yaml:110:13: error [weight-sum] quotas of distribution 'overall' add up to 99, not 100\n"
        "  suggestion: add 1 to one of them\n"
    )


def test_validate_github_format(monkeypatch: pytest.MonkeyPatch, weight_sum: Path) -> None:
    monkeypatch.chdir(weight_sum)
    code, out, _ = invoke("validate", "--format", "github", "policy.yaml")
    assert code == 1
    assert out == f"hrpolicy: policy.yaml: {policy_stamp('policy.yaml')}\n" + (
        "::error file=policy.yaml,line=110,col=13,title=weight-sum::[weight-sum] quotas of distribution "
        "'overall' add up to 99, not 100 (suggestion: add 1 to one of them)\n"
    )


def test_validate_json_format(monkeypatch: pytest.MonkeyPatch, weight_sum: Path) -> None:
    monkeypatch.chdir(weight_sum)
    code, out, _ = invoke("validate", "--format", "json", "policy.yaml")
    payload = json.loads(out)
    assert code == 1
    assert payload["errors"] == 1 and payload["warnings"] == 0
    assert payload["files"][0]["diagnostics"][0] == {
        "file": "policy.yaml",
        "line": 110,
        "col": 13,
        "path": "$.distributions.overall.quotas",
        "severity": "error",
        "rule": "weight-sum",
        "message": "quotas of distribution 'overall' add up to 99, not 100",
        "suggestion": "add 1 to one of them",
    }


def test_missing_file_is_a_usage_error_exit_2() -> None:
    code, out, err = invoke("validate", "no/such/policy.yaml")
    assert (code, out, err) == (2, "", "hrpolicy: no/such/policy.yaml: no such file or folder\n")


def test_no_arguments_is_a_usage_error_exit_2() -> None:
    assert invoke("validate")[0] == 2


def test_warnings_pass_but_fail_under_strict(tmp_path: Path) -> None:
    text = Path(JAPAN).read_text(encoding="utf-8").split("\n", 1)[1]  # drop the modeline
    policy = tmp_path / "japan.yaml"
    policy.write_text(text, encoding="utf-8")
    code, out, _ = invoke("validate", str(policy))
    assert code == 0
    # The suggested modeline is relative to where the file is (here a temporary folder).
    schema = Path(os.path.relpath(ROOT / "engine" / "schemas" / "policy.schema.json", tmp_path)).as_posix()
    assert out == (
        f"{policy}:1:1: warning [policy-modeline] the file does not start with the yaml-language-server "
        "modeline\n  suggestion: make the first line '# yaml-language-server: "
        f"$schema={schema}' so that editors complete and check the file\n"
    )
    assert invoke("validate", "--strict", str(policy))[0] == 1


def test_evaluate_writes_the_same_csv_to_a_file_as_to_stdout(tmp_path: Path) -> None:
    out_file = tmp_path / "result.csv"
    code, stdout, _ = invoke("evaluate", JAPAN, JAPAN_DATA, "--format", "csv")
    assert code == 0
    assert not stdout.startswith("\ufeff")  # standard output never gets a byte-order mark
    assert invoke("evaluate", JAPAN, JAPAN_DATA, "--format", "csv", "-o", str(out_file)) == (0, "", "")
    # A file gets the UTF-8 byte-order mark Excel needs to read it as UTF-8, unless --no-bom.
    assert out_file.read_bytes() == b"\xef\xbb\xbf" + stdout.encode("utf-8")
    plain = invoke("evaluate", JAPAN, JAPAN_DATA, "--format", "csv", "--no-bom", "-o", str(out_file))
    assert plain == (0, "", "")
    assert out_file.read_text(encoding="utf-8") == stdout
    rows = list(csv.reader(unstamped(stdout, "csv", JAPAN).splitlines()))
    assert rows[0] == ["id", "name", "score", "rating", "rating_points"]
    # E001 (hand-worked in examples/japan_mbo/employees.yaml): 27 + 15 + 14 + 16 + 7.5 = 79.50,
    # rounded half-up to 80 before the comparison -> C (managers: 80 <= C < 90), 2 x 20 = 40 points.
    assert rows[1] == ["E001", "山田 太郎", "79.50", "C", "40"]


def test_an_invalid_policy_writes_no_output_file(tmp_path: Path, weight_sum: Path) -> None:
    out_file = tmp_path / "result.csv"
    code, stdout, err = invoke("evaluate", str(weight_sum / "policy.yaml"), JAPAN_DATA, "-o", str(out_file))
    assert code == 1 and stdout == ""
    assert "[weight-sum]" in err and err.endswith("run 'hrpolicy validate' for details\n")
    assert not out_file.exists()
    assert os.listdir(tmp_path) == []


def test_output_over_an_input_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "employees.yaml"
    data.write_bytes(Path(JAPAN_DATA).read_bytes())
    code, _, err = invoke("evaluate", JAPAN, str(data), "-o", str(data))
    assert (code, err) == (2, f"hrpolicy: {data}: refusing to overwrite an input file\n")
    assert data.read_bytes() == Path(JAPAN_DATA).read_bytes()


def test_explain_unknown_employee_suggests_the_closest_id() -> None:
    code, _, err = invoke("explain", JAPAN, JAPAN_DATA, "--employee", "E0001")
    assert code == 2
    assert err == f"hrpolicy: no employee 'E0001' in {JAPAN_DATA}; did you mean 'E001'?\n"


def test_explain_shows_rounding_and_the_band_that_matched() -> None:
    code, out, _ = invoke("explain", JAPAN, JAPAN_DATA, "--employee", "E001")
    assert code == 0
    assert "    [formula] score = sum(weighted) = sum([27.00, 15.00, 14.00, 16.00, 7.50]) = 79.50\n" in out
    assert out.endswith(
        "    [grade] rating: value 79.50, rounded to 80, segment 'manager': "
        "band C (80 <= value < 90) matches, 40 points\n"
        "  evaluator chain:\n"
        "    [chain] chain 'all_staff' (All employees) applies: it has no condition: it applies to everyone\n"
        "    [chain] stage 'first' (direct_superior, absolute): no evaluation on record\n"
        # seed 002 §3⑥ (goals agreed by both) and §8 (the development plan), read from the record
        "  record requirements:\n"
        "    [requirement] requirement 'goal_agreement' (Goal agreement between superior and subordinate):"
        " met: goals_agreed_by H001; goals_agreed_by_employee E001; goals_agreed_on 2026-04-10\n"
        "    [requirement] requirement 'development_plan' (Development plan): met: development_plan_agreed_by"
        " H001; development_plan_agreed_by_employee E001; development_plan_agreed_on 2026-04-20;"
        " development_plan_reviewed_on 2026-10-15; development_plan_short_term filled in;"
        " development_measure filled in\n"
        "    [requirement] requirement 'development_plan_mid_term' (Mid-term (about 3 years) development"
        " plan): met: development_plan_mid_term filled in\n"
    )


def _population(path: Path, count: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from gen_population import generate
    finally:
        sys.path.pop(0)
    generate(count, str(path), seed=11)


def test_1000_sheets_with_3_bad_evaluates_997_and_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "pop.csv"
    _population(data, 1000)
    rows = list(csv.reader(data.read_text(encoding="utf-8").splitlines()))
    header = rows[0]
    bad = {"E000010", "E000500", "E000999"}
    for row in rows[1:]:
        if row[0] in bad and row[header.index("category")] == "performance":
            row[header.index("weight")] = "35"  # above the 5-30 % band
    with data.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code, out, err = invoke("evaluate", JAPAN, str(data), "--format", "json")
    payload = json.loads(out)
    assert code == 1
    assert payload["evaluated"] == 997
    assert payload["failed"] == sorted(bad)
    assert {p["rule"] for p in payload["problems"]} >= {"sheet-weight-band", "sheet-weight-total"}
    assert err.endswith("hrpolicy: 3 employee(s) not evaluated; see the problems above\n")


def test_python_m_engine_runs_the_same_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "engine", "validate", "--exclude", "*.test.yaml", str(ROOT / "policies")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    stamps = "".join(stamp_line(str(ROOT / "policies" / f"{n}.yaml")) for n in POLICY_NAMES)
    assert result.stderr == stamps + "checked 3 files: 3 valid, 0 invalid (0 errors, 0 warnings)\n"


def test_problems_reach_stderr_when_the_text_report_goes_to_a_file(tmp_path: Path) -> None:
    data = tmp_path / "pop.csv"
    _population(data, 3)
    text = data.read_text(encoding="utf-8")
    text = text.replace(",performance,quantitative,", ",performance,quantitativ,", 1)
    data.write_text(text, encoding="utf-8")
    out_file = tmp_path / "result.txt"
    code, stdout, err = invoke("evaluate", JAPAN, str(data), "-o", str(out_file))
    assert (code, stdout) == (1, "")
    assert f"{data}:row 2: E000001 indicator 1: error [record-enum]" in err
    assert err.endswith("hrpolicy: 1 employee(s) not evaluated; see the problems above\n")
    assert "E000002" in out_file.read_text(encoding="utf-8")


def test_a_sheet_with_one_line_in_a_category_says_so_in_the_singular(tmp_path: Path) -> None:
    data = tmp_path / "pop.csv"
    _population(data, 1)
    lines = data.read_text(encoding="utf-8").splitlines()
    process = [i for i, line in enumerate(lines) if ",process," in line]
    keep = [line for i, line in enumerate(lines) if i not in process[1:]]  # one process goal left
    data.write_text("\n".join(keep) + "\n", encoding="utf-8")
    _, out, _ = invoke("evaluate", JAPAN, str(data), "--format", "json")
    messages = [p["message"] for p in json.loads(out)["problems"]]
    assert "category 'process' has 1 indicator; the policy requires at least 2" in messages


def test_html_report_escapes_every_value(tmp_path: Path) -> None:
    data = tmp_path / "employees.yaml"
    text = Path(JAPAN_DATA).read_text(encoding="utf-8").replace("山田 太郎", "<script>x</script>", 1)
    data.write_text(text, encoding="utf-8")
    code, out, _ = invoke("evaluate", JAPAN, str(data), "--format", "html")
    assert code == 0
    assert out.startswith('<!doctype html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">')
    assert "<title>目標管理制度</title>" in out  # the policy's name in its own language
    assert "<script>" not in out
    # E001, hand-worked above: 79.50 -> C (its label C（2）), 40 points; numbers right-aligned.
    assert (
        '<tr><td class="text">E001</td><td class="text">&lt;script&gt;x&lt;/script&gt;</td>'
        '<td class="number">79.50</td><td class="grade">C（2）</td><td class="number">40</td></tr>'
    ) in out


@pytest.mark.parametrize(("given", "kept"), [(None, "1"), ("4", "4")])
def test_the_command_starts_one_openblas_thread_unless_told(
    monkeypatch: pytest.MonkeyPatch, given: str | None, kept: str
) -> None:
    """numpy's OpenBLAS would start a thread a core that the engine never uses (it calls no
    BLAS); a count the user set is theirs."""
    import engine.cli as command_line

    if given is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", given)
    seen: list[str | None] = []
    monkeypatch.setattr(command_line, "cli", lambda **_: seen.append(os.environ.get("OPENBLAS_NUM_THREADS")))
    command_line.main()
    assert seen == [kept]
