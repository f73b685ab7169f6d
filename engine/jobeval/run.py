"""A whole ``jobeval`` run: every job of a data file evaluated, with the record's display fields
and every problem found with it (each a :class:`Diagnostic` about its job id, or ``file``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.errors import VALUE_RULES, DataError, Diagnostic
from engine.jobeval.job import JobInput, job_from_record
from engine.jobeval.points import evaluate_job
from engine.jobeval.result import JobResult
from engine.location import Path, SourceMap


class JobData(Protocol):
    """A ``jobeval`` data file being read (:class:`engine.io.jobfile.JobFile`)."""

    @property
    def file(self) -> str: ...
    @property
    def source(self) -> SourceMap: ...
    @property
    def problems(self) -> tuple[Diagnostic, ...]: ...

    def records(self) -> Iterator[tuple[Mapping[str, Any], list[Diagnostic]]]: ...


@dataclass(frozen=True)
class JobLine:
    """One evaluated job with the record's display fields and every problem found with it."""

    result: JobResult
    title: str = ""
    holder: str = ""
    holder_name: str = ""
    rater_names: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class JobReport:
    """A whole ``jobeval`` run: the policy id, the data file, the jobs, problems of the file itself."""

    policy: str
    data: str
    jobs: tuple[JobLine, ...]
    file_problems: tuple[Diagnostic, ...] = ()

    def all_problems(self) -> list[Diagnostic]:
        """Every problem, job by job in file order, then those of the file."""
        return [d for line in self.jobs for d in line.problems] + list(self.file_problems)


def _job(source: SourceMap, index: int, record: Mapping[str, Any]) -> JobInput:
    at: Path = ("jobs", index)
    try:
        return job_from_record(record, at)
    except DataError as exc:  # its message has the JSON path; add the line:col of the job
        raise DataError(f"{source.locate(at)}: {exc}") from None


def _job_line(
    policy: Mapping[str, Any],
    source: SourceMap,
    index: int,
    record: Mapping[str, Any],
    extra: list[Diagnostic],
) -> JobLine:
    if any(d.rule in VALUE_RULES for d in extra):  # a bad value: no table sees it
        job_id, family = str(record.get("job", "")), str(record.get("family", ""))
        return JobLine(
            JobResult(job_id, family, None),
            title=str(record.get("title", "")),
            holder=str(record.get("holder", "")),
            holder_name=str(record.get("holder_name", "")),
            problems=tuple(d.about(job_id) for d in extra),
        )
    job = _job(source, index, record)
    result = evaluate_job(policy, job, source)
    names = {str(r.get("rater")): str(r.get("name", "")) for r in record.get("panel", [])}
    return JobLine(
        result,
        title=str(record.get("title", "")),
        holder=job.holder,
        holder_name=str(record.get("holder_name", "")),
        rater_names=names,
        problems=tuple(d.about(result.job) for d in (*result.problems, *extra)),
    )


def _duplicates(source: SourceMap, lines: list[JobLine]) -> list[Diagnostic]:
    seen: set[str] = set()
    found: list[Diagnostic] = []
    for index, line in enumerate(lines):
        job = line.result.job
        if job in seen:
            location = source.locate(("jobs", index, "job"))
            found.append(
                Diagnostic(location, "jobeval-duplicate-job", f"job {job} appears twice", subject=job)
            )
        seen.add(job)
    return found


def build_job_report(policy_id: str, policy: Mapping[str, Any], data: JobData) -> JobReport:
    """Evaluate every job of a data file (a DataError at the first record that cannot be read)."""
    lines = [
        _job_line(policy, data.source, i, record, extra) for i, (record, extra) in enumerate(data.records())
    ]
    problems = (*data.problems, *_duplicates(data.source, lines))
    return JobReport(policy_id, data.file, tuple(lines), problems)
