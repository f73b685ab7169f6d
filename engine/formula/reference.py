"""The reference interpreter of the formula language: simpleeval, configured with our language.

The generated code (:mod:`engine.formula.codegen`, :mod:`engine.formula.fuse`) is the fast
path; this module says what a formula means, one tree node at a time, and the generated code is
held to it (``tests/test_formula_reference.py``: a differential property test over random
formulas and records). ``hrpolicy evaluate --reference`` and ``explain --reference`` run
through it instead of the generated code, with byte-identical output.

How simpleeval is configured, and why:

* :class:`simpleeval.SimpleEval`, not ``EvalWithCompoundTypes``: the language has no dicts,
  sets or comprehensions; the one compound form, a literal list on the right of ``in``, gets
  its own handler (:meth:`ReferenceEval._eval_literals`).
* Only the node types of the language are kept in ``nodes`` (names, constants, the
  operators, ``and``/``or``/``not``, comparisons, ``x if c else y``, calls and their keyword
  filters, literal lists); attribute access, subscripts, f-strings, assignments ... are not
  evaluated at all (``FeatureNotAvailable``) even though the checker refuses them first.
* ``operators`` is exactly :data:`engine.formula.check.BINOPS`, ``UNARYOPS`` and ``CMPOPS``:
  ``**`` is :func:`engine.formula.builtins.bounded_pow` (our :data:`MAX_EXPONENT` instead of
  simpleeval's ``MAX_POWER``), ``/`` is :func:`engine.formula.builtins.true_div`.
* ``functions`` are the builtins of :mod:`engine.formula.builtins` (keyword arguments become
  the ``where`` filter) and the scope's policy-bound functions (``grade``).
* Numbers are Decimal: a literal is the Decimal its source text denotes (``0.1`` is exactly
  ``Decimal('0.1')``, never a float) and an ``int`` read from a record is the Decimal of the
  same value. Arithmetic runs in the current decimal context (28 digits, half-even), as the
  generated code's does.
* A missing name raises ``KeyError`` (not simpleeval's ``NameNotDefined``), so that both
  paths share :meth:`engine.formula.CompiledFormula._failure` and give the same message.
* Our limits replace simpleeval's (``MAX_POWER``, ``MAX_STRING_LENGTH`` are not used): the
  length, depth and string limits (:data:`MAX_EXPR_LENGTH`, :data:`MAX_DEPTH`,
  :data:`MAX_STRING`) are checked when the interpreter is built (every formula has passed them
  in the checker already), and ``**`` checks :data:`MAX_EXPONENT` at run time.
* A left-leaning chain ``a + b + c + ...`` (flat, so not bounded by the depth limit) is
  evaluated with a loop, as the checker and the generator walk it, not by recursion.

This module imports simpleeval; :mod:`engine.formula` imports it only when the reference
interpreter is asked for, so that ``hrpolicy validate`` does not pay for it.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import simpleeval

from engine.formula.builtins import BUILTINS, Builtin, bounded_pow, read_number, true_div
from engine.formula.parse import Parsed, left_spine, number_text, parse, signed_number, too_deep
from engine.formula.types import MAX_STRING, FormulaError, FormulaProblem, Scope

#: Every operator of the language and what it does (the keys are those the checker allows).
OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: true_div,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: bounded_pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda x, items: x in items,
    ast.NotIn: lambda x, items: x not in items,
}

#: The node types the reference interpreter evaluates; anything else is FeatureNotAvailable.
NODES = (
    ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call,
    ast.keyword, ast.List, ast.Tuple,
)


def _builtin(name: str, spec: Builtin) -> Callable[..., Any]:
    """The builtin as simpleeval calls it: keyword arguments are the ``where`` filter."""
    impl = spec.impl
    if spec.shape == "round":

        def round_(value: Any, places: Decimal, mode: str) -> Any:
            return impl(value, int(places), mode)

        return round_

    def call(*args: Any, **where: Any) -> Any:
        return impl(*args, where=where) if where else impl(*args)

    call.__name__ = name
    return call


class ReferenceEval(simpleeval.SimpleEval):  # type: ignore[misc]  # simpleeval has no type hints
    """simpleeval restricted to one checked formula of our language (see the module doc)."""

    nodes: dict[type[ast.AST], Callable[..., Any]]
    names: Mapping[str, Any]

    def __init__(self, parsed: Parsed, scope: Scope) -> None:
        _within_limits(parsed)
        functions: dict[str, Callable[..., Any]] = {n: _builtin(n, b) for n, b in BUILTINS.items()}
        functions.update({name: spec.impl for name, spec in scope.functions.items()})
        super().__init__(operators=dict(OPERATORS), functions=functions, names={})
        self.parsed = parsed
        self.numbers = {
            id(node): number_text(parsed, node)
            for node in ast.walk(parsed.tree)
            if isinstance(node, ast.Constant) and type(node.value) in (int, float)
        }
        handlers: dict[type[ast.AST], Callable[..., Any]] = {
            **self.nodes,
            ast.Constant: self._eval_constant_text,
            ast.Name: self._eval_record_name,
            ast.BinOp: self._eval_chain,
            ast.List: self._eval_literals,
            ast.Tuple: self._eval_literals,
        }
        self.nodes = {kind: handlers[kind] for kind in NODES}

    def run(self, env: Mapping[str, Any]) -> Any:
        """The value of the formula for ``env`` (raw Python errors, as the generated code)."""
        self.names = env
        try:
            return self.eval(self.parsed.text, previously_parsed=self.parsed.tree.body)
        finally:
            self.names = {}

    def _eval_constant_text(self, node: ast.Constant) -> Any:
        """A number literal is the Decimal of its source text; strings and booleans are themselves."""
        return self.numbers.get(id(node), node.value)

    def _eval_record_name(self, node: ast.Name) -> Any:
        return read_number(self.names[node.id])  # KeyError when absent, as e['name'] raises

    def _eval_chain(self, node: ast.BinOp) -> Any:
        spine = left_spine(node)
        value = self._eval(spine[-1].left)
        for link in reversed(spine):
            value = self.operators[type(link.op)](value, self._eval(link.right))
        return value

    def _eval_literals(self, node: ast.List | ast.Tuple) -> tuple[Any, ...]:
        """The literal list after ``in``: numbers (optionally signed), strings, True/False."""
        out = []
        for item in node.elts:
            number = signed_number(self.parsed, item)
            out.append(number if number is not None else self._eval(item))
        return tuple(out)


def _within_limits(parsed: Parsed) -> None:
    """Raise :class:`FormulaError` when ``parsed`` is beyond a limit of the language.

    Every formula :func:`engine.formula.compile_formula` hands over already passed these (and
    every other check); the interpreter holds them itself too, so that it is never the place
    where a formula too long, too deep or with too long a string gets evaluated.
    """
    problem = parse(parsed.text)
    if isinstance(problem, FormulaProblem):
        raise FormulaError(parsed.text, [problem])
    deep = too_deep(parsed)
    if deep is not None:
        raise FormulaError(parsed.text, [deep])
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > MAX_STRING:
            message = f"string constant is {len(node.value)} characters long; the limit is {MAX_STRING}"
            problem = FormulaProblem("formula-bad-literal", message, parsed.offset(node))
            raise FormulaError(parsed.text, [problem])


class Reference:
    """The reference interpreter of one checked formula, in the shape of a code generator.

    :class:`engine.formula.CompiledFormula` takes either: ``build()`` gives a description and
    the function of an environment.
    """

    def __init__(self, parsed: Parsed, scope: Scope) -> None:
        self.parsed = parsed
        self.scope = scope

    def build(self) -> tuple[str, Callable[[Mapping[str, Any]], Any]]:
        """``("<simpleeval reference>", fn)``: ``fn(env)`` evaluates the formula with simpleeval."""
        return "<simpleeval reference>", ReferenceEval(self.parsed, self.scope).run
