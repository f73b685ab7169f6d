"""Review workflows: the working-day calendar, objections and their deadlines, goal changes.

A name is imported from its module when first asked for (PEP 562): a policy check that needs
the calendar's weekday names does not load the report builder and the records readers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.workflow.calendar import WEEKDAYS, Calendar, as_date
    from engine.workflow.goals import (
        GoalChange,
        GoalLine,
        check_goal_change,
        midterm_targets,
        phase_dates,
        phase_of,
        with_targets,
    )
    from engine.workflow.objections import (
        Objection,
        WorkflowProblem,
        check_objection,
        check_objections,
        objection_deadline,
        objection_histories,
    )
    from engine.workflow.run import (
        DAY_NAMES,
        ChangeLine,
        Deadline,
        ObjectionLine,
        TargetSheet,
        WorkflowReport,
        build_workflow_report,
        day_text,
        deadline_of,
        describe_change,
    )

#: Each public name's module.
_HOMES: dict[str, str] = {
    "WEEKDAYS": "calendar",
    "Calendar": "calendar",
    "as_date": "calendar",
    "GoalChange": "goals",
    "GoalLine": "goals",
    "check_goal_change": "goals",
    "midterm_targets": "goals",
    "phase_dates": "goals",
    "phase_of": "goals",
    "with_targets": "goals",
    "Objection": "objections",
    "WorkflowProblem": "objections",
    "check_objection": "objections",
    "check_objections": "objections",
    "objection_deadline": "objections",
    "objection_histories": "objections",
    "DAY_NAMES": "run",
    "ChangeLine": "run",
    "Deadline": "run",
    "ObjectionLine": "run",
    "TargetSheet": "run",
    "WorkflowReport": "run",
    "build_workflow_report": "run",
    "day_text": "run",
    "deadline_of": "run",
    "describe_change": "run",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"engine.workflow.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DAY_NAMES",
    "WEEKDAYS",
    "Calendar",
    "ChangeLine",
    "Deadline",
    "GoalChange",
    "GoalLine",
    "Objection",
    "ObjectionLine",
    "TargetSheet",
    "WorkflowProblem",
    "WorkflowReport",
    "as_date",
    "build_workflow_report",
    "check_goal_change",
    "check_objection",
    "check_objections",
    "day_text",
    "deadline_of",
    "describe_change",
    "midterm_targets",
    "objection_deadline",
    "objection_histories",
    "phase_dates",
    "phase_of",
    "with_targets",
]
