"""Golden cases: every folder under tests/cases/ is a test just by existing.

``invalid/<rule-id>/policy.yaml`` must make ``hrpolicy validate policy.yaml`` print exactly
``expected.txt`` and exit 1; ``valid/<name>/policy.yaml`` must validate silently with exit 0.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli

CASES = Path(__file__).resolve().parent / "cases"
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
    assert out == (case / "expected.txt").read_text(encoding="utf-8")
    assert code == 1


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case_passes_silently(case: Path) -> None:
    code, out = _validate_in(case)
    assert (code, out) == (0, "")


def test_every_invalid_case_names_its_rule_in_its_expected_output() -> None:
    for case in INVALID:
        expected = (case / "expected.txt").read_text(encoding="utf-8")
        assert f"[{case.name}]" in expected, case.name
