"""The groups being formed: spans of one array, a :class:`Pool` object only where one merges.

Split by their keys, the people of a kumho-like population make groups of some fifteen; a
:class:`Pool` each (with its list of parts and its array view) was some 340 bytes a group, 22
bytes a person at the grading's peak (bench/RESULTS.md). :class:`Pools` keeps the members of
the groups as split in one array, a group's span by its number, and makes a :class:`Pool` when
one is asked for; only the groups a merge changes are kept as objects.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

RawKey = tuple[Any, ...]


@dataclass(slots=True)
class Pool:
    """A group being formed: its members (positions into the table, in parts) and the
    original groups merged into it (None until one is: slotted, and no empty list or dict
    per group, for groups of some fifteen people are a pool each)."""

    parts: list[np.ndarray]
    own: bool = True
    origins: list[RawKey] | None = None
    #: Per original group moved here: each hop up the tree and why (the merge path).
    hops: dict[RawKey, list[str]] | None = None

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)

    def positions(self) -> np.ndarray:
        """Every member's position."""
        if len(self.parts) == 1:
            return self.parts[0]
        return np.concatenate(self.parts) if self.parts else np.empty(0, dtype=np.int32)


class Pools(MutableMapping[RawKey, Pool]):
    """Key -> :class:`Pool` of the groups being formed.

    Group ``i`` as split is ``members[starts[i]:starts[i + 1]]``; a group is kept so (its
    number under its key) until it is set, or made into a pool that a merge may change
    (:meth:`setdefault`, :meth:`pop`): then it is kept as that :class:`Pool`. A pool read
    with ``pools[key]`` or :meth:`get` and not set is a fresh one each time, to read only.
    """

    __slots__ = ("_made", "_members", "_spans", "_starts")

    def __init__(
        self, members: np.ndarray, starts: Sequence[int], keys: Sequence[RawKey], order: Sequence[int] = ()
    ) -> None:
        """``keys[i]``: the key of the group at ``members[starts[i]:starts[i + 1]]``; the groups
        are kept (and iterated) in ``order`` (group numbers; by default, as numbered)."""
        self._members = members
        self._starts = array("q", starts)
        self._spans: dict[RawKey, int] = {keys[i]: i for i in (order or range(len(keys)))}
        self._made: dict[RawKey, Pool] = {}

    def size(self, key: RawKey) -> int:
        """The size of the group ``key`` without making its pool."""
        number = self._spans.get(key)
        if number is None:
            return self._made[key].size
        return self._starts[number + 1] - self._starts[number]

    def __getitem__(self, key: RawKey) -> Pool:
        number = self._spans.get(key)
        if number is None:
            return self._made[key]
        return Pool([self._members[self._starts[number] : self._starts[number + 1]]])

    def __setitem__(self, key: RawKey, pool: Pool) -> None:
        self._spans.pop(key, None)
        self._made[key] = pool

    def __delitem__(self, key: RawKey) -> None:
        if self._spans.pop(key, None) is None:
            del self._made[key]

    def setdefault(self, key: RawKey, default: Pool | None = None) -> Pool:
        """The pool of ``key``, kept as an object from now on (a merge changes it)."""
        if key in self._made:
            return self._made[key]
        pool = self[key] if key in self._spans else default
        assert pool is not None
        self[key] = pool
        return pool

    def take(self, keys: Sequence[RawKey]) -> tuple[np.ndarray, list[Pool | None]]:
        """The groups ``keys`` let go: their members end to end, in that order, and per group
        its :class:`Pool` where one was made (a merge changed it), else None (a pool each was
        some 2 microseconds a group of a grading's serial part, where the members of the groups
        as split are gathered in one indexing)."""
        spans, made_pools = self._spans, self._made
        numbers = array("q")  # per group: its span number; a made pool's: -1 - its index in extra
        made: list[Pool | None] = []
        extra: list[np.ndarray] = []
        for key in keys:
            number = spans.pop(key, None)
            if number is None:
                pool = made_pools.pop(key)
                numbers.append(-1 - len(extra))
                extra.append(pool.positions())
                made.append(pool)
            else:
                numbers.append(number)
                made.append(None)
        gathered = _gathered(self._members, self._starts, numbers, extra)
        if not spans and not made_pools:  # every group taken: the split is let go (4 bytes a person)
            self._members = np.empty(0, dtype=self._members.dtype)
        return gathered, made

    def __iter__(self) -> Iterator[RawKey]:
        yield from list(self._spans)
        yield from list(self._made)

    def __len__(self) -> int:
        return len(self._spans) + len(self._made)

    def __contains__(self, key: object) -> bool:
        return key in self._spans or key in self._made


def _gathered(
    members: np.ndarray, starts: array[int], numbers: array[int], extra: list[np.ndarray]
) -> np.ndarray:
    """The spans ``numbers`` of ``members`` (bounded by ``starts``) end to end, a negative number
    ``-1 - i`` standing for ``extra[i]``."""
    if not numbers:
        return np.empty(0, dtype=np.int32)
    bounds = np.frombuffer(starts, dtype=np.int64)
    sizes_extra = np.array([len(e) for e in extra], dtype=np.int64)
    ends_extra = len(members) + np.cumsum(sizes_extra)
    number = np.frombuffer(numbers, dtype=np.int64)
    own = number >= 0
    safe = np.where(own, number, 0)
    other = np.where(own, 0, -1 - number)
    low = np.where(own, bounds[safe], ends_extra[other] - sizes_extra[other] if len(extra) else 0)
    size = np.where(own, bounds[safe + 1] - bounds[safe], sizes_extra[other] if len(extra) else 0)
    source = np.concatenate([members, *extra]) if extra else members
    # member j of a group starting at ``low`` in the source and at ``first`` in the output
    first = np.cumsum(size) - size
    # (int32 positions into the source: fewer than 2**31 people; 4 bytes a person, not 8)
    at = np.repeat((low - first).astype(np.int32), size)
    at += np.arange(len(at), dtype=np.int32)
    gathered: np.ndarray = source[at].astype(np.int32, copy=False)
    return gathered
