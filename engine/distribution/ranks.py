"""Every group of a grading ranked in one sort: on the group, then the score, each declared tie
key and the id, as :func:`~.ranking._ranked` ranks one group.

A kumho-like population makes groups of some fifteen people: ranked one by one, a million
people were 60,000 small sorts and their set-up (a few seconds a distribution, all of it in
the one process that grades, after the workers are done; bench/RESULTS.md). Sorted together
they are one ``lexsort`` of the whole population, with the group as its first key, and the few
groups where a grade boundary splits equal people are found with two array comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from engine.distribution.compact import Table
from engine.distribution.rule import ID_FIELD, DistributionRule

#: Whether the members at two ranks (0-based) of one group are equal on everything but the id.
Same = Callable[[int, int], bool]


def sortable(rule: DistributionRule, table: Table, score: str) -> bool:
    """Whether every key of ``rule`` is integers (no column of objects, ranked by Python's
    comparisons group by group)."""
    fields = [score, *(t.field for t in rule.ties if t.field != ID_FIELD)]
    return all(table.columns[name].kind != "object" for name in fields)


class Ranked:
    """The members of every group in rank order (:attr:`positions`, group after group, as the
    groups' ``offsets`` lay them out) and, per rank, whether that member equals the one before
    on everything but the id (:attr:`equal`; a byte a person, where the sorted keys were 16)."""

    def __init__(self, positions: np.ndarray, equal: np.ndarray) -> None:
        self.positions = positions
        self.equal = equal

    def same(self, start: int) -> Same:
        """:data:`Same` of the group whose first rank is at ``start``: the people
        between two equal ones are equal too (they are sorted on those keys)."""
        equal = self.equal

        def same(a: int, b: int) -> bool:
            low, high = (a, b) if a < b else (b, a)
            return bool(equal[start + low + 1 : start + high + 1].all())

        return same

    def tied(self, offsets: Sequence[int], codes: np.ndarray) -> list[int]:
        """The groups (indexes) where equal people are split by a grade boundary: a rank whose
        grade (``codes``, per rank) differs from the one before, within its group, and whose
        member equals the one before."""
        if len(codes) < 2:
            return []
        split = self.equal[1:] & (codes[1:] != codes[:-1])
        bounds = np.asarray(offsets, dtype=np.int64)
        starts = bounds[:-1][bounds[:-1] > 0] - 1  # (a group's first rank follows another group)
        split[starts[starts < len(split)]] = False
        ranks = np.flatnonzero(split) + 1
        return np.unique(np.searchsorted(bounds, ranks, side="right") - 1).tolist()  # type: ignore[no-any-return]


#: People ranked at a time: whole groups (one larger than this is a block of its own), so that
#: the sort's arrays (the packed key and the order, 8 bytes a person each, and the sort's buffer)
#: are a block's, not the population's.
BLOCK = 1 << 16


def rank_together(
    rule: DistributionRule, table: Table, score: str, members: np.ndarray, sizes: np.ndarray
) -> Ranked:
    """The ``members`` (positions into ``table``, group after group, ``sizes`` people each)
    ranked within their groups by :func:`sortable` keys, :data:`BLOCK` people (whole groups)
    at a time: the group is the first key, so no sort crosses a group's bounds.

    The group, the score and the declared tie keys are packed into one integer when their
    ranges fit 63 bits (kumho: 44), sorted stably: the people equal on all of them stay in the
    order they came, which is the id's order when their ids ascend, as they do from a file
    sorted by id (checked at each pair of equal neighbours); otherwise the id is sorted on too.
    """
    blocks = list(_blocks(sizes))
    if len(blocks) <= 1:  # (one block: its arrays are the whole's)
        return Ranked(*_ranked_block(rule, table, score, members, sizes))
    positions = np.empty(len(members), dtype=np.int32)
    equal = np.zeros(len(members), dtype=bool)
    for first, last, start, end in blocks:
        ranked, same = _ranked_block(rule, table, score, members[start:end], sizes[first:last])
        positions[start:end] = ranked
        equal[start:end] = same
        del ranked, same
    return Ranked(positions, equal)


def _blocks(sizes: np.ndarray) -> Iterator[tuple[int, int, int, int]]:
    """Runs of whole groups of about :data:`BLOCK` people, at least one group each: the first
    group and the one after the last, the first member and the one after the last."""
    ends = np.cumsum(sizes, dtype=np.int64)
    first, start = 0, 0
    while first < len(sizes):
        last = max(int(np.searchsorted(ends, start + BLOCK, side="right")), first + 1)
        end = int(ends[last - 1])
        yield first, last, start, end
        first, start = last, end


def _ranked_block(
    rule: DistributionRule, table: Table, score: str, members: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rank_together` of whole groups: the members in rank order and, per rank, whether
    that member equals the one before on everything but the id."""
    final = rule.ties[-1]  # the id (rule.ties always ends with it)
    # (the keys are made again if the id must be sorted on: one array of 8 bytes a person at a
    # time beside the positions, not the keys and the packed key together)
    combined = _combined(sizes, _shown(rule, table, score, members))
    if combined is not None:
        order = np.argsort(combined, kind="stable")
        combined.sort(kind="stable")  # (in place: not a sorted copy beside it and the order)
        equal = np.zeros(len(members), dtype=bool)
        equal[1:] = combined[1:] == combined[:-1]
        del combined
        if _ids_ascend(table, final.descending, members, order, equal):
            return members[order].astype(np.int32, copy=False), equal
        del order, equal
    shown = list(_shown(rule, table, score, members))
    order = np.lexsort([_ids(table, final.descending, members), *shown[::-1], _groups(sizes)])
    equal = np.zeros(len(members), dtype=bool)
    if len(members):
        equal[1:] = True
        for key in shown:
            ranked = key[order]
            equal[1:] &= ranked[1:] == ranked[:-1]
            del ranked
    return members[order].astype(np.int32, copy=False), equal


def _groups(sizes: np.ndarray) -> np.ndarray:
    """Each member's group number (int32: fewer groups than people)."""
    return np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)


def _shown(rule: DistributionRule, table: Table, score: str, members: np.ndarray) -> Iterator[np.ndarray]:
    """The members' score and declared tie keys (all but the id), each ascending as ranked,
    made one at a time."""
    fields = [(score, rule.descending), *((t.field, t.descending) for t in rule.ties if t.field != ID_FIELD)]
    for name, descending in fields:
        key = table.columns[name].key(members, descending)
        assert key is not None  # (sortable)
        yield key


def _ids(table: Table, descending: bool, members: np.ndarray) -> np.ndarray:
    """The members' final key: their ids' bytes (which sort as the ids do), or their ranks."""
    if table.ids.packed and not descending:
        data: np.ndarray = table.ids.data[members]
        return data
    rank: np.ndarray = table.ids.rank()[members]
    return np.negative(rank, out=rank) if descending else rank


def _combined(sizes: np.ndarray, keys: Iterable[np.ndarray]) -> np.ndarray | None:
    """Each member's group number (groups of ``sizes`` people in turn) then ``keys`` packed into
    one int64 each (the group the most significant), or None: their ranges need more than 63
    bits. Built in place: the packed key and one key at a time, no other array a person."""
    out = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    if not len(out):
        return out
    bits = (len(sizes) - 1).bit_length()
    for key in keys:
        low = int(key.min())
        width = (int(key.max()) - low).bit_length()
        bits += width
        if bits > 63:
            return None
        out <<= width
        out += key  # (key - low < 2**width: adding it is or-ing it in)
        out -= low
        del key
    return out


def _ids_ascend(
    table: Table, descending: bool, members: np.ndarray, order: np.ndarray, equal: np.ndarray
) -> bool:
    """Whether each member ``order`` ranks right after an equal one (``equal``) has the later
    id in the final key's order."""
    at = np.flatnonzero(equal)
    if not len(at):
        return True
    before, after = members[order[at - 1]], members[order[at]]
    if table.ids.packed and not descending:
        data = table.ids.data
        return bool(np.all(data[before] < data[after]))
    rank = table.ids.rank()
    if descending:
        return bool(np.all(rank[before] > rank[after]))
    return bool(np.all(rank[before] < rank[after]))
