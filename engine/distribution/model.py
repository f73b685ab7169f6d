"""The values a forced distribution reads and returns: candidates in, frozen results out.

A result keeps, per final group, the member ids in rank order and their grades as two tuples
(one million people must not mean one million result objects); the per-member explanation
(:class:`MemberOutcome`, with its reason text) is built on demand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

#: A group's identity: ``(("org", "sales"), ("role_grade", "K3"))``.
GroupKey = tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One person to rank: id, the ranked score, and the fields used by groups and tie-breakers."""

    id: str
    score: Decimal
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class TieNote:
    """People equal on the score and on every declared tie key, split by a quota boundary:
    the final key (the id) put them in rank order across grades ``upper`` and ``lower``."""

    members: tuple[str, ...]
    upper: str
    lower: str

    def describe(self) -> str:
        return (
            f"{', '.join(self.members)} are equal on the score and every tie key across the "
            f"{self.upper}/{self.lower} boundary; the final key (id) decided"
        )


@dataclass(frozen=True)
class DistributionProblem:
    """People who could not be graded, and why (``rule`` is a stable id).

    A domain result, not :class:`engine.errors.Problem`: one problem names several members
    (a whole group), and it has no place in a data file until a caller gives it one.
    """

    rule: str
    message: str
    members: tuple[str, ...]
    key: GroupKey = ()


@dataclass(frozen=True)
class MemberOutcome:
    """One person's grade (``None`` when not graded), rank in the final group, and why."""

    id: str
    group: GroupKey
    grade: str | None
    rank: int | None
    size: int
    reason: str


def describe_key(key: GroupKey) -> str:
    """``(org=sales, role_grade=K3)``."""
    return "(" + ", ".join(f"{k}={v}" for k, v in key) + ")"


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

    def outcomes(self) -> Iterator[MemberOutcome]:
        """Every candidate's outcome: graded groups first, then the people not graded."""
        for group in self.groups:
            yield from group.outcomes()
        for problem in self.problems:
            for member in problem.members:
                reason = not_graded_reason(problem)
                yield MemberOutcome(member, problem.key, None, None, len(problem.members), reason)


def not_graded_reason(problem: DistributionProblem) -> str:
    """Why the people ``problem`` names were not graded, as their outcome says it."""
    return f"not graded: {problem.message}"
