"""The canonical population a consultant compares schemes on: people, their lists, org units.

The file is scheme-neutral: ``people`` is a list of mappings with an ``id``; a person's scalar
fields are free, and each list of mappings (``goals``, ``competencies``, ...) is a list a
mapping can turn into goal-sheet lines. ``org_units`` pass through to every scheme.

A JSON or YAML file is read a person at a time (:mod:`engine.io.jsonstream`,
:mod:`engine.io.yamlstream`, the ``people`` list's items): :func:`read_canonical` reads it
through once to check every person and learn the fields and lists the mappings may name,
keeping each person's id and name in a spool; :attr:`CanonicalPopulation.people` reads it
again each time it is iterated, one :class:`Person` at a time. A file the stream leaves to
the whole read (not a mapping with a ``people`` list, a syntax error, ...) is read whole, as
before, with the whole read's bounds and messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.errors import DataError, Severity, UsageError
from engine.io.ids import SeenIds
from engine.io.jsonstream import JsonItems
from engine.io.model import ReadWhole
from engine.io.records import ensure_data_file, read_json
from engine.io.spool import ReadThrough, RowSpool
from engine.limits import check_table_size
from engine.loader import load_yaml_file
from engine.location import Path, SourceMap, json_path

SUFFIXES = (".yaml", ".yml", ".json")
#: The list a population file holds its people in.
PEOPLE = "people"
#: The top-level keys the stream reads after the people (any other is left to the whole read,
#: with its bounds: what follows the list is held until it is read).
AFTER = frozenset({"$schema", "population", "org_units", "mappings"})


@dataclass(frozen=True)
class Person:
    """One canonical person: scalar fields, named lists of rows, and where it is in the file."""

    id: str
    index: int
    fields: Mapping[str, Any]
    lists: Mapping[str, tuple[Mapping[str, Any], ...]]


@dataclass
class CanonicalPopulation:
    """A population file checked: its org units, mappings, every person's ``[id, name]`` in
    order (:attr:`read`, a spool), the fields and lists its people have; :attr:`people` gives
    the people themselves, read again from the file (or held, when it was read whole)."""

    file: str
    org_units: tuple[Mapping[str, Any], ...]
    mappings: tuple[str, ...]
    read: RowSpool
    fields: frozenset[str]
    lists: Mapping[str, frozenset[str]]
    held: tuple[Person, ...] | None = None  # the people of a file read whole
    #: The line marks of a YAML file: the whole read's, or the stream's being read (None: JSON,
    #: whose nodes are named by JSON path).
    source: SourceMap | None = None
    people: People = field(init=False)

    def __post_init__(self) -> None:
        self.people = People(self)

    def __len__(self) -> int:
        return len(self.read)

    def where(self, path: Path) -> str:
        """``file:line:col`` of a node (``("people", 0, "goals", 1)``), or ``file:$.people[0]``
        (of a streamed YAML file: a node of the person being read, or of the top level)."""
        return _where(self.file, self.source, path)

    def field_names(self) -> set[str]:
        """Every scalar field some person has."""
        return set(self.fields)

    def list_fields(self) -> dict[str, set[str]]:
        """Every list name with the fields its rows have, over all people."""
        return {name: set(fields) for name, fields in self.lists.items()}

    def close(self) -> None:
        """Let the spool of ids and names go (its temp file removed)."""
        self.read.close()


class People(ReadThrough[Person]):
    """The people of a population in the file's order, read again at each iteration."""

    def __init__(self, population: CanonicalPopulation) -> None:
        self.population = population

    def __len__(self) -> int:
        return len(self.population)

    def __iter__(self) -> Iterator[Person]:
        population = self.population
        if population.held is not None:
            yield from population.held
            return
        items = _items(population.file)
        population.source = getattr(items, "source", None)
        done = getattr(items, "done", None)
        for index, raw in items:
            yield _person(raw, index, population.file, population.source)
            if done is not None:
                done(index)  # its line marks are no longer needed


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
    where = _where(file, source, (PEOPLE, index))
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
            at = _where(file, source, (PEOPLE, index, key))
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


def _items(path: str) -> Any:
    """The ``people`` list's items of ``path`` one at a time (ReadWhole: read it whole)."""
    if path.lower().endswith(".json"):
        return JsonItems(path, path, key=PEOPLE, after=AFTER)
    from engine.io.yamlstream import YamlItems  # the loader's builder: only for a YAML file

    items = YamlItems(path, path, key=PEOPLE, after=AFTER)
    if items.builder.sink is None:  # no people list: the whole read says what is wrong
        items.close()
        raise ReadWhole("no people list")
    return items


@dataclass
class _Survey:
    """What the first read finds: each person's id and name, the fields and lists, the first
    id used twice (reported once every person is known to be well formed, as the whole read)."""

    file: str
    read: RowSpool = field(default_factory=RowSpool)
    seen: SeenIds = field(default_factory=SeenIds)
    fields: set[str] = field(default_factory=set)
    lists: dict[str, set[str]] = field(default_factory=dict)
    twice: str | None = None

    def add(self, person: Person, source: SourceMap | None) -> None:
        self.read.append([person.id, str(person.fields.get("name") or "")])
        if not self.seen.add(person.id) and self.twice is None:
            where = _where(self.file, source, (PEOPLE, person.index))
            self.twice = f"{where}: duplicate id {person.id!r}"
        self.fields.update(person.fields)
        for name, rows in person.lists.items():
            self.lists.setdefault(name, set()).update(key for row in rows for key in row)


def read_canonical(path: str) -> CanonicalPopulation:
    """Read a canonical population file through once; raise a located :class:`DataError` if
    it is malformed (the first malformed person, else the first id used twice, else the org
    units or the mappings list)."""
    ensure_data_file(path, SUFFIXES)
    try:
        check_table_size(path, path)
        items = _items(path)
    except ReadWhole:
        return _whole(path)
    survey = _Survey(path)
    try:
        return _checked(path, _surveyed(items, survey), survey, getattr(items, "source", None), None)
    except ReadWhole:
        survey.read.close()
        return _whole(path)
    except BaseException:
        survey.read.close()
        raise


def _surveyed(items: Any, survey: _Survey) -> Mapping[str, Any]:
    """Every person of ``items`` surveyed; the file's top level once they are read. A malformed
    person's error waits for the end of the file: the whole read finds a syntax error anywhere
    in the file before it looks at any person (the reader's errors, and ReadWhole, go first)."""
    source: SourceMap | None = getattr(items, "source", None)
    done = getattr(items, "done", None)
    malformed: DataError | None = None
    for index, raw in items:
        if malformed is None:
            try:
                survey.add(_person(raw, index, survey.file, source), source)
            except DataError as exc:
                malformed = exc
        if done is not None:
            done(index)
    if malformed is not None:
        raise malformed
    head: Mapping[str, Any] = items.head
    return head


def _whole(path: str) -> CanonicalPopulation:
    """The file read whole (the stream gave up on it): the whole read's bounds and messages."""
    data, source = _load(path)
    if not isinstance(data, Mapping) or not isinstance(data.get(PEOPLE), list):
        raise DataError(f"{_where(path, source, ())}: a population file holds a non-empty 'people' list")
    people = tuple(_person(raw, i, path, source) for i, raw in enumerate(data[PEOPLE]))
    survey = _Survey(path)
    for person in people:
        survey.add(person, source)
    try:
        return _checked(path, data, survey, source, people)
    except BaseException:
        survey.read.close()
        raise


def _checked(
    path: str,
    head: Mapping[str, Any],
    survey: _Survey,
    source: SourceMap | None,
    held: tuple[Person, ...] | None,
) -> CanonicalPopulation:
    """The population once every person is read: no id twice, org units and mappings lists."""
    if not survey.read:
        raise DataError(f"{_where(path, source, ())}: a population file holds a non-empty 'people' list")
    if survey.twice is not None:
        raise DataError(survey.twice)
    units = head.get("org_units") or []
    if not isinstance(units, list):
        raise DataError(f"{_where(path, source, ('org_units',))}: org_units must be a list")
    listed = head.get("mappings") or []
    if not isinstance(listed, list) or not all(isinstance(m, str) for m in listed):
        raise DataError(f"{_where(path, source, ('mappings',))}: mappings must be a list of file names")
    lists = {name: frozenset(found) for name, found in survey.lists.items()}
    return CanonicalPopulation(
        path, tuple(units), tuple(listed), survey.read, frozenset(survey.fields), lists, held, source
    )


def is_canonical(path: str) -> bool:
    """Whether a population file is canonical (a ``people`` list) rather than a policy's records
    (an ``employees`` list): the top level is read up to the first of the two lists (a file of
    a million people is not read); a file that does not stream so is loaded whole to see."""
    if not path.lower().endswith(SUFFIXES):
        return False
    try:
        if path.lower().endswith(".json"):
            items: Any = JsonItems(path, path, key=(PEOPLE, "employees"), after=None)
            items.handle.close()
            return bool(items.key == PEOPLE)
        from engine.io.yamlstream import YamlItems

        yaml_items = YamlItems(path, path, key=(PEOPLE, "employees"), after=None)
        yaml_items.close()
        if yaml_items.builder.sink is not None:
            return yaml_items.key == PEOPLE
    except (ReadWhole, DataError, UsageError, OSError):
        pass
    try:
        data = load_yaml_file(path, display=path).data
    except UsageError:
        return False
    return isinstance(data, Mapping) and PEOPLE in data
