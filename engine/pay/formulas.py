"""Pay formulas: the scope a pay formula reads, and each formula compiled once per pay run.

A pay formula reads the names the data supplies (pay-file fields, company figures, evaluated
values such as ``score``) besides the policy's declared ones, so its scope is the declared scope
widened by the data (:func:`data_scope`). That scope depends only on the names supplied and
their types, the same for every employee of a pay file, so :class:`PayFormulas` checks and
compiles a formula once per such shape: compiling it again for each employee cost a
4,800-employee kumho pay run 21 of its 33 s of CPU (bench/RESULTS.md, 2026-11-30).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from engine.formula import CompiledFormula, Scope, compile_formula, formula_scope
from engine.rounding import num


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


def widened(base: Scope, values: Mapping[str, Any]) -> Scope:
    """``base`` widened by the names ``values`` supply; a declared name keeps its declared type."""
    scalars = {name: value_type(v) for name, v in values.items()}
    scalars.update(base.scalars)
    return Scope(scalars=scalars, functions=base.functions, refs=base.refs)


def data_scope(policy: Mapping[str, Any], level: str, values: Mapping[str, Any]) -> Scope:
    """The policy's scope at ``level`` widened by the names the data actually supplies.

    The checks of meaning hold a formula to the declared names; at run time a record may carry
    more (company figures, pay fields), and those are readable too.
    """
    return widened(formula_scope(policy, level), values)


def recording(scope: Scope, cells: list[str]) -> Scope:
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


class PayFormulas:
    """The formulas of one pay run over ``policy``, each compiled once per level and data shape.

    ``cells`` lists the table cells read through ``lookup`` by formulas compiled with
    ``cells=True``, in the order read; the caller clears it before an evaluation it explains.
    """

    def __init__(self, policy: Mapping[str, Any]) -> None:
        self.policy = policy
        self.cells: list[str] = []
        self._scopes: dict[str, Scope] = {}
        self._compiled: dict[tuple[str, str, frozenset[tuple[str, str]], bool], CompiledFormula] = {}

    def formula(
        self, expr: str, level: str, values: Mapping[str, Any], *, cells: bool = False
    ) -> CompiledFormula:
        """``expr`` at ``level`` for data supplying ``values``; raises :class:`FormulaError`
        (every problem listed) when it does not check, as :func:`compile_formula` does."""
        shape = frozenset((name, value_type(v)) for name, v in values.items())
        key = (expr, level, shape, cells)
        found = self._compiled.get(key)
        if found is None:
            base = self._scopes.get(level)
            if base is None:
                base = self._scopes[level] = formula_scope(self.policy, level)
            scope = widened(base, values)
            found = compile_formula(expr, recording(scope, self.cells) if cells else scope)
            self._compiled[key] = found
        return found
