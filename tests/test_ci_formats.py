"""validate for CI: SARIF 2.1.0 (checked against the OASIS schema), JUnit XML, discovery by
content, --exclude, standard input, and errors that stay in the chosen format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import policy_stamp, policy_text, stamp_line

from engine.cli import cli
from engine.report.diagnostics import RENDERERS
from engine.report.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "invalid"
WEIGHT_SUM = CASES / "weight-sum"
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif" / "sarif-schema-2.1.0.json"


def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def cases(tmp_path: Path) -> Path:
    """The weight-sum and policy-modeline golden cases written out as <case>/policy.yaml."""
    for name in ("weight-sum", "policy-modeline"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "policy.yaml").write_text(policy_text(CASES / name), encoding="utf-8")
    return tmp_path


def check_sarif(text: str) -> dict[str, object]:
    log = json.loads(text)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=str)
    assert errors == []
    assert isinstance(log, dict)
    return log


def test_the_format_choices_are_the_registry() -> None:
    assert list(RENDERERS) == ["text", "json", "github", "sarif", "junit"]
    code, _, err = invoke("validate", "--format", "xml", "x.yaml")
    assert code == 2
    assert "'text', 'json', 'github', 'sarif', 'junit'" in err


def test_sarif_of_an_invalid_and_a_warning_policy_is_valid_sarif(
    monkeypatch: pytest.MonkeyPatch, cases: Path
) -> None:
    monkeypatch.chdir(cases)
    code, out, _ = invoke(
        "validate", "--format", "sarif", "weight-sum/policy.yaml", "policy-modeline/policy.yaml"
    )
    assert code == 1
    log = check_sarif(out)
    run = log["runs"][0]  # type: ignore[index]
    assert log["version"] == "2.1.0"
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["policy-modeline", "weight-sum"]
    assert rules[1]["shortDescription"] == {"text": "Weights or quotas do not add up to 100"}
    assert rules[1]["help"] == {"text": "Adjust one of them as the suggestion says."}
    first = run["results"][0]
    assert first["ruleId"] == "weight-sum" and first["ruleIndex"] == 1 and first["level"] == "error"
    assert first["message"]["text"] == (
        "quotas of distribution 'overall' add up to 99, not 100 (suggestion: add 1 to one of them)"
    )
    location = first["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "weight-sum/policy.yaml"},
        "region": {"startLine": 110, "startColumn": 13},
    }
    second = run["results"][1]
    assert (second["ruleId"], second["level"], second["ruleIndex"]) == ("policy-modeline", "warning", 0)


def test_sarif_of_a_valid_policy_has_no_results() -> None:
    code, out, _ = invoke("validate", "--format", "sarif", str(ROOT / "policies" / "japan_mbo.yaml"))
    assert code == 0
    log = check_sarif(out)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []  # type: ignore[index]


def test_every_golden_rule_has_catalogue_help() -> None:
    golden = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert sorted(golden - set(RULES)) == []
    assert all(info.short and info.help.endswith(".") for info in RULES.values())


def test_the_library_reports_an_unreadable_file_under_the_catalogue_rule() -> None:
    from engine.validate import check_paths

    checks = check_paths(["no/such.yaml"], (), lambda: b"", None)
    assert RULES["file-unreadable"].short == "File cannot be read"
    assert [(f, [(d.rule, d.message) for d in ds]) for f, ds in checks.files] == [
        ("no/such.yaml", [("file-unreadable", "no such file or folder")])
    ]
    assert checks.problems == ["no/such.yaml: no such file or folder"] and checks.stdin is None


def test_junit_one_case_per_file_failure_lists_the_located_problem(
    monkeypatch: pytest.MonkeyPatch, cases: Path
) -> None:
    monkeypatch.chdir(cases)
    code, out, _ = invoke(
        "validate", "--format", "junit", "weight-sum/policy.yaml", "policy-modeline/policy.yaml"
    )
    assert code == 1
    root = ET.fromstring(out)
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "2", "1")
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["weight-sum/policy.yaml", "policy-modeline/policy.yaml"]
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("type") == "weight-sum"
    assert failure.get("message") == (
        "weight-sum/policy.yaml:110:13: error [weight-sum] quotas of distribution 'overall' add up to 99, "
        "not 100"
    )
    assert failure.text == (
        "weight-sum/policy.yaml:110:13: error [weight-sum] quotas of distribution 'overall' add up to 99, "
        "not 100\n  suggestion: add 1 to one of them"
    )
    assert cases[1].find("failure") is None
    out_text = cases[1].findtext("system-out") or ""
    full = [policy_stamp(f"{c}/policy.yaml") for c in ("weight-sum", "policy-modeline")]
    first, second = out_text.split("\n", 2)[:2]
    assert first == full[1]  # the stamp of what was checked, then the warnings
    assert second.startswith("policy-modeline/policy.yaml:1:1: warning [policy-modeline]")
    listed = [(p.get("name"), p.get("value")) for p in root.findall("testsuite/properties/property")]
    assert listed == [("weight-sum/policy.yaml", full[0]), ("policy-modeline/policy.yaml", full[1])]


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    """A folder as a company keeps it: two policies, records, a test file, other YAML."""
    (tmp_path / "hr").mkdir()
    shutil.copy(ROOT / "policies" / "japan_mbo.yaml", tmp_path / "hr" / "japan.yaml")
    (tmp_path / "hr" / "broken.yaml").write_text(policy_text(WEIGHT_SUM), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "japan_mbo" / "employees.yaml", tmp_path / "hr" / "employees.yaml")
    (tmp_path / "hr" / "archive").mkdir()
    (tmp_path / "hr" / "archive" / "old.yaml").write_text(policy_text(WEIGHT_SUM), encoding="utf-8")
    (tmp_path / "hr" / "ci.yml").write_text("jobs: {}\n", encoding="utf-8")
    (tmp_path / "hr" / "notes.txt").write_text("hrpolicy: 1\n", encoding="utf-8")
    return tmp_path


def test_a_folder_is_searched_by_content_and_skipped_files_are_counted(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mixed)
    code, out, err = invoke("validate", "hr")
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")] == [
        "hr/archive/old.yaml",
        "hr/broken.yaml",
    ]
    assert err.endswith(
        "checked 3 files: 1 valid, 2 invalid (2 errors, 0 warnings); "
        "skipped 2 YAML files without 'hrpolicy:'\n"
    )
    code, out, _ = invoke("validate", "--format", "json", "hr")
    assert json.loads(out)["skipped"] == ["hr/ci.yml", "hr/employees.yaml"]


def test_exclude_drops_a_folder_and_a_named_file(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed)
    code, _, err = invoke("validate", "--exclude", "archive/*", "hr")
    assert code == 1
    stamps = stamp_line("hr/broken.yaml") + stamp_line("hr/japan.yaml")
    assert err.startswith(stamps + "checked 2 files: 1 valid, 1 invalid")
    code, _, err = invoke("validate", "--exclude", "archive/*", "--exclude", "broken.yaml", "hr")
    assert code == 0
    assert err.startswith(stamp_line("hr/japan.yaml") + "checked 1 file: 1 valid, 0 invalid")


def test_stdin_with_a_filename_for_locations() -> None:
    text = policy_text(WEIGHT_SUM).encode()
    code, out, _ = invoke("validate", "-", "--stdin-filename", "hr/overall.yaml", stdin=text)
    assert code == 1
    assert out.startswith("hr/overall.yaml:110:13: error [weight-sum] quotas of distribution 'overall'")
    code, out, _ = invoke("validate", "-", stdin=text)
    assert out.startswith("<stdin>:110:13: error [weight-sum]")


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "github"])
def test_a_missing_file_is_reported_in_the_chosen_format(fmt: str) -> None:
    code, out, _ = invoke("validate", "--format", fmt, "no/such.yaml")
    assert code == 2
    message = "no such file or folder"
    if fmt == "json":
        diag = json.loads(out)["files"][0]["diagnostics"][0]
        assert (diag["file"], diag["rule"], diag["message"]) == ("no/such.yaml", "file-unreadable", message)
    elif fmt == "sarif":
        result = check_sarif(out)["runs"][0]["results"][0]  # type: ignore[index]
        assert result["ruleId"] == "file-unreadable" and result["message"]["text"] == message
        assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "no/such.yaml"}}
    elif fmt == "junit":
        failure = ET.fromstring(out).find("testsuite/testcase/failure")
        assert failure is not None and failure.get("type") == "file-unreadable"
    else:
        assert (
            out
            == f"::error file=no/such.yaml,line=0,col=0,title=file-unreadable::[file-unreadable] {message}\n"
        )


def test_a_folder_without_policies_is_reported_in_json(tmp_path: Path) -> None:
    (tmp_path / "records.yaml").write_text("employees: []\n", encoding="utf-8")
    code, out, _ = invoke("validate", "--format", "json", str(tmp_path))
    assert code == 2
    payload = json.loads(out)
    assert payload["skipped"] == [str(tmp_path / "records.yaml")]
    assert payload["files"][0]["diagnostics"][0]["message"] == (
        f"no policy files (YAML with a top-level 'hrpolicy:' key) found in {tmp_path}"
    )


def test_the_top_level_key_is_read_from_the_text() -> None:
    from engine.io.discover import excluded, text_has_top_level_key

    assert text_has_top_level_key(b"# modeline\nhrpolicy: 1\n", "hrpolicy")
    assert text_has_top_level_key(b"\xef\xbb\xbf'hrpolicy' : 1\n", "hrpolicy")  # BOM, quoted key
    assert not text_has_top_level_key(b"notes:\n  hrpolicy: 1\n", "hrpolicy")  # nested, not top level
    assert not text_has_top_level_key(b"hrpolicy-test: 1\n", "hrpolicy")
    assert text_has_top_level_key(b"hrpolicy-test: 1\n", "hrpolicy-test")
    assert excluded("hr/archive/old.yaml", ["archive/*"])
    assert excluded("hr/archive/old.yaml", ["old.yaml"])
    assert not excluded("hr/current.yaml", ["archive/*", "old.yaml"])


def test_policies_only_skips_named_files_that_are_no_policy(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mixed)
    code, out, err = invoke("validate", "--policies-only", "hr/employees.yaml", "hr/japan.yaml")
    assert (code, out) == (0, "")
    assert err == stamp_line("hr/japan.yaml") + (
        "checked 1 file: 1 valid, 0 invalid (0 errors, 0 warnings); skipped 1 YAML file without 'hrpolicy:'\n"
    )
    # Only records changed: nothing to check, and that is no error.
    code, out, err = invoke("validate", "--policies-only", "hr/employees.yaml")
    assert (code, out) == (0, "")
    assert err.startswith("checked 0 files: 0 valid, 0 invalid")
    # Without the flag a named file is a policy, and records are not one.
    assert invoke("validate", "hr/employees.yaml")[0] == 1
