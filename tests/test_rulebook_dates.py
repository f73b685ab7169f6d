"""Issue 10 point 6: the policy's effective period and the workflow windows are compared with the
dates in records; a goal change's phase follows from its date; a label contradicting it is a
problem. Through the command line, under kepco_like (effective 2026-02-01 to 2027-04-30).

Seed 000 "■ 목표 조정" 시기: "중간점검 이전 : 목표변경 불가하며, 중간점검 시 일괄 변경"; "중간점검 이후 :
변경요건을 명확히 정하여 제한적으로 목표변경 허용"; "최종평가 (1월~4월)" of the next year. The policy's
ASSUMPTION dates: the July check July 1-31, so before_midterm to June 30, after_midterm from August 1.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
LINES = """\
    before: [{id: a, weight: 70}, {id: b, weight: 30}]
    after: [{id: a, weight: 60}, {id: b, weight: 40}]
"""
RECORDS = f"""\
policy: kepco_like
objections:
  - {{employee: K002, period: final, round: 1, notice: "2026-07-16", filed: "2026-07-21", indicators: [a]}}
  - {{employee: K003, period: final, round: 1, notice: "2027-06-01", filed: "2027-06-02", indicators: [a]}}
goal_changes:
  - employee: K004
    reason: strategy_change
    phase: at_midterm
    made_on: "2026-01-15"
{LINES}  - employee: K005
    reason: strategy_change
    phase: at_midterm
    made_on: "2026-05-11"
{LINES}  - employee: K006
    reason: reorganisation
    made_on: "2026-07-20"
{LINES}"""


def test_dates_against_the_effective_period_and_the_declared_phases(tmp_path: Path) -> None:
    data = tmp_path / "workflow.yaml"
    data.write_text(RECORDS, encoding="utf-8")
    result = CliRunner().invoke(cli, ["workflow", KEPCO, str(data)])
    out = result.stdout
    assert result.exit_code == 1
    # A final-evaluation result notified in July 2026: the final evaluation is January to April 2027.
    assert (
        f"    {data}:3:55: K002: error [objection-period-date] notice of 2026-07-16 for period 'final',"
        " before the period's check (2027-01-01 to 2027-04-30)\n"
    ) in out
    assert (
        f"    {data}:4:55: K003: error [objection-outside-period] notice of 2027-06-01, outside the"
        " policy's effective period 2026-02-01 to 2027-04-30\n"
    ) in out
    # Dated before the period starts but labelled "at mid-term": not accepted.
    assert (
        "goal change K004 on Thu 2026-01-15: phase at_midterm, reason strategy_change: rejected\n"
        "  a: weight 70 -> 60\n"
        "  b: weight 30 -> 40\n"
        "  problems:\n"
        f"    {data}:9:14: K004: error [goal-change-outside-period] made on 2026-01-15, outside the"
        " policy's effective period 2026-02-01 to 2027-04-30\n"
    ) in out
    # Labelled at_midterm, made in May: the phase is before_midterm, when goals cannot change.
    assert (
        "goal change K005 on Mon 2026-05-11: phase before_midterm, reason strategy_change: rejected\n"
        "  a: weight 70 -> 60\n"
        "  b: weight 30 -> 40\n"
        "  problems:\n"
        f"    {data}:15:14: K005: error [goal-change-phase-date] labelled 'at_midterm', but made on"
        " 2026-05-11, which is in phase 'before_midterm' (2026-02-01 to 2026-06-30); the phase follows"
        " from the date\n"
        f"    {data}:14:12: K005: error [goal-change-closed] goals cannot be changed in phase"
        " 'before_midterm'\n"
    ) in out
    # No label: made 2026-07-20, in the July check, the batch window, for a reorganisation: accepted.
    assert "goal change K006 on Mon 2026-07-20: phase at_midterm, reason reorganisation: accepted\n" in out
    assert result.stderr == "hrpolicy: 5 problems, 4 of 5 employees affected; see the problems above\n"
