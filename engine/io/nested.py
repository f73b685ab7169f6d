"""Nested record documents (YAML or JSON, already parsed) -> a :class:`Population`.

The document shape is the one in ``schema/records.schema.json``. Where a problem is depends on
the parser: YAML gives ``file:line:col`` through a SourceMap, the fast JSON path gives the JSON
path of the node (``file:$.employees[3].indicators[0].weight``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DataError, Problem
from engine.io.fields import FieldError, Issue, check_mapping, did_you_mean, shown, text_rule
from engine.io.ids import SeenIds
from engine.io.mapcode import MappingConverter
from engine.io.model import (
    EMPLOYEE_STRUCTURE,
    EmployeeRecord,
    IndicatorRecord,
    Population,
    ReadWhole,
    RecordRules,
    check_parameters,
)
from engine.io.spool import ProblemSpool
from engine.io.table import TablePart
from engine.location import Path

#: ``where(path, key)`` -> origin text of the node (``key``: of the mapping key, not its value).
Where = Callable[[Path, bool], str]

TOP_LEVEL = ("policy", "parameters", "org_units", "employees", "$schema")
_ORG_RULES = {
    "id": text_rule("id", True),
    "parent": text_rule("parent", False),
    "name": text_rule("name", False),
}


def _kind(value: Any) -> str:
    """How a message names what it found instead."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


@dataclass
class _Employee:
    """Problems of the employee being read, in the order found."""

    id: str | None
    problems: list[Problem] = field(default_factory=list)

    def add(
        self, indicator: int | None, rule: str, message: str, origin: str, *, no_id: bool = False
    ) -> None:
        """``no_id``: the problem of the item's missing or bad id (an item naming no employee)."""
        self.problems.append(Problem(self.id, indicator, rule, message, origin, no_id))


@dataclass
class _Reader:
    where: Where
    rules: RecordRules
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Each level's fields converted by code written for the items' keys: check_mapping's
        # answers, faster (130,000 goal lines of a JSON population in 0.65 s, 1.06 s before).
        self.indicator_fields = MappingConverter(self.rules.indicator)
        self.employee_fields = MappingConverter(self.rules.employee, EMPLOYEE_STRUCTURE)

    def origin(self, path: Path, issue: Issue | None = None) -> str:
        if issue is None or issue.key is None:
            return self.where(path, False)
        return self.where((*path, issue.key), issue.rule == "record-unknown-field")

    def file_problem(self, rule: str, message: str, path: Path, key: bool = False) -> None:
        self.problems.append(Problem(None, None, rule, message, self.where(path, key)))

    def top_level(self, data: Mapping[str, Any]) -> None:
        for key in data:
            name = str(key)
            if name not in TOP_LEVEL and not name.startswith("x-"):
                hint = did_you_mean(name, TOP_LEVEL)
                self.file_problem("record-unknown-field", f"unknown field {shown(name)}{hint}", (name,), True)

    def org_units(self, raw: Any) -> tuple[dict[str, str | None], dict[str, str]]:
        parents: dict[str, str | None] = {}
        names: dict[str, str] = {}
        declared_at: dict[str, int] = {}
        if raw is None:
            return parents, names
        if not isinstance(raw, list):
            self.file_problem("record-type", f"org_units: expected a list, got {_kind(raw)}", ("org_units",))
            return parents, names
        for index, unit in enumerate(raw):
            path: Path = ("org_units", index)
            if not isinstance(unit, dict):
                self.file_problem("record-type", f"org unit: expected a mapping, got {_kind(unit)}", path)
                continue
            values, issues = check_mapping(unit, _ORG_RULES)
            for issue in issues:
                self.problems.append(
                    Problem(
                        None, None, issue.rule, f"org unit: {issue.message}", self.origin(path, issue)
                    )
                )
            unit_id = values.get("id")
            if unit_id is None or issues:
                continue
            if unit_id in parents:
                self.file_problem(
                    "record-duplicate-id", f"org unit id {unit_id!r} is used more than once", path
                )
                continue
            parents[unit_id] = values.get("parent")
            names[unit_id] = values.get("name", unit_id)
            declared_at[unit_id] = index
        for unit_id, parent in parents.items():
            if parent is not None and parent not in parents:
                self.file_problem(
                    "record-missing",
                    f"org unit parent {parent!r} is not an org unit id",
                    ("org_units", declared_at[unit_id], "parent"),
                )
        return parents, names

    def sheet(self, raw: Any, path: Path, who: _Employee, label: str) -> tuple[IndicatorRecord, ...]:
        """One list of goal lines; ``label`` prefixes messages (the period, if any)."""
        if not isinstance(raw, list):
            who.add(
                None,
                "record-type",
                f"{label}indicators: expected a list, got {_kind(raw)}",
                self.origin(path),
            )
            return ()
        lines: list[IndicatorRecord] = []
        for index, item in enumerate(raw):
            item_path: Path = (*path, index)
            if not isinstance(item, dict):
                who.add(
                    index + 1,
                    "record-type",
                    f"{label}indicator: expected a mapping, got {_kind(item)}",
                    self.origin(item_path),
                )
                continue
            values, issues = self.indicator_fields(item)
            for issue in issues:
                who.add(index + 1, issue.rule, f"{label}{issue.message}", self.origin(item_path, issue))
            lines.append(IndicatorRecord(values, self.origin(item_path)))
        return tuple(lines)

    def periods(self, raw: Any, path: Path, who: _Employee) -> dict[str, tuple[IndicatorRecord, ...]]:
        if not isinstance(raw, dict):
            who.add(None, "record-type", f"periods: expected a mapping, got {_kind(raw)}", self.origin(path))
            return {}
        sheets: dict[str, tuple[IndicatorRecord, ...]] = {}
        for period, body in raw.items():
            period_path: Path = (*path, str(period))
            if not isinstance(body, dict):
                who.add(
                    None,
                    "record-type",
                    f"{period}: expected a mapping with indicators, got {_kind(body)}",
                    self.origin(period_path),
                )
                continue
            for key in body:
                if key != "indicators" and not str(key).startswith("x-"):
                    who.add(
                        None,
                        "record-unknown-field",
                        f"{period}: unknown field {str(key)!r}",
                        self.where((*period_path, str(key)), True),
                    )
            sheets[str(period)] = self.sheet(
                body.get("indicators", []), (*period_path, "indicators"), who, f"{period}: "
            )
        return sheets

    def evaluations(self, raw: Any, path: Path, who: _Employee) -> tuple[Mapping[str, Any], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(e, Mapping) for e in raw):
            who.add(None, "record-type", "evaluations: expected a list of mappings", self.origin(path))
            return ()
        return tuple({str(k): v for k, v in e.items()} for e in raw)

    def employee(self, raw: Any, index: int) -> tuple[EmployeeRecord | None, _Employee]:
        path: Path = ("employees", index)
        if not isinstance(raw, dict):
            who = _Employee(None)
            who.add(None, "record-type", f"employee: expected a mapping, got {_kind(raw)}", self.origin(path))
            return None, who
        values, issues = self.employee_fields(raw)
        who = _Employee(values.get("id"))
        for issue in issues:
            no_id = who.id is None and issue.about == "id"
            who.add(None, issue.rule, issue.message, self.origin(path, issue), no_id=no_id)
        indicators: tuple[IndicatorRecord, ...] = ()
        periods: dict[str, tuple[IndicatorRecord, ...]] = {}
        if "indicators" in raw and "periods" in raw:
            who.add(None, "record-conflict", "give either indicators or periods, not both", self.origin(path))
        elif "periods" in raw:
            periods = self.periods(raw["periods"], (*path, "periods"), who)
        elif raw.get("indicators") is not None:
            indicators = self.sheet(raw["indicators"], (*path, "indicators"), who, "")
        evaluations = self.evaluations(raw.get("evaluations"), (*path, "evaluations"), who)
        if who.problems or who.id is None:
            return None, who
        return EmployeeRecord(who.id, values, indicators, periods, evaluations, self.origin(path)), who

    def employees(self, raw: Any) -> list[EmployeeRecord]:
        if raw is None:
            self.file_problem("record-missing", "employees: required list is missing", ())
            return []
        if not isinstance(raw, list):
            self.file_problem("record-type", f"employees: expected a list, got {_kind(raw)}", ("employees",))
            return []
        records: list[EmployeeRecord] = []
        first_seen: dict[str, str] = {}
        duplicated: set[str] = set()
        for index, item in enumerate(raw):
            record, who = self.employee(item, index)
            # The parsed document is ours alone: drop each raw employee once read, so a big
            # file does not hold the raw tree and the records at the same time.
            raw[index] = None
            self.problems.extend(who.problems)
            if who.id is None:
                continue
            origin = self.origin(("employees", index))
            if who.id in first_seen:
                # Neither copy is trusted: which one is right is for the owner to say.
                duplicated.add(who.id)
                message = f"employee id {who.id!r} is used more than once (first at {first_seen[who.id]})"
                self.problems.append(Problem(who.id, None, "record-duplicate-id", message, origin))
                continue
            first_seen[who.id] = origin
            if record is not None:
                records.append(record)
        return [r for r in records if r.id not in duplicated]


def read_nested(
    data: Any, display: str, where: Where, rules: RecordRules, overrides: Mapping[str, Any]
) -> Population:
    """Read a parsed records document; ``overrides`` are run-time parameters (they win)."""
    head = read_head(data, display, where, rules, overrides)
    employees = head.reader.employees(data.get("employees"))
    problems = head.reader.problems
    return Population(
        employees, head.parameters, head.org_parent, head.org_names, head.policy_id, problems, display
    )


@dataclass
class Head:
    """What a records document says besides its employees, read as :func:`read_nested` reads
    it; ``reader.problems`` are the file's problems so far (the employees' come after them)."""

    reader: _Reader
    parameters: dict[str, Any]
    org_parent: dict[str, str | None]
    org_names: dict[str, str]
    policy_id: str | None


def read_head(
    data: Any, display: str, where: Where, rules: RecordRules, overrides: Mapping[str, Any]
) -> Head:
    """The top level, the policy id, the parameters (``overrides`` win) and the org units of a
    parsed records document (its ``employees`` are not looked at)."""
    if not isinstance(data, Mapping):
        raise DataError(f"{display}: expected a mapping with an 'employees' list, got {_kind(data)}")
    reader = _Reader(where, rules)
    reader.top_level(data)
    policy_id = data.get("policy")
    if policy_id is not None and not isinstance(policy_id, str):
        reader.file_problem("record-type", f"policy: expected text, got {_kind(policy_id)}", ("policy",))
        policy_id = None
    raw_parameters = data.get("parameters") or {}
    if not isinstance(raw_parameters, Mapping):
        reader.file_problem(
            "record-type", f"parameters: expected a mapping, got {_kind(raw_parameters)}", ("parameters",)
        )
        raw_parameters = {}
    merged = {**raw_parameters, **overrides}

    def parameter_origin(key: str | None) -> str:
        if key is not None and key in overrides:
            return "run-time parameters"
        return where(("parameters",) if key is None else ("parameters", key), False)

    parameters, parameter_problems = check_parameters(merged, rules, parameter_origin)
    reader.problems.extend(parameter_problems)
    org_parent, org_names = reader.org_units(data.get("org_units"))
    return Head(reader, parameters, org_parent, org_names, policy_id)


class NestedStream:
    """The employees of a records document one at a time, as :func:`read_nested` reads them.

    ``items`` are the ``employees`` list's items with their indexes, parsed one at a time
    (:mod:`engine.io.jsonstream`, :mod:`engine.io.yamlstream`); ``done(index)`` is called once
    an item is read (its line marks may go). Iterating fills :attr:`part` as a table's stream
    does: the employees' problems in order (its ``grouped``), the ids met (its ``ids``); the
    file's own problems are the head's. An id met twice raises
    :class:`~engine.io.model.ReadWhole`: the whole read keeps neither copy, and the first is
    gone by then. Memory holds one employee and the ids met.
    """

    def __init__(
        self, head: Head, items: Iterable[tuple[int, Any]], done: Callable[[int], None] | None = None
    ) -> None:
        self.head = head
        self.org_parent = head.org_parent
        self.part = TablePart([], [], ProblemSpool(), ProblemSpool(), [])  # (its problems: however many)
        self._items, self._done = items, done
        self._only: str | None = None

    def only(self, employee: str) -> None:
        """Read only ``employee`` through: every other item whose id reads cleanly is neither
        checked nor yielded, its id only counted among the ids met (``explain``: the fields of
        every goal line of 100,000 people converted took 29 s of a JSON file's 30). An item
        whose id does not read is read through, as its problems name no one."""
        self._only = employee

    def __iter__(self) -> Iterator[EmployeeRecord]:
        seen = SeenIds()  # compact: a million ids in a few megabytes
        self.part.ids = seen
        employee, problems, done = self.head.reader.employee, self.part.grouped, self._done
        other = self._other_id()
        for index, raw in self._items:
            if other is not None and (found := other(raw)) is not None:
                if not seen.add(found):
                    raise ReadWhole(found)
                if done is not None:
                    done(index)
                continue
            record, who = employee(raw, index)
            problems.extend(who.problems)
            if who.id is not None and not seen.add(who.id):
                raise ReadWhole(who.id)
            if done is not None:
                done(index)
            if record is not None:
                yield record

    def _other_id(self) -> Callable[[Any], str | None] | None:
        """The id of an item that is not the one employee :meth:`only` reads, when it reads
        cleanly (as the whole read converts it), else None: the item is read through."""
        wanted = self._only
        if wanted is None:
            return None
        rule = self.head.reader.rules.employee.get("id")
        if rule is None:
            return None
        convert = rule.convert

        def other(raw: Any) -> str | None:
            value = raw.get("id") if type(raw) is dict else None
            if value is None or value == "":
                return None
            try:
                found = convert(value)
            except FieldError:
                return None
            return found if type(found) is str and found != wanted else None

        return other
