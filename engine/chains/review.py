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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from engine.chains.confirm import check_confirmations, indicator_number
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
from engine.errors import Problem
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


@dataclass
class _Review:
    """The problems of one employee's review, in the order found."""

    record: EmployeeRecord
    rules: ChainRules
    sheet: tuple[IndicatorRecord, ...]
    problems: list[Problem] = field(default_factory=list)
    # The evaluations of the period reviewed, each with its number in the record's list.
    evaluations: list[tuple[int, Mapping[str, Any]]] = field(default_factory=list)

    def add(self, rule: str, message: str, indicator: int | None = None) -> None:
        self.problems.append(Problem(self.record.id, indicator, rule, message, self.record.origin))


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
    work = _Review(record, rules, sheet_of(record, period or rules.main_period), evaluations=evaluations)
    try:
        chain, why = rules.choose(env, period)
    except NoChain as exc:
        work.add("chain-none", str(exc))
        return ChainOutcome(record.id, None, (), tuple(work.problems), period=period)
    given = _given(work, chain)
    stages = tuple(given.get(s.id) or StageResult(s.id, s.mode, s.evaluator, False) for s in chain.stages)
    for stage, result in zip(chain.stages, stages, strict=True):
        _check_stage(work, chain, stage, result, require_stages or chain.confirms_period)
    _check_overrides(work, chain, stages)
    _check_evaluators(work, stages)
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
    return replace(
        outcome,
        problems=outcome.problems + tuple(errors),
        warnings=outcome.warnings + tuple(warnings),
        requirement_env=env,
    )


def describe_requirements_review(outcome: ChainOutcome, rules: ChainRules) -> list[str]:
    """What explain shows of each record requirement: met (with the values read) or what is unmet."""
    if not rules.requirements:
        return []
    signed = [Signed(s.stage, s.evaluator) for s in outcome.stages]
    return describe_requirements(rules.requirements, outcome.requirement_env, signed)


def _given(work: _Review, chain: Chain) -> dict[str, StageResult]:
    """The evaluation records read into stage results (the first one per stage); a stage with no
    evaluation but a value in its ``field`` is taken as done by that person."""
    out: dict[str, StageResult] = {}
    for number, raw in work.evaluations:
        stage_id = raw.get("stage")
        stage = chain.stage(str(stage_id)) if stage_id is not None else None
        if stage is None:
            known = ", ".join(s.id for s in chain.stages)
            what = f"stage '{stage_id}'" if stage_id is not None else "no stage"
            work.add(
                "chain-unknown-stage",
                f"evaluation {number} is for {what}, which chain '{chain.id}' does not have "
                f"(its stages: {known})",
            )
        elif stage.id in out:
            work.add(
                "chain-duplicate-stage",
                f"stage '{stage.id}' is evaluated more than once; evaluation {number} is ignored",
            )
        else:
            out[stage.id] = _stage_result(work, stage, raw, number)
    for stage in chain.stages:
        signed = work.record.fields.get(stage.field) if stage.field is not None else None
        if stage.id not in out and signed is not None and str(signed).strip() != "":
            who = str(signed).strip()
            out[stage.id] = StageResult(
                stage.id, stage.mode, stage.evaluator, True, evaluator=who, signed_in=stage.field
            )
    return out


def _check_evaluators(work: _Review, stages: Sequence[StageResult]) -> None:
    """Nobody evaluates themselves, and no one person signs two stages of one chain: a chain's
    stages are different people's judgements (as record requirements refuse the employee's own
    signature for an evaluator's)."""
    seen: dict[str, str] = {}
    for result in stages:
        who = result.evaluator
        if not result.given or who is None:
            continue
        if who == work.record.id:
            work.add(
                "chain-self-evaluation",
                f"stage '{result.stage}' is signed by the employee {who}; an employee never evaluates "
                "themselves",
            )
        elif who in seen:
            work.add(
                "chain-same-evaluator",
                f"stages '{seen[who]}' and '{result.stage}' are both signed by {who}; each stage is "
                "another person's evaluation",
            )
        else:
            seen[who] = result.stage


def _stage_result(work: _Review, stage: Stage, raw: Mapping[str, Any], number: int) -> StageResult:
    grades = raw.get("grades")
    if grades is not None and not isinstance(grades, Mapping):
        work.add("chain-evaluation", f"evaluation {number}: grades must map a distribution to a grade")
        grades = None
    reason = raw.get("reason")
    confirms_all, confirms = _confirmed(work, raw.get("confirmed"), number)
    _check_grades(work, stage, raw.get("grade"), grades, number)
    return StageResult(
        stage=stage.id,
        mode=stage.mode,
        role=stage.evaluator,
        given=True,
        evaluator=_text(raw.get("evaluator")),
        evaluator_level=_text(raw.get("evaluator_level")),
        value=_text(raw.get("grade")),
        grades={str(k): str(v) for k, v in (grades or {}).items() if v is not None},
        ratings=_ratings(work, raw.get("ratings"), number),
        reason=_text(reason.strip() if isinstance(reason, str) else reason),
        confirms_all=confirms_all,
        confirms=confirms,
    )


def _check_grades(
    work: _Review, stage: Stage, grade: Any, grades: Mapping[str, Any] | None, number: int
) -> None:
    """A grade must be a level of the scale it is given on: per distribution, that distribution's
    scale; a bare ``grade``, one of the policy's grading scales (none declared: not checkable)."""
    rules = work.rules
    where = f"evaluation {number} (stage '{stage.id}')"
    codes = rules.bare_grade_codes
    # No grading scale declared (kepco_like: the seed names no grades): nothing to check against;
    # explain says the grade is unchecked.
    if grade is not None and grade != "" and codes is not None and str(grade) not in codes:
        allowed = ", ".join(codes)
        work.add("chain-grade-scale", f"{where} gives grade {str(grade)!r}, not one of {allowed}")
    for key, value in (grades or {}).items():
        if value is None or not rules.grade_codes:  # no distributions: nothing to check against
            continue
        if str(key) not in rules.grade_codes:
            known = ", ".join(rules.grade_codes)
            work.add(
                "chain-grade-scale",
                f"{where} grades distribution '{key}', which the policy does not declare"
                f" (distributions: {known})",
            )
        elif str(value) not in rules.grade_codes[str(key)]:
            allowed = ", ".join(rules.grade_codes[str(key)])
            work.add("chain-grade-scale", f"{where} gives {key} grade {str(value)!r}, not one of {allowed}")


def _ratings(work: _Review, raw: Any, number: int) -> dict[int, dict[str, str]]:
    """``{indicator ref: code or {field: code}}`` -> ``{indicator number: {field: code}}``."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        work.add("chain-evaluation", f"evaluation {number}: ratings must map indicators to codes")
        return {}
    out: dict[int, dict[str, str]] = {}
    for ref, value in raw.items():
        index = indicator_number(ref, work.sheet)
        if index is None:
            work.add(
                "chain-unknown-indicator",
                f"evaluation {number} rates indicator {ref!r}; the sheet has {len(work.sheet)} indicator(s)",
            )
            continue
        rated = _rated_fields(work, value, number, index)
        if rated:
            out[index] = rated
    return out


def _rated_fields(work: _Review, value: Any, number: int, index: int) -> dict[str, str]:
    fields = work.rules.rating_fields
    if isinstance(value, Mapping):
        unknown = [str(k) for k in value if str(k) not in work.rules.indicator_fields]
        if unknown:
            work.add(
                "chain-rating-field",
                f"evaluation {number} rates field(s) {', '.join(unknown)}, "
                "not indicator fields of the policy",
                index,
            )
        rated = {str(k): str(v) for k, v in value.items() if str(k) not in unknown}
    elif len(fields) != 1:
        have = ", ".join(fields) or "none"
        work.add(
            "chain-rating-field",
            f"evaluation {number} gives a bare rating code, but the policy has {len(fields)} rating "
            f"(scale) indicator fields ({have}); write {{field: code}}",
            index,
        )
        return {}
    else:
        rated = {fields[0]: str(value)}
    for name, code in rated.items():
        codes = work.rules.rating_codes.get(name)
        if codes is not None and code not in codes:
            work.add(
                "chain-rating-scale",
                f"evaluation {number} rates {name} {code!r}, not one of {', '.join(codes)}",
                index,
            )
    return rated


def _confirmed(work: _Review, raw: Any, number: int) -> tuple[bool, frozenset[int]]:
    if raw is None or raw is False:
        return False, frozenset()
    if raw is True:
        return True, frozenset()
    refs: Sequence[Any] = raw if isinstance(raw, list) else [raw]
    found: set[int] = set()
    for ref in refs:
        index = indicator_number(ref, work.sheet)
        if index is None:
            message = f"evaluation {number} confirms indicator {ref!r}, which the sheet lacks"
            work.add("chain-unknown-indicator", message)
        else:
            found.add(index)
    return False, frozenset(found)


def _check_stage(work: _Review, chain: Chain, stage: Stage, result: StageResult, required: bool) -> None:
    if not result.given:
        if not required:
            return
        work.add("chain-stage-missing", _missing_text(work.rules, chain, stage))
        return
    level = stage.evaluator_level
    if level is not None and result.evaluator_level != level:
        has = f"level '{result.evaluator_level}'" if result.evaluator_level else "no evaluator_level"
        who = result.evaluator or "the evaluator"
        work.add(
            "chain-evaluator-level",
            f"stage '{stage.id}' needs an evaluator of level '{level}'; {who} has {has}",
        )


def _missing_text(rules: ChainRules, chain: Chain, stage: Stage) -> str:
    """``no evaluation for stage 'second' (...) of chain 'x'``, with an earlier period, why it is
    needed and where a table records it."""
    text = f"no evaluation for stage '{stage.id}' ({stage.evaluator}, {stage.mode}) of chain '{chain.id}'"
    if chain.period not in (None, rules.main_period):
        text += f" (period '{chain.period}')"
    if chain.confirms_period:
        text += ": the period's result counts in the score only once every stage of the chain is on record"
    if stage.field is not None:
        text += f"; record an evaluation for the stage or the evaluator's id in {stage.field}"
    return text


def _check_overrides(work: _Review, chain: Chain, stages: tuple[StageResult, ...]) -> None:
    """A stage that declares ``override_needs_reason`` and changes an earlier value needs a reason."""
    named = sorted({k for s in stages for k in s.grades})
    keys: list[str | None] = [*named] if named else [None]
    last_grade: dict[str | None, str] = {}
    last_rating: dict[tuple[int, str], str] = {}
    for stage, result in zip(chain.stages, stages, strict=True):
        silent = bool(stage.override_needs_reason and not result.reason)
        _grade_overrides(work, stage, result, keys, last_grade, silent)
        _rating_overrides(work, stage, result, last_rating, silent)


def _grade_overrides(
    work: _Review,
    stage: Stage,
    result: StageResult,
    keys: Sequence[str | None],
    last: dict[str | None, str],
    silent: bool,
) -> None:
    """The stage's grades against the last ones given (``last`` is updated); ``silent``: no reason."""
    for key in keys:
        value = result.grade(key)
        if value is None:
            continue
        before = last.get(key)
        if silent and before is not None and before != value:
            what = "the grade" if key is None else f"the {key} grade"
            work.add("chain-override-reason", _override_text(stage, what, before, value))
        last[key] = value


def _rating_overrides(
    work: _Review, stage: Stage, result: StageResult, last: dict[tuple[int, str], str], silent: bool
) -> None:
    """The stage's per-indicator ratings against the last ones given (``last`` is updated)."""
    for index, rated in sorted(result.ratings.items()):
        for name, code in rated.items():
            before = last.get((index, name))
            if silent and before is not None and before != code:
                text = _override_text(stage, f"the {name}", before, code)
                work.add("chain-override-reason", text, index)
            last[(index, name)] = code


def _override_text(stage: Stage, what: str, before: str, after: str) -> str:
    return (
        f"stage '{stage.id}' changes {what} from {before} to {after} without a reason; "
        "the policy requires one (override_needs_reason)"
    )


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
