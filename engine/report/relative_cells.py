"""CSV text of a streamed report with distributions, made where it is cheapest.

The first pass (in the workers) writes each row's own cells as the report's CSV writer writes
them (:func:`row_text`: guarded against spreadsheet formulas, quoted where needed); the second
pass (one process, a million rows) only appends each distribution's cell, looked up in a table
made once per distribution (:class:`RelativeCells`). The csv module quotes each field on its
own, so a row written whole and a row written as its first cells then the rest are the same
text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from engine.distribution import DistributionResult
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
        return cells

    def complete(self, employee: str, row: str) -> str:
        """The spilled line ``row`` of ``employee`` with its distributions' cells."""
        tail = []
        for graded, (name, result) in zip(self._graded, self._relative, strict=True):
            cell = graded.get(employee)
            if cell is None:  # not graded: why (a few people at most)
                cell = self._escaped(relative_cell(result, name, self._plan, employee))
            tail.append(cell)
        return row[:-1] + "," + ",".join(tail) + "\n" if tail else row
