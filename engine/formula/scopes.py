"""Which names a formula may read, built from the policy's declarations (shared with evaluation).

A scope is the set of names and functions visible where a formula is written: an indicator
formula, an employee formula, a segment's ``when``, a committee rule over a meeting record.
Everything comes from the policy's own ``inputs``, ``formulas``, ``tables`` and ``scales``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.errors import HRPolicyError
from engine.formula.compiler import FunctionSpec, Scope

#: Policy field type -> formula value type (``integer`` checks as a decimal; the generated code
#: reads its Python ints as Decimal, see :data:`engine.formula.types.INTEGER`).
FIELD_TYPES: dict[str, str] = {
    "string": "string",
    "enum": "string",
    "scale": "string",
    "date": "string",
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
}

#: Fields every employee record carries whether declared or not (docs/records.md: ``id``); any
#: other field a formula or a reference reads (``org``, ...) must be declared in ``inputs``.
#: The one list: :mod:`engine.checks.references` imports it too.
RECORD_FIELDS: dict[str, str] = {"id": "string"}

#: The meeting record a committee's ``opens_when`` / ``passes_when`` reads. The one list:
#: :mod:`engine.jobeval.committee` judges records with exactly these counts.
MEETING_FIELDS: dict[str, str] = {
    "registered": "decimal",
    "present": "decimal",
    "recused": "decimal",
    "in_favour": "decimal",
    "against": "decimal",
    "abstained": "decimal",
    "external_registered": "decimal",
    "external_present": "decimal",
}

#: The table axes that name a key: 2-D tables have ``rows`` and ``columns``, 1-D tables ``keys``.
TABLE_AXES: tuple[str, ...] = ("rows", "columns", "keys")

#: Scope levels :func:`formula_scope` knows.
LEVELS = (
    "indicator", "employee", "condition", "indicator_condition", "meeting", "merit", "company",
    "period_condition",
)  # fmt: skip
#: What a period's ``missing`` rule reads besides the employee's fields: the period's own dates.
PERIOD_FIELDS: dict[str, str] = {"period_from": "string", "period_to": "string"}


def field_types(fields: Any) -> dict[str, str]:
    """Formula types of declared input fields (``inputs.employee`` and the like)."""
    if not isinstance(fields, Mapping):
        return {}
    return {
        str(name): FIELD_TYPES.get(str(spec.get("type")), "any") if isinstance(spec, Mapping) else "any"
        for name, spec in fields.items()
    }


def formula_names(data: Mapping[str, Any], level: str) -> dict[str, str]:
    """Names of the formulas declared at ``level`` (``indicator`` or ``employee``), typed ``any``."""
    formulas = (data.get("formulas") or {}).get(level)
    return {str(name): "any" for name in formulas} if isinstance(formulas, Mapping) else {}


def formula_scope(data: Mapping[str, Any], level: str) -> Scope:
    """The scope of a formula written at ``level`` (one of :data:`LEVELS`) in policy ``data``."""
    if level not in LEVELS:
        raise ValueError(f"unknown formula level {level!r}; expected one of {', '.join(LEVELS)}")
    inputs = data.get("inputs") or {}
    employee = {**RECORD_FIELDS, **field_types(inputs.get("employee"))}
    indicator = field_types(inputs.get("indicator"))
    parameters = field_types(inputs.get("parameters"))
    columns: dict[str, str] = {}
    if level == "indicator":
        scalars = {**employee, **parameters, **indicator, **formula_names(data, "indicator")}
    elif level == "indicator_condition":
        scalars = dict(indicator)
    elif level == "meeting":
        scalars = dict(MEETING_FIELDS)
    elif level == "company":
        scalars = dict(parameters)
    elif level == "period_condition":
        scalars = {**employee, **PERIOD_FIELDS}
    else:
        scalars = {**employee, **formula_names(data, "employee")}
        if level in ("employee", "merit"):
            scalars.update(parameters)
            columns = {**indicator, **formula_names(data, "indicator")}
        if level == "merit":
            # The cell keys the pay run supplies (a zone found from the salary, ...) are named
            # by the merit table's own axes; a declared field of the same name keeps its type.
            for name in merit_axes(data):
                scalars.setdefault(name, "string")
    return Scope(scalars=scalars, columns=columns, functions=policy_functions(data), refs=policy_refs(data))


def table_axes(table: Any) -> list[tuple[str, list[str]]]:
    """``(name, keys)`` of each axis a table declares (rows, columns or keys), in that order."""
    found = []
    for axis in TABLE_AXES:
        spec = table.get(axis) if isinstance(table, Mapping) else None
        if isinstance(spec, Mapping) and spec.get("name") is not None:
            found.append((str(spec["name"]), [str(k) for k in spec.get("keys") or []]))
    return found


def merit_axes(data: Mapping[str, Any]) -> list[str]:
    """The axis names of the table ``pay.merit.table`` names (none when it names no table)."""
    merit = (data.get("pay") or {}).get("merit")
    if not isinstance(merit, Mapping):
        return []
    table = (data.get("tables") or {}).get(str(merit.get("table")))
    return [name for name, _ in table_axes(table)]


def policy_refs(data: Mapping[str, Any]) -> dict[str, set[str]]:
    """Names a function's first argument may take: tables, scales, grade tables."""
    return {
        "table": {str(k) for k in (data.get("tables") or {})},
        "scale": {str(k) for k in (data.get("scales") or {})},
        "grade_table": {str(k) for k in (data.get("grade_tables") or {})},
    }


def policy_functions(data: Mapping[str, Any]) -> dict[str, FunctionSpec]:
    """``lookup``, ``points`` and ``grade`` bound to this policy's tables and scales."""
    return {
        "lookup": FunctionSpec(_lookup_impl(data), 2, 3, ref_kind="table"),
        "points": FunctionSpec(_points_impl(data), 2, 2, ref_kind="scale"),
        "grade": FunctionSpec(_grade_placeholder, 2, 3, ref_kind="grade_table"),
    }


def _lookup_impl(data: Mapping[str, Any]) -> Any:
    tables = data.get("tables") or {}

    def lookup(table: str, *keys: Any) -> Any:
        cell: Any = tables[table]["values"]
        for key in keys:
            if not isinstance(cell, Mapping) or str(key) not in cell:
                raise HRPolicyError(f"table '{table}' has no value for {', '.join(map(str, keys))}")
            cell = cell[str(key)]
        return Decimal(cell)

    return lookup


def _points_impl(data: Mapping[str, Any]) -> Any:
    scales = data.get("scales") or {}

    def points(scale: str, code: Any) -> Decimal:
        for level in scales[scale].get("levels") or []:
            if str(level.get("code")) == str(code) and level.get("points") is not None:
                return Decimal(level["points"])
        raise HRPolicyError(f"scale '{scale}' gives no points for '{code}'")

    return points


def _grade_placeholder(*_args: Any) -> Any:
    # Grading needs the compiled grade tables (engine.grading); the evaluator binds the real
    # function in its own scope. Reaching this means it forgot to.
    raise HRPolicyError("grade() is not bound to compiled grade tables in this scope")
