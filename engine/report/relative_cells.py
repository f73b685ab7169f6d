"""CSV text of a streamed report with distributions, made where it is cheapest.

The first pass (in the workers) writes each row's own cells as the report's CSV writer writes
them (:func:`row_text`: guarded against spreadsheet formulas, quoted where needed); the second
pass (one process, a million rows) only appends each distribution's cell, looked up in a table
made once per distribution from its groups and its problems (:class:`RelativeCells`; a million
people without an org tree leave about 90,000 in groups too small, and the first of them sent
through :func:`~engine.report.results.relative_cell` built an index of every member). The csv
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
        self._graded = [self._graded_cells(name, result) for name, result in self._relative]

    def _escaped(self, cell: str) -> str:
        """``cell`` as the writer writes it inside a row (quoted or guarded where needed)."""
        return self._text([cell, ""])[:-2]  # "<cell>,\n": the csv module quotes each field alone

    def _graded_cells(self, name: str, result: DistributionResult) -> dict[str, str]:
        shown: dict[str, str] = {}
        cells: dict[str, str] = {}
        for group in result.groups:
            for code in group.quota:
                if code not in shown:
                    shown[code] = self._escaped(self._plan.labels.grade(name, str(code)))
            cells.update(zip(group.members, map(shown.__getitem__, group.grades), strict=True))
        reasons: dict[int, str] = {}  # a group too small names all its members: one text each
        for member, problem in result.not_graded.items():
            if member in cells:
                continue  # graded after all (an outcome looks in the groups first)
            text = reasons.get(id(problem))
            if text is None:
                text = self._escaped(self._plan.labels.reason(not_graded_reason(problem)))
                reasons[id(problem)] = text
            cells[member] = text
        return cells

    def complete(self, block: list[tuple[str, str]]) -> str:
        """The spilled lines of ``block`` (``(employee, line)``) with their distributions'
        cells, a column at a time."""
        if not self._graded:
            return "".join(row for _, row in block)
        columns = []
        for graded, (name, result) in zip(self._graded, self._relative, strict=True):
            column = [graded.get(employee) for employee, _ in block]
            if None in column:  # not graded: why (a few people at most)
                column = [
                    cell if cell is not None else self._escaped(relative_cell(result, name, self._plan, e))
                    for cell, (e, _) in zip(column, block, strict=True)
                ]
            columns.append(column)
        tails = map(",".join, zip(*columns, strict=True))
        return "".join([row[:-1] + "," + tail + "\n" for (_, row), tail in zip(block, tails, strict=True)])
