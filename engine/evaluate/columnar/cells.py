"""Cell checks and number parsing straight from an Arrow text column's bytes, with numpy.

Every function here decides only what it can prove from the bytes (valid UTF-8, as Arrow has
checked) and reports the rest as "not plain", for the caller to hand to the per-record reader's
own converter (:func:`.reading.convert`). What is "plain":

- text: not starting or ending with a character ``str.strip()`` removes (:data:`SPACES`, each
  matched by its UTF-8 bytes at either end of the cell), at most a bound of characters;
- a number: ``-?[0-9]+(\\.[0-9]+)?`` with at most :data:`MAX_DIGITS` digits and not a negative
  zero, which ``Decimal`` reads as the coefficient of its digits over ``10**places`` (a subset
  of the one grammar of a number, :data:`engine.io.fields.NUMBER`, whose converter reads the
  rest: ``1e3``, ``+5``, and refuses ``1_000``);
- a day: ``[0-9]{4}-[0-9]{2}-[0-9]{2}`` in ASCII.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

import engine.arrowcompute as ac
from engine.evaluate.columnar.numbers import Ints, Mask

#: The last character ``str.isspace`` holds (U+3000 IDEOGRAPHIC SPACE, since Unicode 6.3;
#: tests/test_columnar.py checks every code point): the search below stops there, where a
#: search of all of Unicode would cost every run 0.2 s of start-up.
LAST_SPACE = 0x3000
#: Every character Python's ``str.strip()`` removes: a cell starting or ending with one is
#: read by the per-record reader (it strips, then compares).
SPACES = "".join(chr(c) for c in range(LAST_SPACE + 1) if chr(c).isspace())
#: The most digits a plain number may have here: ``10**18 - 1`` fits an int64, as does every
#: ``10**places`` up to ``10**18``.
MAX_DIGITS = 18
#: Longest plain number in bytes: a sign, the digits and a point.
_MAX_NUMBER_BYTES = MAX_DIGITS + 2


def _space_tables() -> tuple[Mask, Mask, Mask, Mask, Ints]:
    """The spaces' UTF-8 encodings: which bytes start one and which end one (to pick the few
    cells worth a closer look), one-byte ones as a table over bytes, two-byte ones as a table
    over ``b0 << 8 | b1``, three-byte ones as sorted ``b0 << 16 | b1 << 8 | b2``."""
    head, tail = np.zeros(256, bool), np.zeros(256, bool)
    one, two = np.zeros(256, bool), np.zeros(1 << 16, bool)
    three: list[int] = []
    for char in SPACES:
        code = char.encode("utf-8")
        head[code[0]] = tail[code[-1]] = True
        if len(code) == 1:
            one[code[0]] = True
        elif len(code) == 2:
            two[code[0] << 8 | code[1]] = True
        else:
            assert len(code) == 3
            three.append(code[0] << 16 | code[1] << 8 | code[2])
    return head, tail, one, two, np.array(sorted(three), np.int64)


_HEAD, _TAIL, _ONE, _TWO, _THREE = _space_tables()


@dataclass(frozen=True)
class Layout:
    """A text column's cells as byte ranges: each cell's start and length in ``data`` (the
    column's bytes, not copied)."""

    starts: Ints
    lengths: Ints
    data: Any

    def byte(self, at: Ints) -> Any:
        """The bytes at ``at`` (past the end: the last byte, or 0 in an empty column; callers
        check a cell's length before they trust what it reads)."""
        if not len(self.data):
            return np.zeros(len(at), np.uint8)
        return self.data[np.minimum(at, len(self.data) - 1)]


def bits(mask: pa.Array) -> Mask:
    """An Arrow boolean array without nulls as a numpy one (its bitmap unpacked)."""
    start, n = mask.offset, len(mask)
    raw = np.frombuffer(mask.buffers()[1], np.uint8, (start + n + 7) // 8)
    out: Mask = np.unpackbits(raw, count=start + n, bitorder="little")[start:].view(bool)
    return out


def lengths(series: pa.Array) -> Ints | None:
    """Each cell's length in bytes (None: a column with nulls, or not text)."""
    found = _offsets(series)
    return None if found is None else np.diff(found)


def _offsets(series: pa.Array) -> Ints | None:
    if series.null_count or series.type not in (pa.string(), pa.large_string()):
        return None
    width = np.int32 if series.type == pa.string() else np.int64
    found = np.frombuffer(
        series.buffers()[1], width, len(series) + 1, series.offset * np.dtype(width).itemsize
    )
    return found.astype(np.int64)


def layout(series: pa.Array) -> Layout | None:
    """The column's :class:`Layout`; None for a column with nulls, or not text."""
    offsets = _offsets(series)
    if offsets is None:
        return None
    buffer = series.buffers()[2]
    data = np.frombuffer(buffer, np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    return Layout(offsets[:-1] - offsets[0], np.diff(offsets), data[offsets[0] : offsets[-1]])


def _space_at(cells: Layout, at: Ints, room: Ints, size: int | None = None) -> Mask:
    """Whether a space's encoding (of ``size`` bytes; None: any) starts at each ``at``, with
    ``room`` bytes left in its cell."""
    b0 = cells.byte(at).astype(np.int64)
    b1 = cells.byte(at + 1).astype(np.int64)
    found: Mask = np.zeros(len(at), bool)
    if size in (None, 1):
        found |= _ONE[b0] & (room >= 1)
    if size in (None, 2):
        found |= _TWO[b0 << 8 | b1] & (room >= 2)
    if size in (None, 3):
        three = b0 << 16 | b1 << 8 | cells.byte(at + 2).astype(np.int64)
        found |= (room >= 3) & np.isin(three, _THREE)
    return found


def leading_space(cells: Layout) -> Mask:
    """Per cell, whether it starts with a space: only the cells whose first byte may start
    one are looked at closer."""
    starts, lengths = cells.starts, cells.lengths
    out: Mask = np.zeros(len(starts), bool)
    rows = np.flatnonzero((lengths > 0) & _HEAD[cells.byte(starts)])
    if len(rows):
        out[rows] = _space_at(cells, starts[rows], lengths[rows])
    return out


def trailing_space(cells: Layout) -> Mask:
    """Per cell, whether it ends with a space: only the cells whose last byte may end one are
    looked at closer (the last 1, 2 or 3 bytes being a space's whole encoding)."""
    lengths = cells.lengths
    ends = cells.starts + lengths
    out: Mask = np.zeros(len(ends), bool)
    rows = np.flatnonzero((lengths > 0) & _TAIL[cells.byte(np.maximum(ends - 1, 0))])
    if len(rows):
        ends, lengths = ends[rows], lengths[rows]
        tail = np.zeros(len(rows), bool)
        for size in (1, 2, 3):
            fits = lengths >= size
            tail |= fits & _space_at(cells, np.maximum(ends - size, 0), np.full(len(rows), size), size)
        out[rows] = tail
    return out


def padded(cells: Layout) -> Mask:
    """Per cell, whether it starts or ends with a space."""
    out: Mask = leading_space(cells) | trailing_space(cells)
    return out


def blank_cells(series: pa.Array, cells: Layout, leading: Mask) -> Mask:
    """Per cell of ``series``, whether it is empty or only spaces (``str.strip`` leaves
    nothing): only the cells with a ``leading`` space are looked at one by one."""
    blank: Mask = cells.lengths == 0
    rows = np.flatnonzero(leading & ~blank)
    if len(rows):
        texts = ac.take(series, rows).to_pylist()
        blank[rows] = [not text.strip() for text in texts]
    return blank


def longer_than(cells: Layout, limit: int) -> Mask:
    """Per cell, whether it has more than ``limit`` characters: a cell of at most ``limit``
    bytes has at most as many characters; only longer ones are counted."""
    starts, lengths, data = cells.starts, cells.lengths, cells.data
    over: Mask = lengths > limit
    for row in np.flatnonzero(over).tolist():
        chunk = data[starts[row] : starts[row] + lengths[row]]
        # UTF-8: every character has exactly one byte that is not a continuation (10xxxxxx)
        over[row] = int(np.count_nonzero((chunk & 0xC0) != 0x80)) > limit
    return over


def iso_days(cells: Layout) -> Mask:
    """Per cell, whether it is ``YYYY-MM-DD`` in ASCII digits."""
    ok: Mask = cells.lengths == 10
    rows = np.flatnonzero(ok)
    if len(rows):  # every such cell's ten bytes at once (all within the column's bytes)
        block = cells.data[cells.starts[rows][:, None] + np.arange(10)]
        digits = (block - 48).astype(np.uint8) < 10
        ok[rows] = digits[:, _DAY_DIGITS].all(axis=1) & (block[:, 4] == 45) & (block[:, 7] == 45)
    return ok


_DAY_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9])


def plain_numbers(series: pa.Array, integer: bool) -> tuple[Mask, Ints, Ints]:
    """Per cell: whether it is a plain number (see the module doc; ``integer``: without a
    point), and its coefficient and ``10**places`` as ``Decimal(cell)`` has them (0 and 1 where
    not plain)."""
    n = len(series)
    found = layout(series)
    if found is None:
        return np.zeros(n, bool), np.zeros(n, np.int64), np.ones(n, np.int64)
    starts, lengths, data = found.starts, found.lengths, np.concatenate([found.data, np.zeros(1, np.uint8)])
    minus = data[starts] == 45
    first = starts + minus
    size = lengths - minus  # digits and the point
    ok: Mask = (size >= 1) & (lengths <= _MAX_NUMBER_BYTES)
    width = int(size[ok].max()) if ok.any() else 0
    value = np.zeros(n, np.int64)
    places = np.zeros(n, np.int64)
    point = np.zeros(n, bool)
    padded_data = np.concatenate([data, np.zeros(width, np.uint8)])
    for place in range(width):
        inside = place < size
        byte = padded_data[first + place]
        digit = (byte - 48).astype(np.uint8)
        is_digit = inside & (digit < 10)
        is_point = inside & (byte == 46)
        # a point: one, not first, not last; anything else but a digit: not plain
        ok &= ~inside | is_digit | (is_point & ~point & (place > 0) & (place < size - 1))
        value = np.where(is_digit, value * 10 + digit, value)
        places += is_digit & point
        point |= is_point
    ok &= size - point <= MAX_DIGITS
    ok &= ~(minus & (value == 0))  # Decimal's -0 (the plan keeps no sign of zero)
    if integer:
        ok &= ~point
    value = np.where(ok, np.where(minus, -value, value), 0)
    den = np.where(ok, np.power(10, np.where(ok, places, 0), dtype=np.int64), 1)
    return ok, value, den
