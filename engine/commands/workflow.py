"""``hrpolicy workflow``: objection deadlines and checks of objection and goal-change records.

The data file (YAML or JSON, docs/workflows.md) holds any of ``notices`` (result notices with no
objection yet: their deadline, and with ``today`` whether the window is still open),
``objections`` (checked with :func:`engine.workflow.objections.check_objection`) and ``goal_changes``
(checked with :func:`engine.workflow.goals.check_goal_change`, then the targets the mid-term check
scores against per employee). A file that cannot be read, or a record that lacks a field or has
a malformed date or number, is a :class:`DataError` (exit 2); a broken workflow rule is a
located problem with a rule id, the other records are still checked, and the exit code is 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from engine.commands.common import (
    Echo,
    deliver,
    finish,
    guard_output,
    need_list,
    need_mapping,
    read_data_file,
    unknown_keys,
    where,
)
from engine.errors import DataError, Diagnostic, UsageError
from engine.loader import LoadedDocument
from engine.location import Path
from engine.report.jobeval import Problem
from engine.report.workflow import (
    RENDERERS,
    ChangeLine,
    Deadline,
    ObjectionLine,
    TargetSheet,
    WorkflowReport,
    day_text,
)
from engine.validate import load_policy
from engine.workflow import (
    Calendar,
    GoalChange,
    GoalLine,
    Objection,
    WorkflowProblem,
    as_date,
    check_goal_change,
    check_objection,
    midterm_targets,
    objection_histories,
    phase_of,
)

T = TypeVar("T")

TOP_KEYS = frozenset({"policy", "notices", "objections", "goal_changes"})
NOTICE_KEYS = frozenset({"employee", "name", "period", "round", "notice", "note"})
OBJECTION_KEYS = NOTICE_KEYS | {"filed", "indicators"}
CHANGE_KEYS = frozenset(
    {"employee", "name", "reason", "phase", "batch", "made_on", "before", "after", "note"}
)
LINE_KEYS = frozenset({"id", "title", "category", "weight", "target", "replaces"})

#: The record field each library rule is about, to point at its line:col (else the record).
RULE_FIELDS = {
    "objection-late": "filed",
    "objection-early": "filed",
    "objection-period": "period",
    "objection-round": "round",
    "objection-duplicate": "round",
    "objection-round-order": "round",
    "goal-change-reason": "reason",
    "goal-change-reason-in-phase": "reason",
    "goal-change-phase": "phase",
    "goal-change-closed": "phase",
    "goal-change-phase-date": "made_on",
    "goal-change-outside-period": "made_on",
    "objection-outside-period": "notice",
    "objection-period-date": "notice",
    "goal-change-batch": "batch",
    "goal-change-weights": "after",
}


@dataclass
class _Run:
    """What one ``workflow`` run reads and collects."""

    policy: Mapping[str, Any]
    doc: LoadedDocument
    calendar: Calendar
    file_problems: list[Problem] = field(default_factory=list)

    def records(self, key: str, allowed: frozenset[str], what: str) -> list[Mapping[str, Any]]:
        """The records of one list (shape checked); unknown keys become problems of the file."""
        raw = need_list(self.doc, (key,), self.doc.data.get(key, []), key)
        found = []
        for i, record in enumerate(raw):
            record = need_mapping(self.doc, (key, i), record, what)
            subject = str(record.get("employee", "file"))
            self.file_problems += [
                (subject, d) for d in unknown_keys(self.doc, (key, i), record, allowed, what)
            ]
            found.append(record)
        return found

    def line_keys(self, base: Path, record: Mapping[str, Any]) -> None:
        """Unknown keys of the goal lines of a change (a malformed line is left to the reader)."""
        subject = str(record.get("employee", "file"))
        for key in ("before", "after"):
            lines = record.get(key)
            for n, line in enumerate(lines if isinstance(lines, list) else []):
                if isinstance(line, Mapping):
                    found = unknown_keys(self.doc, (*base, key, n), line, LINE_KEYS, "a goal line")
                    self.file_problems += [(subject, d) for d in found]

    def locate(self, problem: WorkflowProblem, base: Path, indicator_path: Path | None) -> Diagnostic:
        at = indicator_path if indicator_path is not None else base
        if indicator_path is None and problem.rule in RULE_FIELDS:
            at = (*base, RULE_FIELDS[problem.rule])
        return Diagnostic(self.doc.source.locate(at), problem.rule, problem.message)


def _located(doc: LoadedDocument, at: Path, read: Callable[..., T], *args: Any) -> T:
    """Run a record reader; a DataError it raises gets the record's file:line:col in front."""
    try:
        return read(*args)
    except DataError as exc:
        raise DataError(f"{where(doc, at)}: {exc}") from None


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


def _window_days(policy: Mapping[str, Any]) -> int:
    spec = (policy.get("workflows") or {}).get("objections") or {}
    return int(spec["window"]["working_days"])


def _handler(policy: Mapping[str, Any], round_no: int) -> str:
    """The declared round's label (its first language) and handler: ``1차 부장과 재협의, section_head``."""
    rounds = ((policy.get("workflows") or {}).get("objections") or {}).get("rounds") or ()
    for spec in rounds:
        if int(spec["round"]) == round_no:
            labels = list((spec.get("label") or {}).values())
            return ", ".join(str(p) for p in (*labels[:1], spec.get("handler")) if p)
    return "not declared"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _filed_status(run: _Run, record: Objection, deadline: Deadline) -> tuple[str, int]:
    """The status text and the working days late (0 when in time, or filed before the notice)."""
    if record.filed < record.notice:
        return "filed before the notice", 0
    late = run.calendar.working_days_between(deadline.deadline, record.filed)
    return ("in time" if late == 0 else f"{_plural(late, 'working day')} late"), late


def _open_status(run: _Run, deadline: Deadline, today: date | None) -> str:
    if today is None:
        return ""
    if today < deadline.notice:
        return "not open yet: the notice is not given"
    if today > deadline.deadline:
        return f"closed since {day_text(deadline.deadline)}"
    # Working days still left, today included when it is one: (today - 1, deadline].
    left = run.calendar.working_days_between(today - timedelta(days=1), deadline.deadline)
    return f"open: {_plural(left, 'working day')} left, until {day_text(deadline.deadline)}"


def _read_objection(record: Mapping[str, Any], notice_only: bool) -> Objection:
    what = "notice" if notice_only else "objection"
    for key in ("employee", "period", "notice", *(() if notice_only else ("filed",))):
        if record.get(key) is None:
            raise DataError(f"{what} record lacks '{key}'")
    if isinstance(record.get("round", 1), bool) or not isinstance(record.get("round", 1), int):
        raise DataError(f"round must be a whole number, not {record['round']!r}")
    if not isinstance(record.get("indicators", []), list):
        raise DataError("indicators must be a list")
    if notice_only:  # read as an objection "filed" on its notice day; only its deadline is used
        record = {**record, "filed": record["notice"]}
    return Objection.from_record(record)


def _notices(run: _Run, today: date | None) -> tuple[ObjectionLine, ...]:
    lines = []
    for i, record in enumerate(run.records("notices", NOTICE_KEYS, "a notice")):
        item = _located(run.doc, ("notices", i), _read_objection, record, True)
        at_notice: Path = ("notices", i, "notice")
        days = _window_days(run.policy)
        deadline = _located(run.doc, at_notice, deadline_of, run.calendar, item.notice, days)
        handler = _handler(run.policy, item.round)
        name = str(record.get("name", ""))
        status = _open_status(run, deadline, today)
        lines.append(
            ObjectionLine(
                "notice", item.employee, name, item.period, item.round, handler, deadline, status=status
            )
        )
    return tuple(lines)


def _objections(run: _Run) -> tuple[ObjectionLine, ...]:
    records = run.records("objections", OBJECTION_KEYS, "an objection")
    items: list[Objection] = [
        _located(run.doc, ("objections", i), _read_objection, r, False) for i, r in enumerate(records)
    ]
    lines = []
    for i, (item, earlier) in enumerate(zip(items, objection_histories(items), strict=True)):
        base: Path = ("objections", i)
        at_notice: Path = (*base, "notice")
        problems = _located(run.doc, at_notice, check_objection, item, run.policy, earlier)
        diagnostics = tuple(run.locate(p, base, _indicator_path(base, item, p.indicator)) for p in problems)
        deadline = _located(
            run.doc, at_notice, deadline_of, run.calendar, item.notice, _window_days(run.policy)
        )
        status, late = _filed_status(run, item, deadline)
        lines.append(
            ObjectionLine(
                "objection", item.employee, str(records[i].get("name", "")), item.period, item.round,
                _handler(run.policy, item.round), deadline, item.filed, item.indicators,
                status, diagnostics, late,
            )
        )  # fmt: skip
    return tuple(lines)


def _indicator_path(base: Path, item: Objection, indicator: str | None) -> Path | None:
    if indicator is None or indicator not in item.indicators:
        return None
    return (*base, "indicators", item.indicators.index(indicator))


# --- goal changes ---------------------------------------------------------------------------------


def _number(value: Any, what: str, optional: bool = False) -> Decimal | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise DataError(f"{what} must be a number, not {value!r}")
    return Decimal(value)


def _goal_line(raw: Any, what: str) -> GoalLine:
    if not isinstance(raw, Mapping) or raw.get("id") is None:
        raise DataError(f"{what}: a goal line needs an 'id'")
    weight = _number(raw.get("weight"), f"{what} {raw['id']}: weight")
    assert weight is not None  # not optional: _number raised otherwise
    category, replaces = raw.get("category"), raw.get("replaces")
    return GoalLine(
        id=str(raw["id"]),
        weight=weight,
        target=_number(raw.get("target"), f"{what} {raw['id']}: target", optional=True),
        category=None if category is None else str(category),
        replaces=None if replaces is None else str(replaces),
    )


def _read_change(record: Mapping[str, Any]) -> GoalChange:
    for key in ("employee", "reason", "before", "after"):
        if record.get(key) is None:
            raise DataError(f"goal change record lacks '{key}'")
    sheets = {}
    for key in ("before", "after"):
        if not isinstance(record[key], list):
            raise DataError(f"{key} must be a list of goal lines")
        sheets[key] = tuple(_goal_line(raw, f"{key}[{n}]") for n, raw in enumerate(record[key]))
    made_on = record.get("made_on")
    batch = record.get("batch")
    return GoalChange(
        employee=str(record["employee"]),
        reason=str(record["reason"]),
        phase=str(record.get("phase") or ""),
        before=sheets["before"],
        after=sheets["after"],
        batch=None if batch is None else str(batch),
        made_on=None if made_on is None else as_date(made_on, "made_on"),
    )


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
        moved = [
            f"{what} {'-' if a is None else a} -> {'-' if b is None else b}"
            for what, a, b in (("weight", old.weight, g.weight), ("target", old.target, g.target))
            if a != b
        ]
        if moved:
            out.append(f"{g.id}: {', '.join(moved)}")
    return tuple(out) or ("no line changed",)


def _change_order(changes: Sequence[GoalChange]) -> list[int]:
    """Oldest first per employee: by ``made_on`` (undated after dated ones), then file order."""
    return sorted(
        range(len(changes)), key=lambda i: (changes[i].made_on is None, changes[i].made_on or date.min, i)
    )


def _goal_changes(run: _Run) -> tuple[tuple[ChangeLine, ...], tuple[TargetSheet, ...]]:
    records = run.records("goal_changes", CHANGE_KEYS, "a goal change")
    for i, record in enumerate(records):
        run.line_keys(("goal_changes", i), record)
    changes: list[GoalChange] = [
        _located(run.doc, ("goal_changes", i), _read_change, r) for i, r in enumerate(records)
    ]
    order = _change_order(changes)
    results: dict[int, list[Diagnostic]] = {}
    for rank, i in enumerate(order):
        history = [changes[j] for j in order[:rank] if changes[j].employee == changes[i].employee]
        base: Path = ("goal_changes", i)
        results[i] = [
            run.locate(p, base, _removed_path(base, changes[i], p))
            for p in check_goal_change(changes[i], run.policy, history)
        ]
    lines = tuple(
        ChangeLine(
            c.employee, str(records[i].get("name", "")), phase_of(c, run.policy), c.reason, c.batch,
            c.made_on,
            describe_change(c), tuple(results[i]),
        )
        for i, c in enumerate(changes)
    )  # fmt: skip
    return lines, _targets(run, changes, order, lines)


def _removed_path(base: Path, change: GoalChange, problem: WorkflowProblem) -> Path | None:
    ids = [g.id for g in change.before]
    if problem.rule != "goal-change-no-replacement" or problem.indicator not in ids:
        return None
    return (*base, "before", ids.index(str(problem.indicator)))


def _targets(
    run: _Run, changes: Sequence[GoalChange], order: Sequence[int], lines: Sequence[ChangeLine]
) -> tuple[TargetSheet, ...]:
    """Per employee (first seen in the file): the lines the mid-term check scores against.

    Only accepted changes are in force: the sheet now is the last accepted change's ``after``
    (the first record's ``before`` when none was accepted).
    """
    sheets = []
    for employee in dict.fromkeys(c.employee for c in changes):
        mine = [i for i in order if changes[i].employee == employee]
        accepted = [changes[i] for i in mine if lines[i].accepted]
        current = accepted[-1].after if accepted else changes[mine[0]].before
        targets = midterm_targets(current, accepted, run.policy)
        if not accepted:
            source = "no accepted change: the goal sheet as set"
        elif targets == accepted[0].before:
            source = f"the targets before the change{_on(accepted[0])}"
        else:
            source = f"the targets after the change{_on(accepted[-1])}"
        sheets.append(TargetSheet(employee, str(lines[mine[0]].name), source, targets))
    return tuple(sheets)


def _on(change: GoalChange) -> str:
    return f" of {day_text(change.made_on)}" if change.made_on else ""


# --- the command ----------------------------------------------------------------------------------


def build_workflow_report(
    policy_id: str, policy: Mapping[str, Any], doc: LoadedDocument, today: date | None = None
) -> WorkflowReport:
    """Check every record of a loaded data file; raise DataError when it has none of the lists."""
    data = doc.data
    if not any(key in data for key in ("notices", "objections", "goal_changes")):
        raise DataError(f"{where(doc, ())}: the file has no 'notices', 'objections' or 'goal_changes' list")
    run = _Run(policy, doc, Calendar.from_policy(policy))
    run.file_problems += [("file", d) for d in unknown_keys(doc, (), data, TOP_KEYS, "the file")]
    if ("notices" in data or "objections" in data) and not (policy.get("workflows") or {}).get("objections"):
        raise UsageError("the policy declares no workflows.objections: objections cannot be checked")
    changes, targets = _goal_changes(run)
    return WorkflowReport(
        policy_id,
        doc.file,
        today,
        _notices(run, today),
        _objections(run),
        changes,
        targets,
        tuple(run.file_problems),
    )


def _employees(report: WorkflowReport) -> list[str]:
    found = [o.employee for o in (*report.notices, *report.objections)] + [c.employee for c in report.changes]
    return list(dict.fromkeys(found))


def run_workflow(
    policy_path: str, data_path: str, fmt: str, output: str | None, echo: Echo, today: str | None = None
) -> int:
    """Check the workflow records in ``data_path`` under ``policy_path``; report as ``fmt``.

    ``today`` (``--today``, YYYY-MM-DD) says which notices' windows are still open. Returns 0
    when every record is acceptable, 1 otherwise; raises :class:`DataError`/:class:`UsageError`
    for an unreadable file or a policy without ``workflows``.
    """
    if fmt not in RENDERERS:
        raise UsageError(f"unknown format '{fmt}'; use one of {', '.join(RENDERERS)}")
    try:
        day = None if today is None else as_date(today, "--today")
    except DataError as exc:
        raise UsageError(str(exc)) from None
    guard_output(output, [policy_path, data_path])
    policy = load_policy(policy_path)
    if not policy.data.get("workflows"):
        raise UsageError(f"{policy_path}: the policy declares no workflows section")
    doc = read_data_file(data_path)
    report = build_workflow_report(str(policy.data["metadata"]["id"]), policy.data, doc, day)
    deliver(RENDERERS[fmt](report), output, echo)
    return finish(report.all_problems(), _employees(report), "employees", fmt, echo)
