"""Absolute grade tables: round the value as declared, choose the segment, find the band."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import HRPolicyError
from engine.formula import CompiledFormula, compile_formula, formula_scope
from engine.rounding import Rounding


@dataclass(frozen=True)
class Band:
    """One row of a grade table: ``grade`` for values between ``min`` and ``max``."""

    grade: str
    min: Decimal | None
    max: Decimal | None
    min_inclusive: bool = True
    max_inclusive: bool = False

    def contains(self, value: Decimal) -> bool:
        if self.min is not None and (value < self.min or (value == self.min and not self.min_inclusive)):
            return False
        return not (
            self.max is not None and (value > self.max or (value == self.max and not self.max_inclusive))
        )

    def describe(self) -> str:
        low = "" if self.min is None else f"{self.min} {'<=' if self.min_inclusive else '<'} "
        high = "" if self.max is None else f" {'<=' if self.max_inclusive else '<'} {self.max}"
        return f"{low}value{high}"


@dataclass(frozen=True)
class Segment:
    name: str
    when: CompiledFormula | None
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class GradeOutcome:
    """The grade a table gives, with every fact needed to explain it."""

    table: str
    value: Decimal
    rounded: Decimal
    segment: str
    band: Band | None
    points: Decimal | None

    @property
    def grade(self) -> str | None:
        return self.band.grade if self.band else None


@dataclass(frozen=True)
class GradeTable:
    name: str
    input: str
    rounding: Rounding | None
    segments: tuple[Segment, ...]
    points: Mapping[str, Decimal]

    def segment_for(self, env: Mapping[str, Any]) -> Segment | None:
        for segment in self.segments:
            if segment.when is None or segment.when(env):
                return segment
        return None

    def grade(self, value: Decimal, env: Mapping[str, Any]) -> GradeOutcome:
        """Grade ``value`` for the employee described by ``env``."""
        return self._grade(value, self.segment_for(env))

    def grade_in(self, value: Decimal, segment: str | None) -> GradeOutcome:
        """Grade ``value`` in the named segment (for the ``grade()`` formula function)."""
        if segment is None:
            if len(self.segments) != 1:
                names = ", ".join(s.name for s in self.segments)
                raise HRPolicyError(f"grade table '{self.name}' has segments ({names}): name one")
            return self._grade(value, self.segments[0])
        found = next((s for s in self.segments if s.name == segment), None)
        if found is None:
            raise HRPolicyError(f"grade table '{self.name}' has no segment '{segment}'")
        return self._grade(value, found)

    def _grade(self, value: Decimal, segment: Segment | None) -> GradeOutcome:
        rounded = self.rounding.apply(value) if self.rounding else value
        band = next((b for b in segment.bands if b.contains(rounded)), None) if segment else None
        points = self.points.get(band.grade) if band else None
        return GradeOutcome(self.name, value, rounded, segment.name if segment else "", band, points)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def build_band(spec: Mapping[str, Any]) -> Band:
    return Band(
        grade=str(spec["grade"]),
        min=_dec(spec.get("min")),
        max=_dec(spec.get("max")),
        min_inclusive=bool(spec.get("min_inclusive", True)),
        max_inclusive=bool(spec.get("max_inclusive", False)),
    )


def scale_points(policy: Mapping[str, Any], scale: str | None) -> dict[str, Decimal]:
    if not scale:
        return {}
    levels = ((policy.get("scales") or {}).get(scale) or {}).get("levels") or []
    return {str(lv["code"]): Decimal(lv["points"]) for lv in levels if lv.get("points") is not None}


def build_grade_table(name: str, spec: Mapping[str, Any], policy: Mapping[str, Any]) -> GradeTable:
    """Compile one entry of ``grade_tables`` (segments' conditions included)."""
    scope = formula_scope(policy, "employee")
    segments = tuple(
        Segment(
            name=seg_name,
            when=compile_formula(str(seg["when"]), scope) if seg.get("when") else None,
            bands=tuple(build_band(b) for b in seg["bands"]),
        )
        for seg_name, seg in spec["segments"].items()
    )
    return GradeTable(
        name=name,
        input=str(spec["input"]),
        rounding=Rounding.from_policy(spec.get("round")),
        segments=segments,
        points=scale_points(policy, spec.get("scale")),
    )
