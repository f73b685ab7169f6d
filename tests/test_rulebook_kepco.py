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
