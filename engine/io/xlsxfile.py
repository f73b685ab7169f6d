"""Excel .xlsx workbooks: one sheet as numbered rows.

The sheet is the one named with ``--sheet``, else the one named ``indicators``, else the first
sheet whose first rows hold a header (the ``looks_like_header`` test the caller gives), else the
first sheet. Cells keep their type where it is exact: integers stay ``int``, fractions become
``Decimal`` from the shortest text that round-trips the stored float (so 0.1 stays
``Decimal('0.1')``), dates become ISO text. Two kinds of cell are marked for the records reader:
a number shown as a percent is a :class:`PercentCell` (Excel stores 30 % as 0.3), and a formula
with no saved result is a :class:`NoCachedValue` (not an empty cell).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import engine.limits as limits
from engine.errors import DataError
from engine.io.cells import NoCachedValue, PercentCell
from engine.io.inlinetext import hook as inline_text
from engine.io.sheetrows import Book, Unread, plain_rows
from engine.limits import bounded_rows, check_table_size, nfc

SHEET_NAME = "indicators"
#: Rows of a sheet looked at when searching for the header (a title block sits above it).
HEADER_SEARCH_ROWS = 30

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]+[0-9]+)\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
_CELL_START = re.compile(rb"<(?:\w+:)?c\s")
#: Bytes of sheet XML searched at a time for formula cells without a saved value.
SCAN_CHUNK = 1 << 20


@dataclass
class SheetInfo:
    """What was read: the sheet's title, the workbook's sheets, and why others were passed over."""

    title: str = ""
    sheets: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


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
        self.done = 0  # the bytes of XML read so far (for a progress bar)

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.done += len(data)
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


def _guard_rows(book: Any, sheet: Any) -> Callable[[], tuple[int, int]] | None:
    """Make the read-only sheet read its XML through :class:`_RowBytes` (openpyxl 3.1 opens it
    with ``_get_source``; a version without these attributes reads unguarded). Returns what
    tells the XML's bytes read so far and its size (None: unguarded)."""
    archive, part = getattr(book, "_archive", None), getattr(sheet, "_worksheet_path", None)
    if archive is None or part is None or not hasattr(sheet, "_get_source"):
        return None
    opened: list[_RowBytes] = []

    def source() -> _RowBytes:
        opened.append(_RowBytes(archive.open(part)))
        return opened[-1]

    sheet._get_source = source
    size = archive.getinfo(part).file_size
    return lambda: (opened[-1].done if opened else 0, size)


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


def _pruning(iterparse: Callable[..., Any], row_tag: str) -> Callable[..., Iterator[tuple[str, Any]]]:
    """``iterparse`` giving openpyxl's sheet parser the same ``end`` events, and dropping each
    row from its parent once the parser has read (and cleared) it: the parser leaves every
    cleared row in ``<sheetData>`` until the sheet ends, some 90 bytes a row (577 bytes a
    japan employee: bench/RESULTS.md, the memory survey)."""

    def parse(source: Any, *_: Any, **__: Any) -> Iterator[tuple[str, Any]]:
        open_elements: list[Any] = []
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                continue
            open_elements.pop()
            yield event, element
            if element.tag == row_tag and open_elements:
                open_elements[-1].remove(element)  # (read and cleared: its parent's only child)

    parse.prunes_rows = True  # type: ignore[attr-defined]
    return parse


def _prune_rows() -> None:
    """Make openpyxl's worksheet parser drop the rows it has read (:func:`_pruning`), once. A
    version of openpyxl without that private parser reads unpruned, as before (the hook's
    names are openpyxl 3.1's; a workbook must never fail to read for want of them)."""
    try:
        from openpyxl.worksheet import _reader
    except ImportError:
        return
    _hook(_reader)


def _hook(module: Any) -> None:
    """:func:`_pruning` in place of ``module.iterparse`` where the module has the names."""
    parse, row_tag = getattr(module, "iterparse", None), getattr(module, "ROW_TAG", None)
    if callable(parse) and isinstance(row_tag, str) and not getattr(parse, "prunes_rows", False):
        module.iterparse = _pruning(parse, row_tag)


@contextlib.contextmanager
def _unsized() -> Iterator[None]:
    """While a workbook is opened here, openpyxl's read-only sheets skip working out their size.
    The size is never used here (:func:`_rows` drops it), and a sheet without a ``<dimension>``
    element (every workbook openpyxl writes in write-only mode) was parsed whole to find that
    out: a fifth of reading such a workbook (bench/RESULTS.md). Only for the opening: a workbook
    another caller opens in this process is sized as openpyxl sizes it. A version of openpyxl
    without that private method opens sheets as before."""
    try:
        from openpyxl.worksheet import _read_only
    except ImportError:
        yield
        return
    sheet = getattr(_read_only, "ReadOnlyWorksheet", None)
    sized = getattr(sheet, "_get_size", None)
    if sheet is None or not callable(sized):
        yield
        return
    sheet._get_size = _no_size
    try:
        yield
    finally:
        sheet._get_size = sized


def _no_size(sheet: Any) -> None:
    """A read-only sheet's size, unknown: as ``reset_dimensions`` leaves it."""


def _open(path: str, display: str) -> Any:
    # openpyxl is imported only when a workbook is read: it takes ~0.3 s (not for `validate`).
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _prune_rows()
    inline_text()
    check_table_size(path, display)
    check_archive(path, display)
    try:
        with _unsized():
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataError(f"{display}: not an Excel .xlsx workbook ({' '.join(str(exc).split())})") from None
    except OSError as exc:
        raise DataError(f"{display}: cannot read the file: {exc.strerror or exc}") from None
    except Exception as exc:  # openpyxl fails on a damaged part in many ways (ParseError, ...)
        raise DataError(f"{display}: damaged Excel workbook, cannot open it ({_reason(exc)})") from None


def sheet_names(path: str, display: str) -> list[str]:
    """The names of a workbook's sheets, in order (the file checked as :func:`read_xlsx_rows` does)."""
    book = _open(path, display)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def formula_cells_without_value(book: Any, sheet: Any) -> set[str]:
    """Coordinates of formula cells that hold no saved result.

    ``data_only`` reading gives such a cell as empty, so the sheet's XML is searched for them,
    a chunk at a time: the cell still open at a chunk's end is carried into the next. A damaged
    or over-long sheet gives what was found so far (reading the rows reports the damage).
    """
    found: set[str] = set()
    carry = b""
    try:
        with book._archive.open(sheet._worksheet_path) as source:
            while chunk := source.read(SCAN_CHUNK):
                data, end = carry + chunk, 0
                if _FORMULA.search(data):
                    for match in _CELL.finditer(data):
                        inner = match.group(2) or b""
                        if _FORMULA.search(inner) and not _VALUE.search(inner):
                            found.add(match.group(1).decode("ascii"))
                        end = match.end()
                # A cell is at most a few hundred kilobytes of XML (32,767 characters of text).
                starts = [m.start() for m in _CELL_START.finditer(data, max(end, len(data) - (1 << 18)))]
                carry = data[starts[-1] :] if starts else b""
    except Exception:  # a damaged part: the row reader says so
        return found
    return found


def _percent_styles(book: Any) -> frozenset[int]:
    """Style ids whose number format shows a percent."""
    ids = set()
    for style_id, style in enumerate(getattr(book, "_cell_styles", ())):
        number_format = _format_code(book, style.numFmtId)
        if "%" in number_format:
            ids.add(style_id)
    return frozenset(ids)


def _format_code(book: Any, format_id: int) -> str:
    """As openpyxl's ``ReadOnlyCell.number_format`` finds it, once per style instead of per cell."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    if format_id < BUILTIN_FORMATS_MAX_SIZE:
        return str(BUILTIN_FORMATS.get(format_id, "General"))
    formats = getattr(book, "_number_formats", ())
    custom = format_id - BUILTIN_FORMATS_MAX_SIZE
    return str(formats[custom]) if 0 <= custom < len(formats) else ""


def _rows(
    book: Any, sheet: Any, progress: Progress | None = None, total: int = 0
) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's rows: read straight from its XML where it is plain
    (:mod:`engine.io.sheetrows`), else (from the first row not plain) through openpyxl."""
    percent = _percent_styles(book)
    given = 0
    try:
        for given, cells in _plain(book, sheet, percent, progress, total):
            yield given, cells
        return
    except Unread:
        pass  # openpyxl reads on from the row after the last one given
    except _CellTooLong:
        raise _CellTooLong(given + 1) from None
    if progress is not None and given:  # (the bar does not go back over the rows given)
        told = progress
        progress = lambda done, rows: told(done, rows) if rows > given else None  # noqa: E731
    for number, cells in _openpyxl_rows(book, sheet, percent, progress, total):
        if number > given:
            yield number, cells


def _plain(
    book: Any, sheet: Any, percent: frozenset[int], progress: Progress | None, total: int
) -> Iterator[tuple[int, list[Any]]]:
    """:func:`~engine.io.sheetrows.plain_rows` of the sheet (Unread: the sheet's part cannot
    be opened here, or openpyxl keeps the names this needs elsewhere)."""
    try:
        source = book._archive.open(sheet._worksheet_path)
        plain = Book(book, sheet, percent)
    except Exception:  # (openpyxl's private names: a version without them reads as before)
        raise Unread("the sheet's part") from None
    with source:
        if progress is None:
            yield from plain_rows(source, plain, cell_value)
            return
        size, done = max(book._archive.getinfo(sheet._worksheet_path).file_size, 1), [0]
        rows = plain_rows(source, plain, cell_value, lambda count: done.__setitem__(0, count))
        yield from _told(rows, lambda: (done[0], size), progress, total)


def _openpyxl_rows(
    book: Any, sheet: Any, percent: frozenset[int], progress: Progress | None, total: int
) -> Iterator[tuple[int, list[Any]]]:
    missing = formula_cells_without_value(book, sheet)
    # The size the sheet declares (A1:XFD1048576 costs nothing to write) would pad every
    # row to it; without it a row is as long as its last cell.
    sheet.reset_dimensions()
    read = _guard_rows(book, sheet)
    rows: Iterator[tuple[int, Any]] = enumerate(sheet.iter_rows(), start=1)
    if progress is not None and read is not None:
        rows = _told(rows, read, progress, total)
    for number, row in rows:
        cells: list[Any] = []
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None:
                coordinate = getattr(cell, "coordinate", None) if missing else None
                cells.append(NoCachedValue(coordinate) if coordinate in missing else None)
            elif type(value) in (int, float) and getattr(cell, "_style_id", 0) in percent:
                cells.append(PercentCell(repr(float(value))))
            else:
                try:
                    cells.append(cell_value(value))
                except _CellTooLong:
                    raise _CellTooLong(number) from None
        yield number, cells


#: Rows between two calls of a progress callback.
PROGRESS_ROWS = 1024

#: Told the bytes and the rows read so far (:class:`engine.report.progress.ProgressBar`).
Progress = Callable[[int, int], None]


def _told(
    rows: Iterator[tuple[int, Any]], read: Callable[[], tuple[int, int]], progress: Progress, total: int
) -> Iterator[tuple[int, Any]]:
    """``rows``, telling ``progress`` now and then how far the sheet is read and the rows so
    far. The bytes told are the file's (``total``) times the share of the sheet's XML read: a
    workbook is a zip, its bytes are not read in order; a bar counts them as a CSV file's."""
    number = 0
    for number, row in rows:
        if number % PROGRESS_ROWS == 0:
            done, size = read()
            progress(total * min(done, size) // max(size, 1), number)
        yield number, row
    progress(total, number)  # every row read


def _head(book: Any, sheet: Any) -> list[list[Any]]:
    """The first rows of a sheet, to look for a header in (a damaged sheet: what could be read)."""
    out: list[list[Any]] = []
    try:
        for _, cells in _rows(book, sheet):
            out.append(cells)
            if len(out) >= HEADER_SEARCH_ROWS:
                break
    except Exception:  # the sheet chosen in the end reports its own damage when it is read
        pass
    return out


def _choose(
    book: Any,
    wanted: str | None,
    display: str,
    looks_like_header: Callable[[Sequence[Any]], bool] | None,
    info: SheetInfo,
) -> Any:
    names = list(book.sheetnames)
    info.sheets = names
    if wanted is not None:
        if wanted not in names:
            listed = ", ".join(repr(n) for n in names)
            raise DataError(f"{display}: no sheet {wanted!r}; the workbook has {listed}")
        return book[wanted]
    if SHEET_NAME in names:
        return book[SHEET_NAME]
    if looks_like_header is not None and len(names) > 1:
        for sheet in book.worksheets:
            if any(looks_like_header(row) for row in _head(book, sheet)):
                return sheet
            info.skipped.append(sheet.title)
        info.skipped.clear()
    return book.worksheets[0]


def read_xlsx_rows(
    path: str,
    display: str,
    *,
    sheet: str | None = None,
    looks_like_header: Callable[[Sequence[Any]], bool] | None = None,
    info: SheetInfo | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[int, list[Any]]]:
    """Rows numbered as Excel shows them (the header is row 1 when it is the first row).

    ``sheet`` names the sheet to read; ``info`` (filled as reading starts) tells which sheet was
    read and which were passed over; ``progress`` is told the bytes (the file's, in the share
    of the sheet read) and the rows read so far, now and then. The file must be a regular file
    within the bounds of :mod:`engine.limits`, checked before anything is inflated. Any failure
    of the reader (a damaged zip, cut-off sheet XML, a part openpyxl does not understand) is
    one :class:`DataError` line, not a traceback.
    """
    info = info if info is not None else SheetInfo()
    book = _open(path, display)
    number, title = 0, sheet or SHEET_NAME
    try:
        try:
            chosen = _choose(book, sheet, display, looks_like_header, info)
        except DataError:
            raise
        except Exception as exc:
            raise DataError(f"{display}: damaged Excel workbook, cannot open it ({_reason(exc)})") from None
        title = info.title = chosen.title
        # read_only mode parses the sheet XML lazily: a damaged sheet fails while iterating.
        total = os.path.getsize(path) if progress is not None else 0
        for number, cells in bounded_rows(_rows(book, chosen, progress, total), display):
            yield number, cells
    except DataError:
        raise
    except _RowTooLong:
        raise DataError(
            f"{display}: row {number + 1}: the row's XML is longer than {limits.MAX_ROW_XML_BYTES} "
            "bytes (the limit for one row of a sheet)"
        ) from None
    except _CellTooLong as exc:
        raise DataError(limits.cell_too_long(display, exc.args[0] if exc.args else number)) from None
    except Exception as exc:  # as above: any failure of the reader is the file's fault
        after = f" after row {number}" if number else ""
        raise DataError(
            f"{display}: damaged Excel workbook: sheet {title!r} cannot be read{after} ({_reason(exc)})"
        ) from None
    finally:
        book.close()
