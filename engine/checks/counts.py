"""Indicator counts: each bound makes sense, categories fit the total, fixed lines fit."""

from __future__ import annotations

from typing import Any

from engine.checks.context import CheckContext, entries, is_number, mapping, sequence
from engine.location import Path


def check_counts(ctx: CheckContext) -> None:
    """``count-bounds``, ``count-category-total`` and ``count-fixed`` over ``indicator_rules``."""
    rules = mapping(ctx.data.get("indicator_rules"))
    sound = _check_bounds(ctx, ("indicator_rules", "count"), rules.get("count"), "the indicator count")
    categories = list(entries(rules.get("categories")))
    for name, category in categories:
        path: Path = ("indicator_rules", "categories", name, "count")
        sound = _check_bounds(ctx, path, category.get("count"), f"the count of category '{name}'") and sound
        _check_fixed(ctx, name, category)
    if sound and "count" in rules and categories:
        _check_category_total(ctx, rules["count"], categories)


def _check_bounds(ctx: CheckContext, path: Path, count: Any, what: str) -> bool:
    """Report contradictory bounds; True when the count is usable for the totals check."""
    count = mapping(count)
    low, high, exact = count.get("min"), count.get("max"), count.get("exact")
    if is_number(low) and is_number(high) and low > high:
        ctx.report(
            (*path, "min"),
            "count-bounds",
            f"{what} has min {low} greater than max {high}",
            suggestion="swap min and max",
        )
        return False
    if is_number(exact) and ((is_number(low) and exact < low) or (is_number(high) and exact > high)):
        ctx.report(
            (*path, "exact"),
            "count-bounds",
            f"{what} has exact {exact} outside its own min {low} .. max {high}",
            suggestion="give either exact or min and max",
        )
        return False
    return True


def _least(count: Any) -> int:
    count = mapping(count)
    value = count.get("exact", count.get("min", 0))
    return value if isinstance(value, int) else 0


def _most(count: Any) -> int | None:
    count = mapping(count)
    value = count.get("exact", count.get("max"))
    return value if isinstance(value, int) else None


def _check_category_total(ctx: CheckContext, total: Any, categories: list[tuple[str, Any]]) -> None:
    counts = [mapping(c).get("count") for _, c in categories]
    least = sum(_least(c) for c in counts)
    total_most = _most(total)
    path: Path = ("indicator_rules", "count")
    if total_most is not None and least > total_most:
        ctx.report(
            path,
            "count-category-total",
            f"the category minimums add up to {least} indicators, more than the total maximum {total_most}",
            suggestion="lower a category's min or raise the total max",
        )
    mosts = [_most(c) for c in counts]
    if all(m is not None for m in mosts):
        most = sum(m for m in mosts if m is not None)
        if most < _least(total):
            ctx.report(
                path,
                "count-category-total",
                f"the category maximums add up to {most} indicators, fewer than the total minimum "
                f"{_least(total)}",
                suggestion="raise a category's max or lower the total min",
            )


def _check_fixed(ctx: CheckContext, name: str, category: Any) -> None:
    fixed = sequence(mapping(category).get("fixed"))
    most = _most(mapping(category).get("count"))
    if most is not None and len(fixed) > most:
        ctx.report(
            ("indicator_rules", "categories", name, "fixed"),
            "count-fixed",
            f"category '{name}' has {len(fixed)} fixed indicator{'s' if len(fixed) != 1 else ''} "
            f"but allows at most {most}",
            suggestion="raise the category's max or drop a fixed indicator",
        )
