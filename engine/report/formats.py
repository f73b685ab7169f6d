"""The ``--format`` names of every renderer registry, as plain tuples.

The command line offers them without importing the renderers (and the engine behind them), so
that ``hrpolicy validate``, ``--help`` and ``--version`` import only what they use. Each tuple
lists its registry's keys in order; tests/test_formats.py holds them equal, so adding a format
is still one registry entry plus its name here.
"""

from __future__ import annotations

#: Registry (see :mod:`engine.report`) -> its format names, in the registry's order.
FORMATS: dict[str, tuple[str, ...]] = {
    "diagnostics": ("text", "json", "github", "sarif", "junit"),  # diagnostics.RENDERERS
    "policytest": ("text", "json", "junit", "sarif", "github"),  # policytest.TEST_RENDERERS
    "results": ("text", "json", "csv", "html", "xlsx"),  # results.RENDERERS
    "explain": ("text", "json", "html"),  # results.EXPLAIN_RENDERERS
    "calibration": ("text", "json", "csv", "html", "xlsx"),  # calibration.RENDERERS
    "jobeval": ("text", "json", "csv", "html", "xlsx"),  # jobeval.RENDERERS
    "pay": ("text", "json", "csv", "html", "xlsx"),  # pay.RENDERERS
    "workflow": ("text", "json", "csv", "html", "xlsx"),  # workflow.RENDERERS
    "reports": ("text", "json", "csv", "html", "xlsx"),  # model.RENDERERS (compare, diff, simulate)
    "rulebook": ("md", "html"),  # rulebook.RENDERERS
}

#: The results formats written in a language, a row at a time (engine.report.lang_stream; JSON
#: says the same in every language: streamed as it is).
IN_LANGUAGE = ("csv", "text")

#: The results formats written as pages a person opens (engine.report.page_stream).
PAGES = ("html", "xlsx")
