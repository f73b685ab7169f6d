"""The rows of one employee in a big CSV file, found by their bytes instead of reading every row.

``hrpolicy explain --employee X`` needs the header and X's rows only. Splitting every line of a
100,000-employee file into cells costs seconds; searching the text for X's id costs a few
hundredths. :func:`id_rows` gives the rows :func:`engine.io.csvfile.read_csv_rows` would give
for the lines that can hold the id (the first lines, where the header is looked for, and every
line in which the id's text occurs), numbered as that reader numbers them, and ``None`` whenever
the answer could differ from the whole read, so that the caller reads the file whole:

* the file is not UTF-8 (the encoding is detected and noted by the whole read);
* a quoted cell spans lines or a bare carriage return ends one (rows are then not lines);
* a line could break a bound of :mod:`engine.limits` (too many rows, columns or characters in a
  cell), or the file holds a byte-order mark after its start: the whole read says which, at
  which row.

Text is put in Unicode NFC a chunk at a time, as the whole read does a line at a time (a line
break composes with nothing, so both give the same lines), and searched after that; a chunk
in NFC already (nearly always) is searched as bytes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from unicodedata import is_normalized

import engine.limits as limits
from engine.io.fields import is_absent
from engine.limits import nfc

Row = list[str]

#: Bytes read at a time: memory stays at a few of these, whatever the file's size.
CHUNK_BYTES = 4 << 20

#: Rows that are not blank read in full from the top: the header search looks at 30 title
#: rows at most (engine.io.table's ``_find_header``), plus the header itself.
HEAD_ROWS = 31

_BOM = b"\xef\xbb\xbf"


class _NotLines(Exception):
    """The text cannot be searched line by line as the whole read would see it."""


def _parse(line: str) -> Row:
    """The cells of one line; a quoted cell left open at the line's end spans lines."""
    csv.field_size_limit(limits.MAX_CELL_CHARS)
    try:
        row = next(csv.reader([line], strict=True), [])
    except csv.Error:
        raise _NotLines from None  # a cell over the bound, bad quoting: the whole read words it
    if row and row[-1].endswith("\n"):
        raise _NotLines
    return row


def _pieces(path: str) -> Iterator[bytes]:
    """The file's bytes in pieces that end at a line break (the last one may not), without the
    byte-order mark."""
    with open(path, "rb") as handle:
        carry = handle.read(len(_BOM))
        carry = b"" if carry == _BOM else carry
        while chunk := handle.read(CHUNK_BYTES):
            chunk = carry + chunk
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:
                carry = chunk
                continue
            carry = chunk[cut:]
            yield chunk[:cut]
        if carry:
            yield carry


class _Piece:
    """A piece of the file as searched: its UTF-8 bytes when they are in NFC already (searching
    bytes is several times faster than searching text beyond Latin-1), else its NFC text; and
    where its lines end."""

    def __init__(self, raw: bytes) -> None:
        import numpy as np

        text = raw.decode("utf-8")  # UnicodeDecodeError: not UTF-8, the whole read says more
        if _BOM in raw:
            raise _NotLines  # a byte-order mark after the start: the whole read refuses it
        self.raw = raw
        self.data: bytes | str = raw if text.isascii() or is_normalized("NFC", text) else nfc(text)
        codes = np.frombuffer(raw, dtype=np.uint8)
        self.ends = np.flatnonzero(codes == 10) + 1  # of the lines, in bytes
        after = np.flatnonzero(codes == 13) + 1  # a carriage return ends a row only before \n
        if len(after) and (after[-1] >= len(raw) or bool((codes[after] != 10).any())):
            raise _NotLines
        starts = np.concatenate(([0], self.ends))
        bounds = np.concatenate((self.ends, [len(raw)]))
        # Only a line longer than MAX_COLUMNS bytes can hold too many cells or a cell too long.
        long = np.flatnonzero(bounds - starts > limits.MAX_COLUMNS)
        self.long = [(int(starts[i]), int(bounds[i])) for i in long]

    def find(self, needle: str, start: int, end: int | None = None) -> int:
        return self.data.find(self._of(needle), start, end)  # type: ignore[arg-type]

    def rfind(self, needle: str, start: int, end: int) -> int:
        return self.data.rfind(self._of(needle), start, end)  # type: ignore[arg-type]

    def breaks(self, start: int, end: int) -> int:
        """The line breaks in ``data[start:end]``."""
        if isinstance(self.data, bytes):
            return int(self.ends.searchsorted(end, "right") - self.ends.searchsorted(start, "right"))
        return self.data.count("\n", start, end)

    def line(self, start: int) -> tuple[int, str]:
        """The end of the line starting at ``start``, and its text."""
        end = self.find("\n", start) + 1 or len(self.data)
        part = self.data[start:end]
        return end, part.decode("utf-8") if isinstance(part, bytes) else part

    def _of(self, text: str) -> bytes | str:
        return text.encode("utf-8") if isinstance(self.data, bytes) else text


def _check_piece(piece: _Piece) -> None:
    """Raise :class:`_NotLines` when a line of ``piece`` is not one whole row within the bounds."""
    for start, end in piece.long:
        if len(_parse(nfc(piece.raw[start:end].decode("utf-8")))) > limits.MAX_COLUMNS:
            raise _NotLines
    start = piece.find('"', 0)
    while start >= 0:  # every line holding a quote must close its quoted cells
        end, line = piece.line(piece.rfind("\n", 0, start) + 1)
        _parse(line)
        start = piece.find('"', end)


class _Search:
    """The rows of one piece after another: the first rows in full, then the lines in which
    the id occurs."""

    def __init__(self, emp_id: str) -> None:
        self.emp_id = emp_id
        self.head = HEAD_ROWS  # rows that are not blank still to read in full
        self.lines = 0  # lines of the pieces before

    def rows(self, piece: _Piece) -> list[tuple[int, Row | str]]:
        """The first rows, split into cells, then the lines holding the id, as text (split
        when they are read: an id named in other employees' cells too, a manager's, keeps
        a line each, not its cells)."""
        found: list[tuple[int, Row | str]] = []
        start, size = 0, len(piece.data)
        while self.head > 0 and start < size:
            start, line = piece.line(start)
            row = _parse(line)
            self.lines += 1
            found.append((self.lines, row))
            self.head -= not all(is_absent(cell) for cell in row)
        number, counted = self.lines, start
        hit = piece.find(self.emp_id, start)
        while hit >= 0:
            begin = piece.rfind("\n", 0, hit) + 1
            number += piece.breaks(counted, begin) + 1
            counted, line = piece.line(begin)
            found.append((number, line))
            hit = piece.find(self.emp_id, counted)
        last_open = start < size and piece.data[-1:] not in (b"\n", "\n")
        self.lines += piece.breaks(start, size) + last_open
        return found


def id_rows(path: str, emp_id: str) -> Iterator[tuple[int, Row]] | None:
    """The numbered rows of a UTF-8 CSV file that can hold ``emp_id``'s id cell (a superset:
    the caller keeps the rows whose id cell is ``emp_id``), and the first rows, where the
    header is; None when only the whole read is exact (see the module's docstring)."""
    if not emp_id:
        return None
    search = _Search(nfc(emp_id))
    found: list[tuple[int, Row | str]] = []
    try:
        for raw in _pieces(path):
            piece = _Piece(raw)
            _check_piece(piece)
            found += search.rows(piece)
    except (_NotLines, UnicodeDecodeError):
        return None
    if search.lines > limits.MAX_ROWS:
        return None
    # (a line holding a quote or longer than MAX_COLUMNS bytes was split when checked: none fails)
    return ((number, _parse(row) if isinstance(row, str) else row) for number, row in found)
