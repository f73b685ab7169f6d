"""A spool of problems: kept in order, in memory up to a small threshold, then in a temp file.

A streamed run finds problems one employee at a time and reports them all at the end; a million
employees each with a problem would otherwise hold a million :class:`~engine.errors.Problem`
objects. :class:`ProblemSpool` keeps at most :data:`THRESHOLD` of them in memory: past it the
batch is pickled (as plain tuples) to an anonymous temp file, which the system removes when it is
closed (:meth:`ProblemSpool.close`, or when the spool is let go), on success and on failure.
Iterating reads the batches back in order, one at a time; a spool reads as any sequence of
problems (``len``, truth, iteration, indexing), so a report renders it as it renders a tuple.
:class:`RowSpool` keeps rows of text the same way (a page's table of a million rows).

A spool made in a worker process goes back to its parent pickled (:mod:`engine.evaluate.parallel`):
inside :func:`shared_in` its batches go to a named file in a folder the parent made (and removes),
which the parent's copy reads again by name.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, Generic, TypeVar, overload

from engine.errors import Problem

#: Problems held in memory before a batch goes to the temp file (read when a spool is made,
#: so a test can set it tiny).
THRESHOLD = 4096

T = TypeVar("T")

#: Where spools spill to named files, in a worker process (None: anonymous temp files).
_SHARED: str | None = None


@contextlib.contextmanager
def shared_in(folder: str) -> Iterator[None]:
    """Within the block, spools made spill to named files in ``folder`` (which outlives them,
    and is removed by whoever made it), so that a spool pickled to another process can be read
    there: for a worker process sending its problems to its parent."""
    global _SHARED
    before, _SHARED = _SHARED, folder
    try:
        yield
    finally:
        _SHARED = before


class ReadThrough(Sequence[T]):
    """A sequence read by iterating, its length known (a spool, a view over one): indexing reads
    it through (for tests and small ones); equal to a list, a tuple or another of the same items
    in the same order."""

    def __iter__(self) -> Iterator[T]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ReadThrough | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _Spool(ReadThrough[T], Generic[T]):
    """Items in the order they were added; those past ``threshold`` kept in a temp file, as the
    plain rows :meth:`_row` makes of them (:meth:`_item` makes them again)."""

    def __init__(self, items: Iterable[T] = (), *, threshold: int | None = None) -> None:
        self._threshold = max(1, THRESHOLD if threshold is None else threshold)
        self._memory: list[T] = []
        self._file: IO[bytes] | None = None
        self._name: str | None = None  # the file's name when it has one (made inside shared_in)
        self._ends: list[int] = []  # the file offset after each batch
        self._spilled = 0
        self.extend(items)

    def _row(self, item: T) -> Any:
        raise NotImplementedError

    def _item(self, row: Any) -> T:
        raise NotImplementedError

    @property
    def spilled(self) -> int:
        """How many items are in the temp file."""
        return self._spilled

    def append(self, item: T) -> None:
        """Add ``item`` at the end."""
        self._memory.append(item)
        if len(self._memory) >= self._threshold:
            self._spill()

    def extend(self, items: Iterable[T]) -> None:
        """Add every one of ``items`` at the end, in order."""
        for item in items:
            self.append(item)

    def flush(self) -> None:
        """Write the items waiting in memory to the temp file too (a shorter batch): none of them
        is held after (a calibration's last objects would keep a grading's freed memory)."""
        if self._memory:
            self._spill()

    def _spill(self) -> None:
        if self._file is None and _SHARED is not None:
            # named, in the folder of a run shared between processes (which removes it)
            self._file = tempfile.NamedTemporaryFile(prefix="hrpolicy-problems-", dir=_SHARED, delete=False)  # noqa: SIM115
            self._name = self._file.name
        if self._file is None:
            # kept open for the spool's life (closed by close()): anonymous, so never left behind
            self._file = tempfile.TemporaryFile(prefix="hrpolicy-problems-")  # noqa: SIM115
        row = self._row
        rows = [row(item) for item in self._memory]
        self._file.seek(self._ends[-1] if self._ends else 0)
        pickle.dump(rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._ends.append(self._file.tell())
        self._spilled += len(rows)
        self._memory = []

    def __len__(self) -> int:
        return self._spilled + len(self._memory)

    def __iter__(self) -> Iterator[T]:
        start, item = 0, self._item
        for end in list(self._ends):  # a batch at a time; the position kept here, not in the file
            assert self._file is not None
            self._file.seek(start)
            rows: list[Any] = pickle.load(self._file)
            start = end
            yield from (item(row) for row in rows)
        yield from list(self._memory)

    def close(self) -> None:
        """Remove the temp file; the spool is empty afterwards."""
        if self._file is not None:
            self._file.close()
        if self._name is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._name)
        self._file, self._name, self._ends, self._spilled, self._memory = None, None, [], 0, []

    def __getstate__(self) -> dict[str, Any]:
        """What goes to another process: the batches' file by its name (see :func:`shared_in`)."""
        if self._file is not None and self._name is None:
            raise TypeError("a spool with an anonymous temp file cannot leave its process")
        if self._file is not None:
            self._file.flush()
        state = dict(self.__dict__)
        state["_file"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self._name is not None:
            self._file = open(self._name, "r+b")  # noqa: SIM115 (closed by close())

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


S = TypeVar("S", bound=_Spool[Any])


class Head(ReadThrough[T]):
    """The first ``count`` items of ``items`` (a spool the rest of a run follows), read through
    them: a view, nothing copied."""

    def __init__(self, items: Sequence[T], count: int) -> None:
        self._items, self._count = items, count

    def __iter__(self) -> Iterator[T]:
        return itertools.islice(self._items, self._count)

    def __len__(self) -> int:
        return min(self._count, len(self._items))


class ProblemSpool(_Spool[Problem]):
    """Problems in the order they were added; those past ``threshold`` kept in a temp file."""

    def _row(self, item: Problem) -> tuple[str | None, int | None, str, str, str, bool]:
        return (item.employee_id, item.indicator, item.rule, item.message, item.origin, item.row_without_id)

    def _item(self, row: Any) -> Problem:
        return Problem(*row)


class RowSpool(_Spool[list[str]]):
    """Rows of text (a table's) in the order they were added; past ``threshold`` in a temp file."""

    def _row(self, item: list[str]) -> list[str]:
        return item

    def _item(self, row: Any) -> list[str]:
        return list(row)


class ItemSpool(_Spool[T]):
    """Any picklable items (a pay run's lines, shares, diagnostics) in the order they were added;
    past ``threshold`` in a temp file."""

    def _row(self, item: T) -> T:
        return item

    def _item(self, row: Any) -> T:
        return row  # type: ignore[no-any-return]


#: Where a run adds its problems: a list, or a spool (a stream's, however many there are).
Problems = list[Problem] | ProblemSpool

__all__ = ["THRESHOLD", "Head", "ItemSpool", "ProblemSpool", "Problems", "RowSpool", "shared_in"]
