"""Turn a *checked* formula tree into one Python lambda, compiled once and called many times.

Only nodes the checker accepted reach this module. Names are read as ``e['name']`` (the name
is written with ``repr``, so it can never break out of the string), constants and functions
are hoisted into the lambda's globals as ``_k0``, ``_b_sum`` ..., and the globals carry an
empty ``__builtins__``. ``**`` always goes through the bounded ``_pow``.

Parentheses are written only where precedence needs them, so that a long flat chain such as
``a + b + c + ...`` does not nest parentheses (the tokenizer allows only 200 levels).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.formula_builtins import BUILTINS, bounded_pow, true_div
from engine.formula_calls import round_places
from engine.formula_check import BINOPS, CMPOPS, UNARYOPS
from engine.formula_parse import Parsed, left_spine, number_text, signed_number
from engine.formula_types import Scope

_IF, _OR, _AND, _NOT, _CMP, _ADD, _MUL, _UNARY, _ATOM = 1, 2, 3, 4, 5, 10, 20, 30, 100
_BIN_PREC: dict[type[ast.operator], int] = {
    ast.Add: _ADD,
    ast.Sub: _ADD,
    ast.Mult: _MUL,
    ast.Div: _MUL,
    ast.FloorDiv: _MUL,
    ast.Mod: _MUL,
}


@dataclass(frozen=True)
class Code:
    """Generated text, the precedence of its top operator, and whether it surely is Decimal."""

    text: str
    prec: int
    decimal: bool = False

    def at(self, prec: int) -> str:
        """The text, parenthesised if its operator binds looser than ``prec``."""
        return f"({self.text})" if self.prec < prec else self.text


class Generator:
    """Generates the lambda source for one checked formula and collects its globals."""

    def __init__(self, parsed: Parsed, scope: Scope) -> None:
        self.parsed = parsed
        self.scope = scope
        self.globals: dict[str, Any] = {"__builtins__": {}, "_pow": bounded_pow, "_div": true_div}
        self._hoisted: dict[tuple[str, str], str] = {}

    def hoist(self, value: Any) -> str:
        """A global name holding ``value``; equal constants share one name."""
        key = (type(value).__name__, repr(value))
        if key not in self._hoisted:
            self._hoisted[key] = f"_k{len(self._hoisted)}"
            self.globals[self._hoisted[key]] = value
        return self._hoisted[key]

    def source(self) -> str:
        """The whole lambda, e.g. ``lambda e: e['weight'] * e['achievement'] / _k0``."""
        return f"lambda e: {self.emit(self.parsed.tree.body).text}"

    def build(self) -> tuple[str, Callable[[Any], Any]]:
        """The lambda source and the lambda compiled with the collected globals."""
        source = self.source()
        code = compile(source, f"<formula {self.parsed.text[:60]!r}>", "eval")
        fn: Callable[[Any], Any] = eval(code, self.globals)  # only whitelisted, generated text
        return source, fn

    def emit(self, node: ast.AST) -> Code:
        return _EMIT[type(node)](self, node)

    def name(self, node: ast.Name) -> Code:
        return Code(f"e[{node.id!r}]", _ATOM)

    def constant(self, node: ast.Constant) -> Code:
        if isinstance(node.value, bool):
            return Code(repr(node.value), _ATOM)
        if isinstance(node.value, str):
            return Code(self.hoist(node.value), _ATOM)
        return Code(self.hoist(number_text(self.parsed, node)), _ATOM, True)

    def binop(self, node: ast.BinOp) -> Code:
        spine = left_spine(node)
        acc = self.emit(spine[-1].left)
        for link in reversed(spine):
            right = self.emit(link.right)
            if isinstance(link.op, ast.Pow):
                acc = Code(f"_pow({acc.text}, {right.text})", _ATOM, True)
            elif isinstance(link.op, ast.Div) and not (acc.decimal or right.decimal):
                # Two record ints would divide into a float; _div makes the left side Decimal.
                acc = Code(f"_div({acc.text}, {right.text})", _ATOM, True)
            else:
                prec = _BIN_PREC[type(link.op)]
                text = f"{acc.at(prec)} {BINOPS[type(link.op)]} {right.at(prec + 1)}"
                acc = Code(text, prec, acc.decimal or right.decimal)
        return acc

    def unaryop(self, node: ast.UnaryOp) -> Code:
        operand = self.emit(node.operand)
        if isinstance(node.op, ast.Not):
            return Code(f"not {operand.at(_NOT)}", _NOT)
        return Code(f"{UNARYOPS[type(node.op)]}{operand.at(_UNARY)}", _UNARY, operand.decimal)

    def boolop(self, node: ast.BoolOp) -> Code:
        prec, word = (_AND, " and ") if isinstance(node.op, ast.And) else (_OR, " or ")
        return Code(word.join(self.emit(v).at(prec + 1) for v in node.values), prec)

    def compare(self, node: ast.Compare) -> Code:
        parts = [self.emit(node.left).at(_CMP + 1)]
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                assert isinstance(right, ast.List | ast.Tuple)  # the checker guarantees it
                operand = self.hoist(tuple(self.literal(item) for item in right.elts))
            else:
                operand = self.emit(right).at(_CMP + 1)
            parts += [CMPOPS[type(op)], operand]
        return Code(" ".join(parts), _CMP)

    def literal(self, node: ast.AST) -> Any:
        number = signed_number(self.parsed, node)
        if number is not None:
            return number
        assert isinstance(node, ast.Constant)
        return node.value

    def ifexp(self, node: ast.IfExp) -> Code:
        body, test, orelse = self.emit(node.body), self.emit(node.test), self.emit(node.orelse)
        text = f"{body.at(_IF + 1)} if {test.at(_IF + 1)} else {orelse.at(_IF + 1)}"
        return Code(text, _IF, body.decimal and orelse.decimal)

    def call(self, node: ast.Call) -> Code:
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        if name in BUILTINS:
            return self.call_builtin(name, node)
        spec = self.scope.functions[name]
        args = list(node.args)
        parts = []
        if spec.ref_kind is not None and args:
            first = args.pop(0)
            assert isinstance(first, ast.Constant)
            parts.append(self.hoist(first.value))
        parts += [self.emit(a).text for a in args]
        self.globals[f"_x_{name}"] = spec.impl
        return Code(f"_x_{name}({', '.join(parts)})", _ATOM)

    def call_builtin(self, name: str, node: ast.Call) -> Code:
        self.globals[f"_b_{name}"] = BUILTINS[name].impl
        if BUILTINS[name].shape == "round":
            value, places, mode = node.args
            assert isinstance(mode, ast.Constant)
            args = [self.emit(value).text, repr(round_places(self.parsed, places)), self.hoist(mode.value)]
        else:
            args = [self.emit(a).text for a in node.args]
        if node.keywords:
            where = ", ".join(f"{str(k.arg)!r}: {self.emit(k.value).text}" for k in node.keywords)
            args.append(f"where={{{where}}}")
        return Code(f"_b_{name}({', '.join(args)})", _ATOM, True)


_EMIT: dict[type[ast.AST], Callable[[Generator, Any], Code]] = {
    ast.Name: Generator.name,
    ast.Constant: Generator.constant,
    ast.BinOp: Generator.binop,
    ast.UnaryOp: Generator.unaryop,
    ast.BoolOp: Generator.boolop,
    ast.Compare: Generator.compare,
    ast.IfExp: Generator.ifexp,
    ast.Call: Generator.call,
}
