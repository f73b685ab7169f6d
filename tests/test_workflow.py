"""Workflows: working-day deadlines, objection records, goal changes, mid-term targets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from engine.errors import DataError, PolicyInvalid
from engine.workflow import (
    Calendar,
    GoalChange,
    GoalLine,
    Objection,
    as_date,
    check_goal_change,
    check_objection,
    check_objections,
    midterm_targets,
    objection_deadline,
    with_targets,
)

# Seollal 2026: Mon 16 - Wed 18 February.
SEOLLAL = ["2026-02-16", "2026-02-17", "2026-02-18"]

POLICY: dict[str, Any] = {
    "indicator_rules": {"weight": {"total": 100}},
    "workflows": {
        "calendar": {"weekend": ["sat", "sun"], "holidays": SEOLLAL},
        "objections": {
            "window": {"working_days": 5, "from": "result_notice"},
            "per_indicator": True,
            "periods": ["midterm", "final"],
            "rounds": [{"round": 1, "handler": "section_head"}, {"round": 2, "handler": "department_head"}],
        },
        "goal_changes": {
            "reasons": [{"id": "uncontrollable"}, {"id": "strategy_change"}, {"id": "reorganisation"}],
            "windows": [
                {"phase": "before_midterm", "allowed": False},
                {"phase": "at_midterm", "allowed": True, "batch": True},
                {"phase": "after_midterm", "allowed": True, "reasons": ["uncontrollable"]},
            ],
            "history": True,
            "midterm_uses": "original_targets",
            "removal_needs_replacement": True,
        },
    },
}

NOTICE = date(2026, 2, 12)  # a Thursday


# --- calendar and deadline -------------------------------------------------------------------


def test_deadline_skips_weekend_and_holidays() -> None:
    # Counting starts the day after the notice (Thu 12 Feb): Fri 13 = 1; Sat 14, Sun 15 weekend;
    # Mon 16 - Wed 18 Seollal; Thu 19 = 2, Fri 20 = 3, Mon 23 = 4, Tue 24 = 5 -> 24 February.
    assert objection_deadline(NOTICE, POLICY) == date(2026, 2, 24)


def test_deadline_without_holidays() -> None:
    # Same notice, no holidays: Fri 13 = 1, Mon 16 = 2, Tue 17 = 3, Wed 18 = 4, Thu 19 = 5.
    policy = {"workflows": {**POLICY["workflows"], "calendar": {"weekend": ["sat", "sun"]}}}
    assert objection_deadline(NOTICE, policy) == date(2026, 2, 19)


def test_notice_day_itself_never_counts() -> None:
    # Notice Mon 9 March (a working day, not counted): Tue 10 = 1 ... Fri 13 = 4, Mon 16 = 5.
    assert objection_deadline(date(2026, 3, 9), POLICY) == date(2026, 3, 16)


def test_calendar_defaults_and_working_days() -> None:
    calendar = Calendar.from_policy({"workflows": {"calendar": {"holidays": ["2026-01-01"]}}})
    assert calendar.weekend == frozenset({5, 6})  # sat, sun when no weekend is declared
    assert not calendar.is_working_day(date(2026, 1, 1))  # declared holiday (a Thursday)
    # (Wed 31 Dec, Mon 5 Jan]: Thu 1 holiday, Fri 2 works, Sat/Sun off, Mon 5 works -> 2.
    assert calendar.working_days_between(date(2025, 12, 31), date(2026, 1, 5)) == 2


def test_working_days_between_counts_whole_weeks_and_holidays() -> None:
    calendar = Calendar.from_policy(POLICY)
    # (Sun 4 Jan, Sun 1 Mar 2026] is 56 days = 8 whole weeks = 8 x 5 = 40 weekdays, minus the three
    # Seollal weekdays (Mon 16 - Wed 18 Feb) = 37.
    assert calendar.working_days_between(date(2026, 1, 4), date(2026, 3, 1)) == 37
    # The whole calendar: (Mon 0001-01-01, Fri 9999-12-31] is 3,652,058 days = 521,722 weeks and
    # 4 days (Tue-Fri, all working) -> 521,722 x 5 + 4 = 2,608,614, counted without a day-by-day walk.
    plain = Calendar(frozenset({5, 6}), frozenset())
    assert plain.working_days_between(date.min, date.max) == 2_608_614


def test_deadline_at_the_end_of_the_calendar() -> None:
    # Notice Fri 9999-12-24: Mon 27 = 1, Tue 28 = 2, Wed 29 = 3, Thu 30 = 4, Fri 31 = 5: the last date.
    assert objection_deadline(date(9999, 12, 24), POLICY) == date(9999, 12, 31)
    # Notice Tue 9999-12-28: Wed 29 = 1, Thu 30 = 2, Fri 31 = 3, and there is no 4th working day.
    message = "no deadline: 5 working days after 9999-12-28 run past 9999-12-31, the last date there is"
    with pytest.raises(DataError) as info:
        objection_deadline(date(9999, 12, 28), POLICY)
    assert str(info.value) == message
    late = Objection("e1", "final", 1, date(9999, 12, 31), date(9999, 12, 31), ("kpi_1",))
    with pytest.raises(DataError) as info:
        check_objection(late, POLICY)
    assert str(info.value) == message.replace("9999-12-28", "9999-12-31")


def test_as_date_takes_the_records_reader_date_rule() -> None:
    assert as_date("2026-04-01", "notice") == date(2026, 4, 1)
    assert as_date(" 2026-04-01 ", "notice") == date(2026, 4, 1)
    # A date-time (an Excel cell, a YAML timestamp) is its day, not the date-time itself.
    day = as_date(datetime(2026, 4, 1, 9, 30), "notice")
    assert (type(day), day) == (date, date(2026, 4, 1))
    # Only YYYY-MM-DD: the basic form and week dates that date.fromisoformat also takes are refused.
    for text in ("20260401", "2026-W14-3", "2026-4-1", "2026-02-30"):
        with pytest.raises(DataError) as info:
            as_date(text, "notice")
        assert str(info.value) == f"notice: {text!r} is not a date (YYYY-MM-DD)"


def test_calendar_without_any_working_day_is_rejected() -> None:
    week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    with pytest.raises(PolicyInvalid, match="the calendar has no working day"):
        Calendar.from_policy({"workflows": {"calendar": {"weekend": week}}})


def test_no_objection_window_declared() -> None:
    with pytest.raises(PolicyInvalid, match=r"\[objection-not-declared\] the policy declares no objections"):
        objection_deadline(NOTICE, {"workflows": {}})


# --- objections ------------------------------------------------------------------------------


def objection(
    filed: date, round_: int = 1, indicators: tuple[str, ...] = ("kpi_1",), period: str = "final"
) -> Objection:
    return Objection("e1", period, round_, NOTICE, filed, indicators)


def test_objection_one_working_day_late_across_weekend_and_holiday() -> None:
    # Deadline Tue 24 Feb (see above); filed Wed 25 Feb: (24, 25] holds one working day.
    problems = check_objection(objection(date(2026, 2, 25)), POLICY)
    assert [(p.rule, p.employee, p.message) for p in problems] == [
        (
            "objection-late",
            "e1",
            "objection filed 2026-02-25, after the deadline 2026-02-24 (5 working days from the day "
            "after the notice of 2026-02-12): 1 working day late",
        )
    ]


def test_objection_on_the_deadline_is_in_time() -> None:
    assert check_objection(objection(date(2026, 2, 24)), POLICY) == []


def test_objection_needs_indicators_and_a_declared_period() -> None:
    problems = check_objection(objection(date(2026, 2, 13), indicators=(), period="q3"), POLICY)
    assert [(p.rule, p.message) for p in problems] == [
        ("objection-period", "results of period 'q3' cannot be objected to (allowed: midterm, final)"),
        ("objection-no-indicator", "objections are made per indicator: name the indicators objected to"),
    ]


def test_objection_before_notice() -> None:
    problems = check_objection(objection(date(2026, 2, 11)), POLICY)
    assert [p.message for p in problems] == ["objection filed 2026-02-11, before the notice of 2026-02-12"]


def test_round_two_only_after_round_one_per_indicator() -> None:
    first = objection(date(2026, 2, 13), 1, ("kpi_1",))
    second = objection(date(2026, 2, 19), 2, ("kpi_1", "kpi_2"))
    problems = check_objection(second, POLICY, [first])
    # kpi_1 went through round 1; kpi_2 did not.
    assert [(p.rule, p.indicator, p.message) for p in problems] == [
        ("objection-round-order", "kpi_2", "round 2 on indicator kpi_2 without an earlier round 1"),
    ]
    # No earlier record at all: round 2 on kpi_1 is out of order.
    alone = check_objection(objection(date(2026, 2, 19), 2), POLICY)
    assert [(p.rule, p.indicator) for p in alone] == [("objection-round-order", "kpi_1")]
    # A round 1 filed on another period does not open round 2 here.
    other = objection(date(2026, 2, 13), 1, period="midterm")
    assert [p.rule for p in check_objection(second, POLICY, [other, first])] == ["objection-round-order"]


def test_undeclared_round_and_duplicates() -> None:
    problems = check_objection(objection(date(2026, 2, 13), 3), POLICY)
    assert [p.message for p in problems] == ["round 3 is not declared (rounds: 1, 2)"]
    records = [objection(date(2026, 2, 13)), objection(date(2026, 2, 19))]
    assert [(p.rule, p.message) for p in check_objections(records, POLICY)] == [
        ("objection-duplicate", "round 1 on indicator kpi_1 was already filed"),
    ]


def test_objection_from_record() -> None:
    record = {
        "employee": "e9",
        "period": "midterm",
        "round": 2,
        "notice": "2026-07-20",
        "filed": date(2026, 7, 21),
        "indicators": ["kpi_1"],
    }
    assert Objection.from_record(record) == Objection(
        "e9", "midterm", 2, date(2026, 7, 20), date(2026, 7, 21), ("kpi_1",)
    )
    with pytest.raises(DataError, match="objection record lacks 'filed'"):
        Objection.from_record({"employee": "e9", "period": "final", "notice": "2026-07-20"})
    with pytest.raises(DataError, match="notice: '2026-13-01' is not a date"):
        Objection.from_record({**record, "notice": "2026-13-01"})


# --- goal changes ----------------------------------------------------------------------------

SHEET = (
    GoalLine("kpi_1", Decimal(40), Decimal(100)),
    GoalLine("kpi_2", Decimal(30), Decimal(50)),
    GoalLine("improve", Decimal(30)),
)


def change(
    phase: str, after: tuple[GoalLine, ...], reason: str = "reorganisation", batch: str | None = "b1"
) -> GoalChange:
    # dated: the policy keeps a history (history: true), ordered by the date
    return GoalChange("e1", reason, phase, SHEET, after, batch, date(2026, 7, 20))


# kpi_1's target moves from 100 to 80; weights unchanged (40 + 30 + 30 = 100).
RETARGETED = (GoalLine("kpi_1", Decimal(40), Decimal(80)), SHEET[1], SHEET[2])


def test_change_before_midterm_rejected() -> None:
    problems = check_goal_change(change("before_midterm", RETARGETED, "uncontrollable"), POLICY)
    assert [(p.rule, p.employee, p.message) for p in problems] == [
        ("goal-change-closed", "e1", "goals cannot be changed in phase 'before_midterm'"),
    ]


def test_batch_change_at_midterm_accepted() -> None:
    # One batch: kpi_1 re-targeted and kpi_2 replaced by kpi_3 (weights 40 + 30 + 30 = 100).
    after = (RETARGETED[0], GoalLine("kpi_3", Decimal(30), Decimal(12), replaces="kpi_2"), SHEET[2])
    first = change("at_midterm", after)
    assert check_goal_change(first, POLICY) == []
    # A second change at the mid-term in another batch breaks the one-batch rule.
    second = GoalChange("e1", "reorganisation", "at_midterm", after, after, "b2", date(2026, 7, 21))
    assert [p.message for p in check_goal_change(second, POLICY, [first])] == [
        "phase 'at_midterm' takes all changes in one batch; an earlier change was made in batch 'b1'",
    ]
    # The same batch id is the same batch.
    same = GoalChange("e1", "reorganisation", "at_midterm", after, after, "b1", date(2026, 7, 21))
    assert check_goal_change(same, POLICY, [first]) == []


def test_after_midterm_only_listed_reasons() -> None:
    problems = check_goal_change(change("after_midterm", RETARGETED, "reorganisation"), POLICY)
    assert [(p.rule, p.message) for p in problems] == [
        (
            "goal-change-reason-in-phase",
            "in phase 'after_midterm' only these reasons allow a change: uncontrollable",
        ),
    ]
    assert check_goal_change(change("after_midterm", RETARGETED, "uncontrollable"), POLICY) == []


def test_unknown_reason_and_phase() -> None:
    problems = check_goal_change(change("year_end", RETARGETED, "whim"), POLICY)
    assert [p.message for p in problems] == [
        "'whim' is not an allowed reason (allowed: uncontrollable, strategy_change, reorganisation)",
        "phase 'year_end' is not a declared window (windows: before_midterm, at_midterm, after_midterm)",
    ]


def test_removal_without_replacement_rejected() -> None:
    # kpi_2 dropped and its 30 moved to kpi_1 (70 + 30 = 100): weights fine, no replacement.
    after = (GoalLine("kpi_1", Decimal(70), Decimal(100)), SHEET[2])
    problems = check_goal_change(change("at_midterm", after), POLICY)
    assert [(p.rule, p.indicator, p.message) for p in problems] == [
        (
            "goal-change-no-replacement",
            "kpi_2",
            "indicator kpi_2 is removed without a replacement (a new line with replaces: kpi_2)",
        ),
    ]


def test_weights_must_be_rebalanced() -> None:
    # kpi_3 replaces kpi_2 but with weight 20: 40 + 20 + 30 = 90, not 100.
    after = (SHEET[0], GoalLine("kpi_3", Decimal(20), replaces="kpi_2"), SHEET[2])
    problems = check_goal_change(change("at_midterm", after), POLICY)
    assert [(p.rule, p.message) for p in problems] == [
        ("goal-change-weights", "weights add up to 90 after the change, not 100"),
    ]


def test_weights_unchecked_when_the_policy_declares_no_total() -> None:
    # kpi_3 replaces kpi_2 with weight 20: 40 + 20 + 30 = 90. With no indicator_rules.weight.total
    # the goal sheet has no sum rule, so neither has a change.
    after = (SHEET[0], GoalLine("kpi_3", Decimal(20), replaces="kpi_2"), SHEET[2])
    for rules in ({}, {"weight": {"min": 5, "max": 40}}):
        policy = {**POLICY, "indicator_rules": rules}
        assert check_goal_change(change("at_midterm", after), policy) == []
    no_rules = {key: value for key, value in POLICY.items() if key != "indicator_rules"}
    assert check_goal_change(change("at_midterm", after), no_rules) == []


def test_weights_per_category_scope() -> None:
    # total_scope category: each category must reach 50. perf 40 + 10 = 50; common 30 + 30 = 60.
    policy = {**POLICY, "indicator_rules": {"weight": {"total": 50, "total_scope": "category"}}}
    after = (
        GoalLine("a", Decimal(40), category="perf"),
        GoalLine("b", Decimal(10), category="perf"),
        GoalLine("c", Decimal(30), category="common"),
        GoalLine("d", Decimal(30), category="common"),
    )
    before = after
    dated = GoalChange("e1", "reorganisation", "at_midterm", before, after, None, date(2026, 7, 20))
    problems = check_goal_change(dated, policy)
    assert [p.message for p in problems] == [
        "weights of category common add up to 60 after the change, not 50"
    ]


def test_midterm_uses_targets_before_the_change() -> None:
    history = [change("at_midterm", RETARGETED)]
    targets = midterm_targets(RETARGETED, history, POLICY)
    assert targets == SHEET and targets[0].target == Decimal(100)  # not the changed 80
    current = {"workflows": {"goal_changes": {"midterm_uses": "current_targets"}}}
    assert midterm_targets(RETARGETED, history, current)[0].target == Decimal(80)
    assert midterm_targets(RETARGETED, [], POLICY) == RETARGETED  # no change: the sheet as it is
    records: list[dict[str, Any]] = [
        {"id": "kpi_1", "actual": Decimal(90), "target": Decimal(80)},
        {"id": "kpi_9"},
    ]
    assert with_targets(records, targets) == [{"id": "kpi_1", "actual": Decimal(90), "target": Decimal(100)}]


def test_policy_without_goal_change_rules_checks_nothing() -> None:
    assert check_goal_change(change("before_midterm", RETARGETED), {"workflows": {}}) == []
