"""Cutting a CSV file into byte ranges that worker processes read apart
(:mod:`engine.evaluate.parallel`): each range starts on an employee's first row, and the rows
before each range are counted so its rows keep the file's row numbers. A file that a cut could
misread (a quote: a quoted cell may hide a newline; a lone carriage return; an encoding whose
line ends are not 0x0A bytes alone) is not cut. A range is decoded as the whole file is (the
encoding given or detected: the note on a detected one comes with the first range).
"""

from __future__ import annotations

import csv
import functools
import itertools
import mmap
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import engine.limits as limits
from engine.errors import DataError, UsageError
from engine.io.encoding import file_codec, splits_at_line_ends

#: Files up to this size are read in one process: forking would cost more than it saves.
MIN_BYTES = 8 * 2**20
_CHUNK = 16 * 2**20  # bytes scanned at a time (a multiple of mmap.ALLOCATIONGRANULARITY)


@dataclass(frozen=True)
class Range:
    """Bytes ``[start, end)`` of a file, whose first line is the file's row :attr:`first_row`.

    ``row`` is the file's row of the line at byte ``row_at`` (default: at ``start``); the lines
    between the two are counted on first use (``path``).
    """

    start: int
    end: int
    row: int
    row_at: int = -1
    path: str = ""

    @property
    def counted(self) -> bool:
        """Whether :attr:`first_row` is known without counting (any more) lines."""
        return self._given or "first_row" in self.__dict__

    @property
    def _given(self) -> bool:
        """Whether ``row`` is the row of the range's first line itself."""
        return self.row_at < 0 or self.row_at == self.start

    @functools.cached_property
    def first_row(self) -> int:
        """The file's row of the range's first line. A planned range's is counted here, on first
        use: in the worker that reads it, after the fork, rather than by a serial scan of all the
        lines before it in the parent while the workers wait (0.06-0.09 s a 100,000-employee file)."""
        if self._given:
            return self.row
        return self.row + _newlines(self.path, self.row_at, self.start)


def plan_ranges(path: str, workers: int, min_bytes: int | None = None) -> list[Range] | None:
    """Ranges of ``path`` that ``workers`` processes can read apart, or None: read it whole.

    ``min_bytes``: a file this size or smaller is read whole (default :data:`MIN_BYTES`).
    Each range starts on a line whose employee id differs from the line before it, so one
    employee's consecutive rows stay in one range.
    """
    size = os.path.getsize(path)
    if workers < 2 or size == 0 or size <= (MIN_BYTES if min_bytes is None else min_bytes):
        return None
    if size > limits.MAX_TABLE_BYTES:
        return None  # the reader refuses it at once; a search for its first line end would not
    # The mmap is for the few lines near each cut only: a scan of the whole file through it
    # would map every page into this process (its RSS would grow by the file's size).
    codec = _split_codec(path)
    if codec is None:
        return None
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        header_end = data.find(b"\n") + 1
        id_col = _id_column(data[:header_end], codec) if header_end else None
        if id_col is None:
            return None
        cuts = [header_end]
        for k in range(1, workers):
            cut = _employee_start(data, max(size * k // workers, cuts[-1]), id_col)
            if cut > cuts[-1] and cut < size:
                cuts.append(cut)
    if len(cuts) < 2 or not _cuttable(path, 0, header_end):
        return None
    cuts.append(size)
    # (The header is row 1; each range's first row is counted, and its bytes checked, by the
    # worker that reads it: require_cuttable.)
    return [Range(start, end, 2, header_end, path) for start, end in itertools.pairwise(cuts)]


class UncutFile(Exception):
    """A planned range holds what a reader starting at a line's start could misread: the file
    is read whole, in one process (a worker that raises it fails; its run is not used)."""


def require_cuttable(part: Range) -> None:
    """Raise :class:`UncutFile` unless the bytes of ``part`` (a range :func:`plan_ranges` made)
    hold no quote and no lone carriage return. Each worker checks its own range before reading
    it, in parallel, rather than the parent the whole file before the fork (0.13 s of the
    parent's for 100,000 employees with CRLF line ends, 1.25 s for a million, on a loaded
    machine); a reader that checks every block it reads instead calls :func:`require_uncut` on
    each."""
    if part.path and not _cuttable(part.path, part.start, part.end):
        raise UncutFile(part.path)


def require_uncut(part: Range, block: bytes) -> None:
    """:func:`require_cuttable`'s check of the whole lines ``block`` of ``part``: for a reader
    that reads every byte of its range anyway (and so need not read it twice)."""
    if part.path and (b'"' in block or block.count(b"\r") != block.count(b"\r\n")):
        raise UncutFile(part.path)


def whole_range(path: str) -> Range | None:
    """The file after its first line as one range (row 2 on), or None where :func:`plan_ranges`
    would not cut it either (a quote, a lone carriage return, no line end, no ``id`` in the first
    line, an encoding the ranges are not decoded in)."""
    codec = _split_codec(path)
    if codec is None:
        return None
    with open(path, "rb") as handle:
        header = handle.readline()
    header_end, size = len(header), os.path.getsize(path)
    if _id_column(header, codec) is None:
        return None  # title rows above the header: the reader finds it
    if header_end == 0 or header_end >= size or not _cuttable(path, 0, size):
        return None
    return Range(header_end, size, 2)


def _blocks(path: str, start: int, end: int) -> Iterator[bytes | bytearray]:
    """The bytes ``[start, end)`` of ``path``, a block of at most :data:`_CHUNK` at a time (one
    buffer, reused: a block is valid until the next is read)."""
    buffer = bytearray(_CHUNK)
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0 and (got := handle.readinto(memoryview(buffer)[: min(_CHUNK, left)])):
            left -= got
            yield buffer if got == _CHUNK else buffer[:got]


def _cuttable(path: str, start: int, stop: int) -> bool:
    """Whether no line of bytes ``[start, stop)`` of the file (whole lines) can be misread by a
    reader starting at a line's start: no quote (a quoted cell may hide a newline) and no
    carriage return but before a newline (a lone one ends a CSV row but not a line). Two byte
    searches a block (memchr speed), no counting; a block is searched in a window of the file
    mapped in turn (no copy: 107 MB in 15 ms here, against 28 ms read), so that this process's
    RSS holds one block, not the file."""
    crs, crlfs, cr_before = 0, 0, False
    with open(path, "rb") as handle:
        for offset in range(start, stop, _CHUNK):
            base = offset - offset % mmap.ALLOCATIONGRANULARITY  # (where a mapping may start)
            end = min(offset + _CHUNK, stop)
            with mmap.mmap(handle.fileno(), end - base, access=mmap.ACCESS_READ, offset=base) as window:
                first, last = offset - base, end - base
                if window.find(b'"', first, last) >= 0:
                    return False
                if window.find(b"\r", first, last) >= 0:
                    returns, pairs = _returns(window, first, last)
                    crs, crlfs = crs + returns, crlfs + pairs
                crlfs += cr_before and window[first] == ord("\n")
                cr_before = window[last - 1] == ord("\r")
    return crs == crlfs


def _returns(window: mmap.mmap, first: int, last: int) -> tuple[int, int]:
    """The carriage returns of bytes ``[first, last)`` of ``window``, and those followed by a
    newline within them: byte comparisons over the whole block (numpy), several times faster
    than ``bytes.count`` of a two-byte sequence."""
    import numpy as np  # only for big files with carriage returns: the others never plan ranges

    raw = np.frombuffer(window, np.uint8, last - first, first)
    returns = np.flatnonzero(raw == 13)
    after = returns[returns < len(raw) - 1] + 1
    found = len(returns), int(np.count_nonzero(raw[after] == 10))
    del raw  # (the window cannot be closed while an array shares its memory)
    return found


def rows_within(path: str, parts: Sequence[Range], lines: Sequence[int | None]) -> bool:
    """Whether a file read in ``parts`` holds at most :data:`~engine.limits.MAX_ROWS` rows.
    ``lines``: each part's lines where its reader counted them and checked only those (the
    columnar plan, which counts no line before its range unless it must word a problem); None
    where the reader checked its rows' own numbers (those parts' lines are counted here, if
    another part's reader did not check)."""
    if all(count is None for count in lines):
        return True
    total = 1 + sum(
        count if count is not None else _lines(path, part.start, part.end)
        for part, count in zip(parts, lines, strict=True)
    )
    return total <= limits.MAX_ROWS


def _lines(path: str, start: int, end: int) -> int:
    """The lines of bytes ``[start, end)`` of ``path``, the last one with or without its newline."""
    if end <= start:
        return 0
    with open(path, "rb") as handle:
        handle.seek(end - 1)
        unended = handle.read(1) != b"\n"
    return _newlines(path, start, end) + unended


def _newlines(path: str, start: int, end: int) -> int:
    """The newlines of bytes ``[start, end)`` of ``path`` (``bytes.count``: memchr speed)."""
    return sum(block.count(b"\n") for block in _blocks(path, start, end))


def _split_codec(path: str) -> str | None:
    """The codec the file's ranges are decoded in (:func:`engine.io.encoding.file_codec`), or
    None: not cut, a codec a range cannot be decoded in from its first line on (UTF-16,
    UTF-32, ISO-2022: one reader reads the file)."""
    try:
        codec, _ = file_codec(path, path)
    except (DataError, UsageError):
        return None  # (the reader says what is wrong)
    return codec if splits_at_line_ends(codec) else None


def _id_column(line: bytes, codec: str) -> int | None:
    try:
        header = next(csv.reader([line.decode(codec)]), [])
    except UnicodeDecodeError:
        return None
    names = [cell.strip() for cell in header]
    return names.index("id") if "id" in names else None


def line_id(line: bytes, id_col: int) -> bytes:
    """The id cell of one CSV line (raw bytes, stripped)."""
    cells = line.split(b",")
    return cells[id_col].strip() if id_col < len(cells) else b""


def _employee_start(data: mmap.mmap, near: int, id_col: int) -> int:
    """The first line start at or after ``near`` whose id differs from the line before it."""
    start = data.find(b"\n", near - 1) + 1
    if start == 0:
        return len(data)
    previous = line_id(data[data.rfind(b"\n", 0, start - 1) + 1 : start], id_col)
    while start < len(data):
        end = data.find(b"\n", start) + 1 or len(data)
        current = line_id(data[start:end], id_col)
        if current != previous:
            return start
        start = end
    return len(data)
