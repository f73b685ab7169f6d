"""Value types shared by the formula modules: limits, problems, scopes, errors and columns.

Kept apart from :mod:`engine.formula.compiler` so that the parser, checker and code generator can
import them without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import HRPolicyError
from engine.suggest import did_you_mean

#: Longest formula text accepted, in characters.
MAX_EXPR_LENGTH = 2000
#: Deepest nesting of operators and calls (a left-to-right chain such as ``a + b + c`` is flat).
MAX_DEPTH = 32
#: Largest exponent magnitude ``**`` accepts, checked on literals and again at run time.
MAX_EXPONENT = 100
#: Longest string constant, in characters.
MAX_STRING = 200

#: The static types a formula expression can have.
DECIMAL, STRING, BOOLEAN, ANY, COLUMN = "decimal", "string", "boolean", "any", "column"
#: A scope type that checks as ``decimal`` but holds Python ints (integer fields of records):
#: generated code reads such a name through :func:`engine.formula.builtins.read_number`.
INTEGER = "integer"


@dataclass(frozen=True)
class FormulaProblem:
    """One problem in one formula text.

    ``offset`` is the 0-based character offset into the formula text where the problem starts,
    so that a caller can point at the exact column of the YAML scalar.
    """

    rule: str
    message: str
    offset: int
    suggestion: str | None = None

    def describe(self) -> str:
        """The message with the suggestion, if any, in parentheses."""
        return f"{self.message} ({self.suggestion})" if self.suggestion else self.message


class FormulaError(HRPolicyError):
    """A formula that cannot be compiled; ``problems`` lists everything wrong with it."""

    def __init__(self, text: str, problems: Sequence[FormulaProblem]) -> None:
        self.text = text
        self.problems: list[FormulaProblem] = list(problems)
        super().__init__(f"invalid formula '{text}': " + "; ".join(p.describe() for p in self.problems))


class FormulaRuntimeError(HRPolicyError):
    """Evaluation failed (division by zero, a missing value, overflow, ...).

    The message names the formula text and the offending name or operation; ``text`` and
    ``name`` (the missing value's name, when that was the cause) are kept as attributes.
    """

    def __init__(self, message: str, text: str = "", name: str | None = None) -> None:
        self.text = text
        self.name = name
        super().__init__(message)


@dataclass(frozen=True)
class FunctionSpec:
    """A function callable from formulas.

    ``max_args=None`` means no upper bound. When ``ref_kind`` is set the first argument must be
    a string literal naming a known ref of that kind (``Scope.refs``), e.g. a table name.
    ``returns`` is the static result type (``any`` when unknown).
    """

    impl: Callable[..., Any]
    min_args: int
    max_args: int | None
    ref_kind: str | None = None
    returns: str = ANY


@dataclass(frozen=True)
class Scope:
    """The names a formula may read.

    ``scalars`` maps a name to its type (``decimal``, ``string``, ``boolean``, ``any``);
    ``columns`` maps the names that are per-indicator columns in this scope to their element
    type; ``functions`` adds policy-bound functions to the builtins; ``refs`` maps a ref kind
    (``table``, ``scale``, ...) to the names that exist.
    """

    scalars: Mapping[str, str]
    columns: Mapping[str, str] = field(default_factory=dict)
    functions: Mapping[str, FunctionSpec] = field(default_factory=dict)
    refs: Mapping[str, Collection[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    """The value of a column name in an employee formula: one value per goal line.

    ``rows[i]`` holds goal line ``i``'s fields and serves keyword filters:
    ``sum(weighted, category='kpi')`` keeps ``i`` where ``rows[i]['category'] == 'kpi'``.
    ``name`` is only used in messages.
    """

    values: Sequence[Any]
    rows: Sequence[Mapping[str, Any]] = ()
    name: str = ""


class FormulaFailure(Exception):
    """Raised by builtins at run time; :class:`CompiledFormula` adds the formula text.

    Not an :class:`HRPolicyError`: it never leaves this package unwrapped.
    """


#: Scope types other modules may pass, folded onto the four formula types.
_TYPE_ALIASES = {"integer": DECIMAL, "number": DECIMAL, "enum": STRING, "scale": STRING, "date": STRING}


def normal_type(name: str) -> str:
    """Fold a declared field type onto ``decimal``/``string``/``boolean``/``any``."""
    name = _TYPE_ALIASES.get(name, name)
    return name if name in (DECIMAL, STRING, BOOLEAN) else ANY


def is_column(t: str) -> bool:
    """Whether a static type is a column type (``column:<element type>``)."""
    return t.startswith(COLUMN)


def element(t: str) -> str:
    """The element type of a column type."""
    return t.partition(":")[2] or ANY


def suggest(word: str, known: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest known word, if any is close."""
    return did_you_mean(word, known)


def arity_text(lo: int, hi: int | None) -> str:
    """``3 arguments``, ``at least 1 argument``, ``1 to 2 arguments``."""
    if hi == lo:
        return f"{lo} argument{'s' if lo != 1 else ''}"
    return f"at least {lo} argument{'s' if lo != 1 else ''}" if hi is None else f"{lo} to {hi} arguments"


def comparable(a: str, b: str, ordering: bool) -> bool:
    """Whether ``==`` (or, with ``ordering``, ``<``) may compare values of these types."""
    if ANY in (a, b):
        return True
    return a == b and (not ordering or a in (DECIMAL, STRING))
