"""Confirmations: ratings that need a given stage, by an evaluator of a given level, to confirm them.

For every indicator of the sheet, the condition of each confirmation is evaluated over the
indicator's fields with the stages' ratings laid over them (a later stage's rating replaces an
earlier one: what counts is the rating that stands). Where it holds, the required stage must
have an evaluation, by an evaluator of the required level, that confirms the indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.chains.model import Chain, ChainRules, Confirmation, StageResult
from engine.errors import Problem
from engine.formula import FormulaRuntimeError
from engine.io.records import IndicatorRecord


def indicator_number(ref: Any, sheet: Sequence[IndicatorRecord]) -> int | None:
    """The 1-based number of the indicator ``ref`` names: an indicator ``id`` field, else a number."""
    for number, line in enumerate(sheet, start=1):
        if "id" in line.fields and str(line.fields["id"]) == str(ref):
            return number
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        number = int(ref)
        return number if 1 <= number <= len(sheet) else None
    return None


def rating_env(
    rules: ChainRules, line: IndicatorRecord, number: int, stages: Sequence[StageResult]
) -> dict[str, Any]:
    """The indicator's fields (absent ones ``None``, defaults applied) with the standing ratings."""
    env: dict[str, Any] = dict.fromkeys(rules.indicator_fields)
    env.update(rules.indicator_defaults)
    env.update({k: v for k, v in line.fields.items() if v is not None})
    for stage in stages:
        env.update(stage.ratings.get(number, {}))
    return env


def check_confirmations(
    rules: ChainRules,
    chain: Chain,
    sheet: Sequence[IndicatorRecord],
    stages: Sequence[StageResult],
    employee_id: str,
    origin: str,
) -> list[Problem]:
    """A ``confirmation-missing`` problem per confirmation and indicator whose requirement is unmet."""
    problems: list[Problem] = []
    for number, line in enumerate(sheet, start=1):
        env = rating_env(rules, line, number, stages)
        for confirmation in rules.confirmations:
            try:
                applies = confirmation.when(env) is True
            except FormulaRuntimeError as exc:
                message = f"confirmation '{confirmation.id}': {exc}"
                problems.append(Problem(employee_id, number, "confirmation-condition-error", message, origin))
                continue
            if not applies:
                continue
            why = _unmet(confirmation, chain, stages, number, line)
            if why is not None:
                message = f"confirmation '{confirmation.id}' ({confirmation.text}) is missing: {why}"
                problems.append(Problem(employee_id, number, "confirmation-missing", message, origin))
    return problems


def _unmet(
    confirmation: Confirmation,
    chain: Chain,
    stages: Sequence[StageResult],
    number: int,
    line: IndicatorRecord,
) -> str | None:
    """Why the requirement is not met for indicator ``number``, or ``None`` when it is."""
    wanted, level = confirmation.stage, confirmation.evaluator_level
    if wanted is not None and chain.stage(wanted) is None:
        return f"chain '{chain.id}' has no stage '{wanted}' to confirm it"
    given, right_level = _evaluations(stages, wanted, level)
    who = _who_must(wanted, level)
    signature = _signature(confirmation, line)
    if signature is not None:
        return _signed(confirmation, who, signature, given)
    if not given:
        unsigned = f" and no signature in {confirmation.field}" if confirmation.field else ""
        return f"{who} must confirm it; there is no evaluation for stage '{wanted}'{unsigned}"
    if any(s.confirmed(number) for s in right_level):
        return None
    if not right_level:
        shown = ", ".join(_who(s) for s in given)
        return f"{who} must confirm it; the evaluation is by {shown}"
    return f"{who} must confirm it; {', '.join(_who(s) for s in right_level)} did not confirm it"


def _signature(confirmation: Confirmation, line: IndicatorRecord) -> str | None:
    if confirmation.field is None:
        return None
    value = line.fields.get(confirmation.field)
    return None if value is None or str(value).strip() == "" else str(value)


def _signed(
    confirmation: Confirmation, who: str, signature: str, given: Sequence[StageResult]
) -> str | None:
    """A signature stands for the confirmation; with the stage's evaluation on record, it must be
    that evaluator's, of the required level."""
    if not given:
        return None
    level = confirmation.evaluator_level
    for stage in given:
        if stage.evaluator == signature and (level is None or stage.evaluator_level == level):
            return None
    shown = ", ".join(_who(s) for s in given)
    signed = f"{confirmation.field} is signed by {signature}"
    return f"{who} must confirm it; {signed}, but the evaluation is by {shown}"


def _evaluations(
    stages: Sequence[StageResult], stage: str | None, level: str | None
) -> tuple[list[StageResult], list[StageResult]]:
    """The evaluations given at ``stage`` (any stage if None), and those by an evaluator of ``level``."""
    given = [s for s in stages if s.given and (stage is None or s.stage == stage)]
    return given, [s for s in given if level is None or s.evaluator_level == level]


def _who_must(stage: str | None, level: str | None) -> str:
    """``stage 'second' by an evaluator of level 'director'``: who the requirement names."""
    who = f"stage '{stage}'" if stage is not None else "a stage"
    return who if level is None else f"{who} by an evaluator of level '{level}'"


def _who(stage: StageResult) -> str:
    person = stage.evaluator or "an unnamed evaluator"
    level = f"level '{stage.evaluator_level}'" if stage.evaluator_level else "no evaluator_level"
    return f"{person} ({level})"
