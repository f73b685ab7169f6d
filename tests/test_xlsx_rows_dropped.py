"""openpyxl's worksheet parser drops each row once read (engine/io/xlsxfile.py, ``_pruning``).

The parser clears every row it has read but leaves it in ``<sheetData>`` until the sheet ends:
some 90 bytes a row, 577 bytes a generated japan employee (10,000 / 40,000 / 100,000 employees
read from a workbook peaked at 69 / 87 / 120 MiB; bench/RESULTS.md, the memory survey).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl.worksheet import _reader

from engine.io.xlsxfile import _pruning, read_xlsx_rows

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.gen_formats import generate as generate_format  # noqa: E402

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROW = f"{{{NS}}}row"
SHEET = (
    f'<worksheet xmlns="{NS}"><dimension ref="A1:B3"/><sheetData>'
    + "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}"><v>{n * 10}</v></c></row>' for n in (1, 2, 3)
    )
    + "</sheetData></worksheet>"
)


def _read(events: Any) -> tuple[list[tuple[str, str]], list[list[str | None]], Any]:
    """The events' tags, the rows read (and cleared, as openpyxl's parser does) and the
    ``<sheetData>`` element at its end."""
    seen: list[tuple[str, str]] = []
    rows: list[list[str | None]] = []
    sheet_data = None
    for event, element in events:
        seen.append((event, element.tag))
        if element.tag == ROW:
            rows.append([c.findtext(f"{{{NS}}}v") for c in element])
            element.clear()
        elif element.tag == f"{{{NS}}}sheetData":
            sheet_data = element
    return seen, rows, sheet_data


def test_the_parser_sees_the_same_events_and_the_read_rows_are_dropped() -> None:
    """The ``end`` events of the plain iterparse, in order, the same rows; at the end of the
    sheet no row is left in ``<sheetData>`` (the plain iterparse leaves all three there)."""
    plain = _read(iterparse(io.BytesIO(SHEET.encode())))
    pruned = _read(_pruning(iterparse, ROW)(io.BytesIO(SHEET.encode())))
    assert pruned[:2] == plain[:2]
    assert pruned[1] == [["1", "10"], ["2", "20"], ["3", "30"]]
    assert (len(plain[2]), len(pruned[2])) == (3, 0)


def test_a_workbook_reads_the_same_rows(tmp_path: Path) -> None:
    """A generated workbook of 30 employees read through the pruned parser: the header, then
    every goal line (the rows of ``bench/gen_formats.py``'s table)."""
    path = tmp_path / "people.xlsx"
    generate_format(30, str(path), seed=7)
    header, *rows = [row for _, row in read_xlsx_rows(str(path), str(path))]
    assert header[:3] == ["id", "name", "segment"]
    assert len({row[0] for row in rows}) == 30 and rows[0][0] == "E000001"
    assert _reader.iterparse.prunes_rows  # openpyxl's parser reads through it



def test_an_openpyxl_without_the_private_parser_is_left_alone() -> None:
    """The hook reaches into openpyxl 3.1's private parser module: a module without its names
    (another version) is left as it is, and reading goes on unpruned, never failing for them."""
    from types import SimpleNamespace

    from engine.io.xlsxfile import _hook

    for module in (SimpleNamespace(), SimpleNamespace(iterparse=iterparse), SimpleNamespace(ROW_TAG=ROW)):
        before = dict(vars(module))
        _hook(module)
        assert vars(module) == before
    hooked = SimpleNamespace(iterparse=iterparse, ROW_TAG=ROW)
    _hook(hooked)
    assert hooked.iterparse.prunes_rows and hooked.iterparse is not iterparse
    again = hooked.iterparse
    _hook(hooked)  # once only
    assert hooked.iterparse is again


def test_a_sheet_is_not_parsed_for_its_size(tmp_path: Path, monkeypatch: Any) -> None:
    """openpyxl opens a read-only sheet by looking for its ``<dimension>``; a workbook openpyxl
    wrote in write-only mode has none, and the sheet was parsed whole to find that out (a fifth
    of reading it). The reader opens its workbooks without that; a workbook anyone else opens in
    the same process is still sized."""
    import openpyxl

    path = tmp_path / "people.xlsx"
    generate_format(40, str(path))  # (write-only: no <dimension>)
    sizing: list[int] = []
    parse = _reader.WorkSheetParser.parse_dimensions
    spy = lambda self: sizing.append(1) or parse(self)  # noqa: E731
    monkeypatch.setattr(_reader.WorkSheetParser, "parse_dimensions", spy)
    rows = list(read_xlsx_rows(str(path), str(path)))
    assert len(rows) > 40 and sizing == []
    openpyxl.load_workbook(path, read_only=True)
    assert sizing == [1]  # (openpyxl's own opening, outside the reader's: the sheet parsed whole)
