"""The one xlsx writer: every command's tables as sheets of one workbook (openpyxl).

Each sheet has its header row in bold, frozen, with filters over the table; numbers are number
cells with the places their column shows (``0.00``), text that would start a formula is
neutralised (:func:`engine.report.safety.spreadsheet_cell`, the rule CSV reports follow),
columns are as wide as their text (East Asian characters count two).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any, TypeVar

from engine.errors import Diagnostic
from engine.provenance import Stamp
from engine.report.labels import WORDS, Labels
from engine.report.options import ReportOptions
from engine.report.safety import spreadsheet_cell
from engine.report.table import _places, display_width, padded  # the one rule of places

R = TypeVar("R")

_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One table: ``places`` per column (None: text; a number: a number cell with those places);
    ``rows`` are read once (:func:`workbook_bytes`; twice, from the start each time, when the
    sheet is written a row at a time: :class:`StreamedSheet`)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    places: Sequence[int | None]


def _text_cell(text: str) -> str:
    """Text as a sheet holds it: without the control characters a workbook cannot hold (an
    escape in a name: openpyxl refuses the cell, a sheet's XML has no way to write it), then
    formula-looking text neutralised whatever ``--raw-cells`` says (openpyxl would store
    ``=...`` as a formula, not as text)."""
    return str(spreadsheet_cell(_NOT_IN_A_SHEET.sub("", text)))


#: The characters an xlsx cell cannot hold (XML 1.0's C0 controls; tab, newline and carriage
#: return are kept): openpyxl's ``ILLEGAL_CHARACTERS_RE``.
_NOT_IN_A_SHEET = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def number_format(places: int) -> str:
    return "0" if places <= 0 else "0." + "0" * places


def _title(text: str, used: set[str]) -> str:
    base = _BAD_TITLE.sub("_", text)[:31] or "sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _number(text: Any) -> Decimal | None:
    if isinstance(text, Decimal | int) and not isinstance(text, bool):
        return Decimal(text)
    if not isinstance(text, str) or not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for spec in sheets:
        _fill(book.create_sheet(_title(spec.title, used)), spec, bold)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Any, spec: Sheet, bold: Any) -> None:
    """Write ``spec`` into the openpyxl worksheet: the bold header row, the rows, the column
    widths, the frozen header and the filter over the table."""
    from openpyxl.utils import get_column_letter

    sheet.append([_text_cell(str(h)) for h in spec.headers])
    for cell in sheet[1]:
        cell.font = bold
    widths = [display_width(str(h)) for h in spec.headers]
    for number, row in enumerate(spec.rows, start=2):  # (the header is row 1)
        _append_row(sheet, row, spec.places, widths, number)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if spec.headers:
        last = get_column_letter(len(spec.headers))
        sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"


def _append_row(
    sheet: Any, row: Sequence[Any], places: Sequence[int | None], widths: list[int], number: int
) -> None:
    """Append one row, the sheet's row ``number`` (numbers as number cells with their column's
    places, never a formula), widening ``widths`` to its text. The row's cells are found by their
    number: ``sheet.max_row`` and ``sheet[row]`` look at every cell of the sheet, which made a
    workbook's writing quadratic (10,000 rows: 33.7 s)."""
    out = [_cell_value(value, places[i] if i < len(places) else None) for i, value in enumerate(row)]
    for index, value in enumerate(row[: len(widths)]):
        widths[index] = max(widths[index], display_width("" if value is None else str(value)))
    sheet.append(out)
    for column in range(1, len(out) + 1):
        cell = sheet.cell(row=number, column=column)
        if cell.data_type == "f":  # nothing written is ever a formula
            cell.data_type = "s"
    for index, shown in enumerate(places):
        if shown is not None and isinstance(out[index] if index < len(out) else None, Decimal):
            sheet.cell(row=number, column=index + 1).number_format = number_format(shown)


def _cell_value(value: Any, places: int | None) -> Any:
    """What a cell holds: a Decimal in a number column (``places`` given) when ``value`` is a
    number, None when empty, else the value as neutralised text."""
    number = _number(value) if places is not None else None
    if number is not None:
        return number
    return None if value is None or value == "" else _text_cell(str(value))


def csv_sheet(title: str, text: str) -> Sheet:
    """A sheet from a CSV report: columns whose every filled cell is a number become numbers,
    shown with the most places any of their cells has (so a column is consistent)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return Sheet(title, [], [], [])
    headers, body = rows[0], rows[1:]
    places: list[int | None] = []
    for index in range(len(headers)):
        cells = [row[index] for row in body if index < len(row) and row[index] != ""]
        numbers = [_number(c) for c in cells]
        if not cells or any(n is None for n in numbers):
            places.append(None)
            continue
        exponents = [n.as_tuple().exponent for n in numbers if n is not None]
        places.append(max([0, *(-e for e in exponents if isinstance(e, int))]))
    return Sheet(title, headers, body, places)


def problems_sheet(title: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Sheet:
    """The problems (and notes) of a run as a sheet of text."""
    return Sheet(title, headers, rows, [None] * len(headers))


def relabel_csv(text: str, labels: Labels | None) -> str:
    """A CSV report with its header cells named by the policy's labels (ids without a language)
    and one number of places per number column (:func:`~engine.report.table.pad_places`)."""
    if not text:
        return text
    buffer = io.StringIO()
    relabel_rows(lambda: csv.reader(io.StringIO(text)), labels, buffer)
    return buffer.getvalue()


def relabel_rows(rows: Callable[[], Iterable[list[str]]], labels: Labels | None, out: Any) -> None:
    """:func:`relabel_csv` over rows read twice (``rows()`` gives them from the header on each
    time: a spool file read back), written to ``out`` (anything with ``write``): one pass finds
    the number columns and their places, the next writes. Memory holds a row, not the table."""
    most = _number_places(rows())
    reading = iter(rows())
    header = next(reading, None)
    if header is None:
        return
    if labels is not None and labels.lang is not None:
        header = [labels.header(h) for h in header]
    writer = csv.writer(out, lineterminator="\n")  # the cells are the report's, already safe
    writer.writerow(header)
    if not most:
        writer.writerows(reading)
        return
    writer.writerows(padded(row, most) for row in reading)


def _number_places(rows: Iterable[list[str]]) -> dict[int, int]:
    """The most places of each number column of a CSV table (header first; a number column:
    some cell filled, every filled cell a number) that has a number's text, by column index."""
    reading = iter(rows)
    header = next(reading, None)
    if header is None:
        return {}
    width = len(header)
    filled, number, places = [False] * width, [True] * width, [-1] * width
    for row in reading:
        for index, cell in enumerate(row[:width]):
            if cell == "" or not number[index]:
                continue
            filled[index] = True
            if _number(cell) is None:
                number[index] = False
                continue
            shown = _places(cell)
            if shown is not None and shown > places[index]:
                places[index] = shown
    return {i: places[i] for i in range(width) if filled[i] and number[i] and places[i] >= 0}


PROBLEM_WORDS = ("severity", "subject", "rule", "message", "where")


def stamp_sheet(stamps: Sequence[Stamp], word: Callable[[str], str]) -> Sheet:
    """The last sheet of every workbook: the policies behind it (id, version, content hash), so
    that a workbook handed on can be traced to the exact rulebook that produced it."""
    rows = [[s.id, s.version, s.sha256] for s in stamps]
    return Sheet(word("policy"), ["id", word("version"), "sha256"], rows, [None, None, None])


def xlsx_renderer(
    render_csv: Callable[[R, Labels | None], str], problems_of: Callable[[R], Sequence[Sequence[str]]]
) -> Callable[..., bytes]:
    """The ``xlsx`` entry of a report registry: the CSV report's table as a sheet, the problems as
    another (rows: severity, subject, rule, message, where), the stamps of the policies
    (``options.stamps``) as the last (:func:`stamp_sheet`), headers in ``labels``' language."""

    def render(report: R, labels: Labels | None = None, options: ReportOptions | None = None) -> bytes:
        word = labels.word if labels is not None else (lambda key: WORDS[key]["en"])
        table = csv_sheet(word("results"), relabel_csv(render_csv(report, labels), labels))
        problems = problems_sheet(word("problems"), [word(w) for w in PROBLEM_WORDS], problems_of(report))
        stamps = options.stamps if options is not None else ()
        return workbook_bytes([table, problems, stamp_sheet(stamps, word)])

    return render


def diagnostic_rows(problems: Sequence[Diagnostic]) -> list[list[str]]:
    """Problems of a data file (each about its ``subject``) as problem-sheet rows."""
    return [[d.severity.value, d.subject or "", d.rule, d.message, str(d.location)] for d in problems]


@dataclass(frozen=True)
class StreamedSheet:
    """A sheet whose ``rows`` are read twice (each iteration starts again: a spool read back),
    once for its number columns' places and its column widths, once to be written; ``places``
    as :class:`Sheet`'s, or None: found as :func:`csv_sheet` finds them (the relabelled CSV
    table's number columns)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    places: Sequence[int | None] | None = None


def write_workbook(sheets: Sequence[StreamedSheet], out: IO[bytes]) -> None:
    """The workbook :func:`workbook_bytes` makes of the same sheets (the same cells, number
    formats, widths, frozen header and filters), written a row at a time (openpyxl's write-only
    mode): memory holds a row, not the sheet, however long it is."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for spec in sheets:
        _stream_sheet(book.create_sheet(_title(spec.title, used)), spec, bold)
    book.save(out)


def _stream_sheet(sheet: Any, spec: StreamedSheet, bold: Any) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    places, widths, count = _measure(spec)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(spec.headers), 1))
    sheet.calculate_dimension = lambda: f"A1:{last}{count + 1}"  # as a whole sheet states it
    if spec.headers:
        sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    header = []
    for h in spec.headers:
        cell = WriteOnlyCell(sheet, _text_cell(str(h)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [None if p is None else number_format(p) for p in places]
    for row in spec.rows:
        sheet.append(_written_row(sheet, row, places, formats, WriteOnlyCell))


def _written_row(sheet: Any, row: Sequence[Any], places: Sequence[int | None], formats: Sequence[str | None],
                 cell_type: Any) -> list[Any]:
    """One row's cells as :func:`_append_row` leaves them: a number cell with its column's format,
    text never a formula."""
    out: list[Any] = []
    for index, value in enumerate(row):
        shown = places[index] if index < len(places) else None
        written = _cell_value(value, shown)
        if isinstance(written, Decimal) and shown is not None:
            cell = cell_type(sheet, written)
            cell.number_format = formats[index]
            out.append(cell)
        elif isinstance(written, str) and written.startswith("="):
            cell = cell_type(sheet, written)
            cell.data_type = "s"  # nothing written is ever a formula
            out.append(cell)
        else:
            out.append(written)
    return out


def _measure(spec: StreamedSheet) -> tuple[list[int | None], list[int], int]:
    """The places of each column (given, or found as :func:`csv_sheet` finds them), the column
    widths :func:`_fill` gives, and the number of rows: one pass over the rows."""
    width = len(spec.headers)
    widths = [display_width(str(h)) for h in spec.headers]
    filled, number, most = [False] * width, [True] * width, [0] * width
    count = 0
    for row in spec.rows:
        count += 1
        for index, value in enumerate(row[:width]):
            widths[index] = max(widths[index], display_width("" if value is None else str(value)))
            if spec.places is not None or value == "" or not number[index]:
                continue
            filled[index] = True
            found = _number(value)
            if found is None:
                number[index] = False
                continue
            exponent = found.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > most[index]:
                most[index] = -exponent
    if spec.places is not None:
        return list(spec.places), widths, count
    return [most[i] if filled[i] and number[i] else None for i in range(width)], widths, count


def write_xlsx_report(
    write_table: Callable[[Any], None],
    problems: Iterable[Sequence[str]],
    labels: Labels,
    stamps: Sequence[Stamp],
    out: IO[bytes],
) -> None:
    """:func:`xlsx_renderer`'s workbook written a row at a time: ``write_table`` writes the CSV
    report's table to the file it is given (a spool, relabelled through another and read back
    twice), ``problems`` are the problems sheet's rows (iterated twice, e.g. over a spool)."""
    word = labels.word
    with _spool() as raw, _spool() as relabelled:
        write_table(raw)
        relabel_rows(lambda: _Reread(raw), labels, relabelled)
        relabelled.seek(0)
        header = next(csv.reader(relabelled), [])
        stamp = stamp_sheet(stamps, word)
        sheets = [
            StreamedSheet(word("results"), header, _Reread(relabelled, skip=1)),
            StreamedSheet(word("problems"), [word(w) for w in PROBLEM_WORDS], problems, [None] * 5),
            StreamedSheet(stamp.title, stamp.headers, stamp.rows, stamp.places),
        ]
        write_workbook(sheets, out)


def _spool() -> IO[str]:
    return tempfile.TemporaryFile("w+", encoding="utf-8", newline="")


class _Reread:
    """The CSV rows of a spool file, from its start (after ``skip`` rows) each time it is iterated."""

    def __init__(self, spool: IO[str], skip: int = 0) -> None:
        self.spool, self.skip = spool, skip

    def __iter__(self) -> Iterator[list[str]]:
        self.spool.seek(0)
        return itertools.islice(csv.reader(self.spool), self.skip, None)
