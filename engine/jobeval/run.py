"""A whole ``jobeval`` run: every job of a data file evaluated, with the record's display fields
and every problem found with it (each a :class:`Diagnostic` about its job id, or ``file``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Diagnostic
from engine.jobeval.points import JobResult, evaluate_job
from engine.jobeval.records import file_keys, job_records, read_job
from engine.loader import LoadedDocument


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


def _job_line(policy: Mapping[str, Any], doc: LoadedDocument, index: int, raw: Any) -> JobLine:
    record, job, extra = read_job(doc, index, raw)
    result = evaluate_job(policy, job, doc.source)
    names = {str(r.get("rater")): str(r.get("name", "")) for r in record.get("panel", [])}
    return JobLine(
        result,
        title=str(record.get("title", "")),
        holder=job.holder,
        holder_name=str(record.get("holder_name", "")),
        rater_names=names,
        problems=tuple(d.about(result.job) for d in (*result.problems, *extra)),
    )


def _duplicates(doc: LoadedDocument, lines: list[JobLine]) -> list[Diagnostic]:
    seen: set[str] = set()
    found: list[Diagnostic] = []
    for index, line in enumerate(lines):
        job = line.result.job
        if job in seen:
            location = doc.source.locate(("jobs", index, "job"))
            found.append(
                Diagnostic(location, "jobeval-duplicate-job", f"job {job} appears twice", subject=job)
            )
        seen.add(job)
    return found


def build_job_report(policy_id: str, policy: Mapping[str, Any], doc: LoadedDocument) -> JobReport:
    """Evaluate every job of a loaded data file; raise DataError when the file has no usable jobs."""
    file_problems = file_keys(doc)
    records = job_records(doc)
    lines = [_job_line(policy, doc, i, record) for i, record in enumerate(records)]
    return JobReport(policy_id, doc.file, tuple(lines), tuple(file_problems + _duplicates(doc, lines)))
