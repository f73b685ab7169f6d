"""Pay: ranges (upper = lower x spread +- tolerance, zone bounds strictly inside and rising) and
the incentive share rounding (it may never pay out more than the pool).

The spread test multiplies instead of dividing so it stays exact: lower x (spread - tol) <=
upper <= lower x (spread + tol).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.checks.context import CheckContext, entries, is_number, mapping, sequence
from engine.formula import check_formula, formula_scope
from engine.location import Path
from engine.rounding import SHARE_MODES, num


def check_pay(ctx: CheckContext) -> None:
    """``pay-range-spread``, ``pay-zone-bounds``, ``pay-incentive-rounding``, promotion bonus formulas."""
    check_incentive_rounding(ctx)
    check_bonus_formulas(ctx)
    check_mix_target(ctx)
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


def check_mix_target(ctx: CheckContext) -> None:
    """``pay-mix-target``: the components ``pay.mix_target`` names are components of ``pay.mix``
    with a share above 0 (the target divides by the held component's share)."""
    pay = mapping(ctx.data.get("pay"))
    spec, mix = mapping(pay.get("mix_target")), mapping(pay.get("mix"))
    for key in ("of", "target"):
        name = spec.get(key)
        if name is None or (name in mix and is_number(mix[name]) and mix[name] > 0):
            continue
        declared = ", ".join(f"{k} {num(v)}" for k, v in mix.items()) or "none"
        ctx.report(
            ("pay", "mix_target", key),
            "pay-mix-target",
            f"pay.mix_target.{key} names '{name}', which is not a component of pay.mix with a share above 0"
            f" (declared: {declared})",
            suggestion="name a component of pay.mix, e.g. base or variable",
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


def check_incentive_rounding(ctx: CheckContext) -> None:
    """A share rounding that could pay more than the pool (anything but rounding down) is an error.

    Each exact share is rounded on its own; rounding any of them up could make the shares add up
    to more than the pool, so only :data:`SHARE_MODES` are allowed.
    """
    rounding = mapping(mapping(mapping(ctx.data.get("pay")).get("incentive")).get("rounding"))
    mode = rounding.get("mode", "down")
    if mode in SHARE_MODES:
        return
    ctx.report(
        ("pay", "incentive", "rounding", "mode"),
        "pay-incentive-rounding",
        f"incentive shares rounded '{mode}' could add up to more than the pool",
        suggestion=f"use mode: {' or '.join(SHARE_MODES)}",
    )


def check_bonus_formulas(ctx: CheckContext) -> None:
    """Each ``pay.promotion.bonuses.<id>.expr`` in the employee scope (``formula-*`` rules).

    engine.checks.formulas does not list the bonuses among its formula sites; without this a
    misspelt name in a bonus would only show when ``hrpolicy pay`` runs.
    """
    bonuses = mapping(mapping(mapping(ctx.data.get("pay")).get("promotion")).get("bonuses"))
    if not bonuses:
        return
    scope = formula_scope(ctx.data, "employee")
    for name, bonus in entries(bonuses):
        text = bonus.get("expr")
        if not isinstance(text, str):
            continue
        for problem in check_formula(text, scope):
            ctx.report(
                ("pay", "promotion", "bonuses", name, "expr"),
                problem.rule,
                problem.message,
                suggestion=problem.suggestion,
                offset=problem.offset,
            )
