"""The forced distribution as it was before its rows became compact (main at 7b3cab9,
engine/distribution/groups.py, distribute.py (now ranking.py) and the results of model.py, kept verbatim but for
one method, ``grades_of``): the reference the compact grading is compared with, person by person
and report byte by report byte (tests/test_distribution_compact.py). Not used by the engine."""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from operator import itemgetter
from typing import Any

from engine.distribution.model import (
    Candidate,
    DistributionProblem,
    GroupKey,
    MemberOutcome,
    TieNote,
    describe_key,
    not_graded_reason,
)
from engine.distribution.rule import ID_FIELD, DistributionRule
from engine.errors import DataError


@dataclass(frozen=True)
class GroupResult:
    """One final group: members in rank order (rank = position + 1), their grades, the seats."""

    key: GroupKey
    members: tuple[str, ...]
    grades: tuple[str, ...]
    quota: Mapping[str, int]
    method: str
    merged_from: tuple[GroupKey, ...] = ()
    ties: tuple[TieNote, ...] = ()
    #: Each member's merge path, parallel to ``members`` ("" when the member's own group stayed);
    #: empty when nothing was merged.
    paths: tuple[str, ...] = ()

    @property
    def merged(self) -> bool:
        """Whether smaller groups were merged into this one."""
        return bool(self.merged_from)

    @property
    def size(self) -> int:
        """Number of people in the final group."""
        return len(self.members)

    def counts(self) -> dict[str, int]:
        """People per grade, best first (equals :attr:`quota`: the seats are filled exactly)."""
        out = dict.fromkeys(self.quota, 0)
        for grade in self.grades:
            out[grade] += 1
        return out

    def outcome(self, index: int) -> MemberOutcome:
        """The outcome of the member at ``index`` (rank ``index + 1``)."""
        member, grade, rank = self.members[index], self.grades[index], index + 1
        reason = self._reason(member, grade, rank)
        if self.paths and self.paths[index]:
            reason += "; merge path: " + self.paths[index]
        return MemberOutcome(member, self.key, grade, rank, self.size, reason)

    def outcomes(self) -> Iterator[MemberOutcome]:
        return (self.outcome(i) for i in range(self.size))

    def _reason(self, member: str, grade: str, rank: int) -> str:
        seats = ", ".join(f"{code}={n}" for code, n in self.quota.items())
        first = self.grades.index(grade) + 1
        last = first + self.quota[grade] - 1
        span = f"rank {first}" if first == last else f"ranks {first}-{last}"
        text = (
            f"rank {rank} of {self.size} in group {describe_key(self.key)}: "
            f"quota {seats} seats ({self.method}); {span} get {grade}"
        )
        if self.merged:
            text += "; merged from " + ", ".join(describe_key(k) for k in self.merged_from)
        for tie in self.ties:
            if member in tie.members:
                text += "; tie: " + tie.describe()
        return text


@dataclass(frozen=True)
class DistributionResult:
    """Every final group and every problem of one run of a distribution."""

    distribution: str
    groups: tuple[GroupResult, ...]
    problems: tuple[DistributionProblem, ...] = field(default=())

    @cached_property
    def _index(self) -> dict[str, tuple[int, int]]:
        return {m: (g, i) for g, group in enumerate(self.groups) for i, m in enumerate(group.members)}

    @property
    def not_graded(self) -> Mapping[str, DistributionProblem]:
        """Each person not graded -> the first problem naming them."""
        return self._not_graded

    @cached_property
    def _not_graded(self) -> dict[str, DistributionProblem]:
        """Each person not graded -> the first problem naming them (a lookup, not a scan of
        every problem's members: a million people may leave tens of thousands ungraded)."""
        found: dict[str, DistributionProblem] = {}
        for problem in self.problems:
            for member in problem.members:
                found.setdefault(member, problem)
        return found

    def grade_of(self, member: str) -> str | None:
        """The grade given to ``member`` (``None``: not graded, or unknown)."""
        where = self._index.get(member)
        return None if where is None else self.groups[where[0]].grades[where[1]]

    def outcome(self, member: str) -> MemberOutcome | None:
        """The explained outcome of ``member``, graded or not; ``None`` if never a candidate."""
        where = self._index.get(member)
        if where is not None:
            return self.groups[where[0]].outcome(where[1])
        problem = self._not_graded.get(member)
        if problem is None:
            return None
        reason = not_graded_reason(problem)
        return MemberOutcome(member, problem.key, None, None, len(problem.members), reason)

    def outcomes_of(self, members: Sequence[str]) -> list[MemberOutcome | None]:
        """:meth:`outcome` of each of ``members`` (what the reports ask, a block at a time)."""
        return [self.outcome(member) for member in members]

    def outcomes(self) -> Iterator[MemberOutcome]:
        """Every candidate's outcome: graded groups first, then the people not graded."""
        for group in self.groups:
            yield from group.outcomes()
        for problem in self.problems:
            for member in problem.members:
                reason = not_graded_reason(problem)
                yield MemberOutcome(member, problem.key, None, None, len(problem.members), reason)


    def grades_of(self, members: Sequence[str]) -> list[str | None]:
        """The one method added: what the compact result's block lookup answers."""
        return [self.grade_of(m) for m in members]


RawKey = tuple[Any, ...]


@dataclass
class Pool:
    """A group being formed: its members and the original groups merged into it."""

    members: list[Candidate]
    own: bool = True
    origins: list[RawKey] = field(default_factory=list)
    #: Per original group moved here: each hop up the tree and why (the merge path).
    hops: dict[RawKey, list[str]] = field(default_factory=dict)


def labelled(rule: DistributionRule, key: RawKey) -> GroupKey:
    """Pair each group_by field with its value."""
    return tuple(zip(rule.group_by, key, strict=True))


def form_groups(
    rule: DistributionRule, candidates: Sequence[Candidate], org_parent: Mapping[str, str | None]
) -> tuple[dict[RawKey, Pool], list[DistributionProblem]]:
    """Final groups (key -> pool) and the problems of people who cannot be grouped or graded."""
    pools, problems = _split(rule, candidates)
    if rule.min_group_size > 1:
        problems += _merge_small(rule, pools, org_parent)
    return pools, problems


def _split(
    rule: DistributionRule, candidates: Sequence[Candidate]
) -> tuple[dict[RawKey, Pool], list[DistributionProblem]]:
    """One pass over the candidates; a person lacking a group or tie field is set aside.

    Without ``group_by`` the whole population is one group, keyed ``()``.
    """
    get = itemgetter(*rule.group_by) if rule.group_by else _no_key
    tie_fields = [t.field for t in rule.ties if t.field != ID_FIELD]
    check = itemgetter(*tie_fields) if tie_fields else None
    raw: dict[Any, list[Candidate]] = {}
    lacking: list[Candidate] = []
    for cand in candidates:
        try:
            value = get(cand.fields)
            if check is not None:
                check(cand.fields)
        except KeyError:
            lacking.append(cand)
            continue
        try:
            bucket = raw.get(value)
        except TypeError:
            raise DataError(f"{cand.id}: group_by values must be plain values, got {value!r}") from None
        if bucket is None:
            raw[value] = [cand]
        else:
            bucket.append(cand)
    single = len(rule.group_by) == 1
    # itemgetter of one key gives the value itself, of several a tuple: make every key a tuple.
    pools = {((k,) if single else k): Pool(members) for k, members in raw.items()}
    return pools, _missing_fields(rule, lacking, tie_fields)


def _no_key(fields: Mapping[str, Any]) -> RawKey:
    return ()


def _missing_fields(
    rule: DistributionRule, lacking: list[Candidate], tie_fields: list[str]
) -> list[DistributionProblem]:
    by_field: dict[str, list[str]] = {}
    for cand in lacking:
        for name in (*rule.group_by, *tie_fields):
            if name not in cand.fields:
                by_field.setdefault(name, []).append(cand.id)
                break
    return [
        DistributionProblem(
            "distribution-missing-field",
            f"no field '{name}' (needed to {'group' if name in rule.group_by else 'break ties'})",
            tuple(sorted(ids)),
        )
        for name, ids in sorted(by_field.items())
    ]


def _merge_small(
    rule: DistributionRule, pools: dict[RawKey, Pool], org_parent: Mapping[str, str | None]
) -> list[DistributionProblem]:
    """Move every group below the minimum into its parent org's group, deepest first.

    With ``merge.pool: subtree`` the group formed at the parent also takes in every other group
    with the same kept keys anywhere under that parent (sibling groups of any size), so the
    parent-level group is the whole organisation's rank group.
    """
    if not rule.can_merge:
        return [
            _too_small(rule, key, pools.pop(key), "and the distribution declares no merge")
            for key in sorted(pools, key=_order)
            if len(pools[key].members) < rule.min_group_size
        ]
    assert rule.org_field is not None
    at = rule.group_by.index(rule.org_field)
    depth = _Depths(org_parent)
    levels: dict[int, set[RawKey]] = {}
    for key in pools:
        levels.setdefault(depth(key[at]), set()).add(key)
    problems: list[DistributionProblem] = []
    for level in range(max(levels, default=0), -1, -1):
        for key in sorted(levels.get(level, ()), key=_order):
            pool = pools.get(key)
            if pool is None or len(pool.members) >= rule.min_group_size:
                continue  # taken into a parent-level group already, or large enough
            del pools[key]
            org = key[at]
            if org not in org_parent or org_parent[org] is None:
                where = (
                    "even at the top of the org tree"
                    if org in org_parent
                    else (f"and org '{org}' is not in the org tree")
                )
                problems.append(_too_small(rule, key, pool, where))
                continue
            parent_key = (*key[:at], org_parent[org], *key[at + 1 :])
            target = pools.setdefault(parent_key, Pool([], own=False))
            size = len(pool.members)
            _move(rule, pool, key, target, parent_key, size)
            if rule.merge_pool == "subtree":
                _take_subtree(rule, pools, parent_key, at, org_parent, f"{_shown(rule, key)} has {size}")
            levels.setdefault(depth(parent_key[at]), set()).add(parent_key)
    return problems


def _move(rule: DistributionRule, pool: Pool, key: RawKey, target: Pool, to: RawKey, size: int | str) -> None:
    """Put ``pool`` (group ``key``) into ``target`` (group ``to``), recording the hop per origin.

    ``size`` is the pool's size when it moves for being too small, or the reason it was pooled.
    """
    target.members.extend(pool.members)
    moved = ([key] if pool.own else []) + pool.origins
    target.origins.extend(moved)
    for origin in moved:
        if isinstance(size, str):
            hop = f"pooled -> {_shown(rule, to)} (because {size} < {rule.min_group_size})"
        elif origin == key:
            hop = f"has {size} < {rule.min_group_size} -> {_shown(rule, to)}"
        else:
            hop = f"then {_shown(rule, key)} has {size} < {rule.min_group_size} -> {_shown(rule, to)}"
        target.hops[origin] = [*pool.hops.get(origin, []), hop]


def _take_subtree(
    rule: DistributionRule,
    pools: dict[RawKey, Pool],
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


def merge_paths(rule: DistributionRule, pool: Pool, members: Sequence[Candidate]) -> tuple[str, ...]:
    """Each member's merge path (empty strings when the member's own group was not moved)."""
    if not pool.hops:
        return ()
    get = itemgetter(*rule.group_by)
    single = len(rule.group_by) == 1
    paths = []
    for cand in members:
        raw = get(cand.fields)
        origin = (raw,) if single else tuple(raw)
        hops = pool.hops.get(origin)
        paths.append(f"{_shown(rule, origin)} " + " ".join(hops) if hops else "")
    return tuple(paths)


def _too_small(rule: DistributionRule, key: RawKey, pool: Pool, where: str) -> DistributionProblem:
    text = (
        f"group {describe_key(labelled(rule, key))} has {len(pool.members)} member"
        f"{'' if len(pool.members) == 1 else 's'}, fewer than the minimum {rule.min_group_size}, {where}"
    )
    if pool.origins:
        text += "; merged from " + ", ".join(describe_key(labelled(rule, k)) for k in pool.origins)
    rule_id = "distribution-unknown-org" if "not in the org tree" in where else "distribution-group-too-small"
    return DistributionProblem(rule_id, text, tuple(sorted(c.id for c in pool.members)), labelled(rule, key))


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


def distribute(
    rule: DistributionRule,
    candidates: Sequence[Candidate],
    org_parent: Mapping[str, str | None] | None = None,
) -> DistributionResult:
    """Group, merge small groups up the org tree, rank and grade every candidate.

    ``org_parent`` maps an org id to its parent (``None`` at the top); it is only read when a
    group is below ``min_group_size``. People who cannot be graded are in ``problems``.
    """
    _check_unique_ids(candidates)
    pools, problems = form_groups(rule, candidates, org_parent or {})
    seats: dict[int, dict[str, int]] = {}
    groups = []
    for key in sorted(pools, key=lambda k: tuple(str(v) for v in k)):
        n = len(pools[key].members)
        if n not in seats:
            seats[n] = rule.seats(n)
        groups.append(_grade(rule, key, pools[key], seats[n]))
    return DistributionResult(rule.name, tuple(groups), tuple(problems))


def _check_unique_ids(candidates: Sequence[Candidate]) -> None:
    """The id is the final tie-breaker and the key of every lookup, so it must be unique."""
    ids = {c.id for c in candidates}
    if len(ids) == len(candidates):
        return
    twice = sorted(i for i, n in Counter(c.id for c in candidates).items() if n > 1)
    shown = ", ".join(twice[:5]) + (f" and {len(twice) - 5} more" if len(twice) > 5 else "")
    raise DataError(f"candidate ids must be unique; repeated: {shown}")


def _grade(rule: DistributionRule, key: RawKey, pool: Pool, quota: dict[str, int]) -> GroupResult:
    members = pool.members
    rows = _ranked(rule, key, members)
    ids = tuple(members[row[-1]].id for row in rows)
    paths = merge_paths(rule, pool, [members[row[-1]] for row in rows])
    grades: list[str] = []
    for code, count in quota.items():
        grades.extend(repeat(code, count))
    return GroupResult(
        key=labelled(rule, key),
        members=ids,
        grades=tuple(grades),
        quota=quota,
        method=rule.method,
        merged_from=tuple(labelled(rule, k) for k in pool.origins),
        paths=paths,
        ties=_boundary_ties(rows, ids, grades, quota),
    )


def _ranked(rule: DistributionRule, key: RawKey, members: list[Candidate]) -> list[tuple[Any, ...]]:
    """Rows ``(score, tie keys..., id, position)`` sorted best first; directions folded in."""
    columns: list[Sequence[Any]] = [_directed([c.score for c in members], rule.descending)]
    for tie in rule.ties:
        if tie.field == ID_FIELD:
            values = [c.id for c in members]
        else:
            name = tie.field
            values = [c.fields[name] for c in members]
        columns.append(_directed(values, tie.descending))
    columns.append(range(len(members)))
    rows = list(zip(*columns, strict=True))
    try:
        rows.sort()
    except TypeError as exc:
        where = describe_key(labelled(rule, key))
        raise DataError(f"group {where}: values cannot be ranked ({exc})") from None
    return rows


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


def _boundary_ties(
    rows: list[tuple[Any, ...]], ids: tuple[str, ...], grades: list[str], quota: Mapping[str, int]
) -> tuple[TieNote, ...]:
    """Runs of people equal on everything but the final key that a grade boundary splits."""
    notes: list[TieNote] = []
    for b in _boundaries(quota, len(rows)):
        if rows[b - 1][:-2] != rows[b][:-2]:
            continue
        start, end = b - 1, b + 1
        while start > 0 and rows[start - 1][:-2] == rows[b][:-2]:
            start -= 1
        while end < len(rows) and rows[end][:-2] == rows[b][:-2]:
            end += 1
        notes.append(TieNote(ids[start:end], grades[b - 1], grades[b]))
    return tuple(notes)
