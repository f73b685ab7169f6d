"""Pay: the merit matrix raise and the zone of a salary within its grade's pay range.

All rules come from the policy's ``pay`` section and ``tables``; the incentive pool lives in
:mod:`engine.pay_incentive`, promotion points in :mod:`engine.pay_promotion`. The pay-range
rules themselves (spread, zone bounds) are checked with the policy in :mod:`engine.checks.pay`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.checks.context import num
from engine.checks.scopes import formula_scope
from engine.errors import DataError, Diagnostic, Location, UsageError
from engine.formula import Scope, compile_formula
from engine.location import Path, SourceMap, json_path

#: Incentive share roundings that can never pay out more than the pool (shares are >= 0).
SHARE_MODES: tuple[str, ...] = ("down", "floor")


@dataclass(frozen=True)
class PayValue:
    """A computed pay figure and the lines that explain it."""

    value: Decimal
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class ZoneResult:
    """The zone a salary falls in (``None`` outside the grade's range) and why."""

    grade: str
    salary: Decimal
    zone: str | None
    explanation: str


def value_type(value: Any) -> str:
    """The formula type of a supplied value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | Decimal):
        return "decimal"
    return "string" if isinstance(value, str) else "any"


def as_env(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as formulas read them: integers become Decimal (money is never float)."""
    return {k: Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in values.items()}


def data_scope(policy: Mapping[str, Any], level: str, values: Mapping[str, Any]) -> Scope:
    """The policy's scope at ``level`` widened by the names the data actually supplies.

    The checks of meaning hold a formula to the declared names; at run time a record may carry
    more (company figures, pay fields), and those are readable too.
    """
    base = formula_scope(policy, level)
    scalars = {name: value_type(v) for name, v in values.items()}
    scalars.update(base.scalars)
    return Scope(scalars=scalars, functions=base.functions, refs=base.refs)


def _pay(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    return policy.get("pay") or {}


def _table_cell(policy: Mapping[str, Any], table_name: str, values: Mapping[str, Any]) -> str:
    """Check that ``values`` select a cell of the table (by its rows/columns ``name``); describe the cell."""
    table = (policy.get("tables") or {}).get(table_name)
    if table is None:
        raise DataError(f"pay.merit.table names '{table_name}', which is not a table of the policy")
    chosen: list[str] = []
    cell: Any = table["values"]
    for axis in ("rows", "columns", "keys"):
        spec = table.get(axis)
        if not isinstance(spec, Mapping):
            continue
        name, keys = str(spec["name"]), [str(k) for k in spec["keys"]]
        if name not in values:
            raise DataError(f"merit raise needs '{name}' (a key of table {table_name}: {', '.join(keys)})")
        if str(values[name]) not in keys:
            raise DataError(f"{name} '{values[name]}' is not a key of table {table_name} ({', '.join(keys)})")
        chosen.append(str(values[name]))
        cell = cell[str(values[name])]
    shown = ", ".join(chosen)
    return f"{table_name}[{shown}] = {num(cell)}"


def merit_raise(
    policy: Mapping[str, Any], employee: Mapping[str, Any], parameters: Mapping[str, Any]
) -> PayValue:
    """The raise rate ``pay.merit.expr`` gives for ``employee`` (its zone, grade, ...).

    ``parameters`` must hold the run-time base rate named by ``pay.merit.base_rate`` (the seed's X).
    Raises :class:`UsageError` when it is missing, :class:`DataError` for a key outside the table.
    """
    merit = _pay(policy)["merit"]
    base_rate = str(merit["base_rate"])
    if base_rate not in parameters:
        raise UsageError(f"the merit raise needs the run-time parameter {base_rate} (the base raise rate)")
    cell = _table_cell(policy, str(merit["table"]), employee)
    values = {**as_env(employee), **as_env(parameters)}
    formula = compile_formula(str(merit["expr"]), data_scope(policy, "merit", values))
    value = Decimal(formula(values))
    return PayValue(value, (f"merit raise = {formula.text} = {formula.explain(values)} = {value}", cell))


def zone_of(policy: Mapping[str, Any], grade: str, salary: Decimal) -> ZoneResult:
    """The zone of ``salary`` in ``grade``'s range: zones run lowest first; a bound starts the upper zone."""
    ranges = _pay(policy)["ranges"]
    spec = (ranges.get("grades") or {}).get(grade)
    if spec is None:
        raise DataError(
            f"grade '{grade}' has no pay range; ranges exist for {', '.join(ranges.get('grades') or {})}"
        )
    lower, upper = Decimal(spec["lower"]), Decimal(spec["upper"])
    if salary < lower or salary > upper:
        side = "below the lower bound" if salary < lower else "above the upper bound"
        return ZoneResult(grade, salary, None, f"{salary} is {side} of grade {grade} ({lower} .. {upper})")
    zones = [str(z) for z in ranges["zones"]]
    edges = [lower, *(Decimal(b) for b in spec["zone_bounds"])]
    index = max(i for i, edge in enumerate(edges) if salary >= edge)
    high = edges[index + 1] if index + 1 < len(edges) else upper
    closing = "<" if index + 1 < len(edges) else "<="
    return ZoneResult(
        grade, salary, zones[index], f"{edges[index]} <= {salary} {closing} {high}: zone {zones[index]}"
    )


def _loc(source: SourceMap | None, path: Path) -> Location:
    return source.locate(path) if source else Location("<policy>", 0, 0, json_path(path))


def check_incentive_rounding(policy: Mapping[str, Any], source: SourceMap | None = None) -> list[Diagnostic]:
    """A share rounding that could pay more than the pool (anything but rounding down) is an error."""
    rounding = (_pay(policy).get("incentive") or {}).get("rounding") or {}
    mode = rounding.get("mode", "down")
    if mode in SHARE_MODES:
        return []
    path: Path = ("pay", "incentive", "rounding", "mode")
    message = f"incentive shares rounded '{mode}' could add up to more than the pool"
    return [Diagnostic(_loc(source, path), "pay-incentive-rounding", message, "use mode: down")]
