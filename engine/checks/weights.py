"""Wholes that must add up to exactly 100 percent, and the per-indicator weight band.

Sums are exact (Decimal, no tolerance): 33.3 + 33.3 + 33.3 is 99.9, not 100.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from engine.checks.context import CheckContext, Number, entries, is_number, mapping, sequence
from engine.location import Path
from engine.rounding import num

WHOLE = 100


def check_whole(ctx: CheckContext, path: Path, values: Iterable[Any], what: str) -> None:
    """Report ``weight-sum`` when the numbers in ``values`` do not add up to exactly 100."""
    numbers = [v for v in values if is_number(v)]
    if not numbers:
        return
    total: Number = sum(numbers, start=0)
    if total == WHOLE:
        return
    gap = WHOLE - total
    fix = f"add {num(gap)} to one of them" if gap > 0 else f"take {num(-gap)} off one of them"
    ctx.report(path, "weight-sum", f"{what} add up to {num(total)}, not {WHOLE}", suggestion=fix)


def check_weights(ctx: CheckContext) -> None:
    """Every declared whole adds up to 100; the weight band can be met at all."""
    data = ctx.data
    rules = mapping(data.get("indicator_rules"))
    categories = dict(entries(rules.get("categories")))
    if any("share" in c for c in categories.values()):
        shares = [c.get("share") for c in categories.values()]
        check_whole(ctx, ("indicator_rules", "categories"), shares, "shares of the indicator categories")
    for name, dist in entries(data.get("distributions")):
        quotas = mapping(dist.get("quotas")).values()
        check_whole(ctx, ("distributions", name, "quotas"), quotas, f"quotas of distribution '{name}'")
    periods = [p.get("weight") for _, p in entries(data.get("periods"))]
    check_whole(ctx, ("periods",), periods, "weights of the periods")
    for name, chain in entries(data.get("evaluator_chains")):
        stages = [mapping(s).get("weight") for s in sequence(chain.get("stages"))]
        what = f"stage weights of evaluator chain '{name}'"
        check_whole(ctx, ("evaluator_chains", name, "stages"), stages, what)
    pay = mapping(data.get("pay"))
    check_whole(ctx, ("pay", "mix"), mapping(pay.get("mix")).values(), "shares of the pay mix")
    job = mapping(data.get("job_evaluation"))
    for name, table in entries(job.get("point_tables")):
        factors = [mapping(f).get("weight") for f in sequence(table.get("factors"))]
        what = f"factor weights of point table '{name}'"
        check_whole(ctx, ("job_evaluation", "point_tables", name, "factors"), factors, what)
    for name, panel in entries(job.get("panels")):
        groups = [mapping(g).get("weight") for g in sequence(panel.get("groups"))]
        check_whole(
            ctx, ("job_evaluation", "panels", name, "groups"), groups, f"group weights of panel '{name}'"
        )
    _check_band(ctx, rules)


def _bounds(count: Any) -> tuple[int | None, int | None]:
    """(least, most) lines a count allows; ``None`` where it sets no bound."""
    count = mapping(count)
    if "exact" in count:
        return count["exact"], count["exact"]
    return count.get("min"), count.get("max")


def _check_band(ctx: CheckContext, rules: Any) -> None:
    weight = mapping(rules.get("weight"))
    low, high, total = weight.get("min"), weight.get("max"), weight.get("total")
    path: Path = ("indicator_rules", "weight")
    if is_number(low) and is_number(high) and low > high:
        ctx.report(
            (*path, "min"),
            "weight-band",
            f"the weight band of indicator_rules.weight has min {num(low)} greater than max {num(high)}",
            suggestion="swap min and max",
        )
        return
    if not is_number(total):
        return
    if weight.get("total_scope", "sheet") == "category":
        for name, category in entries(rules.get("categories")):
            scope = f"category '{name}'"
            _feasible(ctx, path, low, high, total, _bounds(category.get("count")), scope)
    else:
        _feasible(ctx, path, low, high, total, _bounds(rules.get("count")), "the sheet")


def _feasible(
    ctx: CheckContext,
    path: Path,
    low: Any,
    high: Any,
    total: Number,
    counts: tuple[int | None, int | None],
    scope: str,
) -> None:
    """No sheet could hold the total when even the extreme weights miss it."""
    least, most = counts
    if is_number(high) and most is not None and high * most < total:
        need = Decimal(total) / most
        ctx.report(
            (*path, "max"),
            "weight-band-infeasible",
            f"weights of at most {num(high)} on at most {most} indicators reach only "
            f"{num(high * most)}, so {scope} can never add up to {num(total)}",
            suggestion=f"raise weight.max to at least {_two_places(need, ROUND_CEILING)} "
            "or allow more indicators",
        )
    if is_number(low) and least is not None and low * least > total:
        room = Decimal(total) / least
        ctx.report(
            (*path, "min"),
            "weight-band-infeasible",
            f"weights of at least {num(low)} on at least {least} indicators already make "
            f"{num(low * least)}, so {scope} can never add up to {num(total)}",
            suggestion=f"lower weight.min to at most {_two_places(room, ROUND_FLOOR)} "
            "or require fewer indicators",
        )


def _two_places(value: Decimal, rounding: str) -> str:
    # 100 / 3 does not terminate: round outward to two places so the advice still works.
    return num(value.quantize(Decimal("0.01"), rounding=rounding))
