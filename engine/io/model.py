"""What reading a data file produces: employee records, problems, and the compiled inputs.

A record is complete or absent: an employee with any problem is left out of
``Population.employees`` and its problems are listed, so every other employee is still read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine.errors import Problem
from engine.io.fields import FieldRules, check_mapping, compile_fields, text_rule

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
    problems: list[Problem]
    source: str
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class RecordRules:
    """A policy's ``inputs`` compiled once: rules per record level."""

    employee: FieldRules
    indicator: FieldRules
    parameters: FieldRules


def compile_inputs(inputs: Mapping[str, Any], scales: Mapping[str, Any] | None = None) -> RecordRules:
    """Rules for every level; ``id`` (always text, required), ``name`` and ``title`` are built in."""
    employee = {"name": text_rule("name", False), **compile_fields(inputs.get("employee"), scales)}
    # The id keys every result, so it is text and required whatever the policy says.
    employee["id"] = text_rule("id", True)
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
