"""Seed 003 rules through ``hrpolicy jobeval`` (kepco_like): panel relations (제9조③), subject-matter
experts (제9조②), a panel composed otherwise when raters are short (제9조③ 단서), a skipped survey
(제8조③) and the 3-year job-analysis cycle (제3조②). The panel is tests/test_jobeval_cli.py's: every
rater at level 3 everywhere = 722 points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers import members

from engine.cli import cli
from tests.test_jobeval_cli import DECIDED, PANEL, rater_line

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "kepco_like.yaml")


def run(
    tmp_path: Path, raters: list[str], job_tail: str = "", decided: str = DECIDED
) -> tuple[int, dict[str, Any]]:
    lines = ["jobs:", "  - job: T-09", "    family: team_leader", "    holder: E9009"]
    lines += (["    panel:", *raters] if raters else [])
    lines += ["    division: D1", "    superior: E9000"]
    data = tmp_path / "jobs.yaml"
    data.write_text("\n".join(lines) + "\n" + job_tail + decided, encoding="utf-8")
    result = CliRunner().invoke(cli, ["jobeval", POLICY, str(data), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)["jobs"][0]


def standard() -> list[str]:
    return [rater_line(r, g, sme=i == 1) for i, (r, g) in enumerate(PANEL)]


def problems(job: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["rule"], p["message"]) for p in job["problems"]]


def test_a_same_division_peer_from_another_division_is_refused(tmp_path: Path) -> None:
    raters = standard()
    # E9002 is in group same_division_peer (동일부문 타부점 팀장) but of division D2
    raters[2] = raters[2].replace("division: D1", "division: D2")
    code, job = run(tmp_path, raters)
    assert code == 1
    assert problems(job) == [
        ("jobeval-panel-relation",
         "rater E9002 (group same_division_peer) is of division D2; the group needs the job's division (D1)"),
    ]
    # left out of the means: the group averages the other three (722 each): the total stays 722
    assert (job["total"], job["final_grade"]) == ("722.0", "J3")


def test_an_other_division_peer_of_the_same_division_and_position_is_refused(tmp_path: Path) -> None:
    raters = standard()
    moved = raters[5].replace("division: D2, position: team_leader", "division: D1, position: team_member")
    raters[5] = moved
    code, job = run(tmp_path, raters)
    assert code == 1
    assert problems(job) == [
        ("jobeval-panel-relation",
         "rater E9101 (group other_division_peer) is of division D1; the group needs another division than"
         " the job's (D1)"),
        ("jobeval-panel-relation", "rater E9101 (group other_division_peer) holds position 'team_member';"
         " the group needs the job's position team_leader"),
    ]


def test_the_panel_must_include_a_subject_matter_expert(tmp_path: Path) -> None:
    raters = [line.replace(", sme: true", "") for line in standard()]
    code, job = run(tmp_path, raters)
    assert code == 1
    assert problems(job) == [
        ("jobeval-panel-sme",
         "job T-09: the panel has 0 subject-matter experts (sme: true); panel team_leader needs at least 1"),
    ]


def test_a_short_panel_is_an_error_unless_the_manager_composed_it_otherwise(tmp_path: Path) -> None:
    # only 2 same-division peers and no other-division peer (raters short)
    raters = standard()[:3]
    code, job = run(tmp_path, raters)
    assert code == 1
    assert [rule for rule, _ in problems(job)] == ["jobeval-group-count", "jobeval-group-count"]
    # 제9조③ 단서: the 평가관리부점장 composes the panel otherwise. Superior 722 x 10 and same-division
    # 722 x 40 remain; their weights scaled to 100: 10 x 100 / 50 = 20 %, 40 x 100 / 50 = 80 %;
    # total 722 x 20 % + 722 x 80 % = 144.4 + 577.6 = 722.0 -> J3.
    change = "    panel_change: {approved_by: evaluation_manager, reason: 타부문 팀장 부족}\n"
    code, job = run(tmp_path, raters, change)
    assert code == 0, job["problems"]
    assert (job["total"], job["final_grade"]) == ("722.0", "J3")
    assert [g["weight"] for g in job["groups"]] == ["20", "80"]
    # approved by anyone else, it is no exception
    code, job = run(tmp_path, raters, change.replace("evaluation_manager", "team_leader"))
    assert ("jobeval-panel-change", "job T-09: a panel composed otherwise needs the approval of"
            " evaluation_manager, not 'team_leader'") in problems(job)


def test_a_skipped_survey_takes_the_committee_grade(tmp_path: Path) -> None:
    # 제8조③: no survey for this job; the 직무등급심의위원회 grades it J2 directly
    # (7 of 9 present: 14 > 9; 5 in favour of 7: 10 > 7; 2 external members).
    skip = (
        "    survey_skip: {approved_by: evaluation_manager, reason: 신설 직무 등급 부여}\n"
        "    adjustment:\n      grade: J2\n      committee: job_grade_committee\n"
        "      meeting: {registered: 9, present: 7, in_favour: 5, against: 2, external_registered: 2,"
        f" members: {members()}}}\n"
    )
    code, job = run(tmp_path, [], skip)
    assert code == 0, job["problems"]
    assert (job["total"], job["proposed_grade"], job["final_grade"]) == (None, None, "J2")
    # without the committee's grade, a skipped survey leaves the job ungraded
    code, job = run(tmp_path, [], skip.split("    adjustment:")[0])
    assert code == 1
    assert problems(job) == [
        ("jobeval-survey-skip",
         "job T-09: the survey was skipped, so its grade needs a committee adjustment"),
    ]


def test_a_job_analysis_older_than_three_years_is_overdue(tmp_path: Path) -> None:
    # analysed 2023-06-30: the next analysis was due by 2026-06-30; evaluated 2026-11-02 is later
    late = DECIDED.replace("analysed_on: '2024-09-02'", "analysed_on: '2023-06-30'")
    code, job = run(tmp_path, standard(), decided=late)
    assert code == 1
    assert problems(job) == [
        ("jobeval-analysis-overdue",
         "job T-09: the job analysis of 2023-06-30 is more than 3 years before the evaluation on 2026-11-02"
         " (the next analysis was due by 2026-06-30)"),
    ]
    # exactly 3 years is within the cycle
    code, job = run(tmp_path, standard(), decided=late.replace("2026-11-02", "2026-06-30"))
    assert code == 0, job["problems"]
