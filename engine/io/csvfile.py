"""CSV files: UTF-8 text (with or without a byte-order mark) or another encoding, read as numbered rows.

A file that is not UTF-8 is read in the encoding given (``--encoding``) or, without one, in
the encoding charset-normalizer finds in a sample of it (Excel on Korean Windows saves CP949,
on Japanese Windows Shift_JIS): :mod:`engine.io.encoding`; the caller gets the name of the
encoding used to say so.

:func:`read_csv_rows` reads a whole file; :func:`read_csv_part` reads the header and one byte
range of it, decoded as the whole file is, so that processes can share a big file (see
:mod:`engine.evaluate.parallel`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator

import engine.limits as limits
from engine.errors import DataError
from engine.io.encoding import choose_encoding, file_codec, known_encoding, splits_at_line_ends
from engine.limits import bounded_rows, check_table_size
from engine.loader.text import BOM_MESSAGE, BOM_SUGGESTION

Rows = Iterator[tuple[int, list[str]]]


__all__ = [
    "Undecodable",
    "choose_encoding",
    "header_end",
    "known_encoding",
    "read_csv_part",
    "read_csv_rows",
    "read_id_rows",
]


def _first_bad_line(path: str, codec: str = "utf-8") -> tuple[int, int]:
    """Line number and first byte of the line that is not ``codec`` text (only run when decoding
    failed; ``codec`` decodes a line on its own: :func:`~engine.io.encoding.splits_at_line_ends`)."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode(codec)
            except UnicodeDecodeError as exc:
                return number, line[exc.start]
    return 0, 0


class Undecodable(DataError):
    """A byte the file's encoding cannot decode. A reader of byte ranges (which takes a CSV
    file for UTF-8) gives up on such a file and leaves it to the whole read, which detects
    the encoding or names the bad line."""


def _guarded(rows: Iterable[tuple[int, list[str]]], path: str, display: str) -> Rows:
    """``rows`` of a UTF-8 file, with every way reading them can fail turned into one line."""

    def undecodable(_: int) -> str:
        line, byte = _first_bad_line(path)
        return (
            f"{display}: line {line} is not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8')"
        )

    return _checked(rows, display, undecodable)


def _checked(rows: Iterable[tuple[int, list[str]]], display: str, undecodable: Callable[[int], str]) -> Rows:
    """``rows`` within the bounds, every failure one :class:`DataError` line; ``undecodable``
    words a decoding failure after the given row number."""
    number = 0
    try:
        for number, row in bounded_rows(rows, display):
            yield number, row
    except _StrayBom:
        raise DataError(f"{display}: row {number + 1}: {BOM_MESSAGE}; {BOM_SUGGESTION}") from None
    except UnicodeError:  # a decoding error; utf-16 without its byte-order mark raises the base class
        raise Undecodable(undecodable(number)) from None
    except csv.Error as exc:
        raise DataError(_csv_error(display, number + 1, str(exc))) from None
    except OSError as exc:
        raise DataError(f"{display}: cannot read the file: {exc.strerror}") from None


def _csv_error(display: str, row: int, error: str) -> str:
    """The one line for the csv module's ``error`` in record ``row``."""
    if "field larger than field limit" in error:
        return limits.cell_too_long(display, row)
    if error == "unexpected end of data":  # strict: the file ends inside a quoted cell
        cut = 'the file ends inside a quoted cell (its closing " is missing); is the file cut short?'
        return f"{display}: row {row}: {cut}"
    if "expected after" in error:  # strict: "b"c
        return (
            f'{display}: row {row}: text after the closing " of a quoted cell; a " inside a quoted '
            'cell is written twice ("")'
        )
    return f"{display}: not a readable CSV table: {error}"


class _StrayBom(Exception):
    """A byte-order mark after the file's start (the codec skips a leading one)."""


def _text_line(line: str) -> str:
    """A line in Unicode NFC (a line holds whole characters); a byte-order mark in one is
    refused, as every reader refuses it (:data:`engine.loader.text.BOM_MESSAGE`): it would hide
    inside a cell, an id that looks like another."""
    if line.isascii():
        return line
    if "\ufeff" in line:
        raise _StrayBom
    return unicodedata.normalize("NFC", line)


class _PutBack:
    """The lines the csv module reads: a line put back first, then the next ones as text lines."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.line: str | None = None

    def __iter__(self) -> _PutBack:
        return self

    def __next__(self) -> str:
        line, self.line = self.line, None
        return _text_line(next(self.lines)) if line is None else line


def _reader(lines: Iterable[str]) -> Iterator[list[str]]:
    """CSV records of text lines (see :func:`_text_line`).

    Strict: a quoted cell the file ends in (a cut file) or with text after its closing quote is
    an error, never a cell silently made of the rest of the file."""
    # The csv module's bound is process-wide; set here so a test's change of the limit holds.
    csv.field_size_limit(limits.MAX_CELL_CHARS)
    return _records(iter(lines), limits.MAX_CELL_CHARS)


def _records(lines: Iterator[str], limit: int) -> Iterator[list[str]]:
    """The records of ``lines``, a file's read with ``newline=""`` (so that a line holds one
    line end at most, at its end: "\\n", "\\r" or "\\r\\n"). A line without a quote (most
    lines) is split at its commas, which is what the csv module makes of it; the csv module
    reads the others (a quoted cell may span lines) and the lines longer than ``limit`` (a
    cell over the limit is its error)."""
    put_back = _PutBack(lines)
    parse = csv.reader(put_back, strict=True)
    for raw in lines:
        line = _text_line(raw)
        body = line.rstrip("\r\n")
        if '"' in line or len(line) > limit:
            put_back.line = line
            yield next(parse)
        else:
            yield body.split(",") if body else []


#: Rows between two calls of a progress callback.
PROGRESS_ROWS = 4096

#: Told the bytes and the rows read so far.
Progress = Callable[[int, int], None]


def _whole(path: str, encoding: str = "utf-8-sig", progress: Progress | None = None) -> Rows:
    if progress is None:
        with open(path, encoding=encoding, newline="") as handle:
            yield from enumerate(_reader(handle), start=1)
        return
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        yield from _told(enumerate(_reader(text), start=1), raw.tell, progress)


def _told(rows: Rows, tell: Callable[[], int], progress: Progress) -> Rows:
    """``rows``, telling ``progress`` the bytes read (``tell()``) and the rows now and then."""
    count = 0
    for count, item in enumerate(rows, start=1):
        if count % PROGRESS_ROWS == 0:
            progress(tell(), count)
        yield item
    progress(tell(), count)


def read_csv_rows(
    path: str,
    display: str,
    encoding: str = "utf-8-sig",
    progress: Progress | None = None,
    *,
    detected: bool = False,
) -> Rows:
    """Rows numbered from 1 (the header is row 1), streamed so that big files stay small in memory.

    Row numbers count CSV records, which are lines unless a quoted cell spans lines. The file
    must be a regular file within the bounds of :mod:`engine.limits`. ``encoding`` is a codec
    (see :func:`choose_encoding`), ``detected`` when it was detected (a byte it cannot decode
    later in the file is then named by its line); ``progress`` is told the bytes and rows read
    so far, now and then.
    """
    check_table_size(path, display)
    if encoding in ("utf-8-sig", "utf-8"):
        return _guarded(_whole(path, "utf-8-sig", progress), path, display)
    return _guarded_other(_whole(path, encoding, progress), path, display, encoding, detected)


def read_id_rows(path: str, display: str, emp_id: str) -> Rows | None:
    """Row 1 and the other first rows, then only the rows that can hold ``emp_id``'s id cell,
    numbered as :func:`read_csv_rows` numbers them; None when only reading the whole file is
    exact (see :mod:`engine.io.idrows`). The file must be within the bounds, as for a whole read.
    """
    from engine.io.idrows import id_rows

    check_table_size(path, display)
    rows = id_rows(path, emp_id)
    return None if rows is None else _guarded(iter(rows), path, display)


def _guarded_other(
    rows: Iterable[tuple[int, list[str]]], path: str, display: str, encoding: str, detected: bool
) -> Rows:
    """As :func:`_guarded`, for a file read in another encoding than UTF-8: a detected one was
    chosen from a sample of the file, so a byte it cannot decode is named by its line (where the
    codec decodes a line on its own)."""

    def undecodable(number: int) -> str:
        if detected and splits_at_line_ends(encoding):
            line, byte = _first_bad_line(path, encoding)
            return (
                f"{display}: line {line} is not {encoding} text (byte 0x{byte:02x}), the encoding "
                "detected from a sample of the file; give the file's encoding with --encoding or "
                "save it as UTF-8"
            )
        return (
            f"{display}: {f'after row {number}' if number else 'row 1'}: the text is not "
            f"{encoding}; give the file's encoding with --encoding or save it as UTF-8"
        )

    return _checked(rows, display, undecodable)


class _Slice(io.RawIOBase):
    """The next ``size`` bytes of an open binary file, as a stream of their own."""

    def __init__(self, raw: io.FileIO, size: int) -> None:
        super().__init__()
        self._raw = raw
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        with memoryview(buffer) as view:
            count = self._raw.readinto(view[: self._left]) or 0
        self._left -= count
        return count


def _part(path: str, start: int, end: int, first_row: int, progress: Progress | None, codec: str) -> Rows:
    with open(path, encoding=codec, newline="") as handle:
        yield 1, next(_reader([handle.readline()]), [])
    inner = "utf-8" if codec == "utf-8-sig" else codec  # (a byte-order mark is the file's start only)
    with open(path, "rb", buffering=0) as raw:
        raw.seek(start)
        text = io.TextIOWrapper(io.BufferedReader(_Slice(raw, end - start)), encoding=inner, newline="")
        rows = enumerate(_reader(text), start=first_row)
        yield from rows if progress is None else _told(rows, lambda: raw.tell() - start, progress)


def header_end(path: str) -> int:
    """Where the file's second line starts (the first range of a file read in parts)."""
    with open(path, "rb") as handle:
        return len(handle.readline())


def read_csv_part(
    path: str, display: str, start: int, end: int, first_row: int, progress: Progress | None = None
) -> Rows:
    """Row 1 (the file's first line, the header), then the rows of bytes ``[start, end)``.

    Those rows are numbered from ``first_row``, the file's row number of the line at ``start``.
    ``start`` and ``end`` must be line starts (or the file's size) and no quoted cell may span
    lines before ``end``: the caller checks (a file without ``"`` is safe). The file is decoded
    as the whole read decodes it (:func:`~engine.io.encoding.file_codec`), in a codec that
    decodes from any line start (:func:`~engine.io.encoding.splits_at_line_ends`; another is
    :class:`Undecodable`: such a file is read whole, by one reader).
    """
    codec, _ = file_codec(path, display)
    if codec == "utf-8-sig":
        return _guarded(_part(path, start, end, first_row, progress, codec), path, display)
    if not splits_at_line_ends(codec):
        raise Undecodable(f"{display}: a file in {codec} is read by one reader, not in parts")
    return _guarded_other(_part(path, start, end, first_row, progress, codec), path, display, codec, False)
