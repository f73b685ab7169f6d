"""YAML 1.2 core schema resolution of scalars: ``010`` and ``2026-04-01`` stay strings, every
non-integer number is a :class:`~decimal.Decimal` read from its source text, and the length and
exponent of a number are bounded before it is converted."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.limits import MAX_EXPONENT, MAX_NUMBER_CHARS

CORE = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_AMBIGUOUS = frozenset({"yes", "no", "on", "off", "y", "n"})
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
# A fraction or an exponent is required: "1" is an int, "010" a string.
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?")
_NON_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
#: The first characters of every text the three patterns above match (the empty text is null).
_NUMBER_STARTS = frozenset("+-.0123456789")
SCALAR_TAGS = {f"{CORE}{name}" for name in ("str", "int", "float", "bool", "null")}
COLLECTION_TAGS = {"map": f"{CORE}map", "seq": f"{CORE}seq"}
TAG_KINDS = {"null": ("null",), "bool": ("bool",), "int": ("int",), "float": ("int", "float")}


def tag_name(tag: str) -> str:
    """A core tag as written (``!!int``); any other tag as it is."""
    return "!!" + tag[len(CORE) :] if tag.startswith(CORE) else tag


def classify(text: str) -> tuple[str, Any]:
    """Resolve a plain scalar by the YAML 1.2 core schema: (kind, value)."""
    if text in _NULLS:
        return "null", None
    if text in _TRUES or text in _FALSES:
        return "bool", text in _TRUES
    if text.lower() in _AMBIGUOUS:
        return "ambiguous", text
    if text[0] not in _NUMBER_STARTS:  # (most text: a word is no number, no .inf, no .nan)
        return "str", text
    if _INT.fullmatch(text):
        return _number(text, "int")
    if _FLOAT.fullmatch(text):
        return _number(text, "float")
    if _NON_FINITE.fullmatch(text):
        return "non-finite", text
    return "str", text


def plain_scalar(text: str) -> Any:
    """What ``text`` means written unquoted in a YAML file (a number, a boolean, null, text); a
    value the loader would refuse (``yes``, ``.nan``, ``1e400``) stays text, for the record's
    own check to report."""
    kind, value = classify(text)
    return text if kind in ("ambiguous", "non-finite", "range") else value


def _number(text: str, kind: str) -> tuple[str, Any]:
    # Bounded before conversion: int() of a huge numeral is slow, and a huge exponent makes
    # every later quantize fail.
    if len(text) > MAX_NUMBER_CHARS:
        return "range", text
    if kind == "int":
        return kind, int(text)
    try:
        value = Decimal(text)
    except InvalidOperation:
        return "range", text
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # the regex admits finite numbers only
    if abs(exponent) > MAX_EXPONENT or abs(value.adjusted()) > MAX_EXPONENT:
        return "range", text
    return kind, value


def kind_name(value: Any) -> str:
    """What a resolved value is, in words (``an integer``), for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, Decimal):
        return "a number"
    return "a mapping" if isinstance(value, dict) else "a sequence"
