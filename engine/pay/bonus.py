"""The bonus: an amount per employee from a formula over the employee's fields and evaluated
results (``pay.bonus``), e.g. a standard bonus paid in proportion to the MBO result in percent.

Rule: amount = ``expr`` over the employee's values (the pay file's fields, the run's parameters
and, when the run evaluated the goal sheets, the employee formulas' values such as ``score``),
rounded to ``rounding.unit`` by ``rounding.mode``. A negative amount is an error: it would be a
debt, and it means an input is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import DataError
from engine.formula import FormulaRuntimeError
from engine.pay.formulas import PayFormulas, as_env
from engine.rounding import round_decimal


@dataclass(frozen=True)
class BonusLine:
    """One employee's bonus (``None`` when a problem stopped it) and how it was found."""

    employee: str
    amount: Decimal | None
    explanation: tuple[str, ...] = ()


def bonus_amount(
    policy: Mapping[str, Any],
    employee: Mapping[str, Any],
    parameters: Mapping[str, Any],
    formulas: PayFormulas | None = None,
) -> BonusLine:
    """The bonus ``pay.bonus.expr`` gives ``employee`` (its fields, ``id``, evaluated values).

    Raises :class:`DataError` naming the value the formula reads that the employee lacks, or
    when the amount is negative. ``formulas``: the run's compiled formulas.
    """
    spec = (policy.get("pay") or {})["bonus"]
    who = str(employee.get("id"))
    values = {**as_env(parameters), **as_env(employee)}
    formula = (formulas or PayFormulas(policy)).formula(str(spec["expr"]), "employee", values)
    missing = sorted(n for n in formula.names if values.get(n) is None)
    if missing:
        names = ", ".join(missing)
        raise DataError(
            f"employee {who}: the bonus ({formula.text}) reads {names}, which the employee does not have"
            " (an evaluated result such as the score comes from the goal sheets: give --records FILE)"
        )
    try:
        exact = Decimal(formula(values))
    except FormulaRuntimeError as exc:
        raise DataError(f"employee {who}: the bonus: {exc}") from exc
    unit, mode = Decimal(str(spec["rounding"]["unit"])), str(spec["rounding"]["mode"])
    amount = round_decimal(exact / unit, 0, mode) * unit
    line = f"bonus = {formula.text} = {formula.explain(values)} = {exact} -> {amount} ({mode}, unit {unit})"
    if exact < 0:
        raise DataError(f"employee {who}: the bonus is negative: {line}; check the employee's figures")
    return BonusLine(who, amount, (line,))
