"""Golden cases: every folder under tests/cases/ is a test just by existing.

``invalid/<rule-id>/policy.yaml`` must make ``hrpolicy validate policy.yaml`` print exactly
``expected.txt`` and exit 1 (0 when it expects warnings only); ``valid/<name>/policy.yaml``
must validate silently with exit 0.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.checks.distributions import REPORTED_ELSEWHERE
from engine.cli import cli

CASES = Path(__file__).resolve().parent / "cases"
ENGINE = Path(__file__).resolve().parent.parent / "engine"
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if (p / "expected.txt").exists())
VALID = sorted(p for p in (CASES / "valid").iterdir() if (p / "policy.yaml").exists())


def _validate_in(folder: Path) -> tuple[int, str]:
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = runner.invoke(cli, ["validate", "policy.yaml"])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_reports_exactly_the_expected_diagnostics(case: Path) -> None:
    code, out = _validate_in(case)
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert out == expected
    assert code == (1 if ": error [" in expected else 0)


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case_passes_silently(case: Path) -> None:
    code, out = _validate_in(case)
    assert (code, out) == (0, "")


def test_every_invalid_case_names_its_rule_in_its_expected_output() -> None:
    for case in INVALID:
        expected = (case / "expected.txt").read_text(encoding="utf-8")
        assert f"[{case.name}]" in expected, case.name


def _rule_ids_in_sources() -> set[str]:
    """Every rule id the validator can report, read from the modules that report them."""
    pattern = re.compile(
        r"\"((?:yaml|schema|weight|count|grade|segment|formula|ref|table|points|scale|duplicate|pay|policy"
        r"|distribution|workflow)"
        r"-[a-z-]+)\""
    )
    sources = [ENGINE / name for name in ("loader.py", "schema.py", "validate.py", "distribution/rule.py")]
    sources += sorted((ENGINE / "checks").glob("*.py")) + sorted((ENGINE / "formula").glob("*.py"))
    return {m for path in sources for m in pattern.findall(path.read_text(encoding="utf-8"))}


def test_every_rule_id_has_a_golden_failing_case() -> None:
    rules = _rule_ids_in_sources() - REPORTED_ELSEWHERE
    assert len(rules) >= 50  # the scan itself works
    cases = {p.name for p in (CASES / "invalid").iterdir()}
    assert sorted(rules - cases) == []
