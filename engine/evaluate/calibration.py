"""Calibration over a population: the evaluator stages' proposed and final grades against the quotas.

For each distribution, every evaluated employee is ranked by the distribution's score (an
employee formula or field) so that the forced distribution forms the groups and their quota
seats; the first stage's grade is the proposal, the last stage's the final grade, and
:func:`engine.distribution.calibrate.calibrate` compares both with the seats per group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
from engine.distribution import CalibrationReport, Candidate, calibrate, distribute, distribution_from_policy
from engine.errors import Problem, UsageError
from engine.evaluate.run import Engine
from engine.io.records import EmployeeRecord, Population
from engine.suggest import did_you_mean


@dataclass(frozen=True)
class PopulationCalibration:
    """Every distribution's calibration, every employee's review, and every problem found."""

    reports: tuple[CalibrationReport, ...]
    reviews: tuple[ChainOutcome, ...]
    problems: tuple[Problem, ...]
    labels: Mapping[str, str] = field(default_factory=dict)  # distribution id -> display label
    # employee id -> what explain shows of the review (the chain, why, each stage)
    chain_lines: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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


def calibrate_population(
    engine: Engine, population: Population, distributions: Sequence[str] | None = None
) -> PopulationCalibration:
    """Evaluate ``population``, review every employee's chain, and calibrate each distribution
    (``None``: every distribution the policy declares, in order)."""
    data = engine.source.data
    rules: ChainRules = compile_chains(data, engine.source.source)
    outcome = engine.evaluate(population, review_chains=False)  # reviewed below, every stage required
    values = {r.id: r.values for r in outcome.results}
    problems = list(outcome.problems)
    envs: dict[str, dict[str, Any]] = {}
    reviews: list[ChainOutcome] = []
    for record in population.employees:
        envs[record.id] = employee_env(rules, record, values.get(record.id))
        reviewed = review(rules, record, envs[record.id])
        reviews.append(reviewed)
        problems.extend(reviewed.problems)
    names = list(distributions) if distributions is not None else list(data.get("distributions") or {})
    evaluated = [r for r in population.employees if r.id in values]
    reports = []
    for name in names:
        report, missing = _calibrate_one(data, name, evaluated, envs, reviews, population.org_parent)
        reports.append(report)
        problems.extend(missing)
    specs = data.get("distributions") or {}
    labels = {name: label_text(specs[name].get("label"), name) for name in names}
    lines = {
        r.employee_id: (*describe_review(r, rules), *describe_requirements_review(r, rules)) for r in reviews
    }
    return PopulationCalibration(tuple(reports), tuple(reviews), tuple(problems), labels, lines)


def _calibrate_one(
    data: Mapping[str, Any],
    name: str,
    records: Sequence[EmployeeRecord],
    envs: Mapping[str, Mapping[str, Any]],
    reviews: Sequence[ChainOutcome],
    org_parent: Mapping[str, str | None],
) -> tuple[CalibrationReport, list[Problem]]:
    rule = distribution_from_policy(data, name)
    candidates: list[Candidate] = []
    problems: list[Problem] = []
    for record in records:
        env = envs[record.id]
        score = env.get(rule.score)
        if score is None:
            message = f"distribution '{name}': no value for its score '{rule.score}'"
            problems.append(Problem(record.id, None, "calibrate-no-score", message, record.origin))
            continue
        # Absent values are left out so that the distribution reports a missing group field.
        fields = {k: v for k, v in env.items() if v is not None}
        candidates.append(Candidate(record.id, Decimal(score), fields))
    result = distribute(rule, candidates, org_parent)
    proposed = _grades(reviews, name, first=True)
    final = _grades(reviews, name, first=False)
    reasons = {r.employee_id: text for r in reviews if (text := r.reason(name)) is not None}
    return calibrate(rule, result, proposed, final, reasons), problems


def _grades(reviews: Sequence[ChainOutcome], name: str, *, first: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in reviews:
        grade = r.proposed_grade(name) if first else r.final_grade(name)
        if grade is not None:
            out[r.employee_id] = grade
    return out


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
