"""Goal changes as data: a change record checked against the policy's reasons and windows, and
the targets the mid-term check scores against.

A change carries the whole goal sheet before and after it, so the check can see removals,
replacements and whether the weights still add up. A line added to replace a removed one
names it in ``replaces``. Phases are the ids the policy declares under
``workflows.goal_changes.windows`` (for example before_midterm, at_midterm, after_midterm).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from engine.errors import DataError
from engine.io.fields import FieldError, cycle_date
from engine.workflow.calendar import effective_period
from engine.workflow.objections import WorkflowProblem


@dataclass(frozen=True)
class GoalLine:
    """One goal-sheet line as far as a change is concerned."""

    id: str
    weight: Decimal
    target: Decimal | None = None
    category: str | None = None
    replaces: str | None = None
    #: Why the target was set or changed (seed 000: "조정이유에 대한 합당한 근거").
    justification: str | None = None


@dataclass(frozen=True)
class GoalChange:
    """One recorded change of one employee's goal sheet, in the phase it was made."""

    employee: str
    reason: str
    phase: str
    before: tuple[GoalLine, ...]
    after: tuple[GoalLine, ...]
    batch: str | None = None
    made_on: date | None = None


def _spec(policy: Mapping[str, Any]) -> Mapping[str, Any] | None:
    found = (policy.get("workflows") or {}).get("goal_changes")
    return found if isinstance(found, Mapping) else None


def check_goal_change(
    change: GoalChange, policy: Mapping[str, Any], history: Sequence[GoalChange] = ()
) -> list[WorkflowProblem]:
    """Problems of one goal change: reason, window of its phase, batch, replacement, weights.

    ``history`` holds the employee's earlier changes (a window with ``batch: true`` takes one
    batch per employee). A policy without ``goal_changes`` puts no rule on changes.
    """
    spec = _spec(policy)
    if spec is None:
        return []
    dated, problems = _dated_phase(change, policy)
    change = replace(change, phase=dated)
    problems += _reason_and_window(change, spec)
    problems += _batch(change, spec, history)
    if spec.get("removal_needs_replacement", False):
        problems += _replacements(change)
    problems += _weights(change, policy)
    if spec.get("justify_target_changes", False):
        problems += _justifications(change)
    if spec.get("history", False):
        problems += _history(change, history)
    return problems


def phase_dates(policy: Mapping[str, Any]) -> list[tuple[str, date, date]]:
    """Each goal-change window's phase with its first and last day, where the windows declare dates
    (``from``/``to``, ``MM-DD`` within the effective period or ``YYYY-MM-DD``; a bound left out is
    the effective period's); none when no window declares a date."""
    spec = _spec(policy) or {}
    windows = [w for w in spec.get("windows") or () if isinstance(w, Mapping)]
    period = effective_period(policy)
    if period is None or not any("from" in w or "to" in w for w in windows):
        return []
    start, end = period
    found = []
    try:
        for window in windows:
            first = cycle_date(window["from"], start) if "from" in window else start
            last = cycle_date(window["to"], first) if "to" in window else end
            found.append((str(window["phase"]), first, last))
    except FieldError as exc:
        raise DataError(f"workflows.goal_changes.windows: {exc.message}") from None
    return found


def phase_of(change: GoalChange, policy: Mapping[str, Any]) -> str:
    """The phase a change is in: the one its date falls in where the windows declare dates, else
    its label."""
    return _dated_phase(change, policy)[0] or change.phase


def _dated_phase(change: GoalChange, policy: Mapping[str, Any]) -> tuple[str, list[WorkflowProblem]]:
    """The phase a change falls in by its date, and the problems of its date: outside the
    policy's effective period, in no declared window, or labelled with another phase."""
    who, made = change.employee, change.made_on
    if made is None:
        if not change.phase:
            message = "give the phase or the date (made_on) of the change"
            return "", [WorkflowProblem("goal-change-phase", message, who)]
        return change.phase, []
    period = effective_period(policy)
    if period is not None and not period[0] <= made <= period[1]:
        message = f"made on {made}, outside the policy's effective period {period[0]} to {period[1]}"
        return change.phase, [WorkflowProblem("goal-change-outside-period", message, who)]
    dates = phase_dates(policy)
    if not dates:
        return change.phase, []
    phase = next((name for name, first, last in dates if first <= made <= last), None)
    if phase is None:
        message = f"made on {made}, in no declared window"
        return change.phase, [WorkflowProblem("goal-change-phase-date", message, who)]
    if change.phase and change.phase != phase:
        first, last = next((f, t) for name, f, t in dates if name == phase)
        message = (
            f"labelled '{change.phase}', but made on {made}, which is in phase '{phase}'"
            f" ({first} to {last}); the phase follows from the date"
        )
        return phase, [WorkflowProblem("goal-change-phase-date", message, who)]
    return phase, []


def _justifications(change: GoalChange) -> list[WorkflowProblem]:
    """Every line whose target changes, or a new line with a target, states its justification."""
    before = {line.id: line for line in change.before}
    found = []
    for line in change.after:
        old = before.get(line.id)
        moved = line.target is not None if old is None else old.target != line.target
        if moved and line.justification is None:
            was = "-" if old is None or old.target is None else str(old.target)
            now = "-" if line.target is None else str(line.target)
            found.append(
                WorkflowProblem(
                    "goal-change-justification",
                    f"indicator {line.id}: target {was} -> {now} states no justification",
                    change.employee,
                    line.id,
                )
            )
    return found


def _history(change: GoalChange, history: Sequence[GoalChange]) -> list[WorkflowProblem]:
    """A kept history: the change is dated, and it starts from the sheet the previous change left."""
    who = change.employee
    if change.made_on is None:
        text = "the change has no date (made_on); the history orders by it"
        return [WorkflowProblem("goal-change-history", text, who)]
    earlier = [h for h in history if h.employee == who and h is not change and h.made_on is not None]
    if not earlier:
        return []
    last = earlier[-1]
    left = {line.id: (line.weight, line.target) for line in last.after}
    now = {line.id: (line.weight, line.target) for line in change.before}
    if left == now:
        return []
    differs = sorted(set(left) ^ set(now)) or sorted(k for k in now if now[k] != left[k])
    return [
        WorkflowProblem(
            "goal-change-history",
            f"the sheet before this change is not the sheet the change of {last.made_on} left"
            f" (differs on {', '.join(differs)})",
            who,
        )
    ]


def midterm_targets(
    current: Sequence[GoalLine], history: Sequence[GoalChange], policy: Mapping[str, Any]
) -> tuple[GoalLine, ...]:
    """The goal lines the mid-term check scores against.

    With ``midterm_uses: original_targets`` these are the lines before the first recorded
    change (``history`` oldest first); otherwise, or with no history, the ``current`` lines.
    """
    spec = _spec(policy) or {}
    if spec.get("midterm_uses") == "original_targets" and history:
        return tuple(history[0].before)
    return tuple(current)


def with_targets(
    indicators: Sequence[Mapping[str, Any]],
    lines: Sequence[GoalLine],
    id_field: str = "id",
    target_field: str = "target",
) -> list[dict[str, Any]]:
    """Copies of indicator records with ``target_field`` set from ``lines`` (matched by id);
    records of indicators the lines lack are left out (they did not exist then)."""
    by_id = {line.id: line for line in lines}
    out = []
    for record in indicators:
        line = by_id.get(str(record.get(id_field)))
        if line is not None:
            out.append({**record, target_field: line.target})
    return out


def _reason_and_window(change: GoalChange, spec: Mapping[str, Any]) -> list[WorkflowProblem]:
    who = change.employee
    problems: list[WorkflowProblem] = []
    reasons = [str(r["id"]) for r in spec.get("reasons") or ()]
    if reasons and change.reason not in reasons:
        problems.append(
            WorkflowProblem(
                "goal-change-reason",
                f"'{change.reason}' is not an allowed reason (allowed: {', '.join(reasons)})",
                who,
            )
        )
    windows = {str(w["phase"]): w for w in spec.get("windows") or ()}
    if not windows or not change.phase:  # no phase: the date's problem is reported already
        return problems
    window = windows.get(change.phase)
    if window is None:
        phases = ", ".join(windows)
        problems.append(
            WorkflowProblem(
                "goal-change-phase",
                f"phase '{change.phase}' is not a declared window (windows: {phases})",
                who,
            )
        )
        return problems
    if not window.get("allowed", False):
        problems.append(
            WorkflowProblem("goal-change-closed", f"goals cannot be changed in phase '{change.phase}'", who)
        )
        return problems
    only = [str(r) for r in window.get("reasons") or ()]
    if only and change.reason not in only:
        problems.append(
            WorkflowProblem(
                "goal-change-reason-in-phase",
                f"in phase '{change.phase}' only these reasons allow a change: {', '.join(only)}",
                who,
            )
        )
    return problems


def _batch(
    change: GoalChange, spec: Mapping[str, Any], history: Sequence[GoalChange]
) -> list[WorkflowProblem]:
    """In a batch window, every change of the employee in that phase belongs to one batch."""
    window = next((w for w in spec.get("windows") or () if w.get("phase") == change.phase), None)
    if window is None or not window.get("batch", False):
        return []
    others = [
        h
        for h in history
        if h.employee == change.employee
        and h.phase == change.phase
        and h is not change
        and (h.batch is None or h.batch != change.batch)
    ]
    if not others:
        return []
    prior = others[0]
    where = f"in batch '{prior.batch}'" if prior.batch else "without a batch id"
    message = f"phase '{change.phase}' takes all changes in one batch; an earlier change was made {where}"
    return [WorkflowProblem("goal-change-batch", message, change.employee)]


def _replacements(change: GoalChange) -> list[WorkflowProblem]:
    after_ids = {line.id for line in change.after}
    before_ids = {line.id for line in change.before}
    replaced = {line.replaces for line in change.after if line.id not in before_ids and line.replaces}
    return [
        WorkflowProblem(
            "goal-change-no-replacement",
            f"indicator {line.id} is removed without a replacement (a new line with replaces: {line.id})",
            change.employee,
            line.id,
        )
        for line in change.before
        if line.id not in after_ids and line.id not in replaced
    ]


def _weights(change: GoalChange, policy: Mapping[str, Any]) -> list[WorkflowProblem]:
    """After the change the weights still add up to the declared total (per sheet or category).

    No declared ``indicator_rules.weight.total``, no check: the goal-sheet check puts none on
    the sheet either, and a change should not be held to a rule the sheet is not.
    """
    weight_rules = (policy.get("indicator_rules") or {}).get("weight") or {}
    if weight_rules.get("total") is None:
        return []
    total = Decimal(weight_rules["total"])
    per_category = weight_rules.get("total_scope") == "category"
    sums: dict[str | None, Decimal] = {}
    for line in change.after:
        scope = line.category if per_category else None
        sums[scope] = sums.get(scope, Decimal(0)) + line.weight
    return [
        WorkflowProblem(
            "goal-change-weights",
            f"weights{'' if scope is None else f' of category {scope}'} add up to {value} after the change, "
            f"not {total}",
            change.employee,
        )
        for scope, value in sums.items()
        if value != total
    ]
