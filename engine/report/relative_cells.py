"""CSV text of a streamed report with distributions, made where it is cheapest.

The first pass (in the workers) writes each row's own cells as the report's CSV writer writes
them (:func:`row_text`: guarded against spreadsheet formulas, quoted where needed); the second
pass (one process, a million rows) only appends each distribution's cell: the grades of a
block of rows are looked up at once in the compact result (no table per person), each grade's
cell and each problem's reason written once (:class:`RelativeCells`; a million people without
an org tree leave about 90,000 in groups too small). The csv
module quotes each field on its own, so a row written whole and a row written as its first
cells then the rest are the same text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from engine.distribution import DistributionResult
from engine.distribution.model import not_graded_reason
from engine.evaluate import RunOutcome
from engine.report.results import RowPlan, relative_cell
from engine.report.rows import not_graded_cell
from engine.report.safety import csv_writer


def row_text() -> Callable[[list[Any]], str]:
    """A function giving one row's CSV line (with its line end) as the report writes it."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)

    def text(cells: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    return text


class RelativeCells:
    """Each distribution's cell of each person, as CSV text (see the module doc)."""

    def __init__(self, outcome: RunOutcome, plan: RowPlan) -> None:
        self._text = row_text()
        self._plan = plan
        self._relative = list(outcome.relative.items())
        #: Per distribution: each grade's cell, and the cell of each problem's people (a
        #: group too small names all its members: one text each).
        self._grades: list[dict[str, str]] = [{} for _ in self._relative]
        self._reasons: list[dict[int, str]] = [{} for _ in self._relative]

    def _escaped(self, cell: str) -> str:
        """``cell`` as the writer writes it inside a row (quoted or guarded where needed)."""
        return self._text([cell, ""])[:-2]  # "<cell>,\n": the csv module quotes each field alone

    def _graded(self, at: int, name: str, grade: str) -> str:
        shown = self._grades[at].get(grade)
        if shown is None:
            shown = self._grades[at][grade] = self._escaped(self._plan.labels.grade(name, str(grade)))
        return shown

    def _not_graded(self, at: int, name: str, result: DistributionResult, employee: str) -> str:
        problem = result.not_graded.get(employee)
        if problem is None:  # not a candidate
            return self._escaped(relative_cell(result, name, self._plan, employee))
        shown = self._reasons[at].get(id(problem))
        if shown is None:
            shown = self._escaped(not_graded_cell(self._plan, name, not_graded_reason(problem)))
            self._reasons[at][id(problem)] = shown
        return shown

    def complete(self, block: list[tuple[str, str]]) -> str:
        """The spilled lines of ``block`` (``(employee, line)``) with their distributions'
        cells, a column at a time (the grades of the block looked up at once)."""
        if not self._relative:
            return "".join(row for _, row in block)
        employees = [employee for employee, _ in block]
        columns = []
        for at, (name, result) in enumerate(self._relative):
            grades = result.grades_of(employees)
            columns.append(
                [
                    self._graded(at, name, grade)
                    if grade is not None
                    else self._not_graded(at, name, result, employee)
                    for grade, employee in zip(grades, employees, strict=True)
                ]
            )
        tails = map(",".join, zip(*columns, strict=True))
        return "".join([row[:-1] + "," + tail + "\n" for (_, row), tail in zip(block, tails, strict=True)])
