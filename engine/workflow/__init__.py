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

__all__ = [
    "WEEKDAYS",
    "Calendar",
    "GoalChange",
    "GoalLine",
    "Objection",
    "WorkflowProblem",
    "as_date",
    "check_goal_change",
    "check_objection",
    "check_objections",
    "midterm_targets",
    "objection_deadline",
    "objection_histories",
    "phase_dates",
    "phase_of",
    "with_targets",
]
