"""Results kept in a temp file as they are made, read back in order: a calibration's groups.

A calibration of a kumho-like population has a group per some fifteen people, and each group's
calibration lists members (who moved, who has no final grade): held as objects until the report
was written, they were per-person memory (bench/RESULTS.md, issue 12 point 1). :class:`Spooled`
keeps a batch of items in memory and writes each full batch to an unnamed temp file (pickled,
one ``pickle.dumps`` a batch); it is read a batch at a time, as often as a report needs, in the
order the items came. Memory holds one batch and an offset per batch.
"""

from __future__ import annotations

import pickle
import tempfile
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TypeVar, overload

T = TypeVar("T")

#: Items written to the temp file at a time (and read back at a time).
BATCH = 256


class Spooled(Sequence[T]):
    """Picklable items in the order they were added; each full batch of ``batch`` in a temp file
    (made with the first full batch, removed when the spool is let go or :meth:`close` d).
    Equal to any sequence of equal items."""

    __slots__ = ("_batch", "_count", "_ends", "_file", "_firsts", "_pending", "_spilled")

    def __init__(self, items: Iterable[T] = (), *, batch: int = BATCH) -> None:
        self._batch = max(1, batch)
        self._pending: list[T] = []
        self._file: IO[bytes] | None = None
        self._ends = array("q")  # the file offset after each batch
        self._firsts = array("q")  # the index of each batch's first item
        self._spilled = 0
        self._count = 0
        for item in items:
            self.append(item)

    def append(self, item: T) -> None:
        """Add ``item`` after the others (the batch it completes is written out)."""
        self._pending.append(item)
        self._count += 1
        if len(self._pending) >= self._batch:
            self._spill()

    def flush(self) -> None:
        """Write the items waiting to the file too (a last, shorter batch): none of them is held
        after (a grading's last objects would keep its freed memory from the system)."""
        if self._pending:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="hrpolicy-calibration-")  # noqa: SIM115 (closed by close())
        self._file.seek(0, 2)
        self._file.write(pickle.dumps(self._pending, protocol=pickle.HIGHEST_PROTOCOL))
        self._ends.append(self._file.tell())
        self._firsts.append(self._spilled)
        self._spilled += len(self._pending)
        self._pending = []

    def _read(self, k: int) -> list[T]:
        """Batch ``k`` from the file (each read seeks: several readers may be under way)."""
        assert self._file is not None
        start = self._ends[k - 1] if k else 0
        self._file.seek(start)
        batch: list[T] = pickle.loads(self._file.read(self._ends[k] - start))
        return batch

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[T]:
        for k in range(len(self._ends)):
            yield from self._read(k)
        yield from list(self._pending)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("spooled index out of range")
        if index >= self._spilled:
            return self._pending[index - self._spilled]
        k = bisect_right(self._firsts, index) - 1
        return self._read(k)[index - self._firsts[k]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Spooled({list(self)!r})"

    @property
    def spilled(self) -> int:
        """How many items are in the temp file."""
        return self._spilled

    def close(self) -> None:
        """Remove the temp file now (the items are gone)."""
        if self._file is not None:
            self._file.close()
        self._file, self._ends, self._firsts, self._pending = None, array("q"), array("q"), []
        self._spilled = self._count = 0
