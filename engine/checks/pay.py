"""Pay ranges: upper = lower x spread (+- tolerance), zone bounds strictly inside and rising.

The spread test multiplies instead of dividing so it stays exact: lower x (spread - tol) <=
upper <= lower x (spread + tol).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.checks.context import CheckContext, entries, is_number, mapping, num, sequence
from engine.location import Path


def check_pay(ctx: CheckContext) -> None:
    """``pay-range-spread`` and ``pay-zone-bounds`` for every graded pay range."""
    ranges = mapping(mapping(ctx.data.get("pay")).get("ranges"))
    spread, tolerance = ranges.get("spread"), ranges.get("spread_tolerance", 0)
    zones = sequence(ranges.get("zones"))
    for grade, spec in entries(ranges.get("grades")):
        path: Path = ("pay", "ranges", "grades", grade)
        lower, upper = spec.get("lower"), spec.get("upper")
        if not (is_number(lower) and is_number(upper)):
            continue
        if is_number(spread) and is_number(tolerance):
            _check_spread(ctx, path, grade, lower, upper, spread, tolerance)
        if "zone_bounds" in spec:
            _check_zones(
                ctx, (*path, "zone_bounds"), grade, lower, upper, sequence(spec["zone_bounds"]), zones
            )


def _check_spread(
    ctx: CheckContext, path: Path, grade: str, lower: Any, upper: Any, spread: Any, tolerance: Any
) -> None:
    least, most = lower * (spread - tolerance), lower * (spread + tolerance)
    if least <= upper <= most:
        return
    ratio = Decimal(upper) / Decimal(lower) if lower else Decimal(0)
    shown = num(ratio) if ratio * lower == upper else f"about {num(ratio.quantize(Decimal('0.001')))}"
    ctx.report(
        (*path, "upper"),
        "pay-range-spread",
        f"pay range '{grade}' has upper / lower = {num(upper)} / {num(lower)} = {shown}, outside the spread "
        f"{num(spread)} +- {num(tolerance)}",
        suggestion=f"set upper between {num(least)} and {num(most)}",
    )


def _check_zones(
    ctx: CheckContext, path: Path, grade: str, lower: Any, upper: Any, bounds: list[Any], zones: list[Any]
) -> None:
    if zones and len(bounds) != len(zones) - 1:
        ctx.report(
            path,
            "pay-zone-bounds",
            f"pay range '{grade}' has {len(bounds)} zone bounds, "
            f"but {len(zones)} zones need {len(zones) - 1}",
            suggestion="give one bound between each pair of neighbouring zones",
        )
        return
    previous = lower
    for i, bound in enumerate(bounds):
        if not is_number(bound):
            continue
        if not lower < bound < upper:
            ctx.report(
                (*path, i),
                "pay-zone-bounds",
                f"zone bound {num(bound)} of pay range '{grade}' is not strictly between lower {num(lower)} "
                f"and upper {num(upper)}",
                suggestion="move it inside the range",
            )
            return
        if not previous < bound:
            ctx.report(
                (*path, i),
                "pay-zone-bounds",
                f"zone bounds of pay range '{grade}' do not rise: {num(bound)} comes after {num(previous)}",
                suggestion="list the zone bounds from low to high",
            )
            return
        previous = bound
