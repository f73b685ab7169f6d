"""Pay: the merit matrix raise and the zone of a salary within its grade's pay range.

All rules come from the policy's ``pay`` section and ``tables``; the incentive pool lives in
:mod:`engine.pay.incentive`, promotion points in :mod:`engine.pay.promotion`. The pay-range
rules themselves (spread, zone bounds) and the incentive share rounding are checked with the
policy in :mod:`engine.checks.pay`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import DataError, UsageError
from engine.formula import table_axes
from engine.pay.formulas import PayFormulas, as_env


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


def merit_raise(
    policy: Mapping[str, Any],
    employee: Mapping[str, Any],
    parameters: Mapping[str, Any],
    formulas: PayFormulas | None = None,
) -> PayValue:
    """The raise rate ``pay.merit.expr`` gives for ``employee`` (its zone, grade, ...).

    ``parameters`` must hold the run-time base rate named by ``pay.merit.base_rate`` (the seed's X).
    Raises :class:`UsageError` when it is missing, :class:`DataError` for a key outside the table.
    The explanation's second line lists every table cell the formula read, in the order read.
    ``formulas``: the run's compiled formulas (a pay run over many employees compiles once).
    """
    merit = _pay(policy)["merit"]
    base_rate = str(merit["base_rate"])
    if base_rate not in parameters:
        raise UsageError(f"the merit raise needs the run-time parameter {base_rate} (the base raise rate)")
    _check_table_keys(policy, str(merit["table"]), employee)
    values = {**as_env(employee), **as_env(parameters)}
    formulas = formulas or PayFormulas(policy)
    formula = formulas.formula(str(merit["expr"]), "merit", values, cells=True)
    formulas.cells.clear()
    value = Decimal(formula(values))
    line = f"merit raise = {formula.text} = {formula.explain(values)} = {value}"
    cells = formulas.cells
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
