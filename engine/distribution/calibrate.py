"""Proposed versus final grades per distribution group (the calibration check).

Stage 1 proposes a grade per person, stage 2 sets the final one. For every final group of a
:class:`DistributionResult` this reports the quota seats, the proposed and final counts per
grade, whether each count is within quota +- the policy's tolerance, and who moved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from engine.distribution.model import DistributionProblem, DistributionResult, GroupKey, GroupResult
from engine.distribution.rule import DistributionRule


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Move:
    """A person whose final grade differs from the proposed one (``reason`` as recorded)."""

    member: str
    proposed: str | None
    final: str | None
    reason: str | None = None


@dataclass(frozen=True)
class GroupCalibration:
    """The calibration of one final group."""

    key: GroupKey
    size: int
    grades: tuple[GradeCount, ...]
    moves: tuple[Move, ...]
    missing: tuple[str, ...] = ()  # members with no final grade
    unknown: tuple[str, ...] = ()  # members whose proposed or final grade is not a scale code

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
    the grading read, by position: no mapping per person)."""
    groups = tuple(_group(rule, g, stages) for g in result.groups)
    return CalibrationReport(rule.name, groups, result.problems)


def _group(rule: DistributionRule, group: GroupResult, stages: Stages) -> GroupCalibration:
    proposed_counts = dict.fromkeys(group.quota, 0)
    final_counts = dict.fromkeys(group.quota, 0)
    moves: list[Move] = []
    missing: list[str] = []
    unknown: list[str] = []
    for member, position in zip(group.members, group.positions.tolist(), strict=True):
        before, after, reason = stages(member, position)
        if before in proposed_counts:
            proposed_counts[before] += 1
        if after in final_counts:
            final_counts[after] += 1
        if after is None:
            missing.append(member)
        if (before is not None and before not in proposed_counts) or (
            after is not None and after not in final_counts
        ):
            unknown.append(member)
        if before != after:
            moves.append(Move(member, before, after, reason))
    counts = tuple(
        GradeCount(code, seats, rule.tolerance.get(code, 0), proposed_counts[code], final_counts[code])
        for code, seats in group.quota.items()
    )
    return GroupCalibration(group.key, group.size, counts, tuple(moves), tuple(missing), tuple(unknown))
