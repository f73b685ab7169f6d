"""The pre-commit hooks, run as pre-commit runs them: ``pre-commit try-repo`` installs this
repository (its working tree, copied and committed) into a fresh virtualenv and runs the hook in
a scratch git repository holding a broken policy, a records file and a test file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import policy_text

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
def repos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("precommit")
    hooks = _hook_repo(tmp)
    work = tmp / "company"
    (work / "hr").mkdir(parents=True)
    (work / "hr" / "overall.yaml").write_text(policy_text(CASES / "weight-sum"), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "japan_mbo" / "employees.yaml", work / "hr" / "employees.yaml")
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "policies")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp / "cache"), "PRE_COMMIT_COLOR": "never"}
    return hooks, work, env


def _try(repos: tuple[Path, Path, dict[str, str]], hook: str) -> subprocess.CompletedProcess[str]:
    hooks, work, env = repos
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--all-files"]
    return subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)


def test_the_manifest_declares_both_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [(h["id"], h["entry"], h["language"]) for h in hooks] == [
        ("hrpolicy-validate", "hrpolicy validate --policies-only", "python"),
        ("hrpolicy-test", "hrpolicy test", "python"),
    ]


def test_try_repo_validate_fails_on_the_broken_policy_with_its_located_message(
    repos: tuple[Path, Path, dict[str, str]],
) -> None:
    result = _try(repos, "hrpolicy-validate")
    assert result.returncode == 1, result.stdout + result.stderr
    # The records file next to the policy is YAML without 'hrpolicy:': skipped, not reported.
    assert (
        "hr/overall.yaml:110:13: error [weight-sum] quotas of distribution 'overall' add up to 99, not 100\n"
        "  suggestion: add 1 to one of them\n"
    ) in result.stdout
    assert "employees.yaml" not in result.stdout.replace("skipped 1 YAML file", "")
    assert "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings); skipped 1 YAML file" in result.stdout


def test_try_repo_test_hook_runs_the_stored_tests(repos: tuple[Path, Path, dict[str, str]]) -> None:
    _, work, _ = repos
    # A valid policy with its test file, whose one expectation is wrong (E001 scores 79.50).
    shutil.copy(ROOT / "policies" / "japan_mbo.yaml", work / "hr" / "japan.yaml")
    (work / "hr" / "japan.test.yaml").write_text(
        "hrpolicy-test: 1\npolicy: japan.yaml\ncases:\n  - name: E001\n    records: employees.yaml\n"
        "    expect:\n      employees:\n        E001: {score: \"79.40\"}\n",
        encoding="utf-8",
    )
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "japan")
    result = _try(repos, "hrpolicy-test")
    assert result.returncode == 1, result.stdout + result.stderr
    failure = "hr/japan.test.yaml:8:23: error [test-failed] E001 score: expected 79.40, got 79.50\n"
    assert failure in result.stdout
