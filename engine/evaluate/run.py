"""One evaluation run: policy file + data file -> results, and every problem per employee.

Load and validate the policy, compile it once, read the records, check each goal sheet, and
evaluate the sheets that passed. Bad employees are reported; every other one is evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from engine.chains.model import ChainOutcome, ChainRules, compile_chains
from engine.chains.review import describe_requirements_review, describe_review, employee_env, review
from engine.compile import CompiledPolicy, compile_policy
from engine.distribution import DistributionResult
from engine.errors import HRPolicyError, Problem, UsageError
from engine.evaluate.employee import (
    EmployeeResult,
    FlatValues,
    IndicatorError,
    TraceLine,
    evaluate_employee,
    evaluate_flat,
)
from engine.evaluate.flat_checked import CheckedFlat, checked_flat_function
from engine.evaluate.parameters import evaluation_texts, parameters_read, require_parameters
from engine.evaluate.periods import PeriodRules, compile_periods, complete
from engine.evaluate.relative import grade_relatively, relative_warnings
from engine.evaluate.sheet import SheetRules, check_sheet, compile_sheet_rules
from engine.evaluate.sheet_fast import CleanSheet, clean_sheet_function
from engine.formula import Column, fast_or_checked, reference_interpreter
from engine.gcpause import paused_gc
from engine.io.failed import FailedIds
from engine.io.records import EmployeeRecord, Population, read_population
from engine.io.spool import Problems
from engine.resources import bundled_root
from engine.validate import ValidatedPolicy, load_policy

#: A problem with one employee's data, whatever stage found it (reading, sheet checks,
#: evaluation, distributions): the reader's record problem serves every stage.


def _not_known_clean(*args: Any) -> bool:
    """The generated sheet test failed: the sheet is checked rule by rule."""
    return False


@dataclass
class RunOutcome:
    policy: CompiledPolicy
    population: Population
    results: list[EmployeeResult] = field(default_factory=list)
    problems: Problems = field(default_factory=list)  # a stream's: a ProblemSpool
    warnings: list[Problem] = field(default_factory=list)
    relative: dict[str, DistributionResult] = field(default_factory=dict)
    #: Results rendered as they were made and not kept (a streamed report): their number.
    streamed: int = 0

    #: The last :attr:`failed_employees` made, with the problems it was made of and their number.
    _failed: tuple[Problems, int, FailedIds] | None = field(default=None, compare=False, repr=False)

    @property
    def failed_employees(self) -> FailedIds:
        """The sorted distinct ids of the employees with problems (a collection that never holds
        them all: a spool's million ids go through a temp file), made again when the problems change."""
        problems, made = self.problems, self._failed
        if made is None or made[0] is not problems or made[1] != len(problems):
            made = self._failed = (problems, len(problems), FailedIds(problems))
        return made[2]


@dataclass(frozen=True)
class Engine:
    """A policy compiled for evaluation: sheet rules and formulas built once."""

    source: ValidatedPolicy
    policy: CompiledPolicy
    sheet_rules: SheetRules

    @classmethod
    def from_file(cls, path: str, *, reference: bool = False) -> Engine:
        """Load, validate and compile ``path``; with ``reference`` every formula (sheet rules
        too) runs on the reference interpreter instead of generated code."""
        source = load_policy(path)
        with reference_interpreter(reference):
            rules = compile_sheet_rules(source.data)
        return cls(source, compile_policy(source, reference=reference), rules)

    @cached_property
    def parameters_read(self) -> dict[str, str]:
        """The declared parameters evaluation reads (name -> where), required when read."""
        return parameters_read(self.source.data, evaluation_texts(self.source.data))

    def require_parameters(self, given: Mapping[str, Any]) -> None:
        """A UsageError naming each parameter evaluation reads that ``given`` lacks."""
        require_parameters(self.source.data, self.parameters_read, given)

    @cached_property
    def period_rules(self) -> PeriodRules | None:
        """The periods the policy blends, with their rules for a missing sheet (None: no blend)."""
        return compile_periods(self.source.data)

    def prepare(self, record: EmployeeRecord) -> tuple[EmployeeRecord, list[Problem], list[str]]:
        """The record with a sheet for every declared period (engine.evaluate.periods.complete),
        its period problems, and the notes explain shows."""
        rules = self.period_rules
        if rules is None:
            return record, [], []
        defaults = {f.name: f.default for f in self.policy.employee_fields if f.has_default}
        return complete(rules, record, {**defaults, **record.fields, "id": record.id})

    @cached_property
    def chain_rules(self) -> ChainRules | None:
        """The evaluator chains and confirmations, compiled once (None: the policy has neither)."""
        data = self.source.data
        if not any(data.get(k) for k in ("evaluator_chains", "confirmations", "record_requirements")):
            return None
        return compile_chains(data, self.source.source)

    @cached_property
    def chains_read_formulas(self) -> bool:
        """Whether a chain condition reads an employee formula (else a chain is chosen from the
        record's fields alone, before evaluation)."""
        rules = self.chain_rules
        formulas = set(self.policy.employee_names)
        if rules is None:
            return False
        read = [c.when.names for c in rules.chains if c.when is not None]
        read += [r.names for r in rules.requirements]
        return any(names & formulas for names in read)

    def review(self, record: EmployeeRecord, values: Mapping[str, Any] | None) -> ChainOutcome | None:
        """The employee's evaluator chain reviewed as ``evaluate`` does: every evaluation on record
        and every confirmation checked, a stage not yet evaluated no problem unless its chain
        confirms a period the score counts (one implementation with ``calibrate``,
        :func:`engine.chains.review.review`). ``record`` is the record as read: a period sheet
        standing in for a missing one had no check of its own."""
        rules = self.chain_rules
        if rules is None:
            return None
        return review(rules, record, employee_env(rules, record, values), require_stages=False)

    def read(
        self,
        data_path: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        encoding: str | None = None,
        sheet: str | None = None,
    ) -> Population:
        """Read a population checked against this policy's inputs and scales (``encoding``: of a
        CSV file, None to detect; ``sheet``: of a workbook)."""
        data = self.source.data
        return read_population(
            data_path,
            data.get("inputs") or {},
            scales=data.get("scales") or {},
            parameters=parameters,
            policy_id=self.policy.id,
            encoding=encoding,
            sheet=sheet,
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

    @cached_property
    def clean_sheet(self) -> CleanSheet | None:
        """The generated test that a goal sheet breaks no sheet rule (see
        :mod:`engine.evaluate.sheet_fast`); None on the reference interpreter."""
        return None if self.policy.reference else clean_sheet_function(self.sheet_rules)

    @cached_property
    def checked_flat(self) -> CheckedFlat | None:
        """The sheet test and the per-employee function in one pass (see
        :mod:`engine.evaluate.flat_checked`); None where :func:`evaluate_flat` does not apply."""
        plan = self.policy.flat_plan
        if self.policy.reference or plan is None or self.policy.blend:
            return None
        return checked_flat_function(plan, self.sheet_rules)

    def flat_when_clean(self, record: EmployeeRecord, parameters: Mapping[str, Any]) -> FlatValues | None:
        """What :func:`evaluate_flat` gives for ``record`` when its sheet is known clean (then
        :meth:`check` finds no problem), else None: check and evaluate as usual."""
        fn = self.checked_flat
        if fn is None or record.periods:
            return None
        # fast_or_checked's rule written out: this runs once per employee, and a frame less
        # there is 5 % of the per-record path
        try:
            return fn(parameters, record.fields, record.id, record.indicators) or None
        except Exception:  # any raw error of generated code: not known clean
            return None

    def check_flat(
        self, record: EmployeeRecord, parameters: Mapping[str, Any]
    ) -> tuple[list[Problem], FlatValues | None]:
        """:meth:`check`, and for a sheet with no problem :func:`evaluate_flat` (None: the
        caller evaluates by :func:`evaluate_employee`, which gives the value or the error)."""
        known = self.flat_when_clean(record, parameters)
        if known is not None:
            return [], known
        problems = self.check(record, parameters)
        return problems, None if problems else evaluate_flat(self.policy, record, parameters)

    def _clean(self, record: EmployeeRecord, parameters: Mapping[str, Any]) -> bool:
        clean = self.clean_sheet
        if clean is None:
            return False
        sheets = record.periods.values() if record.periods else (record.indicators,)
        return all(clean(parameters, record.fields, sheet) for sheet in sheets)

    def check(self, record: EmployeeRecord, parameters: Mapping[str, Any]) -> list[Problem]:
        """Every problem of the employee's goal sheet(s), each period's prefixed with its name.

        A sheet the generated test finds clean has none; any other is checked rule by rule."""
        if fast_or_checked(self._clean, _not_known_clean, record, parameters):
            return []
        sheets = record.periods.items() if record.periods else [("", record.indicators)]
        problems = []
        for period, indicators in sheets:
            env = self.sheet_env(record, parameters, indicators)
            for p in check_sheet(self.sheet_rules, record, env, indicators):
                message = f"{period}: {p.message}" if period else p.message
                problems.append(Problem(p.employee_id, p.indicator, p.rule, message, p.origin))
        return problems

    def evaluate_checked(
        self, record: EmployeeRecord, parameters: Mapping[str, Any], *, trace: bool = False
    ) -> EmployeeResult | Problem:
        """The result of a record whose sheet passed :meth:`check`, or its evaluation error."""
        try:
            return evaluate_employee(self.policy, record, parameters, trace=trace)
        except IndicatorError as exc:  # located at its goal line
            return Problem(record.id, exc.indicator, "evaluation-error", str(exc), exc.origin)
        except HRPolicyError as exc:
            return Problem(record.id, None, "evaluation-error", str(exc), record.origin)

    def evaluate(
        self,
        population: Population,
        *,
        trace: bool = False,
        only: str | None = None,
        review_chains: bool = True,
    ) -> RunOutcome:
        """Check and evaluate every employee, then grade relatively where the policy says so.

        ``trace`` traces every employee, or with ``only`` just that one; ``only`` keeps one
        employee's result; everyone is still evaluated when the policy has distributions, since
        a relative grade needs the group.
        (A big CSV file is shared between processes by :mod:`engine.evaluate.parallel`, which splits the
        file rather than a population already read.) ``review_chains`` False leaves the evaluator
        chains to the caller (``calibrate`` reviews them itself, requiring every stage).
        """
        self.require_parameters(population.parameters)
        outcome = RunOutcome(self.policy, population)
        outcome.problems.extend(population.problems)
        outcome.warnings.extend(population.warnings)
        needs_all = bool(self.source.data.get("distributions"))
        wanted = population.employees
        if only is not None and not needs_all:
            wanted = [r for r in wanted if r.id == only]
        with paused_gc():
            for record in wanted:
                traced = trace and only in (None, record.id)
                self._one(outcome, record, trace=traced, review_chains=review_chains)
        if needs_all:
            self._grade_relatively(outcome)
        if only is not None:
            outcome.results = [r for r in outcome.results if r.id == only]
            outcome.problems = [p for p in outcome.problems if p.employee_id in (only, None)]
        return outcome

    def evaluate_record(
        self, outcome: RunOutcome, record: EmployeeRecord, *, review_chains: bool = True, trace: bool = False
    ) -> None:
        """One step of :meth:`evaluate`, for a caller that takes the records one at a time
        (``calibrate``'s stream, ``explain``'s): the employee's result (``trace``: traced) or
        problems added to ``outcome``. The caller checks the parameters first
        (:meth:`require_parameters`)."""
        self._one(outcome, record, trace=trace, review_chains=review_chains)

    def _one(
        self, outcome: RunOutcome, record: EmployeeRecord, *, trace: bool, review_chains: bool
    ) -> None:
        """Check and evaluate one employee into ``outcome``: its result or its problems.

        The sheets as given are checked; a sheet standing in for a missing period's
        (engine.evaluate.periods) is evaluated, not checked twice. The chain is reviewed before
        evaluating unless a chain condition reads a formula (the order engine.evaluate.parallel
        follows too, so both give the same problems).
        """
        parameters = outcome.population.parameters
        completed, problems, notes = self.prepare(record)
        problems = problems or self.check(record, parameters)
        early = review_chains and not self.chains_read_formulas
        reviewed = self.review(record, None) if early and not problems else None
        if stopped(outcome.warnings, outcome.problems, problems, reviewed):
            return
        done = self.evaluate_checked(completed, parameters, trace=trace)
        if isinstance(done, Problem):
            outcome.problems.append(done)
            return
        if review_chains and self.chains_read_formulas:
            reviewed = self.review(record, done.values)
            if stopped(outcome.warnings, outcome.problems, [], reviewed):
                return
        outcome.results.append(self._traced(done, notes, reviewed) if trace else done)

    def _traced(
        self, done: EmployeeResult, notes: list[str], reviewed: ChainOutcome | None
    ) -> EmployeeResult:
        """The result with what explain shows besides the formulas: periods taken from another
        period's sheet (first), the evaluator chain and its stages (last)."""
        before = tuple(TraceLine("period", "periods", n) for n in notes)
        after: tuple[TraceLine, ...] = ()
        if reviewed is not None and self.chain_rules is not None:
            lines = describe_review(reviewed, self.chain_rules)
            after = tuple(TraceLine("chain", "evaluator chain", t) for t in lines)
            kept = describe_requirements_review(reviewed, self.chain_rules)
            after += tuple(TraceLine("requirement", "record requirements", t) for t in kept)
        return replace(done, trace=before + done.trace + after)

    def _grade_relatively(self, outcome: RunOutcome) -> None:
        population = outcome.population
        outcome.relative = grade_relatively(
            self.source.data, population.employees, outcome.results, population.org_parent
        )
        outcome.warnings.extend(relative_warnings(outcome.relative, population.source))


def stopped(
    warnings: list[Problem], into: Problems, problems: list[Problem], reviewed: ChainOutcome | None
) -> bool:
    """Add a chain review's warnings to ``warnings``; True, with the problems added to ``into``,
    when the sheet checks (``problems``) or the review found any, so the employee stops there
    (one rule for Engine.evaluate and engine.evaluate.parallel)."""
    if reviewed is not None:
        warnings.extend(reviewed.warnings)
    if problems or (reviewed is not None and reviewed.problems):
        into.extend(problems or (reviewed.problems if reviewed else ()))
        return True
    return False


def run(
    policy_path: str,
    data_path: str,
    *,
    trace: bool = False,
    only: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    reference: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
) -> RunOutcome:
    """Load, validate and compile the policy, read the data, evaluate.

    ``parameters`` (e.g. ``{"X": "3.0"}`` from the command line) override the data file's;
    ``reference`` runs every formula on the reference interpreter (the same results);
    ``encoding`` and ``sheet`` say how to read a table (see :func:`engine.io.records.read_population`).
    """
    engine = Engine.from_file(policy_path, reference=reference)
    population = engine.read(data_path, parameters, encoding=encoding, sheet=sheet)
    return engine.evaluate(population, trace=trace, only=only)


def example_runs(root: str | None) -> list[tuple[Path, Path, Path]]:
    """Every example population (``examples/<policy>/employees.yaml``) with its policy, under
    ``root`` (by default, the bundled copies): ``(base, policy, data)``, in name order."""
    base = Path(root) if root is not None else bundled_root()
    if base is None:
        raise UsageError("no bundled examples in this installation: give --root FOLDER")
    found = sorted((base / "examples").glob("*/employees.yaml"))
    if not found:
        raise UsageError(f"no example populations under {base / 'examples'}")
    return [(base, base / "policies" / f"{data.parent.name}.yaml", data) for data in found]
