"""Evaluation over records: goal-sheet checks, exact per-employee evaluation (fast and traced),
relative grades over the population, whole runs, and large files split across processes."""

from engine.evaluate.employee import EmployeeResult, evaluate_employee, evaluate_flat
from engine.evaluate.explained import explain
from engine.evaluate.run import Engine, RunOutcome, example_runs, run

__all__ = [
    "EmployeeResult",
    "Engine",
    "RunOutcome",
    "evaluate_employee",
    "evaluate_flat",
    "example_runs",
    "explain",
    "run",
]
