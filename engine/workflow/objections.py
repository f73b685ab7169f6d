"""Review workflows as data: objections to results, counted on the working-day calendar.

The calendar is :mod:`engine.workflow.calendar`. Deadline convention: a window of N working days
counts from the day *after* the event (the result notice); the notice day itself never counts,
even when it is a working day. The deadline is the N-th working day after the notice, and an
objection filed on the deadline is in time. Weekend days and holidays are not working days.

Goal changes are in :mod:`engine.workflow.goals`. Problems are returned as
:class:`WorkflowProblem` values, never raised; a record that cannot be read (a field missing,
a malformed date, a date so late that its deadline would fall after 9999-12-31) raises
:class:`~engine.errors.DataError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.errors import DataError, Diagnostic, Location, PolicyInvalid
from engine.io.fields import FieldError, cycle_date
from engine.workflow.calendar import Calendar, as_date, effective_period


@dataclass(frozen=True)
class WorkflowProblem:
    """One broken workflow rule for one record: rule id, message, whose record, which indicator.

    A domain result: the rules see records, not files, so the reader
    (:meth:`engine.workflow.records.WorkflowFile.locate`) turns it into a located
    :class:`engine.errors.Diagnostic` about the employee; ``indicator`` is a goal line's id.
    """

    rule: str
    message: str
    employee: str
    indicator: str | None = None


@dataclass(frozen=True)
class Objection:
    """An objection record: who, to which period's result, which round, when notified and filed."""

    employee: str
    period: str
    round: int
    notice: date  # the event the window counts from (round 1: the result notice)
    filed: date
    indicators: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Objection:
        """Read a plain record (dates as ``date`` or ISO strings); :class:`DataError` if malformed."""
        try:
            return cls(
                employee=str(record["employee"]),
                period=str(record["period"]),
                round=int(record.get("round", 1)),
                notice=as_date(record["notice"], "notice"),
                filed=as_date(record["filed"], "filed"),
                indicators=tuple(str(i) for i in record.get("indicators") or ()),
            )
        except KeyError as exc:
            raise DataError(f"objection record lacks {exc.args[0]!r}") from None


def _objections(policy: Mapping[str, Any]) -> Mapping[str, Any] | None:
    found = (policy.get("workflows") or {}).get("objections")
    return found if isinstance(found, Mapping) else None


def objection_deadline(notice: date, policy: Mapping[str, Any]) -> date:
    """The last day to object: the N-th working day after ``notice`` (N from the policy window).

    Raises :class:`PolicyInvalid` when the policy declares no objection window.
    """
    spec = _objections(policy)
    if spec is None:
        where = Location("<policy>", 0, 0, "$.workflows.objections")
        raise PolicyInvalid(
            [Diagnostic(where, "objection-not-declared", "the policy declares no objections")]
        )
    return Calendar.from_policy(policy).add_working_days(notice, int(spec["window"]["working_days"]))


def check_objection(
    record: Objection, policy: Mapping[str, Any], earlier: Sequence[Objection] = ()
) -> list[WorkflowProblem]:
    """Problems of one objection: period, timing, indicators named, and round order.

    ``earlier`` holds the same employee's objections filed before this one; a later round
    needs the round before it on the same period (and, per indicator, on each indicator).
    """
    spec = _objections(policy)
    who = record.employee
    if spec is None:
        return [WorkflowProblem("objection-not-declared", "the policy declares no objections", who)]
    problems: list[WorkflowProblem] = []
    periods = [str(p) for p in spec.get("periods") or ()]
    if periods and record.period not in periods:
        problems.append(
            WorkflowProblem(
                "objection-period",
                f"results of period '{record.period}' cannot be objected to (allowed: {', '.join(periods)})",
                who,
            )
        )
    problems += _dates(record, policy)
    problems += _timing(record, policy, spec)
    per_indicator = bool(spec.get("per_indicator", False))
    if per_indicator and not record.indicators:
        problems.append(
            WorkflowProblem(
                "objection-no-indicator",
                "objections are made per indicator: name the indicators objected to",
                who,
            )
        )
    problems += _round_order(record, spec, earlier, per_indicator)
    return problems


def objection_histories(records: Sequence[Objection]) -> list[list[Objection]]:
    """For each record (in the given order), the same employee's records that came before it.

    "Before" is by period, filing date and round; the given order breaks ties.
    """
    order = sorted(
        range(len(records)),
        key=lambda i: (records[i].employee, records[i].period, records[i].filed, records[i].round, i),
    )
    rank = {index: position for position, index in enumerate(order)}
    return [
        [records[j] for j in order[: rank[i]] if records[j].employee == record.employee]
        for i, record in enumerate(records)
    ]


def check_objections(records: Sequence[Objection], policy: Mapping[str, Any]) -> list[WorkflowProblem]:
    """Check every record against the same employee's earlier ones; problems in record order."""
    return [
        problem
        for record, earlier in zip(records, objection_histories(records), strict=True)
        for problem in check_objection(record, policy, earlier)
    ]


def _dates(record: Objection, policy: Mapping[str, Any]) -> list[WorkflowProblem]:
    """The notice against the policy's effective period and the objected period's own dates: a
    result cannot be notified before its period's check begins."""
    period = effective_period(policy)
    if period is not None and not period[0] <= record.notice <= period[1]:
        outside = f"outside the policy's effective period {period[0]} to {period[1]}"
        message = f"notice of {record.notice}, {outside}"
        return [WorkflowProblem("objection-outside-period", message, record.employee)]
    declared = ((policy.get("periods") or {}).get(record.period) or {}).get("dates")
    if period is None or not isinstance(declared, Mapping):
        return []
    try:
        first = cycle_date(declared["from"], period[0])
        last = cycle_date(declared["to"], first)
    except FieldError as exc:
        raise DataError(f"periods.{record.period}.dates: {exc.message}") from None
    if record.notice >= first:
        return []
    message = (
        f"notice of {record.notice} for period '{record.period}', before the period's check"
        f" ({first} to {last})"
    )
    return [WorkflowProblem("objection-period-date", message, record.employee)]


def _timing(record: Objection, policy: Mapping[str, Any], spec: Mapping[str, Any]) -> list[WorkflowProblem]:
    days = int(spec["window"]["working_days"])
    who = record.employee
    if record.filed < record.notice:
        return [
            WorkflowProblem(
                "objection-early",
                f"objection filed {record.filed}, before the notice of {record.notice}",
                who,
            )
        ]
    calendar = Calendar.from_policy(policy)
    deadline = calendar.add_working_days(record.notice, days)
    if record.filed <= deadline:
        return []
    late = calendar.working_days_between(deadline, record.filed)
    plural = "" if late == 1 else "s"
    return [
        WorkflowProblem(
            "objection-late",
            f"objection filed {record.filed}, after the deadline {deadline} ({days} working days from "
            f"the day after the notice of {record.notice}): {late} working day{plural} late",
            who,
        )
    ]


def _round_order(
    record: Objection, spec: Mapping[str, Any], earlier: Sequence[Objection], per_indicator: bool
) -> list[WorkflowProblem]:
    rounds = sorted(int(r["round"]) for r in spec.get("rounds") or ())
    who = record.employee
    if not rounds:
        return []
    if record.round not in rounds:
        declared = ", ".join(map(str, rounds))
        return [
            WorkflowProblem(
                "objection-round", f"round {record.round} is not declared (rounds: {declared})", who
            )
        ]
    before = [r for r in earlier if r.period == record.period and r.filed <= record.filed]
    targets: Sequence[str | None] = record.indicators if per_indicator and record.indicators else [None]
    previous = rounds[rounds.index(record.round) - 1] if record.round != rounds[0] else None
    return [p for indicator in targets for p in _round_problems(record, before, previous, indicator)]


def _covers(record: Objection, wanted: int, indicator: str | None) -> bool:
    """Whether ``record`` is round ``wanted`` (on ``indicator``, if one is named)."""
    return record.round == wanted and (indicator is None or indicator in record.indicators)


def _round_problems(
    record: Objection, before: Sequence[Objection], previous: int | None, indicator: str | None
) -> list[WorkflowProblem]:
    """The round already filed, or filed without the round before it (on ``indicator``)."""
    who, on = record.employee, f" on indicator {indicator}" if indicator else ""
    problems = []
    if any(_covers(r, record.round, indicator) for r in before):
        problems.append(
            WorkflowProblem(
                "objection-duplicate", f"round {record.round}{on} was already filed", who, indicator
            )
        )
    if previous is not None and not any(_covers(r, previous, indicator) for r in before):
        problems.append(
            WorkflowProblem(
                "objection-round-order",
                f"round {record.round}{on} without an earlier round {previous}",
                who,
                indicator,
            )
        )
    return problems
