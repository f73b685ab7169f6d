"""What reading a data file produces: employee records, problems, and the compiled inputs.

A record is complete or absent: an employee with any problem is left out of
``Population.employees`` and its problems are listed, so every other employee is still read.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from engine.errors import Problem
from engine.io.fields import FieldRules, check_mapping, compile_fields, label_texts, text_rule


class ReadWhole(Exception):
    """A file being read an employee at a time turned out not to be readable that way (an
    employee's rows apart, an id used twice, a YAML alias to an earlier employee, a problem whose
    report needs the whole file): read it whole instead, which gives the same records, or the
    very same error. Whatever the stream handed out so far is to be thrown away."""


#: Keys of an employee mapping that hold structure rather than declared fields.
EMPLOYEE_STRUCTURE = frozenset({"indicators", "periods", "evaluations"})


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One goal-sheet line: declared indicator fields, converted; ``origin`` says where it was."""

    fields: Mapping[str, Any]
    origin: str  # "data.csv:row 17", "data.yaml:42:9" or "data.json:$.employees[3].indicators[0]"


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    """One employee: fields (with ``id`` and ``name``), the goal sheet(s) and evaluations."""

    id: str
    fields: Mapping[str, Any]
    indicators: tuple[IndicatorRecord, ...]
    periods: Mapping[str, tuple[IndicatorRecord, ...]]
    evaluations: tuple[Mapping[str, Any], ...]
    origin: str


@dataclass
class Population:
    """Everything read from one data file.

    ``warnings`` hold notes that do not stop a run (a data file written for another policy).
    """

    employees: list[EmployeeRecord]
    parameters: dict[str, Any]
    org_parent: dict[str, str | None]
    org_names: dict[str, str]
    policy_id: str | None
    problems: Sequence[Problem]  # a streamed run's: a view of its spool (the reading's)
    source: str
    warnings: list[Problem] = field(default_factory=list)


#: What a table header may call the built-in columns besides their ids: the words HR files
#: in Korean, Japanese and English use. A policy adds its own by declaring a ``label``.
BUILT_IN_LABELS: dict[str, tuple[str, ...]] = {
    "id": ("사번", "직원번호", "社員番号", "従業員番号", "Employee ID", "Employee number"),
    "period": ("평가 기간", "기간", "評価期間", "期間", "Period"),
}


def header_key(text: str) -> str:
    """A header cell as headers are compared: NFC, case-folded, runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True)
class RecordRules:
    """A policy's ``inputs`` compiled once: rules per record level."""

    employee: FieldRules
    indicator: FieldRules
    parameters: FieldRules

    @cached_property
    def cell_caches(self) -> dict[str, dict[str, Any]]:
        """Each goal-line field's converted cells (cell text -> value), shared by every table read
        with these rules: a stream's spans and a range's parts start with what the others read
        (the converters are pure; see :func:`engine.io.rowcode.missed` for what is kept)."""
        return {}

    @cached_property
    def headers(self) -> dict[str, tuple[str, str]]:
        """Header text (see :func:`header_key`) -> (level, field) for every label of every field.

        Ids are matched before this (exactly); of two fields sharing a label the employee's wins,
        as with ids.
        """
        found: dict[str, tuple[str, str]] = {"id": ("id", "id"), "period": ("period", "period")}
        for level, rules in (("employee", self.employee), ("indicator", self.indicator)):
            for rule in rules.values():  # ids in another case ("ID", "Weight")
                found.setdefault(
                    header_key(rule.name), (level, rule.name) if rule.name != "id" else ("id", "id")
                )
        for name, labels in BUILT_IN_LABELS.items():
            for text in labels:
                found.setdefault(header_key(text), (name, name))
        for level, rules in (("employee", self.employee), ("indicator", self.indicator)):
            for rule in rules.values():
                for text in rule.labels:
                    target = ("id", "id") if level == "employee" and rule.name == "id" else (level, rule.name)
                    found.setdefault(header_key(text), target)
        return found


def compile_inputs(inputs: Mapping[str, Any], scales: Mapping[str, Any] | None = None) -> RecordRules:
    """Rules for every level; ``id`` (always text, required), ``name`` and ``title`` are built in."""
    employee = {"name": text_rule("name", False), **compile_fields(inputs.get("employee"), scales)}
    # The id keys every result, so it is text and required whatever the policy says.
    declared_id = (inputs.get("employee") or {}).get("id")
    id_labels = label_texts(declared_id.get("label")) if isinstance(declared_id, Mapping) else ()
    employee["id"] = text_rule("id", True, id_labels)
    indicator = {"title": text_rule("title", False), **compile_fields(inputs.get("indicator"), scales)}
    # A parameter is required only where an output being computed reads it (each command asks
    # engine.evaluate.parameters.require_parameters), so reading a file never demands one.
    parameters = compile_fields(inputs.get("parameters"), scales)
    optional = {name: replace(rule, required=False) for name, rule in parameters.items()}
    return RecordRules(FieldRules(employee), FieldRules(indicator), FieldRules(optional))


def check_parameters(
    raw: Mapping[str, Any], rules: RecordRules, origin_of: Callable[[str | None], str]
) -> tuple[dict[str, Any], list[Problem]]:
    """Convert the run-time parameters; problems carry no employee id."""
    values, issues = check_mapping(raw, rules.parameters)
    problems = [
        Problem(None, None, i.rule, f"parameters: {i.message}", origin_of(i.key)) for i in issues
    ]
    return values, problems
