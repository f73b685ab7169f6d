"""``hrpolicy workflow``: objection deadlines written out, objection and goal-change records checked
against policies/kepco_like.yaml's ``workflows`` (its calendar holds the 2026-27 Korean holidays).

Counting convention: N working days from the day *after* the notice; weekends and declared
holidays do not count; filing on the deadline is in time.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from helpers import Echo, drop_stamps

from engine.commands.workflow import run_workflow
from engine.errors import DataError, UsageError
from engine.report.workflow import deadline_text
from engine.validate import load_policy
from engine.workflow import Calendar, Deadline, deadline_of

ROOT = Path(__file__).resolve().parent.parent
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
EXAMPLE = str(ROOT / "examples" / "kepco_like" / "workflow.yaml")


def run(
    data: str, fmt: str = "text", today: str | None = None, output: str | None = None, policy: str = KEPCO
) -> tuple[int, Echo]:
    echo = Echo()
    code = run_workflow(policy, data, fmt, output, echo, today)
    return code, drop_stamps(echo, fmt, policy)


def write(tmp_path: Path, text: str, name: str = "records.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def kepco_calendar() -> Calendar:
    return Calendar.from_policy(load_policy(KEPCO).data)


# --- the deadline convention written out ------------------------------------------------------------


def test_deadline_across_a_weekend_and_seollal_2026() -> None:
    # Notice Thu 2026-02-12: Fri 13 = 1; Sat 14, Sun 15 weekend; Mon 16 - Wed 18 설날 holidays;
    # Thu 19 = 2, Fri 20 = 3, (Sat 21, Sun 22), Mon 23 = 4, Tue 24 = 5 -> Tue 2026-02-24.
    d = deadline_of(kepco_calendar(), date(2026, 2, 12), 5)
    assert d.deadline == date(2026, 2, 24)
    assert deadline_text(d) == (
        "5 working days after Thu 2026-02-12 (skipping weekend Sat 14-Sun 15 Feb,"
        " holidays Mon 16-Wed 18 Feb, weekend Sat 21-Sun 22 Feb) = Tue 2026-02-24"
    )


def test_deadline_across_months_and_a_substitute_holiday() -> None:
    # Notice Fri 2026-02-27: Sat 28 Feb, Sun 1 Mar (삼일절 on a Sunday) weekend; Mon 2 Mar
    # 대체공휴일; Tue 3 = 1, Wed 4 = 2, Thu 5 = 3, Fri 6 = 4, (Sat 7, Sun 8), Mon 9 = 5.
    d = deadline_of(kepco_calendar(), date(2026, 2, 27), 5)
    assert deadline_text(d) == (
        "5 working days after Fri 2026-02-27 (skipping weekend Sat 28 Feb-Sun 1 Mar,"
        " holiday Mon 2 Mar, weekend Sat 7-Sun 8 Mar) = Mon 2026-03-09"
    )


def test_deadline_with_nothing_skipped() -> None:
    # Notice Mon 2026-03-09: Tue 10 = 1 -> Tue 2026-03-10; no day in between to skip.
    d = Deadline(date(2026, 3, 9), 1, date(2026, 3, 10))
    assert deadline_text(d) == "1 working day after Mon 2026-03-09 (no day skipped) = Tue 2026-03-10"


# --- the example ----------------------------------------------------------------------------------


def test_example_text_objections() -> None:
    code, echo = run(EXAMPLE)
    assert code == 1
    text = echo.stdout
    assert text.startswith("policy kepco_like: workflow records from ")
    assert "objection windows: 2 notices, 3 objections, 1 with problems\n" in text
    # K001 round 1: notice Thu 2026-07-16; (Fri 17 제헌절, a public holiday again from 2026 in the
    # holidays package's KR calendar; Sat 18, Sun 19), Mon 20 = 1, Tue 21 = 2, Wed 22 = 3,
    # Thu 23 = 4, Fri 24 = 5 -> Fri 2026-07-24; filed Tue 21: in time.
    assert (
        "objection K001 김민준: midterm, round 1 (1차 부장과 재협의, section_head),"
        " indicators mgmt_eval_response, long_term_plan\n"
        "  deadline: 5 working days after Thu 2026-07-16 (skipping holiday Fri 17 Jul, weekend Sat 18-Sun 19"
        " Jul) = Fri 2026-07-24\n"
        "  filed Tue 2026-07-21: in time\n\n"
    ) in text
    # K001 round 2 after round 1 on the same indicator: notice Mon 2026-07-27; Tue 28 = 1 ...
    # Fri 31 = 4, (Sat 1, Sun 2 Aug), Mon 3 Aug = 5; filed Wed 29 Jul: in time, no problem.
    assert (
        "objection K001 김민준: midterm, round 2 (2차 부서장 조정, department_head),"
        " indicators mgmt_eval_response\n"
        "  deadline: 5 working days after Mon 2026-07-27 (skipping weekend Sat 1-Sun 2 Aug)"
        " = Mon 2026-08-03\n"
        "  filed Wed 2026-07-29: in time\n\n"
    ) in text
    # K002: notice Wed 2027-02-03; Thu 4 = 1, Fri 5 = 2, (Sat 6, Sun 7: 설날 on the weekend),
    # Mon 8 설날 연휴, Tue 9 대체공휴일, Wed 10 = 3, Thu 11 = 4, Fri 12 = 5 -> Fri 2027-02-12.
    # Filed Mon 15: (Fri 12, Mon 15] holds one working day (Mon 15) -> 1 working day late.
    assert (
        "  deadline: 5 working days after Wed 2027-02-03 (skipping weekend Sat 6-Sun 7 Feb,"
        " holidays Mon 8-Tue 9 Feb) = Fri 2027-02-12\n"
        "  filed Mon 2027-02-15: 1 working day late\n"
        "  problems:\n"
        f"    {EXAMPLE}:48:12: K002: error [objection-late] objection filed 2027-02-15, after the deadline"
        " 2027-02-12 (5 working days from the day after the notice of 2027-02-03): 1 working day late\n"
    ) in text
    assert (
        "K002 이서연  final        1  Wed 2027-02-03  Fri 2027-02-12  Mon 2027-02-15  1 working day late\n"
    ) in text


def test_example_text_goal_changes_and_midterm_targets() -> None:
    code, echo = run(EXAMPLE)
    text = echo.stdout
    assert "goal changes: 3, 1 accepted\n" in text
    assert (
        "goal change K004 윤지아 on Mon 2026-05-11: phase before_midterm, reason strategy_change: rejected\n"
        "  rate_reform_plan: weight 35 -> 45\n"
        "  gov_rate_policy: weight 35 -> 25\n"
        "  problems:\n"
        f"    {EXAMPLE}:57:12: K004: error [goal-change-closed]"
        " goals cannot be changed in phase 'before_midterm'\n"
    ) in text
    assert (
        "goal change K006 정우진 on Mon 2026-07-20: phase at_midterm, reason reorganisation,"
        " batch '2026 중간점검 일괄조정': accepted\n"
        "  collection_rate: target 98 -> 97\n"
        "  sales_volume: target 500 -> 600\n\n"
    ) in text
    assert (
        "  branch_safety removed (weight 30)\n"
        "  branch_budget: weight 40 -> 70\n"
        "  problems:\n"
        f"    {EXAMPLE}:102:9: K008: error [goal-change-no-replacement] indicator branch_safety is removed"
        " without a replacement (a new line with replaces: branch_safety)\n"
    ) in text
    # The mid-term check of K006 scores against the targets before the accepted change (98, 500).
    assert (
        "mid-term targets of K006 정우진 (the targets before the change of Mon 2026-07-20):\n"
        "  indicator                category       weight  target\n"
        "  -----------------------  -------------  ------  ------\n"
        "  collection_rate          own_duties         40      98\n"
        "  sales_volume             own_duties         30     500\n"
    ) in text
    assert "mid-term targets of K008 강하은 (no accepted change: the goal sheet as set):\n" in text
    assert "  branch_safety            own_duties         30       -\n" in text
    # Text reports carry the problems; stderr only sums up (7 employees: K003 K007 K001 K002 K004 K006 K008).
    assert echo.stderr == "hrpolicy: 3 problems, 3 of 7 employees affected; see the problems above\n"
    assert code == 1


@pytest.mark.parametrize(
    ("today", "k003", "k007"),
    [
        # K003 deadline Fri 2027-02-12: on Wed 10 the days left are Wed 10, Thu 11, Fri 12 = 3.
        # K007 notice Mon 2027-02-01: Tue 2 = 1 ... Fri 5 = 4, (Sat 6 - Tue 9), Wed 10 = 5.
        (
            "2027-02-10",
            "open: 3 working days left, until Fri 2027-02-12",
            "open: 1 working day left, until Wed 2027-02-10",
        ),
        ("2027-02-11", "open: 2 working days left, until Fri 2027-02-12", "closed since Wed 2027-02-10"),
        # Sat 13: past both deadlines.
        ("2027-02-13", "closed since Fri 2027-02-12", "closed since Wed 2027-02-10"),
        # Before K003's notice of Wed 3 Feb; K007's window runs (Tue 2, Wed 3 ... Wed 10: 5 days left).
        (
            "2027-02-02",
            "not open yet: the notice is not given",
            "open: 5 working days left, until Wed 2027-02-10",
        ),
    ],
)
def test_today_says_which_windows_are_open(today: str, k003: str, k007: str) -> None:
    _, echo = run(EXAMPLE, today=today)
    assert "notice K003 박지훈: final, round 1 (1차 부장과 재협의, section_head)\n" in echo.stdout
    assert f"\n  {k003}\n\nnotice K007" in echo.stdout
    assert f"= Wed 2027-02-10\n  {k007}\n" in echo.stdout


def test_without_today_a_notice_has_no_status() -> None:
    _, echo = run(EXAMPLE)
    assert "K003 박지훈  final        1  Wed 2027-02-03  Fri 2027-02-12  -               -\n" in echo.stdout


def test_example_json() -> None:
    code, echo = run(EXAMPLE, fmt="json", today="2027-02-10")
    assert code == 1
    data = json.loads(echo.stdout)
    assert data["today"] == "2027-02-10"
    late = data["objections"][2]
    assert (late["employee"], late["deadline"], late["filed"], late["working_days_late"]) == (
        "K002", "2027-02-12", "2027-02-15", 1,
    )  # fmt: skip
    assert late["skipped"] == [
        {"date": "2027-02-06", "kind": "weekend"},
        {"date": "2027-02-07", "kind": "weekend"},
        {"date": "2027-02-08", "kind": "holiday"},
        {"date": "2027-02-09", "kind": "holiday"},
    ]
    assert [o["working_days_late"] for o in data["objections"]] == [0, 0, 1]
    assert [c["accepted"] for c in data["goal_changes"]] == [False, True, False]
    k006 = data["midterm_targets"][1]
    assert k006["employee"] == "K006"
    assert [(line["id"], line["weight"], line["target"]) for line in k006["lines"]] == [
        ("collection_rate", "40", "98"),
        ("sales_volume", "30", "500"),
        ("work_improvement", "15", None),
        ("department_contribution", "15", None),
    ]
    assert [(p["rule"], p["line"], p["col"]) for p in data["problems"]] == [
        ("objection-late", 48, 12),
        ("goal-change-closed", 57, 12),
        ("goal-change-no-replacement", 102, 9),
    ]
    # Non-text formats list the problems on stderr too.
    assert echo.stderr.startswith(f"{EXAMPLE}:48:12: K002: error [objection-late] ")


def test_example_csv() -> None:
    code, echo = run(EXAMPLE, fmt="csv")
    rows = list(csv.reader(io.StringIO(echo.stdout)))
    assert rows[0][:4] == ["record", "employee", "name", "period"]
    assert rows[5] == [
        "objection", "K002", "이서연", "final", "1", "2027-02-03", "2027-02-12", "2027-02-15",
        "", "", "", "", "1 working day late", "1",
    ]  # fmt: skip
    assert rows[7] == [
        "goal_change", "K006", "정우진", "", "", "", "", "", "at_midterm", "reorganisation",
        "2026 중간점검 일괄조정", "2026-07-20", "accepted", "0",
    ]  # fmt: skip
    assert len(rows) == 1 + 2 + 3 + 3
    assert code == 1


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, echo = run(EXAMPLE, fmt="json", output=str(target))
    assert code == 1
    assert echo.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["policy"] == "kepco_like"


# --- records made for one rule each -----------------------------------------------------------------

CLEAN = """\
objections:
  - {employee: E1, period: final, round: 1, notice: "2027-02-03", filed: "2027-02-12", indicators: [a]}
goal_changes:
  - employee: E2
    reason: uncontrollable
    phase: after_midterm
    made_on: "2026-08-03"
    before: [{id: a, weight: 60, target: 10}, {id: b, weight: 40}]
    after: [{id: a, weight: 50, target: 8, justification: 정부 정책 변경}, {id: c, weight: 50, replaces: b}]
"""


def test_clean_records_exit_0(tmp_path: Path) -> None:
    # The final result is notified in the final evaluation (1월~4월 of the next year): notice Wed
    # 2027-02-03, filed Fri 2027-02-12, on the deadline (the Seollal 2027 count of the example):
    # in time. (A final-result notice in February 2026 is before the period: see
    # tests/test_rulebook_dates.py.)
    code, echo = run(write(tmp_path, CLEAN))
    assert (code, echo.stderr) == (0, "")
    assert "  filed Fri 2027-02-12: in time\n" in echo.stdout
    assert (
        "goal change E2 on Mon 2026-08-03: phase after_midterm, reason uncontrollable: accepted\n"
        "  b removed (weight 40)\n"
        "  a: weight 60 -> 50, target 10 -> 8\n"
        "  c added (weight 50, replaces b)\n"
    ) in echo.stdout
    # midterm_uses: original_targets: the sheet before the change.
    assert "mid-term targets of E2 (the targets before the change of Mon 2026-08-03):\n" in echo.stdout


def test_round_two_per_indicator_needs_round_one_on_it(tmp_path: Path) -> None:
    text = """\
objections:
  - {employee: E1, period: midterm, round: 1, notice: "2026-07-16", filed: "2026-07-17", indicators: [a]}
  - employee: E1
    period: midterm
    round: 2
    notice: "2026-07-27"
    filed: "2026-07-28"
    indicators: [a, b]
"""
    code, echo = run(write(tmp_path, text))
    assert code == 1
    # b is the second indicator of the second record: line 8, column 21.
    assert (
        f"{tmp_path / 'records.yaml'}:8:21: E1: error [objection-round-order]"
        " round 2 on indicator b without an earlier round 1\n"
    ) in echo.stdout
    assert "[objection-round-order] round 2 on indicator a" not in echo.stdout


def test_period_round_and_early_filing(tmp_path: Path) -> None:
    text = """\
objections:
  - {employee: E1, period: q3, round: 3, notice: "2026-07-16", filed: "2026-07-15", indicators: [a]}
"""
    code, echo = run(write(tmp_path, text), fmt="json")
    problems = json.loads(echo.stdout)["problems"]
    assert [(p["rule"], p["col"], p["message"]) for p in problems] == [
        ("objection-period", 28, "results of period 'q3' cannot be objected to (allowed: midterm, final)"),
        ("objection-early", 71, "objection filed 2026-07-15, before the notice of 2026-07-16"),
        ("objection-round", 39, "round 3 is not declared (rounds: 1, 2)"),
    ]
    assert json.loads(echo.stdout)["objections"][0]["status"] == "filed before the notice"
    assert code == 1


def test_goal_change_reason_weights_and_batch(tmp_path: Path) -> None:
    text = """\
goal_changes:
  - employee: E1
    reason: promotion
    phase: after_midterm
    made_on: "2026-08-03"
    before: [{id: a, weight: 60}, {id: b, weight: 40}]
    after: [{id: a, weight: 60}, {id: b, weight: 30}]
  - employee: E2
    reason: reorganisation
    phase: at_midterm
    batch: B1
    made_on: "2026-07-20"
    before: [{id: a, weight: 100}]
    after: [{id: a, weight: 100, target: 5, justification: 조직개편}]
  - employee: E2
    reason: reorganisation
    phase: at_midterm
    batch: B2
    made_on: "2026-07-22"
    before: [{id: a, weight: 100, target: 5}]
    after: [{id: a, weight: 100, target: 6, justification: 조직개편}]
"""
    path = write(tmp_path, text)
    code, echo = run(path)
    assert code == 1
    assert (
        f"{path}:3:13: E1: error [goal-change-reason] 'promotion' is not an allowed reason"
        " (allowed: uncontrollable, strategy_change, reorganisation, work_reassignment)\n"
    ) in echo.stdout
    # 'promotion' is not in the after_midterm window's list either (a second problem, same place).
    assert (
        f"{path}:3:13: E1: error [goal-change-reason-in-phase] in phase 'after_midterm' only these reasons"
        " allow a change: uncontrollable, strategy_change, reorganisation\n"
    ) in echo.stdout
    # 60 + 30 = 90, not the sheet total of 100.
    assert (
        f"{path}:7:12: E1: error [goal-change-weights] weights add up to 90 after the change, not 100\n"
        in echo.stdout
    )
    assert (
        f"{path}:18:12: E2: error [goal-change-batch] phase 'at_midterm' takes all changes in one batch;"
        " an earlier change was made in batch 'B1'\n"
    ) in echo.stdout
    # Only the first E2 change (B1) is in force; the mid-term check uses the sheet before it.
    assert "mid-term targets of E2 (the targets before the change of Mon 2026-07-20):\n" in echo.stdout
    assert echo.stderr == "hrpolicy: 4 problems, 2 of 2 employees affected; see the problems above\n"


def test_unknown_keys_are_problems_with_a_suggestion(tmp_path: Path) -> None:
    text = """\
objections:
  - {employee: E1, period: final, notice: "2026-02-12", filed: "2026-02-13", indicators: [a], filled: x}
goal_changes:
  - employee: E2
    reason: uncontrollable
    phase: after_midterm
    before: [{id: a, weight: 100}]
    after: [{id: a, weight: 100, traget: 3}]
"""
    path = write(tmp_path, text)
    code, echo = run(path)
    assert code == 1
    assert "problems of the file:\n" in echo.stdout
    assert (
        f"  {path}:2:95: E1: error [data-unknown-key] unknown key 'filled' in an objection\n"
        "  suggestion: did you mean 'filed'?\n"
    ) in echo.stdout
    assert f"  {path}:8:34: E2: error [data-unknown-key] unknown key 'traget' in a goal line\n" in echo.stdout


# --- unreadable data and bad use (exit 2 in the CLI) --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: []\n", "records.yaml:1:1: the file has no 'notices', 'objections' or 'goal_changes' list"),
        ("objections: {a: 1}\n", "records.yaml:1:13: objections must be a list, not a mapping"),
        (
            "objections:\n  - {employee: E1, period: final, notice: '2026-02-12'}\n",
            "records.yaml:2:5: objection record lacks 'filed'",
        ),
        (
            "notices:\n  - {employee: E1, period: final, notice: 2026-02-30}\n",
            "records.yaml:2:5: notice: '2026-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            "objections:\n  - {employee: E1, period: final, round: first,"
            " notice: '2026-02-12', filed: '2026-02-13'}\n",
            "records.yaml:2:5: round must be a whole number, not 'first'",
        ),
        (
            "goal_changes:\n  - {employee: E1, reason: r, phase: p,"
            " before: [{id: a, weight: '50%'}], after: []}\n",
            "records.yaml:2:5: before[0] a: weight must be a number, not '50%'",
        ),
        (
            "goal_changes:\n  - {employee: E1, reason: r, phase: p, before: []}\n",
            "records.yaml:2:5: goal change record lacks 'after'",
        ),
    ],
)
def test_unreadable_records(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as exc:
        run(path)
    assert str(exc.value) == f"{tmp_path}/{message}"


def test_bad_use(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^--today: '2027-13-01' is not a date \(YYYY-MM-DD\)$"):
        run(EXAMPLE, today="2027-13-01")
    with pytest.raises(UsageError, match=r"^unknown format 'xml'; use one of text, json, csv, html, xlsx$"):
        run(EXAMPLE, fmt="xml")
    with pytest.raises(UsageError, match=r"the policy declares no workflows section$"):
        run(EXAMPLE, policy=KUMHO)
    with pytest.raises(UsageError, match=r"refusing to overwrite an input file$"):
        run(EXAMPLE, output=EXAMPLE)
    with pytest.raises(DataError, match=r"unsupported data file type '\.txt'"):
        run(write(tmp_path, "objections: []\n", "records.txt"))


def test_a_deadline_past_the_last_date_is_a_located_one_line_error(tmp_path: Path) -> None:
    data = tmp_path / "wf.yaml"
    notice = '{employee: K001, period: final, round: 1, notice: "9999-12-28"}'
    data.write_text(f"notices:\n  - {notice}\n", "utf-8")
    with pytest.raises(DataError) as raised:
        run_workflow(KEPCO, str(data), "text", None, lambda *a, **k: None)
    # The KR public-holiday calendar (the holidays package) counts no day after 2100-12-31: the
    # first day after the notice is already one it cannot count.
    assert str(raised.value) == (
        f"{data}:2:55: cannot count working days on 9999-12-29: the KR public holidays of the"
        " holidays package cover 1948 to 2100 only"
    )
