"""``json.dumps(value, ensure_ascii=False, indent=2)``, written faster for the results report.

With ``indent`` the standard library encodes in Python, a generator per level; a 100,000-employee
JSON report spent a quarter of its time there. :func:`dumps` writes the same text for what a
report holds (mappings, lists, strings, numbers, booleans, null) with the C string encoder, and
hands anything else to ``json.dumps`` itself (tests/test_jsontext.py checks both agree).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Any

_encode: Any = encode_basestring  # the C encoder when the accelerator is there, as json.dumps uses


def dumps(value: Any, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` with every line after the first
    indented by ``indent`` more (as if the value were nested there)."""
    kind = type(value)
    if kind is str:
        return str(_encode(value))
    if kind is dict:
        return _mapping(value, indent) if value else "{}"
    if kind is list or kind is tuple:
        return _sequence(value, indent) if value else "[]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    text = json.dumps(value, ensure_ascii=False, indent=2)  # floats, subclasses, or a TypeError
    return text.replace("\n", "\n" + indent)


def _key(key: Any) -> str:
    if type(key) is str:
        return str(_encode(key))
    return json.dumps({key: None}, ensure_ascii=False)[1:-7]  # json's text of a non-string key


def _mapping(value: Mapping[Any, Any], indent: str) -> str:
    inner = indent + "  "
    items = [f"{inner}{_key(k)}: {dumps(v, inner)}" for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + indent + "}"


def _sequence(value: list[Any] | tuple[Any, ...], indent: str) -> str:
    inner = indent + "  "
    return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + "\n" + indent + "]"
