"""Consultant reports as an Excel workbook (openpyxl): a sheet of the policies and summary, one
sheet per table and per transition matrix, and the grade distributions as a table."""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

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


def _write(book: Workbook, table: Table, taken: set[str]) -> None:
    sheet = book.create_sheet(_sheet_name(table.title, taken))
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(table.headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    aligned = table.aligned()
    for row in table.rows:
        sheet.append([_value(c, aligned[i]) for i, c in enumerate(row)])
    for column in sheet.iter_cols(min_row=3):
        for cell in column:
            if isinstance(cell.value, str) and "\n" in cell.value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def render_workbook(report: Report) -> bytes:
    """The workbook's bytes (write them with the atomic writer)."""
    book = Workbook()
    first = book.active
    first.title = "summary"
    taken = {"summary"}
    first.append([report.title])
    first["A1"].font = Font(bold=True)
    for line in stamp_lines(report.stamps):
        first.append([line])
    for line in report.summary:
        first.append([line])
    if report.charts:
        first.append([])
        first.append(["scheme", "grade", "people"])
        for chart in report.charts:
            for grade, count in chart.bars:
                first.append([chart.title, grade, count])
    for table in [*report.tables, *(m.table() for m in report.matrices)]:
        _write(book, table, taken)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
