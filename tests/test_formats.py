"""The --format names the command line offers without importing the renderers
(engine/report/formats.py) are each registry's names, in order; and the cheap commands import
only what they use."""

from __future__ import annotations

import subprocess
import sys

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
    assert "engine.validate" in loaded and "jsonschema" in loaded
    for heavy in ("engine.evaluate", "engine.report.results", "engine.io.records", "engine.workflow.run",
                  "holidays", "openpyxl"):  # fmt: skip
        assert heavy not in loaded


def test_the_countries_a_calendar_may_name_are_the_holidays_packages() -> None:
    import holidays

    from engine.workflow.calendar import supported_countries

    assert supported_countries() == frozenset(holidays.list_supported_countries())
    assert {"KR", "JP", "DE"} <= supported_countries()
