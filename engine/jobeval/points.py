"""Job evaluation: a rater panel's factor levels -> points -> group means -> weighted total -> job grade.

Everything comes from ``job_evaluation`` in the policy: the point table is the one whose
``families`` lists the job's family, the panel is ``panels.<family>``, the bands and their
rounding are ``grade_bands``. Problems with a panel (composition, levels) are collected as
diagnostics, never raised; a rater with a problem is left out of the means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.errors import DataError, Diagnostic, Location
from engine.grading import Band, build_band
from engine.jobeval.analysis import check_cycle
from engine.jobeval.committee import MeetingOutcome, check_meeting
from engine.jobeval.decision import (
    Approval,
    Decision,
    approvals_from_record,
    decision_from_record,
    finalise,
)
from engine.jobeval.panel import Exception_, approved, check_panel, exception_from_record, group_weights
from engine.location import Path, SourceMap, json_path
from engine.rounding import Rounding


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


@dataclass(frozen=True)
class RaterScore:
    """A rater's points (``None`` when the rating is left out) and the factor-by-factor detail."""

    rater: str
    group: str
    points: Decimal | None
    detail: str


@dataclass(frozen=True)
class GroupScore:
    """One rater group: declared count and weight, valid ratings, exact mean, weighted share."""

    group: str
    weight: Decimal
    expected: int
    counted: int
    mean: Decimal | None
    contribution: Decimal | None


@dataclass(frozen=True)
class JobResult:
    """Everything about one job's evaluation, with an explanation line for each number."""

    job: str
    family: str
    table: str | None
    raters: tuple[RaterScore, ...] = ()
    groups: tuple[GroupScore, ...] = ()
    total: Decimal | None = None
    rounded: Decimal | None = None
    proposed_grade: str | None = None
    final_grade: str | None = None
    adjustment: Adjustment | None = None
    adjustment_outcome: MeetingOutcome | None = None
    problems: tuple[Diagnostic, ...] = ()
    trace: tuple[str, ...] = ()


@dataclass
class _Work:
    """Mutable collector used while one job is evaluated."""

    job: JobInput
    source: SourceMap | None
    problems: list[Diagnostic] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)

    def problem(self, path: Path, rule: str, message: str, suggestion: str | None = None) -> None:
        full = self.job.path + path
        loc = self.source.locate(full) if self.source else Location("<jobs>", 0, 0, json_path(full))
        self.problems.append(Diagnostic(loc, rule, message, suggestion))


def point_table_for(job_evaluation: Mapping[str, Any], family: str) -> tuple[str, Mapping[str, Any]] | None:
    """The ``point_tables`` entry whose ``families`` lists ``family`` (first in declaration order)."""
    for name, table in (job_evaluation.get("point_tables") or {}).items():
        if family in (table.get("families") or []):
            return str(name), table
    return None


def _level_problem(level: Any, levels: int) -> str | None:
    if isinstance(level, bool) or not isinstance(level, int):
        return f"level {level!r} is not a whole number"
    if not 1 <= level <= levels:
        return f"level {level} is outside 1..{levels}"
    return None


def _rater_points(
    work: _Work, index: int, rating: Rating, table: Mapping[str, Any], levels: int
) -> tuple[Decimal | None, str]:
    """Sum of the table's points at the rater's level per factor (``None`` if a level is bad), and how."""
    factors = table.get("factors") or []
    known = {str(f["id"]) for f in factors}
    where: Path = ("panel", index, "levels")
    for factor_id in rating.levels:
        if factor_id not in known:
            work.problem(
                (*where, factor_id),
                "jobeval-unknown-factor",
                f"rater {rating.rater} rates factor '{factor_id}', which the point table does not have",
                "use one of: " + ", ".join(sorted(known)),
            )
    total, parts, ok = Decimal(0), [], True
    for factor in factors:
        fid = str(factor["id"])
        if fid not in rating.levels:
            work.problem(
                where, "jobeval-missing-level", f"rater {rating.rater} gives no level for factor {fid}"
            )
            ok = False
            continue
        level = rating.levels[fid]
        bad = _level_problem(level, levels)
        if bad is not None:
            work.problem((*where, fid), "jobeval-level-range", f"rater {rating.rater}, factor {fid}: {bad}")
            ok = False
            continue
        points = Decimal(factor["points"][level - 1])
        total += points
        parts.append(f"{fid} L{level} = {points}")
    detail = f"rater {rating.rater} ({rating.group}): {' + '.join(parts)}"
    return (
        (total, f"{detail} = {total}") if ok else (None, f"{detail}: left out, a level is missing or invalid")
    )


def _raters(work: _Work, table: Mapping[str, Any], levels: int, left_out: set[int]) -> tuple[RaterScore, ...]:
    scores = []
    for index, rating in enumerate(work.job.panel):
        points, detail = _rater_points(work, index, rating, table, levels)
        if index in left_out and points is not None:
            points, detail = None, f"{detail}: left out, see the panel problems"
        work.trace.append(detail)
        scores.append(RaterScore(rating.rater, rating.group, points, detail))
    return tuple(scores)


def _group_scores(
    work: _Work, panel: Mapping[str, Any], points: Sequence[tuple[Rating, Decimal | None]], changed: bool
) -> list[GroupScore]:
    groups = panel.get("groups") or []
    weights = group_weights(groups, {r.group for r, _ in points}, changed)
    if changed:
        shown = ", ".join(f"{g} {w}%" for g, w in weights.items())
        work.trace.append(f"panel composed otherwise ({work.job.panel_change}): group weights {shown}")
    scores = []
    for group in groups:
        gid, weight = str(group["id"]), weights[str(group["id"])]
        if weight == 0:
            work.trace.append(f"group {gid}: no rater, weight 0")
            continue
        values = [p for r, p in points if r.group == gid and p is not None]
        mean = sum(values, Decimal(0)) / len(values) if values else None
        share = mean * weight / 100 if mean is not None else None
        if mean is None:
            work.trace.append(f"group {gid}: no valid rating")
        else:
            shown = " + ".join(str(v) for v in values)
            work.trace.append(f"group {gid}: mean ({shown}) / {len(values)} = {mean}; x {weight}% = {share}")
        scores.append(GroupScore(gid, weight, int(group["count"]), len(values), mean, share))
    return scores


def _band(work: _Work, bands_spec: Mapping[str, Any], total: Decimal) -> tuple[Decimal, str | None]:
    rounding = Rounding.from_policy(bands_spec.get("round"))
    rounded = rounding.apply(total) if rounding else total
    if rounding:
        work.trace.append(f"total {total} -> {rounded} ({rounding.describe()})")
    bands: list[Band] = [build_band(b) for b in bands_spec.get("bands") or []]
    band = next((b for b in bands if b.contains(rounded)), None)
    if band is None:
        work.problem((), "jobeval-no-band", f"job {work.job.job}: total {rounded} falls in no grade band")
        return rounded, None
    work.trace.append(f"grade {band.grade}: {band.describe().replace('value', str(rounded))}")
    return rounded, band.grade


def _adjust(
    work: _Work, policy: Mapping[str, Any], proposed: str | None
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
    if outcome.lawful_no:
        # The committee lawfully did not adopt it (no quorum, or voted down): an outcome shown in
        # the result, not an error; `jobeval --strict` fails on it.
        why = "; ".join(outcome.reasons[1:])
        work.trace.append(
            f"committee {adj.committee} did not adopt the adjustment to {adj.grade} ({outcome.verdict}):"
            f" {why}; the proposed grade {proposed} stays"
        )
        return proposed, outcome
    if not outcome.stands:
        work.problem(
            ("adjustment", "meeting"),
            "jobeval-adjustment-not-passed",
            f"committee {adj.committee} did not decide the adjustment of job {work.job.job} to {adj.grade}: "
            + "; ".join(outcome.reasons[1:] or outcome.reasons),
        )
        return proposed, outcome
    work.trace.append(f"committee {adj.committee} adjusts {proposed} -> {adj.grade}")
    return adj.grade, outcome


def _finalise(
    work: _Work, policy: Mapping[str, Any], grade: str | None, outcome: MeetingOutcome | None
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


def _without_survey(work: _Work, policy: Mapping[str, Any], table: str) -> JobResult:
    """A job whose survey was skipped (제8조③): no points; the committee's grade or nothing."""
    job = work.job
    work.trace.append(f"survey skipped ({job.survey_skip}): the grade comes from the committee")
    if job.adjustment is None:
        work.problem(
            ("survey_skip",),
            "jobeval-survey-skip",
            f"job {job.job}: the survey was skipped, so its grade needs a committee adjustment",
        )
    final, outcome = _adjust(work, policy, None)
    final = _finalise(work, policy, final, outcome)
    return JobResult(
        job.job, job.family, table, final_grade=final, adjustment=job.adjustment,
        adjustment_outcome=outcome, problems=tuple(work.problems), trace=tuple(work.trace),
    )


def evaluate_job(policy: Mapping[str, Any], job: JobInput, source: SourceMap | None = None) -> JobResult:
    """Evaluate one job's panel against ``policy['job_evaluation']``; problems are in the result."""
    spec = policy.get("job_evaluation") or {}
    work = _Work(job, source)
    found = point_table_for(spec, job.family)
    panel = (spec.get("panels") or {}).get(job.family)
    if found is None or panel is None:
        what = "point table" if found is None else "panel"
        work.problem(
            ("family",), "jobeval-unknown-family", f"job {job.job}: no {what} for family '{job.family}'"
        )
        return JobResult(job.job, job.family, found[0] if found else None, problems=tuple(work.problems))
    table_name, table = found
    check_cycle(spec, job, work.problem, work.trace)
    if approved(spec, "survey_skip", job.survey_skip, job.job, work.problem):
        return _without_survey(work, policy, table_name)
    left_out, changed = check_panel(spec, panel, job, work.problem)
    levels = int(spec.get("levels", len(table["factors"][0]["points"])))
    raters = _raters(work, table, levels, left_out)
    points = [(rating, score.points) for rating, score in zip(job.panel, raters, strict=True)]
    groups = _group_scores(work, panel, points, changed)
    total, rounded, grade = _total_and_grade(work, spec, groups)
    final, outcome = _adjust(work, policy, grade)
    final = _finalise(work, policy, final, outcome)
    return JobResult(
        job.job,
        job.family,
        table_name,
        raters,
        tuple(groups),
        total,
        rounded,
        grade,
        final,
        job.adjustment,
        outcome,
        tuple(work.problems),
        tuple(work.trace),
    )


def _total_and_grade(
    work: _Work, spec: Mapping[str, Any], groups: Sequence[GroupScore]
) -> tuple[Decimal | None, Decimal | None, str | None]:
    """The weighted total of the rater groups, rounded, and its job grade; all None (with the
    reason in the trace) when a group has no valid rating."""
    if not groups or any(g.contribution is None for g in groups):
        work.trace.append("no total: a rater group has no valid rating")
        return None, None, None
    total = sum((g.contribution for g in groups if g.contribution is not None), Decimal(0))
    work.trace.append("total = " + " + ".join(str(g.contribution) for g in groups) + f" = {total}")
    rounded, grade = _band(work, spec.get("grade_bands") or {}, total)
    return total, rounded, grade


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
