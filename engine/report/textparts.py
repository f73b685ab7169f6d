"""The text table of a run shared between processes, aligned by the workers themselves.

A text table is aligned over every row: its widths and the places of its numbers depend on
them all. Each worker spools its rows (CSV lines, :data:`engine.report.results.TEXT_ROWS`) and
measures them (:meth:`TextParts.summary`); the parent merges the measures into the table's
shape (:meth:`TextParts.rewrite`), and forked workers write each part's lines in that shape;
the parent writes the report's head, the parts' lines and its tail (:meth:`TextParts.frame`).
The bytes are those of :func:`engine.report.results.write_text` over all the rows in one pass
(a measure merged is the measure of all the rows: tests/test_table_write.py).
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Sequence

from engine.evaluate import RunOutcome, parallel
from engine.provenance import Stamp
from engine.report.model import stamped
from engine.report.results import TEXT_ROWS, row_plan, text_head, text_numeric, text_tail
from engine.report.safety import terminal_text
from engine.report.table import Found, Shape, measure, merged, write_lines


class TextParts:
    """One split run's text table (``outcome``: any outcome of the policy, for its columns;
    ``width``: the terminal's, None: not fitted)."""

    def __init__(self, outcome: RunOutcome, width: int | None, stamps: Sequence[Stamp] = ()) -> None:
        plan = row_plan(outcome)
        self.headers = [terminal_text(h) for h in plan.headers()]
        self.numeric = text_numeric(plan)
        self.width = width
        self.stamps = stamps
        self.shape: Shape | None = None

    def renderer(self) -> parallel.SplitRenderer:
        """:data:`TEXT_ROWS` with this table's summary and rewrite."""
        return dataclasses.replace(TEXT_ROWS, summary=self.summary, rewrite=self.rewrite)

    def summary(self, path: str) -> Found:
        """In a worker: the places and widths of the rows spooled to ``path``."""
        with open(path, encoding="utf-8", newline="") as rows:
            return measure(self.headers, self.numeric, csv.reader(rows)).found()

    def rewrite(self, found: list[Found]) -> Callable[[str, str], None]:
        """In the parent: the table's shape from every part's measure, and what writes one
        part's lines in it (in a worker forked after this)."""
        self.shape = merged(self.headers, self.numeric, found).shape().fitted(self.numeric, self.width)
        return self._lines

    def _lines(self, source: str, target: str) -> None:
        assert self.shape is not None
        with open(source, encoding="utf-8", newline="") as rows, open(
            target, "w", encoding="utf-8", newline=""
        ) as out:
            write_lines(csv.reader(rows), self.shape, self.numeric, out.write)

    def frame(self, outcome: RunOutcome) -> tuple[str, str]:
        """The report before the lines (stamps, counts, the table's head) and after them."""
        assert self.shape is not None
        plan = row_plan(outcome)
        head = stamped("text", self.stamps, "") if self.stamps else ""
        head += text_head(outcome, outcome.streamed, plan.labels)
        head += self.shape.head(self.headers, self.numeric)
        return head, text_tail(outcome, plan.labels)
