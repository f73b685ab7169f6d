"""Reading a ``jobeval`` data file: ``jobs:``, each a job record as :func:`job_from_record` reads it
(docs/jobeval-and-pay.md, "Commands and data formats").

A record of the wrong shape is a located :class:`DataError` (the file cannot be used); an
unknown key is a ``data-unknown-key`` diagnostic about the job (the others are still read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import DataError, Diagnostic
from engine.io.datafile import need_list, need_mapping, unknown_keys, where
from engine.jobeval.points import JobInput, job_from_record
from engine.loader import LoadedDocument
from engine.location import Path

TOP_KEYS = frozenset({"policy", "jobs"})
JOB_KEYS = frozenset({"job", "title", "family", "holder", "holder_name", "panel", "adjustment"})
RATER_KEYS = frozenset({"rater", "name", "group", "rater_job", "levels"})
ADJUSTMENT_KEYS = frozenset({"grade", "committee", "meeting", "note"})


def job_records(doc: LoadedDocument) -> list[Any]:
    """The file's ``jobs`` list (a located DataError when there is none or it is not a list)."""
    if "jobs" not in doc.data:
        raise DataError(f"{where(doc, ())}: the file has no 'jobs' list")
    return need_list(doc, ("jobs",), doc.data["jobs"], "jobs")


def file_keys(doc: LoadedDocument) -> list[Diagnostic]:
    """Unknown top-level keys of the file, about ``file``."""
    return [d.about("file") for d in unknown_keys(doc, (), doc.data, TOP_KEYS, "the file")]


def read_job(
    doc: LoadedDocument, index: int, raw: Any
) -> tuple[Mapping[str, Any], JobInput, list[Diagnostic]]:
    """Job ``index`` of the file: its record, the job, and the record's unknown keys."""
    at: Path = ("jobs", index)
    record = need_mapping(doc, at, raw, "a job")
    extra = _job_keys(doc, index, record)
    try:
        job = job_from_record(record, at)
    except DataError as exc:  # its message has the JSON path; add the line:col of the job
        raise DataError(f"{where(doc, at)}: {exc}") from None
    return record, job, extra


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
