"""Evaluations by period: each evaluation record belongs to the chain of the period it names
(none: the last declared period, the final evaluation); an evaluation for a period the policy does
not declare, or for a period no chain reviews or the record has no sheet of its own for, is a
problem (``chain-unknown-period``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.chains.model import ChainRules
from engine.errors import Problem
from engine.io.fields import did_you_mean
from engine.io.records import EmployeeRecord

#: An evaluation record with its 1-based number in the record's ``evaluations``.
Numbered = tuple[int, Mapping[str, Any]]


def by_period(
    rules: ChainRules, record: EmployeeRecord
) -> tuple[dict[str | None, list[Numbered]], list[Problem]]:
    """The record's evaluations by the period they name (none: the final one), each numbered as
    in the record; an evaluation naming a period the policy does not declare is a problem."""
    out: dict[str | None, list[Numbered]] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(record.evaluations, start=1):
        named = raw.get("period")
        if named is not None and str(named) not in rules.periods:
            known = ", ".join(rules.periods)
            have = f"(periods: {known}){did_you_mean(str(named), rules.periods)}" if known else "(none)"
            message = f"evaluation {number} is for period '{named}', which the policy does not declare {have}"
            problems.append(Problem(record.id, None, "chain-unknown-period", message, record.origin))
            continue
        period = rules.main_period if named is None else str(named)
        out.setdefault(period, []).append((number, raw))
    return out, problems


def unreviewed(record: EmployeeRecord, period: str | None, evaluations: list[Numbered]) -> list[Problem]:
    """Evaluations for a period that has no chain of its own, or no sheet of its own."""
    out = []
    for number, _ in evaluations:
        message = f"evaluation {number} is for period '{period}', which no evaluator chain reviews"
        if period not in record.periods:
            message = (
                f"evaluation {number} is for period '{period}', for which the record has no goal sheet of"
                " its own"
            )
        out.append(Problem(record.id, None, "chain-unknown-period", message, record.origin))
    return out
