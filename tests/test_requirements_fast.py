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


def test_the_review_keeps_every_field_of_the_outcome_when_adding_requirement_problems() -> None:
    # review._with_requirements builds the outcome field by field (dataclasses.replace was a fifth
    # of the review's time): every field not about requirements comes through unchanged, a field
    # added to ChainOutcome later included (the loop reads the dataclass's fields).
    from dataclasses import fields
    from types import SimpleNamespace

    from engine.chains.model import ChainOutcome, StageResult
    from engine.chains.review import _with_requirements
    from engine.errors import Problem

    earlier = Problem("E1", None, "chain-stage", "earlier", "x.csv:row 2")
    outcome = ChainOutcome(
        "E1",
        "standard",
        (StageResult("first", "absolute", "S1", True),),
        (earlier,),
        "why",
        "label",
        None,
        (ChainOutcome("E1", "mid", (), ()),),
        (earlier,),
    )
    warning = Requirement("plan", "Plan", None, ("plan",), (), (), (), "warning")
    rules = SimpleNamespace(requirements=(REQUIREMENT, warning))
    env = {"id": "E1", "agreed_by": "S1", "agreed_by_employee": "E1", "agreed_on": "2026-04-15"}
    done = _with_requirements(outcome, rules, env, "x.csv:row 2")  # type: ignore[arg-type]
    assert [p.message for p in done.problems] == [
        "earlier",
        "goal_agreement (Goal agreement): plan is missing",
        "goal_agreement (Goal agreement): reviewed_on is missing",
    ]
    assert [p.message for p in done.warnings] == ["earlier", "plan (Plan): plan is missing"]
    assert done.requirement_env is env
    changed = {"problems", "warnings", "requirement_env"}
    for f in fields(ChainOutcome):
        if f.name not in changed:
            assert getattr(done, f.name) is getattr(outcome, f.name), f.name
