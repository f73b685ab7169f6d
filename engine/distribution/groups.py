"""Forming distribution groups: split candidates by the group keys, then move groups smaller
than the minimum up the org tree into the parent's group with the same kept keys.

Groups are merged deepest organisation first, so that a parent that is itself too small even
after taking in its children moves on up with them. A group still too small at the top of the
tree is reported, never graded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from engine.distribution.compact import Column, Table
from engine.distribution.model import DistributionProblem, GroupKey, describe_key
from engine.distribution.pools import Pool, Pools, RawKey
from engine.distribution.rule import ID_FIELD, DistributionRule
from engine.errors import DataError


def labelled(rule: DistributionRule, key: RawKey) -> GroupKey:
    """Pair each group_by field with its value."""
    return tuple(zip(rule.group_by, key, strict=True))


#: Problems met in other gradings: a problem equal to one of them is that one (see form_groups).
Seen = dict[DistributionProblem, DistributionProblem]


def form_groups(
    rule: DistributionRule,
    table: Table,
    candidates: np.ndarray,
    org_parent: Mapping[str, str | None],
    seen: Seen | None = None,
) -> tuple[Pools, list[DistributionProblem]]:
    """Final groups (key -> pool) of the ``candidates`` (positions into ``table``) and the
    problems of people who cannot be grouped or graded.

    ``seen``: problems of other distributions of the same people; each problem equal to one of
    them is that one, and the others join them (two distributions grouped alike leave the
    same too-small groups: each problem's ids, key and text are held once, and the second
    distribution's copies are let go one at a time, never held together)."""
    share = (lambda problem: problem) if seen is None else (lambda problem: seen.setdefault(problem, problem))
    pools, problems = _split(rule, table, candidates)
    problems = [share(p) for p in problems]
    if rule.min_group_size > 1:
        problems += _merge_small(rule, table, pools, org_parent, share)
    return pools, problems


def tie_fields(rule: DistributionRule) -> list[str]:
    """The tie keys read from the fields (the id is not a field)."""
    return [t.field for t in rule.ties if t.field != ID_FIELD]


def _split(
    rule: DistributionRule, table: Table, candidates: np.ndarray
) -> tuple[Pools, list[DistributionProblem]]:
    """The candidates split by their group keys, each group's members in the order of
    ``candidates``; a person lacking a group or tie field is set aside.

    Without ``group_by`` the whole population is one group, keyed ``()``.
    """
    needed = [*rule.group_by, *tie_fields(rule)]
    lacks = np.full(len(candidates), -1, dtype=np.int16)  # the first field each one lacks
    for at in range(len(needed) - 1, -1, -1):
        lacks[~table.columns[needed[at]].present()[candidates]] = at
    problems = _missing_fields(rule, table, candidates, lacks, needed)
    grouped = candidates[lacks < 0]
    if not len(grouped):
        return Pools(grouped, [0], []), problems
    if not rule.group_by:
        return Pools(grouped, [0, len(grouped)], [()]), problems
    del lacks
    pools = _runs([table.columns[name] for name in rule.group_by], grouped)
    if pools is not None:
        return pools, problems
    codes, keys = _group_codes(rule, table, grouped)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    starts = [0, *bounds.tolist(), len(grouped)]
    return Pools(grouped[order], starts, keys), problems


def _text_key(columns: list[Column], grouped: np.ndarray) -> np.ndarray | None:
    """Per person, one integer equal for the people of one group: the text codes of the group
    fields combined (8 bytes a person, where a table of the codes side by side sorts through
    several copies of itself); None when a field is not all texts or the codes do not fit."""
    if any(c.kind != "text" for c in columns):
        return None
    if _combinations(columns) > 2**62:
        return None
    key = np.zeros(len(grouped), dtype=np.int64)
    for c in columns:
        key *= max(len(c.texts), 1)
        key += c.data[grouped]
    return key


def _combinations(columns: list[Column]) -> int:
    """How many values :func:`_text_key` can take for these columns."""
    combinations = 1
    for c in columns:
        combinations *= max(len(c.texts), 1)
    return combinations


#: People whose keys are numbered at a time (an arange of them is 8 bytes a person).
_BLOCK = 1 << 16


def _sorted_with_order(key: np.ndarray, combinations: int) -> np.ndarray:
    """``key`` (values below ``combinations``) sorted in place, and the stable order that
    sorts it (int32): each person's index is packed below the key and the pairs sorted in
    place, when both fit 63 bits (the group keys of a million people: some 37), so that no
    int64 order and no sort buffer is made beside the key (16 bytes a person at the forming's
    peak); else ``argsort``."""
    bits = max(len(key) - 1, 0).bit_length()
    if (max(combinations - 1, 0).bit_length() + bits) > 63:
        order = np.argsort(key, kind="stable").astype(np.int32)
        key.sort()  # in place: the keys in order without another 8 bytes a person beside them
        return order
    key <<= bits
    for start in range(0, len(key), _BLOCK):
        key[start : start + _BLOCK] |= np.arange(start, min(start + _BLOCK, len(key)), dtype=np.int64)
    key.sort()  # (the indexes are distinct: any sort is the stable one)
    order = np.empty(len(key), dtype=np.int32)
    low = (1 << bits) - 1
    for start in range(0, len(key), _BLOCK):
        order[start : start + _BLOCK] = key[start : start + _BLOCK] & low
    key >>= bits
    return order


def _runs(columns: list[Column], grouped: np.ndarray) -> Pools | None:
    """The people (``grouped``, positions) split by their :func:`_text_key`, each group's
    members in the order of ``grouped``, the groups in the order they first appear; None
    without such a key."""
    key = _text_key(columns, grouped)
    if key is None:
        return None
    order = _sorted_with_order(key, _combinations(columns))
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    del key
    firsts = order[starts]  # a stable sort puts each group's earliest member first
    # each field's text of every group's first member, a column at a time (not a numpy item each)
    fields = [[c.texts[code] for code in c.data[grouped[firsts]].tolist()] for c in columns]
    keys = list(zip(*fields, strict=True))
    seen = np.argsort(firsts, kind="stable").tolist()
    return Pools(grouped[order], [*starts.tolist(), len(grouped)], keys, seen)


def _group_codes(
    rule: DistributionRule, table: Table, grouped: np.ndarray
) -> tuple[np.ndarray, list[RawKey]]:
    """Each person's group number (groups numbered in the order they first appear) and each
    group's key (the values of its first member, as the mapping of keys keeps them)."""
    columns = [table.columns[name] for name in rule.group_by]
    if any(c.kind != "text" for c in columns):
        return _object_codes(rule, table, columns, grouped)
    stacked = np.stack([c.data[grouped] for c in columns], axis=1)
    _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    renumber = np.empty(len(first), dtype=np.int64)
    renumber[np.argsort(first, kind="stable")] = np.arange(len(first))
    codes = renumber[inverse.reshape(-1)]
    starts = np.sort(first)
    keys = [tuple(c.texts[int(c.data[grouped[i]])] for c in columns) for i in starts.tolist()]
    return codes, keys


def _object_codes(
    rule: DistributionRule, table: Table, columns: list[Column], grouped: np.ndarray
) -> tuple[np.ndarray, list[RawKey]]:
    """:func:`_group_codes` for group values that are not all texts, one person at a time."""
    single = len(columns) == 1
    numbers: dict[Any, int] = {}
    keys: list[RawKey] = []
    codes = np.empty(len(grouped), dtype=np.int64)
    for i, position in enumerate(grouped.tolist()):
        values = tuple(c.value(position) for c in columns)
        value = values[0] if single else values
        try:
            code = numbers.get(value)
        except TypeError:
            who = table.ids.text(position)
            raise DataError(f"{who}: group_by values must be plain values, got {value!r}") from None
        if code is None:
            code = numbers[value] = len(keys)
            keys.append(values)
        codes[i] = code
    return codes, keys


def _missing_fields(
    rule: DistributionRule, table: Table, candidates: np.ndarray, lacks: np.ndarray, needed: list[str]
) -> list[DistributionProblem]:
    found = sorted({needed[int(i)] for i in np.unique(lacks[lacks >= 0]).tolist()})
    return [
        DistributionProblem(
            "distribution-missing-field",
            f"no field '{name}' (needed to {'group' if name in rule.group_by else 'break ties'})",
            tuple(sorted(table.ids.texts(candidates[lacks == needed.index(name)].tolist()))),
        )
        for name in found
    ]


def _merge_small(
    rule: DistributionRule,
    table: Table,
    pools: Pools,
    org_parent: Mapping[str, str | None],
    share: Callable[[DistributionProblem], DistributionProblem],
) -> list[DistributionProblem]:
    """Move every group below the minimum into its parent org's group, deepest first.

    With ``merge.pool: subtree`` the group formed at the parent also takes in every other group
    with the same kept keys anywhere under that parent (sibling groups of any size), so the
    parent-level group is the whole organisation's rank group.
    """
    if not rule.can_merge:
        return [
            share(_too_small(rule, table, key, pools.pop(key), "and the distribution declares no merge"))
            for key in sorted(pools, key=_order)
            if pools.size(key) < rule.min_group_size
        ]
    assert rule.org_field is not None
    at = rule.group_by.index(rule.org_field)
    depth = _Depths(org_parent)
    levels: dict[int, set[RawKey]] = {}
    for key in pools:
        levels.setdefault(depth(key[at]), set()).add(key)
    problems: list[DistributionProblem] = []
    minimum = rule.min_group_size
    for level in range(max(levels, default=0), -1, -1):
        # Only the groups small now: a merge adds to a shallower level's group and takes
        # groups out of this one, never adds to a group of this level (the sort of the few).
        small = [k for k in levels.get(level, ()) if k in pools and pools.size(k) < minimum]
        for key in sorted(small, key=_order):
            if key not in pools:
                continue  # taken into a parent-level group already
            pool = pools.pop(key)
            org = key[at]
            if org not in org_parent or org_parent[org] is None:
                where = (
                    "even at the top of the org tree"
                    if org in org_parent
                    else (f"and org '{org}' is not in the org tree")
                )
                problems.append(share(_too_small(rule, table, key, pool, where)))
                continue
            parent_key = (*key[:at], org_parent[org], *key[at + 1 :])
            target = pools.setdefault(parent_key, Pool([], own=False))
            size = pool.size
            _move(rule, pool, key, target, parent_key, size)
            if rule.merge_pool == "subtree":
                _take_subtree(rule, pools, parent_key, at, org_parent, f"{_shown(rule, key)} has {size}")
            levels.setdefault(depth(parent_key[at]), set()).add(parent_key)
    return problems


def _move(rule: DistributionRule, pool: Pool, key: RawKey, target: Pool, to: RawKey, size: int | str) -> None:
    """Put ``pool`` (group ``key``) into ``target`` (group ``to``), recording the hop per origin.

    ``size`` is the pool's size when it moves for being too small, or the reason it was pooled.
    """
    target.parts.extend(pool.parts)
    moved = ([key] if pool.own else []) + (pool.origins or [])
    if target.origins is None:
        target.origins = []
    if target.hops is None:
        target.hops = {}
    target.origins.extend(moved)
    earlier = pool.hops or {}
    for origin in moved:
        if isinstance(size, str):
            hop = f"pooled -> {_shown(rule, to)} (because {size} < {rule.min_group_size})"
        elif origin == key:
            hop = f"has {size} < {rule.min_group_size} -> {_shown(rule, to)}"
        else:
            hop = f"then {_shown(rule, key)} has {size} < {rule.min_group_size} -> {_shown(rule, to)}"
        target.hops[origin] = [*earlier.get(origin, []), hop]


def _take_subtree(
    rule: DistributionRule,
    pools: Pools,
    parent_key: RawKey,
    at: int,
    org_parent: Mapping[str, str | None],
    why: str,
) -> None:
    """Pool every other group with ``parent_key``'s kept keys from under its org into it."""
    top, target = parent_key[at], pools[parent_key]
    rest = (*parent_key[:at], *parent_key[at + 1 :])
    for key in sorted(pools, key=_order):
        if key == parent_key or (*key[:at], *key[at + 1 :]) != rest or not _under(key[at], top, org_parent):
            continue
        _move(rule, pools.pop(key), key, target, parent_key, why)


def _under(org: Any, top: Any, org_parent: Mapping[str, str | None]) -> bool:
    """Whether ``org`` lies strictly under ``top`` in the org tree (the tree has no cycle: the
    depths were measured first)."""
    node = org_parent.get(org)
    while node is not None:
        if node == top:
            return True
        node = org_parent.get(node)
    return False


def _shown(rule: DistributionRule, key: RawKey) -> str:
    return describe_key(labelled(rule, key))


def path_of(rule: DistributionRule, table: Table, pool: Pool) -> Callable[[int], str] | None:
    """A member's merge path from its position ("" when the member's own group was not
    moved); None when nothing was merged into ``pool``."""
    if not pool.hops:
        return None
    columns = [table.columns[name] for name in rule.group_by]
    hops_of = pool.hops

    def path(position: int) -> str:
        origin = tuple(c.value(position) for c in columns)
        hops = hops_of.get(origin)
        return f"{_shown(rule, origin)} " + " ".join(hops) if hops else ""

    return path


def _too_small(
    rule: DistributionRule, table: Table, key: RawKey, pool: Pool, where: str
) -> DistributionProblem:
    size = pool.size
    text = (
        f"group {describe_key(labelled(rule, key))} has {size} member"
        f"{'' if size == 1 else 's'}, fewer than the minimum {rule.min_group_size}, {where}"
    )
    if pool.origins:
        text += "; merged from " + ", ".join(describe_key(labelled(rule, k)) for k in pool.origins)
    rule_id = "distribution-unknown-org" if "not in the org tree" in where else "distribution-group-too-small"
    members = tuple(sorted(table.ids.texts(pool.positions().tolist())))
    return DistributionProblem(rule_id, text, members, labelled(rule, key))


def _order(key: RawKey) -> tuple[str, ...]:
    """A total, deterministic order over group keys of any value types."""
    return tuple(str(v) for v in key)


class _Depths:
    """Depth of an org in the tree (a root, or an org the tree lacks, is 0), memoised."""

    def __init__(self, parent: Mapping[str, str | None]) -> None:
        self._parent = parent
        self._memo: dict[Any, int] = {}

    def __call__(self, org: Any) -> int:
        chain: list[Any] = []  # the orgs walked, from ``org`` upwards, not yet memoised
        node = org
        while node not in self._memo:
            if node in chain:
                raise DataError("the org tree has a cycle: " + " -> ".join(map(str, [*chain, node])))
            up = self._parent.get(node)
            if up is None:
                self._memo[node] = 0
                break
            chain.append(node)
            node = up
        depth = self._memo[node]
        for item in reversed(chain):
            depth += 1
            self._memo[item] = depth
        return self._memo[org]
