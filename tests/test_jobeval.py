"""Job evaluation: the kepco point tables (domain.md, seed 003) and a 1 + 4 + 5 panel."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import GRADE_COMMITTEE

from engine.errors import DataError
from engine.jobeval import Adjustment, JobInput, Rating, evaluate_job, job_from_record
from engine.jobeval.decision import Approval
from engine.validate import load_policy

POLICIES = Path(__file__).resolve().parent.parent / "policies"

FACTORS = [
    ("problem_solving", 19, [190, 162, 137, 117, 99]),
    ("accountability", 18, [180, 153, 130, 111, 94]),
    ("decision_impact", 15, [150, 128, 108, 92, 78]),
    ("expertise", 14, [140, 119, 101, 86, 73]),
    ("communication", 13, [130, 111, 94, 80, 68]),
    ("difficulty", 12, [120, 102, 87, 74, 63]),
    ("unpleasantness", 9, [90, 77, 65, 55, 47]),
]
NAMES = [f[0] for f in FACTORS]

GROUPS = [
    {"id": "superior", "relation": "same_division_superior", "count": 1, "weight": 10},
    {"id": "same_division_peer", "relation": "same_division_same_position", "count": 4, "weight": 40},
    {"id": "other_division_peer", "relation": "other_division_same_position", "count": 5, "weight": 50},
]

POLICY: dict[str, Any] = {
    "job_evaluation": {
        "cycle_years": 3,
        "levels": 5,
        "point_tables": {
            "managerial": {
                "families": ["branch_head", "team_leader"],
                "factors": [{"id": i, "weight": w, "points": p} for i, w, p in FACTORS],
            },
        },
        "panels": {
            "team_leader": {"exclude_own_job": True, "groups": GROUPS},
        },
        # assumption (the seed gives no bands): best first, min inclusive, max exclusive
        "grade_bands": {
            "round": {"mode": "half_up", "places": 0},
            "range": {"min": 0},
            "bands": [
                {"grade": "J1", "min": 800},
                {"grade": "J2", "min": 700, "max": 800},
                {"grade": "J3", "min": 600, "max": 700},
                {"grade": "J4", "min": 0, "max": 600},
            ],
        },
    },
    "committees": {
        "job_grade_committee": {
            "opens_when": "present * 2 > registered",
            "passes_when": "in_favour * 2 > present - recused",
            "min_external_members": 2,
        },
    },
}


def levels(*values: int) -> dict[str, int]:
    return dict(zip(NAMES, values, strict=True))


def same(level: int) -> dict[str, int]:
    return levels(*[level] * 7)


def panel() -> list[Rating]:
    return [
        Rating("s1", "superior", "B-01", levels(2, 1, 3, 3, 2, 5, 4)),
        Rating("p1", "same_division_peer", "T-02", same(1)),
        Rating("p2", "same_division_peer", "T-03", same(2)),
        Rating("p3", "same_division_peer", "T-04", same(3)),
        Rating("p4", "same_division_peer", "T-05", levels(2, 1, 3, 3, 2, 5, 4)),
        Rating("o1", "other_division_peer", "T-11", same(3)),
        Rating("o2", "other_division_peer", "T-12", same(4)),
        Rating("o3", "other_division_peer", "T-13", same(5)),
        Rating("o4", "other_division_peer", "T-14", same(2)),
        Rating("o5", "other_division_peer", "T-15", levels(1, 2, 3, 4, 5, 1, 2)),
    ]


def job(ratings: list[Rating], adjustment: Adjustment | None = None) -> JobInput:
    # analysed 2024-09-02, evaluated 2026-11-02: within the 3-year cycle
    return JobInput(
        "T-01", "team_leader", "e100", tuple(ratings), adjustment, ("jobs", 0),
        analysed_on="2024-09-02", evaluated_on="2026-11-02",
    )


def test_points_of_one_rater_follow_the_managerial_table() -> None:
    # levels 2, 1, 3, 3, 2, 5, 4 in table order:
    # problem solving L2 162 + accountability L1 180 + decision impact L3 108 + expertise L3 101
    # + communication L2 111 + difficulty L5 63 + unpleasantness L4 55 = 780
    result = evaluate_job(POLICY, job(panel()))
    superior = result.raters[0]
    assert superior.points == Decimal(780)
    assert superior.detail == (
        "rater s1 (superior): problem_solving L2 = 162 + accountability L1 = 180 + decision_impact L3 = 108"
        " + expertise L3 = 101 + communication L2 = 111 + difficulty L5 = 63 + unpleasantness L4 = 55 = 780"
    )


def test_panel_of_1_4_5_weighted_10_40_50() -> None:
    # superior: 780                                   -> mean 780,   x 10% = 78
    # same division: all L1 1000, all L2 852, all L3 722, 780 = 3354 / 4 = 838.5, x 40% = 335.4
    # other division: all L3 722, all L4 615 (117+111+92+86+80+74+55), all L5 522
    #   (99+94+78+73+68+63+47), all L2 852, L1,2,3,4,5,1,2 802 (190+153+108+86+68+120+77)
    #   = 3513 / 5 = 702.6, x 50% = 351.3
    # total 78 + 335.4 + 351.3 = 764.7 -> half_up to 0 places 765 -> J2 (700 <= 765 < 800)
    result = evaluate_job(POLICY, job(panel()))
    assert result.problems == ()
    assert [r.points for r in result.raters] == [
        Decimal(p) for p in (780, 1000, 852, 722, 780, 722, 615, 522, 852, 802)
    ]
    assert [(g.group, g.mean, g.contribution) for g in result.groups] == [
        ("superior", Decimal(780), Decimal(78)),
        ("same_division_peer", Decimal("838.5"), Decimal("335.4")),
        ("other_division_peer", Decimal("702.6"), Decimal("351.3")),
    ]
    assert result.total == Decimal("764.7")
    assert result.rounded == Decimal(765)
    assert (result.proposed_grade, result.final_grade) == ("J2", "J2")
    assert result.table == "managerial"
    assert result.trace[-4:] == (
        "group other_division_peer: mean (722 + 615 + 522 + 852 + 802) / 5 = 702.6; x 50% = 351.3",
        "total = 78 + 335.4 + 351.3 = 764.7",
        "total 764.7 -> 765 (round half_up to 0 places)",
        "grade J2: 700 <= 765 < 800",
    )


def test_rater_of_their_own_job_is_reported_and_left_out() -> None:
    ratings = panel()
    ratings[9] = Rating("o5", "other_division_peer", "T-01", levels(1, 2, 3, 4, 5, 1, 2))
    result = evaluate_job(POLICY, job(ratings))
    assert [(p.rule, p.message, p.location.path) for p in result.problems] == [
        (
            "jobeval-own-job",
            "rater o5 rates their own job T-01; panel team_leader excludes that",
            "$.jobs[0].panel[9]",
        ),
    ]
    # other division without o5: 722 + 615 + 522 + 852 = 2711 / 4 = 677.75, x 50% = 338.875
    # total 78 + 335.4 + 338.875 = 752.275 -> 752 -> J2
    assert result.groups[2].mean == Decimal("677.75")
    assert result.total == Decimal("752.275")
    assert result.raters[9].points is None


def test_holder_rating_own_job_is_caught_by_holder_id() -> None:
    ratings = panel()
    ratings[0] = Rating("e100", "superior", "B-01", same(1))
    result = evaluate_job(POLICY, job(ratings))
    assert [p.rule for p in result.problems] == ["jobeval-own-job"]
    # the only superior is left out: no total, no grade
    assert result.total is None and result.proposed_grade is None
    assert result.trace[-1] == "no total: a rater group has no valid rating"


def test_composition_and_level_problems_are_collected() -> None:
    ratings = panel()
    ratings[1] = Rating("p1", "boss", "T-02", same(1))  # unknown group
    ratings[2] = Rating("p2", "same_division_peer", "T-03", {**same(2), "expertise": 6})
    missing = same(3)
    del missing["communication"]
    ratings[3] = Rating("p3", "same_division_peer", "T-04", missing)
    result = evaluate_job(POLICY, job(ratings))
    assert [(p.rule, p.message) for p in result.problems] == [
        ("jobeval-unknown-group", "rater p1 is in group 'boss', not a group of panel team_leader"),
        ("jobeval-group-count", "group same_division_peer has 3 raters; panel team_leader declares 4"),
        ("jobeval-level-range", "rater p2, factor expertise: level 6 is outside 1..5"),
        ("jobeval-missing-level", "rater p3 gives no level for factor communication"),
    ]
    assert result.problems[0].suggestion == "use one of: superior, same_division_peer, other_division_peer"
    # only p4 (780) is left in the same-division group: 780 x 40% = 312
    # total 78 + 312 + 351.3 = 741.3 -> 741 -> J2
    assert result.groups[1].counted == 1
    assert result.total == Decimal("741.3")


def test_unknown_family_is_a_problem_not_an_exception() -> None:
    result = evaluate_job(POLICY, JobInput("X-1", "team_member", "e1", ()))
    assert [(p.rule, p.message) for p in result.problems] == [
        ("jobeval-unknown-family", "job X-1: no point table for family 'team_member'"),
    ]


MEETING = {
    "registered": 9, "present": 6, "recused": 1, "in_favour": 3, "against": 2, "external_registered": 2
}


def test_committee_adjustment_recorded_next_to_the_proposed_grade() -> None:
    # 6 * 2 > 9 opens; 3 * 2 > 6 - 1 passes; 2 external members >= 2
    result = evaluate_job(POLICY, job(panel(), Adjustment("J1", "job_grade_committee", MEETING)))
    assert (result.proposed_grade, result.final_grade) == ("J2", "J1")
    assert result.adjustment_outcome is not None and result.adjustment_outcome.stands
    assert result.trace[-1] == "committee job_grade_committee adjusts J2 -> J1"


def test_adjustment_that_did_not_pass_keeps_the_proposed_grade() -> None:
    # 2 yes of 5 voting: 2 * 2 = 4 > 5 is false. A lawful vote against is an outcome, not a problem.
    meeting = {**MEETING, "in_favour": 2, "against": 3}
    result = evaluate_job(POLICY, job(panel(), Adjustment("J1", "job_grade_committee", meeting)))
    assert result.final_grade == "J2"
    assert result.problems == ()
    assert result.adjustment_outcome is not None
    assert (result.adjustment_outcome.lawful_no, result.adjustment_outcome.verdict) == (True, "voted down")
    assert result.trace[-1] == (
        "committee job_grade_committee did not adopt the adjustment to J1 (voted down): "
        "opened: present * 2 > registered, 6 * 2 > 9 is true; "
        "decision fails: in_favour * 2 > present - recused, 2 * 2 > 6 - 1 is false; "
        "composition ok: 2 external members registered, needs at least 2; the proposed grade J2 stays"
    )


def test_adjustment_to_an_undeclared_grade() -> None:
    result = evaluate_job(POLICY, job(panel(), Adjustment("J9", "job_grade_committee", MEETING)))
    assert result.final_grade == "J2"
    assert [p.rule for p in result.problems] == ["jobeval-adjustment-grade"]
    assert result.problems[0].suggestion == "use one of: J1, J2, J3, J4"


def test_job_from_record() -> None:
    record = {
        "job": "T-01",
        "family": "team_leader",
        "holder": "e100",
        "panel": [{"rater": "s1", "group": "superior", "rater_job": "B-01", "levels": same(1)}],
        "adjustment": {"grade": "J1", "committee": "job_grade_committee", "meeting": MEETING},
    }
    built = job_from_record(record, ("jobs", 3))
    assert built.panel[0] == Rating("s1", "superior", "B-01", same(1))
    assert built.adjustment == Adjustment("J1", "job_grade_committee", MEETING)
    with pytest.raises(DataError, match=r"^\$\.jobs\[3\]\.panel\[0\]: missing 'levels'$"):
        job_from_record({**record, "panel": [{"rater": "s1", "group": "superior"}]}, ("jobs", 3))


def seed_policy(name: str) -> dict[str, Any]:
    """A shipped policy through the real loader and every validation (it must be valid)."""
    return load_policy(str(POLICIES / name)).data


def test_kepco_policy_file_grades_the_hand_worked_panel() -> None:
    # same panel as above: total 764.7 -> 765; kepco's assumed bands: J3 is 700 <= total < 800
    kepco = seed_policy("kepco_like.yaml")
    # kepco checks the raters' relations (제9조③) and wants an SME on the panel (제9조②)
    where = {
        "superior": ("D1", ""),
        "same_division_peer": ("D1", "team_leader"),
        "other_division_peer": ("D2", "team_leader"),
    }
    ratings = [replace(r, division=where[r.group][0], position=where[r.group][1]) for r in panel()]
    ratings[1] = replace(ratings[1], sme=True)
    # the 직무등급심의위원회 of 제12조②, seated as kepco_like declares it (tests/helpers.py)
    seated = {**MEETING, "members": [{"id": m, "role": r} for m, r in GRADE_COMMITTEE]}
    adjusted = job(ratings, Adjustment("J2", "job_grade_committee", seated))
    # kepco: the job-grade committee decides (its adjustment above stands) and the president approves
    president = (Approval("president", True, "사장"),)
    approved = replace(adjusted, division="D1", superior="s1", approvals=president)
    result = evaluate_job(kepco, approved)
    assert result.problems == ()
    assert (result.total, result.rounded, result.proposed_grade, result.final_grade) == (
        Decimal("764.7"),
        Decimal(765),
        "J3",
        "J2",
    )
