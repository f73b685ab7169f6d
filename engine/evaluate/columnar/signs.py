"""When a zero the plan computed is surely Decimal's positive zero.

The plan holds a number as a fraction, which has no sign of zero; Decimal has one (``-0``,
shown ``-0.00``). A negative zero needs a negative operand somewhere: a negation, a
subtraction, a negative literal, parameter or scale point, or a negative value read or
computed. So where a policy's formulas negate and subtract nothing and its constants are not
negative (:func:`signless`), an employee none of whose values (read or computed) is negative
gets a zero that is ``+0`` (:func:`negative_people` gives the others): sums, products,
quotients, roundings, minima and maxima of non-negative Decimals never carry a minus sign.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from engine.evaluate.columnar.numbers import Ints, Mask
from engine.evaluate.columnar.reading import any_per_group
from engine.evaluate.columnar.vectors import Col
from engine.formula.parse import Parsed


def signless(formulas: Iterable[Parsed], parameters: Mapping[str, Any], scales: Mapping[str, Any]) -> bool:
    """No formula negates or subtracts, and no parameter or scale point is negative."""
    for parsed in formulas:
        if any(isinstance(node, ast.USub | ast.Sub) for node in ast.walk(parsed.tree)):
            return False
    numbers = [v for v in parameters.values() if isinstance(v, int | Decimal) and not isinstance(v, bool)]
    for scale in scales.values():
        levels = (scale or {}).get("levels") or ()
        numbers += [lv.get("points") for lv in levels if lv.get("points") is not None]
    return all(Decimal(n) >= 0 and not Decimal(n).is_signed() for n in numbers)


def negative_people(line: Iterable[Col], person: Iterable[Col], starts: Ints, n_people: int) -> Mask:
    """Employees with a negative number in one of their goal lines' or their own columns."""
    rows = np.zeros(0, bool)
    for col in line:
        if col.kind == "num" and col.num is not None:
            negative = col.num.num < 0
            rows = negative if len(rows) == 0 else rows | negative
    out = any_per_group(rows, starts) if len(rows) else np.zeros(n_people, bool)
    for col in person:
        if col.kind == "num" and col.num is not None:
            out = out | (col.num.num < 0)
    return out
