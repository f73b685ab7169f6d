"""Every person's id in a forced distribution's rows (:mod:`.compact`): packed as UTF-8 bytes in
one fixed-width array, sorted once, looked up by text (the byte order of UTF-8 is the order of the
texts, so the ids sort and tie-break as the texts do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from engine.errors import DataError

#: Positions and ranks (a population has fewer than 2**31 people).
INDEX = np.int32


class Ids:
    """Every person's id: packed as UTF-8 bytes, sorted once, looked up by text.

    An id holding a NUL character (numpy's fixed-width bytes drop trailing NULs) keeps the
    ids as text objects; everything else is the same.
    """

    def __init__(self, chunks: Sequence[np.ndarray]) -> None:
        """``chunks``: the packed ids in order; a list is emptied as they are joined."""
        parts = chunks if isinstance(chunks, list) else list(chunks)
        if any(c.dtype == object for c in parts):
            parts[:] = [c if c.dtype == object else _decoded(c) for c in parts]
            dtype = np.dtype(object)
        else:  # one width for all (shorter ids padded with NULs, as numpy reads them)
            dtype = np.dtype(f"S{max([c.dtype.itemsize for c in parts] + [1])}")
        self.data = joined(parts, sum(map(len, parts)), dtype, lambda _, chunk: chunk)
        self.packed = self.data.dtype != object
        #: The packed ids' bytes (a person's id is a slice: quick to compare).
        self._raw = self.data.view(np.uint8).data if self.packed else memoryview(b"")
        self._width = self.data.dtype.itemsize if self.packed else 0
        #: The ids ascend, each after the one before (a file sorted by id, its workers' parts in
        #: order): unique, and their order is their positions, kept by no array (the sort's
        #: int64 order and its int32 copy were 8 and 4 bytes a person).
        self.ascending = self.packed and bool(np.all(self.data[1:] > self.data[:-1]))
        self._order = None if self.ascending else np.argsort(self.data, kind="stable").astype(INDEX)
        self._rank: np.ndarray | None = None
        self._last = -1  # the position last found: lookups mostly go in order
        #: Where the last block of ids found started and where the next one would (see positions).
        self._block = (0, 0)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def order(self) -> np.ndarray:
        """The positions in the order of the ids (made when asked, where the ids ascend)."""
        if self._order is None:
            return np.arange(len(self.data), dtype=INDEX)
        return self._order

    def _sorter(self) -> np.ndarray | None:
        """``order`` for a search, None where the ids ascend (their positions are their order)."""
        return self._order

    def text(self, position: int) -> str:
        value = self.data[position]
        return str(value.decode("utf-8", "surrogatepass")) if self.packed else str(value)

    def texts(self, positions: Iterable[int]) -> tuple[str, ...]:
        """The ids at ``positions``, read in one indexing (not a numpy item each)."""
        chosen = self.data[np.fromiter(positions, dtype=np.int64)].tolist()
        if not self.packed:
            return tuple(map(str, chosen))
        return tuple(value.decode("utf-8", "surrogatepass") for value in chosen)

    def rank(self) -> np.ndarray:
        """Each person's place in the order of the ids (the final tie key)."""
        if self._rank is None and self.ascending:
            self._rank = self.order
        if self._rank is None:
            rank = np.empty(len(self.data), dtype=INDEX)
            rank[self.order] = np.arange(len(self.data), dtype=INDEX)
            self._rank = rank
        return self._rank

    def check_unique(self, positions: np.ndarray) -> None:
        """The id is the final tie-breaker and the key of every lookup, so it must be unique
        among the people at ``positions``."""
        if self.ascending:
            return
        order = self.order
        if len(positions) < len(order):
            chosen = np.zeros(len(order), dtype=bool)
            chosen[positions] = True
            order = order[chosen[order]]
        ordered = self.data[order]
        same = np.flatnonzero(ordered[1:] == ordered[:-1])
        if not len(same):
            return
        twice = sorted({self.text(int(order[i])) for i in same})
        shown = ", ".join(twice[:5]) + (f" and {len(twice) - 5} more" if len(twice) > 5 else "")
        raise DataError(f"candidate ids must be unique; repeated: {shown}")

    def _key(self, emp_id: str) -> Any:
        return emp_id.encode("utf-8", "surrogatepass") if self.packed else emp_id

    def _at(self, position: int, key: Any) -> bool:
        """Whether the id at ``position`` is ``key`` (packed: padded with NULs to the width)."""
        if not 0 <= position < len(self.data):
            return False
        if self.packed:
            width = self._width
            return bool(self._raw[position * width : position * width + width] == key)
        return bool(self.data[position] == key)

    def position(self, emp_id: str) -> int | None:
        """The position of the person with this id, or None."""
        if self.packed and "\x00" in emp_id:
            return None  # never packed: an id with a NUL keeps the ids as objects
        key = self._key(emp_id)
        if self.packed:
            if len(key) > self._width:
                return None
            padded = key.ljust(self._width, b"\x00")
        else:
            padded = key
        for at in (self._last + 1, self._last):  # the next person, or the same one again
            if self._at(at, padded):
                self._last = at
                return at
        where = int(np.searchsorted(self.data, key, sorter=self._sorter()))
        if where < len(self.data):
            at = where if self._order is None else int(self._order[where])
            if self._at(at, padded):
                self._last = at
                return at
        return None

    def positions(self, emp_ids: Sequence[str]) -> np.ndarray:
        """:meth:`position` of many ids at once (-1: not found).

        A report looks its rows up block after block in the order they were gathered, once for
        each distribution (the distributions of a run share their ids): each block is first
        compared with the ids right after the previous block, then with the previous block
        itself (one pass over the block each), and only searched for when both differ (a binary
        search through the sort order a person: some 2 microseconds at a million people, 6 s of
        a million-row report).
        """
        if not len(self.data) or not emp_ids:
            return np.full(len(emp_ids), -1, dtype=np.int64)
        if self.packed:
            # encoded at once: the ids joined by NUL, which no packed id holds (one that does
            # makes the joined text hold more NULs than the joins)
            joined = "\x00".join(emp_ids)
            if joined.count("\x00") != len(emp_ids) - 1:
                return np.array(
                    [-1 if (p := self.position(e)) is None else p for e in emp_ids], dtype=np.int64
                )
            keys = np.array(joined.encode("utf-8", "surrogatepass").split(b"\x00"), dtype="S")
        else:
            keys = np.array(emp_ids, dtype=object)
        for start in (self._block[1], self._block[0]):
            stop = start + len(keys)
            if stop <= len(self.data) and bool(np.all(self.data[start:stop] == keys)):
                self._block = (start, stop)
                return np.arange(start, stop, dtype=np.int64)
        where = np.minimum(np.searchsorted(self.data, keys, sorter=self._sorter()), len(self.data) - 1)
        found = where if self._order is None else self._order[where]
        out = np.where(self.data[found] == keys, found, -1)
        if out[0] >= 0 and out[-1] >= 0:
            self._block = (int(out[0]), int(out[-1]) + 1)
        return out


def joined(
    chunks: list[Any], size: int, dtype: np.dtype[Any], part: Callable[[int, Any], np.ndarray]
) -> np.ndarray:
    """``part(k, chunk)`` of every chunk (``size`` values in all), end to end in one array of
    ``dtype``; ``chunks`` is emptied as they are copied, so that the whole and the parts are
    not held together."""
    out = np.empty(size, dtype=dtype)
    at, k = 0, 0
    chunks.reverse()
    while chunks:
        values = part(k, chunks.pop())
        out[at : at + len(values)] = values
        at, k = at + len(values), k + 1
    return out


def _decoded(chunk: np.ndarray) -> np.ndarray:
    return np.array([b.decode("utf-8", "surrogatepass") for b in chunk.tolist()], dtype=object)


def id_chunk(ids: Sequence[str]) -> np.ndarray:
    joined = "\x00".join(ids)  # encoded at once (an id holding a NUL makes more NULs than joins)
    if joined.count("\x00") != len(ids) - 1:
        return np.array(list(ids), dtype=object)
    return np.array(joined.encode("utf-8", "surrogatepass").split(b"\x00"), dtype="S")
