"""Every group of a grading ranked in one sort: on the group, then the score, each declared tie
key and the id, as :func:`~.ranking._ranked` ranks one group.

A kumho-like population makes groups of some fifteen people: ranked one by one, a million
people were 60,000 small sorts and their set-up (a few seconds a distribution, all of it in
the one process that grades, after the workers are done; bench/RESULTS.md). Sorted together
they are one ``lexsort`` of the whole population, with the group as its first key, and the few
groups where a grade boundary splits equal people are found with two array comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def rank_together(
    rule: DistributionRule, table: Table, score: str, members: np.ndarray, sizes: np.ndarray
) -> Ranked:
    """The ``members`` (positions into ``table``, group after group, ``sizes`` people each)
    ranked within their groups by :func:`sortable` keys."""
    group = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    keys: list[np.ndarray] = []
    column = table.columns[score].key(members, rule.descending)
    assert column is not None  # (sortable)
    keys.append(column)
    for tie in rule.ties:
        if tie.field == ID_FIELD and table.ids.packed and not tie.descending:
            keys.append(table.ids.data[members])  # (their bytes sort as the ids do)
        elif tie.field == ID_FIELD:
            rank = table.ids.rank()[members]
            keys.append(np.negative(rank, out=rank) if tie.descending else rank)
        else:
            tied = table.columns[tie.field].key(members, tie.descending)
            assert tied is not None
            keys.append(tied)
    order = np.lexsort([*keys[::-1], group])
    del group
    shown = keys[:-1]  # (the id, always the last key, aside: it is unique)
    del keys
    equal = np.zeros(len(members), dtype=bool)
    if len(members):
        equal[1:] = True
        for key in shown:
            ranked = key[order]
            equal[1:] &= ranked[1:] == ranked[:-1]
            del ranked
    return Ranked(members[order].astype(np.int32), equal)
