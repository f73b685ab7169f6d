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
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from engine.errors import DataError

SHEET_NAME = "indicators"


def cell_value(value: Any) -> Any:
    """One cell as the records reader expects it (``None`` for empty)."""
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


def read_xlsx_rows(path: str, display: str) -> Iterator[tuple[int, list[Any]]]:
    """Rows numbered as Excel shows them (the header is row 1 when it is the first row).

    Any failure of the reader (a damaged zip, cut-off sheet XML, a part openpyxl does not
    understand) is one :class:`DataError` line, not a traceback.
    """
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
        # read_only mode parses the sheet XML lazily: a damaged sheet fails while iterating.
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_value(v) for v in row]
    except Exception as exc:  # as above: any failure of the reader is the file's fault
        after = f" after row {number}" if number else ""
        raise DataError(
            f"{display}: damaged Excel workbook: sheet {title!r} cannot be read{after} ({_reason(exc)})"
        ) from None
    finally:
        book.close()
