"""Parse a formula once with :mod:`ast` and measure it before anything walks it recursively.

``ast`` reports UTF-8 *byte* columns; everything here converts them to character offsets into
the original text, so that a formula holding Korean or Japanese strings still points at the
right column.
"""

from __future__ import annotations

import ast
import decimal
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from engine.formula.types import MAX_DEPTH, MAX_EXPR_LENGTH, FormulaError, FormulaProblem


@dataclass(frozen=True)
class Parsed:
    """A parsed formula: its text, tree, and the map from ``ast`` positions to offsets."""

    text: str
    tree: ast.Expression
    shift: int  # leading whitespace removed before parsing (eval mode rejects an indent)
    line_starts: tuple[int, ...]  # character offset of each line of the stripped text

    def offset(self, node: ast.AST) -> int:
        """0-based character offset in :attr:`text` where ``node`` starts."""
        return self._char(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))

    def end(self, node: ast.AST) -> int:
        """0-based character offset in :attr:`text` just after ``node``."""
        end_line: int | None = getattr(node, "end_lineno", None)
        line = end_line if end_line is not None else int(getattr(node, "lineno", 1))
        return self._char(line, getattr(node, "end_col_offset", None) or 0)

    def source(self, node: ast.AST) -> str:
        """The exact source text of ``node``."""
        return self.text[self.offset(node) : self.end(node)]

    def _char(self, lineno: int, byte_col: int) -> int:
        start = self.line_starts[min(max(lineno, 1), len(self.line_starts)) - 1]
        line_end = self.text.find("\n", self.shift + start)
        line = self.text[self.shift + start : None if line_end < 0 else line_end]
        return self.shift + start + len(line.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def _line_starts(text: str) -> tuple[int, ...]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return tuple(starts)


def parse(text: str) -> Parsed | FormulaProblem:
    """Parse ``text`` as one expression, or return the (single) problem that prevents it."""
    if len(text) > MAX_EXPR_LENGTH:
        return FormulaProblem(
            "formula-too-long",
            f"formula is {len(text)} characters long; the limit is {MAX_EXPR_LENGTH}",
            MAX_EXPR_LENGTH,
        )
    stripped = text.lstrip(" \t")
    shift = len(text) - len(stripped)
    if not stripped.strip():
        return FormulaProblem("formula-syntax", "formula is empty", 0)
    try:
        with warnings.catch_warnings():
            # Python's own warnings ("invalid decimal literal" for 1if ...) would reach stderr
            # as "<unknown>:1: SyntaxWarning"; the checker says what is wrong with a formula.
            warnings.simplefilter("ignore")
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        return FormulaProblem("formula-syntax", _syntax_message(exc), _error_offset(stripped, exc) + shift)
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, parser limits
        return FormulaProblem("formula-syntax", f"invalid syntax: {exc}", shift)
    return Parsed(text, tree, shift, _line_starts(stripped))


def parse_or_raise(text: str) -> Parsed:
    """Like :func:`parse` but raises :class:`FormulaError` on a problem."""
    result = parse(text)
    if isinstance(result, FormulaProblem):
        raise FormulaError(text, [result])
    return result


def _error_offset(text: str, exc: SyntaxError) -> int:
    if not exc.offset:  # CPython reports 0 when the text ends too early ("x *")
        return len(text)
    starts = _line_starts(text)
    line = min(max(exc.lineno or 1, 1), len(starts))
    return min(max(starts[line - 1] + exc.offset - 1, 0), len(text))


def _syntax_message(exc: SyntaxError) -> str:
    message = exc.msg or "invalid syntax"
    return message if message.startswith("invalid syntax") else f"invalid syntax: {message}"


def children(node: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Child nodes, each flagged ``True`` when it nests one level deeper.

    The left operand of a binary operator does not nest: ``a + b + c`` parses as a left-leaning
    tree whose depth grows with its length, yet it is a flat chain to a reader.
    """
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr_context | ast.operator | ast.unaryop | ast.cmpop | ast.boolop):
            continue
        flat = isinstance(node, ast.BinOp) and child is node.left
        yield child, not flat


def too_deep(parsed: Parsed) -> FormulaProblem | None:
    """A problem at the first node nested deeper than :data:`MAX_DEPTH`, else ``None``.

    Iterative, so that a hostile formula cannot exhaust the Python stack here.
    """
    stack: list[tuple[ast.AST, int]] = [(parsed.tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return FormulaProblem(
                "formula-too-deep",
                f"formula nests deeper than {MAX_DEPTH} levels",
                parsed.offset(node),
                "split it into named formulas",
            )
        stack.extend((child, depth + 1 if nests else depth) for child, nests in children(node))
    return None


def left_spine(node: ast.BinOp) -> list[ast.BinOp]:
    """The chain ``node, node.left, node.left.left, ...`` of binary operators, outermost first.

    Walkers use it to handle long flat chains with a loop instead of recursion.
    """
    spine = [node]
    while isinstance(spine[-1].left, ast.BinOp):
        spine.append(spine[-1].left)
    return spine


def literal_value(parsed: Parsed, node: ast.Constant) -> Decimal | None:
    """The Decimal a number literal's source text spells, in range or not; ``None`` for forms
    Decimal does not read (hex, octal, complex)."""
    try:
        value = Decimal(parsed.source(node))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def in_range(value: Decimal) -> bool:
    """Whether ``value`` is within the decimal context's exponent limits (``1e999999`` is, and
    ``2e852888742`` is not: any arithmetic on it, even a sign, overflows)."""
    context = decimal.getcontext()
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and value.adjusted() <= context.Emax and exponent >= context.Etiny()


def number_text(parsed: Parsed, node: ast.Constant) -> Decimal | None:
    """The Decimal a number literal's *source text* denotes (``0.1`` -> ``Decimal('0.1')``).

    ``None`` for forms Decimal does not read (hex, octal, complex) and for numbers beyond the
    decimal context's range (:func:`in_range`), which the checker reports.
    """
    value = literal_value(parsed, node)
    return value if value is not None and in_range(value) else None


def signed_number(parsed: Parsed, node: ast.AST) -> Decimal | None:
    """The value of a number literal, optionally signed (``-3``); ``None`` if not one."""
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return None
    if not isinstance(node.value, int | float):
        return None
    value = number_text(parsed, node)
    if value is None:
        return None
    # copy_negate, not ``value * sign``: arithmetic rounds to the context's 28 digits, and
    # 1.0000000000000000000000000001 would become 1 (clamp's bounds then looked in order).
    return value if sign > 0 else value.copy_negate()
