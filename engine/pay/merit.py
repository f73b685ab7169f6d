"""Pay: the merit matrix raise and the zone of a salary within its grade's pay range.

All rules come from the policy's ``pay`` section and ``tables``; the incentive pool lives in
:mod:`engine.pay.incentive`, promotion points in :mod:`engine.pay.promotion`. The pay-range
rules themselves (spread, zone bounds) and the incentive share rounding are checked with the
policy in :mod:`engine.checks.pay`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from engine.errors import DataError, UsageError
from engine.formula import Scope, compile_formula, formula_scope, table_axes
from engine.rounding import num


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


def employee_defaults(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The declared defaults of ``inputs.employee`` (a record may leave those fields out)."""
    declared = (policy.get("inputs") or {}).get("employee") or {}
    return {name: spec["default"] for name, spec in declared.items() if "default" in (spec or {})}


def run_parameters(policy: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a pay run reads: each declared ``inputs.parameters`` default, then the
    values the run gives (a given value always wins)."""
    declared = (policy.get("inputs") or {}).get("parameters") or {}
    defaults = {name: spec["default"] for name, spec in declared.items() if "default" in (spec or {})}
    return {**defaults, **given}


def _pay(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    return policy.get("pay") or {}


def _check_table_keys(policy: Mapping[str, Any], table_name: str, values: Mapping[str, Any]) -> None:
    """Check that ``values`` select a cell of the merit table (by its axes' ``name``), with clear errors."""
    table = (policy.get("tables") or {}).get(table_name)
    if table is None:
        raise DataError(f"pay.merit.table names '{table_name}', which is not a table of the policy")
    for name, keys in table_axes(table):
        if name not in values:
            raise DataError(f"merit raise needs '{name}' (a key of table {table_name}: {', '.join(keys)})")
        if str(values[name]) not in keys:
            raise DataError(f"{name} '{values[name]}' is not a key of table {table_name} ({', '.join(keys)})")


def _recording(scope: Scope, cells: list[str]) -> Scope:
    """``scope`` whose ``lookup`` also notes each cell it reads: ``merit_offset[P, I] = 1.5``.

    A formula may read several cells (kumho's raise reads two offsets and a share), and only
    the cells it actually reads (a branch not taken reads none) belong in the explanation.
    """
    spec = scope.functions["lookup"]

    def lookup(table: str, *keys: Any) -> Any:
        value = spec.impl(table, *keys)
        cell = f"{table}[{', '.join(str(k) for k in keys)}] = {num(value)}"
        if cell not in cells:
            cells.append(cell)
        return value

    functions = {**scope.functions, "lookup": replace(spec, impl=lookup)}
    return Scope(scalars=scope.scalars, columns=scope.columns, functions=functions, refs=scope.refs)


def merit_raise(
    policy: Mapping[str, Any], employee: Mapping[str, Any], parameters: Mapping[str, Any]
) -> PayValue:
    """The raise rate ``pay.merit.expr`` gives for ``employee`` (its zone, grade, ...).

    ``parameters`` must hold the run-time base rate named by ``pay.merit.base_rate`` (the seed's X).
    Raises :class:`UsageError` when it is missing, :class:`DataError` for a key outside the table.
    The explanation's second line lists every table cell the formula read, in the order read.
    """
    merit = _pay(policy)["merit"]
    base_rate = str(merit["base_rate"])
    if base_rate not in parameters:
        raise UsageError(f"the merit raise needs the run-time parameter {base_rate} (the base raise rate)")
    _check_table_keys(policy, str(merit["table"]), employee)
    values = {**as_env(employee), **as_env(parameters)}
    cells: list[str] = []
    formula = compile_formula(str(merit["expr"]), _recording(data_scope(policy, "merit", values), cells))
    value = Decimal(formula(values))
    line = f"merit raise = {formula.text} = {formula.explain(values)} = {value}"
    return PayValue(value, (line, "; ".join(cells)) if cells else (line,))


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
