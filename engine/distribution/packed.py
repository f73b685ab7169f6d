"""A grading's final groups packed in arrays: one object for all the groups, not one each.

Groups of some fifteen people, each a :class:`~.model.GroupResult` with its own small numpy
array of positions and its key tuple, were some 370 bytes a group: 23 bytes a person held until
the distribution was let go (bench/RESULTS.md). :class:`PackedGroups` keeps every member's
position in one array, in group order and rank order within each group, the groups' bounds in
another, the keys as codes and what few groups have (merges, ties at a boundary) by group
index; a :class:`~.model.GroupResult` is made on demand (``groups[i]``, iteration), a view of
the arrays, so that its readers keep reading it as before.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, overload

from engine.distribution.model import (
    GroupKey,
    GroupResult,
    MemberOutcome,
    TieNote,
    describe_pair,
    in_group,
    seating,
)

if TYPE_CHECKING:
    import numpy as np

    from engine.distribution.ids import Ids

#: A group size's seats and their layout (:func:`~.model.seat_layout`), shared by the groups of
#: that size.
Seats = tuple[Mapping[str, int], tuple[tuple[str, ...], tuple[int, ...]]]


class GroupKeys:
    """Every group's key, as one small code per group field into that field's distinct
    ``(field, value)`` pairs (an organisation's pair is in every one of its role grades' keys).

    Only texts are shared: equal values of other types may show differently (1 and True, 1.0
    and 1.00), so each of those keeps its own pair.
    """

    __slots__ = ("_codes", "_found", "_pairs", "_shown")

    def __init__(self, width: int) -> None:
        self._pairs: list[list[tuple[str, Any]]] = [[] for _ in range(width)]
        self._found: list[dict[tuple[str, str], int]] = [{} for _ in range(width)]
        self._codes = [array("i") for _ in range(width)]
        self._shown: list[list[str]] | None = None

    def append(self, key: GroupKey) -> None:
        """The next group's key (a key has one pair per group field, in order)."""
        self._shown = None  # (written again, with its pairs, when next asked for)
        for pair, pairs, found, codes in zip(key, self._pairs, self._found, self._codes, strict=True):
            code = found.get(pair) if type(pair[1]) is str else None
            if code is None:
                code = len(pairs)
                pairs.append(pair)
                if type(pair[1]) is str:
                    found[pair] = code
            codes.append(code)

    def __getitem__(self, index: int) -> GroupKey:
        return tuple(pairs[codes[index]] for pairs, codes in zip(self._pairs, self._codes, strict=True))

    def described(self, index: int) -> str:
        """:func:`~.model.describe_key` of key ``index``, each pair's text written once."""
        if self._shown is None:
            self._shown = [[describe_pair(pair) for pair in pairs] for pairs in self._pairs]
        fields = zip(self._shown, self._codes, strict=True)
        return "(" + ", ".join(shown[codes[index]] for shown, codes in fields) + ")"


class PackedGroups(Sequence[GroupResult]):
    """The final groups of one grading, in group order (see the module doc).

    ``positions`` holds every graded person's position into ``ids``, group after group, each
    group's members best first; group ``i`` is ``positions[offsets[i]:offsets[i + 1]]``.
    """

    __slots__ = (
        "_codes",
        "_ids",
        "_keys",
        "_merged",
        "_method",
        "_offsets",
        "_paths",
        "_positions",
        "_seats",
        "_ties",
    )

    def __init__(
        self,
        ids: Ids,
        positions: np.ndarray,
        offsets: Sequence[int],
        keys: GroupKeys,
        seats: Mapping[int, Seats],
        method: str,
        merged: Mapping[int, tuple[GroupKey, ...]],
        ties: Mapping[int, tuple[TieNote, ...]],
        paths: Mapping[int, Callable[[int], str]],
        codes: tuple[np.ndarray, tuple[str, ...]] | None = None,
    ) -> None:
        """``codes``: :meth:`grade_codes`, when the grading made them already."""
        self._ids, self._positions, self._offsets, self._keys = ids, positions, offsets, keys
        self._seats, self._method = seats, method
        self._merged, self._ties, self._paths = merged, ties, paths
        self._codes = codes

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> GroupResult: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[GroupResult, ...]: ...

    def __getitem__(self, index: int | slice) -> GroupResult | tuple[GroupResult, ...]:
        if isinstance(index, slice):
            return tuple(self._group(i) for i in range(*index.indices(len(self))))
        size = len(self)
        at = index + size if index < 0 else index
        if not 0 <= at < size:
            raise IndexError("group index out of range")
        return self._group(at)

    def __iter__(self) -> Iterator[GroupResult]:
        return (self._group(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        """Equal to a sequence of the same groups (a grading without groups equals ``()``)."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def _group(self, i: int) -> GroupResult:
        start, end = self._offsets[i], self._offsets[i + 1]
        quota, layout = self._seats[end - start]
        return GroupResult(
            key=self._keys[i],
            positions=self._positions[start:end],
            ids=self._ids,
            quota=quota,
            method=self._method,
            merged_from=self._merged.get(i, ()),
            ties=self._ties.get(i, ()),
            path_of=self._paths.get(i),
            layout=layout,
        )

    @property
    def positions(self) -> np.ndarray:
        """Every graded person's position, group after group, each group's best first."""
        return self._positions

    def locate(self, index: int) -> tuple[int, int]:
        """The group and the rank index in it of ``positions[index]``."""
        group = bisect_right(self._offsets, index) - 1
        return group, index - self._offsets[group]

    def member_outcomes(
        self, members: Sequence[str], indexes: Sequence[int], seated: dict[tuple[int, str], str]
    ) -> list[MemberOutcome]:
        """``GroupResult.outcome`` of each of ``members``, found at ``indexes`` of
        :attr:`positions`: groups, ranks, sizes and grades read for all of them at once, a group
        made only where it has merges, ties or merge paths (a few groups); ``seated`` holds the
        :func:`~.model.seating` texts written so far, by group size and grade."""
        import numpy as np

        at = np.asarray(indexes, dtype=np.int64)
        offsets = np.asarray(self._offsets, dtype=np.int64)
        groups = np.searchsorted(offsets, at, side="right") - 1
        starts = offsets[groups]
        codes, names = self.grade_codes()
        special = self._merged.keys() | self._ties.keys() | self._paths.keys()
        found: list[MemberOutcome] = []
        rows = zip(
            members, groups.tolist(), (offsets[groups + 1] - starts).tolist(), (at - starts).tolist(),
            codes[at].tolist(), strict=True,
        )  # fmt: skip
        for member, group, size, index, code in rows:
            if group in special:
                found.append(self._group(group).outcome(index))
                continue
            grade = names[code]
            said = seated.get((size, grade))
            if said is None:
                quota, layout = self._seats[size]
                said = seated[size, grade] = seating(quota, layout, self._method, grade)
            reason = f"rank {index + 1}" + in_group(size, self._keys.described(group)) + said
            found.append(MemberOutcome(member, self._keys[group], grade, index + 1, size, reason))
        return found

    def grade_at(self, group: int, rank: int) -> str:
        """The grade of the member at rank index ``rank`` of ``group``, without making the group."""
        codes, starts = self._seats[self._offsets[group + 1] - self._offsets[group]][1]
        return codes[bisect_right(starts, rank) - 1]

    def grade_codes(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """Every packed member's grade (in :attr:`positions`' order) as a small code, and the
        grades the codes stand for: :meth:`grade_at` of every member at once, made on first use
        (a byte a person), so that a report's million lookups are array reads, not two binary
        searches each."""
        if self._codes is None:
            self._codes = grade_codes(self._offsets, self._seats)
        return self._codes

    def tied(self) -> Iterator[tuple[int, tuple[TieNote, ...]]]:
        """Each group with ties at a grade boundary (its index and ties), in group order."""
        return iter(sorted(self._ties.items()))

    def with_ties(self, ties: Mapping[int, tuple[TieNote, ...]]) -> PackedGroups:
        """These groups with the ties of the groups ``ties`` names replaced (the arrays shared)."""
        return PackedGroups(
            self._ids,
            self._positions,
            self._offsets,
            self._keys,
            self._seats,
            self._method,
            self._merged,
            {**self._ties, **ties},
            self._paths,
            self._codes,
        )


def grade_codes(offsets: Sequence[int], seats: Mapping[int, Seats]) -> tuple[np.ndarray, tuple[str, ...]]:
    """:meth:`PackedGroups.grade_codes` of groups bounded by ``offsets``, seated by ``seats``."""
    import numpy as np

    from engine.distribution.texts import code_type

    names: dict[str, int] = {}
    tables: list[np.ndarray] = []  # per group size: the code of each rank, best first
    base: dict[int, int] = {}  # per group size: where its table starts in the joined tables
    for size, (_, (codes, starts)) in seats.items():
        numbers = [names.setdefault(code, len(names)) for code in codes]
        base[size] = sum(map(len, tables))
        first = np.array(starts, dtype=np.int64)
        tables.append(np.repeat(np.array(numbers, dtype=np.int64), first[1:] - first[:-1]))
    bounds = np.asarray(offsets, dtype=np.int64)
    sizes = bounds[1:] - bounds[:-1]
    if not len(sizes) or not bounds[-1]:
        return np.empty(0, dtype=np.int8), tuple(names)
    shift = np.array([base[size] for size in sizes.tolist()], dtype=np.int64) - bounds[:-1]
    # member i of a group of size s starting at offset o: entry (i - o) of that size's table
    # (int32: fewer than 2**31 people, 4 bytes a person held while the codes are made)
    at = np.repeat(shift.astype(np.int32), sizes)
    at += np.arange(len(at), dtype=np.int32)
    return np.concatenate(tables)[at].astype(code_type(len(names))), tuple(names)


def tied(groups: Sequence[GroupResult]) -> Iterator[tuple[int, tuple[TieNote, ...]]]:
    """Each group with ties at a grade boundary (its index and ties), in group order; of
    packed groups, only those with ties are made."""
    if isinstance(groups, PackedGroups):
        return groups.tied()
    return ((at, group.ties) for at, group in enumerate(groups) if group.ties)


def with_ties(
    groups: Sequence[GroupResult], ties: Mapping[int, tuple[TieNote, ...]]
) -> Sequence[GroupResult]:
    """``groups`` with the ties of the groups ``ties`` names (by index) replaced."""
    if isinstance(groups, PackedGroups):
        return groups.with_ties(ties)
    return tuple(replace(g, ties=ties[at]) if at in ties else g for at, g in enumerate(groups))
