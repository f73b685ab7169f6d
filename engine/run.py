"""One evaluation run: policy file + data file -> results, and every problem per employee.

Load and validate the policy, compile it once, read the records, check each goal sheet, and
evaluate the sheets that passed. Bad employees are reported; every other one is evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.compile import CompiledPolicy, compile_policy
from engine.evaluate import EmployeeResult, EvaluationFailure, evaluate_employee
from engine.errors import HRPolicyError
from engine.formula import Column
from engine.io.records import EmployeeRecord, Population, read_population
from engine.sheetcheck import SheetRules, check_sheet, compile_sheet_rules
from engine.validate import ValidatedPolicy, load_policy


@dataclass(frozen=True)
class Problem:
    """A problem with one employee's data, whatever stage found it."""

    employee_id: str | None
    indicator: int | None
    rule: str
    message: str
    origin: str


@dataclass
class RunOutcome:
    policy: CompiledPolicy
    population: Population
    results: list[EmployeeResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed_employees(self) -> list[str]:
        return sorted({p.employee_id for p in self.problems if p.employee_id is not None})


@dataclass(frozen=True)
class Engine:
    """A policy compiled for evaluation: sheet rules and formulas built once."""

    source: ValidatedPolicy
    policy: CompiledPolicy
    sheet_rules: SheetRules

    @classmethod
    def from_file(cls, path: str) -> Engine:
        source = load_policy(path)
        return cls(source, compile_policy(source), compile_sheet_rules(source.data))

    def sheet_env(self, record: EmployeeRecord, parameters: Mapping[str, Any], indicators: Any) -> dict[str, Any]:
        env = dict(parameters)
        env.update(record.fields)
        rows = [dict(i.fields) for i in indicators]
        for spec in self.policy.indicator_fields:
            env[spec.name] = Column([r.get(spec.name) for r in rows], rows)
        return env

    def check(self, record: EmployeeRecord, parameters: Mapping[str, Any]) -> list[Problem]:
        sheets = record.periods.items() if record.periods else [("", record.indicators)]
        problems = []
        for period, indicators in sheets:
            env = self.sheet_env(record, parameters, indicators)
            for p in check_sheet(self.sheet_rules, record, env, indicators):
                message = f"{period}: {p.message}" if period else p.message
                problems.append(Problem(p.employee_id, p.indicator, p.rule, message, p.origin))
        return problems

    def evaluate(self, population: Population, *, trace: bool = False, only: str | None = None) -> RunOutcome:
        """Check and evaluate every employee (or only the one with id ``only``)."""
        outcome = RunOutcome(self.policy, population)
        outcome.problems.extend(
            Problem(p.employee_id, p.indicator, p.rule, p.message, p.origin) for p in population.problems
        )
        for record in population.employees:
            if only is not None and record.id != only:
                continue
            sheet_problems = self.check(record, population.parameters)
            if sheet_problems:
                outcome.problems.extend(sheet_problems)
                continue
            try:
                outcome.results.append(evaluate_employee(self.policy, record, population.parameters, trace=trace))
            except HRPolicyError as exc:
                failure = EvaluationFailure(record.id, "evaluation-error", str(exc), record.origin)
                outcome.problems.append(Problem(failure.employee_id, None, failure.rule, failure.message, failure.origin))
        return outcome


def run(policy_path: str, data_path: str, *, trace: bool = False, only: str | None = None) -> RunOutcome:
    """Load, validate and compile the policy, read the data, evaluate."""
    engine = Engine.from_file(policy_path)
    population = read_population(data_path, engine.source.data.get("inputs") or {})
    return engine.evaluate(population, trace=trace, only=only)
