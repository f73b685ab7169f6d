"""How one scheme's grades read on another's scale, for "who moves" between scales of any length.

By default by rank position (:func:`rank_correspondence`); a mapping file may declare it
(``grade_correspondence``), checked here against the first scheme's grades.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from engine.errors import DataError

if TYPE_CHECKING:
    from engine.compare.outcome import Comparison


@dataclass(frozen=True)
class Reading:
    """The first scheme's grades read on another's scale: ``table`` (first -> other), and how:
    ``rank`` (by rank position) or the mapping file that declares it."""

    first: str
    other: str
    table: Mapping[str, str]
    how: str


def rank_correspondence(first: Sequence[str], other: Sequence[str]) -> dict[str, str]:
    """Each level of ``first`` (best first) read as the level of ``other`` at the same relative
    rank: level i of n (0-based) is level round(i * (m - 1) / (n - 1)) of m, a half rounded toward
    the middle of the scale, so the best reads as the best, the worst as the worst, and the
    correspondence is symmetric (I-V on A-C: I A, II B, III B, IV B, V C). Equal lengths read
    level for level."""
    n, m = len(first), len(other)
    if not n or not m:
        return {}
    if n == 1:
        return {first[0]: other[(m - 1) // 2]}
    out = {}
    middle = Fraction(m - 1, 2)
    for i, level in enumerate(first):
        exact = Fraction(i * (m - 1), n - 1)
        low = exact.numerator // exact.denominator
        half = exact - low == Fraction(1, 2)
        j = (low + 1 if low < middle else low) if half else round(exact)  # a half toward the middle
        out[level] = other[j]
    return out


def check_readings(comparison: Comparison) -> None:
    """A declared correspondence names every grade of the first scheme, and only those."""
    base = comparison.schemes[0]
    for scheme in comparison.schemes[1:]:
        declared = scheme.correspondence.get(base.stamp.id)
        if declared is None or not base.levels:
            continue
        for grade in declared:
            if grade not in base.levels:
                where = scheme.correspondence_at.get((base.stamp.id, grade), scheme.mapped_from)
                raise DataError(
                    f"{where}: error [map-unknown-grade] policy {base.stamp.id} has no grade"
                    f" '{grade}' ({', '.join(base.levels)})"
                )
        missing = [g for g in base.levels if g not in declared]
        if missing:
            raise DataError(
                f"{scheme.mapped_from}: error [map-grade-correspondence] grade_correspondence of"
                f" {base.stamp.id} says nothing of {', '.join(missing)}: give every grade its reading"
            )
