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

from engine.compare.phrases import name_word, sentence

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


def _range(spec: Any, lang: str = "en") -> str:
    if not isinstance(spec, Mapping):
        return str(name_word("none", lang))
    if "exact" in spec:
        return str(spec["exact"])
    return f"{spec.get('min', 0)}-{spec.get('max', '')}".rstrip("-")


def _key(part: str) -> str:
    return part[1:-1] if part.startswith("[") else part


def _arrow(old: Any, new: Any, unit: str = "", lang: str = "en") -> str:
    def one(value: Any) -> str:
        return str(name_word("none", lang)) if value is None else _show(value) + unit

    return f"{one(old)} -> {one(new)}"


#: A label of the policy shown for a matched name: the path of the labelled node, its parts
#: ``{0}``, ``{1}``... filled with the matched names.
Labelled = dict[int, tuple[str, ...]]

#: How a change at a known place is said: a path pattern (``*`` matches one name, ``[x]`` an
#: item of a list, shown as ``x``), the sentence key (:mod:`engine.compare.phrases`), how values
#: are shown (a unit, or ``range`` for a count's min-max), the names said as words (a bound,
#: a period's end, a formula's level), and the names shown by their label in Korean or Japanese.
PHRASES: list[tuple[Path, str, str, tuple[int, ...], Labelled]] = [
    (("metadata", "version"), "version", "", (), {}),
    (("metadata", "effective", "*"), "effective", "", (0,), {}),
    (
        ("grade_tables", "*", "segments", "*", "bands", "*", "*"),
        "segment_band",
        "",
        (3,),
        {1: ("grade_tables", "{0}", "segments", "{1}")},
    ),
    (("grade_tables", "*", "bands", "*", "*"), "band", "", (2,), {0: ("grade_tables", "{0}")}),
    (("grade_tables", "*", "round", "*"), "table_rounding", "", (), {0: ("grade_tables", "{0}")}),
    (
        ("indicator_rules", "categories", "*", "count"),
        "category_count",
        "range",
        (),
        {0: ("indicator_rules", "categories", "{0}")},
    ),
    (("indicator_rules", "count"), "total_count", "range", (), {}),
    (
        ("indicator_rules", "categories", "*", "share"),
        "share",
        " %",
        (),
        {0: ("indicator_rules", "categories", "{0}")},
    ),
    (("indicator_rules", "weight", "min"), "weight_min", " %", (), {}),
    (("indicator_rules", "weight", "max"), "weight_max", " %", (), {}),
    (("indicator_rules", "weight", "total"), "weight_total", "", (), {}),
    (("indicator_rules", "difficulty", "*"), "difficulty", "", (), {}),
    (("distributions", "*", "quotas", "*"), "quota", " %", (), {0: ("distributions", "{0}")}),
    (("distributions", "*", "min_group_size"), "min_group", "", (), {0: ("distributions", "{0}")}),
    (("periods", "*", "weight"), "period_weight", " %", (), {0: ("periods", "{0}")}),
    (("formulas", "*", "*", "expr"), "formula", "", (0,), {1: ("formulas", "{0}", "{1}")}),
    (("formulas", "*", "*", "round", "*"), "formula_rounding", "", (), {1: ("formulas", "{0}", "{1}")}),
    (("scales", "*", "levels", "*", "points"), "points", "", (), {0: ("scales", "{0}")}),
    (("tables", "*", "values", "*", "*"), "table_cell", "", (), {0: ("tables", "{0}")}),
    (("tables", "*", "values", "*"), "table_row", "", (), {0: ("tables", "{0}")}),
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


def _label(policy: Mapping[str, Any], where: tuple[str, ...], names: list[str], lang: str) -> str | None:
    """The ``lang`` label of the node at ``where`` (its parts filled from ``names``), if declared."""
    node: Any = policy
    for part in where:
        key = part.format(*names)
        node = node.get(key) if isinstance(node, Mapping) else None
    label = node.get("label") if isinstance(node, Mapping) else None
    return str(label[lang]) if isinstance(label, Mapping) and label.get(lang) else None


def _phrase(path: Path, old: Any, new: Any, lang: str, policy: Mapping[str, Any]) -> str:
    for pattern, key, unit, words, labelled in PHRASES:
        names = _match(pattern, path)
        if names is None:
            continue
        plain = [_key(n) for n in names]
        shown = list(plain)
        for index in words:
            shown[index] = name_word(plain[index], lang) or plain[index]
        if lang != "en":  # English keeps the ids a policy owner types
            for index, node in labelled.items():
                shown[index] = _label(policy, node, plain, lang) or plain[index]
        if unit == "range":
            change = f"{_range(old, lang)} -> {_range(new, lang)}"
        else:
            change = _arrow(old, new, unit, lang)
        return sentence(key, lang, *shown, change=change)
    where = ".".join(path).replace(".[", "[")
    if old is None:
        return sentence("added", lang, where=where, value=_show(new))
    if new is None:
        return sentence("removed", lang, where=where, value=_show(old))
    return sentence("changed", lang, where=where, change=_arrow(old, new, "", lang))


def _grouped(
    raw: list[tuple[Path, Any, Any]], old: Mapping[str, Any], new: Mapping[str, Any], lang: str
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
        out.append(Change(path, a, b, _phrase(path, a, b, lang, new)))
    return out


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def diff_policies(old: Mapping[str, Any], new: Mapping[str, Any], lang: str = "en") -> list[Change]:
    """Every change from ``old`` to ``new`` (policy data), in the order of the old policy's keys,
    said in ``lang`` (Korean and Japanese with the new policy's labels in that language)."""
    raw: list[tuple[Path, Any, Any]] = []
    _walk(old, new, (), raw)
    return _grouped(raw, old, new, lang)
