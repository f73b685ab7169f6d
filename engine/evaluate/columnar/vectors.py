"""A checked formula tree evaluated over whole columns at once, exactly (see :mod:`.numbers`).

The same trees the per-record code generator writes (``engine.formula``), walked once per chunk
of rows: numbers as exact fractions, ``true``/``false``, and enumerated text as codes. What the
walker does not know (a function, an operator, a name of an unsupported kind) raises
:class:`Unsupported` when the plan is built, never while evaluating: then the policy keeps the
per-record path. A row whose value Python would compute differently or fail on (a missing
value, a division by zero, a boundary an approximate value cannot decide) is marked ``bad``
and goes to the per-record path, which gives its value or its precise error.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar.numbers import Ints, Mask, Num
from engine.formula.parse import Parsed


class Unsupported(Exception):
    """The plan cannot express this policy (or this file): use the per-record path."""


@dataclass
class Col:
    """One value per row: a number (``num``), a boolean or a code into ``vocab`` (``codes``).

    ``kind`` is ``num``, ``bool``, ``cat`` (text of a known vocabulary) or ``text`` (a string
    constant). ``missing``: the value is None; ``bad``: this row must take the per-record path.
    """

    kind: str
    missing: Mask
    bad: Mask
    num: Num | None = None
    codes: Ints | None = None
    vocab: tuple[str, ...] = ()
    text: str = ""

    def take(self, index: Ints) -> Col:
        return Col(
            self.kind, nb.kept(self.missing, index), nb.kept(self.bad, index),
            self.num.take(index) if self.num is not None else None,
            nb.kept(self.codes, index) if self.codes is not None else None,
            self.vocab, self.text,
        )  # fmt: skip


def number_col(num: Num, missing: Mask) -> Col:
    return Col("num", missing, num.bad | missing, num)


def _num(col: Col) -> Num:
    if col.kind != "num" or col.num is None:
        raise Unsupported(f"a number was expected, not {col.kind}")
    n = col.num
    return Num(n.num, n.den, n.approx, n.bad | col.bad | col.missing, n.value)


def _result(num: Num) -> Col:
    return Col("num", np.zeros(len(num.num), bool), num.bad, num)


def constant(value: Any, n: int) -> Col:
    """A parameter or a literal as a column of ``n`` equal rows."""
    none = nb.nowhere(n)  # (read-only views: see :func:`.numbers.same`)
    if isinstance(value, bool):
        return Col("bool", none, none, codes=nb.same(int(value), n))
    if isinstance(value, int | Decimal):
        sign, digits, exponent = Decimal(value).as_tuple()
        if not isinstance(exponent, int) or exponent > 0 or exponent < -18 or len(digits) > 18:
            raise Unsupported(f"number {value} out of the plan's range")
        coefficient = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        if sign and coefficient == 0:
            raise Unsupported("negative zero")
        return Col("num", none, none, Num.const(coefficient, exponent, n))
    if isinstance(value, str):
        return Col("text", none, none, text=value)
    raise Unsupported(f"value {value!r}")


def truth(col: Col) -> tuple[Mask, Mask]:
    """Python's truth of each row, and the rows where it is not certain (None, bad)."""
    if col.kind == "bool" and col.codes is not None:
        return col.codes != 0, col.bad | col.missing
    if col.kind == "num" and col.num is not None:
        return col.num.num != 0, col.bad | col.missing | col.num.bad
    raise Unsupported(f"truth of {col.kind}")


def _bool(values: Mask, bad: Mask) -> Col:
    return Col("bool", np.zeros(len(values), bool), bad, codes=values.astype(np.int64))


Lookup = Callable[[str], Col]
#: A function of the policy (``points(scale, code)``) over columns: its arguments' columns and
#: the call's node (a first argument naming a scale or a table is a literal) -> its column.
Call = Callable[[list[Col], ast.Call], Col]
#: (function name, column name, filters) -> the employee-level column of an aggregate, or None
#: when the name is not a column of the goal lines.
Aggregate = Callable[[str, str, Mapping[str, Col]], "Col | None"]

_COMPARE: dict[type, Callable[[Ints], Mask]] = {
    ast.Eq: lambda s: s == 0,
    ast.NotEq: lambda s: s != 0,
    ast.Lt: lambda s: s < 0,
    ast.LtE: lambda s: s <= 0,
    ast.Gt: lambda s: s > 0,
    ast.GtE: lambda s: s >= 0,
}


class Walker:
    """Evaluates one parsed formula over ``n`` rows; names come from ``lookup``; a column
    inside an aggregate call comes from ``aggregate`` (employee formulas only); the policy's own
    functions (bound to its scales or tables) from ``calls``."""

    def __init__(
        self,
        parsed: Parsed,
        n: int,
        lookup: Lookup,
        aggregate: Aggregate | None,
        calls: Mapping[str, Call] | None = None,
    ) -> None:
        self.parsed, self.n, self.lookup, self.aggregate = parsed, n, lookup, aggregate
        self.calls = calls or {}

    def run(self) -> Col:
        return self.node(self.parsed.tree.body)

    def node(self, node: ast.AST) -> Col:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise Unsupported(f"{type(node).__name__} in {self.parsed.text!r}")
        result: Col = method(node)
        return result

    def _Name(self, node: ast.Name) -> Col:
        return self.lookup(node.id)

    def _Constant(self, node: ast.Constant) -> Col:
        value = node.value
        if isinstance(value, bool | str):
            return constant(value, self.n)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return constant(Decimal(self.parsed.source(node)), self.n)
            except InvalidOperation:
                raise Unsupported(f"number {self.parsed.source(node)!r}") from None
        raise Unsupported(f"constant {value!r}")

    def _UnaryOp(self, node: ast.UnaryOp) -> Col:
        operand = self.node(node.operand)
        if isinstance(node.op, ast.Not):
            value, unsure = truth(operand)
            return _bool(~value, unsure)
        if isinstance(node.op, ast.USub):
            return _result(nb.neg(_num(operand)))
        if isinstance(node.op, ast.UAdd):
            return _result(_num(operand))
        raise Unsupported(type(node.op).__name__)

    def _BinOp(self, node: ast.BinOp) -> Col:
        left, right = _num(self.node(node.left)), _num(self.node(node.right))
        if isinstance(node.op, ast.Add):
            return _result(nb.add(left, right))
        if isinstance(node.op, ast.Sub):
            return _result(nb.add(left, right, -1))
        if isinstance(node.op, ast.Mult):
            return _result(nb.mul(left, right))
        if isinstance(node.op, ast.Div):
            return _result(nb.div(left, right))
        raise Unsupported(type(node.op).__name__)

    def _BoolOp(self, node: ast.BoolOp) -> Col:
        # Only true/false operands: Python's `and`/`or` return an operand, so another kind
        # would give that operand's value, not a boolean.
        values = [self.node(v) for v in node.values]
        if any(v.kind != "bool" for v in values):
            raise Unsupported("and/or over values that are not true/false")
        first, unsure = truth(values[0])
        decided = first.copy() if isinstance(node.op, ast.Or) else ~first
        result = first.copy()
        for value in values[1:]:
            truth_v, unsure_v = truth(value)
            unsure = unsure | (~decided & unsure_v)  # an operand never evaluated cannot fail
            if isinstance(node.op, ast.And):
                result = result & truth_v
                decided = decided | ~truth_v
            else:
                result = result | truth_v
                decided = decided | truth_v
        return _bool(result, unsure)

    def _Compare(self, node: ast.Compare) -> Col:
        left = self.node(node.left)
        if len(node.ops) == 1:  # (the usual case: no chain)
            return _bool(*_holds(left, self.node(node.comparators[0]), node.ops[0]))
        result = np.ones(self.n, bool)
        unsure = np.zeros(self.n, bool)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.node(right_node)
            test = _COMPARE.get(type(op))
            if test is None:
                raise Unsupported(type(op).__name__)
            sign, doubt = _sign(left, right, isinstance(op, ast.Eq | ast.NotEq))
            unsure |= result & doubt  # a chained comparison stops at the first false one
            result = result & test(sign)
            left = right
        return _bool(result, unsure)

    def _IfExp(self, node: ast.IfExp) -> Col:
        cond, unsure = truth(self.node(node.test))
        if self.aggregate is not None or self.n < _SUBSET_FROM:
            return _where(cond, unsure, self.node(node.body), self.node(node.orelse))
        return _where(cond, unsure, self._branch(node.body, cond), self._branch(node.orelse, ~cond))

    def _branch(self, node: ast.AST, rows: Mask) -> Col:
        """``node`` over the ``rows`` that take it (as Python evaluates only the branch taken),
        where they are few enough for the gathers to cost less than the rows left out; the
        other rows hold a placeholder the merge never reads (:func:`_where`)."""
        taken = np.flatnonzero(rows)
        if 4 * len(taken) > 3 * self.n:
            return self.node(node)
        if not len(taken):
            taken = np.zeros(1, np.int64)  # (one row, not taken: the branch's kind all the same)
        seen: dict[str, Col] = {}

        def lookup(name: str) -> Col:
            found = seen.get(name)
            if found is None:
                found = seen[name] = self.lookup(name).take(taken)
            return found

        col = Walker(self.parsed, len(taken), lookup, None, self.calls).node(node)
        return _scatter(col, taken, self.n)

    def _Call(self, node: ast.Call) -> Col:
        if not isinstance(node.func, ast.Name):
            raise Unsupported("call of an expression")
        name = node.func.id
        filters = {k.arg: self.node(k.value) for k in node.keywords if k.arg is not None}
        if len(filters) != len(node.keywords):
            raise Unsupported("**filters")
        column = _column_argument(node, self.aggregate)
        if column is not None and self.aggregate is not None:
            found = self.aggregate(name, column, filters)
            if found is not None:
                return found
        if filters:
            raise Unsupported(f"filters of {name}()")
        args = [self.node(a) for a in node.args]
        own = self.calls.get(name)
        if own is not None:
            return own(args, node)
        return _scalar_call(name, args, node, self.parsed)


#: Chunks from this many rows evaluate each branch of ``x if c else y`` over its own rows only.
_SUBSET_FROM = 256


def _scatter(col: Col, rows: Ints, n: int) -> Col:
    """``col`` (one value per row of ``rows``) placed at ``rows`` of ``n`` rows; the others are
    0, present and not bad (placeholders: see :meth:`Walker._branch`)."""

    def spread(values: Any, fill: Any, dtype: Any) -> Any:
        if values.dtype == np.bool_ and nb.never(values):  # (:func:`.numbers.nowhere`): kept
            return nb.nowhere(n)
        if len(values) and values.strides[0] == 0:  # one value (:func:`.numbers.same`): kept
            return nb.same(int(values[0]), n)
        out = np.full(n, fill, dtype)
        out[rows] = values
        return out

    num = None
    if col.num is not None:
        num = Num(
            spread(col.num.num, 0, np.int64),
            spread(col.num.den, 1, np.int64),
            spread(col.num.approx, False, bool),
            spread(col.num.bad, False, bool),
        )
    codes = spread(col.codes, 0, np.int64) if col.codes is not None else None
    return Col(
        col.kind, spread(col.missing, False, bool), spread(col.bad, False, bool), num, codes,
        col.vocab, col.text,
    )  # fmt: skip


def _column_argument(node: ast.Call, aggregate: Aggregate | None) -> str | None:
    """The column an aggregate reads (``sum(weighted)``), or None for a call over values."""
    if aggregate is None or len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
        return None
    return node.args[0].id


def _scalar_call(name: str, args: list[Col], node: ast.Call, parsed: Parsed) -> Col:
    if name in ("max", "min") and args:
        return _extreme(name, args)
    if name == "clamp" and len(args) == 3:
        x, lo, hi = (_num(a) for a in args)
        sign, doubt = nb.compare(lo, hi)
        clamped = _extreme("min", [_extreme("max", [_result(x), _result(lo)]), _result(hi)])
        assert clamped.num is not None
        clamped.num.bad |= doubt | (sign > 0)  # lo above hi: an error
        clamped.bad = clamped.num.bad
        return clamped
    if name == "abs" and len(args) == 1:
        value = _num(args[0])
        return _result(nb.where(value.num < 0, nb.neg(value), value))
    if name == "round" and len(args) == 3:
        places, mode = node.args[1], node.args[2]
        if not (isinstance(places, ast.Constant) and isinstance(mode, ast.Constant)):
            raise Unsupported("round() with computed places or mode")
        return _result(nb.round_to(_num(args[0]), int(parsed.source(places)), str(mode.value)))
    raise Unsupported(f"function {name}() over values")


def _extreme(name: str, args: list[Col]) -> Col:
    """``max``/``min`` of several numbers: the first extreme one, as Python picks it."""
    best = _num(args[0])
    for arg in args[1:]:
        other = _num(arg)
        sign, doubt = nb.compare(other, best)
        take = sign > 0 if name == "max" else sign < 0
        best = nb.where(take, other, best)
        best.bad = best.bad | doubt | other.bad
        best.approx = best.approx | other.approx  # equal values: either may be the one shown
    return _result(best)


#: (lower, inclusive) of :func:`.numbers.within` for an order against a bound.
_SIDES: dict[type, tuple[bool, bool]] = {
    ast.Gt: (True, False),
    ast.GtE: (True, True),
    ast.Lt: (False, False),
    ast.LtE: (False, True),
}


def _holds(left: Col, right: Col, op: ast.cmpop) -> tuple[Mask, Mask]:
    """Whether ``left op right`` holds per row, and the rows it cannot decide (as
    :func:`_sign` and ``_COMPARE`` decide them): a number against a constant bound, or an
    equality of codes, without a column of signs."""
    side = _SIDES.get(type(op))
    equality = isinstance(op, ast.Eq | ast.NotEq)
    if side is not None and left.kind == "num" and right.kind == "num":
        assert right.num is not None
        if right.num.value is not None:
            inside, doubt = nb.within(_num(left), _num(right), *side)
            return inside, _unsure(left, right) | doubt
    if equality and left.kind != "num" and right.kind != "num":
        same, unsure = _equal(left, right)
        return (same if isinstance(op, ast.Eq) else ~same), unsure
    test = _COMPARE.get(type(op))
    if test is None:
        raise Unsupported(type(op).__name__)
    sign, doubt = _sign(left, right, equality)
    return test(sign), doubt


def _unsure(left: Col, right: Col) -> Mask:
    """Rows where either side is bad or None (a constant's flags, never set, not read)."""
    found: Mask = left.bad | left.missing
    for mask in (right.bad, right.missing):
        if not nb.never(mask):
            found = found | mask
    return found


def _equal(left: Col, right: Col) -> tuple[Mask, Mask]:
    """``left == right`` for true/false values and codes (:func:`_sign`'s equality)."""
    unsure = _unsure(left, right)
    if left.kind == "bool" and right.kind == "bool":
        assert left.codes is not None and right.codes is not None
        return left.codes == right.codes, unsure
    if left.kind == "text" and right.kind == "cat":
        left, right = right, left
    if left.kind == "cat" and right.kind == "text":
        assert left.codes is not None
        code = left.vocab.index(right.text) if right.text in left.vocab else -2
        return left.codes == code, unsure
    if left.kind == "cat" and right.kind == "cat" and left.vocab == right.vocab:
        assert left.codes is not None and right.codes is not None
        return left.codes == right.codes, unsure
    raise Unsupported(f"comparison of {left.kind} and {right.kind}")


def _sign(left: Col, right: Col, equality: bool) -> tuple[Ints, Mask]:
    """sign(left - right) (for text and booleans: 0 where equal, 1 where not) and the rows it
    cannot decide."""
    if left.kind == "num" and right.kind == "num":
        unsure = left.bad | right.bad | left.missing | right.missing
        sign, doubt = nb.compare(_num(left), _num(right))
        return sign, unsure | doubt
    if not equality:
        raise Unsupported(f"order of {left.kind} and {right.kind}")
    same, unsure = _equal(left, right)
    return (~same).astype(np.int64), unsure


def _where(cond: Mask, unsure: Mask, yes: Col, no: Col) -> Col:
    """``yes if cond else no``: only the branch taken can fail a row."""
    if yes.kind == "num" and no.kind == "num":
        assert yes.num is not None and no.num is not None
        y = replace(yes.num, bad=yes.num.bad | yes.bad | yes.missing)
        n = replace(no.num, bad=no.num.bad | no.bad | no.missing)
        merged = nb.where(cond, y, n)
        merged.bad = merged.bad | unsure
        return _result(merged)
    if yes.kind == no.kind and yes.kind in ("bool", "cat") and yes.vocab == no.vocab:
        assert yes.codes is not None and no.codes is not None
        return Col(
            yes.kind,
            np.where(cond, yes.missing, no.missing),
            np.where(cond, yes.bad, no.bad) | unsure,
            codes=np.where(cond, yes.codes, no.codes),
            vocab=yes.vocab,
        )
    raise Unsupported(f"if/else between {yes.kind} and {no.kind}")
