"""``hrpolicy test``: run the tests stored with policies, report in the chosen format, exit 0/1/2."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.policytest import run_tests
from engine.report.policytest import TEST_RENDERERS, TestReport


def run_policy_tests(
    paths: Sequence[str],
    fmt: str,
    echo: Callable[..., None],
    *,
    exclude: Sequence[str] = (),
    coverage: bool = False,
    min_coverage: float | None = None,
) -> int:
    """0 every case passed (and coverage reached ``min_coverage``), 1 a case failed or coverage
    is short or a policy is invalid, 2 a test file is missing, unreadable or malformed."""
    run = run_tests(paths, exclude)
    report = TestReport(run, coverage, min_coverage)
    echo(TEST_RENDERERS[fmt](report), nl=False)
    if run.broken or not (run.files or run.broken):
        return 2
    return 0 if run.passed and not report.below_minimum else 1
