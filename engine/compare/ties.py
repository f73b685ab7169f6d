"""A boundary tie named once: what a comparison's reasons say of people equal across a grade
boundary of the headline distribution.

The grading says of each member of a tie that the members (every id) are equal across the
boundary, so a report of each person's reason holds the tie once a member: over a population
where thousands are equal (repeated profiles), the JSON report grew as the square of the people
(10,000 people: 450 MB). Here each tie of the headline distribution is named ``T1``, ``T2``, ...
(in the order of its groups, then of its boundaries), each member's reason names it with its
size (:class:`NamedTie`), and its members are written once, to a spool of :data:`CHUNK` ids a
row (:func:`name_ties`), which the report lists under ``ties``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from engine.distribution import DistributionResult
from engine.distribution.model import TieNote, describe_key
from engine.distribution.packed import tied, with_ties
from engine.io.spool import ItemSpool

#: Member ids a row of the spool of ties (so that the rows held before a batch is written are
#: a few thousand ids, however large a tie).
CHUNK = 4096

#: A row of the spool: tie label, group, upper grade, lower grade, member count, some members.
TieRow = tuple[str, str, str, str, int, tuple[str, ...]]


class NamedTie(TieNote):
    """A boundary tie as a comparison's reason says it: by its label and size, its members
    (those of ``note``) listed once elsewhere."""

    __slots__ = ("count", "label", "note")

    def __init__(self, note: TieNote, label: str) -> None:
        super().__init__((), note.upper, note.lower)
        self.note, self.label, self.span = note, label, note.span
        self.count = note.span[1] - note.span[0] if note.span is not None else len(note.members)

    @property
    def members(self) -> tuple[str, ...]:
        return self.note.members

    def holds(self, member: str, index: int) -> bool:
        return self.note.holds(member, index)

    def describe(self) -> str:
        """``T2 (3 people) are equal on the score ...``: no member named."""
        return (
            f"{self.label} ({self.count} people) are equal on the score and every "
            f"tie key across the {self.upper}/{self.lower} boundary; the final key (id) decided"
        )


def name_ties(
    result: DistributionResult, spool: ItemSpool[TieRow] | None
) -> tuple[DistributionResult, list[NamedTie]]:
    """``result`` with each boundary tie named (its members' reasons name it), and the named
    ties in order; with ``spool``, each tie's members written to it (:data:`CHUNK` a row).

    Only the groups with ties are read (the grading's groups are packed: the others are
    neither made nor copied)."""
    named: list[NamedTie] = []
    renamed: dict[int, tuple[TieNote, ...]] = {}
    groups = result.groups
    for at, found in tied(groups):
        ties = tuple(NamedTie(tie, f"T{len(named) + k + 1}") for k, tie in enumerate(found))
        named.extend(ties)
        renamed[at] = ties
        if spool is not None:
            where = describe_key(groups[at].key)
            for tie in ties:
                spool.extend(_rows(tie, where))
    return dataclasses.replace(result, groups=with_ties(groups, renamed)), named


def _rows(tie: NamedTie, group: str) -> Iterator[TieRow]:
    members = tie.members
    for start in range(0, len(members), CHUNK):
        yield tie.label, group, tie.upper, tie.lower, tie.count, members[start : start + CHUNK]


def tie_items(rows: ItemSpool[TieRow]) -> Iterator[dict[str, Any]]:
    """Each tie written to ``rows``: label, group, boundary, size and members (its rows joined)."""
    item: dict[str, Any] | None = None
    for label, group, upper, lower, count, members in rows:
        if item is not None and item["tie"] == label:
            item["members"].extend(members)
            continue
        if item is not None:
            yield item
        item = {"tie": label, "group": group, "boundary": f"{upper}/{lower}", "people": count}
        item["members"] = list(members)
    if item is not None:
        yield item


__all__ = ["CHUNK", "NamedTie", "TieRow", "name_ties", "tie_items"]
