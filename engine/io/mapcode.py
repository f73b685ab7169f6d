"""A JSON or YAML mapping's fields converted by code written once for the order of its keys.

:func:`engine.io.fields.check_mapping` reads a mapping key by key: a rule looked up, a
converter called, for every field of every goal line (half the time of a JSON population's
evaluation, 100,000 employees: 4.5 of 8 s profiled). :class:`MappingConverter` writes, for each
order of keys it meets (a file's items share one or a few), a function that unpacks the values
and converts each, the field's caches of values already read first (text as a CSV column keeps
it, :func:`engine.io.rowcode.missed`; integers and booleans with their class; decimals by their
text), then fills the defaults. It handles the clean mapping only: any value that does not
convert, a required field left empty, an unknown key (neither a declared field, nor a structure
key, nor an ``x-`` note) sends the mapping to :func:`check_mapping`, whose values and issues
are then the answer. The converters are pure and a cache's key says its value whole, so both
readings give the same values, in the same order (tests/test_mapcode.py).

The text is made of repr'd field names and variable numbers: nothing read from a value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import CodeType
from typing import Any

from engine.io.fields import Converter, FieldError, FieldRules, Issue, check_mapping
from engine.io.rowcode import Filled, Slow, filled, filling, indented, missed, put_defaults

#: ``(raw mapping) -> its converted fields``; raises FieldError or :class:`Slow` when the mapping
#: needs the rule-by-rule reading.
Converted = Callable[[Mapping[str, Any]], dict[str, Any]]

#: Orders of keys a converter writes code for; a file with more (hand-written YAML, each item
#: its own order) reads the others rule by rule.
MAX_SHAPES = 32
#: Texts kept per field: as a table's column keeps them (engine.io.tablerows.CACHE_LIMIT).
CACHE_LIMIT = 4096


class MappingConverter:
    """``converter(raw)`` is ``check_mapping(raw, rules, skip)``, faster for clean mappings."""

    def __init__(
        self, rules: FieldRules, skip: frozenset[str] = frozenset(), limit: int = CACHE_LIMIT
    ) -> None:
        self.rules, self.skip = rules, skip
        self._index = {name: j for j, name in enumerate(rules)}
        scope: dict[str, Any] = {"_Slow": Slow, "_KeyError": KeyError, "_str": str, "_int": int}
        scope.update(_bool=bool, _D=Decimal)
        for j, rule in enumerate(rules.values()):
            text: dict[str, Any] = {}
            scope[f"_k{j}"], scope[f"_m{j}"] = text, missed(rule.convert, text, limit)
            decimals: dict[str, Any] = {}
            scope[f"_kd{j}"], scope[f"_md{j}"] = decimals, _kept(rule.convert, decimals, limit)
            integral: dict[tuple[type, int], Any] = {}
            scope[f"_ki{j}"], scope[f"_mi{j}"] = integral, _kept(rule.convert, integral, limit)
        self._scope = scope
        put_defaults(rules.fill, self._scope)
        self._by_keys: dict[tuple[Any, ...], Converted | None] = {}

    def __call__(self, raw: Mapping[Any, Any]) -> tuple[dict[str, Any], list[Issue]]:
        """The mapping's converted fields and its issues, as :func:`check_mapping` gives them."""
        keys = tuple(raw)
        convert = self._by_keys.get(keys)
        if convert is None and keys not in self._by_keys and len(self._by_keys) < MAX_SHAPES:
            convert = self._by_keys[keys] = self._write(keys)
        if convert is not None:
            try:
                return convert(raw), []
            except (FieldError, Slow):
                pass  # (the rule-by-rule reading reports it)
        return check_mapping(raw, self.rules, self.skip)

    def _write(self, keys: tuple[Any, ...]) -> Converted | None:
        """The function for mappings with ``keys`` in this order; None where a key is neither a
        declared field nor one check_mapping leaves alone (it reports an unknown key)."""
        fields: list[int | None] = []  # each key's field number (None: the key is ignored)
        for key in keys:
            if type(key) is not str:
                return None  # (check_mapping reads its text)
            if key in self._index:
                fields.append(self._index[key])
            elif key in self.skip or key.startswith("x-"):
                fields.append(None)  # (check_mapping leaves it alone too)
            else:
                return None  # an unknown key: check_mapping reports it
        names = tuple(self.rules)
        scope = dict(self._scope)
        exec(_code(tuple(fields), names, filled(self.rules.fill)), scope)  # only generated text
        convert: Converted = scope["convert"]
        return convert


def _value(at: str, name: str, j: int) -> list[str]:
    """Lines converting the value in ``at`` into ``_d[name]`` as :func:`check_mapping` does: None
    and empty text are absent; text, an integer, a boolean or a decimal is looked up in the
    field's cache of its kind first (a decimal by its text: ``1.0`` and ``1.00`` are equal keys
    but not the same value); any other value is converted by ``_m{j}``."""
    return [
        f"_c = {at}.__class__",
        "if _c is _str:",
        f"    if {at}:",
        "        try:",
        f"            _d[{name!r}] = _k{j}[{at}]",
        "        except _KeyError:",
        f"            _d[{name!r}] = _m{j}({at})",
        "elif _c is _D:",
        f"    _s = {at}.__str__()",
        "    try:",
        f"        _d[{name!r}] = _kd{j}[_s]",
        "    except _KeyError:",
        f"        _d[{name!r}] = _md{j}(_s, {at})",
        "elif _c is _int or _c is _bool:",
        "    try:",
        f"        _d[{name!r}] = _ki{j}[_c, {at}]",
        "    except _KeyError:",
        f"        _d[{name!r}] = _mi{j}((_c, {at}), {at})",
        f"elif {at} is not None and {at} != '':",  # (check_mapping's absent value: None or '')
        f"    _d[{name!r}] = _m{j}({at})",
    ]


def _kept(convert: Converter, cache: dict[Any, Any], limit: int) -> Callable[[Any, Any], Any]:
    """``(key, value) -> convert(value)``, kept under ``key`` while ``cache`` holds fewer than
    ``limit`` values (the key says the value whole: an integer or boolean with its class, a
    decimal's text)."""

    def convert_kept(key: Any, value: Any) -> Any:
        converted = convert(value)
        if len(cache) < limit:
            cache[key] = converted
        return converted

    return convert_kept


@functools.lru_cache(maxsize=64)
def _code(fields: tuple[int | None, ...], names: tuple[str, ...], fill: Filled) -> CodeType:
    """The compiled ``convert(raw)`` for mappings whose keys are the fields numbered ``fields``
    (into ``names``), in order; None stands for a key left alone."""
    unpacked = "".join("_, " if j is None else f"_v{i}, " for i, j in enumerate(fields))
    body = ["_d = {}", f"{unpacked}= raw.values()"] if fields else ["_d = {}"]
    for i, j in enumerate(fields):
        if j is not None:
            body += _value(f"_v{i}", names[j], j)
    body += [*filling(fill, f"len(_d) != {len(names)}"), "return _d"]
    text = ["def convert(raw):", *indented(body, 1)]
    return compile("\n".join(text) + "\n", "<convert mapping>", "exec")


__all__ = ["MappingConverter"]
