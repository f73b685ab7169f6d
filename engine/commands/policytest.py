"""``hrpolicy test``: run the tests stored with policies, report in the chosen format, exit 0/1/2.

``pay``, ``jobeval`` and ``workflow`` cases check those commands' JSON reports: the reporters
below build them exactly as the commands do, from the same readers and domain builders.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.commands.common import Reading
from engine.errors import DataError, HRPolicyError, UsageError
from engine.io.datafile import read_data_file
from engine.io.jobfile import read_job_file
from engine.io.payfile import read_pay_file
from engine.jobeval import build_job_report
from engine.loader import load_yaml_file
from engine.pay import build_pay_report
from engine.policytest import FileResult, Reporter, run_tests
from engine.report import jobeval as jobeval_report
from engine.report import pay as pay_report
from engine.report import renderer
from engine.report import workflow as workflow_report
from engine.report.labels import Labels
from engine.report.policytest import TEST_RENDERERS, TestReport
from engine.validate import load_policy
from engine.workflow import as_date, build_workflow_report
from engine.workflow.records import WORKFLOW_LISTS


def _options(options: Mapping[str, str], allowed: Sequence[str], command: str) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        shown = ", ".join(allowed) or "none"
        raise UsageError(f"unknown option(s) {', '.join(unknown)} for {command} (options: {shown})")


def _pay(policy_path: str, data_path: str, options: Mapping[str, str]) -> Any:
    _options(options, ("base_rate",), "pay")
    policy = load_policy(policy_path)
    data = read_pay_file(policy.data, data_path)
    report = build_pay_report(str(policy.data["metadata"]["id"]), data, options.get("base_rate"))
    return json.loads(pay_report.RENDERERS["json"](report))


def _jobeval(policy_path: str, data_path: str, options: Mapping[str, str]) -> Any:
    _options(options, (), "jobeval")
    policy = load_policy(policy_path)
    report = build_job_report(str(policy.data["metadata"]["id"]), policy.data, read_job_file(data_path))
    return json.loads(jobeval_report.RENDERERS["json"](report))


def _workflow(policy_path: str, data_path: str, options: Mapping[str, str]) -> Any:
    _options(options, ("today",), "workflow")
    try:
        day = as_date(options["today"], "today") if "today" in options else None
    except DataError as exc:
        raise UsageError(str(exc)) from None
    policy = load_policy(policy_path)
    report = build_workflow_report(
        str(policy.data["metadata"]["id"]), policy.data, read_data_file(data_path, WORKFLOW_LISTS), day
    )
    return json.loads(workflow_report.RENDERERS["json"](report))


def in_language(result: FileResult, lang: str) -> None:
    """The failures and errors of one test file with the fields they name given by its policy's
    labels in ``lang``; a policy that does not load leaves them as they are."""
    try:
        data = load_yaml_file(result.policy, display=result.policy).data
    except HRPolicyError:
        return
    labels = Labels(data if isinstance(data, dict) else {}, lang)
    result.errors = [labels.diagnostic(d) for d in result.errors]
    for case in result.cases:
        case.failures = [labels.diagnostic(d) for d in case.failures]


REPORTERS: dict[str, Reporter] = {"pay": _pay, "jobeval": _jobeval, "workflow": _workflow}


def run_policy_tests(
    paths: Sequence[str],
    fmt: str,
    echo: Callable[..., None],
    *,
    exclude: Sequence[str] = (),
    coverage: bool = False,
    min_coverage: float | None = None,
    lang: str | None = None,
    reading: Reading | None = None,
) -> int:
    """0 every case passed (and coverage reached ``min_coverage``), 1 a case failed or coverage
    is short or a policy is invalid, 2 a test file is missing, unreadable or malformed.
    ``lang``: the fields failures name are given by the policy's labels in that language too;
    ``reading``: the encoding and sheet of the CSV files and workbooks cases read."""
    render = renderer(TEST_RENDERERS, fmt)
    how = reading or Reading()
    run = run_tests(paths, exclude, REPORTERS, (how.encoding, how.sheet))
    if lang is not None:
        for result in run.files:
            in_language(result, lang)
    report = TestReport(run, coverage, min_coverage)
    echo(render(report), nl=False)
    if run.broken or not (run.files or run.broken):
        return 2
    return 0 if run.passed and not report.below_minimum else 1
