"""Committee quorum and decision rules (kepco job-evaluation committee, seed 003 article 10)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.formula import MEETING_FIELDS, check_formula, formula_scope
from engine.jobeval import MEETING_COUNTS, check_meeting

# kepco: open with a majority of registered members present; decide with a majority of the
# members present, where a recused member counts for the quorum but not for the decision.
KEPCO: dict[str, Any] = {
    "opens_when": "present * 2 > registered",
    "passes_when": "in_favour * 2 > present - recused",
    "min_external_members": 0,
}
# The same rule written wrongly, counting recused members as present for the decision.
COUNTS_RECUSED: dict[str, Any] = {**KEPCO, "passes_when": "in_favour * 2 > present"}

MEETING = {"registered": 9, "present": 6, "recused": 1, "in_favour": 3, "against": 1, "abstained": 1}


def test_kepco_meeting_opens_and_passes() -> None:
    # quorum: 6 present of 9 registered, 6 * 2 = 12 > 9 (6 > 4.5) -> opens
    # decision: 6 present - 1 recused = 5 voting members; 3 yes, 3 * 2 = 6 > 5 (3 > 2.5) -> passes
    outcome = check_meeting(KEPCO, MEETING)
    assert (outcome.opened, outcome.decided, outcome.stands) == (True, True, True)
    assert outcome.reasons == [
        "record: 9 registered, 6 present, 1 recused, 3 in_favour, 1 against, 1 abstained;"
        " 5 voting members present (present - recused)",
        "opened: present * 2 > registered, 6 * 2 > 9 is true",
        "decision passes: in_favour * 2 > present - recused, 3 * 2 > 6 - 1 is true",
    ]


def test_counting_the_recused_member_flips_the_decision() -> None:
    # the same meeting, but 3 yes against all 6 present: 3 * 2 = 6 > 6 is false -> fails
    outcome = check_meeting(COUNTS_RECUSED, MEETING)
    assert (outcome.opened, outcome.decided, outcome.stands) == (True, False, False)
    assert outcome.reasons[2] == "decision fails: in_favour * 2 > present, 3 * 2 > 6 is false"


def test_recused_member_still_counts_for_the_quorum() -> None:
    # 5 present of 9 (2 of them recused): 5 * 2 = 10 > 9 opens; 3 voting, 2 yes: 4 > 3 passes
    meeting = {"registered": 9, "present": 5, "recused": 2, "in_favour": 2, "against": 1}
    outcome = check_meeting(KEPCO, meeting)
    assert (outcome.opened, outcome.decided, outcome.stands) == (True, True, True)


def test_no_quorum_means_no_decision() -> None:
    # 4 present of 9: 4 * 2 = 8 > 9 is false; nothing is decided even with 4 yes
    outcome = check_meeting(KEPCO, {"registered": 9, "present": 4, "in_favour": 4})
    assert (outcome.opened, outcome.decided, outcome.stands) == (False, False, False)
    assert outcome.reasons[1:] == [
        "not opened: present * 2 > registered, 4 * 2 > 9 is false",
        "no decision: the meeting did not open",
    ]


def test_external_members_below_the_minimum_do_not_stand() -> None:
    spec = {**KEPCO, "min_external_members": 2}
    outcome = check_meeting(spec, {**MEETING, "external_registered": 1})
    assert (outcome.opened, outcome.decided, outcome.stands) == (True, True, False)
    assert outcome.reasons[-1] == "composition fails: 1 external members registered, needs at least 2"
    unknown = check_meeting(spec, MEETING)
    assert not unknown.stands
    assert unknown.reasons[-1] == (
        "composition unknown: no 'external_registered' count; needs at least 2 external members"
    )
    ok = check_meeting(spec, {**MEETING, "external_registered": 2})
    assert ok.stands
    assert ok.reasons[-1] == "composition ok: 2 external members registered, needs at least 2"


@pytest.mark.parametrize(
    ("meeting", "reason"),
    [
        ({"present": 6}, "invalid record: no 'registered' count"),
        ({"registered": 9, "present": 10}, "invalid record: 10 present but only 9 registered"),
        ({"registered": 9, "present": 6, "recused": 7}, "invalid record: 7 recused but only 6 present"),
        (
            {"registered": 9, "present": 6, "recused": 1, "in_favour": 4, "against": 2},
            "invalid record: 6 votes cast but only 5 voting members present",
        ),
        ({"registered": 9, "present": -1}, "invalid record: 'present' is -1, not a whole number >= 0"),
    ],
)
def test_inconsistent_records_never_stand(meeting: dict[str, Any], reason: str) -> None:
    outcome = check_meeting(KEPCO, meeting)
    assert (outcome.opened, outcome.decided, outcome.stands) == (False, False, False)
    assert outcome.reasons == [reason]


def test_notes_in_the_record_are_not_counts() -> None:
    outcome = check_meeting(KEPCO, {**MEETING, "item": "grade of job T-17"})
    assert outcome.stands


def test_a_condition_the_checks_accept_is_one_the_committee_can_judge() -> None:
    # One list of counts: a policy may write external_registered into opens_when (validation
    # reads MEETING_FIELDS), and the committee then judges it: 2 externals >= 2, 6 * 2 > 9.
    assert tuple(MEETING_FIELDS) == MEETING_COUNTS
    assert "external_registered" in MEETING_FIELDS
    rule = {**KEPCO, "opens_when": "present * 2 > registered and external_registered >= 2"}
    assert check_formula(rule["opens_when"], formula_scope({}, "meeting")) == []
    outcome = check_meeting(rule, {**MEETING, "external_registered": 2})
    assert outcome.reasons[1] == (
        "opened: present * 2 > registered and external_registered >= 2, 6 * 2 > 9 and 2 >= 2 is true"
    )
