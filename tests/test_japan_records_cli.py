"""Seed 002 through the CLI: what a japan_mbo record must hold besides the goal sheet, and the
link to the bonus.

- §3⑥ "目標項目は上司から提案しても部下から提案しても良いですが両者で合意する必要があります": a goal sheet
  counts only when the superior and the employee have both agreed to it (record_requirements.goal_agreement).
- §8 "育成プランを作成します": ① "部下と共に作成", ② short term (1 year) and, ideally, mid term
  (3 years), ④ "1年に最低1回の中間レビュー", ⑤ a measure chosen (配置転換, OJT, OffJT, 自己啓発等).
- intro / §2 / §9: the MBO result in percent is the bonus basis ("賞与の支給基準").
- §9: 5-level rating, points = level x 20; §5: each goal states 何を / どの程度 / どのように / いつまでに.

The person is E003 of examples/japan_mbo/employees.yaml (general staff, score 96.60 -> B), whose
superior is E001.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "japan_mbo.yaml")
EXAMPLE = ROOT / "examples" / "japan_mbo" / "employees.yaml"
PAY = str(ROOT / "examples" / "japan_mbo" / "pay.yaml")
HEAD = "goal_agreement (Goal agreement between superior and subordinate)"
PLAN = "development_plan (Development plan)"


def e003(tmp_path: Path, *edits: tuple[str, str], evaluation: str = "") -> str:
    """E003's record from the example, with ``edits`` (old, new) applied and an optional evaluation."""
    text = EXAMPLE.read_text(encoding="utf-8")
    record = text[text.index("  - id: E003") : text.index("  - id: E004")]
    for old, new in edits:
        assert old in record, old
        record = record.replace(old, new)
    if evaluation:
        record += f"    evaluations:\n      - {evaluation}\n"
    path = tmp_path / "e003.yaml"
    path.write_text("policy: japan_mbo\nemployees:\n" + record, encoding="utf-8")
    return str(path)


def run(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def problems(payload: dict) -> list[tuple[str, str]]:
    return [(p["rule"], p["message"]) for p in payload["problems"]]


# -- 1. goal agreement (§3⑥) ----------------------------------------------------------------


def test_an_agreed_sheet_is_scored(tmp_path: Path) -> None:
    data = e003(tmp_path, evaluation="{stage: first, evaluator: E001, grade: B}")
    code, out = run("evaluate", POLICY, data)
    # (20x110.0 + 20x95.0x1.1 + 15x88.0 + 15x100.0 + 15x90.0 + 15x80.0) / 100 = 96.6 -> 97 -> B
    assert code == 0 and out["problems"] == []
    [row] = out["results"]
    assert (row["values"]["score"], row["grades"]["rating"]["grade"]) == ("96.60", "B")


def test_a_sheet_nobody_agreed_is_not_scored(tmp_path: Path) -> None:
    data = e003(
        tmp_path,
        ("    goals_agreed_by: E001\n", ""),
        ("    goals_agreed_by_employee: E003\n", ""),
        ('    goals_agreed_on: "2026-04-10"\n', ""),
    )
    code, out = run("evaluate", POLICY, data)
    assert code == 1 and out["results"] == [] and out["failed"] == ["E003"]
    assert problems(out) == [
        (
            "requirement-missing",
            f"{HEAD}: goals_agreed_by is missing: the superior must sign it (the evaluator of stage 'first')",
        ),
        (
            "requirement-missing",
            f"{HEAD}: goals_agreed_by_employee is missing:"
            " the employee must sign it (the employee's own number)",
        ),
        ("requirement-missing", f"{HEAD}: goals_agreed_on is missing"),
    ]


def test_the_superior_who_agreed_must_be_the_one_who_evaluates(tmp_path: Path) -> None:
    # E003's goals were agreed with E001, but the first stage is evaluated by E010.
    data = e003(tmp_path, evaluation="{stage: first, evaluator: E010, grade: B}")
    code, out = run("evaluate", POLICY, data)
    assert code == 1
    assert problems(out) == [
        (
            "requirement-party",
            f"{HEAD}: goals_agreed_by is signed by E001, but stage 'first' is evaluated by E010;"
            " the superior must be that evaluator",
        ),
        (
            "requirement-party",
            f"{PLAN}: development_plan_agreed_by is signed by E001, but stage 'first' is evaluated by E010;"
            " the superior must be that evaluator",
        ),
    ]


def test_both_parties_must_sign_the_employee_cannot_sign_for_the_superior(tmp_path: Path) -> None:
    data = e003(
        tmp_path,
        ("    goals_agreed_by: E001\n", "    goals_agreed_by: E003\n"),
        ("    goals_agreed_by_employee: E003\n", "    goals_agreed_by_employee: E001\n"),
    )
    code, out = run("evaluate", POLICY, data)
    assert code == 1
    assert problems(out) == [
        (
            "requirement-party",
            f"{HEAD}: goals_agreed_by is signed by the employee E003;"
            " the superior must sign it (the evaluator of stage 'first')",
        ),
        (
            "requirement-party",
            f"{HEAD}: goals_agreed_by_employee is signed by E001;"
            " the employee must sign it (the employee's own number, E003)",
        ),
    ]


def test_goals_are_agreed_at_the_start_of_the_period(tmp_path: Path) -> None:
    # "期首に...達成目標を設定": the policy reads 期首 as April 2026 (ASSUMPTION); 2026-05-01 is late.
    data = e003(tmp_path, ('    goals_agreed_on: "2026-04-10"\n', '    goals_agreed_on: "2026-05-01"\n'))
    code, out = run("evaluate", POLICY, data)
    assert code == 1
    assert problems(out) == [
        ("requirement-date", f"{HEAD}: goals_agreed_on 2026-05-01 is outside 2026-04-01 .. 2026-04-30")
    ]


def test_explain_shows_the_agreement_that_was_read(tmp_path: Path) -> None:
    data = e003(tmp_path, evaluation="{stage: first, evaluator: E001, grade: B}")
    result = CliRunner().invoke(cli, ["explain", POLICY, data, "--employee", "E003"])
    assert result.exit_code == 0, result.output
    assert (
        "  record requirements:\n"
        "    [requirement] requirement 'goal_agreement' (Goal agreement between superior and subordinate):"
        " met: goals_agreed_by E001; goals_agreed_by_employee E003; goals_agreed_on 2026-04-10\n"
    ) in result.output


def test_explain_of_an_unagreed_sheet_says_what_is_missing(tmp_path: Path) -> None:
    data = e003(tmp_path, ("    goals_agreed_by_employee: E003\n", ""))
    result = CliRunner().invoke(cli, ["explain", POLICY, data, "--employee", "E003"])
    assert result.exit_code == 1
    assert (
        "[requirement-missing] goal_agreement (Goal agreement between superior and subordinate):"
        " goals_agreed_by_employee is missing: the employee must sign it (the employee's own number)"
    ) in result.output


# -- 2. development plan (§8) ---------------------------------------------------------------


def test_the_plan_is_made_with_the_employee_and_reviewed_after_it_was_made(tmp_path: Path) -> None:
    data = e003(
        tmp_path,
        ("    development_plan_agreed_by_employee: E003\n", ""),
        (
            '    development_plan_reviewed_on: "2026-10-15"\n',
            '    development_plan_reviewed_on: "2026-04-15"\n',
        ),
    )
    code, out = run("evaluate", POLICY, data)
    assert code == 1
    assert problems(out) == [
        (
            "requirement-missing",
            f"{PLAN}: development_plan_agreed_by_employee is missing:"
            " the employee must sign it (the employee's own number)",
        ),
        (
            "requirement-date",
            f"{PLAN}: development_plan_reviewed_on 2026-04-15 is before"
            " development_plan_agreed_on 2026-04-20",
        ),
    ]


def test_a_plan_needs_its_one_year_plan_a_measure_and_a_review_in_the_period(tmp_path: Path) -> None:
    data = e003(
        tmp_path,
        ("    development_plan_short_term: 担当業務の遂行力の向上\n", ""),
        ("    development_measure: ojt\n", ""),
        (
            '    development_plan_reviewed_on: "2026-10-15"\n',
            '    development_plan_reviewed_on: "2027-04-02"\n',
        ),
    )
    code, out = run("evaluate", POLICY, data)
    assert code == 1
    assert problems(out) == [
        ("requirement-missing", f"{PLAN}: development_plan_short_term is missing"),
        ("requirement-missing", f"{PLAN}: development_measure is missing"),
        (
            "requirement-date",
            f"{PLAN}: development_plan_reviewed_on 2027-04-02 is outside 2026-04-01 .. 2027-03-31",
        ),
    ]


def test_the_measure_is_one_the_seed_names(tmp_path: Path) -> None:
    data = e003(tmp_path, ("    development_measure: ojt\n", "    development_measure: golf\n"))
    code, out = run("evaluate", POLICY, data)
    assert code == 1
    [(rule, message)] = problems(out)
    assert rule == "record-enum"
    assert (
        message == "development_measure: 'golf' is not one of: transfer, ojt, off_jt, self_development, other"
    )


def test_a_missing_mid_term_plan_is_a_warning_and_the_sheet_is_scored(tmp_path: Path) -> None:
    # §8② "短期(1年)と中期(3年位)プランを作成するのが望ましい": desirable, not required.
    data = e003(tmp_path, ("    development_plan_mid_term: 次の等級の役割を担える人材への育成\n", ""))
    code, out = run("evaluate", POLICY, data)
    assert code == 0 and out["problems"] == []
    assert [(w["rule"], w["message"]) for w in out["warnings"]] == [
        (
            "requirement-missing",
            "development_plan_mid_term (Mid-term (about 3 years) development plan):"
            " development_plan_mid_term is missing",
        )
    ]
    assert out["results"][0]["values"]["score"] == "96.60"


# -- 3. the bonus (intro, §2, §9) -----------------------------------------------------------


def test_pay_pays_the_bonus_from_the_evaluated_result() -> None:
    code, out = run("pay", POLICY, PAY, "--records", str(EXAMPLE))
    assert code == 0 and out["problems"] == []
    # bonus = bonus_base x score / 100, whole yen rounded down (policy ASSUMPTION):
    # 800,000 x 79.50 % = 636,000; 900,000 x 110.00 % = 990,000; 500,000 x 96.60 % = 483,000;
    # 450,000 x 84.90 % = 382,050; 777,777 x 79.40 % = 617,554.938 -> 617,554.
    amounts = {b["employee"]: b["amount"] for b in out["bonus"]}
    assert amounts == {
        "E001": "636000",
        "E002": "990000",
        "E003": "483000",
        "E004": "382050",
        "E012": "617554",
    }
    [line] = next(b["explanation"] for b in out["bonus"] if b["employee"] == "E012")
    assert (
        line
        == "bonus = bonus_base * score / 100 = 777777 * 79.40 / 100 = 617554.938 -> 617554 (down, unit 1)"
    )


def test_pay_text_adds_up_the_bonuses() -> None:
    result = CliRunner().invoke(cli, ["pay", POLICY, PAY, "--records", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    # 636,000 + 990,000 + 483,000 + 382,050 + 617,554 = 3,108,604
    assert "  total bonus = 3108604\n" in result.output


def test_no_bonus_for_a_sheet_that_was_not_agreed(tmp_path: Path) -> None:
    records = e003(tmp_path, ("    goals_agreed_by_employee: E003\n", ""))
    pay = tmp_path / "pay.yaml"
    pay.write_text("policy: japan_mbo\nemployees:\n  - {id: E003, bonus_base: 500000}\n", encoding="utf-8")
    code, out = run("pay", POLICY, str(pay), "--records", records)
    assert code == 1
    assert out["bonus"][0]["amount"] is None
    assert problems(out) == [
        (
            "pay-bonus",
            f"employee E003: no evaluated result: {records}: [requirement-missing] {HEAD}:"
            " goals_agreed_by_employee is missing: the employee must sign it (the employee's own number)",
        )
    ]


def test_pay_without_the_records_says_where_the_score_comes_from() -> None:
    code, out = run("pay", POLICY, PAY)
    assert code == 1
    assert problems(out)[0] == (
        "pay-bonus",
        "employee E001: the bonus (bonus_base * score / 100) reads score, which the employee does not have"
        " (an evaluated result such as the score comes from the goal sheets: give --records FILE)",
    )


def test_a_score_given_in_the_pay_file_must_be_the_evaluated_one(tmp_path: Path) -> None:
    pay = tmp_path / "pay.yaml"
    pay.write_text(
        "policy: japan_mbo\nemployees:\n  - {id: E003, bonus_base: 500000, score: 100}\n", encoding="utf-8"
    )
    code, out = run("pay", POLICY, str(pay), "--records", str(EXAMPLE))
    assert code == 1
    assert problems(out) == [("pay-bonus", "employee E003: the pay file gives score 100 (evaluated: 96.60)")]


def test_records_on_a_policy_without_a_bonus_is_a_usage_error() -> None:
    kumho = str(ROOT / "policies" / "kumho_like.yaml")
    result = CliRunner().invoke(
        cli, ["pay", kumho, str(ROOT / "examples" / "kumho_like" / "pay.yaml"), "--records", str(EXAMPLE)]
    )
    assert result.exit_code == 2
    assert f"--records: {kumho} declares no pay.bonus that reads evaluated results" in result.output


# -- 4. points and the four parts of a goal (§9, §5) ----------------------------------------


def test_rating_points_are_the_level_times_20() -> None:
    code, out = run("evaluate", POLICY, str(EXAMPLE))
    assert code == 0
    points = {
        r["id"]: (r["grades"]["rating"]["grade"], r["grades"]["rating"]["points"]) for r in out["results"]
    }
    # S = 5 x 20, A = 4 x 20, B = 3 x 20, C = 2 x 20, D = 1 x 20
    assert points["E002"] == ("S", "100")
    assert points["E007"] == ("A", "80")
    assert points["E003"] == ("B", "60")
    assert points["E001"] == ("C", "40")
    assert points["E008"] == ("D", "20")


def test_every_goal_states_what_how_much_how_and_by_when(tmp_path: Path) -> None:
    missing = e003(tmp_path, (" how: 既存顧客への提案営業,", ""))
    code, out = run("evaluate", POLICY, missing)
    assert code == 1
    assert [(p["indicator"], p["rule"], p["message"]) for p in out["problems"]] == [
        (1, "record-missing", "how: required field is missing")
    ]


def test_validate_names_a_stage_or_date_field_the_policy_lacks(tmp_path: Path) -> None:
    text = Path(POLICY).read_text(encoding="utf-8")
    for old, new in (
        ("{field: goals_agreed_by, stage: first,", "{field: goals_agreed_by, stage: second,"),
        ('goals_agreed_on: {from: "2026-04-01"', 'goals_agreed_by: {from: "2026-04-01"'),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:4] == [
        f"{bad}:315:41: error [ref-unknown] unknown evaluator stage 'second' in"
        " record_requirements.goal_agreement.parties[0].stage",
        "  suggestion: known stages: first",
        f"{bad}:320:24: error [ref-unknown] unknown date field 'goals_agreed_by' in"
        " record_requirements.goal_agreement.dates.goals_agreed_by",
        "  suggestion: did you mean 'goals_agreed_on'?",
    ]


def test_pay_csv_has_a_bonus_column_and_a_missing_records_file_changes_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pay", POLICY, PAY, "--records", str(EXAMPLE), "--format", "csv"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1].endswith(",promotion_total,bonus") and lines[-1] == "E012,山本 浩二,,,,,,,,617554"
    out = tmp_path / "pay.csv"
    missing = CliRunner().invoke(
        cli, ["pay", POLICY, PAY, "--records", str(tmp_path / "nope.yaml"), "-o", str(out)]
    )
    assert (missing.exit_code, missing.stderr) == (2, f"hrpolicy: {tmp_path / 'nope.yaml'}: no such file\n")
    assert not out.exists()


def test_a_warning_comes_back_from_the_workers_of_a_split_file(tmp_path: Path) -> None:
    # §8② (desirable mid-term plan) is a warning; a big CSV file shared between workers reports
    # the same warnings as one process. E000040 and E001940 lie in different halves of the file.
    import csv
    import sys

    from engine.evaluate.parallel import run_report
    from engine.report.results import RENDERERS, SPLIT_RENDERERS

    sys.path.insert(0, str(ROOT))
    from bench.gen_population import generate

    path = tmp_path / "pop.csv"
    generate(2000, str(path), seed=5)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("development_plan_mid_term")
    for emp in ("E000040", "E001940"):
        first = next(row for row in rows[1:] if row[0] == emp)
        first[column] = ""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    reports = [
        run_report(POLICY, str(path), RENDERERS["csv"], SPLIT_RENDERERS["csv"], workers=n, min_bytes=1000)
        for n in (1, 2)
    ]
    (one, text), (split, split_text) = reports
    assert split.results == [] and split_text == text  # the workers rendered the rows
    assert [(w.employee_id, w.rule) for w in split.warnings] == [
        ("E000040", "requirement-missing"),
        ("E001940", "requirement-missing"),
    ]
    assert split.warnings == one.warnings and one.problems == split.problems == []


def test_the_bonus_page_in_chromium_in_japanese(tmp_path: Path) -> None:
    # The pay page as a person sees it: rendered by headless Chromium, the DOM read back.
    import re

    from browser_helpers import dump_dom

    page = tmp_path / "bonus.html"
    args = ["pay", POLICY, PAY, "--records", str(EXAMPLE), "--lang", "ja", "-o", str(page)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    dom, console = dump_dom(page)
    assert console == [] and '<html lang="ja">' in dom
    assert "賞与（JPY）" in dom and "賞与の合計 = 3108604" in dom
    heads = [re.findall(r'<th scope="col" class="\w+">([^<]*)</th>', h) for h in dom.split("<thead>")[1:]]
    assert heads == [["社員番号", "氏名", "賞与額"]]
    assert re.search(r"<td[^>]*>E012</td><td[^>]*>山本 浩二</td><td[^>]*>617554</td>", dom)


def test_explain_reports_a_requirement_condition_it_cannot_evaluate(tmp_path: Path) -> None:
    """A requirement whose ``when`` cannot be computed for the employee (here a division by 0,
    with E003's bonus_base absent) is that requirement's problem in explain, as in evaluate: not an
    exit 2 for the whole command."""
    text = Path(POLICY).read_text(encoding="utf-8")
    old = "    severity: warning\n    fields: [development_plan_mid_term]\n"
    assert old in text
    policy = tmp_path / "japan_when.yaml"
    policy.write_text(text.replace(old, old + '    when: "bonus_base / 0 > 1"\n'), encoding="utf-8")
    data = e003(tmp_path, evaluation="{stage: first, evaluator: E001, grade: B}")
    result = CliRunner().invoke(cli, ["explain", str(policy), data, "--employee", "E003"])
    assert result.exit_code == 0, result.output
    assert (
        "requirement 'development_plan_mid_term' (Mid-term (about 3 years) development plan): NOT met: "
        "'bonus_base' has no value in 'bonus_base / 0 > 1' (bonus_base=none)"
    ) in result.output
