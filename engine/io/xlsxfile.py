"""Excel .xlsx workbooks: the sheet named ``indicators`` (or the first sheet) as numbered rows.

Cells keep their type where it is exact: integers stay ``int``, fractions become ``Decimal``
from the shortest text that round-trips the stored float (so 0.1 stays ``Decimal('0.1')``),
dates become ISO text.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

import engine.limits as limits
from engine.errors import DataError
from engine.limits import bounded_rows, check_table_size, nfc

SHEET_NAME = "indicators"


class _CellTooLong(Exception):
    """A text cell over :data:`~limits.MAX_CELL_CHARS` (the row is known only further out)."""


class _RowTooLong(Exception):
    """One row of sheet XML over :data:`~limits.MAX_ROW_XML_BYTES`."""


class _RowBytes:
    """The sheet's XML stream, stopped when one row runs past :data:`~limits.MAX_ROW_XML_BYTES`.

    The XML parser holds a row's cells until the row ends, so a row of millions of tiny cells
    (a few megabytes deflated, well within the zip ratio) would fill the memory: the bytes
    since the last ``<row`` or ``</row>`` are counted as the parser reads them.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._since = 0
        self._tail = b""
        self._limit = limits.MAX_ROW_XML_BYTES

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        window = self._tail + data
        mark = max(window.rfind(b"<row"), window.rfind(b"</row>"))
        self._since = len(window) - mark if mark >= 0 else self._since + len(data)
        if self._since > self._limit:
            raise _RowTooLong
        self._tail = window[-5:]
        return data

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> _RowBytes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _guard_rows(book: Any, sheet: Any) -> None:
    """Make the read-only sheet read its XML through :class:`_RowBytes` (openpyxl 3.1 opens it
    with ``_get_source``; a version without these attributes reads unguarded)."""
    archive, part = getattr(book, "_archive", None), getattr(sheet, "_worksheet_path", None)
    if archive is not None and part is not None and hasattr(sheet, "_get_source"):
        sheet._get_source = lambda: _RowBytes(archive.open(part))


def cell_value(value: Any) -> Any:
    """One cell as the records reader expects it (``None`` for empty); text in Unicode NFC."""
    if type(value) is str:
        if len(value) > limits.MAX_CELL_CHARS:
            raise _CellTooLong
        return nfc(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def _reason(exc: BaseException) -> str:
    """An exception as one line: its type and its text with line breaks folded."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_archive(path: str, display: str) -> None:
    """Refuse a zip bomb before any part is inflated: every part's inflated size counts (the
    sizes the archive declares, which :mod:`zipfile` holds each part to), in total and per part."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(f"{display}: not an Excel .xlsx workbook ({' '.join(str(exc).split())})") from None
    total = sum(part.file_size for part in parts)
    if total > limits.MAX_XLSX_UNCOMPRESSED:
        raise DataError(
            f"{display}: the workbook inflates to {total} bytes, over the limit of "
            f"{limits.MAX_XLSX_UNCOMPRESSED} bytes (a zip bomb?)"
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > limits.ZIP_RATIO_FLOOR and ratio > limits.MAX_ZIP_RATIO:
            raise DataError(
                f"{display}: part {part.filename!r} inflates {part.compress_size} bytes to "
                f"{part.file_size} ({ratio:.0f} times; the limit is {limits.MAX_ZIP_RATIO}): a zip bomb?"
            )


def read_xlsx_rows(path: str, display: str) -> Iterator[tuple[int, list[Any]]]:
    """Rows numbered as Excel shows them (the header is row 1 when it is the first row).

    The file must be a regular file within the bounds of :mod:`engine.limits`, checked
    before anything is inflated. Any failure of the reader (a damaged zip, cut-off sheet XML,
    a part openpyxl does not understand) is one :class:`DataError` line, not a traceback.
    """
    check_table_size(path, display)
    check_archive(path, display)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataError(f"{display}: not an Excel .xlsx workbook ({' '.join(str(exc).split())})") from None
    except OSError as exc:
        raise DataError(f"{display}: cannot read the file: {exc.strerror or exc}") from None
    except Exception as exc:  # openpyxl fails on a damaged part in many ways (ParseError, ...)
        raise DataError(f"{display}: damaged Excel workbook, cannot open it ({_reason(exc)})") from None
    number, title = 0, SHEET_NAME
    try:
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        title = sheet.title
        # The size the sheet declares (A1:XFD1048576 costs nothing to write) would pad every
        # row to it; without it a row is as long as its last cell.
        sheet.reset_dimensions()
        _guard_rows(book, sheet)
        # read_only mode parses the sheet XML lazily: a damaged sheet fails while iterating.
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        for number, row in bounded_rows(rows, display):
            yield number, [cell_value(v) for v in row]
    except DataError:
        raise
    except _RowTooLong:
        raise DataError(
            f"{display}: row {number + 1}: the row's XML is longer than {limits.MAX_ROW_XML_BYTES} "
            "bytes (the limit for one row of a sheet)"
        ) from None
    except _CellTooLong:
        raise DataError(limits.cell_too_long(display, number)) from None
    except Exception as exc:  # as above: any failure of the reader is the file's fault
        after = f" after row {number}" if number else ""
        raise DataError(
            f"{display}: damaged Excel workbook: sheet {title!r} cannot be read{after} ({_reason(exc)})"
        ) from None
    finally:
        book.close()
