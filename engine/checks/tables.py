"""Lookup tables, point tables, scales and ids: complete, monotone, unique."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from engine.checks.context import CheckContext, entries, is_number, mapping, sequence
from engine.location import Path
from engine.rounding import num


def check_tables(ctx: CheckContext) -> None:
    """``table-*-cell``, ``points-*``, ``scale-duplicate-code`` and ``duplicate-id``."""
    for name, table in entries(ctx.data.get("tables")):
        _check_table(ctx, name, table)
    for name, scale in entries(ctx.data.get("scales")):
        _unique(
            ctx,
            ("scales", name, "levels"),
            sequence(scale.get("levels")),
            "code",
            "scale-duplicate-code",
            f"scale '{name}' lists code '{{}}' twice",
            "give each level its own code",
        )
    _check_point_tables(ctx)
    _check_ids(ctx)


def _keys(spec: Any) -> list[str]:
    return [str(k) for k in sequence(mapping(spec).get("keys"))]


def _check_table(ctx: CheckContext, name: str, table: Any) -> None:
    base: Path = ("tables", name)
    values = mapping(table.get("values"))
    if "rows" in table:
        rows, columns = _keys(table.get("rows")), _keys(table.get("columns"))
        _check_cells(ctx, (*base, "values"), values, rows, f"table '{name}'", "row")
        for row in rows:
            if isinstance(values.get(row), dict):
                _check_cells(
                    ctx, (*base, "values", row), values[row], columns, f"table '{name}' row '{row}'", "column"
                )
    else:
        _check_cells(ctx, (*base, "values"), values, _keys(table.get("keys")), f"table '{name}'", "key")


def _check_cells(ctx: CheckContext, path: Path, values: Any, keys: list[str], what: str, kind: str) -> None:
    """Every declared key has a value, and no value sits under an undeclared key."""
    values = mapping(values)
    for key in keys:
        if key not in values:
            ctx.report(
                path,
                "table-missing-cell",
                f"{what} has no value for {kind} '{key}'",
                suggestion=f"add row {key} with a value for each column"
                if kind == "row"
                else f"add {key}: <value> to {what}",
            )
    for key in values:
        if str(key) not in keys:
            ctx.report(
                (*path, key),
                "table-extra-cell",
                f"{what} has a value for '{key}', which is not one of its {kind}s ({', '.join(keys)})",
                suggestion=f"declare '{key}' among the table's {kind}s or remove its value",
                key=True,
            )


def _check_point_tables(ctx: CheckContext) -> None:
    job = mapping(ctx.data.get("job_evaluation"))
    levels = job.get("levels")
    for name, table in entries(job.get("point_tables")):
        for i, factor in enumerate(sequence(table.get("factors"))):
            factor = mapping(factor)
            path: Path = ("job_evaluation", "point_tables", name, "factors", i, "points")
            points = sequence(factor.get("points"))
            what = f"factor '{factor.get('id')}' of point table '{name}'"
            if isinstance(levels, int) and len(points) != levels:
                ctx.report(
                    path,
                    "points-levels",
                    f"{what} has {len(points)} points, but job_evaluation.levels is {levels}",
                    suggestion=f"give exactly {levels} points, level 1 first",
                )
            _check_monotone(ctx, path, points, what)


def _check_monotone(ctx: CheckContext, path: Path, points: list[Any], what: str) -> None:
    for level, (upper, lower) in enumerate(itertools.pairwise(points), start=1):
        if is_number(upper) and is_number(lower) and not lower < upper:
            ctx.report(
                (*path, level),
                "points-monotone",
                f"{what} gives {num(lower)} points at level {level + 1}, no fewer than the {num(upper)} "
                f"at level {level}: points must fall strictly from level 1",
                suggestion="list the points from level 1 (the highest) down",
            )
            return


def _unique(
    ctx: CheckContext, path: Path, items: Iterable[Any], key: str, rule: str, message: str, fix: str
) -> None:
    """Report every item whose ``key`` repeats an earlier one; ``message`` has ``{}`` for the value."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = mapping(item).get(key) if key else item
        if value is None:
            continue
        if str(value) in seen:
            where: Path = (*path, i, key) if key else (*path, i)
            ctx.report(where, rule, message.format(value), suggestion=fix)
        seen.add(str(value))


def _check_ids(ctx: CheckContext) -> None:
    """Ids that must be unique within their list; each message template has ``{}`` for the id."""
    data = ctx.data
    rules = mapping(data.get("indicator_rules"))
    lists: list[tuple[Path, list[Any], str, str]] = [
        (("indicator_rules", "exceptions"), sequence(rules.get("exceptions")), "id", "exception '{}'"),
        (("indicator_rules", "constraints"), sequence(rules.get("constraints")), "id", "constraint '{}'"),
        (
            ("indicator_rules", "required_fields"),
            sequence(rules.get("required_fields")),
            "",
            "required field '{}'",
        ),
    ]
    for name, category in entries(rules.get("categories")):
        path: Path = ("indicator_rules", "categories", name, "fixed")
        lists.append(
            (path, sequence(category.get("fixed")), "id", f"fixed indicator '{{}}' of category '{name}'")
        )
    for name, chain in entries(data.get("evaluator_chains")):
        path = ("evaluator_chains", name, "stages")
        lists.append((path, sequence(chain.get("stages")), "id", f"stage '{{}}' of evaluator chain '{name}'"))
    job = mapping(data.get("job_evaluation"))
    for name, table in entries(job.get("point_tables")):
        path = ("job_evaluation", "point_tables", name, "factors")
        lists.append((path, sequence(table.get("factors")), "id", f"factor '{{}}' of point table '{name}'"))
    for name, panel in entries(job.get("panels")):
        path = ("job_evaluation", "panels", name, "groups")
        lists.append((path, sequence(panel.get("groups")), "id", f"group '{{}}' of panel '{name}'"))
    changes = mapping(mapping(data.get("workflows")).get("goal_changes"))
    path = ("workflows", "goal_changes", "reasons")
    lists.append((path, sequence(changes.get("reasons")), "id", "goal-change reason '{}'"))
    incentive = mapping(mapping(data.get("pay")).get("incentive"))
    path = ("pay", "incentive", "eligibility")
    lists.append((path, sequence(incentive.get("eligibility")), "id", "incentive eligibility rule '{}'"))
    for path, items, key, what in lists:
        _unique(
            ctx, path, items, key, "duplicate-id", f"{what} is declared twice", "give each one its own id"
        )
