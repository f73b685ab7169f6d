"""From the proposed job grade to the final one: the committee's adjustment where its meeting
record shows a decision that stands, then every declared step to a final grade (decision, approvals)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.jobeval.committee import MeetingOutcome, check_meeting
from engine.jobeval.decision import finalise
from engine.jobeval.job import Adjustment
from engine.jobeval.result import JobWork


def adjust(
    work: JobWork, policy: Mapping[str, Any], proposed: str | None
) -> tuple[str | None, MeetingOutcome | None]:
    """Apply the committee's adjustment if its meeting record shows a decision that stands."""
    adj = work.job.adjustment
    if adj is None:
        return proposed, None
    spec = (policy.get("committees") or {}).get(adj.committee)
    if spec is None:
        work.problem(
            ("adjustment", "committee"),
            "jobeval-unknown-committee",
            f"adjustment of job {work.job.job} names committee '{adj.committee}',"
            " which the policy does not declare",
        )
        return proposed, None
    outcome = check_meeting(spec, adj.meeting)
    grades = [
        str(b["grade"])
        for b in (policy.get("job_evaluation") or {}).get("grade_bands", {}).get("bands") or []
    ]
    if adj.grade not in grades:
        work.problem(
            ("adjustment", "grade"),
            "jobeval-adjustment-grade",
            f"adjusted grade '{adj.grade}' of job {work.job.job} is not a grade of grade_bands",
            "use one of: " + ", ".join(grades),
        )
        return proposed, outcome
    return _adopted(work, adj, proposed, outcome), outcome


def _adopted(work: JobWork, adj: Adjustment, proposed: str | None, outcome: MeetingOutcome) -> str | None:
    """The adjusted grade where the committee's decision stands; else the proposed one (a lawful
    "no" is shown in the trace, any other failure is a problem)."""
    if outcome.lawful_no:
        # The committee lawfully did not adopt it (no quorum, or voted down): an outcome shown in
        # the result, not an error; `jobeval --strict` fails on it.
        why = "; ".join(outcome.reasons[1:])
        work.trace.append(
            f"committee {adj.committee} did not adopt the adjustment to {adj.grade} ({outcome.verdict}):"
            f" {why}; the proposed grade {proposed} stays"
        )
        return proposed
    if not outcome.stands:
        work.problem(
            ("adjustment", "meeting"),
            "jobeval-adjustment-not-passed",
            f"committee {adj.committee} did not decide the adjustment of job {work.job.job} to {adj.grade}: "
            + "; ".join(outcome.reasons[1:] or outcome.reasons),
        )
        return proposed
    work.trace.append(f"committee {adj.committee} adjusts {proposed} -> {adj.grade}")
    return adj.grade


def final_grade(
    work: JobWork, policy: Mapping[str, Any], grade: str | None, outcome: MeetingOutcome | None
) -> str | None:
    """The grade if every declared step to a final grade is met, else ``None`` (with problems)."""
    job, adj = work.job, work.job.adjustment
    decider = ((policy.get("job_evaluation") or {}).get("final_grade") or {}).get("decided_by")
    stood = adj is not None and adj.committee == decider and outcome is not None and outcome.stands
    by_decider = outcome if stood else None
    found = finalise(policy, job.job, grade, by_decider, job.decision, job.approvals, work.problem)
    work.trace.extend(found.lines)
    if grade is not None and not found.final:
        work.trace.append(f"grade {grade} is not final")
    return grade if found.final else None
