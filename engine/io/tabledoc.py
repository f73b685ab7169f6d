"""The data files of ``pay`` and ``workflow`` as tables: a CSV file (``--encoding``, else UTF-8 or
detected) or an Excel workbook (``--sheet``), read into the document a YAML file gives, so every
check, message and location (``file:row:column``) is the one the YAML file would get.

One table holds records: each row one record of the file's first list (``employees``,
``notices``), or of the list a ``record`` column names (``objection`` -> ``objections``).
Header cells are the record's keys: ``promotion.credits`` is ``credits`` inside ``promotion``,
``indicators[]`` a list written ``a, b``. A text cell means what it would mean written in the
YAML file (``125`` a number, ``true`` a boolean, ``2027-02-03`` text); an empty cell is no key.
A workbook may also hold the file's other sections, each on a sheet named after it with a key in
column A and its value in column B (``company``, ``parameters``); its records are on the sheet
``--sheet`` names, else the one named after the list, else the first.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from engine.errors import DataError
from engine.io.cells import NoCachedValue, PercentCell
from engine.io.csvfile import Progress, choose_encoding, read_csv_rows
from engine.io.xlsxfile import read_xlsx_rows, sheet_names
from engine.loader import LoadedDocument, plain_scalar
from engine.location import Path, SourceMap

#: Suffixes of the files read as tables.
TABLE_SUFFIXES = (".csv", ".xlsx")


def _value(cell: Any, where: str) -> Any:
    """A cell as the YAML loader would have given it (None: an empty cell)."""
    if isinstance(cell, NoCachedValue):
        raise DataError(f"{where}: {cell}; {cell.hint}")
    if isinstance(cell, PercentCell):
        return cell.as_percent()
    if isinstance(cell, str):
        text = cell.strip()
        return None if text == "" else plain_scalar(text)
    return cell


def _header(cells: Sequence[Any]) -> bool:
    """A header row: two or more filled cells, every one of them text (a title row has one)."""
    filled = [c for c in cells if c is not None and str(c).strip() != ""]
    return len(filled) >= 2 and all(isinstance(c, str) for c in filled)


def _put(record: dict[str, Any], keys: Sequence[str], value: Any) -> None:
    for key in keys[:-1]:
        inner = record.setdefault(key, {})
        if not isinstance(inner, dict):
            return
        record = inner
    record[keys[-1]] = value


#: Where a record's keys are in its row: each key path with its column.
Marks = list[tuple[tuple[str, ...], int]]


def _table_records(
    rows: Iterable[tuple[int, list[Any]]], display: str, lists: Sequence[str]
) -> Iterator[tuple[str, int, dict[str, Any], Marks]]:
    """The rows below the header as records: the list each goes in, its row, the record, its marks."""
    header: list[str] | None = None
    for number, cells in rows:
        if header is None:
            if _header(cells):
                header = [str(c).strip() if c is not None else "" for c in cells]
                _check_header(header, f"{display}:{number}")
            continue
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        yield _record(number, cells, header, display, lists)
    if header is None:
        raise DataError(f"{display}: no header row (a row naming the columns, e.g. employee, period, notice)")


def _mark(source: SourceMap, at: Path, number: int, marks: Marks) -> list[Path]:
    """Note where the record at ``at`` and its keys are; the paths noted."""
    source.values[at] = (number, 1)
    noted = [at]
    for keys, column in marks:
        source.values[(*at, *keys)] = (number, column)
        source.keys[(*at, *keys)] = (number, column)
        noted.append((*at, *keys))
    return noted


def _records(
    rows: Iterable[tuple[int, list[Any]]],
    display: str,
    lists: Sequence[str],
    data: dict[str, Any],
    source: SourceMap,
) -> None:
    """The rows below the header as records of ``lists``, with their line marks in ``source``."""
    for target, number, record, marks in _table_records(rows, display, lists):
        listed = data.setdefault(target, [])
        _mark(source, (target, len(listed)), number, marks)
        listed.append(record)


def _streamed(
    rows: Iterable[tuple[int, list[Any]]], display: str, lists: Sequence[str], source: SourceMap
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """The records one at a time (list, index in it, record); ``source`` holds the marks of the
    record given last only, so that a problem found while it is used is located."""
    counts: dict[str, int] = {}
    noted: list[Path] = []
    for target, number, record, marks in _table_records(rows, display, lists):
        for path in noted:
            source.values.pop(path, None)
            source.keys.pop(path, None)
        index = counts.get(target, 0)
        counts[target] = index + 1
        noted = _mark(source, (target, index), number, marks)
        yield target, index, record


def _check_header(header: Sequence[str], where: str) -> None:
    """Refuse a header that would lose values silently: a column named twice, or a column that
    both holds a value and is the prefix of a dotted one (``promotion`` beside ``promotion.credits``)."""
    seen: dict[tuple[str, ...], int] = {}
    for column, name in enumerate(header, start=1):
        if not name or name == "record":
            continue
        keys = tuple(name.removesuffix("[]").split("."))
        if keys in seen:
            repeated = f"column {name!r} repeats column {seen[keys]}"
            raise DataError(f"{where}:{column}: {repeated}; name each column once")
        for other, at in seen.items():
            short, long = sorted((keys, other), key=len)
            if len(short) < len(long) and long[: len(short)] == short:
                raise DataError(
                    f"{where}:{column}: column {name!r} and column {at} ({'.'.join(other)}) "
                    f"overlap: {'.'.join(short)!r} cannot hold a value and nested fields at once"
                )
        seen[keys] = column


def _record(
    number: int, cells: list[Any], header: list[str], display: str, lists: Sequence[str]
) -> tuple[str, int, dict[str, Any], Marks]:
    record: dict[str, Any] = {}
    marks: Marks = []
    target = lists[0]
    for column, (name, cell) in enumerate(zip(header, cells, strict=False), start=1):
        value = _value(cell, f"{display}:{number}:{column}")
        if not name or value is None:
            continue
        if name == "record":
            target = _list_named(str(value), lists, f"{display}:{number}:{column}")
            continue
        if name.endswith("[]"):
            name = name[:-2]
            value = [plain_scalar(part.strip()) for part in str(value).split(",") if part.strip()]
        keys = tuple(name.split("."))
        _put(record, keys, value)
        marks.append((keys, column))
    return target, number, record, marks


def _list_named(kind: str, lists: Sequence[str], where: str) -> str:
    for name in (kind, f"{kind}s"):
        if name in lists:
            return name
    raise DataError(f"{where}: record {kind!r} is not one of {', '.join(lists)}")


def _section(
    rows: Iterable[tuple[int, list[Any]]], display: str, name: str, data: dict[str, Any], source: SourceMap
) -> None:
    """A sheet of ``key | value`` rows as the mapping ``name``."""
    section: dict[str, Any] = {}
    source.values[(name,)] = (1, 1)
    for number, cells in rows:
        key = cells[0] if cells else None
        value = _value(cells[1], f"{display}:{number}:2") if len(cells) > 1 else None
        if key is None or str(key).strip() == "" or value is None:
            continue
        section[str(key).strip()] = value
        source.values[(name, str(key).strip())] = (number, 2)
        source.keys[(name, str(key).strip())] = (number, 1)
    data[name] = section


def read_table_document(
    path: str,
    lists: Sequence[str],
    sections: Sequence[str] = (),
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> LoadedDocument:
    """``path`` (a CSV file or a workbook) as the document its YAML form would be; ``notes``
    gets the encoding a CSV file was detected to have."""
    doc, rows = _open(path, lists, sections, encoding, sheet, notes)
    _records(rows, doc.file, lists, doc.data, doc.source)
    return doc


def stream_table_document(
    path: str,
    lists: Sequence[str],
    sections: Sequence[str] = (),
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    notes: list[str] | None = None,
    progress: Progress | None = None,
) -> tuple[LoadedDocument, Iterator[tuple[str, int, dict[str, Any]]]]:
    """:func:`read_table_document` a record at a time: the document without its records (a
    workbook's sections read now), and the records, each as (list, index, record); while a
    record is used the document's source map locates it (and no record before it).
    ``progress`` is told the bytes (a workbook: its share of the sheet) and rows read."""
    doc, rows = _open(path, lists, sections, encoding, sheet, notes, progress)
    return doc, _streamed(rows, doc.file, lists, doc.source)


def _open(
    path: str,
    lists: Sequence[str],
    sections: Sequence[str],
    encoding: str | None,
    sheet: str | None,
    notes: list[str] | None,
    progress: Progress | None = None,
) -> tuple[LoadedDocument, Iterable[tuple[int, list[Any]]]]:
    """The document (a workbook's ``sections`` read into it) and the rows of its records' table."""
    display = path
    data: dict[str, Any] = {}
    source = SourceMap(display)
    doc = LoadedDocument(display, data, source, [])
    if os.path.splitext(path)[1].lower() == ".csv":
        if sheet is not None:
            raise DataError(f"{display}: --sheet is for Excel workbooks, not CSV files")
        codec, note = choose_encoding(path, display, encoding)
        if note is not None and notes is not None:
            notes.append(f"{display}: {note}")
        return doc, read_csv_rows(path, display, codec, progress, detected=note is not None)
    if encoding is not None:
        raise DataError(f"{display}: --encoding is for CSV files; an Excel workbook names its own")
    names = sheet_names(path, display)
    chosen = sheet or _named_sheet(names, lists) or (names[0] if names else None)
    for name in sections:
        if name in names and name != chosen:
            _section(read_xlsx_rows(path, display, sheet=name), f"{display}[{name}]", name, data, source)
    return doc, read_xlsx_rows(path, display, sheet=chosen, progress=progress)


def _named_sheet(names: Sequence[str], lists: Sequence[str]) -> str | None:
    """The sheet named after one of ``lists`` (None: the workbook's first)."""
    return next((name for name in lists if name in names), None)
