"""What ``explain`` and ``calibrate`` show of an employee's review: each chain, why it applies,
and what every stage gave."""

from __future__ import annotations

from engine.chains.model import ChainOutcome, ChainRules, StageResult


def describe_review(outcome: ChainOutcome, rules: ChainRules) -> list[str]:
    """What ``explain`` shows of a review: each earlier period's chain (``period 'midterm':``
    first), then the final chain; each chain and why it applies, then each stage."""
    lines: list[str] = []
    for earlier in outcome.periods:
        lines += [f"period '{earlier.period}': {line}" for line in _describe_one(earlier, rules)]
    return lines + _describe_one(outcome, rules)


def _describe_one(outcome: ChainOutcome, rules: ChainRules) -> list[str]:
    """One chain's lines: which chain applies and why, then one line per stage."""
    unchecked = " (unchecked: the policy declares no grade scale)" if rules.bare_grade_codes is None else ""
    if outcome.chain is None:
        return [] if not rules.chains else ["no evaluator chain applies"]
    lines = [f"chain '{outcome.chain}' ({outcome.label}) applies: {outcome.why}"]
    return lines + [_describe_stage(stage, unchecked) for stage in outcome.stages]


def _describe_stage(stage: StageResult, unchecked: str) -> str:
    """One stage's line: who evaluated (level, where recorded) and what they gave, or that
    no evaluation is on record."""
    head = f"stage '{stage.stage}' ({stage.role}, {stage.mode})"
    if not stage.given:
        return f"{head}: no evaluation on record"
    who = stage.evaluator or "an unnamed evaluator"
    level = f", level '{stage.evaluator_level}'" if stage.evaluator_level else ""
    signed = f" (recorded in {stage.signed_in})" if stage.signed_in else ""
    gave = _stage_gave(stage, unchecked)
    return f"{head}: by {who}{level}{signed}" + (f": {'; '.join(gave)}" if gave else "")


def _stage_gave(stage: StageResult, unchecked: str) -> list[str]:
    """What a stage gave: its grade, other grades, indicator ratings, confirmations, reason."""
    gave = [f"grade {stage.value}{unchecked}"] if stage.value else []
    gave += [f"{k} {v}" for k, v in stage.grades.items()]
    ratings = sorted(stage.ratings.items())
    gave += [f"indicator {n} {name} {code}" for n, rated in ratings for name, code in rated.items()]
    if stage.confirms_all or stage.confirms:
        gave.append("confirms " + ("every rating" if stage.confirms_all else _numbers(stage.confirms)))
    if stage.reason:
        gave.append(f"reason: {stage.reason}")
    return gave


def _numbers(indicators: frozenset[int]) -> str:
    return "indicator(s) " + ", ".join(str(n) for n in sorted(indicators))
