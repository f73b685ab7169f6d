"""Issue 10 point 10, seed 000 (kepco_like): the relative 2nd stage and the final grade, tried
through the command line.

Seed 000: "개인목표관리 평가결과 산출(1차 절대평가, 2차 상대평가)", "평가등급 확정", and "점검기준 설정 :
평가그룹, 평가권한, 평가시기, 평가등급 등에 대한 기준 설정 (평가기준(지침)서)": the grades, groups and
ratios live in a guideline the seed does not contain, so kepco_like assumes them (marked
ASSUMPTION): grades S, A, B, C, D; ranked within department and position; quotas 10/20/40/20/10 %
by largest remainder, equal remainders to the better grade.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from helpers import strip_stamps

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
EXAMPLE = ROOT / "examples" / "kepco_like" / "employees.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, strip_stamps(result.stdout), result.stderr


def busan(tmp_path: Path, grades: dict[str, tuple[str, str]]) -> str:
    """The three busan_branch members of the example, each with a 1st and a 2nd stage grade."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["employees"] = [e for e in data["employees"] if e["id"] in grades]
    for record in data["employees"]:
        first, second = grades[record["id"]]
        record["evaluations"] = [
            {"stage": "first", "evaluator": "B410", "grade": first},
            {"stage": "second", "evaluator": "B400", "grade": second, "reason": "지사 내 상대평가"},
        ]
    path = tmp_path / "busan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def test_the_relative_second_stage_is_calibrated_against_the_seats(tmp_path: Path) -> None:
    """busan_branch members K007 109.90, K009 98.17, K008 73.75 (worked in the example): 3 people,
    0.3/0.6/1.2/0.6/0.3 seats -> B=1, then A and C (.6 each): S 0, A 1, B 1, C 1, D 0."""
    data = busan(tmp_path, {"K007": ("A", "S"), "K008": ("C", "C"), "K009": ("B", "B")})
    code, out, err = invoke("calibrate", KEPCO, data)
    assert code == 1
    assert out == (
        "== distribution grade (Evaluation grade (relative evaluation)): 1 group(s), NOT every group"
        " within quota\n"
        "\n"
        "group (department=busan_branch, position=member): 3 people; final NOT within quota\n"
        "grade  quota  tolerance  proposed  final  within\n"
        "-----  -----  ---------  --------  -----  ------\n"
        "S          0        +-0         0      1  no\n"
        "A          1        +-0         1      0  no\n"
        "B          1        +-0         1      1  yes\n"
        "C          1        +-0         1      1  yes\n"
        "D          0        +-0         0      0  yes\n"
        "moves (1):\n"
        "member  proposed  final  reason\n"
        "------  --------  -----  ----------------\n"
        "K007    A         S      지사 내 상대평가\n"
        "\n"
        "result: 1 group(s) outside quota, 0 person(s) not graded, 0 problem(s)\n"
    )
    assert (
        err
        == "hrpolicy: calibration failed: 1 group(s) outside quota, 0 person(s) not graded, 0 problem(s)\n"
    )
    # The 부서장 keeps to the seats (swapping K009 and K008 with a reason): within quota, exit 0.
    data = busan(tmp_path, {"K007": ("A", "A"), "K008": ("C", "B"), "K009": ("B", "C")})
    code, out, _ = invoke("calibrate", KEPCO, data)
    assert code == 0
    assert out.endswith("result: every group within quota, no problems\n")


def test_every_employee_of_the_example_gets_a_grade() -> None:
    """The result table shows a real grade for each of the nine (policies/kepco_like.test.yaml
    works each one): groups of one hold a B seat; busan_branch's members A, B, C."""
    code, out, _ = invoke("evaluate", KEPCO, str(EXAMPLE), "--format", "csv")
    assert code == 0
    rows = [line.split(",") for line in out.splitlines()[1:]]
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("K001", "90.65", "B"), ("K002", "87.60", "B"), ("K003", "94.85", "B"), ("K004", "80.25", "B"),
        ("K005", "83.30", "B"), ("K006", "98.92", "B"), ("K007", "109.90", "A"), ("K008", "73.75", "C"),
        ("K009", "98.17", "B"),
    ]  # fmt: skip


# --- seed 000: the July mid-term check by 부장 then 부서장 --------------------------------------------
# "■ 중간점검 단계 ... 3. 부장의 1차 점검 ... 5. 2차 점검 : 부서장은 1차 점검내용 확인 및 이의신청 조정
# 실시 ... 점검결과 확정" and "7월 2차 중간점검 결과는 최종 평가점수에 10% 반영". An HQ member (부서원):
#   midterm (70 x 50 + 15 x 60 + 15 x 40) / 100 = (3500 + 900 + 600) / 100 = 50.00
#   final   (70 x 95 + 15 x 80 + 15 x 90) / 100 = (6650 + 1200 + 1350) / 100 = 92.00
#   score   50.00 x 10 % + 92.00 x 90 % = 5.00 + 82.80 = 87.80


def sheet(own: int, improvement: int, contribution: int) -> list[dict[str, Any]]:
    return [
        {"title": "경영평가 실적관리", "category": "own_duties", "kind": "non_quantitative", "weight": 70,
         "progress": own, "schedule": "2026-12 경영평가 보고서 제출"},
        {"title": "업무개선 노력도", "category": "common_duties", "kind": "non_quantitative",
         "fixed_id": "work_improvement", "weight": 15, "progress": improvement},
        {"title": "부서목표 기여도", "category": "common_duties", "kind": "non_quantitative",
         "fixed_id": "department_contribution", "weight": 15, "progress": contribution},
    ]  # fmt: skip


MIDTERM, FINAL = sheet(50, 60, 40), sheet(95, 80, 90)
STAGE_MISSING = (
    "K101: error [chain-stage-missing] no evaluation for stage '{stage}' ({role}, absolute) of chain"
    " 'midterm_member' (period 'midterm'): the period's result counts in the score only once every stage"
    " of the chain is on record; record an evaluation for the stage or the evaluator's id in {field}\n"
)


def member(tmp_path: Path, evaluations: list[dict[str, Any]], **fields: Any) -> str:
    employee = {"id": "K101", "name": "한지민", "unit": "hq", "position": "member", "department": "planning"}
    record = {
        **employee,
        **fields,
        "periods": {"midterm": {"indicators": MIDTERM}, "final": {"indicators": FINAL}},
    }
    if evaluations:
        record["evaluations"] = evaluations
    path = tmp_path / "member.yaml"
    path.write_text(
        yaml.safe_dump({"policy": "kepco_like", "employees": [record]}, allow_unicode=True), "utf-8"
    )
    return str(path)


def test_a_midterm_result_without_its_two_checks_is_not_scored(tmp_path: Path) -> None:
    data = member(tmp_path, [])
    code, out, err = invoke("evaluate", KEPCO, data)
    assert code == 1
    assert "87.80" not in out
    assert STAGE_MISSING.format(stage="first", role="section_head", field="midterm_checked_by") in out
    assert STAGE_MISSING.format(stage="second", role="department_head", field="midterm_confirmed_by") in out
    assert err == "hrpolicy: 1 employee(s) not evaluated; see the problems above\n"
    # The 부장's 1st check alone: the 부서장's 2nd check is still missing.
    first = {"period": "midterm", "stage": "first", "evaluator": "S201"}
    code, out, _ = invoke("evaluate", KEPCO, member(tmp_path, [first]))
    assert code == 1
    assert STAGE_MISSING.format(stage="first", role="section_head", field="midterm_checked_by") not in out
    assert STAGE_MISSING.format(stage="second", role="department_head", field="midterm_confirmed_by") in out
    # explain refuses it the same way (one implementation).
    code, out, err = invoke("explain", KEPCO, member(tmp_path, [first]), "--employee", "K101")
    assert (code, out) == (1, "")
    assert "[chain-stage-missing] no evaluation for stage 'second' (department_head, absolute)" in err


def test_with_both_checks_on_record_the_midterm_counts(tmp_path: Path) -> None:
    checks = [
        {"period": "midterm", "stage": "first", "evaluator": "S201"},
        {"period": "midterm", "stage": "second", "evaluator": "D200"},
    ]
    data = member(tmp_path, checks)
    code, out, _ = invoke("evaluate", KEPCO, data, "--format", "csv")
    assert code == 0
    # planning's only member: a group of one holds one B seat
    assert out.splitlines()[:2] == ["id,name,score,grade", "K101,한지민,87.80,B"]
    code, out, _ = invoke("explain", KEPCO, data, "--employee", "K101")
    assert code == 0
    assert (
        "    [chain] period 'midterm': chain 'midterm_member' (July mid-term check (members)) applies:"
        " position == 'member' holds ('member' == 'member')\n"
        "    [chain] period 'midterm': stage 'first' (section_head, absolute): by S201\n"
        "    [chain] period 'midterm': stage 'second' (department_head, absolute): by D200\n"
        "    [chain] chain 'hq_member' (Headquarters member) applies:"
    ) in out
    # The same checks recorded in the employee fields (how a CSV table records them).
    data = member(tmp_path, [], midterm_checked_by="S201", midterm_confirmed_by="D200")
    code, out, _ = invoke("evaluate", KEPCO, data, "--format", "csv")
    assert (code, out.splitlines()[1]) == (0, "K101,한지민,87.80,B")


def test_a_csv_table_records_the_checks_in_columns(tmp_path: Path) -> None:
    head = (
        "id,name,unit,position,department,midterm_checked_by,midterm_confirmed_by,period,title,category,kind"
    )
    head += ",fixed_id,weight,progress,schedule\n"
    rows = []
    for period, lines in (("midterm", MIDTERM), ("final", FINAL)):
        for line in lines:
            rows.append(
                f"K101,한지민,hq,member,planning,{{checked}},{{confirmed}},{period},{line['title']},"
                f"{line['category']},{line['kind']},{line.get('fixed_id', '')},{line['weight']},"
                f"{line['progress']},{line.get('schedule', '')}\n"
            )
    table = tmp_path / "member.csv"
    table.write_text(head + "".join(r.format(checked="S201", confirmed="D200") for r in rows), "utf-8")
    code, out, _ = invoke("evaluate", KEPCO, str(table), "--format", "csv")
    assert (code, out.splitlines()[1]) == (0, "K101,한지민,87.80,B")
    table.write_text(head + "".join(r.format(checked="S201", confirmed="") for r in rows), "utf-8")
    code, out, _ = invoke("evaluate", KEPCO, str(table))
    assert code == 1
    assert STAGE_MISSING.format(stage="second", role="department_head", field="midterm_confirmed_by") in out


def test_a_section_head_is_checked_once_and_no_check_is_needed_without_a_midterm_sheet(
    tmp_path: Path,
) -> None:
    """ASSUMPTION of the policy: an HQ 부장 is checked by the 부서장 alone. Someone who joined after
    the July check has no mid-term sheet (the final one stands in): no check can be asked of it,
    and a check recorded for it is a problem."""
    path = tmp_path / "head.yaml"
    head = {"id": "K102", "name": "오세훈", "unit": "hq", "position": "section_head",
            "department": "planning",
            "periods": {"midterm": {"indicators": MIDTERM}, "final": {"indicators": FINAL}}}  # fmt: skip
    path.write_text(
        yaml.safe_dump({"policy": "kepco_like", "employees": [head]}, allow_unicode=True), "utf-8"
    )
    code, out, _ = invoke("evaluate", KEPCO, str(path))
    assert code == 1
    assert (
        "K102: error [chain-stage-missing] no evaluation for stage 'first' (department_head, absolute) of"
        " chain 'midterm_hq_section_head' (period 'midterm')"
    ) in out
    assert "stage 'second'" not in out
    late = {**head, "joined": "2026-09-01", "periods": {"final": {"indicators": FINAL}}}
    path.write_text(
        yaml.safe_dump({"policy": "kepco_like", "employees": [late]}, allow_unicode=True), "utf-8"
    )
    code, out, _ = invoke("evaluate", KEPCO, str(path), "--format", "csv")
    # 10 % x 92.00 + 90 % x 92.00 = 92.00
    assert (code, out.splitlines()[1]) == (0, "K102,오세훈,92.00,B")
    late["evaluations"] = [{"period": "midterm", "stage": "first", "evaluator": "D200"}]
    path.write_text(
        yaml.safe_dump({"policy": "kepco_like", "employees": [late]}, allow_unicode=True), "utf-8"
    )
    code, out, _ = invoke("evaluate", KEPCO, str(path))
    assert code == 1
    assert (
        "K102: error [chain-unknown-period] evaluation 1 is for period 'midterm', for which the record has no"
        " goal sheet of its own\n"
    ) in out


def test_an_evaluation_for_an_undeclared_period_is_a_problem(tmp_path: Path) -> None:
    checks = [
        {"period": "midterrm", "stage": "first", "evaluator": "S201"},
        {"period": "midterm", "stage": "second", "evaluator": "D200"},
    ]
    code, out, _ = invoke("evaluate", KEPCO, member(tmp_path, checks))
    assert code == 1
    assert (
        "K101: error [chain-unknown-period] evaluation 1 is for period 'midterrm', which the policy does not"
        " declare (periods: midterm, final) (did you mean 'midterm'?)\n"
    ) in out
    assert STAGE_MISSING.format(stage="first", role="section_head", field="midterm_checked_by") in out


def test_the_json_example_of_docs_records_is_scored_as_it_says(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    body = text.split("<!-- example: kepco_like people.json -->\n```json\n", 1)[1].split("```", 1)[0]
    data = tmp_path / "people.json"
    data.write_text(body, encoding="utf-8")
    code, out, _ = invoke("evaluate", KEPCO, str(data), "--format", "csv")
    # 48.00 x 10 % + 92.00 x 90 % = 4.80 + 82.80 = 87.60; a group of one holds one B seat
    assert (code, out.splitlines()[:2]) == (0, ["id,name,score,grade", "K001,이서연,87.60,B"])


def test_a_record_without_its_department_is_refused_not_left_ungraded(tmp_path: Path) -> None:
    """The relative rule ranks within department and position: the policy requires the department,
    so nobody is left without a grade by a missing group field."""
    data = member(tmp_path, [], midterm_checked_by="S201", midterm_confirmed_by="D200")
    document = yaml.safe_load(Path(data).read_text(encoding="utf-8"))
    del document["employees"][0]["department"]
    Path(data).write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    code, out, err = invoke("evaluate", KEPCO, data)
    assert code == 1
    assert f"{data}:2:3: K101: error [record-missing] department: required field is missing\n" in out
    assert err == "hrpolicy: 1 employee(s) not evaluated; see the problems above\n"
