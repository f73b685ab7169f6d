"""The --format names the command line offers without importing the renderers
(engine/report/formats.py) are each registry's names, in order; and the cheap commands import
only what they use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine.report import (
    calibration,
    diagnostics,
    jobeval,
    model,
    pay,
    policytest,
    results,
    rulebook,
    workflow,
)
from engine.report.formats import FORMATS

POLICIES = Path(__file__).resolve().parent.parent / "policies"

REGISTRIES = {
    "diagnostics": diagnostics.RENDERERS,
    "policytest": policytest.TEST_RENDERERS,
    "results": results.RENDERERS,
    "explain": results.EXPLAIN_RENDERERS,
    "calibration": calibration.RENDERERS,
    "jobeval": jobeval.RENDERERS,
    "pay": pay.RENDERERS,
    "workflow": workflow.RENDERERS,
    "reports": model.RENDERERS,
    "rulebook": rulebook.RENDERERS,
}


def test_every_name_list_is_its_registry() -> None:
    assert {name: tuple(registry) for name, registry in REGISTRIES.items()} == FORMATS


def _imported(code: str) -> set[str]:
    """The engine modules and heavy libraries a fresh interpreter has imported after ``code``."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False).stdout
    return set(out.split())


def test_the_command_line_imports_no_renderer_and_no_engine() -> None:
    loaded = _imported("import engine.cli")
    assert "engine.cli" in loaded
    for heavy in ("engine.report.results", "engine.evaluate", "engine.compile", "engine.validate",
                  "jsonschema"):  # fmt: skip
        assert heavy not in loaded


def test_validate_imports_neither_evaluation_nor_workflows_nor_reports_of_results() -> None:
    loaded = _imported("from engine.commands.validate import run_validate")
    assert "engine.validate" in loaded and "engine.schemaproof" in loaded
    # jsonschema too: it checks (and words) only what engine.schemaproof does not prove valid
    for heavy in ("engine.evaluate", "engine.report.results", "engine.io.records", "engine.workflow.run",
                  "holidays", "openpyxl", "numpy", "pyarrow", "jsonschema"):  # fmt: skip
        assert heavy not in loaded


def test_the_countries_a_calendar_may_name_are_the_holidays_packages() -> None:
    import holidays

    from engine.workflow.calendar import supported_countries

    assert supported_countries() == frozenset(holidays.list_supported_countries())
    assert {"KR", "JP", "DE"} <= supported_countries()


def test_the_shipped_country_list_is_the_installed_holidays_registry() -> None:
    # validate reads the shipped list so that it never imports holidays; it must say what the
    # package would (regenerate engine/workflow/countries.py when holidays is upgraded).
    from engine.workflow.calendar import is_supported_country, supported_countries
    from engine.workflow.countries import COUNTRY_CODES

    assert supported_countries() == COUNTRY_CODES
    assert len(COUNTRY_CODES) == 501
    assert is_supported_country("KR") and is_supported_country("JPN")
    assert not is_supported_country("ZZ") and not is_supported_country("kr")


def test_validating_the_shipped_policies_imports_no_holidays_package() -> None:
    # kepco_like's calendar names a country (KR): the check reads the shipped list.
    loaded = _imported(
        "from engine.validate import check_paths\n"
        f"checks = check_paths([{str(POLICIES)!r}], (), lambda: b'', None)\n"
        "assert len(checks.files) == 3 and not checks.problems, checks"
    )
    assert "engine.checks.distributions" in loaded and "engine.workflow.countries" in loaded
    assert "holidays" not in loaded and "holidays.registry" not in loaded
    # kumho_like's distributions are checked by engine.distribution.rule alone: grading's numpy
    # (engine.distribution.ranking, .compact) is 40 ms that validate must not pay.
    assert "engine.distribution.rule" in loaded and "numpy" not in loaded
