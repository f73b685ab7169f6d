"""The pre-commit hooks, run as pre-commit runs them: ``pre-commit try-repo`` installs this
repository (its working tree, copied and committed) into a fresh virtualenv and runs both hooks
in a scratch git repository holding a broken policy, a records file, a valid policy and its
test file: one try-repo, one virtualenv (a run per hook built one each: 22 s of CPU, now 9)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import policy_text

from engine.loader import load_yaml_file, load_yaml_text
from engine.provenance import stamp_of

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "invalid"
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", ".pre-commit-hooks.yaml")
FOLDERS = ("engine", "policies", "examples", "schema")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _hook_repo(tmp: Path) -> Path:
    """This working tree as a committed git repository (try-repo installs a repository's HEAD)."""
    repo = tmp / "hrpolicy"
    repo.mkdir()
    for name in SOURCES:
        shutil.copy(ROOT / name, repo / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_bundled")
    for name in FOLDERS:
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hrpolicy")
    return repo


@pytest.fixture(scope="module")
def hooks_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """Both hooks run by one ``try-repo`` (one fresh virtualenv, where a run per hook built one
    each) over a scratch repository holding a broken policy, a records file, and a valid policy
    with its test file, whose one expectation is wrong (E001 scores 79.50)."""
    tmp = tmp_path_factory.mktemp("precommit")
    hooks = _hook_repo(tmp)
    work = tmp / "company"
    (work / "hr").mkdir(parents=True)
    (work / "hr" / "overall.yaml").write_text(policy_text(CASES / "weight-sum"), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "japan_mbo" / "employees.yaml", work / "hr" / "employees.yaml")
    shutil.copy(ROOT / "policies" / "japan_mbo.yaml", work / "hr" / "japan.yaml")
    (work / "hr" / "japan.test.yaml").write_text(
        "hrpolicy-test: 1\npolicy: japan.yaml\ncases:\n  - name: E001\n    records: employees.yaml\n"
        '    expect:\n      employees:\n        E001: {score: "79.40"}\n',
        encoding="utf-8",
    )
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "policies")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp / "cache"), "PRE_COMMIT_COLOR": "never"}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "--all-files"]
    return subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)


def _section(result: subprocess.CompletedProcess[str], hook: str) -> str:
    """What pre-commit printed for ``hook``: from its id to the next hook's status line."""
    out = result.stdout
    start = out.index(f"- hook id: {hook}\n")
    after = re.search(r"^.+\.{4,}(Passed|Failed|Skipped)$", out[start:], re.MULTILINE)
    return out[start : start + after.start() if after else len(out)]


def test_the_manifest_declares_both_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [(h["id"], h["entry"], h["language"]) for h in hooks] == [
        ("hrpolicy-validate", "hrpolicy validate --policies-only", "python"),
        ("hrpolicy-test", "hrpolicy test", "python"),
    ]


def test_try_repo_validate_fails_on_the_broken_policy_with_its_located_message(
    hooks_run: subprocess.CompletedProcess[str],
) -> None:
    assert hooks_run.returncode == 1, hooks_run.stdout + hooks_run.stderr
    # The records file and the test file are YAML without 'hrpolicy:': skipped, not reported.
    assert _section(hooks_run, "hrpolicy-validate") == (
        "- hook id: hrpolicy-validate\n- exit code: 1\n\n"
        "hr/overall.yaml:110:13: error [weight-sum] quotas of distribution 'overall' add up to 99, not 100\n"
        "  suggestion: add 1 to one of them\n"
        f"hr/japan.yaml: {stamp_of(load_yaml_file(ROOT / 'policies' / 'japan_mbo.yaml').data).short()}\n"
        f"hr/overall.yaml: {stamp_of(load_yaml_text(policy_text(CASES / 'weight-sum'), 'o').data).short()}\n"
        "checked 2 files: 1 valid, 1 invalid (1 error, 0 warnings); "
        "skipped 2 YAML files without 'hrpolicy:'\n\n"
    )


def test_try_repo_test_hook_runs_the_stored_tests(hooks_run: subprocess.CompletedProcess[str]) -> None:
    out = _section(hooks_run, "hrpolicy-test")
    assert out.startswith("- hook id: hrpolicy-test\n- exit code: 1\n\n"), out
    failure = "hr/japan.test.yaml:8:23: error [test-failed] E001 score: expected 79.40, got 79.50\n"
    assert failure in out
    assert "1 case: 0 passed, 1 failed; skipped 3 YAML files without 'hrpolicy-test:'\n" in out
