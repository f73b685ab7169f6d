"""Issue 10 point 5: evaluator chains and confirmations are applied by ``evaluate``, ``explain`` and
``calibrate`` alike (one implementation, engine.chains.review), tried through the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from helpers import strip_stamps

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, strip_stamps(result.stdout), result.stderr


def one_employee(tmp_path: Path, source: Path, employee: str, evaluations: list[dict[str, Any]]) -> str:
    """A data file holding one employee of an example file, with these evaluations."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    record = next(e for e in data["employees"] if e["id"] == employee)
    record["evaluations"] = evaluations
    data["employees"] = [record]
    path = tmp_path / f"{employee}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


# Seed 004 slide 23: "탁월(O) 등급 부여시 ... 임원Level의 차상급자 서명의 확인절차 거쳐야 함" (an O needs the
# confirming signature of an executive-level next superior). C06 of the calibration example rates
# its 2nd goal line (안전사고 예방) O.
CALIBRATION = ROOT / "examples" / "kumho_like" / "calibration.yaml"
FIRST = {
    "stage": "first", "evaluator": "S100", "evaluator_level": "manager", "grades": {"performance": "III"}
}  # fmt: skip


def test_evaluate_refuses_an_o_without_the_executive_confirmation(tmp_path: Path) -> None:
    data = one_employee(tmp_path, CALIBRATION, "C06", [FIRST])
    code, out, err = invoke("evaluate", KUMHO, data)
    assert code == 1
    assert "policy kumho_like: 0 evaluated, 1 with problems" in out
    assert (
        "C06 indicator 2: error [confirmation-missing] confirmation 'o_needs_executive' (rating == 'O') is"
        " missing: stage 'second' by an evaluator of level 'executive' must confirm it; there is no"
        " evaluation for stage 'second' and no signature in confirmed_by\n"
    ) in out
    assert err == "hrpolicy: 1 employee(s) not evaluated; see the problems above\n"
    # Confirmed by the executive 2nd evaluator (X101, level executive): evaluated, exit 0.
    second = {"stage": "second", "evaluator": "X101", "evaluator_level": "executive", "confirmed": True}
    data = one_employee(tmp_path, CALIBRATION, "C06", [FIRST, {**second, "grades": {"performance": "III"}}])
    code, out, _ = invoke("evaluate", KUMHO, data)
    assert code == 0
    # performance = (60 x 50 + 40 x 100) / 100 = 70.00 (M = 50, O = 100); competency = 50.00 (all M)
    assert "C06  오시우      70.00                0.00              70.00             50.00  " in out


def test_a_made_up_stage_and_grades_outside_the_scale_are_problems(tmp_path: Path) -> None:
    """Seed 004 slide 25: two evaluators (1st direct superior, 2nd executive next superior); slide 23:
    overall grades I-V, item ratings O/E/M/B."""
    evaluations = [
        {**FIRST, "ratings": {"1": "Q"}},
        {"stage": "second", "evaluator": "X101", "evaluator_level": "executive", "confirmed": True,
         "grades": {"performance": "Q"}},
        {"stage": "third", "evaluator": "X900", "grade": "Q"},
    ]  # fmt: skip
    data = one_employee(tmp_path, CALIBRATION, "C06", evaluations)
    code, out, _ = invoke("evaluate", KUMHO, data, "--format", "json")
    assert code == 1
    code, _, err = invoke("evaluate", KUMHO, data, "--format", "csv")
    assert code == 1
    problems = [line.split(": error ", 1)[1] for line in err.splitlines() if ": error " in line]
    assert problems == [
        "[chain-rating-scale] evaluation 1 rates rating 'Q', not one of O, E, M, B",
        "[chain-grade-scale] evaluation 2 (stage 'second') gives performance grade 'Q', not one of I, II,"
        " III, IV, V",
        "[chain-unknown-stage] evaluation 3 is for stage 'third', which chain 'all_staff' does not have"
        " (its stages: first, second)",
        "[chain-override-reason] stage 'second' changes the performance grade from III to Q without a"
        " reason; the policy requires one (override_needs_reason)",
    ]
    # explain says the same for the one employee, and exits 1.
    code, out, err = invoke("explain", KUMHO, data, "--employee", "C06")
    assert (code, out) == (1, "")
    assert "[chain-unknown-stage] evaluation 3 is for stage 'third'" in err


def test_explain_shows_which_chain_applies_and_why() -> None:
    """Seed 000 "< 평가대상별 평가자 및 평가방식 >": a branch member (지사 부서원) is evaluated by the
    section head (부장, absolute) then the department head (부서장, relative)."""
    data = str(ROOT / "examples" / "kepco_like" / "employees.yaml")
    code, out, _ = invoke("explain", KEPCO, data, "--employee", "K006")
    assert code == 0
    assert out.endswith(
        "  evaluator chain:\n"
        # Seed 000 "3. 부장의 1차 점검", "5. 2차 점검 : 부서장": the July check, recorded in the example
        "    [chain] period 'midterm': chain 'midterm_member' (July mid-term check (members)) applies:"
        " position == 'member' holds ('member' == 'member')\n"
        "    [chain] period 'midterm': stage 'first' (section_head, absolute): by S610 (recorded in"
        " midterm_checked_by)\n"
        "    [chain] period 'midterm': stage 'second' (department_head, absolute): by H600 (recorded in"
        " midterm_confirmed_by)\n"
        "    [chain] chain 'branch_member' (Branch member) applies: unit == 'branch' and position =="
        " 'member' holds ('branch' == 'branch' and 'member' == 'member'); before it, no condition held:"
        " hq_section_head ('branch' == 'hq' and 'member' == 'section_head'), hq_member ('branch' =="
        " 'hq' and 'member' == 'member'), branch_section_head ('branch' == 'branch' and 'member' =="
        " 'section_head')\n"
        "    [chain] stage 'first' (section_head, absolute): no evaluation on record\n"
        "    [chain] stage 'second' (department_head, relative): no evaluation on record\n"
        # the grade: the policy's relative rule (an ASSUMPTION: ranked within department and position)
        "  relative:\n"
        "    [relative] grade = B: rank 1 of 1 in group (department=seoul_branch, position=member): quota"
        " S=0, A=0, B=1, C=0, D=0 seats (largest_remainder); rank 1 get B\n"
    )


def test_calibrate_reviews_the_chains_of_a_policy_without_distributions(tmp_path: Path) -> None:
    """kepco_like without its relative rule (the seed gives no ratios; the shipped policy assumes
    some): its chains are still reviewed. The 2nd stage (부서장, relative) that changes the 1st
    stage's result must give a reason (the policy's ASSUMPTION override_needs_reason)."""
    source = ROOT / "examples" / "kepco_like" / "employees.yaml"
    policy = yaml.safe_load((ROOT / "policies" / "kepco_like.yaml").read_text(encoding="utf-8"))
    del policy["distributions"]
    unruled = tmp_path / "kepco_like.yaml"
    unruled.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    kepco = str(unruled)
    first = {"stage": "first", "evaluator": "B310", "grade": "A"}
    silent = {"stage": "second", "evaluator": "B300", "grade": "B"}
    data = one_employee(tmp_path, source, "K006", [first, silent])
    code, out, err = invoke("calibrate", kepco, data)
    assert code == 1
    assert out.startswith(
        "== evaluator chains (the policy declares no distributions)\n"
        "K006:\n"
        "  period 'midterm': chain 'midterm_member' (July mid-term check (members)) applies: position =="
        " 'member' holds ('member' == 'member')\n"
        "  period 'midterm': stage 'first' (section_head, absolute): by S610 (recorded in"
        " midterm_checked_by)\n"
        "  period 'midterm': stage 'second' (department_head, absolute): by H600 (recorded in"
        " midterm_confirmed_by)\n"
        "  chain 'branch_member' (Branch member) applies: unit == 'branch' and position == 'member' holds"
    )
    assert (
        "  stage 'first' (section_head, absolute): by B310: grade A (unchecked: the policy declares no"
        " grade scale)\n"
        "  stage 'second' (department_head, relative): by B300: grade B (unchecked: the policy declares"
        " no grade scale)\n"
    ) in out
    assert (
        "K006: error [chain-override-reason] stage 'second' changes the grade from A to B without a"
        " reason; the policy requires one (override_needs_reason)\n"
    ) in out
    assert err == (
        "hrpolicy: calibration failed: 0 group(s) outside quota, 0 person(s) not graded, 1 problem(s)\n"
    )
    explained = {**silent, "reason": "지사간 부 평가결과 참조"}
    data = one_employee(tmp_path, source, "K006", [first, explained])
    code, out, _ = invoke("calibrate", kepco, data)
    assert code == 0
    assert out.endswith("result: every group within quota, no problems\n")
    # The same silent override is a problem for evaluate too (one implementation).
    data = one_employee(tmp_path, source, "K006", [first, silent])
    code, out, _ = invoke("evaluate", kepco, data)
    assert code == 1
    assert "[chain-override-reason] stage 'second' changes the grade from A to B without a reason" in out
