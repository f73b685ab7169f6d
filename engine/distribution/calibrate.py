"""Proposed versus final grades per distribution group (the calibration check).

Stage 1 proposes a grade per person, stage 2 sets the final one. For every final group of a
:class:`DistributionResult` this reports the quota seats, the proposed and final counts per
grade, whether each count is within quota +- the policy's tolerance, and who moved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.distribution.model import DistributionProblem, DistributionResult, GroupKey, GroupResult
from engine.distribution.rule import DistributionRule
from engine.io.spool import ItemSpool


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
    """Calibration of every final group of one distribution, and the people not graded.

    :func:`calibrate_with` gives both as :class:`~engine.io.spool.ItemSpool` (a temp file past a batch):
    read in order, as often as the report needs, never held whole."""

    distribution: str
    groups: Sequence[GroupCalibration]
    problems: Sequence[DistributionProblem]

    @property
    def within(self) -> bool:
        """Whether every group's final distribution is acceptable."""
        return all(g.within for g in self.groups)

    def close(self) -> None:
        """Remove the spools' temp files now (nothing is read after)."""
        for spooled in (self.groups, self.problems):
            if isinstance(spooled, ItemSpool):
                spooled.close()


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


#: Group calibrations (and problems) written to the temp file at a time, and read back at a time.
BATCH = 256

#: A member's proposed grade, final grade and the reason of a move, from its id and position.
Stages = Callable[[str, int], tuple[str | None, str | None, str | None]]


def calibrate_with(
    rule: DistributionRule, result: DistributionResult, stages: Stages, *, batch: int = BATCH
) -> CalibrationReport:
    """:func:`calibrate` with each member's stages read by ``stages`` (from the compact rows
    the grading read, by position: no mapping per person).

    Each group's calibration is spooled as it is made (:class:`~engine.io.spool.ItemSpool`, ``batch``
    groups to a write), and so are the problems (the people not graded, named by id): a
    kumho-like population has groups of some fifteen people, and their calibrations held as
    objects until the report was written were some 100 bytes a person, the grading's ids
    kept with them (bench/RESULTS.md). Nothing of ``result`` is referenced after: the grading's
    rows and groups are let go with it. What a batch's groups share is made once
    (:class:`_Shared`: equal counts, key pairs), so a batch is small to write and to read."""
    from engine.distribution.compact import give_back

    shared = _Shared()
    groups: ItemSpool[GroupCalibration] = ItemSpool(threshold=batch)
    for group in result.groups:
        groups.append(_group(rule, group, stages, shared))
    problems: ItemSpool[DistributionProblem] = ItemSpool(result.problems, threshold=batch)
    groups.flush()  # the last batches too: no object made while grading outlives it
    problems.flush()
    give_back()  # each group's stages and lists, let go
    return CalibrationReport(rule.name, groups, problems)


class _Shared:
    """Equal immutable values of a distribution's groups, kept once: each grade's counts (most
    groups of one size have the same), the tuple of them, and a group key's ``(field, value)``
    pairs (every group of one role grade names it)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        return self._values.setdefault(value, value)

    def key(self, key: GroupKey) -> GroupKey:
        # texts only: equal values of other types may show differently (1 and True, 1.0 and 1.00)
        return tuple(self(pair) if type(pair[1]) is str else pair for pair in key)


def _group(rule: DistributionRule, group: GroupResult, stages: Stages, shared: _Shared) -> GroupCalibration:
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
    tolerance = rule.tolerance
    grades = group.quota.items()
    counts = shared(
        tuple(
            shared(GradeCount(code, seats, tolerance.get(code, 0), proposed_counts[code], final_counts[code]))
            for code, seats in grades
        )
    )
    key = shared.key(group.key)
    return GroupCalibration(key, group.size, counts, tuple(moves), tuple(missing), tuple(unknown))
