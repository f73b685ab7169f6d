"""``hrpolicy test``: tests stored with a policy, their failures located in the test file,
coverage per policy, and the report formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import policy_stamp

from engine.cli import cli
from engine.policytest import run_tests

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif" / "sarif-schema-2.1.0.json"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_shipped_policies_pass_their_tests_with_full_coverage() -> None:
    from engine.commands.policytest import REPORTERS

    run = run_tests([str(POLICIES)], reporters=REPORTERS)
    assert run.passed and run.broken == []
    assert [Path(f.file).name for f in run.files] == [
        "japan_mbo.test.yaml",
        "kepco_like.test.yaml",
        "kumho_like.test.yaml",
    ]
    # kepco adds a jobeval and a workflow case (reports, no coverage items) and one of relative
    # grades and one of the July check's confirmation; kumho two pay cases and one of the O's
    # confirmation; japan: the example, bands, counts, goal statement, agreement and development plan.
    assert [len(f.cases) for f in run.files] == [5, 7, 6]
    # The policies themselves are YAML without 'hrpolicy-test:': skipped, counted.
    assert [Path(p).name for p in run.skipped] == ["japan_mbo.yaml", "kepco_like.yaml", "kumho_like.yaml"]
    figures = {Path(p).name: (len(c.covered), len(c.declared), c.by_kind()) for p, c in run.coverage.items()}
    assert figures == {
        "japan_mbo.yaml": (
            28,
            28,
            [
                ("grade band", 10, 10),
                ("formula branch", 6, 6),
                ("sheet rule", 7, 7),
                ("exception", 1, 1),
                ("chain", 1, 1),
                ("record requirement", 3, 3),
            ],
        ),
        "kepco_like.yaml": (
            32,
            32,
            [
                ("formula branch", 6, 6),
                ("sheet rule", 8, 8),
                ("distribution path", 2, 2),
                ("chain", 7, 7),
                ("chain period", 2, 2),
                ("confirmed period", 3, 3),
                ("stage field", 4, 4),
            ],
        ),
        "kumho_like.yaml": (
            18,
            18,
            [
                ("formula branch", 2, 2),
                ("sheet rule", 6, 6),
                ("distribution path", 8, 8),
                ("chain", 1, 1),
                ("confirmation", 1, 1),
            ],
        ),
    }


def test_text_report_with_coverage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = invoke("test", "policies/japan_mbo.yaml", "--coverage", "--min-coverage", "100")
    assert code == 0
    assert out == (
        "policies/japan_mbo.test.yaml (policy policies/japan_mbo.yaml)\n"
        f"  {policy_stamp('policies/japan_mbo.yaml', short=True)}\n"
        "  PASS  the example population (examples/japan_mbo/employees.yaml, worked in its comments) "
        "(36 checks)\n"
        "  PASS  the bands the example population leaves out (manager B, general staff A and C) (9 checks)\n"
        "  PASS  goal counts, the 5-30 % band and the 100 % total (seed §6, §7(2)) (4 checks)\n"
        "  PASS  the goal statement, difficulty steps and the one large project (seed §5, §7(2), §7(3)) "
        "(4 checks)\n"
        "  PASS  goals agreed by the superior and the employee, and the development plan (seed §3⑥, §8) "
        "(7 checks)\n"
        "coverage of policies/japan_mbo.yaml: 28 of 28 items (100.0 %)\n"
        "  grade bands         10/10\n"
        "  formula branches    6/6\n"
        "  sheet rules         7/7\n"
        "  exceptions          1/1\n"
        "  chains              1/1\n"
        "  record requirements 3/3\n"
        "5 cases: 5 passed, 0 failed\n"
    )


def _copy(tmp_path: Path, name: str, edit: dict[str, str]) -> Path:
    """The shipped test file with its paths made absolute and ``edit`` applied (old -> new)."""
    text = (POLICIES / name).read_text(encoding="utf-8")
    stem = name.split(".")[0]
    text = text.replace(f"policy: {stem}.yaml", f"policy: {POLICIES / f'{stem}.yaml'}")
    text = text.replace("records: ../examples/", f"records: {ROOT / 'examples'}/")
    for old, new in edit.items():
        assert old in text
        text = text.replace(old, new)
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


def test_a_wrong_expected_value_fails_at_its_line(tmp_path: Path) -> None:
    test = _copy(
        tmp_path,
        "japan_mbo.test.yaml",
        {'E001: {score: "79.50", rating: C': 'E001: {score: "79.60", rating: D'},
    )
    code, out, _ = invoke("test", str(test))
    assert code == 1
    assert f"{test}:17:23: error [test-failed] E001 score: expected 79.60, got 79.50\n" in out
    assert f"{test}:17:40: error [test-failed] E001 rating: expected D, got C\n" in out
    assert out.endswith("5 cases: 4 passed, 1 failed\n")


def test_missing_and_unexpected_problems_fail_the_case(tmp_path: Path) -> None:
    test = _copy(
        tmp_path,
        "japan_mbo.test.yaml",
        {"{employee: T12, indicator: 1, rule: sheet-weight-band": "{employee: T12, indicator: 2, rule: x"},
    )
    code, out, _ = invoke("test", str(test))
    assert code == 1
    assert (
        f"{test}:182:11: error [test-failed] expected problem not reported: employee T12, goal line 2 [x]\n"
    ) in out
    assert (
        f"{test}:179:7: error [test-failed] unexpected problem: employee T12, goal line 1: "
        f"[sheet-weight-band] weight 40 is outside the band 5..30 ({test}:153:15)\n"
    ) in out


def test_min_coverage_fails_when_a_case_is_dropped(tmp_path: Path) -> None:
    text = _copy(tmp_path, "japan_mbo.test.yaml", {}).read_text(encoding="utf-8")
    # Drop the last two cases (required fields, difficulty steps, the two large-project constraints;
    # the goal agreement and development plan: the only case expecting requirement problems).
    cut = text.index("  - name: the goal statement")
    (tmp_path / "japan_mbo.test.yaml").write_text(text[:cut], encoding="utf-8")
    code, out, _ = invoke("test", str(tmp_path), "--coverage", "--min-coverage", "90")
    assert code == 1
    policy = POLICIES / "japan_mbo.yaml"
    # 28 items, of which sheet-difficulty, both constraints and the three record requirements (met
    # by T01/T02, but no case left expects their problems) are no longer hit: 22 / 28 = 78.57 %,
    # shown cut to 78.5 %.
    assert f"coverage of {policy}: 22 of 28 items (78.5 %)\n" in out
    assert "  not covered: sheet rule sheet-difficulty\n" in out
    assert "  not covered: sheet rule sheet-constraint-one_large_project\n" in out
    assert "  not covered: record requirement goal_agreement\n" in out
    assert "  not covered: record requirement development_plan\n" in out
    assert "  not covered: record requirement development_plan_mid_term\n" in out
    assert f"coverage of {policy} is 78.5 %, below the minimum 90 %\n" in out
    assert invoke("test", str(tmp_path), "--min-coverage", "78")[0] == 0


def test_a_record_requirement_needs_its_problem_seen_and_an_employee_meeting_it(tmp_path: Path) -> None:
    from engine.policytest.coverage import Item

    text = _copy(tmp_path, "japan_mbo.test.yaml", {}).read_text(encoding="utf-8")
    head = text[: text.index("  - name: the example population")]
    agreement = text[text.index("  - name: goals agreed by") :]
    bands = text[text.index("  - name: the bands") : text.index("  - name: goal counts")]

    def requirements(*cases: str) -> tuple[list[str], list[str]]:
        (tmp_path / "japan_mbo.test.yaml").write_text(head + "".join(cases), encoding="utf-8")
        run = run_tests([str(tmp_path)])
        assert run.passed
        (cover,) = run.coverage.values()
        names = [i.name for i in cover.declared if i.kind == "record requirement"]
        return [n for n in names if Item("record requirement", n) in cover.hit], [
            i.name for i in cover.missed if i.kind == "record requirement"
        ]

    # T31 is refused goal_agreement and development_plan, T32 meets both; both only warn about the
    # mid-term plan, which nobody evaluated in this case has: refused, never met.
    assert requirements(agreement) == (["goal_agreement", "development_plan"], ["development_plan_mid_term"])
    # T01 and T02 meet all three, but no problem is expected: nothing refused, nothing covered.
    assert requirements(bands) == ([], ["goal_agreement", "development_plan", "development_plan_mid_term"])
    # The mid-term plan refused in one case and met in another: covered across the two.
    assert requirements(bands, agreement) == (
        ["goal_agreement", "development_plan", "development_plan_mid_term"],
        [],
    )


def _covered(
    tmp_path: Path, name: str, keep: list[str], kinds: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """The items of ``kinds`` covered and missed when ``name`` keeps only the cases whose names
    begin with one of ``keep``."""
    text = (POLICIES / name).read_text(encoding="utf-8").replace("../examples", str(ROOT / "examples"))
    head, *cases = text.split("\n  - name: ")
    kept = [c for c in cases if any(c.startswith(k) for k in keep)]
    policy = head.replace("policy: ", f"policy: {POLICIES}/", 1)
    (tmp_path / name).write_text("\n  - name: ".join([policy, *kept]) + "\n", encoding="utf-8")
    run = run_tests([str(tmp_path)])
    assert run.passed
    (cover,) = run.coverage.values()
    covered = [f"{i.kind} {i.name}" for i in cover.covered if i.kind in kinds]
    return covered, [f"{i.kind} {i.name}" for i in cover.missed if i.kind in kinds]


def test_a_confirmed_period_needs_its_refusal_seen_and_a_period_confirmed(tmp_path: Path) -> None:
    kinds = ("confirmed period", "stage field")
    july = "a July check counts only once"
    example = "the example population"
    stages = [
        "stage field midterm_member/first",
        "stage field midterm_member/second",
        "stage field midterm_hq_section_head/first",
        "stage field midterm_branch_section_head/first",
    ]
    periods = ["midterm_member", "midterm_hq_section_head", "midterm_branch_section_head"]
    # The example's employees have their July checks on record (each stage from its field), but
    # no case expects a period refused: stage fields covered, confirmed periods not.
    assert _covered(tmp_path, "kepco_like.test.yaml", [example], kinds) == (
        stages,
        [f"confirmed period {p}" for p in periods],
    )
    # T31-T33 are refused, and nobody is evaluated: no stage field, no period confirmed.
    assert _covered(tmp_path, "kepco_like.test.yaml", [july], kinds) == (
        [],
        [f"confirmed period {p}" for p in periods] + stages,
    )
    assert _covered(tmp_path, "kepco_like.test.yaml", [example, july], kinds) == (
        [f"confirmed period {p}" for p in periods] + stages,
        [],
    )


def test_a_confirmation_needs_its_refusal_seen_and_an_employee_it_applied_to(tmp_path: Path) -> None:
    kinds = ("confirmation",)
    # The example has an O confirmed by the executive (met); no case expects the refusal.
    assert _covered(tmp_path, "kumho_like.test.yaml", ["the example population"], kinds) == (
        [],
        ["confirmation o_needs_executive"],
    )
    assert _covered(tmp_path, "kumho_like.test.yaml", ["an O needs"], kinds) == (
        [],
        ["confirmation o_needs_executive"],
    )
    assert _covered(tmp_path, "kumho_like.test.yaml", ["the example population", "an O needs"], kinds) == (
        ["confirmation o_needs_executive"],
        [],
    )


def test_a_chain_period_is_hit_when_an_employee_is_scored_under_it(tmp_path: Path) -> None:
    text = _copy(tmp_path, "kepco_like.test.yaml", {}).read_text(encoding="utf-8")
    head = text[: text.index("  - name: the example population")]

    def periods(case: str) -> tuple[list[str], list[str]]:
        start = text.index(case)
        end = text.index("\n  - name:", start) + 1
        (tmp_path / "kepco_like.test.yaml").write_text(head + text[start:end])
        run = run_tests([str(tmp_path)])
        assert run.passed
        (cover,) = run.coverage.values()
        return [i.name for i in cover.covered if i.kind == "chain period"], [
            i.name for i in cover.missed if i.kind == "chain period"
        ]

    # T01, a branch member with a July sheet and a final one: scored under both periods.
    assert periods("  - name: a lower-is-better") == (["midterm", "final"], [])
    # Every sheet of this case is refused: nobody is scored, under no period.
    assert periods("  - name: indicator counts") == ([], ["midterm", "final"])


def test_junit_lists_every_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = invoke("test", "--format", "junit", "policies")
    assert code == 0
    root = ET.fromstring(out)
    assert (root.get("tests"), root.get("failures")) == ("18", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "policies/japan_mbo.test.yaml",
        "policies/kepco_like.test.yaml",
        "policies/kumho_like.test.yaml",
    ]
    names = [c.get("name") for c in suites[1].findall("testcase")]
    assert names[1] == "a lower-is-better job KPI with an actual of 0 scores the 120 % cap"


def test_sarif_of_a_failing_test_is_valid_and_located(tmp_path: Path) -> None:
    test = _copy(tmp_path, "japan_mbo.test.yaml", {'E001: {score: "79.50"': 'E001: {score: "79.60"'})
    code, out, _ = invoke("test", "--format", "sarif", str(test))
    assert code == 1
    log = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "test-failed"
    assert result["message"]["text"] == "E001 score: expected 79.60, got 79.50"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 17, "startColumn": 23}


def test_a_malformed_test_file_exits_2_with_a_located_message(tmp_path: Path) -> None:
    test = tmp_path / "x.test.yaml"
    test.write_text(
        "hrpolicy-test: 1\npolicy: x.yaml\ncases:\n  - name: a\n    records: r.yaml\n    expekt: {}\n",
        encoding="utf-8",
    )
    code, out, _ = invoke("test", str(test))
    assert code == 2
    assert out.startswith(
        f"{test}:4:5: error [test-file] a test case needs expect\n"
        f"{test}:6:5: error [test-file] unknown key 'expekt' in a test case\n"
        "  suggestion: did you mean 'expect'?\n"
    )


def test_a_policy_without_a_test_file_and_a_missing_path(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    shutil.copy(POLICIES / "japan_mbo.yaml", policy)
    code, out, _ = invoke("test", "--format", "json", str(policy), str(tmp_path / "nope"))
    assert code == 2
    broken = json.loads(out)["broken"]
    assert [(b["file"], b["diagnostics"][0]["message"]) for b in broken] == [
        (str(tmp_path / "nope"), "no such file or folder"),
        (str(policy), f"no test file for this policy (expected {tmp_path / 'p.test.yaml'})"),
    ]


def test_what_a_wrong_name_an_unknown_employee_and_a_refused_sheet_say(tmp_path: Path) -> None:
    test = _copy(
        tmp_path,
        "japan_mbo.test.yaml",
        {
            'E002: {score: "110.00", rating: S': 'E002: {scroe: "110.00", rating: S',
            "        E003: {": "        E099: {rating: A}\n        E003: {",
            "    expect:\n      problems:\n        - {employee: T11": (
                '    expect:\n      employees:\n        T12: {score: "100"}\n'
                "      problems:\n        - {employee: T11"
            ),
        },
    )
    code, out, _ = invoke("test", str(test))
    assert code == 1
    failures = [
        line.split(": error [test-failed] ")[1] for line in out.splitlines() if "[test-failed]" in line
    ]
    assert failures == [
        "E002: 'scroe' is no formula, grade table or distribution of the policy",
        "no employee 'E099' in the records",
        # The E099 line moved T12's first goal from line 153 to 154.
        "T12 was not evaluated: employee T12, goal line 1: [sheet-weight-band] weight 40 is outside the "
        f"band 5..30 ({test}:154:15)",
    ]


def test_an_invalid_policy_and_a_missing_records_file_are_reported_in_the_test_file(tmp_path: Path) -> None:
    from helpers import policy_text

    (tmp_path / "broken.yaml").write_text(policy_text(ROOT / "tests" / "cases" / "invalid" / "weight-sum"))
    (tmp_path / "broken.test.yaml").write_text(
        "hrpolicy-test: 1\npolicy: broken.yaml\ncases:\n  - {name: a, records: r.yaml, expect: {}}\n"
    )
    shutil.copy(POLICIES / "japan_mbo.yaml", tmp_path / "japan.yaml")
    (tmp_path / "japan.test.yaml").write_text(
        "hrpolicy-test: 1\npolicy: japan.yaml\ncases:\n  - {name: b, records: nope.yaml, expect: {}}\n"
    )
    code, out, _ = invoke("test", str(tmp_path))
    assert code == 1
    t = tmp_path
    # The records' value starts at column 24: "  - {name: b, records: " is 23 characters.
    assert out == (
        f"{t / 'broken.test.yaml'} (policy {t / 'broken.yaml'})\n"
        f"  {t / 'broken.yaml'}:110:13: error [weight-sum] quotas of distribution 'overall' add up to 99, "
        "not 100\n  suggestion: add 1 to one of them\n"
        f"{t / 'japan.test.yaml'} (policy {t / 'japan.yaml'})\n"
        f"  {policy_stamp(t / 'japan.yaml', short=True)}\n"
        "  FAIL  b (0 checks)\n"
        f"        {t / 'japan.test.yaml'}:4:24: error [test-failed] records: {t / 'nope.yaml'}: "
        "no such file\n"
        "1 case: 0 passed, 1 failed; 1 test file could not run; "
        "skipped 2 YAML files without 'hrpolicy-test:'\n"
    )


def test_every_shipped_test_file_matches_the_test_file_schema() -> None:
    from engine.loader import load_yaml_file
    from engine.schema import MODELINE_PREFIX, test_schema_path

    schema = json.loads(test_schema_path().read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    files = [
        *sorted(POLICIES.glob("*.test.yaml")),
        ROOT / "engine" / "scaffold" / "templates" / "blank.test.yaml",
    ]
    for path in files:
        doc = load_yaml_file(path)
        assert [e.message for e in validator.iter_errors(json.loads(json.dumps(doc.data, default=str)))] == []
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert (path.parent / first.removeprefix(MODELINE_PREFIX)).resolve().name == "policy-test.schema.json"
        assert (path.parent / first.removeprefix(MODELINE_PREFIX)).resolve().is_file()
    broken = {
        "hrpolicy-test": 1,
        "policy": "p.yaml",
        "cases": [{"name": "a", "records": "r.yaml", "expekt": {}}],
    }
    assert [e.message for e in validator.iter_errors(broken)] == [
        "'expect' is a required property",
        "Additional properties are not allowed ('expekt' was unexpected)",
    ]


def test_github_annotations_of_a_failing_test(tmp_path: Path) -> None:
    test = _copy(tmp_path, "japan_mbo.test.yaml", {'E001: {score: "79.50"': 'E001: {score: "79.60"'})
    code, out, _ = invoke("test", "--format", "github", str(test))
    assert code == 1
    shown = str(test).replace(":", "%3A").replace(",", "%2C")
    japan = POLICIES / "japan_mbo.yaml"
    assert out == f"hrpolicy: {japan}: {policy_stamp(japan)}\n" + (
        f"::error file={shown},line=17,col=23,title=test-failed::[test-failed] E001 score: expected 79.60, "
        "got 79.50\n"
    )


def test_a_wrong_amount_in_a_pay_report_fails_at_its_line(tmp_path: Path) -> None:
    test = _copy(
        tmp_path,
        "kumho_like.test.yaml",
        {
            '{employee: H101, zone: P, raise: "3.8"}': '{employee: H101, zone: P, raise: "3.9"}',
            '{employee: H101, individual: "107", amount: "11633000"': (
                '{employee: H101, individual: "107", amount: "11634000"'
            ),
        },
    )
    code, out, _ = invoke("test", str(test))
    assert code == 1
    failures = [line.strip() for line in out.splitlines() if "[test-failed]" in line]
    assert failures == [
        f"{test}:148:46: error [test-failed] report.merit[0].raise: expected 3.9, got 3.8",
        f"{test}:163:59: error [test-failed] report.incentive.shares[0].amount: expected 11634000, "
        "got 11633000",
    ]


def test_report_matching_rules() -> None:
    from engine.policytest.match import mismatches

    report = {
        "merit": [{"employee": "H101", "raise": "3.8"}, {"employee": "H102", "raise": "4.5"}],
        "problems": [],
    }
    # Keys not named are not checked; list items match in any order; numbers as decimals.
    assert mismatches({"merit": [{"employee": "H102", "raise": "4.50"}, {"raise": 3.8}]}, report) == []
    assert mismatches({"problems": []}, report) == []
    assert mismatches({"merit": []}, report) == [(("merit",), "expected none, got 2")]
    # The closest item says what differs.
    assert mismatches({"merit": [{"employee": "H102", "raise": "4.6"}]}, report) == [
        (("merit", 0, "raise"), "expected 4.6, got 4.5")
    ]
    assert mismatches({"merit": [{}, {}, {}]}, report) == [
        (("merit", 2), "no item of the report is left to match this one")
    ]
    assert mismatches({"mix": {"a": 1}}, report) == [(("mix",), "the report has no 'mix' here")]
    assert mismatches({"merit": {"H101": "3.8"}}, report) == [
        (("merit",), "expected a mapping, got a list of 2")
    ]
    assert mismatches({"x": True}, {"x": "true"}) == [(("x",), "expected True, got true")]


def test_a_case_of_an_unknown_command_or_with_inline_records_for_pay(tmp_path: Path) -> None:
    test = tmp_path / "t.test.yaml"
    test.write_text(
        "hrpolicy-test: 1\npolicy: p.yaml\ncases:\n"
        "  - {name: a, command: payy, records: r.yaml, expect: {}}\n"
        "  - {name: b, command: pay, records: {employees: []}, expect: {report: {}}}\n"
        "  - {name: c, command: jobeval, records: r.yaml, expect: {problems: []}}\n",
        encoding="utf-8",
    )
    code, out, _ = invoke("test", str(test))
    assert code == 2
    # Each points at the value: "  - {name: a, command: " is 23 characters, "  - {name: b, command: pay,
    # records: " 37, and "  - {name: c, command: jobeval, records: r.yaml, expect: " 57.
    assert out.splitlines()[:4] == [
        f"{test}:4:24: error [test-file] unknown command 'payy'",
        "  suggestion: did you mean 'pay'?",
        f"{test}:5:38: error [test-file] a pay case reads a data file: give its path",
        f"{test}:6:58: error [test-file] a jobeval case expects a report: part of its JSON report",
    ]
