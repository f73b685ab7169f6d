"""A job to evaluate as read from its record: the panel's ratings, the committee's adjustment,
the recorded decision, approvals and exceptions (:func:`job_from_record`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import DataError
from engine.jobeval.decision import Approval, Decision, approvals_from_record, decision_from_record
from engine.jobeval.panel import Exception_, exception_from_record
from engine.location import Path, json_path


@dataclass(frozen=True)
class Rating:
    """One rater's levels (1 = highest) per factor id for one job."""

    rater: str
    group: str
    rater_job: str
    levels: Mapping[str, Any]
    division: str = ""
    position: str = ""
    sme: bool = False


@dataclass(frozen=True)
class Adjustment:
    """The committee's adjusted grade for a job and the record of the meeting that voted it."""

    grade: str
    committee: str
    meeting: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True)
class JobInput:
    """A job to evaluate; ``path`` locates it in its record file for diagnostics."""

    job: str
    family: str
    holder: str
    panel: tuple[Rating, ...]
    adjustment: Adjustment | None = None
    path: Path = ()
    #: The deciding committee's decision and the approvals recorded (engine.jobeval.decision).
    decision: Decision | None = None
    approvals: tuple[Approval, ...] = ()
    #: For the panel's relations (engine.jobeval.panel): the job's division, position, superior.
    division: str = ""
    position: str = ""
    superior: str = ""
    #: Recorded exceptions: the survey skipped (제8조③), the panel composed otherwise (제9조③ 단서).
    survey_skip: Exception_ | None = None
    panel_change: Exception_ | None = None
    #: The last job analysis and the evaluation date, against ``cycle_years``.
    analysed_on: str = ""
    evaluated_on: str = ""


def _required(record: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in record:
        raise DataError(f"{where}: missing '{key}'")
    return record[key]


def _panel_records(record: Mapping[str, Any], where: str) -> Sequence[Mapping[str, Any]]:
    """The panel entries; a job whose survey was skipped (제8조③) may have none."""
    if record.get("survey_skip"):
        return list(record.get("panel") or [])
    return list(_required(record, "panel", where))


def job_from_record(record: Mapping[str, Any], path: Path = ()) -> JobInput:
    """Build a :class:`JobInput` from plain data (YAML/JSON): job, family, holder, panel, adjustment.

    Raises :class:`engine.errors.DataError` when a required key is missing.
    """
    where = json_path(path)
    panel = tuple(
        Rating(
            rater=str(_required(r, "rater", f"{where}.panel[{i}]")),
            group=str(_required(r, "group", f"{where}.panel[{i}]")),
            rater_job=str(r.get("rater_job", "")),
            levels=dict(_required(r, "levels", f"{where}.panel[{i}]")),
            division=str(r.get("division", "")),
            position=str(r.get("position", "")),
            sme=r.get("sme") is True,
        )
        for i, r in enumerate(_panel_records(record, where))
    )
    adj = record.get("adjustment")
    adjustment = None
    if adj is not None:
        adjustment = Adjustment(
            grade=str(_required(adj, "grade", f"{where}.adjustment")),
            committee=str(_required(adj, "committee", f"{where}.adjustment")),
            meeting=dict(_required(adj, "meeting", f"{where}.adjustment")),
            note=str(adj.get("note", "")),
        )
    return JobInput(
        job=str(_required(record, "job", where)),
        family=str(_required(record, "family", where)),
        holder=str(record.get("holder", "")),
        panel=panel,
        adjustment=adjustment,
        path=path,
        decision=decision_from_record(record.get("decision")),
        approvals=approvals_from_record(record.get("approvals")),
        division=str(record.get("division", "")),
        position=str(record.get("position", "")),
        superior=str(record.get("superior", "")),
        survey_skip=exception_from_record(record.get("survey_skip")),
        panel_change=exception_from_record(record.get("panel_change")),
        analysed_on=str(record.get("analysed_on", "")),
        evaluated_on=str(record.get("evaluated_on", "")),
    )
