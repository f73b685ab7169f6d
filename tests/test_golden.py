"""Golden cases: every folder under tests/cases/ is a test just by existing.

``invalid/<rule-id>/policy.yaml`` must make ``hrpolicy validate policy.yaml`` print exactly
``expected.txt`` and exit 1 (0 when it expects warnings only); ``valid/<name>/policy.yaml``
must validate silently with exit 0.

Most invalid cases are one mistake in the minimal policy: such a case holds ``patch.yaml``, a list
of ``{find, replace}`` text replacements applied in order to ``valid/minimal/policy.yaml``, instead
of a copy, so that a change to the minimal policy reaches every case. ``python tests/test_golden.py
CASE`` prints the policy a case validates.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import case_folder, policy_text

from engine.checks.distributions import REPORTED_ELSEWHERE
from engine.cli import cli
from engine.schema import schema_path

CASES = Path(__file__).resolve().parent / "cases"
ENGINE = Path(__file__).resolve().parent.parent / "engine"
_validated_in: list[Path] = [CASES]
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if (p / "expected.txt").exists())
PATCHED = [p for p in INVALID if (p / "patch.yaml").exists()]
VALID = sorted(p for p in (CASES / "valid").iterdir() if (p / "policy.yaml").exists())


def _validate_in(folder: Path, tmp: Path) -> tuple[int, str]:
    folder = case_folder(folder, tmp)
    _validated_in[0] = folder
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = runner.invoke(cli, ["validate", "policy.yaml"])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_reports_exactly_the_expected_diagnostics(case: Path, tmp_path: Path) -> None:
    code, out = _validate_in(case, tmp_path)
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    # The modeline suggestion names the schema relative to the policy's folder, which for a case
    # written to a temporary folder is only known here: expected.txt writes it as $SCHEMA.
    schema = Path(os.path.relpath(schema_path(), _validated_in[0])).as_posix()
    assert out == expected.replace("$SCHEMA", schema)
    assert code == (1 if ": error [" in expected else 0)


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case_passes_silently(case: Path, tmp_path: Path) -> None:
    code, out = _validate_in(case, tmp_path)
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
    sources = [ENGINE / name for name in ("schema.py", "validate.py", "distribution/rule.py")]
    sources += sorted((ENGINE / "loader").glob("*.py"))
    sources += sorted((ENGINE / "checks").glob("*.py")) + sorted((ENGINE / "formula").glob("*.py"))
    return {m for path in sources for m in pattern.findall(path.read_text(encoding="utf-8"))}


def test_every_rule_id_has_a_golden_failing_case() -> None:
    rules = _rule_ids_in_sources() - REPORTED_ELSEWHERE
    assert len(rules) >= 50  # the scan itself works
    cases = {p.name for p in (CASES / "invalid").iterdir()}
    assert sorted(rules - cases) == []


def test_a_patched_case_is_a_few_lines_over_the_minimal_policy() -> None:
    # The point of a patch: one mistake, not a copy. A case that needs more is its own policy.yaml.
    assert len(PATCHED) >= 35
    for case in PATCHED:
        assert not (case / "policy.yaml").exists(), case.name
        steps = yaml.safe_load((case / "patch.yaml").read_text(encoding="utf-8"))
        changed = sum(step["replace"].count("\n") + step["find"].count("\n") for step in steps)
        assert changed <= 12, case.name


def test_a_patch_whose_text_is_not_found_once_is_refused(tmp_path: Path) -> None:
    (tmp_path / "patch.yaml").write_text('- find: "    quotaz:"\n  replace: "x"\n', encoding="utf-8")
    with pytest.raises(AssertionError, match="replacement 1 finds its text 0 times, not once"):
        policy_text(tmp_path)


if __name__ == "__main__":
    import sys

    sys.stdout.write(policy_text(CASES / "invalid" / sys.argv[1]))
