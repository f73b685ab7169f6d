"""One employee's evaluator chain: which chain applies, what each stage gave, and what is wrong.

Usage::

    rules = compile_chains(policy_data)
    outcome = review(rules, record, employee_env(rules, record, result.values))
    outcome.proposed_grade("performance"), outcome.final_grade("performance"), outcome.problems

An evaluation record (``record.evaluations``) is
``{stage, evaluator, evaluator_level?, grade?, grades?: {<distribution>: code},
ratings?: {<indicator number or id>: code or {field: code}}, reason?, confirmed?}``.
``confirmed`` is ``true`` (every rating of the employee) or a list of indicator numbers or ids.
``period`` (optional) names the period whose chain the evaluation belongs to; without it, the
last period's (the final evaluation). Ratings refer to that period's goal sheet. A stage that
declares ``field`` may instead be recorded in that employee field (who did it: a table carries
no evaluations). The chains of earlier periods (``evaluator_chains.<id>.period``) are reviewed
where the record has that period's own sheet (a sheet standing in for it had no such check);
confirmations apply to the final evaluation's sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from engine.chains.confirm import check_confirmations
from engine.chains.describe import describe_review
from engine.chains.model import (
    Chain,
    ChainOutcome,
    ChainRules,
    Confirmation,
    NoChain,
    Stage,
    StageResult,
    compile_chains,
)
from engine.chains.periods import by_period, unreviewed
from engine.chains.requirements import Signed, check_requirements, describe_requirements
from engine.chains.stage_checks import check_evaluators, check_overrides, check_stage
from engine.chains.stage_results import ReviewWork, stage_results
from engine.io.records import EmployeeRecord, IndicatorRecord

__all__ = [
    "Chain",
    "ChainOutcome",
    "ChainRules",
    "Confirmation",
    "NoChain",
    "Stage",
    "StageResult",
    "compile_chains",
    "describe_requirements_review",
    "describe_review",
    "employee_env",
    "review",
    "sheet_of",
]


def employee_env(
    rules: ChainRules, record: EmployeeRecord, values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The names a chain condition reads: declared fields (defaults applied), ``id``, formula values."""
    env: dict[str, Any] = dict.fromkeys(rules.employee_fields)
    env.update(rules.employee_defaults)
    env.update({k: v for k, v in record.fields.items() if v is not None})
    env["id"] = record.id
    env.update(values or {})
    return env


def sheet_of(record: EmployeeRecord, period: str | None = None) -> tuple[IndicatorRecord, ...]:
    """The goal sheet ratings refer to: the only one, the sheet of ``period``, or the last
    period's (the final evaluation)."""
    if record.indicators or not record.periods:
        return record.indicators
    if period is not None and period in record.periods:
        return record.periods[period]
    return list(record.periods.values())[-1]


def review(
    rules: ChainRules, record: EmployeeRecord, env: Mapping[str, Any], *, require_stages: bool = True
) -> ChainOutcome:
    """Choose the chain, build every declared stage's result, and collect the chain's and the
    confirmations' problems for one employee (``env``: see :func:`employee_env`).

    ``require_stages``: a stage with no evaluation is a problem (``calibrate`` needs every
    final grade); ``evaluate`` passes False, since scores come before the evaluators' grades,
    but every evaluation on record is still checked, and so is every confirmation.
    """
    if not rules.chains:  # record requirements only
        return _with_requirements(ChainOutcome(record.id, None, (), ()), rules, env, record.origin)
    grouped, problems = by_period(rules, record)
    earlier: list[ChainOutcome] = []
    for period in rules.other_periods:
        done = _review_earlier(rules, record, env, period, grouped.pop(period, []), require_stages)
        if done is not None:
            earlier.append(done)
            problems.extend(done.problems)
    for other, evaluations in grouped.items():
        if other != rules.main_period:  # a period without chains of its own
            problems.extend(unreviewed(record, other, evaluations))
    main = _review_one(rules, record, env, None, grouped.get(rules.main_period, []), require_stages)
    if not problems and not earlier:  # the usual employee: nothing to add (replace() is slow)
        return main
    return replace(main, problems=(*problems, *main.problems), periods=tuple(earlier))


def _review_earlier(
    rules: ChainRules,
    record: EmployeeRecord,
    env: Mapping[str, Any],
    period: str,
    evaluations: list[tuple[int, Mapping[str, Any]]],
    require_stages: bool,
) -> ChainOutcome | None:
    """The review of an earlier period's chain, where the record has that period's own sheet
    (None otherwise: its evaluations, if any, are then problems)."""
    if period not in record.periods:
        if not evaluations:
            return None
        problems = unreviewed(record, period, evaluations)
        return ChainOutcome(record.id, None, (), tuple(problems), period=period)
    return _review_one(rules, record, env, period, evaluations, require_stages)


def _review_one(
    rules: ChainRules,
    record: EmployeeRecord,
    env: Mapping[str, Any],
    period: str | None,
    evaluations: list[tuple[int, Mapping[str, Any]]],
    require_stages: bool,
) -> ChainOutcome:
    """One period's review (``period`` None: the final evaluation, with the confirmations)."""
    work = ReviewWork(record, rules, sheet_of(record, period or rules.main_period), evaluations=evaluations)
    try:
        chain, why = rules.choose(env, period)
    except NoChain as exc:
        work.add("chain-none", str(exc))
        return ChainOutcome(record.id, None, (), tuple(work.problems), period=period)
    given = stage_results(work, chain)
    stages = tuple(given.get(s.id) or StageResult(s.id, s.mode, s.evaluator, False) for s in chain.stages)
    for stage, result in zip(chain.stages, stages, strict=True):
        check_stage(work, chain, stage, result, require_stages or chain.confirms_period)
    check_overrides(work, chain, stages)
    check_evaluators(work, stages)
    if rules.confirmations and period is None:
        work.problems.extend(check_confirmations(rules, chain, work.sheet, stages, record.id, record.origin))
    outcome = ChainOutcome(record.id, chain.id, stages, tuple(work.problems), why, chain.label, period)
    # record requirements belong to the employee's review as a whole: checked once, with the final one
    return outcome if period is not None else _with_requirements(outcome, rules, env, record.origin)


def _with_requirements(
    outcome: ChainOutcome, rules: ChainRules, env: Mapping[str, Any], origin: str
) -> ChainOutcome:
    """The outcome with the record requirements' problems, warnings and explain lines added."""
    if not rules.requirements:
        return outcome
    signed = [Signed(s.stage, s.evaluator) for s in outcome.stages]
    errors, warnings = check_requirements(rules.requirements, env, signed, outcome.employee_id, origin)
    # built directly, not by dataclasses.replace: this runs once per employee, and replace()
    # was a fifth of the review's time
    return ChainOutcome(
        employee_id=outcome.employee_id,
        chain=outcome.chain,
        stages=outcome.stages,
        problems=outcome.problems + tuple(errors),
        why=outcome.why,
        label=outcome.label,
        period=outcome.period,
        periods=outcome.periods,
        warnings=outcome.warnings + tuple(warnings),
        requirement_env=env,
    )


def describe_requirements_review(outcome: ChainOutcome, rules: ChainRules) -> list[str]:
    """What explain shows of each record requirement: met (with the values read) or what is unmet."""
    if not rules.requirements:
        return []
    signed = [Signed(s.stage, s.evaluator) for s in outcome.stages]
    return describe_requirements(rules.requirements, outcome.requirement_env, signed)


