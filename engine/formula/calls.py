"""Checks of function calls, and the shared helpers every formula check uses.

:class:`CallChecks` is the base of :class:`engine.formula.check.Checker`: it holds the problem
list and the helpers that require a single value, a number or a true/false value, plus the
rules of builtin and policy-bound functions (arity, columns, filters, refs, ``round``).
"""

from __future__ import annotations

import ast
from decimal import Decimal

from engine.formula.builtins import AGGREGATE_HINT, BUILTINS, Builtin
from engine.formula.parse import Parsed, signed_number
from engine.formula.types import (
    ANY,
    BOOLEAN,
    DECIMAL,
    MAX_EXPONENT,
    FormulaProblem,
    FunctionSpec,
    Scope,
    arity_text,
    comparable,
    element,
    is_column,
    normal_type,
    suggest,
)
from engine.rounding import MODES


class CallChecks:
    """Problem collection, value-kind helpers and call rules; subclasses implement :meth:`visit`."""

    def __init__(self, parsed: Parsed, scope: Scope) -> None:
        self.parsed = parsed
        self.scope = scope
        self.problems: list[FormulaProblem] = []

    def add(self, rule: str, message: str, node: ast.AST, suggestion: str | None = None) -> str:
        self.problems.append(FormulaProblem(rule, message, self.parsed.offset(node), suggestion))
        return ANY

    def visit(self, node: ast.AST) -> str:
        """Check ``node`` and return its static type (the subclass dispatches on node type)."""
        raise NotImplementedError

    def scalar(self, node: ast.AST) -> str:
        """Visit a node whose value must be a single value, not a column."""
        t = self.visit(node)
        if is_column(t):
            name = node.id if isinstance(node, ast.Name) else self.parsed.source(node)
            return self.add(
                "formula-type", f"column '{name}' is a list of values per indicator; {AGGREGATE_HINT}", node
            )
        return t

    def number(self, node: ast.AST, what: str) -> str:
        """Visit a node that must be a number; ``what`` names the operation for the message."""
        t = self.scalar(node)
        if t not in (DECIMAL, ANY):
            return self.add("formula-type", f"{what} needs a number, got {t}", node)
        return DECIMAL

    def boolean(self, node: ast.AST, what: str) -> None:
        t = self.scalar(node)
        if t not in (BOOLEAN, ANY):
            self.add("formula-type", f"{what} needs true/false, got {t}", node)

    def function_names(self) -> set[str]:
        return {*BUILTINS, *self.scope.functions}

    def call(self, node: ast.Call) -> str:
        func = node.func
        if not isinstance(func, ast.Name):
            before = len(self.problems)
            self.visit(func)  # reports an attribute, subscript, ... itself
            if len(self.problems) == before:
                self.add(
                    "formula-forbidden", "only the functions of the formula language can be called", func
                )
            return ANY
        if func.id.startswith("_"):
            return self.add(
                "formula-forbidden", f"names starting with '_' are not allowed: '{func.id}'", func
            )
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return self.add("formula-forbidden", "starred arguments (*a, **k) are not allowed", node)
        builtin = BUILTINS.get(func.id)
        if builtin is not None:
            return self.call_builtin(func.id, builtin, node)
        spec = self.scope.functions.get(func.id)
        if spec is not None:
            return self.call_extra(func.id, spec, node)
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            self.visit(arg)
        if func.id in self.scope.scalars or func.id in self.scope.columns:
            return self.add("formula-unknown-function", f"'{func.id}' is not a function", func)
        return self.add(
            "formula-unknown-function",
            f"unknown function '{func.id}'",
            func,
            suggest(func.id, self.function_names()),
        )

    def arity_ok(self, name: str, lo: int, hi: int | None, node: ast.Call) -> bool:
        got = len(node.args)
        if got < lo or (hi is not None and got > hi):
            hint = "give the mode: round(x, 1, 'half_up')" if name == "round" else None
            self.add("formula-arity", f"{name}() takes {arity_text(lo, hi)}, got {got}", node, hint)
            return False
        return True

    def no_keywords(self, name: str, node: ast.Call) -> None:
        if node.keywords:
            filtered = ", ".join(f"{n}()" for n, b in BUILTINS.items() if b.filters)
            text = f"{name}() takes no keyword arguments; keywords are filters of {filtered}"
            self.add("formula-forbidden", text, node.keywords[0].value)

    def call_extra(self, name: str, spec: FunctionSpec, node: ast.Call) -> str:
        self.no_keywords(name, node)
        if not self.arity_ok(name, spec.min_args, spec.max_args, node):
            for arg in node.args:
                self.visit(arg)
            return ANY
        args = list(node.args)
        if spec.ref_kind is not None and args:
            self.ref(name, spec.ref_kind, args.pop(0))
        for arg in args:
            self.scalar(arg)
        return normal_type(spec.returns)

    def ref(self, name: str, kind: str, node: ast.AST) -> None:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            self.visit(node)
            self.add("formula-type", f"the first argument of {name}() must be a quoted {kind} name", node)
            return
        known = self.scope.refs.get(kind, ())
        if node.value not in known:
            self.add(
                "formula-unknown-ref", f"unknown {kind} '{node.value}'", node, suggest(node.value, known)
            )

    def call_builtin(self, name: str, spec: Builtin, node: ast.Call) -> str:
        if not spec.filters:
            self.no_keywords(name, node)
        if not self.arity_ok(name, spec.min_args, spec.max_args, node):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                self.visit(arg)
            return ANY
        if spec.shape == "round":
            return self.round_args(node)
        if spec.shape == "numbers":
            for arg in node.args:
                self.number(arg, f"{name}()")
            return DECIMAL
        if spec.shape == "extreme" and len(node.args) > 1:
            for arg in node.args:
                self.number(arg, f"{name}()")
            if node.keywords:
                self.add(
                    "formula-type",
                    f"{name}() filters need one column, not several values",
                    node.keywords[0].value,
                )
            return DECIMAL
        for arg in node.args:
            self.column_arg(name, spec, arg)
        self.filters(node)
        return spec.returns

    def column_arg(self, name: str, spec: Builtin, node: ast.AST) -> None:
        t = self.visit(node)
        label = f"'{node.id}'" if isinstance(node, ast.Name) else "this"
        if t == ANY:
            return
        if not is_column(t):
            hint = (
                "one column or at least two values"
                if spec.shape == "extreme"
                else "a column of values per indicator"
            )
            self.add("formula-type", f"{name}() needs {hint}; {label} is a single {t} value", node)
        elif spec.elements == DECIMAL and element(t) not in (DECIMAL, ANY):
            self.add(
                "formula-type", f"{name}() needs a column of numbers; {label} holds {element(t)} values", node
            )

    def filters(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            field = str(keyword.arg)
            t = self.scalar(keyword.value)
            if field.startswith("_"):
                text = f"names starting with '_' are not allowed: '{field}'"
                self.add("formula-forbidden", text, keyword)
                continue
            if field not in self.scope.columns:
                self.add(
                    "formula-unknown-name",
                    f"unknown indicator field '{field}' in filter",
                    keyword,
                    suggest(field, self.scope.columns),
                )
                continue
            column_type = normal_type(self.scope.columns[field])
            if not comparable(column_type, t, False):
                self.add(
                    "formula-type", f"filter {field}= compares {column_type} values with {t}", keyword.value
                )

    def round_args(self, node: ast.Call) -> str:
        value, places, mode = node.args
        self.number(value, "round()")
        digits = signed_number(self.parsed, places)
        if digits is None or digits != digits.to_integral_value() or abs(digits) > MAX_EXPONENT:
            self.add(
                "formula-bad-literal", "round() places must be a whole number written out, e.g. 1", places
            )
        if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)):
            self.visit(mode)
            self.add(
                "formula-bad-literal", f"round() mode must be a quoted mode name: {', '.join(MODES)}", mode
            )
        elif mode.value not in MODES:
            self.add(
                "formula-bad-literal",
                f"unknown rounding mode '{mode.value}'",
                mode,
                suggest(mode.value, MODES),
            )
        return DECIMAL


def round_places(parsed: Parsed, node: ast.AST) -> int:
    """The integer places of a checked ``round()`` call."""
    value = signed_number(parsed, node)
    return int(value if value is not None else Decimal(0))
