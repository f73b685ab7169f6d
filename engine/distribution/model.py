"""The values a forced distribution reads and returns: candidates in, frozen results out.

A result keeps, per final group, the members' positions in rank order (one million people must
not mean one million result objects, nor a mapping per person); ids, grades and the per-member
explanation (:class:`MemberOutcome`, with its reason text) are read on demand.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy only where grades are looked up: `hrpolicy validate` never loads it
    import numpy as np

    from engine.distribution.ids import Ids
    from engine.distribution.packed import PackedGroups

#: A group's identity: ``(("org", "sales"), ("role_grade", "K3"))``.
GroupKey = tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One person to rank: id, the ranked score, and the fields used by groups and tie-breakers."""

    id: str
    score: Decimal
    fields: Mapping[str, Any]


class TieNote:
    """People equal on the score and on every declared tie key, split by a quota boundary:
    the final key (the id) put them in rank order across grades ``upper`` and ``lower``.

    The grading makes it with :meth:`spanning`: the members are then the ranks ``span`` of
    their group (0-based, end excluded), kept as that slice of the group's positions and read
    as ids when asked (a tie of a hundred thousand equal people is not a hundred thousand
    texts held until the report is written). Equal when the members and grades are.
    """

    __slots__ = ("_ids", "_members", "_positions", "_text", "lower", "span", "upper")

    def __init__(self, members: Sequence[str], upper: str, lower: str) -> None:
        self._members: tuple[str, ...] | None = tuple(members)
        self._ids: Ids | None = None
        self._positions: np.ndarray | None = None
        self._text: str | None = None
        self.upper, self.lower = upper, lower
        #: The ranks (0-based, end excluded) the members hold in their group, when known.
        self.span: tuple[int, int] | None = None

    @classmethod
    def spanning(cls, ids: Ids, ranked: np.ndarray, span: tuple[int, int], upper: str, lower: str) -> TieNote:
        """The tie of the members at ranks ``span`` of a group ranked as ``ranked`` (positions
        into ``ids``)."""
        note = cls((), upper, lower)
        note._members, note._ids, note._positions = None, ids, ranked[span[0] : span[1]]
        note.span = span
        return note

    @property
    def members(self) -> tuple[str, ...]:
        """The members' ids, in rank order."""
        if self._members is not None:
            return self._members
        assert self._ids is not None and self._positions is not None
        return self._ids.texts(self._positions.tolist())

    def holds(self, member: str, index: int) -> bool:
        """Whether ``member``, at rank index ``index`` of this tie's group, is one of its members."""
        if self.span is not None:
            return self.span[0] <= index < self.span[1]
        return member in self.members

    def _fields(self) -> tuple[tuple[str, ...], str, str]:
        return self.members, self.upper, self.lower

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TieNote) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"TieNote(members={self.members!r}, upper={self.upper!r}, lower={self.lower!r})"

    def describe(self) -> str:
        """The tie as every member's reason shows it (made once: one text, not an id each)."""
        if self._text is None:
            self._text = (
                f"{', '.join(self.members)} are equal on the score and every tie key across the "
                f"{self.upper}/{self.lower} boundary; the final key (id) decided"
            )
        return self._text


@dataclass(frozen=True, slots=True)
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


def seat_layout(quota: Mapping[str, int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The grade codes of ``quota`` and the first rank index (0-based) of each, then the size."""
    starts = [0]
    for count in quota.values():
        starts.append(starts[-1] + count)
    return tuple(quota), tuple(starts)


def describe_key(key: GroupKey) -> str:
    """``(org=sales, role_grade=K3)``."""
    return "(" + ", ".join(map(describe_pair, key)) + ")"


def describe_pair(pair: tuple[str, Any]) -> str:
    """``org=sales``: one pair of :func:`describe_key`."""
    return f"{pair[0]}={pair[1]}"


@dataclass(frozen=True, eq=False, slots=True)
class GroupResult:
    """One final group: members in rank order (rank = position + 1), the seats, how it formed.

    The members are kept as positions into the grading's :class:`~.ids.Ids` (4 bytes a
    person); their ids, grades and merge paths are read on demand (a grade follows from the
    rank and the seats). Slotted: groups of some fifteen people made an instance dict of a few
    hundred bytes a group, some 20 bytes a person until the distribution was let go.
    """

    key: GroupKey
    positions: np.ndarray
    ids: Ids
    quota: Mapping[str, int]
    method: str
    merged_from: tuple[GroupKey, ...] = ()
    ties: tuple[TieNote, ...] = ()
    #: A member's merge path from its position ("" when its own group stayed); None when
    #: nothing was merged into this group.
    path_of: Callable[[int], str] | None = None
    #: The grade codes of :attr:`quota` and the first rank index of each (then the size):
    #: shared by the groups of one size (:func:`seat_layout`), never made per group.
    layout: tuple[tuple[str, ...], tuple[int, ...]] = ((), ())

    def __post_init__(self) -> None:
        if len(self.layout[0]) != len(self.quota):
            object.__setattr__(self, "layout", seat_layout(self.quota))

    @property
    def merged(self) -> bool:
        """Whether smaller groups were merged into this one."""
        return bool(self.merged_from)

    @property
    def size(self) -> int:
        """Number of people in the final group."""
        return len(self.positions)

    @property
    def members(self) -> tuple[str, ...]:
        """The member ids in rank order."""
        return self.ids.texts(self.positions.tolist())

    @property
    def grades(self) -> tuple[str, ...]:
        """Each member's grade, in rank order (the seats filled best first)."""
        return tuple(code for code, count in self.quota.items() for _ in range(count))

    @property
    def paths(self) -> tuple[str, ...]:
        """Each member's merge path, parallel to :attr:`members`; empty when nothing was merged."""
        if self.path_of is None:
            return ()
        return tuple(self.path_of(p) for p in self.positions.tolist())

    def grade_at(self, index: int) -> str:
        """The grade of the member at ``index`` (rank ``index + 1``)."""
        codes, starts = self.layout
        return codes[bisect_right(starts, index) - 1]

    def counts(self) -> dict[str, int]:
        """People per grade, best first (equals :attr:`quota`: the seats are filled exactly)."""
        return dict(self.quota)

    def outcome(self, index: int, said: str | None = None) -> MemberOutcome:
        """The outcome of the member at ``index`` (rank ``index + 1``); ``said``: what
        :meth:`said` gives for its grade, written already."""
        position = int(self.positions[index])
        member, grade, rank = self.ids.text(position), self.grade_at(index), index + 1
        reason = self._ranked(member, rank, self.said(grade) if said is None else said)
        path = self.path_of(position) if self.path_of is not None else ""
        if path:
            reason += "; merge path: " + path
        return MemberOutcome(member, self.key, grade, rank, self.size, reason)

    def outcomes(self) -> Iterator[MemberOutcome]:
        return (self.outcome(i) for i in range(self.size))

    def _ranked(self, member: str, rank: int, said: str) -> str:
        text = f"rank {rank}" + said
        for tie in self.ties:
            if tie.holds(member, rank - 1):
                text += "; tie: " + tie.describe()
        return text

    def said(self, grade: str) -> str:
        """What the reason of every member given ``grade`` says after its rank: the group, its
        seats and their ranks, the groups merged into it (a member's ties follow)."""
        text = in_group(self.size, describe_key(self.key))
        text += seating(self.quota, self.layout, self.method, grade)
        if self.merged:
            text += "; merged from " + ", ".join(describe_key(k) for k in self.merged_from)
        return text


def in_group(size: int, described: str) -> str:
    """A member's reason between its rank and the seats: `` of 15 in group (org=sales): ``
    (``described``: the group's key, :func:`describe_key`)."""
    return f" of {size} in group {described}: "


def seating(
    quota: Mapping[str, int], layout: tuple[tuple[str, ...], tuple[int, ...]], method: str, grade: str
) -> str:
    """What the reasons of the members given ``grade`` in a group seated by ``quota`` say of the
    seats: ``quota S=1, A=3 seats (largest_remainder); ranks 2-4 get A`` (the same for every group
    of one size: a report writes it once)."""
    seats = ", ".join(f"{code}={n}" for code, n in quota.items())
    codes, starts = layout
    first = starts[codes.index(grade)] + 1
    last = first + quota[grade] - 1
    span = f"rank {first}" if first == last else f"ranks {first}-{last}"
    return f"quota {seats} seats ({method}); {span} get {grade}"


@dataclass(frozen=True, eq=False)
class DistributionResult:
    """Every final group and every problem of one run of a distribution.

    ``ids`` are the grading's ids; the grading's ``groups`` are packed
    (:class:`~.packed.PackedGroups`) and ``grades`` says, per position, the code of the
    person's grade (-1: not graded) and the grades the codes stand for, so that a person's
    grade is found without a mapping per person.
    """

    distribution: str
    groups: Sequence[GroupResult]
    problems: tuple[DistributionProblem, ...] = field(default=())
    ids: Ids | None = None
    grades: tuple[np.ndarray, tuple[str, ...]] | None = None

    @cached_property
    def _view(self) -> memoryview:
        """Per position, the person's index in the packed positions (-1: not graded), read an
        item at a time (a Python int each, quickly): made on the first lookup of a person's
        place (explain, calibrate, a JSON report's relative values: 4 bytes a person), never for
        a report's grades alone (:meth:`grades_of`)."""
        import numpy as np

        assert self.ids is not None
        positions = self._packed().positions
        where = np.full(len(self.ids), -1, dtype=np.int32)
        where[positions] = np.arange(len(positions), dtype=np.int32)
        return where.data

    def _where(self, member: str) -> tuple[int, int] | None:
        if self.ids is None or self.grades is None:
            return None
        position = self.ids.position(member)
        if position is None:
            return None
        index = self._view[position]
        return None if index < 0 else self._packed().locate(index)

    def _packed(self) -> PackedGroups:
        assert isinstance(self.groups, _packed_type())
        return self.groups

        assert isinstance(self.groups, PackedGroups)
        return self.groups

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
        where = self._where(member)
        return None if where is None else self._packed().grade_at(*where)

    def grades_of(self, members: Sequence[str]) -> list[str | None]:
        """:meth:`grade_of` of many members at once."""
        import numpy as np

        if self.ids is None or self.grades is None or not len(self.grades[0]):
            return [None] * len(members)  # (nobody to find: not even a position 0 to read)
        codes, names = self.grades
        positions = self.ids.positions(members)
        found = positions >= 0
        mine = np.where(found, codes[np.where(found, positions, 0)], -1)
        shown = np.array([*names, None], dtype=object)  # (the last: not graded)
        return list(shown[np.where(mine >= 0, mine, len(names))])

    def outcome(self, member: str) -> MemberOutcome | None:
        """The explained outcome of ``member``, graded or not; ``None`` if never a candidate."""
        where = self._where(member)
        if where is not None:
            return self.groups[where[0]].outcome(where[1])
        return self._not_graded_outcome(member)

    def _not_graded_outcome(self, member: str) -> MemberOutcome | None:
        problem = self._not_graded.get(member)
        if problem is None:
            return None
        reason = not_graded_reason(problem)
        return MemberOutcome(member, problem.key, None, None, len(problem.members), reason)

    def outcomes_of(self, members: Sequence[str]) -> list[MemberOutcome | None]:
        """:meth:`outcome` of many members at once (a report's block of people): their
        positions found in one pass, and no group made for a member whose group has no merge
        and no tie (:meth:`~.packed.PackedGroups.member_outcomes`; a million-person JSON report
        spent 60 us a person one at a time)."""
        if self.ids is None or self.grades is None or not isinstance(self.groups, _packed_type()):
            return [self.outcome(m) for m in members]
        packed, view = self._packed(), self._view
        indexes = [view[p] if p >= 0 else -1 for p in self.ids.positions(members).tolist()]
        graded = [k for k, index in enumerate(indexes) if index >= 0]
        found: list[MemberOutcome | None] = [None] * len(members)
        chosen, at = [members[k] for k in graded], [indexes[k] for k in graded]
        for k, member in zip(graded, packed.member_outcomes(chosen, at, self._seated), strict=True):
            found[k] = member
        for k, index in enumerate(indexes):
            if index < 0:
                found[k] = self._not_graded_outcome(members[k])
        return found

    @cached_property
    def _seated(self) -> dict[tuple[int, str], str]:
        """:func:`seating` by group size and grade, written once a run (a few sizes, a few
        grades: not a text a group)."""
        return {}

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


def _packed_type() -> type[PackedGroups]:
    from engine.distribution.packed import PackedGroups  # (it builds on this module)

    return PackedGroups
