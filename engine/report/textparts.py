"""The text table of a run shared between processes, aligned by the workers themselves.

A text table is aligned over every row: its widths and the places of its numbers depend on
them all. Each worker spools its rows (CSV lines, :data:`engine.report.results.TEXT_ROWS`) and
measures them (:meth:`TextParts.summary`); the parent merges the measures into the table's
shape (:meth:`TextParts.rewrite`), and forked workers write each part's lines in that shape
(unless every part's own shape is the table's: then the lines each worker wrote with its
measure are the table's already);
the parent writes the report's head, the parts' lines and its tail (:meth:`TextParts.frame`).
The bytes are those of :func:`engine.report.results.write_text` over all the rows in one pass
(a measure merged is the measure of all the rows: tests/test_table_write.py). A part is measured
and its lines set a whole column at a time (:mod:`engine.report.textblock`), or a row at a time
when Arrow's reader might read the spool otherwise than the ``csv`` module.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Iterator, Sequence

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
        # Arrow's (imported with the table, once, before the workers fork) sets whole columns.
        from engine.report import textblock

        self.block = textblock

    def renderer(self) -> parallel.SplitRenderer:
        """:data:`TEXT_ROWS` with this table's summary and rewrite."""
        return dataclasses.replace(TEXT_ROWS, summary=self.summary, rewrite=self.rewrite)

    def summary(self, path: str) -> tuple[Found, Shape]:
        """In a worker: the places and widths of the rows spooled to ``path``, and the shape
        they give; the part's lines in that shape go to ``<path>.final`` (the table's own
        lines when every part gives the same shape: no second pass)."""
        with open(path, "rb") as spool:
            found = self.block.measure_spool(spool, self.headers, self.numeric)  # (None: not plain)
        if found is None:
            with open(path, encoding="utf-8", newline="") as rows:
                found = measure(self.headers, self.numeric, csv.reader(rows))
        shape = found.shape()
        self._write(path, f"{path}.final", shape.fitted(self.numeric, self.width))
        return found.found(), shape

    def rewrite(self, summaries: list[tuple[Found, Shape]]) -> Callable[[str, str], None] | None:
        """In the parent: the table's shape from every part's measure; None when each part's
        own shape is that one (their lines are written), else what writes one part's lines
        in it (in a worker forked after this)."""
        whole = merged(self.headers, self.numeric, [found for found, _ in summaries]).shape()
        self.shape = whole.fitted(self.numeric, self.width)
        if all(shape == whole for _, shape in summaries):
            return None
        return self._lines

    def _lines(self, source: str, target: str) -> None:
        assert self.shape is not None
        self._write(source, target, self.shape)

    def _write(self, source: str, target: str, shape: Shape) -> None:
        """The lines of the rows spooled to ``source``, to ``target``: by columns, or (a spool
        the csv module reads otherwise) by rows."""
        with open(source, "rb") as spool, open(target, "wb") as out:
            if self.block.write_spool(spool, shape, self.numeric, out.write):
                return
        with (
            open(source, encoding="utf-8", newline="") as rows,
            open(target, "w", encoding="utf-8", newline="") as out,
        ):
            write_lines(csv.reader(rows), shape, self.numeric, out.write)

    def frame(self, outcome: RunOutcome) -> tuple[list[str], Iterator[str]]:
        """The report before the lines (stamps, counts, the table's head) and after them (a
        piece at a time: the problems)."""
        assert self.shape is not None
        plan = row_plan(outcome)
        head = stamped("text", self.stamps, "") if self.stamps else ""
        head += text_head(outcome, outcome.streamed, plan.labels)
        head += self.shape.head(self.headers, self.numeric)
        return [head], text_tail(outcome, plan.labels)
