"""Job evaluation: a rater panel's factor levels -> points -> group means -> weighted total -> job grade.

Everything comes from ``job_evaluation`` in the policy: the point table is the one whose
``families`` lists the job's family, the panel is ``panels.<family>``, the bands and their
rounding are ``grade_bands``. Problems with a panel (composition, levels) are collected as
diagnostics, never raised; a rater with a problem is left out of the means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from engine.grading import Band, build_band
from engine.jobeval.adjust import adjust, final_grade
from engine.jobeval.analysis import check_cycle
from engine.jobeval.job import JobInput, Rating
from engine.jobeval.panel import approved, check_panel, group_weights
from engine.jobeval.result import GroupScore, JobResult, JobWork, RaterScore
from engine.location import Path, SourceMap
from engine.rounding import Rounding


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
    work: JobWork, index: int, rating: Rating, table: Mapping[str, Any], levels: int
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


def _raters(
    work: JobWork, table: Mapping[str, Any], levels: int, left_out: set[int]
) -> tuple[RaterScore, ...]:
    scores = []
    for index, rating in enumerate(work.job.panel):
        points, detail = _rater_points(work, index, rating, table, levels)
        if index in left_out and points is not None:
            points, detail = None, f"{detail}: left out, see the panel problems"
        work.trace.append(detail)
        scores.append(RaterScore(rating.rater, rating.group, points, detail))
    return tuple(scores)


def _group_scores(
    work: JobWork, panel: Mapping[str, Any], points: Sequence[tuple[Rating, Decimal | None]], changed: bool
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
        scores.append(_group_score(work, gid, weight, int(group["count"]), values))
    return scores


def _group_score(
    work: JobWork, gid: str, weight: Decimal, count: int, values: Sequence[Decimal]
) -> GroupScore:
    """One group's exact mean of its valid ratings and its weighted share (None without one)."""
    mean = sum(values, Decimal(0)) / len(values) if values else None
    share = mean * weight / 100 if mean is not None else None
    if mean is None:
        work.trace.append(f"group {gid}: no valid rating")
    else:
        shown = " + ".join(str(v) for v in values)
        work.trace.append(f"group {gid}: mean ({shown}) / {len(values)} = {mean}; x {weight}% = {share}")
    return GroupScore(gid, weight, count, len(values), mean, share)


def _band(work: JobWork, bands_spec: Mapping[str, Any], total: Decimal) -> tuple[Decimal, str | None]:
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


def _without_survey(work: JobWork, policy: Mapping[str, Any], table: str) -> JobResult:
    """A job whose survey was skipped (제8조③): no points; the committee's grade or nothing."""
    job = work.job
    work.trace.append(f"survey skipped ({job.survey_skip}): the grade comes from the committee")
    if job.adjustment is None:
        work.problem(
            ("survey_skip",),
            "jobeval-survey-skip",
            f"job {job.job}: the survey was skipped, so its grade needs a committee adjustment",
        )
    final, outcome = adjust(work, policy, None)
    final = final_grade(work, policy, final, outcome)
    return JobResult(
        job.job, job.family, table, final_grade=final, adjustment=job.adjustment,
        adjustment_outcome=outcome, problems=tuple(work.problems), trace=tuple(work.trace),
    )


def evaluate_job(policy: Mapping[str, Any], job: JobInput, source: SourceMap | None = None) -> JobResult:
    """Evaluate one job's panel against ``policy['job_evaluation']``; problems are in the result."""
    spec = policy.get("job_evaluation") or {}
    work = JobWork(job, source)
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
    final, outcome = adjust(work, policy, grade)
    final = final_grade(work, policy, final, outcome)
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
    work: JobWork, spec: Mapping[str, Any], groups: Sequence[GroupScore]
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


