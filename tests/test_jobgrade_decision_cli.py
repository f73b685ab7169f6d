"""Seed 003 제12조-13조 through ``hrpolicy jobeval`` (kepco_like ``job_evaluation.final_grade``): a job
grade is final only once the 직무등급심의위원회 (at least 2 external members) has decided it and the
president's approval (사장의 승인) is recorded; an adjustment by the 직무평가위원회 alone stays a proposal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers import GRADE_COMMITTEE, members

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


PANEL_REVIEW = (
    "    adjustment:\n      grade: J2\n      committee: job_evaluation_committee\n"
    f"      meeting: {{registered: 9, present: 7, in_favour: 5, against: 2, members: {members(SEATS)}}}\n"
)


def decision(external: int, seats: list[tuple[str, str]] = GRADE_COMMITTEE, chair: str = "") -> str:
    # 9 registered, 7 present (14 > 9), 6 in favour (12 > 7)
    named = f", chair: {chair}" if chair else ""
    return (
        "decision:\n  committee: job_grade_committee\n"
        "  meeting: {registered: 9, present: 7, in_favour: 6, against: 1,"
        f" external_registered: {external}{named}, members: {members(seats)}}}\n"
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
    # 제12조②4 "외부위원 2명 이상": nine members, one of them external (a sixth 총괄이사 instead).
    seats = [*GRADE_COMMITTEE[:7], ("D6", "division_director"), ("X1", "external")]
    code, job, _ = run(tmp_path, decision(1, seats) + "approvals:\n  - {step: president, approved: true}\n")
    assert code == 1
    assert job["final_grade"] is None
    assert job["problems"][0]["message"] == (
        "job T-09: grade J2 is only a proposal: committee job_grade_committee decides job grades (opened:"
        " present * 2 > registered, 7 * 2 > 9 is true; decision passes: in_favour * 2 > present - recused,"
        " 6 * 2 > 7 - 0 is true; composition fails: 1 external members registered, needs at least 2;"
        " membership fails: external has 1 member, the seat needs at least 2)"
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


APPROVED = "approvals:\n  - {step: president, approved: true}\n"
GRADE_SEATS = "vice_president 1, division_director >= 1, labour_director 1, external >= 2"


def test_the_grade_committee_is_seated_as_article_12_says(tmp_path: Path) -> None:
    """제12조②: 부사장, 각 부문 총괄이사, 노동이사, 외부위원 2명 이상; a record whose nine members leave
    the 노동이사's seat empty (a sixth 총괄이사 instead) decides nothing, even with 2 external members."""
    seats = [*GRADE_COMMITTEE[:6], ("D6", "division_director"), *GRADE_COMMITTEE[7:]]
    code, job, _ = run(tmp_path, decision(2, seats) + APPROVED)
    assert code == 1
    assert (job["proposed_grade"], job["final_grade"]) == ("J3", None)
    assert job["problems"][0]["message"] == (
        "job T-09: grade J2 is only a proposal: committee job_grade_committee decides job grades (opened:"
        " present * 2 > registered, 7 * 2 > 9 is true; decision passes: in_favour * 2 > present - recused,"
        " 6 * 2 > 7 - 0 is true; composition ok: 2 external members registered, needs at least 2;"
        " membership fails: labour_director has 0 members, the seat needs 1)"
    )
    # A record without its member list cannot show the composition: no decision either.
    bare = decision(2).replace(f", members: {members()}", "")
    code, job, _ = run(tmp_path, bare + APPROVED)
    assert code == 1
    assert job["problems"][0]["message"].endswith(
        f"composition ok: 2 external members registered, needs at least 2; membership unknown: the record"
        f" lists no members (seats: {GRADE_SEATS}))"
    )


def test_the_grade_committee_is_chaired_by_the_vice_president(tmp_path: Path) -> None:
    """제12조④: "위원장은 부사장이 되며"; 제12조⑤ applies 제10조③-⑤ only, so no member acts for the chair
    (the policy's reading): a meeting chaired by a 총괄이사 decides nothing; chaired by V1 it does."""
    code, job, _ = run(tmp_path, decision(2, chair="D1") + APPROVED)
    assert code == 1
    assert job["final_grade"] is None
    assert job["problems"][0]["message"].endswith(
        "; membership fails: the chair D1 holds the seat division_director, not the chair's seat"
        " vice_president)"
    )
    code, job, _ = run(tmp_path, decision(2, chair="Z9") + APPROVED)
    assert job["problems"][0]["message"].endswith("; membership fails: the chair Z9 is not a listed member)")
    code, job, _ = run(tmp_path, decision(2, chair="V1") + APPROVED)
    assert (code, job["final_grade"], job["problems"]) == (0, "J2", [])
    assert job["trace"][-2:] == [
        "decided by committee job_grade_committee",
        "approval president (President's approval) given",
    ]


def test_the_job_evaluation_committee_may_have_an_acting_chair(tmp_path: Path) -> None:
    """제10조②: "위원장이 지명한 위원이 그 직무를 대행한다": the 직무평가위원회 (acting_chair) may be chaired
    by another member, here the 인사기획팀장 M7; its adjustment to J2 stands and the grade committee
    decides it."""
    review = PANEL_REVIEW.replace("members: ", "chair: M7, members: ")
    code, job, _ = run(tmp_path, decision(2) + APPROVED, review)
    assert (code, job["final_grade"], job["problems"]) == (0, "J2", [])
    assert job["committee"]["reasons"][-1] == (
        "membership ok: 9 members fill the seats evaluation_manager 1, division_planning_leader >= 1,"
        " regional_planning_leader 1, org_budget_leader 1, hr_planning_leader 1, welfare_leader 1,"
        " union_nominee 1"
    )
