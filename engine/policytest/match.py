"""Does a command's JSON report hold what a test expects? A part of it, compared exactly.

A mapping matches when each key it names matches (other keys of the report are not checked); a
list matches when each expected item matches a different item of the report, in any order (an
empty list: the report's is empty too); numbers compare as decimals (``"3.80"`` equals
``"3.8"``), everything else as text. Each mismatch comes with the path of the expected node, so
it can be located in the test file.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.location import Path

Mismatch = tuple[Path, str]


def same(expected: Any, actual: Any) -> bool:
    """Numbers as decimals (exactly), booleans as booleans, everything else as text."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return expected is actual
    if isinstance(actual, int | Decimal | float) or _numeric(actual):
        try:
            return Decimal(str(expected)) == Decimal(str(actual))
        except InvalidOperation:
            return False
    return str(expected) == str(actual)


def _numeric(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        Decimal(value)
    except InvalidOperation:
        return False
    return value.strip() == value and value.lower() not in ("nan", "inf", "infinity", "-inf", "-infinity")


def _shown(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "nothing" if value is None else str(value)


def mismatches(expected: Any, actual: Any, path: Path = ()) -> list[Mismatch]:
    """Every way ``actual`` fails to hold ``expected``; empty when it holds it."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [(path, f"expected a mapping, got {_shown(actual)}")]
        found: list[Mismatch] = []
        for key, value in expected.items():
            if key not in actual:
                found.append(((*path, key), f"the report has no '{key}' here"))
            else:
                found += mismatches(value, actual[key], (*path, key))
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [(path, f"expected a list, got {_shown(actual)}")]
        if not expected:
            return [] if not actual else [(path, f"expected none, got {len(actual)}")]
        return _list(expected, actual, path)
    return [] if same(expected, actual) else [(path, f"expected {expected}, got {_shown(actual)}")]


def _list(expected: list[Any], actual: list[Any], path: Path) -> list[Mismatch]:
    left = list(actual)
    found: list[Mismatch] = []
    for index, item in enumerate(expected):
        match = next((a for a in left if not mismatches(item, a)), None)
        if match is not None:
            left.remove(match)
            continue
        if not left:
            found.append(((*path, index), "no item of the report is left to match this one"))
            continue
        # The closest item says what differs: fewest mismatches, then the first.
        closest = min(left, key=lambda a: len(mismatches(item, a)))
        left.remove(closest)
        found += [((*path, index, *sub), message) for sub, message in mismatches(item, closest)]
    return found
