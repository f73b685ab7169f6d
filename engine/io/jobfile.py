"""Reading a ``jobeval`` data file: ``jobs:``, each a job record as
:func:`engine.jobeval.job_from_record` reads it (docs/jobeval-and-pay.md, "Commands and data formats").

A record of the wrong shape is a located :class:`DataError` (the file cannot be used); an
unknown key is a ``data-unknown-key`` diagnostic about the job (the others are still read).
Records are shape-checked one at a time as :func:`engine.jobeval.build_job_report` reaches them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import DataError, Diagnostic
from engine.io.datafile import (
    need_list,
    need_mapping,
    read_data_file,
    unknown_keys,
    value_problems,
    where,
)
from engine.loader import LoadedDocument
from engine.location import Path, SourceMap

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


@dataclass(frozen=True)
class JobFile:
    """A ``jobeval`` data file: its name, line marks, the problems of the file itself, its jobs."""

    doc: LoadedDocument
    problems: tuple[Diagnostic, ...]
    jobs: tuple[Any, ...]

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def source(self) -> SourceMap:
        return self.doc.source

    def records(self) -> Iterator[tuple[Mapping[str, Any], list[Diagnostic]]]:
        """Each job record, shape-checked when reached (else a located DataError), with the
        ``data-unknown-key`` diagnostics of its keys."""
        data = self.doc.data
        for index, raw in enumerate(self.jobs):
            record = need_mapping(self.doc, ("jobs", index), raw, "a job")
            # The run's decision and approvals (one meeting decides the whole grade proposal)
            # apply to every job that records none of its own.
            shared = {k: data[k] for k in SHARED_KEYS if k in data and k not in record}
            record = {**shared, **record}
            bad = value_problems(self.doc, ("jobs", index), str(record.get("job", "file")))
            yield record, [*bad, *_job_keys(self.doc, index, record)]


def read_job_file(path: str) -> JobFile:
    """Open a ``jobeval`` data file: unknown top-level keys are problems about ``file``; a file
    without a ``jobs`` list is a located DataError."""
    doc = read_data_file(path, ("jobs",))
    problems = tuple(d.about("file") for d in unknown_keys(doc, (), doc.data, TOP_KEYS, "the file"))
    if "jobs" not in doc.data:
        raise DataError(f"{where(doc, ())}: the file has no 'jobs' list")
    return JobFile(doc, problems, tuple(need_list(doc, ("jobs",), doc.data["jobs"], "jobs")))


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
