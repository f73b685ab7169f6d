"""Result renderers in a registry: ``text`` (aligned table), ``json`` (with traces), ``csv``,
``html`` and ``xlsx``; and the formats worker processes render in parts.

The rows live in :mod:`engine.report.rows`, the JSON report in :mod:`engine.report.jsonreport`,
``explain``'s renderers in :mod:`engine.report.explain`; their public names are kept here too.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from engine.errors import Problem
from engine.evaluate import EmployeeResult, RunOutcome
from engine.evaluate.parallel import FlatPiece, SplitRenderer
from engine.io.records import EmployeeRecord
from engine.report.jsonreport import (
    JSON_SPLIT,
    json_relative,
    json_relatives,
    json_result,
    json_result_parts,
    relative_dict,
    render_json,
    render_json_parts,
    render_relative,
    result_dict,
)
from engine.report.labels import Labels, policy_language
from engine.report.options import ReportOptions
from engine.report.rows import (
    FlatPlan,
    RowPlan,
    csv_rows,
    flat_plan,
    flat_row,
    plain_rows,
    relative_cell,
    report_columns,
    result_row,
    row_plan,
)
from engine.report.safety import csv_writer

# The page, the workbook, the aligned text table and explain's renderers are imported where they
# are used (with HTML, openpyxl's helpers and wcwidth behind them: 30 ms that a CSV or JSON run
# would wait for); explain's names are still taken from here (:func:`__getattr__`).
if TYPE_CHECKING:
    from engine.report.explain import (
        EXPLAIN_RENDERERS,
        render_explain,
        render_explained,
        render_explained_json,
    )
    from engine.report.xlsx import Sheet

_EXPLAINED = ("EXPLAIN_RENDERERS", "render_explain", "render_explained", "render_explained_json")


def __getattr__(name: str) -> Any:
    """Explain's renderers, imported on first use."""
    if name in _EXPLAINED:
        from engine.report import explain

        return getattr(explain, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [  # (the names other modules and the tests take from here)
    "EXPLAIN_RENDERERS",
    "RENDERERS",
    "SPLIT_RENDERERS",
    "TEXT_ROWS",
    "FlatPlan",
    "RowPlan",
    "csv_rows",
    "flat_plan",
    "flat_row",
    "format_problem",
    "json_relative",
    "json_relatives",
    "json_result",
    "json_result_parts",
    "plain_rows",
    "relative_cell",
    "relative_dict",
    "render_explain",
    "render_explained",
    "render_explained_json",
    "render_json",
    "render_json_parts",
    "render_relative",
    "report_columns",
    "result_dict",
    "result_row",
    "row_plan",
    "text_head",
    "text_numeric",
    "text_tail",
    "write_text",
]


def format_problem(p: Problem, severity: str = "error", labels: Labels | None = None) -> str:
    """``origin: employee [indicator N]: severity [rule] message``; with ``labels`` in a language,
    the field a message starts with is named by its label too."""
    where = f"{p.employee_id}" if p.employee_id else "file"
    if p.indicator is not None:
        where += f" indicator {p.indicator}"
    message = labels.message(p.message) if labels is not None else p.message
    return f"{p.origin}: {where}: {severity} [{p.rule}] {message}"


def render_text(outcome: RunOutcome, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    plan = row_plan(outcome, Labels(outcome.policy.data, options.lang), brief=True)
    rows = [result_row(r, plan, outcome) for r in outcome.results]
    parts: list[str] = []
    write_text(outcome, len(rows), plan, lambda: rows, options.width, parts.append)
    return "".join(parts)


def write_text(
    outcome: RunOutcome,
    evaluated: int,
    plan: RowPlan,
    rows: Callable[[], Iterable[Sequence[str]]],
    width: int | None,
    write: Callable[[str], object],
) -> None:
    """:func:`render_text` given to ``write`` a piece at a time, from ``evaluated`` rows that
    ``rows()`` gives again each time it is called (:func:`~engine.report.table.write_table`):
    a streamed run writes its table from the rows it spooled."""
    write(text_head(outcome, evaluated, plan.labels))
    from engine.report.table import write_table

    write_table(plan.headers(), rows, text_numeric(plan), width, write)
    for piece in text_tail(outcome, plan.labels):
        write(piece)


def text_numeric(plan: RowPlan) -> list[bool]:
    """Which columns of the text table are numbers (right-aligned, padded to one number of places)."""
    return [False, False] + [c.kind == "number" for c in plan.columns]


def text_head(outcome: RunOutcome, evaluated: int, labels: Labels) -> str:
    """The text report's first line (how many were evaluated, how many have problems) and a blank one."""
    if labels.lang is None:
        text = f"policy {outcome.policy.id}: {evaluated} evaluated"
        return text + f", {len(outcome.failed_employees)} with problems\n\n"
    text = f"{labels.policy_name()}: {labels.word('evaluated')} {evaluated}"
    return text + f", {labels.word('with_problems')} {len(outcome.failed_employees)}\n\n"


#: Problem lines written between two writes.
_CHUNK = 512


def text_tail(outcome: RunOutcome, labels: Labels) -> Iterator[str]:
    """What follows the text report's table, a piece at a time: the problems (a spool of a
    million, never held whole) and the warnings."""
    if outcome.problems:
        yield "\nproblems:\n"
        lines = (f"  {format_problem(p, 'error', labels)}\n" for p in outcome.problems)
        while block := list(itertools.islice(lines, _CHUNK)):
            yield "".join(block)
    if outcome.warnings:
        yield "\nwarnings:\n" + "".join(
            f"  {format_problem(p, 'warning', labels)}\n" for p in outcome.warnings
        )


def render_csv(outcome: RunOutcome, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    plan = row_plan(outcome, Labels(outcome.policy.data, options.lang))
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(plan.headers())
    writer.writerows(result_row(r, plan, outcome) for r in outcome.results)
    return buffer.getvalue()


def human_labels(outcome: RunOutcome, options: ReportOptions) -> Labels:
    """Labels for the reports people open (HTML, xlsx): the language asked for, else the policy's."""
    data = outcome.policy.data
    return Labels(data, options.lang or policy_language(data))


def render_page(outcome: RunOutcome, options: ReportOptions | None = None) -> str:
    """The result table with a summary, the grade distribution and the problems, as one page
    (in the policy's language unless another is asked for)."""
    options = options or ReportOptions()
    plan = row_plan(outcome, human_labels(outcome, options))
    rows = [result_row(r, plan, outcome) for r in outcome.results]
    from engine.report.html import render_html

    return render_html(outcome, plan, rows, options)


def problem_rows(outcome: RunOutcome, labels: Labels | None = None) -> list[list[str]]:
    """Problems, then warnings and notes, as rows: severity, employee, indicator, rule, message, where."""
    return list(each_problem_row(outcome, labels))


def each_problem_row(outcome: RunOutcome, labels: Labels | None = None) -> Iterator[list[str]]:
    """:func:`problem_rows` one at a time (a spool of a million problems is never held whole)."""
    word = (labels or Labels({})).word
    found = itertools.chain(
        ((word("error"), p) for p in outcome.problems), ((word("warning"), p) for p in outcome.warnings)
    )
    for severity, p in found:
        yield [
            severity,
            p.employee_id or "",
            "" if p.indicator is None else str(p.indicator),
            p.rule,
            p.message,
            p.origin,
        ]


def render_xlsx(outcome: RunOutcome, options: ReportOptions | None = None) -> bytes:
    """The result table, the problems and the policy's stamp as three sheets of a workbook (in the
    policy's language unless another is asked for)."""
    options = options or ReportOptions()
    plan = row_plan(outcome, human_labels(outcome, options))
    rows = [result_row(r, plan, outcome) for r in outcome.results]
    from engine.report.xlsx import workbook_bytes

    return workbook_bytes(xlsx_sheets(outcome, plan, rows, problem_rows(outcome, plan.labels)))


def xlsx_sheets(
    outcome: RunOutcome, plan: RowPlan, rows: Iterable[Sequence[str]], problems: Iterable[Sequence[str]]
) -> list[Sheet]:
    """:func:`render_xlsx`'s sheets: the result ``rows`` (made by ``plan``), the ``problems``
    (:func:`problem_rows`) and the policy's stamp."""
    from engine.report.xlsx import Sheet, problems_sheet, stamp_sheet
    labels = plan.labels
    places: list[int | None] = [None, None]
    places += [c.places if c.kind == "number" else None for c in plan.columns]
    words = ["severity", "id", "indicator", "rule", "message", "where"]
    headers = [labels.word(w) if w != "id" and w != "indicator" else labels.field(w) for w in words]
    return [
        Sheet(labels.word("results"), plan.headers(), rows, places),
        problems_sheet(labels.word("problems"), headers, problems),
        stamp_sheet([outcome.policy.stamp], labels.word),
    ]


#: ``(outcome, options or None) -> report`` (bytes for xlsx).
Renderer = Callable[..., "str | bytes"]


RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
    "xlsx": render_xlsx,
}


def _csv_flat(outcome: RunOutcome) -> FlatPiece | None:
    plan = flat_plan(outcome)
    if plan is None:
        return None
    return lambda employee, name, values, grades: flat_row(employee, name, values, grades, plan)


def _text_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    rows = [row for text in texts for row in csv.reader(io.StringIO(text))]
    parts: list[str] = []
    write_text(outcome, evaluated, row_plan(outcome, brief=True), lambda: rows, None, parts.append)
    return "".join(parts)


def _csv_block(outcome: RunOutcome) -> Any:
    from engine.report.csvblock import block_lines  # numpy and Arrow: for the columnar plan only

    return block_lines(outcome)


def _csv_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    return render_csv(outcome) + "".join(texts)  # no results in the outcome: the header line only


def _csv_piece(result: EmployeeResult, outcome: RunOutcome, record: EmployeeRecord) -> list[str]:
    return result_row(result, row_plan(outcome), outcome, record)


#: Formats that worker processes render in parts (:mod:`engine.evaluate.parallel`), each
#: byte for byte what :data:`RENDERERS` writes (with ids: a run in a language is one process);
#: a format left out is rendered by one process.
SPLIT_RENDERERS: dict[str, SplitRenderer] = {
    "csv": SplitRenderer(piece=_csv_piece, join=csv_rows, merge=_csv_merge, flat=_csv_flat, block=_csv_block),
    "json": JSON_SPLIT,
}


#: The text table's rows (ids, no language), rendered in parts as CSV's are, spooled as
#: :func:`plain_rows` for :func:`write_text` to align (:mod:`engine.report.stream`); its merge
#: writes the table without a terminal's width. The columnar plan's block lines are CSV's own:
#: only lines that need no quoting and no guard are written that way, and those read back as
#: their cells.
TEXT_ROWS = SplitRenderer(
    piece=_csv_piece, join=plain_rows, merge=_text_merge, flat=_csv_flat, block=_csv_block
)
