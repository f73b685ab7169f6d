"""The safe formula language: parse once, check names and types, bound cost, compile, explain.

A formula is a restricted Python expression (see ``docs/policy-language.md``). It is parsed
with :mod:`ast`, checked against a :class:`Scope` (every problem collected as a
:class:`FormulaProblem`), then compiled to a plain Python lambda that reads names from a
mapping, so that evaluating it for many records costs about a microsecond each.
"""

from __future__ import annotations

import ast
import contextlib
import decimal
from collections.abc import Callable, Collection, Iterator, Mapping
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from engine.errors import HRPolicyError
from engine.formula.check import Checker
from engine.formula.codegen import Generator
from engine.formula.parse import Parsed, parse, parse_or_raise, too_deep
from engine.formula.types import (
    COLUMN,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_EXPR_LENGTH,
    MAX_STRING,
    Column,
    FormulaError,
    FormulaFailure,
    FormulaProblem,
    FormulaRuntimeError,
    FunctionSpec,
    Scope,
    is_column,
)

R = TypeVar("R")

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_EXPR_LENGTH",
    "MAX_STRING",
    "Column",
    "CompiledFormula",
    "FormulaError",
    "FormulaProblem",
    "FormulaRuntimeError",
    "FunctionSpec",
    "Scope",
    "check_formula",
    "compile_formula",
    "fast_or_checked",
    "find_cycle",
    "names_used",
    "reference_interpreter",
]

#: Whether :func:`compile_formula` builds formulas on the reference interpreter by default.
_REFERENCE: ContextVar[bool] = ContextVar("hrpolicy_reference_interpreter", default=False)


@contextlib.contextmanager
def reference_interpreter(on: bool = True) -> Iterator[None]:
    """Within the block, :func:`compile_formula` evaluates with the reference interpreter
    (:mod:`engine.formula.reference`, simpleeval) instead of generated code, when ``on``."""
    token = _REFERENCE.set(on)
    try:
        yield
    finally:
        _REFERENCE.reset(token)


class Backend(Protocol):
    """What turns a checked formula into a function: the code generator or the reference."""

    scope: Scope

    def build(self) -> tuple[str, Callable[[Any], Any]]: ...


def fast_or_checked(fast: Callable[..., R], checked: Callable[..., R], *args: Any) -> R:
    """``fast(*args)``: generated code with no checks, which may fail with any raw Python error;
    when it does, ``checked(*args)``: the same result by the checked path, or its precise error.

    The one place where a failure of the fast path is let go: both paths give the same value
    whenever the fast one succeeds, so its error is never the one to report.
    """
    try:
        return fast(*args)
    except Exception:  # any raw error of generated code: the checked path says what went wrong
        return checked(*args)


def _analyse(expr: str, scope: Scope) -> tuple[Parsed | None, str, list[FormulaProblem]]:
    parsed = parse(expr)
    if isinstance(parsed, FormulaProblem):
        return None, "any", [parsed]
    deep = too_deep(parsed)
    if deep is not None:
        return None, "any", [deep]
    checker = Checker(parsed, scope)
    try:
        result = checker.run()
    except RecursionError:  # not reachable within MAX_DEPTH; kept so that check never raises
        return None, "any", [FormulaProblem("formula-too-deep", "formula is too complex", 0)]
    return parsed, result, sorted(checker.problems, key=lambda p: p.offset)


def check_formula(expr: str, scope: Scope) -> list[FormulaProblem]:
    """Every problem of ``expr`` in ``scope``, ordered by offset; never raises."""
    return _analyse(expr, scope)[2]


def _value_names(tree: ast.AST) -> list[ast.Name]:
    """Name nodes that read a value (not the called function names), in text order."""
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called]
    return sorted(names, key=lambda n: (n.lineno, n.col_offset))


def names_used(expr: str) -> set[str]:
    """The free names ``expr`` reads (for dependency graphs); raises :class:`FormulaError`
    when it cannot be parsed (or is longer than :data:`MAX_EXPR_LENGTH`)."""
    return {n.id for n in _value_names(parse_or_raise(expr).tree)}


def find_cycle(graph: Mapping[str, Collection[str]]) -> list[str] | None:
    """A cycle of ``graph`` as ``[a, b, a]``, or ``None``.

    Deterministic: nodes and their edges are visited in sorted order. Edges to names that are
    not keys of ``graph`` are leaves. Iterative, so a long chain cannot exhaust the stack.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt in graph and nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def show(value: Any) -> str:
    """How :meth:`CompiledFormula.explain` writes a value."""
    if isinstance(value, Column):
        return "[" + ", ".join(show(v) for v in value.values) + "]"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, str):
        return repr(value)
    return str(value)


class CompiledFormula:
    """A checked, compiled formula. Call it with a mapping of names to values."""

    __slots__ = (
        "_branches", "_fn", "_operands", "_order", "_parts", "_pieces", "_slots", "_tests", "names", "parsed",
        "reference", "result_type", "scope", "source", "text",
    )

    def __init__(self, parsed: Parsed, result_type: str, generator: Backend, reference: bool = False) -> None:
        self.text = parsed.text
        #: The checked tree and its scope, for fusing several formulas into one function.
        self.parsed, self.scope = parsed, generator.scope
        #: Whether this formula runs on the reference interpreter (simpleeval).
        self.reference = reference
        self.source, self._fn = generator.build()
        nodes = _value_names(parsed.tree)
        self.names = frozenset(n.id for n in nodes)
        self.result_type = COLUMN if is_column(result_type) else result_type
        self._order = tuple(dict.fromkeys(n.id for n in nodes))
        self._pieces, self._slots = _pieces(parsed, nodes)
        # What explain() and branches() need of the tree, found once: a pay run explains the
        # same formula for every employee.
        self._branches = any(isinstance(node, ast.IfExp) for node in ast.walk(parsed.tree))
        self._operands: set[int] | None = None
        self._tests: dict[int, CompiledFormula] = {}
        self._parts: dict[int, list[ast.AST]] = {}

    def __repr__(self) -> str:
        return f"CompiledFormula({self.text!r})"

    @property
    def fast(self) -> Any:
        """The bare compiled function, for hot loops that handle failures themselves.

        It may return ``int`` where :meth:`__call__` returns ``Decimal``, and it raises raw
        Python errors; on any error, call the formula normally to get the precise message.
        """
        return self._fn

    def __call__(self, env: Mapping[str, Any]) -> Any:
        """Evaluate with ``env``; raises :class:`FormulaRuntimeError` on failure."""
        result = fast_or_checked(self._fn, self._checked, env)
        return Decimal(result) if type(result) is int else result

    def _checked(self, env: Mapping[str, Any]) -> Any:
        """The bare function again, its failure turned into a precise :class:`FormulaRuntimeError`."""
        try:
            return self._fn(env)
        except HRPolicyError:
            raise
        except Exception as exc:
            raise self._failure(exc, env) from exc

    def explain(self, env: Mapping[str, Any]) -> str:
        """The formula text with every name replaced by its value: ``30 * 110.0 * 1.1 / 100``.

        Columns show as ``[a, b, c]``; a negative operand is parenthesised (``a - (-5)``). Of an
        ``x if c else y`` only the branch taken is shown, so no value that was not used appears.
        """
        if not self._branches:
            out = [self._pieces[0]]
            for (name, operand), after in zip(self._slots, self._pieces[1:], strict=True):
                out += [_shown(env.get(name), operand), after]
            return "".join(out)
        if self._operands is None:
            self._operands = _operand_ids(self.parsed.tree)
        return self._render(self.parsed.tree.body, env, self._operands)

    def conditions(self) -> tuple[str, ...]:
        """The test of every ``x if c else y`` in the formula, outermost first (for coverage)."""
        parsed = self.parsed
        found = [n for n in ast.walk(parsed.tree) if isinstance(n, ast.IfExp)]
        return tuple(parsed.source(n.test) for n in found)

    def branches(self, env: Mapping[str, Any]) -> tuple[tuple[str, bool], ...]:
        """Each conditional this evaluation reached, with the branch taken (its test's value).

        Like :meth:`explain`, only the conditionals on the path actually taken are visited.
        """
        taken: list[tuple[str, bool]] = []
        pending: list[ast.AST] = [self.parsed.tree.body]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.IfExp):
                value = bool(self._test(node.test)(env))
                taken.append((self.parsed.source(node.test), value))
                pending.append(node.body if value else node.orelse)
            else:
                pending.extend(reversed(list(ast.iter_child_nodes(node))))
        return tuple(taken)

    def _render(self, node: ast.AST, env: Mapping[str, Any], operands: set[int]) -> str:
        """``node``'s text with names substituted and each conditional reduced to its branch."""
        parsed = self.parsed
        if isinstance(node, ast.IfExp):
            return self._render(node.body if self._test(node.test)(env) else node.orelse, env, operands)
        if isinstance(node, ast.Name):  # a branch that is a bare name: its value
            return _shown(env.get(node.id), id(node) in operands)
        out, pos = [], parsed.offset(node)
        parts = self._parts.get(id(node))
        if parts is None:
            parts = self._parts[id(node)] = _substituted(node)
        for child in parts:
            out.append(parsed.text[pos : parsed.offset(child)])
            if isinstance(child, ast.Name):
                out.append(_shown(env.get(child.id), id(child) in operands))
            else:
                out.append(self._render(child, env, operands))
            pos = parsed.end(child)
        out.append(parsed.text[pos : parsed.end(node)])
        return "".join(out)

    def _test(self, node: ast.expr) -> CompiledFormula:
        """A conditional's test as a formula of its own, compiled the first time it is needed."""
        found = self._tests.get(id(node))
        if found is None:
            text = self.parsed.source(node)
            found = self._tests[id(node)] = compile_formula(text, self.scope, reference=self.reference)
        return found

    def _failure(self, exc: Exception, env: Mapping[str, Any]) -> FormulaRuntimeError:
        # The values it read, so the message alone shows why: "(actual=5, target=0)".
        where = f"in '{self.text}'{self._values(env)}"
        if isinstance(exc, FormulaFailure):
            return FormulaRuntimeError(f"{exc} {where}", self.text)
        if isinstance(exc, ZeroDivisionError):
            return FormulaRuntimeError(f"division by zero {where}", self.text)
        # The name whose lookup failed, when the failure says so (a name in a branch not taken
        # may have no value without harm); otherwise the first name without a value.
        raised = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
        missing = (
            raised
            if raised in self.names and env.get(raised) is None
            else next((n for n in self._order if env.get(n) is None), None)
        )
        if isinstance(exc, KeyError | TypeError) and missing is not None:
            return FormulaRuntimeError(f"'{missing}' has no value {where}", self.text, missing)
        if isinstance(exc, decimal.Overflow):
            return FormulaRuntimeError(f"number too large {where}", self.text)
        if isinstance(exc, decimal.InvalidOperation):
            return FormulaRuntimeError(f"invalid arithmetic {where}", self.text)
        if isinstance(exc, TypeError):
            return FormulaRuntimeError(f"wrong kind of value {where}: {exc}", self.text)
        return FormulaRuntimeError(f"{type(exc).__name__} {where}: {exc}", self.text)

    def _values(self, env: Mapping[str, Any]) -> str:
        """`` (a=1, b='x')``: each name the formula reads with its value (``none`` if absent)."""
        if not self._order:
            return ""
        shown = []
        for name in self._order:
            value = env.get(name)
            text = "none" if value is None else show(value)
            shown.append(f"{name}={text if len(text) <= 60 else text[:57] + '...'}")
        return f" ({', '.join(shown)})"


def _shown(value: Any, operand: bool) -> str:
    """A value as explain writes it; a negative operand in parentheses."""
    text = show(value)
    return f"({text})" if operand and isinstance(value, Decimal | int) and value < 0 else text


def _operand_ids(tree: ast.AST) -> set[int]:
    """Nodes that are an arithmetic operator's operands."""
    return {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp | ast.UnaryOp)
        for child in ast.iter_child_nodes(node)
    }


def _substituted(node: ast.AST) -> list[ast.AST]:
    """Value names and outermost conditionals under ``node``, in text order."""
    found: list[ast.AST] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(node, ast.Call) and child is node.func:
            continue  # the function's own name is not a value
        if isinstance(child, ast.Name | ast.IfExp):
            found.append(child)
        else:
            found += _substituted(child)
    return sorted(found, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))


def _pieces(parsed: Parsed, nodes: list[ast.Name]) -> tuple[list[str], list[tuple[str, bool]]]:
    """The text around value names, and each name with whether it is an operator's operand."""
    operands = _operand_ids(parsed.tree)
    pieces: list[str] = []
    slots: list[tuple[str, bool]] = []
    pos = 0
    for node in nodes:
        pieces.append(parsed.text[pos : parsed.offset(node)])
        slots.append((node.id, id(node) in operands))
        pos = parsed.end(node)
    pieces.append(parsed.text[pos:])
    return pieces, slots


def compile_formula(expr: str, scope: Scope, *, reference: bool | None = None) -> CompiledFormula:
    """Check and compile ``expr``; raises :class:`FormulaError` listing every problem.

    With ``reference`` (default: inside :func:`reference_interpreter`) the formula evaluates
    through the reference interpreter instead of generated code; results and errors are the same.
    """
    parsed, result_type, problems = _analyse(expr, scope)
    if problems or parsed is None:
        raise FormulaError(expr, problems)
    if _REFERENCE.get() if reference is None else reference:
        from engine.formula.reference import Reference  # imports simpleeval: only when asked for

        return CompiledFormula(parsed, result_type, Reference(parsed, scope), reference=True)
    return CompiledFormula(parsed, result_type, Generator(parsed, scope))
