"""A semantic diff of two versions of a policy: what changed, in words, not a line diff of YAML.

Both trees are walked together; lists of mappings are matched by their identity key (``id``,
``grade``, ``code``, ...) so a reordered list is no change and a changed band is named by its
grade. Known places are phrased the way a policy owner says them ("manager threshold for S:
110 -> 108", "performance goals: 3-5 -> 3-6", "quota for grade I: 10 % -> 15 %"); any other
change is named by its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Keys that identify an item of a list of mappings, tried in order.
IDENTITY_KEYS = ("id", "grade", "code", "seed", "round", "phase")

Path = tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One change: where (a path of names), the old and new value (``None``: absent), in words."""

    path: Path
    old: Any
    new: Any
    text: str


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return " ".join(value.split())
    return str(value)


def _identity(items: list[Any]) -> str | None:
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    for key in IDENTITY_KEYS:
        values = [i.get(key) for i in items]
        if all(v is not None for v in values) and len(set(map(str, values))) == len(values):
            return key
    return None


def _walk(old: Any, new: Any, path: Path, out: list[tuple[Path, Any, Any]]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            _walk(old.get(key), new.get(key), (*path, str(key)), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        key = _identity(old) if _identity(old) == _identity(new) else None
        if key is not None:
            before = {str(i[key]): i for i in old}
            after = {str(i[key]): i for i in new}
            for name in [*before, *(n for n in after if n not in before)]:
                _walk(before.get(name), after.get(name), (*path, f"[{name}]"), out)
            return
        if old != new:
            out.append((path, old, new))
        return
    if old != new and not _same_number(old, new):
        out.append((path, old, new))


def _same_number(a: Any, b: Any) -> bool:
    numeric = (int, float)
    from decimal import Decimal

    kinds = (*numeric, Decimal)
    if isinstance(a, bool) or isinstance(b, bool) or not (isinstance(a, kinds) and isinstance(b, kinds)):
        return False
    return Decimal(str(a)) == Decimal(str(b))


def _range(spec: Any) -> str:
    if not isinstance(spec, Mapping):
        return "none"
    if "exact" in spec:
        return str(spec["exact"])
    return f"{spec.get('min', 0)}-{spec.get('max', '')}".rstrip("-")


def _key(part: str) -> str:
    return part[1:-1] if part.startswith("[") else part


def _arrow(old: Any, new: Any, unit: str = "") -> str:
    def one(value: Any) -> str:
        return "none" if value is None else _show(value) + unit

    return f"{one(old)} -> {one(new)}"


_BOUND = {"min": "threshold", "max": "upper bound"}

#: How a change at a known place is said: a path pattern (``*`` matches one name, ``[x]`` an
#: item of a list, shown as ``x``), the sentence with the matched names ``{0}``, ``{1}``... and
#: ``{change}``, and how values are shown: a unit, or ``range`` for a count's min-max.
PHRASES: list[tuple[Path, str, str]] = [
    (("metadata", "version"), "version: {change}", ""),
    (("metadata", "effective", "*"), "effective {0}: {change}", ""),
    (("grade_tables", "*", "segments", "*", "bands", "*", "*"), "{1} {3} for {2}: {change}", ""),
    (("grade_tables", "*", "bands", "*", "*"), "{0} {2} for {1}: {change}", ""),
    (("grade_tables", "*", "round", "*"), "rounding of {0} ({1}): {change}", ""),
    (("indicator_rules", "categories", "*", "count"), "{0} goals: {change}", "range"),
    (("indicator_rules", "count"), "indicators in all: {change}", "range"),
    (("indicator_rules", "categories", "*", "share"), "share of {0}: {change}", " %"),
    (("indicator_rules", "weight", "min"), "lowest weight per goal: {change}", " %"),
    (("indicator_rules", "weight", "max"), "highest weight per goal: {change}", " %"),
    (("indicator_rules", "weight", "total"), "total of the weights: {change}", ""),
    (("indicator_rules", "difficulty", "*"), "difficulty {0}: {change}", ""),
    (("distributions", "*", "quotas", "*"), "{0} quota for grade {1}: {change}", " %"),
    (("distributions", "*", "min_group_size"), "{0} minimum group size: {change}", ""),
    (("periods", "*", "weight"), "weight of period {0}: {change}", " %"),
    (("formulas", "*", "*", "expr"), "formula {1} ({0}): {change}", ""),
    (("formulas", "*", "*", "round", "*"), "rounding of {1} ({2}): {change}", ""),
    (("scales", "*", "levels", "*", "points"), "points of {1} in {0}: {change}", ""),
    (("tables", "*", "values", "*", "*"), "table {0} [{1}, {2}]: {change}", ""),
    (("tables", "*", "values", "*"), "table {0} [{1}]: {change}", ""),
]


def _match(pattern: Path, path: Path) -> list[str] | None:
    if len(pattern) != len(path):
        return None
    names = []
    for want, got in zip(pattern, path, strict=True):
        if want == "*":
            names.append(got)
        elif want != got:
            return None
    return names


def _phrase(path: Path, old: Any, new: Any) -> str:
    for pattern, sentence, unit in PHRASES:
        names = _match(pattern, path)
        if names is not None:
            shown = [_BOUND.get(n, _key(n)) for n in names]
            change = f"{_range(old)} -> {_range(new)}" if unit == "range" else _arrow(old, new, unit)
            return sentence.format(*shown, change=change)
    where = ".".join(path).replace(".[", "[")
    if old is None:
        return f"added {where}: {_show(new)}"
    if new is None:
        return f"removed {where} (was {_show(old)})"
    return f"{where}: {_arrow(old, new)}"


def _grouped(
    raw: list[tuple[Path, Any, Any]], old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[Change]:
    """Changes in words; a count range (min and max) is one change, said as a range."""
    out: list[Change] = []
    seen: set[Path] = set()
    for path, a, b in raw:
        head = path[:-1]
        if path[-1] in ("min", "max", "exact") and head and head[-1] == "count":
            if head in seen:
                continue
            seen.add(head)
            a, b, path = _get(old, head), _get(new, head), head
        out.append(Change(path, a, b, _phrase(path, a, b)))
    return out


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def diff_policies(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` (policy data), in the order of the old policy's keys."""
    raw: list[tuple[Path, Any, Any]] = []
    _walk(old, new, (), raw)
    return _grouped(raw, old, new)
