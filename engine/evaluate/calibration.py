"""Calibration over a population: the evaluator stages' proposed and final grades against the quotas.

For each distribution, every evaluated employee is ranked by the distribution's score (an
employee formula or field) so that the forced distribution forms the groups and their quota
seats; the first stage's grade is the proposal, the last stage's the final grade, and
:func:`engine.distribution.calibrate.calibrate` compares both with the seats per group.

:class:`Calibrating` takes one employee at a time and keeps only a compact row per person (the
id, each distribution's score, the group and tie fields, the stage grades and the reason), so
that a streamed run (:mod:`engine.report.calibration_stream`) and the whole-file run
(:func:`calibrate_population`) are one implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from engine.chains.review import (
    ChainOutcome,
    ChainRules,
    compile_chains,
    describe_requirements_review,
    describe_review,
    employee_env,
    review,
)
from engine.compile import label_text
from engine.distribution import CalibrationReport, distribution_from_policy
from engine.distribution.calibrate import calibrate_with
from engine.distribution.compact import ABSENT, Rows
from engine.distribution.ranking import distribute_table
from engine.distribution.rule import ID_FIELD, DistributionRule
from engine.errors import Problem, UsageError
from engine.evaluate.run import Engine, RunOutcome
from engine.gcpause import paused_gc
from engine.io.records import EmployeeRecord, Population
from engine.io.spool import ProblemSpool
from engine.suggest import did_you_mean


@dataclass(frozen=True)
class PopulationCalibration:
    """Every distribution's calibration, every employee's review, and every problem found.

    A streamed run keeps no reviews (``reviews`` and ``chain_lines`` are empty: the reports'
    per-employee parts were written as they came); ``reviewed`` counts the employees reviewed.
    """

    reports: tuple[CalibrationReport, ...]
    reviews: tuple[ChainOutcome, ...]
    problems: Sequence[Problem]  # a ProblemSpool: read in order, in memory or from a temp file
    labels: Mapping[str, str] = field(default_factory=dict)  # distribution id -> display label
    # employee id -> what explain shows of the review (the chain, why, each stage)
    chain_lines: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reviewed: int = 0

    def close(self) -> None:
        """Let the spooled problems and calibrations go (their temp files removed); nothing is
        read after."""
        if isinstance(self.problems, ProblemSpool):
            self.problems.close()
        for report in self.reports:
            report.close()

    @property
    def groups_outside(self) -> int:
        """Groups whose final grades are not within quota +- tolerance."""
        return sum(1 for r in self.reports for g in r.groups if not g.within)

    @property
    def not_graded(self) -> int:
        """People the distributions could not grade (groups too small, fields missing)."""
        return sum(len(p.members) for r in self.reports for p in r.problems)

    @property
    def ok(self) -> bool:
        """Every group within quota, everyone graded, no problem with any employee."""
        return self.groups_outside == 0 and self.not_graded == 0 and not self.problems


#: The columns of :class:`_Seats` before the group and tie fields (no field is named so).
_SCORE, _PROPOSED, _FINAL, _REASON = (f"\x00{n}" for n in ("score", "proposed", "final", "reason"))


class _Seats:
    """One distribution's candidates, kept compact (:class:`~engine.distribution.compact.Rows`):
    per person the id, the score, the proposed and final grades, the reason, the group and tie
    fields; :data:`ABSENT` for a field the person lacks (None counts as absent too, as in the
    whole-file run, which leaves absent values out so the distribution reports the field
    missing)."""

    def __init__(self, data: Mapping[str, Any], name: str) -> None:
        self.name = name
        self.rule: DistributionRule = distribution_from_policy(data, name)
        kept = dict.fromkeys(self.rule.group_by)
        kept.update(dict.fromkeys(t.field for t in self.rule.ties if t.field != ID_FIELD))
        self.kept = tuple(kept)
        numbers = [True, False, False, False, *(k not in self.rule.group_by for k in self.kept)]
        self.rows = Rows([_SCORE, _PROPOSED, _FINAL, _REASON, *self.kept], numbers)
        self.missing = ProblemSpool()  # evaluated people without a score, in order

    def add(self, record: EmployeeRecord, env: Mapping[str, Any], reviewed: ChainOutcome) -> None:
        """Note one evaluated person (``env``: what the chains read, formula values included)."""
        score = env.get(self.rule.score)
        if score is None:
            message = f"distribution '{self.name}': no value for its score '{self.rule.score}'"
            self.missing.append(Problem(record.id, None, "calibrate-no-score", message, record.origin))
            return
        name = self.name
        grades = (reviewed.proposed_grade(name), reviewed.final_grade(name), reviewed.reason(name))
        values = [Decimal(score), *map(_kept, grades), *(_kept(env.get(k)) for k in self.kept)]
        self.rows.append(record.id, values)

    def report(self, org_parent: Mapping[str, str | None]) -> CalibrationReport:
        """The distribution applied to the people noted (who are then let go), calibrated."""
        table = self.rows.freeze()
        # int32, as the grading reads positions: an int64 range was 8 bytes a person held beside
        # its copy; not kept here, so that the grading lets it go once its groups are formed
        result = distribute_table(self.rule, table, _SCORE, np.arange(len(table), dtype=np.int32), org_parent)
        columns = [table.columns[name] for name in (_PROPOSED, _FINAL, _REASON)]

        def stages(_: str, position: int) -> tuple[str | None, str | None, str | None]:
            before, after, reason = (_stated(c.value(position)) for c in columns)
            return before, after, reason

        return calibrate_with(self.rule, result, stages)


def _kept(value: Any) -> Any:
    return ABSENT if value is None else value


def _stated(value: Any) -> Any:
    return None if value is ABSENT else value


class Calibrating:
    """A calibration built one employee at a time: :meth:`add` checks and evaluates an employee
    as ``evaluate`` does (chains left to this review, every stage required), reviews its
    evaluator chain and notes it for each distribution; :meth:`finish` grades and calibrates.
    Memory holds a compact row per person per distribution, nothing else: the problems are
    spooled (:class:`~engine.io.spool.ProblemSpool`)."""

    def __init__(self, engine: Engine, names: Sequence[str], parameters: Mapping[str, Any]) -> None:
        data = engine.source.data
        self.engine = engine
        self.rules: ChainRules = compile_chains(data, engine.source.source)
        self.seats = [_Seats(data, name) for name in names]
        specs = data.get("distributions") or {}
        self.labels = {name: label_text(specs[name].get("label"), name) for name in names}
        engine.require_parameters(parameters)
        # Engine.evaluate's own step, one record at a time; each result is let go once read.
        self._run = RunOutcome(engine.policy, Population([], dict(parameters), {}, {}, None, [], ""))
        # spooled, so memory stays flat however many employees have problems.
        self.run_problems = ProblemSpool()
        self.review_problems = ProblemSpool()
        self.count = 0

    def add(self, record: EmployeeRecord) -> ChainOutcome:
        """Evaluate and review one employee; its review (for the per-employee parts of a report)."""
        run = self._run
        self.engine.evaluate_record(run, record, review_chains=False)  # reviewed below
        values = run.results.pop().values if run.results else None
        if run.problems:
            self.run_problems.extend(run.problems)
            run.problems = []
        env = employee_env(self.rules, record, values)
        reviewed = review(self.rules, record, env)
        self.review_problems.extend(reviewed.problems)
        if values is not None:
            for seats in self.seats:
                seats.add(record, env, reviewed)
        self.count += 1
        return reviewed

    def close(self) -> None:
        """Let the problems spooled so far go (a run given up: read whole instead)."""
        for spool in (self.run_problems, self.review_problems, *(s.missing for s in self.seats)):
            spool.close()

    def describe(self, reviewed: ChainOutcome) -> tuple[str, ...]:
        """What explain shows of a review: the chain, why, each stage, the requirements kept."""
        return (*describe_review(reviewed, self.rules), *describe_requirements_review(reviewed, self.rules))

    def finish(
        self,
        read_problems: Iterable[Problem],
        org_parent: Mapping[str, str | None],
        reviews: Sequence[ChainOutcome] = (),
    ) -> PopulationCalibration:
        """Every distribution calibrated; the problems in a whole-file run's order: reading
        (``read_problems``), sheet checks and evaluation, chain reviews, missing scores.
        ``reviews``: the reviews kept (none in a streamed run), with what explain shows of each."""
        problems = ProblemSpool(read_problems)
        for spool in (self.run_problems, self.review_problems):
            problems.extend(spool)
            spool.close()
        reports = []
        for seats in self.seats:
            reports.append(seats.report(org_parent))
            problems.extend(seats.missing)
            seats.missing.close()
        lines = {r.employee_id: self.describe(r) for r in reviews}
        return PopulationCalibration(tuple(reports), tuple(reviews), problems, self.labels, lines, self.count)


def calibrate_population(
    engine: Engine, population: Population, distributions: Sequence[str] | None = None
) -> PopulationCalibration:
    """Evaluate ``population``, review every employee's chain, and calibrate each distribution
    (``None``: every distribution the policy declares, in order)."""
    data = engine.source.data
    names = list(distributions) if distributions is not None else list(data.get("distributions") or {})
    calibrating = Calibrating(engine, names, population.parameters)
    with paused_gc():
        reviews = [calibrating.add(record) for record in population.employees]
    return calibrating.finish(population.problems, population.org_parent, reviews)


def chosen_distributions(data: Mapping[str, Any], wanted: str | None, policy_path: str) -> list[str]:
    """The distributions to calibrate: ``wanted`` (checked against the declared ones) or every one;
    none (the evaluator chains reviewed alone) for a policy with chains but no distributions."""
    declared = [str(k) for k in data.get("distributions") or {} if not str(k).startswith("x-")]
    if not declared and wanted is None and data.get("evaluator_chains"):
        return []
    if not declared:
        raise UsageError(f"{policy_path}: the policy declares no distributions to calibrate")
    if wanted is None:
        return declared
    if wanted not in declared:
        match = did_you_mean(wanted, declared)
        hint = f"; {match}" if match else f"; declared: {', '.join(declared)}"
        raise UsageError(f"no distribution '{wanted}' in {policy_path}{hint}")
    return [wanted]
