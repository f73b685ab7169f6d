"""``hrpolicy jobeval``: evaluate every job of a record file under a policy's ``job_evaluation``.

Reads the policy and the data file (:mod:`engine.io.jobfile`), evaluates each job
(:func:`engine.jobeval.build_job_report`), renders (:mod:`engine.report.jobeval`). A file that
cannot be read at all is a :class:`DataError` (exit 2); problems with single jobs (panel
composition, levels, committee votes) are reported with the job id and the data file's line:col,
every other job is still evaluated, and the exit code is 1.
"""

from __future__ import annotations

from engine.commands.common import Echo, check_output, deliver_report, finish, guard_output
from engine.errors import UsageError
from engine.io.jobfile import read_job_file
from engine.jobeval import build_job_report
from engine.report import renderer
from engine.report.jobeval import RENDERERS
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.validate import load_policy


def run_jobeval(
    policy_path: str,
    data_path: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    options: ReportOptions | None = None,
    *,
    strict: bool = False,
) -> int:
    """Evaluate the jobs in ``data_path`` under ``policy_path``; report as ``fmt`` (text, json, csv).

    Returns 0 when every job was evaluated without a problem, 1 otherwise. A committee that
    lawfully did not adopt an adjustment (no quorum, voted down) is an outcome shown in the
    report, not a problem; with ``strict`` it makes the exit code 1 too. Raises
    :class:`PolicyInvalid` for an invalid policy, :class:`DataError`/:class:`UsageError` for an
    unreadable file or a policy without ``job_evaluation``.
    """
    renderer(RENDERERS, fmt)  # an unknown format is refused before anything is read
    check_output(output, fmt)
    guard_output(output, [policy_path, data_path])
    policy = load_policy(policy_path)
    if not policy.data.get("job_evaluation"):
        raise UsageError(f"{policy_path}: the policy declares no job_evaluation section")
    report = build_job_report(str(policy.data["metadata"]["id"]), policy.data, read_job_file(data_path))
    deliver_report(RENDERERS, fmt, report, output, echo, options or ReportOptions(), policy.data)
    jobs = [line.result.job for line in report.jobs]
    labels = Labels(policy.data, (options or ReportOptions()).lang)
    code = finish(report.all_problems(), jobs, "jobs", fmt, echo, labels)
    refused = [
        f"{line.result.job} ({outcome.verdict})"
        for line in report.jobs
        if (outcome := line.result.adjustment_outcome) is not None and outcome.lawful_no
    ]
    if strict and refused:
        jobs_named = ", ".join(refused)
        echo(f"hrpolicy: --strict: the committee did not adopt the adjustment of {jobs_named}", err=True)
        return 1
    return code
