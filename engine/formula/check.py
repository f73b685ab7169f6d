"""Static check of a parsed formula: whitelist, names, functions, arity, types, literals.

A dispatch table maps each allowed ``ast`` node type to a checker method returning the static
type of the node; any other node is ``formula-forbidden``. Calls are checked by the base class
in :mod:`engine.formula.calls`. Every problem is collected; after one, the node's type
becomes ``any`` so that a single mistake is reported once.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable
from typing import Any

from engine.formula.calls import CallChecks
from engine.formula.parse import left_spine, literal_value, number_text, signed_number
from engine.formula.types import (
    ANY,
    BOOLEAN,
    COLUMN,
    DECIMAL,
    MAX_EXPONENT,
    MAX_STRING,
    STRING,
    comparable,
    normal_type,
    suggest,
)

#: Allowed binary and unary operators and comparison operators, with their spelling.
BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
UNARYOPS: dict[type[ast.unaryop], str] = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}
CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_OTHER_OPS: dict[type[ast.operator], str] = {
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)

#: Why a node type is refused, for the ones a formula author is likely to try.
FORBIDDEN: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "subscripts (a[0]) are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Starred: "starred arguments (*a) are not allowed",
    ast.Dict: "dict literals are not allowed",
    ast.Set: "set literals are not allowed",
    ast.List: "a list is only allowed on the right of 'in'",
    ast.Tuple: "a list is only allowed on the right of 'in'",
}


class Checker(CallChecks):
    """Walks one parsed formula against one scope; :meth:`run` returns its static type."""

    def run(self) -> str:
        """Check the whole formula; problems accumulate in :attr:`problems`."""
        return self.visit(self.parsed.tree.body)

    def visit(self, node: ast.AST) -> str:
        method = _DISPATCH.get(type(node))
        if method is None:
            text = FORBIDDEN.get(type(node), f"{type(node).__name__} is not allowed in a formula")
            return self.add("formula-forbidden", text, node)
        return method(self, node)

    # -- leaves -------------------------------------------------------------------------------

    def name(self, node: ast.Name) -> str:
        if node.id.startswith("_"):
            return self.add(
                "formula-forbidden", f"names starting with '_' are not allowed: '{node.id}'", node
            )
        if node.id in self.scope.scalars:
            return normal_type(self.scope.scalars[node.id])
        if node.id in self.scope.columns:
            return f"{COLUMN}:{normal_type(self.scope.columns[node.id])}"
        if node.id in self.function_names():
            return self.add(
                "formula-unknown-name", f"'{node.id}' is a function; call it as {node.id}(...)", node
            )
        known = [*self.scope.scalars, *self.scope.columns]
        return self.add("formula-unknown-name", f"unknown name '{node.id}'", node, suggest(node.id, known))

    def constant(self, node: ast.Constant) -> str:
        value = node.value
        if isinstance(value, bool):
            return BOOLEAN
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                return self.add(
                    "formula-bad-literal",
                    f"string constant is {len(value)} characters long; the limit is {MAX_STRING}",
                    node,
                )
            return STRING
        if isinstance(value, int | float) and number_text(self.parsed, node) is not None:
            return DECIMAL
        if isinstance(value, int | float) and literal_value(self.parsed, node) is not None:
            return self.add(
                "formula-bad-literal",
                f"number '{self.parsed.source(node)}' is beyond the range of decimal numbers "
                f"(exponents {decimal.getcontext().Emin} to {decimal.getcontext().Emax})",
                node,
            )
        if isinstance(value, int | float | complex):
            return self.add(
                "formula-bad-literal",
                f"number '{self.parsed.source(node)}' must be plain decimal digits",
                node,
            )
        return self.add("formula-forbidden", f"the constant {self.parsed.source(node)} is not allowed", node)

    # -- operators ----------------------------------------------------------------------------

    def binop(self, node: ast.BinOp) -> str:
        spine = left_spine(node)  # a loop, not recursion: long chains stay cheap
        left = self.scalar(spine[-1].left)
        for link in reversed(spine):
            right = self.scalar(link.right)
            symbol = BINOPS.get(type(link.op))
            if symbol is None:
                other = _OTHER_OPS.get(type(link.op), "?")
                self.add(
                    "formula-forbidden", f"the operator '{other}' is not allowed; use + - * / // % **", link
                )
            else:
                self.number_operands(symbol, (left, link.left), (right, link.right))
            if symbol == "**":
                self.exponent_bound(link.right)
            left = DECIMAL
        return DECIMAL

    def number_operands(self, symbol: str, *operands: tuple[str, ast.AST]) -> None:
        """One problem per operator, at its first operand that is not a number."""
        for t, node in operands:
            if t not in (DECIMAL, ANY):
                self.add("formula-type", f"'{symbol}' needs numbers, got {t}", node)
                return

    def exponent_bound(self, node: ast.AST) -> None:
        value = signed_number(self.parsed, node)
        if value is not None and abs(value) > MAX_EXPONENT:
            self.add("formula-bad-literal", f"exponent {value} is beyond the limit of {MAX_EXPONENT}", node)

    def unaryop(self, node: ast.UnaryOp) -> str:
        symbol = UNARYOPS.get(type(node.op))
        if symbol is None:
            self.visit(node.operand)
            return self.add("formula-forbidden", "the operator '~' is not allowed", node)
        if symbol == "not":
            self.boolean(node.operand, "'not'")
            return BOOLEAN
        return self.number(node.operand, f"unary '{symbol}'")

    def boolop(self, node: ast.BoolOp) -> str:
        word = "'and'" if isinstance(node.op, ast.And) else "'or'"
        for value in node.values:
            self.boolean(value, word)
        return BOOLEAN

    def compare(self, node: ast.Compare) -> str:
        left = self.scalar(node.left)
        for op, right in zip(node.ops, node.comparators, strict=True):
            symbol = CMPOPS.get(type(op))
            if symbol is None:
                self.add("formula-forbidden", "'is' is not allowed; use == or !=", right)
                left = self.visit(right)
            elif isinstance(op, ast.In | ast.NotIn):
                self.membership(left, right, symbol)
                left = ANY
            else:
                t = self.scalar(right)
                if not comparable(left, t, isinstance(op, _ORDERING)):
                    self.add("formula-type", f"cannot compare {left} with {t} using '{symbol}'", right)
                left = t
        return BOOLEAN

    def membership(self, left: str, right: ast.AST, symbol: str) -> None:
        if not isinstance(right, ast.List | ast.Tuple):
            self.add(
                "formula-forbidden", f"'{symbol}' needs a literal list on its right, e.g. ['a', 'b']", right
            )
            return
        for item in right.elts:
            t = self.literal(item)
            if t is None:
                self.add(
                    "formula-forbidden",
                    f"the list after '{symbol}' may hold only numbers, strings and True/False",
                    item,
                )
            elif not comparable(left, t, False):
                self.add("formula-type", f"cannot compare {left} with {t} using '{symbol}'", item)

    def literal(self, node: ast.AST) -> str | None:
        """The type of a list element that is a plain literal, else ``None``."""
        if signed_number(self.parsed, node) is not None:
            return DECIMAL
        core = node
        while isinstance(core, ast.UnaryOp) and isinstance(core.op, ast.USub | ast.UAdd):
            core = core.operand
        if isinstance(core, ast.Constant) and type(core.value) in (int, float):
            return self.constant(core)  # a number out of range (or in hex) is reported there
        if core is node and isinstance(node, ast.Constant) and isinstance(node.value, str | bool):
            return self.constant(node)
        return None

    def ifexp(self, node: ast.IfExp) -> str:
        self.boolean(node.test, "the condition of 'x if c else y'")
        body, orelse = self.scalar(node.body), self.scalar(node.orelse)
        if ANY in (body, orelse):
            return orelse if body == ANY else body
        if body != orelse:
            return self.add(
                "formula-type", f"'x if c else y' gives {body} on one side and {orelse} on the other", node
            )
        return body


_DISPATCH: dict[type[ast.AST], Callable[[Checker, Any], str]] = {
    ast.Name: Checker.name,
    ast.Constant: Checker.constant,
    ast.BinOp: Checker.binop,
    ast.UnaryOp: Checker.unaryop,
    ast.BoolOp: Checker.boolop,
    ast.Compare: Checker.compare,
    ast.IfExp: Checker.ifexp,
    ast.Call: Checker.call,
}
