"""The builtin formula functions: their run-time implementations and static descriptions.

Implementations take Decimal (or int from records) and return Decimal; a failure they detect
themselves raises :class:`FormulaFailure`, which :class:`engine.formula.compiler.CompiledFormula`
turns into a :class:`FormulaRuntimeError` naming the formula.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.formula.types import ANY, DECIMAL, MAX_EXPONENT, Column, FormulaFailure
from engine.rounding import round_decimal

Where = Mapping[str, Any] | None


def _dec(value: Any) -> Decimal:
    """A number operand as Decimal; anything but int and Decimal (a string, None) is refused."""
    if isinstance(value, Decimal):
        return value
    if type(value) is int:
        return Decimal(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def read_number(value: Any) -> Any:
    """A value as a formula reads it: an ``int`` (an integer field of a record) is the Decimal
    of the same value, so that ``//``, ``%`` and digits beyond the context's precision follow
    Decimal rules; anything else (Decimal, text, true/false, None) is itself."""
    return Decimal(value) if type(value) is int else value


def _num(value: Any) -> Any:
    """Records may hold ints; results are always Decimal. ``bool`` is left alone."""
    return Decimal(value) if type(value) is int else value


def _of(fn: str, col: Column) -> str:
    return f"{fn}() of '{col.name}'" if col.name else f"{fn}()"


def _selected(fn: str, col: Column, where: Where) -> list[int]:
    """Indexes of the goal lines a filter keeps (all of them without a filter)."""
    if not where:
        return list(range(len(col.values)))
    if len(col.rows) != len(col.values):
        raise FormulaFailure(f"{_of(fn, col)} cannot filter: its goal lines carry no fields")
    if len(where) == 1:  # the common filter (category='job_kpi'): no generator per goal line
        ((key, wanted),) = where.items()
        return [i for i, row in enumerate(col.rows) if row.get(key) == wanted]
    return [i for i, row in enumerate(col.rows) if all(row.get(k) == v for k, v in where.items())]


def _values(fn: str, col: Column, where: Where) -> list[Any]:
    out = []
    for i in _selected(fn, col, where):
        value = col.values[i]
        if value is None:
            raise FormulaFailure(f"{_of(fn, col)}: goal line {i + 1} has no value")
        out.append(value)
    return out


def agg_sum(col: Column, where: Where = None) -> Decimal:
    """Sum of a column (0 when no goal line is kept)."""
    total = Decimal(0)
    for value in _values("sum", col, where):
        total += value
    return total


def agg_count(col: Column, where: Where = None) -> Decimal:
    """Number of goal lines kept, whatever their values."""
    return Decimal(len(_selected("count", col, where)))


def agg_mean(col: Column, where: Where = None) -> Decimal:
    """Arithmetic mean of a column."""
    values = _values("mean", col, where)
    if not values:
        raise FormulaFailure(f"{_of('mean', col)} has no goal lines to average")
    return agg_sum(Column(values)) / len(values)


def agg_weighted_mean(values: Column, weights: Column, where: Where = None) -> Decimal:
    """sum(v * w) / sum(w) over the goal lines kept (the filter reads ``values``' rows)."""
    if len(values.values) != len(weights.values):
        raise FormulaFailure("weighted_mean() needs two columns of the same goal lines")
    keep = _selected("weighted_mean", values, where)
    picked_v = _values("weighted_mean", Column([values.values[i] for i in keep], name=values.name), None)
    picked_w = _values("weighted_mean", Column([weights.values[i] for i in keep], name=weights.name), None)
    total_w = agg_sum(Column(picked_w))
    if total_w == 0:
        raise FormulaFailure(f"{_of('weighted_mean', weights)}: the weights add up to zero")
    return agg_sum(Column([v * w for v, w in zip(picked_v, picked_w, strict=True)])) / total_w


def _extreme(fn: str, pick: Callable[..., Any], args: tuple[Any, ...], where: Where) -> Any:
    if len(args) == 1 and isinstance(args[0], Column):
        values = _values(fn, args[0], where)
        if not values:
            raise FormulaFailure(f"{_of(fn, args[0])} has no goal lines")
        return _num(pick(values))
    return _num(pick(args))


def fn_min(*args: Any, where: Where = None) -> Any:
    """Smallest of several values, or of one column."""
    return _extreme("min", min, args, where)


def fn_max(*args: Any, where: Where = None) -> Any:
    """Largest of several values, or of one column."""
    return _extreme("max", max, args, where)


def fn_clamp(x: Any, lo: Any, hi: Any) -> Any:
    """``x`` limited to ``[lo, hi]``."""
    if lo > hi:
        raise FormulaFailure(f"clamp() lower bound {lo} is above its upper bound {hi}")
    return _num(min(max(x, lo), hi))


def fn_abs(x: Any) -> Any:
    """Absolute value."""
    return _num(abs(x))


def fn_round(x: Any, places: int, mode: str) -> Decimal:
    """Rounding with an explicit mode, through :func:`engine.rounding.round_decimal`."""
    return round_decimal(_dec(x), places, mode)


def bounded_pow(base: Any, exponent: Any) -> Decimal:
    """``base ** exponent`` in Decimal, refusing exponents beyond :data:`MAX_EXPONENT`.

    The base becomes Decimal first, so that record ints cannot grow into huge Python ints.
    """
    if type(exponent) is bool or not isinstance(exponent, int | Decimal):
        raise TypeError(f"exponent must be a number, got {type(exponent).__name__}")
    if abs(Decimal(exponent)) > MAX_EXPONENT:
        raise FormulaFailure(f"exponent {exponent} is beyond the limit of {MAX_EXPONENT}")
    result: Decimal = _dec(base) ** exponent
    return result


def true_div(left: Any, right: Any) -> Decimal:
    """``left / right`` with an int (or True/False) on the left made Decimal first: two ints
    would give a float. Otherwise exactly Python's ``/`` (the same result, the same error), so
    that generated code may write a plain ``/`` when one side is surely Decimal and agree with
    the reference interpreter, which always comes here (a text operand fails as in ``+``)."""
    if isinstance(left, int):
        left = Decimal(left)
    result: Decimal = left / right
    return result


@dataclass(frozen=True)
class Builtin:
    """How the checker treats a builtin.

    ``shape``: ``columns`` (every positional argument is a column), ``extreme`` (several
    scalars or one column), ``numbers`` (scalars), ``round`` (value, literal places, literal
    mode). ``elements`` is the element type the columns need; ``filters`` allows keyword
    filters on indicator fields.
    """

    impl: Callable[..., Any]
    min_args: int
    max_args: int | None
    shape: str
    elements: str = DECIMAL
    filters: bool = False
    returns: str = DECIMAL


BUILTINS: dict[str, Builtin] = {
    "sum": Builtin(agg_sum, 1, 1, "columns", filters=True),
    "count": Builtin(agg_count, 1, 1, "columns", elements=ANY, filters=True),
    "mean": Builtin(agg_mean, 1, 1, "columns", filters=True),
    "weighted_mean": Builtin(agg_weighted_mean, 2, 2, "columns", filters=True),
    "min": Builtin(fn_min, 1, None, "extreme", filters=True),
    "max": Builtin(fn_max, 1, None, "extreme", filters=True),
    "clamp": Builtin(fn_clamp, 3, 3, "numbers"),
    "abs": Builtin(fn_abs, 1, 1, "numbers"),
    "round": Builtin(fn_round, 3, 3, "round"),
}

#: The functions an aggregate-needed message recommends.
AGGREGATE_HINT = "aggregate it with sum(), mean(), min() or max()"
