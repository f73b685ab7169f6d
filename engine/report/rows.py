"""The rows of the result reports (text table, CSV, HTML, workbook): each employee's cells with
their column's places, a grade or why none; from full results (:func:`result_row`) or straight
from the flat values a worker evaluates (:func:`flat_row`, the same cells)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from engine.distribution import DistributionResult
from engine.evaluate import EmployeeResult, RunOutcome
from engine.io.records import EmployeeRecord
from engine.report.columns import (
    CHAIN_GRADE,
    NO_BAND,
    Column,
    chain_grade,
    chain_graded,
    formatter,
    result_columns,
)
from engine.report.labels import Labels
from engine.report.phrases import UNGRADED, ungraded
from engine.report.safety import csv_writer


def _columns(outcome: RunOutcome) -> list[str]:
    return [c.key for c in result_columns(outcome)]


def report_columns(outcome: RunOutcome) -> list[str]:
    """The columns after ``id`` and ``name`` in the text and CSV reports."""
    return _columns(outcome)


@dataclass
class RowPlan:
    """How rows are made for one outcome: the columns, their formats, the labels, the records;
    ``brief``: the columns whose cell for a person not graded says only that (the text table's
    distributions: why is in the warnings under the table, one line a person, and a reason of
    160 characters in each grade cell made each such row 21 lines tall at a terminal)."""

    columns: list[Column]
    formats: list[Callable[[Any], str]]
    labels: Labels
    records: dict[str, EmployeeRecord]
    brief: frozenset[str] = frozenset()

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def headers(self) -> list[str]:
        """``id``, ``name`` and the columns, by their labels in the plan's language."""
        return [self.labels.field(k) for k in ("id", "name", *self.keys)]


def row_plan(outcome: RunOutcome, labels: Labels | None = None, brief: bool = False) -> RowPlan:
    """How ``outcome``'s rows are made (``brief``: for the text table, see :class:`RowPlan`)."""
    columns = result_columns(outcome)
    return RowPlan(
        columns,
        [formatter(c) for c in columns],
        labels or Labels(outcome.policy.data),
        {r.id: r for r in outcome.population.employees},
        frozenset(outcome.relative) if brief else frozenset(),
    )


def not_graded_cell(plan: RowPlan, column: str, reason: str) -> str:
    """The cell of a person ``column`` gives no grade, for ``reason`` (``not graded: ...``):
    the reason in the plan's language, or only ``not graded`` in a brief column."""
    return plan.labels.reason(UNGRADED[0] if column in plan.brief else reason)


def _grade_cell(code: Any, column: str, plan: RowPlan, reason: str) -> str:
    return plan.labels.reason(reason) if code is None else plan.labels.grade(column, str(code))


def relative_cell(result: DistributionResult, column: str, plan: RowPlan, employee: str) -> str:
    """A distribution's cell for one employee: the grade, or why there is none."""
    grade = result.grade_of(employee)
    if grade is not None:
        return plan.labels.grade(column, str(grade))
    member = result.outcome(employee)
    reason = member.reason if member is not None else "not graded: not a candidate"
    return not_graded_cell(plan, column, reason)


def result_row(
    result: EmployeeResult, plan: RowPlan, outcome: RunOutcome, record: EmployeeRecord | None = None
) -> list[str]:
    """The cells of one employee: numbers with their column's places, a grade or why none."""
    row = [result.id, result.name or ""]
    for column, shown in zip(plan.columns, plan.formats, strict=True):
        name = column.key
        if name in outcome.relative:
            row.append(relative_cell(outcome.relative[name], name, plan, result.id))
        elif name in result.grades:
            row.append(_grade_cell(result.grades[name].grade, name, plan, NO_BAND))
        elif name.endswith("_points") and name[: -len("_points")] in result.grades:
            row.append(shown(result.grades[name[: -len("_points")]].points))
        elif column.kind == "grade" and name == CHAIN_GRADE:
            found = chain_grade(outcome, record or plan.records.get(result.id), result.values)
            shown_grade = plan.labels.reason(found) if ungraded(found) else plan.labels.grade(name, found)
            row.append(shown_grade)
        else:
            row.append(shown(result.values.get(name)))
    return row


#: How :func:`flat_row` fills each column: (0, i) the i-th employee formula value, (1, t) grade
#: table t's grade, (2, t) its points, (3, 0) nothing; with the column's format.
FlatPlan = tuple[tuple[int, int, Callable[[Any], str]], ...]


def flat_plan(outcome: RunOutcome) -> FlatPlan | None:
    """What :func:`result_row` would put in each column, as :func:`flat_row` reads it.

    None when a column needs more than the employee's own values and grades (a relative grade,
    a period blend or a chain's grade): those rows come from full results.
    """
    policy = outcome.policy
    if outcome.relative or policy.blend or chain_graded(outcome):
        return None
    tables = [t.name for t in policy.grade_tables]
    names = list(policy.employee_names)
    plan: list[tuple[int, int, Callable[[Any], str]]] = []
    for column in result_columns(outcome):  # the precedence of result_row: grade, points, value
        name, shown = column.key, formatter(column)
        if name in tables:
            plan.append((1, tables.index(name), shown))
        elif name.endswith("_points") and name[: -len("_points")] in tables:
            plan.append((2, tables.index(name[: -len("_points")]), shown))
        elif name in names:
            plan.append((0, names.index(name), shown))
        else:
            plan.append((3, 0, shown))
    return tuple(plan)


def flat_row(
    employee_id: str,
    name: str | None,
    values: tuple[Any, ...],
    grades: tuple[tuple[str | None, Any], ...],
    plan: FlatPlan,
) -> list[str]:
    """:func:`result_row` from :func:`engine.evaluate.employee.evaluate_flat`'s values: the same cells."""
    row = [employee_id, name or ""]
    for kind, index, shown in plan:
        if kind == 0:
            row.append(shown(values[index]))
        elif kind == 3:
            row.append("")
        elif kind == 1:
            grade = grades[index][0]
            row.append(NO_BAND if grade is None else grade)
        else:
            row.append(shown(grades[index][1]))
    return row


def csv_rows(rows: Iterable[list[str]]) -> str:
    """CSV lines without the header, exactly as :func:`render_csv` writes them."""
    buffer = io.StringIO()
    csv_writer(buffer).writerows(rows)
    return buffer.getvalue()


def plain_rows(rows: Iterable[list[str]]) -> str:
    """Rows as CSV lines that read back as they were (no spreadsheet guard): the text table's
    rows spooled between its passes (:data:`TEXT_ROWS`)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
