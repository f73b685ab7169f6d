"""The record requirements' quick test (``_met``, no messages) agrees with the full one
(``unmet``, every message) on every record: one rule, checked by both paths alike."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.chains.requirements import DateRule, Party, Requirement, Signed, _met, unmet

REQUIREMENT = Requirement(
    "goal_agreement",
    "Goal agreement",
    None,
    ("plan",),
    (
        Party("agreed_by", "the superior", "first", False),
        Party("agreed_by_employee", "the employee", None, True),
    ),
    (
        DateRule("agreed_on", "2026-04-01", "2026-04-30", None),
        DateRule("reviewed_on", None, "2027-03-31", "agreed_on"),
    ),
    (),
)
PEOPLE = st.sampled_from([None, "", " ", "E1", "S1", "S2", " S1 "])
DAYS = st.sampled_from(
    [None, "", "2026-03-31", "2026-04-01", "2026-04-15", "2026-04-30", "2026-05-01", "2027-04-01"]
)


@settings(max_examples=400, deadline=None)
@given(
    plan=st.sampled_from([None, "", "  ", "p"]),
    agreed_by=PEOPLE,
    agreed_by_employee=PEOPLE,
    agreed_on=DAYS,
    reviewed_on=DAYS,
    evaluator=st.sampled_from([None, "S1", "S2"]),
    stage=st.sampled_from(["first", "second"]),
)
def test_the_quick_test_and_the_messages_agree(
    plan: Any,
    agreed_by: Any,
    agreed_by_employee: Any,
    agreed_on: Any,
    reviewed_on: Any,
    evaluator: str | None,
    stage: str,
) -> None:
    env = {
        "id": "E1",
        "plan": plan,
        "agreed_by": agreed_by,
        "agreed_by_employee": agreed_by_employee,
        "agreed_on": agreed_on,
        "reviewed_on": reviewed_on,
    }
    stages = [Signed(stage, evaluator)]
    assert _met(REQUIREMENT, env, {s.stage: s.evaluator for s in stages}) == (
        unmet(REQUIREMENT, env, stages) == []
    )
