"""Every formula and condition in the policy: names, functions and types checked in its scope.

Each problem points at the exact column inside the formula text; formulas that use each
other in a circle are reported once per cycle (``formula-cycle``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.checks.context import CheckContext, entries, mapping, sequence
from engine.formula import FormulaError, Scope, check_formula, find_cycle, formula_scope, names_used
from engine.location import Path

#: (path, text, scope level) of one formula in the policy.
Site = tuple[Path, Any, str]


def formula_sites(data: Mapping[str, Any]) -> Iterator[Site]:
    """Every formula and condition with the scope level it is checked in."""
    for level in ("indicator", "employee"):
        for name, spec in entries(mapping(data.get("formulas")).get(level)):
            yield ("formulas", level, name, "expr"), spec.get("expr"), level
    for name, table in entries(data.get("grade_tables")):
        for seg, segment in entries(table.get("segments")):
            yield ("grade_tables", name, "segments", seg, "when"), segment.get("when"), "condition"
    for name, chain in entries(data.get("evaluator_chains")):
        yield ("evaluator_chains", name, "when"), chain.get("when"), "condition"
    rules = mapping(data.get("indicator_rules"))
    for i, exception in enumerate(sequence(rules.get("exceptions"))):
        at = ("indicator_rules", "exceptions", i)
        yield (*at, "when"), mapping(exception).get("when"), "condition"
        yield (*at, "lines"), mapping(exception).get("lines"), "indicator_condition"
    for i, rule in enumerate(sequence(rules.get("required_when"))):
        at = ("indicator_rules", "required_when", i)
        yield (*at, "when"), mapping(rule).get("when"), "indicator_condition"
    for i, constraint in enumerate(sequence(rules.get("constraints"))):
        for key in ("when", "check"):
            yield ("indicator_rules", "constraints", i, key), mapping(constraint).get(key), "employee"
    for name, confirmation in entries(data.get("confirmations")):
        yield ("confirmations", name, "when"), confirmation.get("when"), "indicator_condition"
    yield from _requirement_sites(data)
    yield from _period_sites(data)
    for name, committee in entries(data.get("committees")):
        for key in ("opens_when", "passes_when"):
            yield ("committees", name, key), committee.get(key), "meeting"
    pay = mapping(data.get("pay"))
    yield ("pay", "merit", "expr"), mapping(pay.get("merit")).get("expr"), "merit"
    yield ("pay", "bonus", "expr"), mapping(pay.get("bonus")).get("expr"), "employee"
    incentive = mapping(pay.get("incentive"))
    yield ("pay", "incentive", "pool"), incentive.get("pool"), "company"
    yield ("pay", "incentive", "individual"), incentive.get("individual"), "employee"
    promotion, change = mapping(pay.get("promotion")), mapping(pay.get("grade_change"))
    yield ("pay", "promotion", "performance_share"), promotion.get("performance_share"), "employee"
    yield ("pay", "grade_change", "promotion_raise_min"), change.get("promotion_raise_min"), "employee"
    spread = mapping(incentive.get("spread"))
    yield ("pay", "incentive", "spread", "coefficient"), spread.get("coefficient"), "company"
    for i, rule in enumerate(sequence(incentive.get("eligibility"))):
        yield ("pay", "incentive", "eligibility", i, "when"), mapping(rule).get("when"), "company"


def _requirement_sites(data: Mapping[str, Any]) -> Iterator[Site]:
    """Each record requirement's condition and checks (employee fields and formulas)."""
    for name, requirement in entries(data.get("record_requirements")):
        yield ("record_requirements", name, "when"), requirement.get("when"), "condition"
        for i, check in enumerate(sequence(requirement.get("checks"))):
            at = ("record_requirements", name, "checks", i, "check")
            yield at, mapping(check).get("check"), "condition"


def _period_sites(data: Mapping[str, Any]) -> Iterator[Site]:
    """Each period's rules for a missing sheet (employee fields and the period's dates)."""
    for name, period in entries(data.get("periods")):
        for i, rule in enumerate(sequence(mapping(period).get("missing"))):
            yield ("periods", name, "missing", i, "when"), mapping(rule).get("when"), "period_condition"


def check_formulas(ctx: CheckContext) -> None:
    """Check each formula in its scope, then look for cycles among named formulas."""
    scopes: dict[str, Scope] = {}
    for path, text, level in formula_sites(ctx.data):
        if not isinstance(text, str):
            continue
        if level not in scopes:
            scopes[level] = formula_scope(ctx.data, level)
        for problem in check_formula(text, scopes[level]):
            ctx.report(
                path, problem.rule, problem.message, suggestion=problem.suggestion, offset=problem.offset
            )
    for level in ("indicator", "employee"):
        _check_cycles(ctx, level, mapping(mapping(ctx.data.get("formulas")).get(level)))


def _check_cycles(ctx: CheckContext, level: str, formulas: Mapping[str, Any]) -> None:
    graph: dict[str, set[str]] = {}
    for name, spec in formulas.items():
        try:
            graph[str(name)] = names_used(str(mapping(spec).get("expr", ""))) & set(formulas)
        except FormulaError:
            graph[str(name)] = set()  # its syntax error is reported by check_formula
    reported: set[frozenset[str]] = set()
    while (cycle := find_cycle(graph)) is not None:
        members = frozenset(cycle)
        if members not in reported:
            reported.add(members)
            order = list(formulas)
            first = min(cycle[:-1], key=order.index)
            start = cycle.index(first)
            ring = [*cycle[start:-1], *cycle[:start], first]
            ctx.report(
                ("formulas", level, first),
                "formula-cycle",
                f"formulas form a cycle: {' -> '.join(ring)}",
                suggestion="one formula of the cycle must compute its value without the next",
                key=True,
            )
        # Cut the cycle's first edge so that any other cycle is found too.
        graph[cycle[0]] = graph[cycle[0]] - {cycle[1]}
