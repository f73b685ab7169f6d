"""A spool of problems: kept in order, in memory up to a small threshold, then in a temp file.

A streamed run finds problems one employee at a time and reports them all at the end; a million
employees each with a problem would otherwise hold a million :class:`~engine.errors.Problem`
objects. :class:`ProblemSpool` keeps at most :data:`THRESHOLD` of them in memory: past it the
batch is pickled (as plain tuples) to an anonymous temp file, which the system removes when it is
closed (:meth:`ProblemSpool.close`, or when the spool is let go), on success and on failure.
Iterating reads the batches back in order, one at a time; a spool reads as any sequence of
problems (``len``, truth, iteration, indexing), so a report renders it as it renders a tuple.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, overload

from engine.errors import Problem

#: Problems held in memory before a batch goes to the temp file (read when a spool is made,
#: so a test can set it tiny).
THRESHOLD = 4096

_Row = tuple[str | None, int | None, str, str, str]


class ProblemSpool(Sequence[Problem]):
    """Problems in the order they were added; those past ``threshold`` kept in a temp file."""

    def __init__(self, problems: Iterable[Problem] = (), *, threshold: int | None = None) -> None:
        self._threshold = max(1, THRESHOLD if threshold is None else threshold)
        self._memory: list[Problem] = []
        self._file: IO[bytes] | None = None
        self._ends: list[int] = []  # the file offset after each batch
        self._spilled = 0
        self.extend(problems)

    @property
    def spilled(self) -> int:
        """How many problems are in the temp file."""
        return self._spilled

    def append(self, problem: Problem) -> None:
        """Add ``problem`` at the end."""
        self._memory.append(problem)
        if len(self._memory) >= self._threshold:
            self._spill()

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add every one of ``problems`` at the end, in order."""
        for problem in problems:
            self.append(problem)

    def _spill(self) -> None:
        if self._file is None:
            # kept open for the spool's life (closed by close()): anonymous, so never left behind
            self._file = tempfile.TemporaryFile(prefix="hrpolicy-problems-")  # noqa: SIM115
        rows: list[_Row] = [(p.employee_id, p.indicator, p.rule, p.message, p.origin) for p in self._memory]
        self._file.seek(self._ends[-1] if self._ends else 0)
        pickle.dump(rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._ends.append(self._file.tell())
        self._spilled += len(rows)
        self._memory = []

    def __len__(self) -> int:
        return self._spilled + len(self._memory)

    def __iter__(self) -> Iterator[Problem]:
        start = 0
        for end in list(self._ends):  # a batch at a time; the position kept here, not in the file
            assert self._file is not None
            self._file.seek(start)
            rows: list[_Row] = pickle.load(self._file)
            start = end
            yield from (Problem(*row) for row in rows)
        yield from list(self._memory)

    @overload
    def __getitem__(self, index: int) -> Problem: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Problem]: ...

    def __getitem__(self, index: Any) -> Any:
        """By position (reads the spool through: for tests and small spools)."""
        return list(self)[index]

    def close(self) -> None:
        """Remove the temp file; the spool is empty afterwards."""
        if self._file is not None:
            self._file.close()
        self._file, self._ends, self._spilled, self._memory = None, [], 0, []

    def __enter__(self) -> ProblemSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["THRESHOLD", "ProblemSpool"]
