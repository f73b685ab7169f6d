"""The employees a run could not evaluate: the distinct ids of its problems, sorted, made from
the problems in one pass without holding a million of them.

A report names them (JSON's ``failed`` list) and counts them (the text report's first line,
the closing line on the terminal). A run where every employee of a million has a problem keeps
its problems in a spool (:class:`~engine.io.spool.ProblemSpool`); a sorted set of their ids
would be ~50 MiB more at the end. :class:`FailedIds` sorts them the way an external sort does:
:data:`RUN` ids at a time in memory, each run sorted and written to an anonymous temp file in
batches, the runs merged when read. Ids that come in increasing order (a file sorted by id:
the usual export) extend one run, so reading them back is a plain read of that run.
"""

from __future__ import annotations

import heapq
import itertools
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from engine.errors import Problem

#: Ids sorted in memory at a time (read when a collection is made: a test sets it tiny).
RUN = 1 << 16
#: Ids pickled together in a run's file (what reading a run holds at a time).
BATCH = 4096


class FailedIds:
    """The sorted distinct ``employee_id`` of ``problems`` (those without one are the file's):
    ``len`` and iteration, as many times as asked; equal to a list of the same ids."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self._memory: list[str] = []  # a run not written (all the ids when they fit in one)
        self._file: IO[bytes] | None = None
        self._runs: list[list[int]] = []  # each written run's batches: the file offset after each
        self._last: str | None = None  # the greatest id of the last written run
        self._count = 0
        self._add(problems)

    def _add(self, problems: Iterable[Problem]) -> None:
        ids = (p.employee_id for p in problems if p.employee_id is not None)
        size, pending, written = max(1, RUN), set[str](), 0
        while chunk := list(itertools.islice(ids, size)):
            pending.update(chunk)
            if len(pending) >= size:
                written += self._write(self._after_last(sorted(pending)))
                pending = set()
        self._memory = self._after_last(sorted(pending))
        if len(self._runs) <= 1 and (self._last is None or not self._memory or self._memory[0] > self._last):
            self._count = written + len(self._memory)  # every id once: the runs follow each other
        else:
            self._count = sum(1 for _ in self)  # (ids two runs share are counted once)

    def _after_last(self, run: list[str]) -> list[str]:
        """``run`` without its first id when that is the last one written: an employee's
        problems cut between two runs (so sorted ids make one run)."""
        return run[1:] if run and run[0] == self._last else run

    def _write(self, run: list[str]) -> int:
        """Write ``run`` (sorted, distinct) at the end of the file: as more of the last run
        when it goes on from there, else as a run of its own. How many ids were written."""
        if not run:
            return 0
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="hrpolicy-failed-")  # noqa: SIM115 (closed by close())
        if not self._runs or self._last is None or run[0] <= self._last:
            self._runs.append([])
        ends = self._runs[-1]
        self._file.seek(0, 2)
        for at in range(0, len(run), BATCH):
            pickle.dump(run[at : at + BATCH], self._file, protocol=pickle.HIGHEST_PROTOCOL)
            ends.append(self._file.tell())
        self._last = run[-1]
        return len(run)

    def _run(self, ends: list[int], start: int) -> Iterator[str]:
        """One written run, a batch at a time (the position kept here: runs are read in turn)."""
        file = self._file
        assert file is not None
        for end in ends:
            file.seek(start)
            yield from pickle.load(file)
            start = end

    def __iter__(self) -> Iterator[str]:
        starts = [ends[-1] for ends in self._runs[:-1]]  # a run starts where the one before ends
        runs = [self._run(ends, start) for ends, start in zip(self._runs, [0, *starts], strict=False)]
        last = None
        for emp_id in heapq.merge(*runs, list(self._memory)):
            if emp_id != last:
                yield emp_id
                last = emp_id

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FailedIds | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FailedIds({list(self)!r})"

    def close(self) -> None:
        """Remove the temp file (the ids are gone)."""
        if self._file is not None:
            self._file.close()
        self._file, self._runs, self._memory, self._count = None, [], [], 0


__all__ = ["BATCH", "RUN", "FailedIds"]
