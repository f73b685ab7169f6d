"""Proposed versus final grades per distribution group (the calibration check).

Stage 1 proposes a grade per person, stage 2 sets the final one. For every final group of a
:class:`DistributionResult` this reports the quota seats, the proposed and final counts per
grade, whether each count is within quota +- the policy's tolerance, and who moved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from engine.distribution.model import DistributionProblem, DistributionResult, GroupKey, GroupResult
from engine.distribution.rule import DistributionRule

if TYPE_CHECKING:  # (numpy is imported when a distribution is graded, not with the package)
    import numpy as np

    from engine.distribution.compact import Ids


@dataclass(frozen=True, slots=True)
class GradeCount:
    """One grade of one group: seats, allowed slack, and how many were proposed and final."""

    grade: str
    quota: int
    tolerance: int
    proposed: int
    final: int

    def allows(self, count: int) -> bool:
        """Whether ``count`` people in this grade is within quota +- tolerance."""
        return self.quota - self.tolerance <= count <= self.quota + self.tolerance

    @property
    def proposed_within(self) -> bool:
        return self.allows(self.proposed)

    @property
    def final_within(self) -> bool:
        return self.allows(self.final)


@dataclass(frozen=True, slots=True)
class Move:
    """A person whose final grade differs from the proposed one (``reason`` as recorded)."""

    member: str
    proposed: str | None
    final: str | None
    reason: str | None = None


class MemberIds(Sequence[str]):
    """Ids of some members of a group, kept as their positions in the grading's
    :class:`~.compact.Ids` (4 bytes a person, not a text object each: a table without final
    grades lists everyone as missing) and read as they are asked for. Equal to any sequence
    of the same ids (a tuple too)."""

    __slots__ = ("_ids", "_positions")

    def __init__(self, ids: Ids, positions: np.ndarray) -> None:
        self._ids, self._positions = ids, positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return self._ids.texts(self._positions[index].tolist())
        return self._ids.text(int(self._positions[index]))

    def __iter__(self) -> Iterator[str]:
        text = self._ids.text
        return (text(p) for p in self._positions.tolist())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


@dataclass(frozen=True, slots=True)
class GroupCalibration:
    """The calibration of one final group."""

    key: GroupKey
    size: int
    grades: tuple[GradeCount, ...]
    moves: tuple[Move, ...]
    missing: Sequence[str] = ()  # members with no final grade
    unknown: Sequence[str] = ()  # members whose proposed or final grade is not a scale code

    @property
    def within(self) -> bool:
        """Every final count within quota +- tolerance and every member has a valid final grade."""
        return all(g.final_within for g in self.grades) and not self.missing and not self.unknown


@dataclass(frozen=True)
class CalibrationReport:
    """Calibration of every final group of one distribution, and the people not graded."""

    distribution: str
    groups: tuple[GroupCalibration, ...]
    problems: tuple[DistributionProblem, ...]

    @property
    def within(self) -> bool:
        """Whether every group's final distribution is acceptable."""
        return all(g.within for g in self.groups)


def calibrate(
    rule: DistributionRule,
    result: DistributionResult,
    proposed: Mapping[str, str],
    final: Mapping[str, str],
    reasons: Mapping[str, str] | None = None,
) -> CalibrationReport:
    """Compare stage-1 ``proposed`` and stage-2 ``final`` grades (member id -> code) per group.

    The groups (and so the quotas) are those of ``result``; ``reasons`` (member id -> text)
    explains a move where the data records one. A member without a proposed grade counts as
    proposed nothing; one without a final grade is listed in ``missing``.
    """
    said = reasons or {}

    def stages(member: str, _: int) -> tuple[str | None, str | None, str | None]:
        return proposed.get(member), final.get(member), said.get(member)

    return calibrate_with(rule, result, stages)


#: A member's proposed grade, final grade and the reason of a move, from its id and position.
Stages = Callable[[str, int], tuple[str | None, str | None, str | None]]


def calibrate_with(rule: DistributionRule, result: DistributionResult, stages: Stages) -> CalibrationReport:
    """:func:`calibrate` with each member's stages read by ``stages`` (from the compact rows
    the grading read, by position: no mapping per person).

    What the groups share is made once (:class:`_Shared`): a kumho-like population of a
    million has groups of some fifteen people, and a group's counts, key and lists held as
    objects of their own were some 150 bytes a person until the report was written."""
    from engine.distribution.compact import give_back

    shared = _Shared()
    groups = tuple(_group(rule, g, stages, shared) for g in result.groups)
    give_back()  # each group's masks and stages, let go
    return CalibrationReport(rule.name, groups, result.problems)


class _Shared:
    """Equal immutable values of a distribution's groups, kept once: each grade's counts (most
    groups of one size have the same), the tuple of them, and a group key's ``(field, value)``
    pairs (every group of one role grade names it)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        return self._values.setdefault(value, value)

    def key(self, key: GroupKey) -> GroupKey:
        return tuple(self(pair) for pair in key)


def _group(rule: DistributionRule, group: GroupResult, stages: Stages, shared: _Shared) -> GroupCalibration:
    import numpy as np

    proposed_counts = dict.fromkeys(group.quota, 0)
    final_counts = dict.fromkeys(group.quota, 0)
    moves: list[Move] = []
    missing = np.zeros(group.size, bool)
    unknown = np.zeros(group.size, bool)
    for at, (member, position) in enumerate(zip(group.members, group.positions.tolist(), strict=True)):
        before, after, reason = stages(member, position)
        if before in proposed_counts:
            proposed_counts[before] += 1
        if after in final_counts:
            final_counts[after] += 1
        if after is None:
            missing[at] = True
        if (before is not None and before not in proposed_counts) or (
            after is not None and after not in final_counts
        ):
            unknown[at] = True
        if before != after:
            moves.append(Move(member, before, after, reason))
    tolerance = rule.tolerance
    grades = group.quota.items()
    counts = shared(
        tuple(
            shared(GradeCount(code, seats, tolerance.get(code, 0), proposed_counts[code], final_counts[code]))
            for code, seats in grades
        )
    )
    listed = (_members(group, m) for m in (missing, unknown))
    return GroupCalibration(shared.key(group.key), group.size, counts, tuple(moves), *listed)


def _members(group: GroupResult, chosen: np.ndarray) -> Sequence[str]:
    """The members ``chosen`` (a mask over the ranks) as :class:`MemberIds`: the group's own
    positions when all are (a table without final grades lists everyone), none: ``()``."""
    if not chosen.any():
        return ()
    return MemberIds(group.ids, group.positions if chosen.all() else group.positions[chosen])
