"""Consultant reports as an Excel workbook (openpyxl, write-only: a row at a time): a sheet of
the policies and summary, one sheet per table and per transition matrix, and the grade
distributions as a table; the cells and bytes of a workbook built whole."""

from __future__ import annotations

import contextlib
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from engine.report.model import Report, Table, stamp_lines

_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    base = " ".join(_BAD.sub(" ", title).split())[:28].strip() or "sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:25]} {n}", n + 1
    taken.add(name.lower())
    return name


def _value(text: str, numeric: bool) -> object:
    """A numeric cell as an exact number (Excel holds floats: a Decimal's text keeps the figure)."""
    if numeric and text:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        return int(number) if number == number.to_integral_value() and "." not in text else float(number)
    return text


def _bold(sheet: Any, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    cell.font = Font(bold=True)
    return cell


def _cells(sheet: Any, row: Sequence[str], aligned: Sequence[bool]) -> list[object]:
    """A table row's cells: numbers as numbers, a many-line text wrapped at the top."""
    out: list[object] = []
    for i, text in enumerate(row):
        value = _value(text, aligned[i])
        if isinstance(value, str) and "\n" in value:
            cell = WriteOnlyCell(sheet, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            value = cell
        out.append(value)
    return out


def _sized(sheet: Any, rows: int, columns: int) -> None:
    """Give a write-only sheet the ``<dimension>`` a whole sheet has (its top is written with
    the first row, before the rest is known: so it is counted first), and leave out the empty
    rows a whole sheet leaves out (openpyxl writes them in write-only mode)."""
    sheet.calculate_dimension = lambda: f"A1:{get_column_letter(max(columns, 1))}{rows}"
    sheet._get_writer()  # (the writer made now, to skip empty rows)
    writer = sheet._writer
    write_row = writer.write_row

    def skip_empty(xf: Any, row: Iterator[Any], index: int) -> None:
        first = next(row, None)
        if first is not None:
            write_row(xf, itertools.chain([first], row), index)

    writer.write_row = skip_empty


def _write(book: Workbook, table: Table, taken: set[str]) -> None:
    sheet = book.create_sheet(_sheet_name(table.title, taken))
    widest = max([len(table.headers), 1, *(len(row) for row in table.rows)])
    _sized(sheet, 2 + len(table.rows), widest)
    sheet.append([_bold(sheet, table.title)])
    sheet.append([_bold(sheet, h) for h in table.headers])
    aligned = table.aligned()
    for row in table.rows:
        sheet.append(_cells(sheet, row, aligned))


def write_workbook(report: Report, out: IO[bytes]) -> None:
    """The workbook to ``out``, a row at a time (openpyxl's write-only mode: a table of a
    million rows is never held): the summary sheet, then a sheet per table and matrix."""
    book = Workbook(write_only=True)
    try:
        _fill(book, report)
    except BaseException:
        for sheet in book.worksheets:  # each sheet's row writer closed now, while its file is open
            rows = getattr(sheet, "_rows", None)
            if rows is not None:
                with contextlib.suppress(Exception):
                    rows.close()
        raise
    book.save(out)


def _fill(book: Workbook, report: Report) -> None:
    first = book.create_sheet("summary")
    taken = {"summary"}
    lines = [*stamp_lines(report.stamps), *report.summary]
    bars = [(chart.title, grade, count) for chart in report.charts for grade, count in chart.bars]
    rows = 1 + len(lines) + (2 + len(bars) if report.charts else 0)
    _sized(first, rows, 3 if report.charts else 1)
    first.append([_bold(first, report.title)])
    for line in lines:
        first.append([line])
    if report.charts:
        first.append([])
        first.append(["scheme", "grade", "people"])
        for bar in bars:
            first.append(list(bar))
    for table in [*report.tables, *(m.table() for m in report.matrices)]:
        _write(book, table, taken)


def render_workbook(report: Report) -> bytes:
    """The workbook's bytes (write them with the atomic writer)."""
    buffer = io.BytesIO()
    write_workbook(report, buffer)
    return buffer.getvalue()
