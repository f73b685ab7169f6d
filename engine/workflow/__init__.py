"""Review workflows: the working-day calendar, objections and their deadlines, goal changes."""

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
