"""Issue 10 point 1: a missing period sheet is a per-employee problem unless the policy declares what
happens instead, tried through the command line.

Seed 000: "7월 2차 중간점검 결과는 최종 평가점수에 10% 반영";
"< 평가점수 반영비율 > 중간점검 10% 최종평가 90%".
K001 of docs/records.md: final sheet (70 x 95 + 15 x 80 + 15 x 90) / 100 = 92.00. Without a
mid-term sheet the old blend gave 90 % x 92.00 = 82.80, the missing 10 % counted as zero.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers import strip_stamps

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
FINAL = [
    {"title": "경영평가 실적관리", "category": "own_duties", "kind": "non_quantitative", "weight": 70,
     "progress": 95, "schedule": "2026-12 경영평가 보고서 제출"},
    {"title": "업무개선 노력도", "category": "common_duties", "kind": "non_quantitative",
     "fixed_id": "work_improvement", "weight": 15, "progress": 80},
    {"title": "부서목표 기여도", "category": "common_duties", "kind": "non_quantitative",
     "fixed_id": "department_contribution", "weight": 15, "progress": 90},
]  # fmt: skip


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, strip_stamps(result.stdout), result.stderr


def data_file(tmp_path: Path, periods: dict[str, Any], **fields: str) -> str:
    employee = {"id": "K001", "name": "이서연", "unit": "hq", "position": "member", "department": "planning"}
    employee.update(fields)
    document = {"policy": "kepco_like", "employees": [{**employee, "periods": periods}]}
    path = tmp_path / "people.json"
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    return str(path)


def test_a_missing_midterm_sheet_is_a_problem_not_a_zero(tmp_path: Path) -> None:
    data = data_file(tmp_path, {"final": {"indicators": FINAL}})
    code, out, err = invoke("evaluate", KEPCO, data)
    assert code == 1
    assert "82.80" not in out
    assert (
        f"  {data}:$.employees[0]: K001: error [period-missing] no goal sheet for period 'midterm' (July"
        " mid-term check (2nd quarterly check)); the policy's rule does not apply: joined > period_to:"
        " 'joined' has no value in 'joined > period_to' (joined=none, period_to='2026-07-31')\n"
    ) in out
    assert err == "hrpolicy: 1 employee(s) not evaluated; see the problems above\n"
    # Joined before the July check (2026-03-02 <= 2026-07-31): the sheet should be there.
    data = data_file(tmp_path, {"final": {"indicators": FINAL}}, joined="2026-03-02")
    code, out, _ = invoke("evaluate", KEPCO, data)
    assert code == 1
    assert (
        "the policy's rule does not apply: joined > period_to ('2026-03-02' > '2026-07-31') is false\n"
    ) in out


def test_someone_who_joined_after_the_midterm_check_is_scored_on_the_final_alone(tmp_path: Path) -> None:
    # ASSUMPTION of kepco_like (periods.midterm.missing): joined 2026-09-01, after the July check
    # (07-31 of the effective period starting 2026-02-01): the final sheet stands in, so
    # 10 % x 92.00 + 90 % x 92.00 = 92.00.
    data = data_file(tmp_path, {"final": {"indicators": FINAL}}, joined="2026-09-01")
    code, out, _ = invoke("evaluate", KEPCO, data, "--format", "csv")
    assert code == 0
    # The only member of planning: a group of one holds one B seat.
    assert out.splitlines()[:2] == ["id,name,score,grade", "K001,이서연,92.00,B"]
    code, out, _ = invoke("explain", KEPCO, data, "--employee", "K001")
    assert code == 0
    assert out.startswith(
        "employee K001 (이서연)\n"
        "  periods:\n"
        "    [period] midterm: no goal sheet; the policy's rule joined > period_to ('2026-09-01' >"
        " '2026-07-31') holds: the 'final' sheet stands in\n"
    )
    assert "    [blend] score = 10% x 92.0 + 90% x 92.0 = 92.0\n" in out


def test_an_undeclared_period_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    data = data_file(tmp_path, {"midterrm": {"indicators": FINAL}, "final": {"indicators": FINAL}})
    code, out, _ = invoke("evaluate", KEPCO, data)
    assert code == 1
    assert (
        "K001: error [period-unknown] period 'midterrm' is not declared by the policy (periods: midterm,"
        " final) (did you mean 'midterm'?)\n"
    ) in out


def test_validate_names_a_missing_rule_that_points_nowhere(tmp_path: Path) -> None:
    text = Path(KEPCO).read_text(encoding="utf-8")
    bad = text.replace('use_period: final}', 'use_period: finall}', 1).replace(
        'when: "joined > period_to"', 'when: "joind > period_to"', 1
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(bad, encoding="utf-8")
    code, out, _ = invoke("validate", str(policy))
    assert code == 1
    assert "error [ref-unknown] unknown other period 'finall' in periods.midterm.missing[0].use_period" in out
    assert "suggestion: did you mean 'final'?" in out
    assert "error [formula-unknown-name] unknown name 'joind'" in out
