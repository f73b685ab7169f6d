"""Grade bands: ordered best first, no overlap, and no gap *after the declared rounding*.

With rounding to ``places``, the values compared are multiples of ``10**-places``; a gap
between two bands matters only if such a multiple lies inside it. ``D <= 79`` and
``C >= 80`` leave the open interval (79, 80), which holds no whole number: covered at
``places: 0``, a gap at ``places: 1`` (79.5) and a gap without rounding.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from engine.checks.context import (
    CheckContext,
    did_you_mean,
    entries,
    is_number,
    mapping,
    quoted_list,
    sequence,
)
from engine.location import Path
from engine.rounding import num

INF = Decimal("Infinity")
#: Finest rounding a fix suggestion proposes.
MAX_SUGGESTED_PLACES = 6


@dataclass(frozen=True)
class Interval:
    """A set of values between two ends; an infinite end means unbounded."""

    lo: Decimal
    lo_incl: bool
    hi: Decimal
    hi_incl: bool


@dataclass(frozen=True)
class Band:
    grade: str
    span: Interval
    path: Path


def quantum_of(places: int | None) -> Decimal | None:
    """The step between rounded values, ``None`` when values are not rounded."""
    return None if places is None else Decimal(1).scaleb(-places)


def value_in(gap: Interval, quantum: Decimal | None) -> Decimal | None:
    """A value the gap holds that can occur after rounding to ``quantum``; ``None`` if none can."""
    if quantum is None:
        return _any_value_in(gap)
    if not gap.lo.is_finite():
        return _highest_in(gap, quantum)
    low = (gap.lo / quantum).to_integral_value(rounding=ROUND_CEILING) * quantum
    if low == gap.lo and not gap.lo_incl:
        low += quantum
    return low if low < gap.hi or (low == gap.hi and gap.hi_incl) else None


def _any_value_in(gap: Interval) -> Decimal | None:
    """A value the gap holds when values are not rounded (any number can occur)."""
    if gap.lo < gap.hi:
        return gap.lo if gap.lo_incl and gap.lo.is_finite() else _inner(gap)
    return gap.lo if gap.lo == gap.hi and gap.lo_incl and gap.hi_incl else None


def _highest_in(gap: Interval, quantum: Decimal) -> Decimal:
    """The highest multiple of ``quantum`` in a gap open downwards (0 when open both ways)."""
    if not gap.hi.is_finite():
        return Decimal(0)
    top = (gap.hi / quantum).to_integral_value(rounding=ROUND_FLOOR) * quantum
    return top - quantum if top == gap.hi and not gap.hi_incl else top


def _inner(gap: Interval) -> Decimal:
    if not gap.lo.is_finite():
        return gap.hi - 1 if gap.hi.is_finite() else Decimal(0)
    return gap.lo + 1 if not gap.hi.is_finite() else (gap.lo + gap.hi) / 2


def describe_gap(gap: Interval) -> str:
    """``values above 79 and below 80`` / ``the value 80``."""
    if gap.lo == gap.hi:
        return f"the value {num(gap.lo)}"
    parts = []
    if gap.lo.is_finite():
        parts.append(f"at least {num(gap.lo)}" if gap.lo_incl else f"above {num(gap.lo)}")
    if gap.hi.is_finite():
        parts.append(f"at most {num(gap.hi)}" if gap.hi_incl else f"below {num(gap.hi)}")
    return "values " + " and ".join(parts)


def falls(gap: Interval) -> str:
    """``describe_gap`` plus the verb in the right number: ``the value 90 falls``."""
    return f"{describe_gap(gap)} {'falls' if gap.lo == gap.hi else 'fall'}"


def fixing_places(gap: Interval) -> int | None:
    """The finest rounding (0..6 places) under which ``gap`` holds no value, if any does."""
    for places in range(MAX_SUGGESTED_PLACES, -1, -1):
        if value_in(gap, quantum_of(places)) is None:
            return places
    return None


def _band(raw: Any, path: Path) -> Band:
    band = mapping(raw)
    low, high = band.get("min"), band.get("max")
    span = Interval(
        Decimal(low) if is_number(low) else -INF,
        bool(band.get("min_inclusive", True)),
        Decimal(high) if is_number(high) else INF,
        bool(band.get("max_inclusive", False)),
    )
    return Band(str(band.get("grade")), span, path)


def check_bands(
    ctx: CheckContext,
    path: Path,
    raw: Sequence[Any],
    domain: Interval,
    places: int | None,
    what: str,
    *,
    can_round: bool,
) -> None:
    """Order, overlap and coverage of one list of bands (best first) over ``domain``."""
    bands = [_band(b, (*path, i)) for i, b in enumerate(raw)]
    if not bands or not _ordered(ctx, bands, what):
        return
    quantum = quantum_of(places)
    for better, worse in itertools.pairwise(bands):
        a, b = better.span, worse.span
        if b.hi > a.lo or (b.hi == a.lo and b.hi_incl and a.lo_incl):
            both = Interval(a.lo, a.lo_incl, b.hi, b.hi_incl)
            ctx.report(
                worse.path,
                "grade-overlap",
                f"bands '{better.grade}' and '{worse.grade}' of {what} overlap: "
                f"{falls(both)} in both",
                suggestion=f"make band '{worse.grade}' end where band '{better.grade}' starts",
            )
            continue
        gap = Interval(b.hi, not b.hi_incl, a.lo, not a.lo_incl)
        if value_in(gap, quantum) is not None:
            fix = f"make band '{worse.grade}' end where band '{better.grade}' starts"
            fine = fixing_places(gap) if can_round else None
            if fine is not None:
                fix = f"declare round: {{mode: half_up, places: {fine}}} or {fix}"
            ctx.report(
                worse.path, "grade-gap", f"{falls(gap)} in no band of {what}", suggestion=fix
            )
    _check_ends(ctx, bands, domain, quantum, what)


def _check_ends(
    ctx: CheckContext, bands: list[Band], domain: Interval, quantum: Decimal | None, what: str
) -> None:
    top, bottom = bands[0], bands[-1]
    above = Interval(top.span.hi, not top.span.hi_incl, domain.hi, domain.hi_incl)
    if top.span.hi < domain.hi and value_in(above, quantum) is not None:
        ctx.report(
            top.path,
            "grade-gap",
            f"{falls(above)} in no band of {what}",
            suggestion=f"leave out the max of band '{top.grade}' or add a band above it",
        )
    below = Interval(domain.lo, domain.lo_incl, bottom.span.lo, not bottom.span.lo_incl)
    short = bottom.span.lo > domain.lo or (bottom.span.lo == domain.lo and not bottom.span.lo_incl)
    if short and value_in(below, quantum) is not None:
        ctx.report(
            bottom.path,
            "grade-gap",
            f"{falls(below)} in no band of {what}",
            suggestion=f"make band '{bottom.grade}' reach down to the range's min or add a band below it",
        )


def _ordered(ctx: CheckContext, bands: list[Band], what: str) -> bool:
    for band in bands:
        s = band.span
        if s.lo > s.hi or (s.lo == s.hi and not (s.lo_incl and s.hi_incl)):
            ctx.report(
                band.path,
                "grade-order",
                f"band '{band.grade}' of {what} is empty: "
                f"its min {num(s.lo)} is not below its max {num(s.hi)}",
                suggestion="give the band a min below its max",
            )
            return False
    for better, worse in itertools.pairwise(bands):
        if not (worse.span.lo < better.span.lo and worse.span.hi < better.span.hi):
            ctx.report(
                worse.path,
                "grade-order",
                f"band '{worse.grade}' of {what} does not lie below band '{better.grade}': "
                "bands are listed best first, from the highest values down",
                suggestion="list the bands from the highest values to the lowest",
            )
            return False
    return True


def _domain(raw: Any) -> Interval:
    rng = mapping(raw)
    low, high = rng.get("min"), rng.get("max")
    return Interval(
        Decimal(low) if is_number(low) else -INF, True, Decimal(high) if is_number(high) else INF, True
    )


def _places(ctx: CheckContext, table: Mapping[str, Any]) -> int | None:
    """Places of the values a table compares: its own rounding, else its input's."""
    if "round" in table:
        return int(mapping(table["round"]).get("places", 0))
    name = str(table.get("input"))
    for level in ("employee", "indicator"):
        spec = mapping(mapping(mapping(ctx.data.get("formulas")).get(level)).get(name))
        if "round" in spec:
            return int(mapping(spec["round"]).get("places", 0))
    inputs = mapping(ctx.data.get("inputs"))
    for level in ("employee", "parameters"):
        if mapping(mapping(inputs.get(level)).get(name)).get("type") == "integer":
            return 0
    return None


def check_grades(ctx: CheckContext) -> None:
    """Every grade table segment and the job-grade bands."""
    scales = mapping(ctx.data.get("scales"))
    for name, table in entries(ctx.data.get("grade_tables")):
        base: Path = ("grade_tables", name)
        domain, places = _domain(table.get("range")), _places(ctx, table)
        scale = str(table.get("scale"))
        codes = [str(mapping(lv).get("code")) for lv in sequence(mapping(scales.get(scale)).get("levels"))]
        segments = dict(entries(table.get("segments")))
        check_first_match(ctx, (*base, "segments"), segments, "segment", f"grade table '{name}'")
        for seg_name, segment in segments.items():
            what = f"grade table '{name}' segment '{seg_name}'"
            bands = sequence(segment.get("bands"))
            path: Path = (*base, "segments", seg_name, "bands")
            if scale in scales:
                _check_known_grades(ctx, path, bands, codes, str(scale), what)
            check_bands(ctx, path, bands, domain, places, what, can_round="round" not in table)
    job_bands = mapping(mapping(ctx.data.get("job_evaluation")).get("grade_bands"))
    if job_bands:
        places = int(mapping(job_bands["round"]).get("places", 0)) if "round" in job_bands else None
        check_bands(
            ctx,
            ("job_evaluation", "grade_bands", "bands"),
            sequence(job_bands.get("bands")),
            _domain(job_bands.get("range")),
            places,
            "the job grade bands",
            can_round="round" not in job_bands,
        )


def _check_known_grades(
    ctx: CheckContext, path: Path, bands: list[Any], codes: list[str], scale: str, what: str
) -> None:
    for i, band in enumerate(bands):
        grade = str(mapping(band).get("grade"))
        if grade not in codes:
            ctx.report(
                (*path, i, "grade"),
                "grade-unknown",
                f"grade '{grade}' of {what} is not a level of scale '{scale}'",
                suggestion=did_you_mean(grade, codes, f"levels of scale '{scale}'"),
            )


def check_first_match(ctx: CheckContext, path: Path, items: Mapping[str, Any], noun: str, owner: str) -> None:
    """Where the first item whose ``when`` holds applies, one catch-all is allowed, and last."""
    names = list(items)
    catch_all = [n for n in names if not mapping(items[n]).get("when")]
    for extra in catch_all[1:]:
        ctx.report(
            (*path, extra),
            "segment-when",
            f"{noun} '{extra}' of {owner} has no `when`, nor has {noun} '{catch_all[0]}': "
            "only one may catch everyone",
            suggestion="give one of them a when condition",
            key=True,
        )
    if catch_all and catch_all[0] != names[-1]:
        first = catch_all[0]
        after = quoted_list(names[names.index(first) + 1 :])
        ctx.report(
            (*path, first),
            "segment-when",
            f"{noun} '{first}' of {owner} has no `when` and catches everyone, so {after} after it "
            "can never apply",
            suggestion=f"move {noun} '{first}' last",
            key=True,
        )
