"""A whole ``workflow`` run over a data file: each notice's objection deadline (and with
``today`` whether its window is still open), each objection checked with
:func:`engine.workflow.objections.check_objection`, each goal change checked with
:func:`engine.workflow.goals.check_goal_change`, then the targets the mid-term check scores
against per employee. A broken workflow rule is a located :class:`Diagnostic` about the
employee; the other records are still checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from engine.errors import VALUE_RULES, DataError, Diagnostic, UsageError
from engine.io.datafile import DataDocument, need_list, unknown_keys, where
from engine.location import Path
from engine.workflow.calendar import Calendar
from engine.workflow.goals import GoalChange, GoalLine, midterm_targets
from engine.workflow.objections import Objection, WorkflowProblem
from engine.workflow.records import TOP_KEYS

#: The record lists in the order the checks take them (goal changes first).
LIST_ORDER = {"goal_changes": 1, "notices": 2, "objections": 3}

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Deadline:
    """An objection window: N working days after the notice, and the days the count skipped."""

    notice: date
    working_days: int
    deadline: date
    skipped: tuple[tuple[date, str], ...] = ()  # (day, "weekend" or "holiday"), in order


@dataclass(frozen=True)
class ObjectionLine:
    """One notice (no objection filed yet: ``filed`` is None) or one objection, with its status."""

    kind: str  # "notice" or "objection"
    employee: str
    name: str
    period: str
    round: int
    handler: str
    deadline: Deadline
    filed: date | None = None
    indicators: tuple[str, ...] = ()
    status: str = ""
    problems: tuple[Diagnostic, ...] = ()
    working_days_late: int | None = None  # 0 when filed in time; None for a notice


@dataclass(frozen=True)
class ChangeLine:
    """One goal change: what it changed, accepted when it has no problem."""

    employee: str
    name: str
    phase: str
    reason: str
    batch: str | None
    made_on: date | None
    changes: tuple[str, ...]
    problems: tuple[Diagnostic, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class TargetSheet:
    """The goal lines one employee's mid-term check scores against, and where they come from."""

    employee: str
    name: str
    source: str
    lines: tuple[GoalLine, ...]


@dataclass(frozen=True)
class WorkflowReport:
    """A whole ``workflow`` run."""

    policy: str
    data: str
    today: date | None
    notices: tuple[ObjectionLine, ...]
    objections: tuple[ObjectionLine, ...]
    changes: tuple[ChangeLine, ...]
    targets: tuple[TargetSheet, ...]
    file_problems: tuple[Diagnostic, ...] = ()

    def all_problems(self) -> list[Diagnostic]:
        """Every problem: objections, goal changes (file order within each), then the file's."""
        found = [d for line in (*self.notices, *self.objections) for d in line.problems]
        found += [d for change in self.changes for d in change.problems]
        return found + list(self.file_problems)

    def employees(self) -> list[str]:
        """Every employee with a record, first seen first (then those of records left out for a
        bad value)."""
        found = [o.employee for o in (*self.notices, *self.objections)]
        found += [c.employee for c in self.changes]
        left_out = [d.subject for d in self.file_problems if d.rule in VALUE_RULES and d.subject]
        return list(dict.fromkeys(found + left_out))


def day_text(day: date) -> str:
    """``Thu 2026-02-12``: the weekday spelled out so a reader can check the count."""
    return f"{DAY_NAMES[day.weekday()]} {day.isoformat()}"


# --- objections -----------------------------------------------------------------------------------


def deadline_of(calendar: Calendar, notice: date, days: int) -> Deadline:
    """The deadline (the library's count) and every non-working day between notice and deadline."""
    end = calendar.add_working_days(notice, days)
    skipped = []
    day = notice + timedelta(days=1)
    while day < end:
        if not calendar.is_working_day(day):
            # A holiday on a weekend day is shown as weekend: it costs no extra day.
            skipped.append((day, "weekend" if day.weekday() in calendar.weekend else "holiday"))
        day += timedelta(days=1)
    return Deadline(notice, days, end, tuple(skipped))


def window_days(policy: Mapping[str, Any]) -> int:
    """The objection window's working days (the policy declares ``workflows.objections``)."""
    spec = (policy.get("workflows") or {}).get("objections") or {}
    return int(spec["window"]["working_days"])


def handler_of(policy: Mapping[str, Any], round_no: int) -> str:
    """The declared round's label (its first language) and handler: ``1차 부장과 재협의, section_head``."""
    rounds = ((policy.get("workflows") or {}).get("objections") or {}).get("rounds") or ()
    for spec in rounds:
        if int(spec["round"]) == round_no:
            labels = list((spec.get("label") or {}).values())
            return ", ".join(str(p) for p in (*labels[:1], spec.get("handler")) if p)
    return "not declared"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def filed_status(calendar: Calendar, record: Objection, deadline: Deadline) -> tuple[str, int]:
    """The status text and the working days late (0 when in time, or filed before the notice)."""
    if record.filed < record.notice:
        return "filed before the notice", 0
    late = calendar.working_days_between(deadline.deadline, record.filed)
    return ("in time" if late == 0 else f"{_plural(late, 'working day')} late"), late


def open_status(calendar: Calendar, deadline: Deadline, today: date | None) -> str:
    """Whether a notice's window is open on ``today`` (nothing without a day)."""
    if today is None:
        return ""
    if today < deadline.notice:
        return "not open yet: the notice is not given"
    if today > deadline.deadline:
        return f"closed since {day_text(deadline.deadline)}"
    # Working days still left, today included when it is one: (today - 1, deadline].
    left = calendar.working_days_between(today - timedelta(days=1), deadline.deadline)
    return f"open: {_plural(left, 'working day')} left, until {day_text(deadline.deadline)}"


def indicator_path(base: Path, item: Objection, indicator: str | None) -> Path | None:
    """Where the indicator a problem is about is named in the objection at ``base``."""
    if indicator is None or indicator not in item.indicators:
        return None
    return (*base, "indicators", item.indicators.index(indicator))


# --- goal changes ---------------------------------------------------------------------------------


def describe_change(change: GoalChange) -> tuple[str, ...]:
    """What a change does, line by line: removed, added (and what it replaces), weight/target moved."""
    before = {g.id: g for g in change.before}
    after_ids = {g.id for g in change.after}
    out = [f"{g.id} removed (weight {g.weight})" for g in change.before if g.id not in after_ids]
    for g in change.after:
        old = before.get(g.id)
        if old is None:
            replaces = f", replaces {g.replaces}" if g.replaces else ""
            out.append(f"{g.id} added (weight {g.weight}{replaces})")
            continue
        moved = _moved(old, g)
        if moved:
            out.append(f"{g.id}: {', '.join(moved)}")
    return tuple(out) or ("no line changed",)


def _moved(old: GoalLine, new: GoalLine) -> list[str]:
    """``weight 30 -> 20``, ``target - -> 5``: what changed on a goal line kept by a change."""
    return [
        f"{what} {'-' if a is None else a} -> {'-' if b is None else b}"
        for what, a, b in (("weight", old.weight, new.weight), ("target", old.target, new.target))
        if a != b
    ]


def change_order(changes: Sequence[GoalChange]) -> list[int]:
    """Oldest first per employee: by ``made_on`` (undated after dated ones), then file order."""
    return sorted(
        range(len(changes)), key=lambda i: (changes[i].made_on is None, changes[i].made_on or date.min, i)
    )


def removed_path(base: Path, change: GoalChange, problem: WorkflowProblem) -> Path | None:
    """The goal line a problem is about: the removed line (before), or the changed one (after)."""
    side = {"goal-change-no-replacement": "before", "goal-change-justification": "after"}.get(problem.rule)
    lines = change.before if side == "before" else change.after
    ids = [g.id for g in lines]
    if side is None or problem.indicator not in ids:
        return None
    return (*base, side, ids.index(str(problem.indicator)))


def target_sheet(
    policy: Mapping[str, Any],
    changes: Sequence[GoalChange],
    order: Sequence[int],
    lines: Sequence[ChangeLine],
) -> TargetSheet:
    """One employee's changes (``order``: oldest first): the lines the mid-term check scores against.

    Only accepted changes are in force: the sheet now is the last accepted change's ``after``
    (the first record's ``before`` when none was accepted).
    """
    accepted = [changes[i] for i in order if lines[i].accepted]
    current = accepted[-1].after if accepted else changes[order[0]].before
    targets = midterm_targets(current, accepted, policy)
    if not accepted:
        source = "no accepted change: the goal sheet as set"
    elif targets == accepted[0].before:
        source = f"the targets before the change{_on(accepted[0])}"
    else:
        source = f"the targets after the change{_on(accepted[-1])}"
    return TargetSheet(changes[0].employee, str(lines[order[0]].name), source, targets)


def _on(change: GoalChange) -> str:
    return f" of {day_text(change.made_on)}" if change.made_on else ""


# --- the whole file -----------------------------------------------------------------------------


def build_workflow_report(
    policy_id: str, policy: Mapping[str, Any], doc: DataDocument, today: date | None = None
) -> WorkflowReport:
    """Check every record of a loaded data file; raise DataError when it has none of the lists."""
    from engine.workflow.checker import TOP, Checker  # (which builds on this module's lines)
    from engine.workflow.collect import InMemory

    data = doc.data
    if not any(key in data for key in ("notices", "objections", "goal_changes")):
        raise DataError(f"{where(doc, ())}: the file has no 'notices', 'objections' or 'goal_changes' list")
    out = InMemory()
    out.problems(TOP, (d.about("file") for d in unknown_keys(doc, (), data, TOP_KEYS, "the file")))
    checker = Checker(policy, doc, today, out, keep=False)
    if ("notices" in data or "objections" in data) and not checker.declared:
        raise UsageError("the policy declares no workflows.objections: objections cannot be checked")
    for key in ("goal_changes", "notices", "objections"):
        if key not in data:
            continue
        try:
            raw = need_list(doc, (key,), data[key], key)
        except DataError as exc:
            checker.fail((LIST_ORDER[key], -1), exc)
            continue
        for index, record in enumerate(raw):
            checker.take(key, index, record)
    checker.check_held()
    checker.raise_first(key for key in data if key in LIST_ORDER)
    return out.report(policy_id, doc.file, today)
