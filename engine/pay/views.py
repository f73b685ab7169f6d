"""Read-only sequences over a pay run's spooled lines: a report's sections, its employees and its
problems are read again by each renderer instead of being held a second time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from engine.io.ids import SeenIds
from engine.io.spool import ReadThrough

T = TypeVar("T")
L = TypeVar("L")


class Section(ReadThrough[T], Generic[T, L]):
    """What ``get`` finds in each of ``lines`` (``None``: nothing for that line), in order."""

    def __init__(self, lines: Sequence[L], get: Callable[[L], T | None], count: int) -> None:
        self._lines, self._get, self._count = lines, get, count

    def __iter__(self) -> Iterator[T]:
        if not self._count:  # (nothing to find: the lines are not read)
            return
        get = self._get
        for line in self._lines:
            item = get(line)
            if item is not None:
                yield item

    def __len__(self) -> int:
        return self._count


class Employees(ReadThrough[str]):
    """The employees' ids in the order of the file (``lines``' ``id``); whether an id is one of
    them is asked of the compact ids met (:class:`~engine.io.ids.SeenIds`)."""

    def __init__(self, lines: Sequence[Any], seen: SeenIds) -> None:
        self._lines, self._seen = lines, seen

    def __iter__(self) -> Iterator[str]:
        return (line.id for line in self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, emp: object) -> bool:
        return emp in self._seen


class Chained(ReadThrough[T]):
    """Several sequences read one after the other."""

    def __init__(self, parts: Sequence[Sequence[T]]) -> None:
        self._parts = parts

    def __iter__(self) -> Iterator[T]:
        return itertools.chain.from_iterable(self._parts)

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)
