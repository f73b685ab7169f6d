"""``evaluate``'s page (HTML) and workbook (xlsx) written a piece at a time: bounded memory, the
same page, the same cells.

The rows are rendered as the employees are read, in the page's language (the policy's unless
another is asked for: :func:`page_rows`), and spooled as CSV lines to a temp file
(:func:`engine.report.stream.spool_pieces`: a big CSV or JSON file shared between processes, as
the CSV report shares it). Under a policy with distributions the spool holds the CSV report's
rows instead, made in its two passes (:func:`engine.report.relative_stream.spill_relative`, every
cell as computed), and their grades are named in the page's language as they are read back. The
spool is then read twice: once for what comes before the table (the summary's grade charts: a
count per grade; a workbook's column widths and rows counted), once to write the table. The page
goes through Jinja2's ``generate`` (:func:`engine.report.html.generate_html`), the workbook
through openpyxl's write-only mode (:func:`engine.report.xlsx.write_workbook`). Memory holds a
row, the problems' spool and a count per grade (and under distributions a compact row per
person), whatever the number of employees.

What cannot be streamed is read whole, with the very same output (:func:`write_page`,
:func:`write_book` fall back by themselves): a CSV file in another encoding, an Excel sheet
chosen, a file the stream gives up on (:class:`~engine.io.model.ReadWhole`), a distribution
named like a formula (its column is shared).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any

from engine.evaluate import EmployeeResult, RunOutcome
from engine.evaluate.parallel import FlatPiece, SplitRenderer
from engine.evaluate.run import Engine
from engine.io.model import Population
from engine.io.records import EmployeeRecord
from engine.io.streaming import ReadWhole, can_stream
from engine.provenance import Stamp
from engine.report import formats
from engine.report.columns import NO_BAND
from engine.report.html import generate_html, grade_columns, write_stamped_page
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.phrases import ungraded
from engine.report.relative_stream import relative_streamable, spill_relative
from engine.report.results import (
    RowPlan,
    each_problem_row,
    flat_plan,
    flat_row,
    human_labels,
    plain_rows,
    render_page,
    render_xlsx,
    result_row,
    row_plan,
    xlsx_sheets,
)
from engine.report.rows import not_graded_cell
from engine.report.safety import raw_cells
from engine.report.stream import Progress, spool_pieces
from engine.report.xlsx import Sheet, StreamedSheet, write_workbook

#: The formats written here (named in :mod:`engine.report.formats`, which the command imports).
PAGES = formats.PAGES


def page_streamable(engine: Engine, data_path: str) -> bool:
    """Whether :func:`write_page` and :func:`write_book` can read ``data_path`` an employee at a
    time (under a policy with distributions: as the CSV report reads it, in two passes)."""
    if engine.source.data.get("distributions"):
        return relative_streamable(engine, data_path, "csv")
    return can_stream(data_path)


def page_rows(labels: Labels) -> SplitRenderer:
    """The rows of the page and the workbook (:func:`~engine.report.results.result_row` in
    ``labels``), rendered in parts and spooled as :func:`~engine.report.rows.plain_rows` (CSV
    lines that read back as they were); a sheet known clean goes the flat way, its grades named
    as ``result_row`` names them."""
    plans: dict[int, RowPlan] = {}

    def plan_of(outcome: RunOutcome) -> RowPlan:
        plan = plans.get(id(outcome))
        if plan is None:
            plans.clear()  # (one outcome a run; a worker's own)
            plan = plans[id(outcome)] = row_plan(outcome, labels)
        return plan

    def piece(result: EmployeeResult, outcome: RunOutcome, record: EmployeeRecord) -> list[str]:
        return result_row(result, plan_of(outcome), outcome, record)

    return SplitRenderer(piece=piece, join=plain_rows, merge=_no_merge, flat=lambda o: _flat(o, labels))


def _no_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    raise AssertionError("the page's rows are spooled, never merged as a report")


def _flat(outcome: RunOutcome, labels: Labels) -> FlatPiece | None:
    """:func:`~engine.report.rows.flat_row` with each grade by its label (or why there is none),
    as :func:`~engine.report.rows.result_row` gives it in ``labels``."""
    plan = flat_plan(outcome)
    if plan is None:
        return None
    tables = [t.name for t in outcome.policy.grade_tables]
    graded = [(2 + i, tables[index]) for i, (kind, index, _) in enumerate(plan) if kind == 1]
    no_band = labels.reason(NO_BAND)
    name_of = labels.grade

    def piece(employee: str, name: Any, values: Any, grades: Any) -> list[str]:
        row = flat_row(employee, name, values, grades, plan)
        for at, table in graded:
            code = grades[tables.index(table)][0]
            row[at] = no_band if code is None else name_of(table, str(code))
        return row

    return piece


def write_page(
    engine: Engine,
    data_path: str,
    out: IO[str],
    options: ReportOptions,
    *,
    parameters: Mapping[str, Any] | None = None,
    workers: int | None = None,
    min_bytes: int | None = None,
    progress: Progress | None = None,
    stamps: Sequence[Stamp] = (),
) -> RunOutcome:
    """``evaluate``'s HTML page of ``data_path`` written to ``out``, stamped: the bytes of
    :func:`~engine.report.results.render_page` over a whole-file run (``workers``, ``min_bytes``
    and ``progress`` as in :func:`~engine.report.stream.write_report`)."""
    with _spool() as spool:
        streamed = spooled_rows(engine, data_path, options, spool, parameters, workers, min_bytes, progress)
        if streamed is not None:
            outcome, plan, rows = streamed
            tallies = _tallies(grade_columns(plan), rows)
            pieces = generate_html(outcome, plan, outcome.streamed, tallies, rows(), options)
            write_stamped_page(pieces, stamps, out.write)
            return outcome
    outcome = engine.evaluate(engine.read(data_path, parameters))
    write_stamped_page([str(render_page(outcome, options))], stamps, out.write)
    return outcome


def write_book(
    engine: Engine,
    data_path: str,
    out: IO[bytes],
    options: ReportOptions,
    *,
    parameters: Mapping[str, Any] | None = None,
    workers: int | None = None,
    min_bytes: int | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """``evaluate``'s workbook of ``data_path`` written to ``out`` a row at a time: the cells of
    :func:`~engine.report.results.render_xlsx` over a whole-file run."""
    with _spool() as spool:
        streamed = spooled_rows(engine, data_path, options, spool, parameters, workers, min_bytes, progress)
        if streamed is not None:
            outcome, plan, rows = streamed
            sheets = xlsx_sheets(outcome, plan, _Rows(rows), _ProblemRows(outcome, plan.labels))
            write_workbook([_streamed_sheet(sheet) for sheet in sheets], out)
            return outcome
    outcome = engine.evaluate(engine.read(data_path, parameters))
    out.write(render_xlsx(outcome, options))
    return outcome


def spooled_rows(
    engine: Engine,
    data_path: str,
    options: ReportOptions,
    spool: IO[str],
    parameters: Mapping[str, Any] | None,
    workers: int | None,
    min_bytes: int | None,
    progress: Progress | None,
    brief: bool = False,
) -> tuple[RunOutcome, RowPlan, Callable[[], Iterator[list[str]]]] | None:
    """The result rows of ``data_path`` in the page's language (``options.lang``, else the
    policy's), spooled to ``spool``: the outcome, the plan they were made by, and the rows as
    read back from the spool, from the start each time they are called (their grades named as
    they are read under a policy with distributions, whose rows are spooled in ids); None: the
    file is to be read whole. ``brief``: the text table's rows (:class:`RowPlan`)."""
    if not page_streamable(engine, data_path):
        return None
    labels = human_labels(RunOutcome(engine.policy, Population([], {}, {}, {}, None, [], data_path)), options)
    if engine.source.data.get("distributions"):
        outcome = _relative_rows(engine, data_path, spool, parameters, workers, min_bytes, progress)
        if outcome is None:
            return None
        plan = row_plan(outcome, labels, brief)
        return outcome, plan, _named(_reread(spool), plan)
    outcome = spool_pieces(
        engine, data_path, page_rows(labels), spool, parameters=parameters, workers=workers,
        min_bytes=min_bytes, progress=progress,
    )  # fmt: skip
    if outcome is None:
        return None
    return outcome, row_plan(outcome, labels), _reread(spool)


def _relative_rows(
    engine: Engine,
    data_path: str,
    spool: IO[str],
    parameters: Mapping[str, Any] | None,
    workers: int | None,
    min_bytes: int | None,
    progress: Progress | None,
) -> RunOutcome | None:
    """Under a policy with distributions: the CSV report's rows (in ids, every cell as computed:
    no spreadsheet guard) spooled by its two passes (:func:`~engine.report.relative_stream.spill_relative`),
    or None (read whole)."""
    try:
        with raw_cells():
            return spill_relative(
                engine, data_path, "csv", spool, parameters=parameters, workers=workers,
                min_bytes=min_bytes, progress=progress,
            )  # fmt: skip
    except ReadWhole:
        return None


def _named(rows: Callable[[], Iterator[list[str]]], plan: RowPlan) -> Callable[[], Iterator[list[str]]]:
    """Rows in ids with each grade named as :func:`~engine.report.results.result_row` names it in
    the plan's language: a grade by its level's label, a reason why none (every one starts
    ``not graded``) in the language."""
    graded = [(i, plan.columns[i - 2].key) for i in grade_columns(plan)]
    labels = plan.labels

    def named() -> Iterator[list[str]]:
        for row in rows():
            for at, key in graded:
                cell = row[at]
                row[at] = not_graded_cell(plan, key, cell) if ungraded(cell) else labels.grade(key, cell)
            yield row

    return named


def _tallies(columns: Sequence[int], rows: Callable[[], Iterator[list[str]]]) -> list[dict[str, int]]:
    """Each of ``columns``' :func:`~engine.report.html.tally`, in one pass over the rows."""
    counts: list[dict[str, int]] = [{} for _ in columns]
    if not columns:
        return counts
    for row in rows():
        for at, tallied in zip(columns, counts, strict=True):
            cell = row[at]
            tallied[cell] = tallied.get(cell, 0) + 1
    return counts


def _reread(spool: IO[str]) -> Callable[[], Iterator[list[str]]]:
    def rows() -> Iterator[list[str]]:
        spool.seek(0)
        return csv.reader(spool)

    return rows


class _Rows:
    """Rows read again from the start each time they are iterated (a sheet's two passes)."""

    def __init__(self, rows: Callable[[], Iterator[Sequence[Any]]]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return self.rows()


class _ProblemRows(_Rows):
    """The problem sheet's rows (:func:`~engine.report.results.each_problem_row`), made again
    from the outcome's problems (a spool) each time they are iterated."""

    def __init__(self, outcome: RunOutcome, labels: Labels) -> None:
        super().__init__(lambda: each_problem_row(outcome, labels))


def _streamed_sheet(sheet: Sheet) -> StreamedSheet:
    return StreamedSheet(sheet.title, sheet.headers, sheet.rows, sheet.places)


def _spool() -> IO[str]:
    return tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
