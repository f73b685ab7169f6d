"""Evaluator chains: chain selection, stage results, overrides, evaluator levels, confirmations."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from engine.chains import ChainRules, NoChain, compile_chains, employee_env, review
from engine.cli import cli
from engine.errors import PolicyInvalid, Problem
from engine.io.records import EmployeeRecord, IndicatorRecord
from engine.validate import load_policy
from tests.conftest import POLICIES

ORIGIN = "data.yaml:3:5"


@cache
def policy_data(name: str) -> dict[str, Any]:
    return load_policy(str(POLICIES / f"{name}.yaml")).data


def rules_of(name: str) -> ChainRules:
    return compile_chains(policy_data(name))


def person(
    fields: Mapping[str, Any],
    evaluations: list[dict[str, Any]],
    ratings: tuple[str, ...] = (),
    pid: str = "E1",
) -> EmployeeRecord:
    lines = tuple(
        IndicatorRecord({"title": f"item {i}", "rating": r}, f"{ORIGIN}:{i}") for i, r in enumerate(ratings)
    )
    return EmployeeRecord(pid, dict(fields), lines, {}, tuple(evaluations), ORIGIN)


def problem(rule: str, message: str, indicator: int | None = None, pid: str = "E1") -> Problem:
    return Problem(pid, indicator, rule, message, ORIGIN)


# --- chain selection (kepco) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "position", "chain", "stages"),
    [
        # HQ section head: department head rates absolutely, then the responsible executive relatively.
        (
            "hq",
            "section_head",
            "hq_section_head",
            [("first", "department_head", "absolute"), ("second", "responsible_executive", "relative")],
        ),
        (
            "hq",
            "member",
            "hq_member",
            [("first", "section_head", "absolute"), ("second", "department_head", "relative")],
        ),
        # Branch section head: the branch head only, relatively, one stage.
        ("branch", "section_head", "branch_section_head", [("first", "branch_head", "relative")]),
        (
            "branch",
            "member",
            "branch_member",
            [("first", "section_head", "absolute"), ("second", "department_head", "relative")],
        ),
    ],
)
def test_kepco_chain_selection(
    unit: str, position: str, chain: str, stages: list[tuple[str, str, str]]
) -> None:
    chosen = rules_of("kepco_like").chain_for({"unit": unit, "position": position})
    assert chosen.id == chain
    assert [(s.id, s.evaluator, s.mode) for s in chosen.stages] == stages


def test_no_chain_applies() -> None:
    rules = rules_of("kepco_like")
    with pytest.raises(NoChain) as caught:
        rules.chain_for({"unit": "hq", "position": None})
    assert str(caught.value) == (
        "no evaluator chain applies (chains: hq_section_head, hq_member, branch_section_head, branch_member);"
        " no condition holds: hq_section_head ('hq' == 'hq' and None == 'section_head'),"
        " hq_member ('hq' == 'hq' and None == 'member'), branch_section_head ('hq' == 'branch' and"
        " None == 'section_head'), branch_member ('hq' == 'branch' and None == 'member')"
    )


def test_catch_all_chain_is_taken_when_nothing_else_matches() -> None:
    rules = rules_of("kumho_like")  # one chain, all_staff, without `when`
    assert rules.chain_for({"role_grade": "K4"}).id == "all_staff"


def test_branch_section_head_one_stage_is_final() -> None:
    rules = rules_of("kepco_like")
    record = person(
        {"unit": "branch", "position": "section_head"}, [{"stage": "first", "evaluator": "B01", "grade": "A"}]
    )
    outcome = review(rules, record, employee_env(rules, record))
    assert outcome.chain == "branch_section_head"
    assert [(s.stage, s.role, s.mode, s.evaluator, s.value) for s in outcome.stages] == [
        ("first", "branch_head", "relative", "B01", "A")
    ]
    assert outcome.proposed_grade() == "A"
    assert outcome.final == "A"
    assert outcome.problems == ()


def test_hq_section_head_keeps_every_stage_and_the_last_value() -> None:
    rules = rules_of("kepco_like")
    evaluations = [
        {"stage": "first", "evaluator": "D01", "grade": "B"},
        {"stage": "second", "evaluator": "X01", "grade": "A", "reason": "ranked 1st of 6 sections"},
    ]
    record = person({"unit": "hq", "position": "section_head"}, evaluations)
    outcome = review(rules, record, employee_env(rules, record))
    assert [(s.stage, s.value) for s in outcome.stages] == [("first", "B"), ("second", "A")]
    assert (outcome.proposed_grade(), outcome.final, outcome.reason()) == (
        "B",
        "A",
        "ranked 1st of 6 sections",
    )
    assert outcome.problems == ()


def test_missing_and_unknown_and_repeated_stages() -> None:
    rules = rules_of("kepco_like")
    evaluations = [
        {"stage": "first", "evaluator": "S01", "grade": "B"},
        {"stage": "first", "evaluator": "S02", "grade": "C"},
        {"stage": "third", "evaluator": "X09", "grade": "A"},
    ]
    record = person({"unit": "hq", "position": "member"}, evaluations)
    outcome = review(rules, record, employee_env(rules, record))
    assert outcome.stages[1].given is False
    # Only the first evaluation of stage 'first' counts; the missing stage 2 gives nothing.
    assert outcome.final == "B"
    assert outcome.problems == (
        problem(
            "chain-duplicate-stage", "stage 'first' is evaluated more than once; evaluation 2 is ignored"
        ),
        problem(
            "chain-unknown-stage",
            "evaluation 3 is for stage 'third', which chain 'hq_member' does not have "
            "(its stages: first, second)",
        ),
        problem(
            "chain-stage-missing",
            "no evaluation for stage 'second' (department_head, relative) of chain 'hq_member'",
        ),
    )


def test_nobody_evaluates_themselves_nor_signs_two_stages() -> None:
    rules = rules_of("kepco_like")
    evaluations = [
        {"stage": "first", "evaluator": "E1", "grade": "B"},
        {"stage": "second", "evaluator": "E1", "grade": "B"},
    ]
    record = person({"unit": "hq", "position": "member", "department": "d1"}, evaluations)
    outcome = review(rules, record, employee_env(rules, record))
    self_problems = [p for p in outcome.problems if p.rule.startswith("chain-s")]
    assert self_problems == [
        problem(
            "chain-self-evaluation",
            "stage 'first' is signed by the employee E1; an employee never evaluates themselves",
        ),
        problem(
            "chain-self-evaluation",
            "stage 'second' is signed by the employee E1; an employee never evaluates themselves",
        ),
    ]
    twice = person(
        {"unit": "hq", "position": "member", "department": "d1"},
        [
            {"stage": "first", "evaluator": "S01", "grade": "B"},
            {"stage": "second", "evaluator": "S01", "grade": "B"},
        ],
    )
    outcome = review(rules, twice, employee_env(rules, twice))
    assert [p for p in outcome.problems if p.rule == "chain-same-evaluator"] == [
        problem(
            "chain-same-evaluator",
            "stages 'first' and 'second' are both signed by S01; each stage is another person's evaluation",
        )
    ]


def test_a_mid_term_check_signed_by_the_employee_does_not_count(tmp_path: Path) -> None:
    """The July check's stages recorded in employee columns (stage ``field``) are held to the
    same rule: K002 signing both of its own checks is a problem, and the sheet is not scored."""
    text = (POLICIES.parent / "examples/kepco_like/employees.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    k002 = next(e for e in data["employees"] if e["id"] == "K002")
    k002["midterm_checked_by"] = "K002"
    k002["midterm_confirmed_by"] = "K002"
    path = tmp_path / "employees.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["evaluate", str(POLICIES / "kepco_like.yaml"), str(path), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    assert "chain-self-evaluation" in result.output
    assert "stage 'first' is signed by the employee K002" in result.output
    assert "stages 'first' and 'second'" not in result.output  # the employee's own, not a second person's


# --- overrides need a reason ---------------------------------------------------------------


def kepco_with_reasons(required: bool = True) -> ChainRules:
    """kepco_like's chains with hq_section_head's 2nd stage asking (or not) for override reasons."""
    data = copy.deepcopy(policy_data("kepco_like"))
    data["evaluator_chains"]["hq_section_head"]["stages"][1]["override_needs_reason"] = required
    return compile_chains(data)


OVERRIDE = problem(
    "chain-override-reason",
    "stage 'second' changes the grade from B to A without a reason; "
    "the policy requires one (override_needs_reason)",
)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ({"grade": "A"}, [OVERRIDE]),  # B -> A without a reason: the stage declares override_needs_reason
        ({"grade": "A", "reason": "   "}, [OVERRIDE]),  # a blank reason is no reason
        ({"grade": "A", "reason": "led the merger"}, []),
        ({"grade": "B"}, []),  # confirming the same grade is no override
    ],
)
def test_override_without_reason(second: dict[str, Any], expected: list[Problem]) -> None:
    rules = kepco_with_reasons()
    evaluations = [
        {"stage": "first", "evaluator": "D01", "grade": "B"},
        {"stage": "second", "evaluator": "X01", **second},
    ]
    record = person({"unit": "hq", "position": "section_head"}, evaluations)
    assert list(review(rules, record, employee_env(rules, record)).problems) == expected


def test_the_kepco_policy_asks_for_override_reasons_at_every_second_stage() -> None:
    chains = policy_data("kepco_like")["evaluator_chains"]
    asks = {name: [s.get("override_needs_reason", False) for s in c["stages"]] for name, c in chains.items()}
    assert asks == {
        # the July check: the 부서장's 2nd check adjusting the 부장's 1st gives its reason too
        "midterm_member": [False, True],
        "midterm_hq_section_head": [False],
        "midterm_branch_section_head": [False],
        "hq_section_head": [False, True],
        "hq_member": [False, True],
        "branch_section_head": [False],
        "branch_member": [False, True],
    }


def test_override_is_allowed_where_the_stage_does_not_ask_for_a_reason() -> None:
    rules = kepco_with_reasons(required=False)
    evaluations = [
        {"stage": "first", "evaluator": "D01", "grade": "B"},
        {"stage": "second", "evaluator": "X01", "grade": "A"},
    ]
    record = person({"unit": "hq", "position": "section_head"}, evaluations)
    assert review(rules, record, employee_env(rules, record)).problems == ()


def test_override_checked_per_distribution_and_per_rating() -> None:
    data = copy.deepcopy(policy_data("kepco_like"))
    # two distributions graded on kepco's scale (S-D) beside its own `grade`
    grade = data["distributions"]["grade"]
    data["distributions"].update({"performance": grade, "job": grade})
    rules = compile_chains(data)
    evaluations = [
        {"stage": "first", "evaluator": "D01", "grades": {"performance": "B", "job": "A"}},
        {"stage": "second", "evaluator": "X01", "grades": {"performance": "C", "job": "A"}},
    ]
    record = person({"unit": "hq", "position": "section_head"}, evaluations)
    outcome = review(rules, record, employee_env(rules, record))
    assert (outcome.proposed_grade("performance"), outcome.final_grade("performance")) == ("B", "C")
    assert outcome.final_grade("job") == "A"
    assert [p.message for p in outcome.problems] == [
        "stage 'second' changes the performance grade from B to C without a reason; "
        "the policy requires one (override_needs_reason)"
    ]


def test_stage_evaluator_level() -> None:
    data = copy.deepcopy(policy_data("kepco_like"))
    data["evaluator_chains"]["hq_member"]["stages"][1]["evaluator_level"] = "department"
    rules = compile_chains(data)
    evaluations = [
        {"stage": "first", "evaluator": "S01", "grade": "B"},
        {"stage": "second", "evaluator": "S07", "evaluator_level": "section", "grade": "B"},
    ]
    record = person({"unit": "hq", "position": "member"}, evaluations)
    outcome = review(rules, record, employee_env(rules, record))
    assert outcome.problems == (
        problem(
            "chain-evaluator-level",
            "stage 'second' needs an evaluator of level 'department'; S07 has level 'section'",
        ),
    )


def test_conditions_are_compiled_once_and_checked() -> None:
    data = {
        "inputs": {"employee": {"unit": {"type": "string"}}},
        "evaluator_chains": {
            "a": {
                "when": "unti == 'hq'",
                "stages": [{"id": "first", "evaluator": "boss", "mode": "absolute"}],
            }
        },
        "confirmations": {"c": {"when": "rating == 'O'", "requires": {"stage": "first"}}},
    }
    with pytest.raises(PolicyInvalid) as caught:
        compile_chains(data)
    assert [(d.rule, d.location.path, d.message) for d in caught.value.diagnostics] == [
        (
            "chain-condition",
            "$.evaluator_chains.a.when",
            "invalid formula 'unti == 'hq'': unknown name 'unti' (did you mean 'unit'?)",
        ),
        (
            "confirmation-condition",
            "$.confirmations.c.when",
            "invalid formula 'rating == 'O'': unknown name 'rating'",
        ),
    ]


# --- confirmations (kumho: an O needs the executive 2nd evaluator) ---------------------------

BY_EXECUTIVE = "stage 'second' by an evaluator of level 'executive' must confirm it"
FIRST = {"stage": "first", "evaluator": "S100", "evaluator_level": "manager", "grade": "II"}
KUMHO = {"role_grade": "K3", "org": "civil_div"}


def kumho_confirmation_rules() -> ChainRules:
    """kumho_like's chains without the stage's own rules, so that confirmations stand alone."""
    data = copy.deepcopy(policy_data("kumho_like"))
    data["evaluator_chains"]["all_staff"]["stages"][1]["override_needs_reason"] = False
    del data["evaluator_chains"]["all_staff"]["stages"][1]["evaluator_level"]
    return compile_chains(data)


def kumho_review(evaluations: list[dict[str, Any]], ratings: tuple[str, ...]) -> list[Problem]:
    rules = kumho_confirmation_rules()
    record = person(KUMHO, evaluations, ratings)
    return list(review(rules, record, employee_env(rules, record)).problems)


def missing(indicator: int, why: str) -> Problem:
    return problem(
        "confirmation-missing",
        f"confirmation 'o_needs_executive' (rating == 'O') is missing: {why}",
        indicator,
    )


def test_o_confirmed_by_the_executive_second_evaluator() -> None:
    second = {
        "stage": "second",
        "evaluator": "X101",
        "evaluator_level": "executive",
        "grade": "I",
        "confirmed": True,
    }
    assert kumho_review([FIRST, second], ("O", "E", "O")) == []


def test_o_confirmation_missing_per_indicator() -> None:
    # Indicators 1 and 3 are rated O; the executive confirmed only indicator 1.
    second = {
        "stage": "second",
        "evaluator": "X101",
        "evaluator_level": "executive",
        "grade": "I",
        "confirmed": [1],
    }
    assert kumho_review([FIRST, second], ("O", "E", "O")) == [
        missing(
            3,
            f"{BY_EXECUTIVE}; X101 (level 'executive') did not confirm it",
        )
    ]


def test_o_confirmation_by_a_non_executive_counts_for_nothing() -> None:
    second = {
        "stage": "second",
        "evaluator": "M200",
        "evaluator_level": "manager",
        "grade": "I",
        "confirmed": True,
    }
    why = f"{BY_EXECUTIVE}; the evaluation is by M200 (level 'manager')"
    assert kumho_review([FIRST, second], ("O", "E", "O")) == [missing(1, why), missing(3, why)]


def test_o_confirmation_without_second_stage() -> None:
    why = f"{BY_EXECUTIVE}; there is no evaluation for stage 'second' and no signature in confirmed_by"
    assert kumho_review([FIRST], ("E", "O")) == [
        problem(
            "chain-stage-missing",
            "no evaluation for stage 'second' (executive_superior, relative) of chain 'all_staff'",
        ),
        missing(2, why),
    ]


def test_the_standing_rating_decides_whether_a_confirmation_is_needed() -> None:
    # The sheet says E, E; the 2nd evaluator raises indicator 2 to O (by number) and lowers
    # nothing; the 1st evaluator's O on indicator 1 is lowered to E by the 2nd: only 2 needs it.
    first = {**FIRST, "ratings": {1: "O"}}
    second: dict[str, Any] = {"stage": "second", "evaluator": "X101", "evaluator_level": "executive"}
    second["ratings"] = {1: "E", "2": "O"}
    why = f"{BY_EXECUTIVE}; X101 (level 'executive') did not confirm it"
    assert kumho_review([first, second], ("E", "E")) == [missing(2, why)]


def test_unknown_indicator_in_ratings() -> None:
    second = {"stage": "second", "evaluator": "X101", "evaluator_level": "executive", "ratings": {5: "O"}}
    assert kumho_review([FIRST, second], ("E", "E")) == [
        problem("chain-unknown-indicator", "evaluation 2 rates indicator 5; the sheet has 2 indicator(s)")
    ]


def test_kumho_second_stage_must_give_a_reason_to_change_the_proposed_grade() -> None:
    rules = rules_of("kumho_like")
    second = {"stage": "second", "evaluator": "X101", "evaluator_level": "executive", "grade": "I",
              "confirmed": True}
    record = person(KUMHO, [FIRST, second], ("O", "E", "O"))
    assert [p.message for p in review(rules, record, employee_env(rules, record)).problems] == [
        "stage 'second' changes the grade from II to I without a reason; "
        "the policy requires one (override_needs_reason)"
    ]


def test_kumho_second_stage_must_be_an_executive() -> None:
    rules = rules_of("kumho_like")
    second = {"stage": "second", "evaluator": "M200", "evaluator_level": "manager", "grade": "II"}
    record = person(KUMHO, [FIRST, second], ("E", "E", "M"))
    assert [p.message for p in review(rules, record, employee_env(rules, record)).problems] == [
        "stage 'second' needs an evaluator of level 'executive'; M200 has level 'manager'"
    ]
