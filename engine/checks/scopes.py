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
from engine.formula import FunctionSpec, Scope

#: Policy field type -> formula value type.
FIELD_TYPES: dict[str, str] = {
    "string": "string",
    "enum": "string",
    "scale": "string",
    "date": "string",
    "integer": "decimal",
    "decimal": "decimal",
    "boolean": "boolean",
}

#: Fields every employee record carries whether declared or not (docs/policy-language.md, inputs).
RECORD_FIELDS: dict[str, str] = {"id": "string"}

#: The meeting record a committee's ``opens_when`` / ``passes_when`` reads (engine.committee).
MEETING_FIELDS: dict[str, str] = {
    "registered": "decimal",
    "present": "decimal",
    "recused": "decimal",
    "yes": "decimal",
    "no": "decimal",
    "abstain": "decimal",
    "external_present": "decimal",
}

#: Values the pay computation supplies to the merit formula: the salary's zone and the grade.
MERIT_FIELDS: dict[str, str] = {"zone": "string", "grade": "string"}

#: Scope levels :func:`formula_scope` knows.
LEVELS = ("indicator", "employee", "condition", "indicator_condition", "meeting", "merit", "company")


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
    else:
        scalars = {**employee, **formula_names(data, "employee")}
        if level in ("employee", "merit"):
            scalars.update(parameters)
            columns = {**indicator, **formula_names(data, "indicator")}
        if level == "merit":
            scalars.update(MERIT_FIELDS)
    return Scope(scalars=scalars, columns=columns, functions=policy_functions(data), refs=policy_refs(data))


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
