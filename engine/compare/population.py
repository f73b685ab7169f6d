"""The canonical population a consultant compares schemes on: people, their lists, org units.

The file is scheme-neutral: ``people`` is a list of mappings with an ``id``; a person's scalar
fields are free, and each list of mappings (``goals``, ``competencies``, ...) is a list a
mapping can turn into goal-sheet lines. ``org_units`` pass through to every scheme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from engine.errors import DataError, Severity, UsageError
from engine.io.records import ensure_data_file, read_json
from engine.loader import load_yaml_file
from engine.location import Path, SourceMap, json_path

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Person:
    """One canonical person: scalar fields, named lists of rows, and where it is in the file."""

    id: str
    index: int
    fields: Mapping[str, Any]
    lists: Mapping[str, tuple[Mapping[str, Any], ...]]


@dataclass(frozen=True)
class CanonicalPopulation:
    file: str
    people: tuple[Person, ...]
    org_units: tuple[Mapping[str, Any], ...]
    source: SourceMap | None  # None for JSON, read by the fast reader: nodes are named by JSON path
    mappings: tuple[str, ...] = ()

    def where(self, path: Path) -> str:
        """``file:line:col`` of a node (``("people", 0, "goals", 1)``), or ``file:$.people[0]``."""
        return _where(self.file, self.source, path)

    def field_names(self) -> set[str]:
        """Every scalar field some person has."""
        return set(self._field_names)

    @cached_property
    def _field_names(self) -> frozenset[str]:
        return frozenset(name for p in self.people for name in p.fields)

    def list_fields(self) -> dict[str, set[str]]:
        """Every list name with the fields its rows have, over all people."""
        return {name: set(fields) for name, fields in self._list_fields.items()}

    @cached_property
    def _list_fields(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for person in self.people:
            for name, rows in person.lists.items():
                out.setdefault(name, set()).update(key for row in rows for key in row)
        return {name: frozenset(fields) for name, fields in out.items()}


def _plain(value: Any) -> Any:
    """Integers as Decimal: formulas compute money and scores exactly."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _where(file: str, source: SourceMap | None, path: Path) -> str:
    if source is None:
        return f"{file}:{json_path(path)}"
    loc = source.locate(path)
    return f"{file}:{loc.line}:{loc.col}"


def _person(raw: Any, index: int, file: str, source: SourceMap | None) -> Person:
    where = _where(file, source, ("people", index))
    if not isinstance(raw, Mapping):
        raise DataError(f"{where}: each person must be a mapping")
    if raw.get("id") in (None, ""):
        raise DataError(f"{where}: a person needs an 'id'")
    fields: dict[str, Any] = {}
    lists: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for key, value in raw.items():
        if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            lists[str(key)] = tuple({str(k): _plain(v) for k, v in row.items()} for row in value)
        elif isinstance(value, Mapping | list):
            at = _where(file, source, ("people", index, key))
            raise DataError(f"{at}: '{key}' must be a value or a list of mappings")
        else:
            fields[str(key)] = _plain(value)
    fields["id"] = str(raw["id"])
    return Person(str(raw["id"]), index, fields, lists)


def _load(path: str) -> tuple[Any, SourceMap | None]:
    """YAML with line marks; JSON through the fast reader the records files use (big files)."""
    if path.lower().endswith(".json"):
        return read_json(path), None
    try:
        doc = load_yaml_file(path, display=path)
    except UsageError as exc:
        raise DataError(str(exc)) from None
    errors = [d for d in doc.diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise DataError(f"{errors[0].location}: {errors[0].message}")
    return doc.data, doc.source


def read_canonical(path: str) -> CanonicalPopulation:
    """Read a canonical population file; raise a located :class:`DataError` if it is malformed."""
    ensure_data_file(path, SUFFIXES)
    data, source = _load(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("people"), list) or not data["people"]:
        raise DataError(f"{_where(path, source, ())}: a population file holds a non-empty 'people' list")
    people = tuple(_person(raw, i, path, source) for i, raw in enumerate(data["people"]))
    seen: set[str] = set()
    for person in people:
        if person.id in seen:
            raise DataError(f"{_where(path, source, ('people', person.index))}: duplicate id {person.id!r}")
        seen.add(person.id)
    units = data.get("org_units") or []
    if not isinstance(units, list):
        raise DataError(f"{_where(path, source, ('org_units',))}: org_units must be a list")
    listed = data.get("mappings") or []
    if not isinstance(listed, list) or not all(isinstance(m, str) for m in listed):
        raise DataError(f"{_where(path, source, ('mappings',))}: mappings must be a list of file names")
    return CanonicalPopulation(path, people, tuple(units), source, tuple(listed))
