"""The checks over a chain's stage results: a required stage on record, at the evaluator level it
declares; overrides without a reason where one is required; nobody signs for themselves or twice."""

from __future__ import annotations

from collections.abc import Sequence

from engine.chains.model import Chain, ChainRules, Stage, StageResult
from engine.chains.stage_results import ReviewWork


def check_stage(work: ReviewWork, chain: Chain, stage: Stage, result: StageResult, required: bool) -> None:
    """A stage on record (where ``required``), by an evaluator of the level it declares."""
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


def check_overrides(work: ReviewWork, chain: Chain, stages: tuple[StageResult, ...]) -> None:
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
    work: ReviewWork,
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
    work: ReviewWork, stage: Stage, result: StageResult, last: dict[tuple[int, str], str], silent: bool
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


def check_evaluators(work: ReviewWork, stages: Sequence[StageResult]) -> None:
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
