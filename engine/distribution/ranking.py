"""Relative grading (forced distribution): rank each group and give grades by quota seats.

Usage::

    rule = distribution_from_policy(policy, "performance")
    result = distribute(rule, candidates, org_parent)
    result.grade_of("e17"), result.outcome("e17").reason, result.problems

The people are compact rows (:mod:`.compact`): each group is sorted once, on integer keys
column by column (score, each declared tie key, then the id as the final key), so a million
people cost a few array passes and one ``lexsort`` per group, and no object per person.
Seats come from :func:`allocate_quotas` (exact integer arithmetic, cached per size).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import accumulate, islice
from typing import Any

import numpy as np

from engine.distribution.compact import ABSENT, CHUNK, Rows, Table, give_back
from engine.distribution.groups import Seen, form_groups, labelled, path_of, tie_fields
from engine.distribution.ids import Ids
from engine.distribution.model import (
    Candidate,
    DistributionProblem,
    DistributionResult,
    GroupKey,
    GroupResult,
    MemberOutcome,
    TieNote,
    describe_key,
    seat_layout,
)
from engine.distribution.packed import GroupKeys, PackedGroups, Seats, grade_codes
from engine.distribution.pools import Pool, Pools, RawKey
from engine.distribution.ranks import Same, rank_together, sortable
from engine.distribution.rule import (
    ID_FIELD,
    DistributionRule,
    allocate_quotas,
    check_distribution,
    compile_distribution,
    distribution_from_policy,
)
from engine.errors import DataError

__all__ = [
    "Candidate",
    "DistributionProblem",
    "DistributionResult",
    "DistributionRule",
    "GroupKey",
    "GroupResult",
    "MemberOutcome",
    "TieNote",
    "allocate_quotas",
    "candidate_rows",
    "check_distribution",
    "compile_distribution",
    "describe_key",
    "distribute",
    "distribute_table",
    "distribution_from_policy",
    "org_tree",
]


def distribute(
    rule: DistributionRule,
    candidates: Iterable[Candidate],
    org_parent: Mapping[str, str | None] | None = None,
) -> DistributionResult:
    """Group, merge small groups up the org tree, rank and grade every candidate.

    ``org_parent`` maps an org id to its parent (``None`` at the top); it is only read when a
    group is below ``min_group_size``. People who cannot be graded are in ``problems``.
    ``candidates`` are read once, in order, and packed :data:`~.compact.CHUNK` at a time: an
    iterator (a generator) lets each one go once packed, where a list is held by its caller
    beside the packed rows.
    """
    table = candidate_rows(rule, candidates).freeze()
    return distribute_table(rule, table, SCORE, np.arange(len(table), dtype=np.int32), org_parent)


#: The column of :func:`candidate_rows` that holds the score (no field is named so).
SCORE = "\x00score"


def candidate_rows(rule: DistributionRule, candidates: Iterable[Candidate]) -> Rows:
    """The compact rows of ``candidates`` (read once, a chunk at a time): the score, then the
    group and tie fields."""
    names = list(dict.fromkeys([*rule.group_by, *tie_fields(rule)]))
    rows = Rows([SCORE, *names], [True, *(name not in rule.group_by for name in names)])
    read = iter(candidates)
    while part := list(islice(read, CHUNK)):
        columns = [[c.score for c in part], *([c.fields.get(n, ABSENT) for c in part] for n in names)]
        rows.extend([c.id for c in part], columns)
        del part, columns  # packed: the next chunk is read without this one
    return rows


def distribute_table(
    rule: DistributionRule,
    table: Table,
    score: str,
    candidates: np.ndarray,
    org_parent: Mapping[str, str | None] | None = None,
    seen: Seen | None = None,
) -> DistributionResult:
    """:func:`distribute` over compact rows: the ``candidates`` (positions into ``table``),
    ranked by the column ``score``. Held until the groups are formed: a caller that passes
    them without keeping them lets them go then (4 bytes a person less while ranking).
    ``seen``: the problems of other distributions of these people, shared (:func:`form_groups`)."""
    # positions as int32 from here on: the groups' parts are 4 bytes a person, not 8
    candidates = candidates.astype(np.int32, copy=False)
    table.ids.check_unique(candidates)
    pools, problems = form_groups(rule, table, candidates, org_parent or {}, seen)
    del candidates
    order = sorted(pools, key=lambda k: tuple(str(v) for v in k))
    offsets = array("q", [0])
    for key in order:
        offsets.append(offsets[-1] + pools.size(key))
    packed = _Packing(rule, table, offsets)
    if sortable(rule, table, score):
        packed.grade_together(order, pools, score)
    else:
        for at, key in enumerate(order):
            pool = pools.pop(key)  # (its parts are views of the split: let go with the last one)
            packed.grade(at, key, pool, score)
            del pool
    del order
    give_back()  # the sorts' arrays, let go
    grades = packed.graded()
    return DistributionResult(rule.name, packed.groups(), tuple(problems), table.ids, grades)


class _Packing:
    """The groups of one grading as they are ranked, packed (:class:`~.packed.PackedGroups`):
    each group's ranked positions written into one array at its offset."""

    def __init__(self, rule: DistributionRule, table: Table, offsets: array[int]) -> None:
        self.rule, self.table, self.offsets = rule, table, offsets
        self.positions = np.empty(offsets[-1], dtype=np.int32)
        self.keys = GroupKeys(len(rule.group_by))
        self.seats: dict[int, Seats] = {}
        self.merged: dict[int, tuple[GroupKey, ...]] = {}
        self.ties: dict[int, tuple[TieNote, ...]] = {}
        self.paths: dict[int, Callable[[int], str]] = {}
        self.label = _Labels(rule)
        #: Every member's grade code (:meth:`~.packed.PackedGroups.grade_codes`), when made.
        self.codes: tuple[np.ndarray, tuple[str, ...]] | None = None

    def grade(self, at: int, key: RawKey, pool: Pool, score: str) -> None:
        """Rank group number ``at`` (``key``, its members ``pool``) into its place."""
        start, end = self.offsets[at], self.offsets[at + 1]
        quota = self._note(at, key, pool)
        ranked, same = _ranked(self.rule, self.table, score, key, pool.positions())
        place = self.positions[start:end]
        place[:] = ranked
        del ranked
        ties = _boundary_ties(same, place, self.table.ids, quota)
        if ties:
            self.ties[at] = ties

    def grade_together(self, order: Sequence[RawKey], pools: Pools, score: str) -> None:
        """Rank every group (``order``: their keys, in group order) in one sort
        (:func:`~.ranks.rank_together`); the same groups as :meth:`grade` of each in turn."""
        members, made = pools.take(order)
        for at, (key, pool) in enumerate(zip(order, made, strict=True)):
            self._note(at, key, pool)
        del made
        bounds = np.asarray(self.offsets, dtype=np.int64)
        sizes = bounds[1:] - bounds[:-1]
        ranked = rank_together(self.rule, self.table, score, members.astype(np.int32, copy=False), sizes)
        del members
        self.positions = ranked.positions  # (not copied: the empty array was never written)
        self.codes = grade_codes(self.offsets, self.seats)
        for at in ranked.tied(self.offsets, self.codes[0]):
            start, end = self.offsets[at], self.offsets[at + 1]
            quota = self.seats[end - start][0]
            ties = _boundary_ties(ranked.same(start), self.positions[start:end], self.table.ids, quota)
            if ties:
                self.ties[at] = ties

    def _note(self, at: int, key: RawKey, pool: Pool | None) -> Mapping[str, int]:
        """Group number ``at``'s seats, key, merges and merge paths (``pool`` None: a group as
        split, nothing merged); its quota."""
        rule = self.rule
        n = self.offsets[at + 1] - self.offsets[at]
        if n not in self.seats:
            seats = rule.seats(n)
            self.seats[n] = seats, seat_layout(seats)
        self.keys.append(self.label(key))
        if pool is None:
            return self.seats[n][0]
        if pool.origins:
            self.merged[at] = tuple(self.label(k) for k in pool.origins)
        path = path_of(rule, self.table, pool)
        if path is not None:
            self.paths[at] = path
        return self.seats[n][0]

    def graded(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """Per position into the table, the code of the person's grade (-1: not graded), and
        the grades the codes stand for: a byte a person, all a report's lookups read (each
        member's index in :attr:`positions`, 4 bytes a person, was held for them until the
        distribution was let go; :class:`~.model.DistributionResult` makes it for the few
        lookups of one person). The members' codes in rank order are let go."""
        codes, names = self.codes if self.codes is not None else grade_codes(self.offsets, self.seats)
        self.codes = None
        grades = np.full(len(self.table), -1, dtype=codes.dtype)
        grades[self.positions] = codes
        return grades, names

    def groups(self) -> PackedGroups:
        """The groups ranked, packed."""
        return PackedGroups(
            self.table.ids,
            self.positions,
            self.offsets,
            self.keys,
            self.seats,
            self.rule.method,
            self.merged,
            self.ties,
            self.paths,
            self.codes,
        )


def org_tree(
    rows: Iterable[Mapping[str, Any]], parent_field: str, id_field: str = "id"
) -> dict[str, str | None]:
    """The org tree (org id -> parent id or ``None``) from org records carrying ``parent_field``."""
    tree: dict[str, str | None] = {}
    for row in rows:
        parent = row.get(parent_field)
        tree[str(row[id_field])] = None if parent in (None, "") else str(parent)
    return tree


class _Labels:
    """:func:`labelled` keys whose ``(field, value)`` pairs are made once per distribution: an
    organisation's pair is in every one of its role grades' groups (with groups of some fifteen
    people, a pair per group was some 8 bytes a person until the distribution was let go)."""

    def __init__(self, rule: DistributionRule) -> None:
        self._rule = rule
        self._pairs: dict[tuple[str, Any], tuple[str, Any]] = {}

    def __call__(self, key: RawKey) -> GroupKey:
        pairs = self._pairs
        # texts only: equal values of other types may show differently (1 and True, 1.0 and 1.00)
        return tuple(pairs.setdefault(p, p) if type(p[1]) is str else p for p in labelled(self._rule, key))


def _ranked(
    rule: DistributionRule, table: Table, score: str, key: RawKey, positions: np.ndarray
) -> tuple[np.ndarray, Same]:
    """The members' positions sorted best first, on the score, each declared tie key and the
    id as the final key (directions folded in), and which neighbours are equal but for the id.

    Integer keys (scaled numbers, text and id ranks) sort in one ``lexsort``; a column of
    objects is ranked by Python's comparisons, as :func:`_ranked_objects` always did.
    """
    keys = [table.columns[score].key(positions, rule.descending)]
    for tie in rule.ties:
        if tie.field == ID_FIELD and table.ids.packed and not tie.descending:
            # the packed ids' bytes sort as the ids do (and are unique): no rank array a person
            keys.append(table.ids.data[positions])
        elif tie.field == ID_FIELD:
            rank = table.ids.rank()[positions]
            keys.append(-rank if tie.descending else rank)
        else:
            keys.append(table.columns[tie.field].key(positions, tie.descending))
    known = [k for k in keys if k is not None]
    if len(known) < len(keys):
        return _ranked_objects(rule, table, score, key, positions)
    order = np.lexsort(known[::-1])
    shown = known[:-1]  # the id (always the last key) aside; read at a few ranks, not sorted

    def same(a: int, b: int) -> bool:
        i, j = order[a], order[b]
        return all(k[i] == k[j] for k in shown)

    return positions[order].astype(np.int32), same


def _ranked_objects(
    rule: DistributionRule, table: Table, score: str, key: RawKey, positions: np.ndarray
) -> tuple[np.ndarray, Same]:
    """:func:`_ranked` on rows ``(score, tie keys..., id, index)`` of objects."""
    people = positions.tolist()
    column = table.columns[score]
    columns: list[Sequence[Any]] = [_directed([column.value(p) for p in people], rule.descending)]
    for tie in rule.ties:
        if tie.field == ID_FIELD:
            values = [table.ids.text(p) for p in people]
        else:
            field = table.columns[tie.field]
            values = [field.value(p) for p in people]
        columns.append(_directed(values, tie.descending))
    columns.append(range(len(people)))
    rows = list(zip(*columns, strict=True))
    try:
        rows.sort()
    except TypeError as exc:
        where = describe_key(labelled(rule, key))
        raise DataError(f"group {where}: values cannot be ranked ({exc})") from None

    def same(a: int, b: int) -> bool:
        return bool(rows[a][:-2] == rows[b][:-2])

    return positions[[row[-1] for row in rows]].astype(np.int32), same


def _directed(values: list[Any], descending: bool) -> list[Any]:
    """Values whose ascending order is the wanted order: numbers negated, others by their rank."""
    if not descending:
        return values
    try:
        return [-v for v in values]
    except TypeError:
        # Strings and other non-numbers: replace each value by minus its position among the
        # distinct values, which sorts them in reverse with the same tuple comparison.
        try:
            position = {v: i for i, v in enumerate(sorted(set(values)))}
        except TypeError as exc:
            raise DataError(f"tie values cannot be ranked ({exc})") from None
        return [-position[v] for v in values]


def _boundaries(quota: Mapping[str, int], n: int) -> list[int]:
    """Positions where the grade changes: the first rank (0-based) of each later grade."""
    out, at = [], 0
    for count in quota.values():
        at += count
        if count and at < n:
            out.append(at)
    return out


def _boundary_ties(same: Same, ranked: np.ndarray, ids: Ids, quota: Mapping[str, int]) -> tuple[TieNote, ...]:
    """Runs of people equal on everything but the final key that a grade boundary splits."""
    notes: list[TieNote] = []
    n = len(ranked)
    grades = [code for code, count in quota.items() if count]
    ends = list(accumulate(quota[code] for code in grades))  # the rank index after each grade
    for b in _boundaries(quota, n):
        if not same(b - 1, b):
            continue
        start, end = b - 1, b + 1
        while start > 0 and same(start - 1, b):
            start -= 1
        while end < n and same(end, b):
            end += 1
        upper, lower = grades[bisect_right(ends, b - 1)], grades[bisect_right(ends, b)]
        notes.append(TieNote.spanning(ids, ranked, (start, end), upper, lower))
    return tuple(notes)
