"""One evaluation run: policy file + data file -> results, and every problem per employee.

Load and validate the policy, compile it once, read the records, check each goal sheet, and
evaluate the sheets that passed. Bad employees are reported; every other one is evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.compile import CompiledPolicy, compile_policy
from engine.distribution import DistributionResult
from engine.errors import HRPolicyError
from engine.evaluate import EmployeeResult, evaluate_employee, paused_gc
from engine.formula import Column
from engine.io.model import RecordProblem
from engine.io.records import EmployeeRecord, Population, read_population
from engine.parallel import MIN_PARALLEL, decode_results, encode_results, run_parts
from engine.relative import grade_relatively
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
    warnings: list[Problem] = field(default_factory=list)
    relative: dict[str, DistributionResult] = field(default_factory=dict)

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

    def read(self, data_path: str, parameters: Mapping[str, Any] | None = None) -> Population:
        """Read a population checked against this policy's inputs and scales."""
        data = self.source.data
        return read_population(
            data_path,
            data.get("inputs") or {},
            scales=data.get("scales") or {},
            parameters=parameters,
            policy_id=self.policy.id,
        )

    def sheet_env(
        self, record: EmployeeRecord, parameters: Mapping[str, Any], indicators: Any
    ) -> dict[str, Any]:
        """What the sheet rules' formulas read: parameters, the employee's fields, and a column
        of each indicator field they name (its rows are the lines' fields, for filters)."""
        env = dict(parameters)
        env.update(record.fields)
        names = self.sheet_rules.column_names
        if names:
            rows = [i.fields for i in indicators]
            for name in names:
                env[name] = Column([r.get(name) for r in rows], rows)
        return env

    def check(self, record: EmployeeRecord, parameters: Mapping[str, Any]) -> list[Problem]:
        """Every problem of the employee's goal sheet(s), each period's prefixed with its name."""
        sheets = record.periods.items() if record.periods else [("", record.indicators)]
        problems = []
        for period, indicators in sheets:
            env = self.sheet_env(record, parameters, indicators)
            for p in check_sheet(self.sheet_rules, record, env, indicators):
                message = f"{period}: {p.message}" if period else p.message
                problems.append(Problem(p.employee_id, p.indicator, p.rule, message, p.origin))
        return problems

    def evaluate(
        self,
        population: Population,
        *,
        trace: bool = False,
        only: str | None = None,
        workers: int = 1,
    ) -> RunOutcome:
        """Check and evaluate every employee, then grade relatively where the policy says so.

        ``only`` keeps one employee's result (with its trace when ``trace``); everyone is still
        evaluated when the policy has distributions, since a relative grade needs the group.
        ``workers``: processes to share the work (forked, see :mod:`engine.parallel`; a
        population below :data:`engine.parallel.MIN_PARALLEL` and any traced run use one).
        The results and problems are the same, in the same order, whatever the number. One
        by default: on the benchmark machine the workers' copy-on-write page faults cost more
        than they save (bench/RESULTS.md).
        """
        outcome = RunOutcome(self.policy, population)
        outcome.problems.extend(_problem(p) for p in population.problems)
        outcome.warnings.extend(_problem(p) for p in population.warnings)
        needs_all = bool(self.source.data.get("distributions"))
        records = [r for r in population.employees if only is None or needs_all or r.id == only]
        if trace or len(records) < MIN_PARALLEL:
            workers = 1
        if workers > 1:
            _ = self.policy.fused  # compiled once, before the fork, for every process
        with paused_gc():
            parts = run_parts(
                records,
                workers,
                lambda part: self._evaluate_part(part, population, trace, only),
                lambda done: (encode_results(self.policy, done[0]), done[1]),
                lambda data, _: (decode_results(self.policy, data[0]), data[1]),
            )
        for results, problems in parts:
            outcome.results.extend(results)
            outcome.problems.extend(problems)
        if needs_all:
            self._grade_relatively(outcome)
        if only is not None:
            outcome.results = [r for r in outcome.results if r.id == only]
            outcome.problems = [p for p in outcome.problems if p.employee_id in (only, None)]
        return outcome

    def _evaluate_part(
        self, records: Sequence[EmployeeRecord], population: Population, trace: bool, only: str | None
    ) -> tuple[list[EmployeeResult], list[Problem]]:
        part = RunOutcome(self.policy, population)
        for record in records:
            result = self._evaluate_one(record, population, trace and record.id == only, part)
            if result is not None:
                part.results.append(result)
        return part.results, part.problems

    def _evaluate_one(
        self, record: EmployeeRecord, population: Population, trace: bool, outcome: RunOutcome
    ) -> EmployeeResult | None:
        sheet_problems = self.check(record, population.parameters)
        if sheet_problems:
            outcome.problems.extend(sheet_problems)
            return None
        try:
            return evaluate_employee(self.policy, record, population.parameters, trace=trace)
        except HRPolicyError as exc:
            outcome.problems.append(Problem(record.id, None, "evaluation-error", str(exc), record.origin))
            return None

    def _grade_relatively(self, outcome: RunOutcome) -> None:
        population = outcome.population
        outcome.relative = grade_relatively(
            self.source.data, population.employees, outcome.results, population.org_parent
        )
        for name, result in outcome.relative.items():
            for problem in result.problems:
                for member in problem.members:
                    outcome.warnings.append(
                        Problem(member, None, problem.rule, f"{name}: {problem.message}", population.source)
                    )


def _problem(p: RecordProblem) -> Problem:
    return Problem(p.employee_id, p.indicator, p.rule, p.message, p.origin)


def run(
    policy_path: str,
    data_path: str,
    *,
    trace: bool = False,
    only: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> RunOutcome:
    """Load, validate and compile the policy, read the data, evaluate.

    ``parameters`` (e.g. ``{"X": "3.0"}`` from the command line) override the data file's.
    """
    engine = Engine.from_file(policy_path)
    population = engine.read(data_path, parameters)
    return engine.evaluate(population, trace=trace, only=only)
