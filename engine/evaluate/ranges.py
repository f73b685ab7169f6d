"""Cutting a CSV file into byte ranges that worker processes read apart
(:mod:`engine.evaluate.parallel`): each range starts on an employee's first row, and the rows
before each range are counted so its rows keep the file's row numbers. A file that a cut could
misread (a quote: a quoted cell may hide a newline; a lone carriage return; an encoding whose
line ends are not 0x0A bytes alone) is not cut. A range is decoded as the whole file is (the
encoding given or detected: the note on a detected one comes with the first range).
"""

from __future__ import annotations

import csv
import itertools
import mmap
import os
from collections.abc import Sequence
from dataclasses import dataclass

import engine.limits as limits
from engine.errors import DataError, UsageError
from engine.io.encoding import file_codec, splits_at_line_ends

#: Files up to this size are read in one process: forking would cost more than it saves.
MIN_BYTES = 8 * 2**20
_CHUNK = 16 * 2**20  # bytes scanned at a time when counting lines


@dataclass(frozen=True)
class Range:
    """Bytes ``[start, end)`` of a file, whose first line is the file's row ``first_row``."""

    start: int
    end: int
    first_row: int


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
    if len(cuts) < 2:
        return None
    cuts.append(size)
    lines = _scan(path, cuts)
    if lines is None:
        return None
    rows = list(itertools.accumulate(lines, initial=2))  # the header is row 1
    return [Range(start, end, row) for (start, end), row in zip(itertools.pairwise(cuts), rows, strict=True)]


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
    if header_end == 0 or header_end >= size or _scan(path, [header_end, size]) is None:
        return None
    return Range(header_end, size, 2)


def _scan(path: str, cuts: Sequence[int]) -> list[int] | None:
    """The newlines of each range between two cuts but the last (the first rows of the ranges
    after them), read a block at a time; None if the file holds a quote (a quoted cell may hide
    a newline) or a carriage return not followed by a newline (it ends a CSV row but not a
    counted line). The last range's newlines are not counted (no range follows it)."""
    counts: list[int] = []
    crs, crlfs, cr_before = 0, 0, False
    buffer = bytearray(_CHUNK)
    ranges = list(itertools.pairwise([0, *cuts]))
    with open(path, "rb") as handle:
        for index, (start, end) in enumerate(ranges):
            handle.seek(start)
            count, left = 0, end - start
            counted = 0 < index < len(ranges) - 1
            while left > 0 and (got := handle.readinto(memoryview(buffer)[: min(_CHUNK, left)])):
                left -= got
                block = buffer if got == _CHUNK else buffer[:got]
                if b'"' in block:
                    return None
                newlines, returns, pairs = _line_ends(block, counted)
                crs, crlfs = crs + returns, crlfs + pairs + (cr_before and block.startswith(b"\n"))
                cr_before = block.endswith(b"\r")
                count += newlines
            if counted:
                counts.append(count)
    return counts if crs == crlfs else None


def _line_ends(block: bytearray, newlines: bool) -> tuple[int, int, int]:
    """The block's newlines (where asked for), carriage returns, and carriage returns followed
    by a newline within it: byte comparisons over the whole block (numpy), several times
    faster than ``bytes.count`` of a two-byte sequence."""
    import numpy as np  # only for big files: the others never plan ranges

    raw = np.frombuffer(block, np.uint8)
    found = int(np.count_nonzero(raw == 10)) if newlines else 0
    if b"\r" not in block:
        return found, 0, 0
    returns = np.flatnonzero(raw == 13)
    after = returns[returns < len(raw) - 1] + 1
    return found, len(returns), int(np.count_nonzero(raw[after] == 10))


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
