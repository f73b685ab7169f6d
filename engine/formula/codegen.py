"""Turn a *checked* formula tree into one Python lambda, compiled once and called many times.

Only nodes the checker accepted reach this module. Names are read as ``e['name']`` (the name
is written with ``repr``, so it can never break out of the string), constants and functions
are hoisted into the lambda's globals as ``_k0``, ``_b_sum`` ..., and the globals carry an
empty ``__builtins__``. ``**`` always goes through the bounded ``_pow``.

Parentheses are written only where precedence needs them, so that a long flat chain such as
``a + b + c + ...`` does not nest parentheses (the tokenizer allows only 200 levels).

:mod:`engine.formula.fuse` uses :class:`Generator` to write one function for all the formulas
of a goal sheet, with every name a generated local variable (the hot path of evaluation).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.formula.builtins import BUILTINS, bounded_pow, read_number, true_div
from engine.formula.calls import round_places
from engine.formula.check import BINOPS, CMPOPS, UNARYOPS
from engine.formula.parse import Parsed, left_spine, number_text, signed_number
from engine.formula.types import INTEGER, Scope

_IF, _OR, _AND, _NOT, _CMP, _ADD, _MUL, _UNARY, _ATOM = 1, 2, 3, 4, 5, 10, 20, 30, 100
_BIN_PREC: dict[type[ast.operator], int] = {
    ast.Add: _ADD,
    ast.Sub: _ADD,
    ast.Mult: _MUL,
    ast.Div: _MUL,
    ast.FloorDiv: _MUL,
    ast.Mod: _MUL,
}


#: A Python identifier in generated text (string constants are never inline: they are hoisted).
_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
#: The operators that refuse a float operand next to a Decimal (``**`` goes through ``_pow``).
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)


@dataclass(frozen=True)
class Code:
    """Generated text, the precedence of its top operator, and whether it surely is Decimal."""

    text: str
    prec: int
    decimal: bool = False

    def at(self, prec: int) -> str:
        """The text, parenthesised if its operator binds looser than ``prec``."""
        return f"({self.text})" if self.prec < prec else self.text


class Module:
    """The globals shared by generated code: hoisted constants and bound functions.

    Several formulas fused into one function (:class:`SheetFuser`) share one module, so
    that equal constants share one name and no two objects are ever bound to the same name.
    """

    def __init__(self) -> None:
        self.globals: dict[str, Any] = {"__builtins__": {}, "_pow": bounded_pow, "_div": true_div}
        self._hoisted: dict[tuple[str, str], str] = {}
        self._temps = 0

    def hoist(self, value: Any) -> str:
        """A global name holding ``value``; equal constants share one name."""
        key = (type(value).__name__, repr(value))
        if key not in self._hoisted:
            self._hoisted[key] = f"_k{len(self._hoisted)}"
            self.globals[self._hoisted[key]] = value
        return self._hoisted[key]

    def temp(self) -> str:
        """A fresh local name for a value computed once and used twice (fused code)."""
        self._temps += 1
        return f"_t{self._temps}"

    def as_locals(self, code: list[str]) -> list[str]:
        """``name=name`` for each global ``code`` reads: parameters of the generated function
        that default to the globals, so that a hot loop reads locals (faster than globals)."""
        used = set(_IDENTIFIER.findall("\n".join(code)))
        return [f"{n}={n}" for n in sorted(used) if n in self.globals and n != "__builtins__"]

    def bind(self, name: str, obj: Any) -> str:
        """A global called ``name`` (``name_2``, ... if taken by another object) holding ``obj``."""
        candidate, n = name, 1
        while candidate in self.globals and self.globals[candidate] is not obj:
            n += 1
            candidate = f"{name}_{n}"
        self.globals[candidate] = obj
        return candidate


class Generator:
    """Generates the expression source for one checked formula and collects its globals.

    By default names are read as ``e['name']`` (one lambda per formula). For fused code,
    ``names`` maps every value name to the local variable holding it, and ``columns`` maps a
    column name to the local holding its plain list of values, so that ``sum(col)`` and
    ``count(col)`` without filters become a builtin call on the list.
    """

    def __init__(
        self,
        parsed: Parsed,
        scope: Scope,
        *,
        module: Module | None = None,
        names: Mapping[str, str] | None = None,
        columns: Mapping[str, str] | None = None,
    ) -> None:
        self.parsed = parsed
        self.scope = scope
        self.module = module or Module()
        self.globals = self.module.globals
        self.names = names
        self.columns = columns or {}
        #: Fused code: columns read only as ``sum(column)``, each with the local of its running total.
        self.sums: Mapping[str, str] = {}
        #: Fused code: ``count(column, field=literal, ...)`` (see :func:`count_key`) -> the local
        #: counting the lines the filter keeps, as the loop over the lines counted them.
        self.counts: Mapping[CountKey, str] = {}

    def hoist(self, value: Any) -> str:
        """A global name holding ``value``; equal constants share one name."""
        return self.module.hoist(value)

    def decimal(self) -> str:
        """The global name of the Decimal type."""
        return self.module.bind("_D", Decimal)

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
        text = self.names[node.id] if self.names is not None else f"e[{node.id!r}]"
        if self.scope.scalars.get(node.id) == INTEGER:
            # An integer field holds a Python int: read it as Decimal (int // and % differ).
            return Code(f"{self.module.bind('_number', read_number)}({text})", _ATOM)
        return Code(text, _ATOM)

    def constant(self, node: ast.Constant) -> Code:
        if isinstance(node.value, bool):
            return Code(repr(node.value), _ATOM)
        if isinstance(node.value, str):
            return Code(self.hoist(node.value), _ATOM)
        return Code(self.hoist(number_text(self.parsed, node)), _ATOM, True)

    def binop(self, node: ast.BinOp) -> Code:
        spine = left_spine(node)
        acc = self.emit(spine[-1].left)
        links = list(reversed(spine))
        ahead: dict[int, Code] = {}
        for index, link in enumerate(links):
            right = ahead.pop(id(link.right), None) or self.emit(link.right)
            if isinstance(link.op, ast.Pow):
                acc = Code(f"_pow({acc.text}, {right.text})", _ATOM, True)
            elif isinstance(link.op, ast.Div) and not (acc.decimal or right.decimal):
                after = self.peek(links[index + 1 :], ahead)
                if after is not None and after.decimal:
                    # The quotient meets a Decimal at once: if two ints gave a float, that
                    # raises TypeError (the checked path then runs); else it is _div's Decimal.
                    acc = Code(f"{acc.at(_MUL)} / {right.at(_MUL + 1)}", _MUL)
                else:
                    acc = self.divide(acc, right)
            else:
                prec = _BIN_PREC[type(link.op)]
                text = f"{acc.at(prec)} {BINOPS[type(link.op)]} {right.at(prec + 1)}"
                acc = Code(text, prec, acc.decimal or right.decimal)
        return acc

    def peek(self, rest: list[ast.BinOp], ahead: dict[int, Code]) -> Code | None:
        """Fused code: the right operand of the next arithmetic link of a left spine, emitted
        now (and kept in ``ahead`` for that link), or None."""
        if self.names is None or not rest or not isinstance(rest[0].op, _ARITHMETIC):
            return None
        code = ahead[id(rest[0].right)] = self.emit(rest[0].right)
        return code

    def divide(self, left: Code, right: Code) -> Code:
        """``left / right`` when neither side is surely Decimal.

        Two record ints would divide into a float; ``_div`` makes the left side Decimal. A
        local variable (fused code) is tested inline instead: a Decimal divides directly.
        """
        if self.names is not None and left.text in self.names.values():
            div, typ = self.module.bind("_div", true_div), self.module.bind("_type", type)
            dec = self.decimal()
            t = left.text
            text = f"{t} / {right.at(_MUL + 1)} if {typ}({t}) is {dec} else {div}({t}, {right.text})"
            return Code(text, _IF, True)
        return Code(f"_div({left.text}, {right.text})", _ATOM, True)

    def unaryop(self, node: ast.UnaryOp) -> Code:
        operand = self.emit(node.operand)
        if isinstance(node.op, ast.Not):
            return Code(f"not {operand.at(_NOT)}", _NOT)
        return Code(f"{UNARYOPS[type(node.op)]}{operand.at(_UNARY)}", _UNARY, operand.decimal)

    def boolop(self, node: ast.BoolOp) -> Code:
        prec, word = (_AND, " and ") if isinstance(node.op, ast.And) else (_OR, " or ")
        return Code(word.join(self.emit(v).at(prec + 1) for v in node.values), prec)

    def compare(self, node: ast.Compare) -> Code:
        parts = [self.compared(node.left)]
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                assert isinstance(right, ast.List | ast.Tuple)  # the checker guarantees it
                operand = self.hoist(tuple(self.literal(item) for item in right.elts))
            else:
                operand = self.compared(right)
            parts += [CMPOPS[type(op)], operand]
        return Code(" ".join(parts), _CMP)

    def compared(self, node: ast.AST) -> str:
        """An operand of a comparison. A count the loop tallied is compared as the int it is:
        Python compares an int with a Decimal, a float or anything else exactly as it compares
        that int's Decimal (no Decimal made per employee)."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "count":
            key = count_key(self.parsed, node) if self.counts else None
            if key is not None and key in self.counts:
                return self.counts[key]
        return self.emit(node).at(_CMP + 1)

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
        return Code(f"{self.module.bind(f'_x_{name}', spec.impl)}({', '.join(parts)})", _ATOM)

    def call_builtin(self, name: str, node: ast.Call) -> Code:
        if name == "count" and self.counts:
            key = count_key(self.parsed, node)
            if key is not None and key in self.counts:  # Decimal(len(kept lines)), as agg_count
                return Code(f"{self.decimal()}({self.counts[key]})", _ATOM, True)
        fast = self.column_builtin(name, node)
        if fast is not None:
            return fast
        if BUILTINS[name].shape == "round":
            value, places, mode = node.args
            assert isinstance(mode, ast.Constant)
            args = [self.emit(value).text, repr(round_places(self.parsed, places)), self.hoist(mode.value)]
        else:
            codes = [self.emit(a) for a in node.args]  # emitted once: nesting must not re-emit
            fast = self.scalar_builtin(name, node, codes)
            if fast is not None:
                return fast
            args = [c.text for c in codes]
        if node.keywords:
            where = ", ".join(f"{str(k.arg)!r}: {self.emit(k.value).text}" for k in node.keywords)
            args.append(f"where={{{where}}}")
        return Code(f"{self.module.bind(f'_b_{name}', BUILTINS[name].impl)}({', '.join(args)})", _ATOM, True)

    def column_builtin(self, name: str, node: ast.Call) -> Code | None:
        """Fused code only: ``sum(col)``/``count(col)`` without filters on the column's list.

        A ``None`` value makes ``sum`` raise TypeError, and the caller re-runs the checked
        path for the message; otherwise both give exactly what :mod:`engine.formula.builtins`
        gives (the same additions in the same order from ``Decimal(0)``).
        """
        if self.names is None or node.keywords or name not in ("sum", "count") or len(node.args) != 1:
            return None
        arg = node.args[0]
        if name == "sum" and isinstance(arg, ast.Name) and arg.id in self.sums:
            return Code(self.sums[arg.id], _ATOM, True)
        values = self.columns.get(arg.id) if isinstance(arg, ast.Name) else None
        if values is None:
            return None
        if name == "count":
            return Code(f"{self.decimal()}({self.module.bind('_len', len)}({values}))", _ATOM, True)
        return Code(f"{self.module.bind('_sum', sum)}({values}, {self.hoist(Decimal(0))})", _ATOM, True)

    def scalar_builtin(self, name: str, node: ast.Call, codes: list[Code]) -> Code | None:
        """Fused code only: Python's ``min``/``max``/``abs`` on operands that are surely Decimal.

        They then return what the builtins return, without the int conversion or the column
        test; ``clamp`` needs literal bounds in order (else its own check must run).
        """
        if self.names is None or node.keywords or name not in ("min", "max", "abs", "clamp"):
            return None
        if not codes or not all(c.decimal for c in codes):
            return None
        if name == "clamp":
            low, high = (signed_number(self.parsed, a) for a in node.args[1:])
            if low is None or high is None or low > high:
                return None
            return self.pick("<", self.pick(">", codes[0], codes[1]), codes[2])
        if name == "abs":
            return Code(f"{self.module.bind('_abs', abs)}({codes[0].text})", _ATOM, True)
        if len(codes) != 2:
            return None
        return self.pick(">" if name == "max" else "<", codes[0], codes[1])

    def pick(self, op: str, first: Code, second: Code) -> Code:
        """``max(first, second)`` (op ``>``) or ``min`` inline, each operand evaluated once.

        Python's max keeps ``first`` unless ``second > first``; this is that very comparison.
        """
        a, b = first.text, second.text
        if not _simple(a):
            a = self.module.temp()
            first = Code(f"({a} := {first.text})", _ATOM)
        else:
            first = Code(a, _ATOM)
        cond = f"{second.at(_CMP + 1)} {op} {first.text}"
        if not _simple(b):
            b = self.module.temp()
            cond = f"({b} := {second.text}) {op} {first.text}"
        return Code(f"{b} if {cond} else {a}", _IF, True)


#: ``count(column, a=x, b=y)`` as (column, ((a, x), (b, y))): the literal filter values.
CountKey = tuple[str, tuple[tuple[str, Any], ...]]


def count_key(parsed: Parsed, node: ast.Call) -> CountKey | None:
    """The key of a ``count`` call over a column name whose filters (if any) are all literals
    (text, true/false, unsigned numbers): what a loop over the lines can count as it goes.
    None otherwise."""
    if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
        return None
    filters: list[tuple[str, Any]] = []
    for keyword in node.keywords:
        value = keyword.value  # (a signed number is an operation: its value is left to the call)
        if not isinstance(value, ast.Constant) or keyword.arg is None:
            return None
        literal: Any = value.value
        if isinstance(literal, int | float) and not isinstance(literal, bool):
            literal = number_text(parsed, value)  # the Decimal the call's filter holds
            if literal is None:
                return None
        elif not isinstance(literal, str | bool):
            return None
        filters.append((keyword.arg, literal))
    return node.args[0].id, tuple(filters)


def _simple(text: str) -> bool:
    """A local or global name: reading it twice costs nothing and cannot differ."""
    return text.isidentifier()


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
