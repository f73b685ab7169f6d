"""When a job grade is final: the deciding committee and the recorded approvals a policy declares.

``job_evaluation.final_grade`` names the committee whose decision sets a grade (``decided_by``)
and the approval steps that must be recorded after it (``approvals``). A grade proposed by the
survey, or adjusted by another committee, stays a proposal until the deciding committee's
meeting record stands (opened, passed, composition met) and every approval is recorded as
given. Without ``final_grade`` the grade after the adjustment is final (no steps declared).

Records (a job's own, else the run's, see docs/jobeval-and-pay.md):
``decision: {committee, meeting}`` and ``approvals: [{step, approved, by, date}]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.jobeval.committee import MeetingOutcome, check_meeting
from engine.location import Path

#: ``report(path, rule, message)``: a problem at ``path`` under the job's record.
Report = Callable[[Path, str, str], None]


@dataclass(frozen=True)
class Decision:
    """A committee's decision on the grades of a run (or of one job), with its meeting record."""

    committee: str
    meeting: Mapping[str, Any]


@dataclass(frozen=True)
class Approval:
    """One recorded approval step (``approved`` False: refused)."""

    step: str
    approved: bool
    by: str = ""
    date: str = ""


def decision_from_record(record: Mapping[str, Any] | None) -> Decision | None:
    """A :class:`Decision` from plain data (``None`` when there is no record)."""
    if not record:
        return None
    return Decision(str(record.get("committee", "")), dict(record.get("meeting") or {}))


def approvals_from_record(records: Sequence[Mapping[str, Any]] | None) -> tuple[Approval, ...]:
    """The approval steps recorded in plain data."""
    return tuple(
        Approval(
            str(r.get("step", "")), r.get("approved") is True, str(r.get("by", "")), str(r.get("date", ""))
        )
        for r in records or ()
    )


@dataclass(frozen=True)
class Finality:
    """Whether the grade is final, the meeting that decided it, and one line per step."""

    final: bool
    outcome: MeetingOutcome | None
    lines: tuple[str, ...]


def finalise(
    policy: Mapping[str, Any],
    job: str,
    grade: str | None,
    decided_by_adjustment: MeetingOutcome | None,
    decision: Decision | None,
    approvals: Sequence[Approval],
    report: Report,
) -> Finality:
    """Check the declared steps for ``grade`` (the proposal after any adjustment) of ``job``.

    ``decided_by_adjustment`` is the meeting outcome of an adjustment made by the deciding
    committee itself (it is then the decision). Problems: ``jobeval-not-decided``,
    ``jobeval-not-approved``.
    """
    spec = (policy.get("job_evaluation") or {}).get("final_grade")
    if not spec or grade is None:
        return Finality(grade is not None, None, ())
    committee = str(spec["decided_by"])
    lines: list[str] = []
    outcome = decided_by_adjustment
    if outcome is None and decision is not None and decision.committee == committee:
        outcome = _judge(policy, committee, decision.meeting)
    decided = outcome is not None and outcome.stands
    if decided:
        lines.append(f"decided by committee {committee}")
    else:
        why = "; ".join(outcome.reasons[1:]) if outcome is not None else "no decision of it is recorded"
        report(
            ("decision",),
            "jobeval-not-decided",
            f"job {job}: grade {grade} is only a proposal: committee {committee} decides job grades ({why})",
        )
    approved = _approvals(spec.get("approvals") or [], approvals, job, grade, lines, report)
    return Finality(decided and approved, outcome, tuple(lines))


def _approvals(
    steps: Sequence[Mapping[str, Any]],
    approvals: Sequence[Approval],
    job: str,
    grade: str,
    lines: list[str],
    report: Report,
) -> bool:
    """Whether every declared approval step was given (each given one explained in ``lines``,
    each missing or refused one a ``jobeval-not-approved`` problem)."""
    given = {a.step: a for a in approvals}
    approved = True
    for step in steps:
        step_id, label = str(step["id"]), _label(step)
        record = given.get(step_id)
        if record is not None and record.approved:
            by = f" by {record.by}" if record.by else ""
            on = f" on {record.date}" if record.date else ""
            lines.append(f"approval {step_id} ({label}) given{by}{on}")
            continue
        approved = False
        state = "refused" if record is not None else "not recorded"
        report(
            ("approvals",),
            "jobeval-not-approved",
            f"job {job}: grade {grade} needs approval '{step_id}' ({label}), {state}",
        )
    return approved


def _judge(policy: Mapping[str, Any], committee: str, meeting: Mapping[str, Any]) -> MeetingOutcome | None:
    spec = (policy.get("committees") or {}).get(committee)
    return None if spec is None else check_meeting(spec, meeting)


def _label(step: Mapping[str, Any]) -> str:
    label = step.get("label")
    if isinstance(label, Mapping):
        return str(label.get("en") or label.get("ko") or step["id"])
    return str(step["id"])
