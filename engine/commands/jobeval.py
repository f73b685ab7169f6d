"""``hrpolicy jobeval``: evaluate every job of a record file under a policy's ``job_evaluation``.

The data file (YAML or JSON) holds ``jobs:``, each a job record as
:func:`engine.jobeval.points.job_from_record` reads it (docs/jobeval-and-pay.md, "Commands and data
formats"). A file that cannot be read at all is a :class:`DataError` (exit 2); problems with
single jobs (panel composition, levels, committee votes) are reported with the job id and the
data file's line:col, every other job is still evaluated, and the exit code is 1.

The helpers for data files and output live in :mod:`engine.commands.common`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.commands.common import (
    Echo,
    deliver,
    finish,
    guard_output,
    need_list,
    need_mapping,
    read_data_file,
    unknown_keys,
    where,
)
from engine.errors import DataError, Diagnostic, UsageError
from engine.jobeval import evaluate_job, job_from_record
from engine.loader import LoadedDocument
from engine.location import Path
from engine.report.jobeval import RENDERERS, JobLine, JobReport, Problem
from engine.validate import load_policy

#: Keys a file may give once for every job (a job's own value wins).
SHARED_KEYS = ("decision", "approvals", "analysed_on", "evaluated_on")
TOP_KEYS = frozenset({"policy", "jobs", *SHARED_KEYS})
JOB_KEYS = frozenset(
    {
        "job", "title", "family", "holder", "holder_name", "panel", "adjustment", "division", "position",
        "superior", "survey_skip", "panel_change", *SHARED_KEYS,
    }
)
RATER_KEYS = frozenset({"rater", "name", "group", "rater_job", "levels", "division", "position", "sme"})
ADJUSTMENT_KEYS = frozenset({"grade", "committee", "meeting", "note"})


# --- jobeval ------------------------------------------------------------------------------------


def _job_keys(doc: LoadedDocument, index: int, record: Mapping[str, Any]) -> list[Diagnostic]:
    """Shape checks of one job record (raising DataError) and its unknown keys (collected)."""
    base: Path = ("jobs", index)
    found = unknown_keys(doc, base, record, JOB_KEYS, "a job")
    panel = need_list(doc, (*base, "panel"), record.get("panel", []), "panel")
    for i, rater in enumerate(panel):
        at: Path = (*base, "panel", i)
        found += unknown_keys(doc, at, need_mapping(doc, at, rater, "a panel entry"), RATER_KEYS, "a rating")
        need_mapping(doc, (*at, "levels"), rater.get("levels", {}), "levels")
    adjustment = record.get("adjustment")
    if adjustment is not None:
        at = (*base, "adjustment")
        found += unknown_keys(
            doc, at, need_mapping(doc, at, adjustment, "adjustment"), ADJUSTMENT_KEYS, "an adjustment"
        )
        need_mapping(doc, (*at, "meeting"), adjustment.get("meeting", {}), "meeting")
    return found


def _job_line(policy: Mapping[str, Any], doc: LoadedDocument, index: int, record: Any) -> JobLine:
    at: Path = ("jobs", index)
    record = need_mapping(doc, at, record, "a job")
    # The run's decision and approvals (one meeting decides the whole grade proposal) apply to
    # every job that records none of its own.
    shared = {k: doc.data[k] for k in SHARED_KEYS if k in doc.data and k not in record}
    record = {**shared, **record}
    extra = _job_keys(doc, index, record)
    try:
        job = job_from_record(record, at)
    except DataError as exc:  # its message has the JSON path; add the line:col of the job
        raise DataError(f"{where(doc, at)}: {exc}") from None
    result = evaluate_job(policy, job, doc.source)
    names = {str(r.get("rater")): str(r.get("name", "")) for r in record.get("panel", [])}
    return JobLine(
        result,
        title=str(record.get("title", "")),
        holder=job.holder,
        holder_name=str(record.get("holder_name", "")),
        rater_names=names,
        problems=tuple(result.problems) + tuple(extra),
    )


def _duplicates(doc: LoadedDocument, lines: list[JobLine]) -> list[Problem]:
    seen: set[str] = set()
    found: list[Problem] = []
    for index, line in enumerate(lines):
        job = line.result.job
        if job in seen:
            location = doc.source.locate(("jobs", index, "job"))
            found.append((job, Diagnostic(location, "jobeval-duplicate-job", f"job {job} appears twice")))
        seen.add(job)
    return found


def build_job_report(policy_id: str, policy: Mapping[str, Any], doc: LoadedDocument) -> JobReport:
    """Evaluate every job of a loaded data file; raise DataError when the file has no usable jobs."""
    data = doc.data
    file_problems: list[Problem] = [("file", d) for d in unknown_keys(doc, (), data, TOP_KEYS, "the file")]
    if "jobs" not in data:
        raise DataError(f"{where(doc, ())}: the file has no 'jobs' list")
    records = need_list(doc, ("jobs",), data["jobs"], "jobs")
    lines = [_job_line(policy, doc, i, record) for i, record in enumerate(records)]
    return JobReport(policy_id, doc.file, tuple(lines), tuple(file_problems + _duplicates(doc, lines)))


def run_jobeval(
    policy_path: str, data_path: str, fmt: str, output: str | None, echo: Echo, *, strict: bool = False
) -> int:
    """Evaluate the jobs in ``data_path`` under ``policy_path``; report as ``fmt`` (text, json, csv).

    Returns 0 when every job was evaluated without a problem, 1 otherwise. A committee that
    lawfully did not adopt an adjustment (no quorum, voted down) is an outcome shown in the
    report, not a problem; with ``strict`` it makes the exit code 1 too. Raises
    :class:`PolicyInvalid` for an invalid policy, :class:`DataError`/:class:`UsageError` for an
    unreadable file or a policy without ``job_evaluation``.
    """
    if fmt not in RENDERERS:
        raise UsageError(f"unknown format '{fmt}'; use one of {', '.join(RENDERERS)}")
    guard_output(output, [policy_path, data_path])
    policy = load_policy(policy_path)
    if not policy.data.get("job_evaluation"):
        raise UsageError(f"{policy_path}: the policy declares no job_evaluation section")
    doc = read_data_file(data_path)
    report = build_job_report(str(policy.data["metadata"]["id"]), policy.data, doc)
    deliver(RENDERERS[fmt](report), output, echo)
    jobs = [line.result.job for line in report.jobs]
    code = finish(report.all_problems(), jobs, "jobs", fmt, echo)
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
