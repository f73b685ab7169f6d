"""Issue 10 points 11 and 13 (explain): run-time parameters and employees left out while reading,
tried through the command line as a user would."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from helpers import strip_stamps

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
JAPAN = ROOT / "policies" / "japan_mbo.yaml"

# H001 of examples/kumho_like/employees.yaml as a table (a table carries no parameters).
# Seed 004 slide 22/23, with the policy's item points O=100, E=75, M=50, B=25:
# KPIs (50 x 75 + 30 x 50 + 20 x 75) / 100 = 67.5; contribution 100 x 50 / 100 = 50;
# performance (67.5 x 80 + 50 x 20) / 100 = 64.00 (직무KPI : 업무기여도 = 8 : 2).
# Competency: group (34 x 75 + 33 x 50 + 33 x 50) / 100 = 58.5, company (50 x 75 + 50 x 50) / 100
# = 62.5, expert (34 x 75 + 33 x 75 + 33 x 50) / 100 = 66.75; (58.5 + 62.5 + 66.75) / 3 = 62.58.
KUMHO_CSV = """id,name,role_grade,org,year_in_grade,title,category,weight,rating
H001,김도윤,K3,civil_div,3,현장 공정률 달성,job_kpi,50,E
H001,김도윤,K3,civil_div,3,실행원가율 관리,job_kpi,30,M
H001,김도윤,K3,civil_div,3,하자 발생 건수,job_kpi,20,E
H001,김도윤,K3,civil_div,3,신규 공법 검토 지원,contribution,100,M
H001,김도윤,K3,civil_div,3,고객지향,group_common,34,E
H001,김도윤,K3,civil_div,3,도전과 혁신,group_common,33,M
H001,김도윤,K3,civil_div,3,팀워크,group_common,33,M
H001,김도윤,K3,civil_div,3,안전 최우선,company_common,50,E
H001,김도윤,K3,civil_div,3,품질 중시,company_common,50,M
H001,김도윤,K3,civil_div,3,공정관리,job_expert,34,E
H001,김도윤,K3,civil_div,3,원가관리,job_expert,33,E
H001,김도윤,K3,civil_div,3,토목 시공기술,job_expert,33,M
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, strip_stamps(result.stdout), result.stderr


def test_kumho_evaluate_on_a_csv_needs_no_base_raise_rate(tmp_path: Path) -> None:
    """Evaluating the goal sheets reads no X (only the merit raise does): exit 0 without it."""
    data = tmp_path / "kumho.csv"
    data.write_text(KUMHO_CSV, encoding="utf-8")
    code, out, _ = invoke("evaluate", KUMHO, str(data), "--format", "csv")
    assert code == 0
    assert out.splitlines()[1].startswith("H001,김도윤,67.50,50.00,64.00,62.58,")
    # --param is accepted (and checked against the declaration) on the same command.
    code, out2, _ = invoke("evaluate", KUMHO, str(data), "--format", "csv", "--param", "X=3.0")
    assert (code, out2) == (0, out)
    code, out, err = invoke("evaluate", KUMHO, str(data), "--param", "X=three")
    assert code == 1
    assert (
        "  run-time parameters: file: error [record-type] parameters: X: expected a decimal number,"
        " got 'three'\n"
    ) in out
    assert err.endswith(
        "hrpolicy: 1 problem(s) with the file or its parameters; see the problems above\n"
    )
    assert "0 employee(s) not evaluated" not in err


def _japan_with_floor(tmp_path: Path) -> Path:
    """japan_mbo with a parameter one employee formula reads (the score floor)."""
    text = JAPAN.read_text(encoding="utf-8")
    text = text.replace(
        "  indicator:\n    title:",
        "  parameters:\n    floor: {type: decimal, label: {en: Score floor}}\n  indicator:\n    title:",
        1,
    ).replace('      expr: "sum(weighted)"', '      expr: "max(sum(weighted), floor)"', 1)
    policy = tmp_path / "japan_floor.yaml"
    policy.write_text(text, encoding="utf-8")
    return policy


def test_a_parameter_a_formula_reads_is_required_and_named(tmp_path: Path) -> None:
    policy = _japan_with_floor(tmp_path)
    data = str(ROOT / "examples" / "japan_mbo" / "employees.yaml")
    code, out, err = invoke("evaluate", str(policy), data)
    assert (code, out) == (2, "")
    assert err == (
        "hrpolicy: missing parameter 'floor' (Score floor), which formulas.employee.score reads:"
        " give --param floor=VALUE or set floor under 'parameters:' in the data file\n"
    )
    # Given on the command line: E001 scores 79.50 (docs/records.md), above a floor of 50.
    code, out, _ = invoke("explain", str(policy), data, "--employee", "E001", "--param", "floor=50")
    assert code == 0
    assert (
        "[formula] score = max(sum(weighted), floor) = max(sum([27.00, 15.00, 14.00, 16.00, 7.50]), 50)"
        " = 79.50\n"
    ) in out
    code, _, err = invoke("evaluate", str(policy), data, "--param", "floor")
    assert (code, err) == (2, "hrpolicy: --param 'floor': expected NAME=VALUE\n")


def test_pay_takes_param_for_any_declared_parameter(tmp_path: Path) -> None:
    """`pay --param X=4.0` replaces the file's X = 3.0. Seed 004 slide 15 merit matrix: H103 (K2,
    zone T, performance III, competency II, performance share 60 %) gets
    4.0 + (0 x 60 + 1 x 40) / 100 = 4.4 (3.4 with the file's X)."""
    data = str(ROOT / "examples" / "kumho_like" / "pay.yaml")
    code, out, _ = invoke("pay", KUMHO, data)
    assert "  H103  김태현  T       3.4\n" in out
    code, out, _ = invoke("pay", KUMHO, data, "--param", "X=4.0")
    assert "parameters: coefficient = 1.0, X = 4.0\n" in out
    assert "  H103  김태현  T       4.4\n" in out
    code, _, err = invoke("pay", KUMHO, data, "--param", "Y=1")
    assert (code, err) == (2, "hrpolicy: --param: unknown field 'Y'\n")


def test_explain_an_employee_left_out_while_reading_shows_its_problems(tmp_path: Path) -> None:
    data = tmp_path / "people.yaml"
    source = (ROOT / "examples" / "japan_mbo" / "employees.yaml").read_text(encoding="utf-8")
    data.write_text(source.replace("segment: manager", "segment: managr", 1), encoding="utf-8")
    code, out, err = invoke("explain", str(JAPAN), str(data), "--employee", "E001")
    assert (code, out) == (1, "")
    assert err.startswith(f"employee E001 was not evaluated: 1 problem(s) while reading {data}\n")
    assert "E001: error [record-enum] segment: 'managr' is not one of: manager, general" in err
    assert "(did you mean 'manager'?)" in err
    assert "no employee" not in err
