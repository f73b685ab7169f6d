"""Seed 003 제12조-13조 through ``hrpolicy jobeval`` (kepco_like ``job_evaluation.final_grade``): a job
grade is final only once the 직무등급심의위원회 (at least 2 external members) has decided it and the
president's approval (사장의 승인) is recorded; an adjustment by the 직무평가위원회 alone stays a proposal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine.cli import cli
from tests.test_jobeval_cli import rater_line

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "kepco_like.yaml")

L3 = (
    "{problem_solving: 3, accountability: 3, decision_impact: 3, expertise: 3, communication: 3,"
    " difficulty: 3, unpleasantness: 3}"
)
PANEL = [("E9000", "superior")] + [(f"E900{i}", "same_division_peer") for i in range(1, 5)]
PANEL += [(f"E910{i}", "other_division_peer") for i in range(1, 6)]
# The 직무평가위원회 of 제10조① (no external members): its 9 members by seat; 7 of 9 present
# (14 > 9), 5 in favour (10 > 7).
SEATS = [
    ("M1", "evaluation_manager"), ("M2", "division_planning_leader"), ("M3", "division_planning_leader"),
    ("M4", "division_planning_leader"), ("M5", "regional_planning_leader"), ("M6", "org_budget_leader"),
    ("M7", "hr_planning_leader"), ("M8", "welfare_leader"), ("M9", "union_nominee"),
]


def members(seats: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{{id: {m}, role: {r}}}" for m, r in seats) + "]"


PANEL_REVIEW = (
    "    adjustment:\n      grade: J2\n      committee: job_evaluation_committee\n"
    f"      meeting: {{registered: 9, present: 7, in_favour: 5, against: 2, members: {members(SEATS)}}}\n"
)


def decision(external: int) -> str:
    # 9 registered, 7 present (14 > 9), 6 in favour (12 > 7)
    return (
        "decision:\n  committee: job_grade_committee\n"
        "  meeting: {registered: 9, present: 7, in_favour: 6, against: 1,"
        f" external_registered: {external}}}\n"
    )


def run(tmp_path: Path, tail: str, review: str = PANEL_REVIEW) -> tuple[int, dict[str, Any], str]:
    # the panel of tests/test_jobeval_cli.py: relations, an SME, the analysis dates all in order
    lines = ["jobs:", "  - job: T-09", "    family: team_leader", "    holder: E9009", "    panel:"]
    lines += [rater_line(r, g, sme=i == 1) for i, (r, g) in enumerate(PANEL)]
    lines += ["    division: D1", "    superior: E9000"]
    dates = "analysed_on: '2024-09-02'\nevaluated_on: '2026-11-02'\n"
    data = tmp_path / "jobs.yaml"
    data.write_text("\n".join(lines) + "\n" + review + tail + dates, encoding="utf-8")
    result = CliRunner().invoke(cli, ["jobeval", POLICY, str(data), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)["jobs"][0], result.stderr


def test_an_adjustment_by_the_job_evaluation_committee_alone_is_not_final(tmp_path: Path) -> None:
    # every rater 722: total 722 -> J3; the 직무평가위원회 adjusts it to J2 (its vote passes)
    code, job, _ = run(tmp_path, "")
    assert code == 1
    assert (job["proposed_grade"], job["final_grade"]) == ("J3", None)
    assert [(p["rule"], p["message"]) for p in job["problems"]] == [
        ("jobeval-not-decided", "job T-09: grade J2 is only a proposal: committee job_grade_committee"
         " decides job grades (no decision of it is recorded)"),
        ("jobeval-not-approved", "job T-09: grade J2 needs approval 'president' (President's approval),"
         " not recorded"),
    ]


def test_a_grade_committee_with_one_external_member_decides_nothing(tmp_path: Path) -> None:
    code, job, _ = run(tmp_path, decision(1) + "approvals:\n  - {step: president, approved: true}\n")
    assert code == 1
    assert job["final_grade"] is None
    assert job["problems"][0]["message"] == (
        "job T-09: grade J2 is only a proposal: committee job_grade_committee decides job grades (opened:"
        " present * 2 > registered, 7 * 2 > 9 is true; decision passes: in_favour * 2 > present - recused,"
        " 6 * 2 > 7 - 0 is true; composition fails: 1 external members registered, needs at least 2)"
    )


def test_without_the_presidents_approval_the_decided_grade_is_not_final(tmp_path: Path) -> None:
    code, job, _ = run(tmp_path, decision(2) + "approvals:\n  - {step: president, approved: false}\n")
    assert code == 1
    assert job["final_grade"] is None
    assert [(p["rule"], p["message"]) for p in job["problems"]] == [
        ("jobeval-not-approved",
         "job T-09: grade J2 needs approval 'president' (President's approval), refused"),
    ]


def test_decided_and_approved_the_grade_is_final(tmp_path: Path) -> None:
    approval = "approvals:\n  - {step: president, approved: true, by: 사장, date: '2026-12-21'}\n"
    code, job, _ = run(tmp_path, decision(2) + approval)
    assert code == 0
    assert (job["proposed_grade"], job["final_grade"], job["problems"]) == ("J3", "J2", [])
    assert job["trace"][-2:] == [
        "decided by committee job_grade_committee",
        "approval president (President's approval) given by 사장 on 2026-12-21",
    ]


def test_the_job_evaluation_committee_is_composed_as_article_10_says(tmp_path: Path) -> None:
    # 제10조①7: one member recommended by the union; here that seat is filled by a second
    # welfare team leader: the composition fails, so its adjustment does not stand (J3 stays).
    seats = [*SEATS[:8], ("M9", "welfare_leader")]
    review = PANEL_REVIEW.replace(members(SEATS), members(seats))
    approval = "approvals:\n  - {step: president, approved: true}\n"
    code, job, _ = run(tmp_path, decision(2) + approval, review)
    assert code == 1
    assert (job["proposed_grade"], job["final_grade"]) == ("J3", "J3")
    assert job["committee"]["reasons"][-1] == (
        "membership fails: welfare_leader has 2 members, the seat needs 1; union_nominee has 0 members,"
        " the seat needs 1"
    )
