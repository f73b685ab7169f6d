"""Reading a ``workflow`` data file (docs/workflows.md): ``notices`` (result notices with no
objection yet), ``objections`` and ``goal_changes``.

A record that lacks a field or has a malformed date or number is a :class:`DataError` located
at the record (the file cannot be used); an unknown key is a ``data-unknown-key`` diagnostic
about the record's employee (or ``file``), and the other records are still read; so is a bad
value (``.nan``, an unquoted ``yes``, ``1e400``), whose record is then left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.errors import DataError, Diagnostic
from engine.io.datafile import DataDocument
from engine.location import Path
from engine.workflow.calendar import as_date
from engine.workflow.goals import GoalChange, GoalLine
from engine.workflow.objections import Objection, WorkflowProblem

#: The lists of records in a workflow data file.
WORKFLOW_LISTS = ("notices", "objections", "goal_changes")
TOP_KEYS = frozenset({"policy", *WORKFLOW_LISTS})
NOTICE_KEYS = frozenset({"employee", "name", "period", "round", "notice", "note"})
OBJECTION_KEYS = NOTICE_KEYS | {"filed", "indicators"}
CHANGE_KEYS = frozenset(
    {"employee", "name", "reason", "phase", "batch", "made_on", "before", "after", "note"}
)
LINE_KEYS = frozenset({"id", "title", "category", "weight", "target", "replaces", "justification"})

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


def locate_problem(
    doc: DataDocument, subject: str, problem: WorkflowProblem, base: Path, indicator_path: Path | None
) -> Diagnostic:
    """The problem about ``subject``, at the indicator, else its rule's field, else the record at
    ``base``."""
    at = indicator_path if indicator_path is not None else base
    if indicator_path is None and problem.rule in RULE_FIELDS:
        at = (*base, RULE_FIELDS[problem.rule])
    return Diagnostic(doc.source.locate(at), problem.rule, problem.message, subject=subject)


def read_objection(record: Mapping[str, Any], notice_only: bool) -> Objection:
    """An objection record (a notice when ``notice_only``: read as filed on its notice day)."""
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
    category, replaces, why = raw.get("category"), raw.get("replaces"), raw.get("justification")
    return GoalLine(
        id=str(raw["id"]),
        weight=weight,
        target=_number(raw.get("target"), f"{what} {raw['id']}: target", optional=True),
        category=None if category is None else str(category),
        replaces=None if replaces is None else str(replaces),
        justification=None if why is None or not str(why).strip() else str(why),
    )


def read_change(record: Mapping[str, Any]) -> GoalChange:
    """A goal-change record: who, why, in which phase, the goal lines before and after."""
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
