"""Relative grading (forced distribution): rank each group and give grades by quota seats.

Usage::

    rule = distribution_from_policy(policy, "performance")
    result = distribute(rule, candidates, org_parent)
    result.grade_of("e17"), result.outcome("e17").reason, result.problems

Each group is sorted once, on key tuples built column by column (score, each declared tie key,
then the id as the final key), so a million people cost a few list passes and one sort per
group. Seats come from :func:`allocate_quotas` (exact integer arithmetic, cached per size).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

from engine.distribution.groups import Pool, RawKey, form_groups, labelled, merge_paths
from engine.distribution.model import (
    Candidate,
    DistributionProblem,
    DistributionResult,
    GroupKey,
    GroupResult,
    MemberOutcome,
    TieNote,
    describe_key,
)
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
    "check_distribution",
    "compile_distribution",
    "describe_key",
    "distribute",
    "distribution_from_policy",
    "org_tree",
]


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


def org_tree(
    rows: Iterable[Mapping[str, Any]], parent_field: str, id_field: str = "id"
) -> dict[str, str | None]:
    """The org tree (org id -> parent id or ``None``) from org records carrying ``parent_field``."""
    tree: dict[str, str | None] = {}
    for row in rows:
        parent = row.get(parent_field)
        tree[str(row[id_field])] = None if parent in (None, "") else str(parent)
    return tree


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
