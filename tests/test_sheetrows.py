"""A sheet read straight from its XML (engine/io/sheetrows.py) gives exactly the rows openpyxl's
read-only sheet gives the reader: workbooks openpyxl writes (shared strings, inline strings,
numbers, booleans, dates, percents, formulas, gaps), and sheets of hand-written XML in the forms
other programs write, each read whole by the plain reader or handed on to openpyxl from the
first row it does not read."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from engine.errors import DataError
from engine.io import xlsxfile
from engine.io.cells import NoCachedValue
from engine.io.sheetrows import Book, Unread, plain_rows


def _shown(rows: Iterator[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """Rows with each cell's class named (a PercentCell equals its Decimal)."""
    out = []
    for number, cells in rows:
        out.append(
            (number, [(type(c).__name__, c.coordinate if isinstance(c, NoCachedValue) else c) for c in cells])
        )
    return out


def _read(path: Path) -> tuple[list[tuple[int, list[Any]]], list[tuple[int, list[Any]]], bool]:
    """The rows as the reader gives them now, as openpyxl's cells give them, and whether the
    plain reader read the whole sheet itself."""
    book = xlsxfile._open(str(path), "book")
    try:
        sheet = book.worksheets[0]
        now = _shown(xlsxfile._rows(book, sheet))
        percent = xlsxfile._percent_styles(book)
        whole = True
        try:
            with book._archive.open(sheet._worksheet_path) as source:
                for _ in plain_rows(source, Book(book, sheet, percent), xlsxfile.cell_value):
                    pass
        except Unread:
            whole = False
    finally:
        book.close()
    book = xlsxfile._open(str(path), "book")
    try:
        sheet = book.worksheets[0]
        before = _shown(xlsxfile._openpyxl_rows(book, sheet, xlsxfile._percent_styles(book), None, 0))
    finally:
        book.close()
    return now, before, whole


TEXT = (
    st.text(max_size=12)
    .map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
    .filter(lambda t: not t.startswith("="))
)
VALUE = st.one_of(
    st.none(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    TEXT,
    st.sampled_from(["kind", "higher", "품질", "山田 太郎", "a & b <c>", "x\ny", "  pad  ", ""]),
    st.dates(datetime.date(1900, 3, 1), datetime.date(2100, 1, 1)),
    st.datetimes(datetime.datetime(1900, 3, 1), datetime.datetime(2100, 1, 1)),
    st.sampled_from(["=SUM(A1:B1)", "=1+1"]),
)
PERCENT = st.sampled_from([None, "0%", "0.00%", "0.0", "#,##0"])
ROWS = st.lists(st.lists(st.tuples(VALUE, PERCENT), max_size=7), min_size=1, max_size=6)
GAPS = st.lists(st.integers(0, 2), min_size=6, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, gaps=GAPS, write_only=st.booleans())
def test_openpyxl_workbooks_read_as_openpyxl_reads_them(
    tmp_path: Path, rows: list[list[tuple[Any, str | None]]], gaps: list[int], write_only: bool
) -> None:
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet("indicators") if write_only else book.active
    number = 0
    for row, gap in zip(rows, gaps, strict=False):
        if write_only:
            cells = []
            for value, shown in row:
                cell = openpyxl.cell.WriteOnlyCell(sheet, value)
                if shown and isinstance(value, int | float) and not isinstance(value, bool):
                    cell.number_format = shown
                cells.append(cell)
            for _ in range(gap):
                sheet.append([])
            sheet.append(cells)
            continue
        number += 1 + gap
        for column, (value, shown) in enumerate(row, start=1 + gap):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=column, value=value)
            if shown and isinstance(value, int | float) and not isinstance(value, bool):
                cell.number_format = shown
    book.save(path)
    now, before, whole = _read(path)
    assert now == before
    # the plain reader reads it all, but a text with a carriage return (openpyxl writes it as
    # it is, and an XML parser reads it as a line's end): openpyxl reads that sheet on from there
    returns = any(isinstance(value, str) and "\r" in value for row in rows for value, _ in row)
    assert whole is not returns


def _with_sheet(tmp_path: Path, xml: str, strings: Sequence[str] = ()) -> Path:
    """A workbook whose one sheet is ``xml``, with ``strings`` as its shared strings (openpyxl
    writes none: its texts are inline strings)."""
    book = openpyxl.Workbook()
    book.active.title = "indicators"
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "hand.xlsx"
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    table = f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename).decode("utf-8")
            if item.filename == "xl/worksheets/sheet1.xml":
                data = xml
            elif item.filename == "[Content_Types].xml" and strings:
                part = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/>'
                data = data.replace("</Types>", part + "</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels" and strings:
                link = f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
                data = data.replace("</Relationships>", link + "</Relationships>")
            target.writestr(item, data.encode("utf-8"))
        if strings:
            target.writestr("xl/sharedStrings.xml", table.encode("utf-8"))
    return path


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    '<dimension ref="A1:D4"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>'
)
TAIL = (
    '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
    'footer="0.3"/></worksheet>'
)

#: (the sheet's rows, whether the plain reader reads it all): Excel's and other programs' forms.
SHEETS = {
    "excel": (
        '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c>'
        '<c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" s="0"><v>12.5</v></c></row>'
        '<row r="2" spans="1:3"><c r="A2"><v>1E-3</v></c><c r="C2" t="b"><v>1</v></c></row>'
        '<row r="4"><c r="B4"><f>A2*2</f><v>2E-3</v></c><c r="D4"><f>A2*3</f></c></row>',
        True,
    ),
    "entities and references": (
        '<row r="1"><c r="A1" t="inlineStr"><is>'
        '<t xml:space="preserve"> a &amp; b &lt;c&gt; &#10;&#x41;</t></is></c>'
        '<c r="B1" t="str"><v>&quot;q&apos;</v></c></row>',
        True,
    ),
    "pretty-printed, as some programs save it": (
        '\n  <row r="1">\n    <c r="A1" t="s">\n      <v>0</v>\n    </c>\n    <c r="B1">\n      <f>1+1</f>\n'
        '    </c>\n    <c r="C1" t="inlineStr">\n      <is>\n        <t>x</t>\n      </is>\n    </c>\n'
        '    <c r="D1" t="inlineStr">\n    </c>\n  </row>\n',
        True,
    ),
    "whitespace between elements": (
        '\n  <row r="1">\n    <c r="A1"><v>1</v></c>\n  </row>\n  <row r="2"/>\n',
        True,
    ),
    "rows out of order and without numbers": (
        '<row r="3"><c r="A3"><v>3</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
        '<row><c r="B4"><v>4</v></c></row>',
        True,
    ),
    "cells out of order": ('<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c></row>', True),
    "empty values": (
        '<row r="1"><c r="A1"><v></v></c><c r="B1" t="inlineStr"/><c r="C1" s="0"/></row>',
        True,
    ),
    "a rich text inline string": (
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><r><t>a</t></r>'
        "<r><rPr><b/></rPr><t>b</t></r></is></c></row>",
        False,
    ),
    "a comment": (
        '<row r="1"><c r="A1"><v>1</v></c></row><!-- x --><row r="2"><c r="A2"><v>2</v></c></row>',
        False,
    ),
    "CDATA": ('<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>', False),
    "a carriage return": ('<row r="1"><c r="A1" t="inlineStr"><is><t>a\r\nb</t></is></c></row>', False),
    "cells without coordinates (WPS)": (
        '<row customHeight="1" ht="16.5"><c s="0"><v>1</v></c><c r="C1"><v>3</v></c><c><v>4</v></c>'
        '<c t="inlineStr"><is><t>e</t></is></c></row><row><c><f>1+1</f><v>2</v></c></row>',
        True,
    ),
    "a formula without a value or a coordinate": (
        '<row r="1"><c r="A1"><f>1</f></c><c><f>2</f></c></row>',
        False,
    ),
    "a row number written as a decimal": ('<row r="2.0"><c r="A2"><v>1</v></c></row>', False),
    "no rows at all": ("", True),
    "an error value and a date": (
        '<row r="1"><c r="A1" t="e"><v>#N/A</v></c><c r="B1" t="d"><v>2026-04-01T00:00:00</v></c></row>',
        True,
    ),
}


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_hand_written_sheets_read_as_openpyxl_reads_them(tmp_path: Path, name: str) -> None:
    rows, plain = SHEETS[name]
    path = _with_sheet(tmp_path, HEAD + rows + TAIL, ["id", "name"])
    now, before, whole = _read(path)
    assert now == before
    assert whole is plain


def test_a_sheet_without_data(tmp_path: Path) -> None:
    """``<sheetData/>``: no rows, and the rest of the sheet ends as a plain sheet ends."""
    xml = HEAD.replace("<sheetData>", "<sheetData/>") + TAIL.replace("</sheetData>", "")
    assert _read(_with_sheet(tmp_path, xml)) == ([], [], True)
    # cut off after it: openpyxl's error, as before (the plain reader does not read it whole)
    cut = _with_sheet(tmp_path, HEAD.replace("<sheetData>", "<sheetData/>") + "<pageMargins left=")
    said = r"damaged Excel workbook: sheet 'indicators' cannot be read \(ParseError: unclosed token"
    with pytest.raises(DataError, match=said):
        list(xlsxfile.read_xlsx_rows(str(cut), "cut.xlsx"))


def test_a_prefixed_namespace_is_read_by_openpyxl(tmp_path: Path) -> None:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    now, before, whole = _read(_with_sheet(tmp_path, xml))
    assert now == before == [(1, [("int", 7)])]
    assert not whole


def test_the_values_read(tmp_path: Path) -> None:
    """What the reader makes of Excel's forms, by hand: shared strings, 12.5 exact, 1E-3 as
    Decimal('0.001'), TRUE, an empty row 3, a formula's saved result, one with none."""
    path = _with_sheet(tmp_path, HEAD + SHEETS["excel"][0] + TAIL, ["id", "name"])
    now, _, _ = _read(path)
    assert now == [
        (1, [("str", "id"), ("str", "name"), ("Decimal", xlsxfile.cell_value(12.5))]),
        (2, [("Decimal", xlsxfile.cell_value(0.001)), ("NoneType", None), ("bool", True)]),
        (3, []),
        (
            4,
            [
                ("NoneType", None),
                ("Decimal", xlsxfile.cell_value(0.002)),
                ("NoneType", None),
                ("NoCachedValue", "D4"),
            ],
        ),
    ]


def test_a_damaged_sheet_is_openpyxls_error(tmp_path: Path) -> None:
    """Cut off in its data: openpyxl reads on from the last whole row and says why it stops."""
    path = _with_sheet(
        tmp_path, HEAD + '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2', ["id"]
    )
    with pytest.raises(DataError) as plain:
        list(xlsxfile.read_xlsx_rows(str(path), "cut.xlsx"))
    assert "damaged Excel workbook: sheet 'indicators' cannot be read after row 1 (ParseError: " in str(
        plain.value
    )


def test_the_progress_bar_does_not_go_back_when_openpyxl_reads_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3,000 plain rows, a comment, 10 more: openpyxl reads the sheet again from its start and
    the rows it skips (those already given) are not told again."""
    monkeypatch.setattr(xlsxfile, "PROGRESS_ROWS", 500)
    plain = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 3001))
    rest = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(3001, 3011))
    path = _with_sheet(tmp_path, HEAD + plain + "<!-- x -->" + rest + TAIL)
    told: list[tuple[int, int]] = []
    book = xlsxfile._open(str(path), "book")
    try:
        rows = list(
            xlsxfile._rows(book, book.worksheets[0], lambda done, count: told.append((done, count)), 100)
        )
    finally:
        book.close()
    assert [number for number, _ in rows] == list(range(1, 3011))
    assert [count for _, count in told] == [500, 1000, 1500, 2000, 2500, 3000, 3010]
    assert told[-1] == (100, 3010)
