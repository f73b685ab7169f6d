"""Checks of meaning, run after the JSON Schema has passed: one module per family.

Each family reads the plain policy data and *collects* located diagnostics; none raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.checks.context import CheckContext
from engine.checks.counts import check_counts
from engine.checks.distributions import check_calendar, check_cycle_dates, check_distributions
from engine.checks.formulas import check_formulas
from engine.checks.grades import check_first_match, check_grades
from engine.checks.pay import check_pay
from engine.checks.references import check_references
from engine.checks.tables import check_tables
from engine.checks.weights import check_weights
from engine.errors import Diagnostic
from engine.location import SourceMap

__all__ = ["FAMILIES", "CheckContext", "check_policy"]


def check_chains(ctx: CheckContext) -> None:
    """Evaluator chains apply first match: one catch-all chain at most, and last."""
    chains = ctx.data.get("evaluator_chains")
    if isinstance(chains, Mapping):
        check_first_match(ctx, ("evaluator_chains",), chains, "evaluator chain", "evaluator_chains")


#: Every family of checks, in the order they run (the result is sorted by location anyway).
FAMILIES: tuple[Callable[[CheckContext], None], ...] = (
    check_weights,
    check_counts,
    check_grades,
    check_chains,
    check_tables,
    check_references,
    check_formulas,
    check_pay,
    check_distributions,
    check_calendar,
    check_cycle_dates,
)


def without_notes(node: Any) -> Any:
    """``node`` without the owner's ``x-`` keys, at every depth (they are free text, not rules)."""
    if isinstance(node, Mapping):
        return {k: without_notes(v) for k, v in node.items() if not str(k).startswith("x-")}
    if isinstance(node, list):
        return [without_notes(v) for v in node]
    return node


def check_policy(data: Mapping[str, Any], source: SourceMap) -> list[Diagnostic]:
    """Run every family over schema-valid ``data``; all diagnostics, sorted by location."""
    ctx = CheckContext(without_notes(data), source)
    for family in FAMILIES:
        family(ctx)
    return sorted(ctx.diagnostics, key=Diagnostic.sort_key)
