"""Coverage items of the evaluator chains' own rules: confirmations, periods that count only once
confirmed, and stages recorded in an employee field.

- ``confirmation``: each of ``confirmations``; hit when a test expects its
  ``confirmation-missing`` problem and sees it, and an evaluated employee has a goal line it
  applies to (so it was met), in one case or two (:func:`engine.policytest.coverage.settle`).
- ``confirmed period``: each chain that ``confirms_period``; hit when a test expects its
  ``chain-stage-missing`` problem and sees it, and an evaluated employee's period under that
  chain has every stage on record.
- ``stage field``: each stage that declares ``field``; hit when an evaluated employee's stage
  was taken from that field (no evaluation record for it).
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.chains.confirm import rating_env
from engine.chains.model import ChainOutcome, ChainRules, Confirmation
from engine.chains.review import sheet_of
from engine.errors import HRPolicyError, Problem
from engine.evaluate.run import Engine, RunOutcome
from engine.io.records import EmployeeRecord, IndicatorRecord

#: An item as (kind, name); :mod:`engine.policytest.coverage` makes them its ``Item``.
Named = tuple[str, str]

CONFIRMATION, PERIOD, FIELD = "confirmation", "confirmed period", "stage field"
KINDS = (CONFIRMATION, PERIOD, FIELD)
PLURALS = ("confirmations", "confirmed periods", "stage fields")
#: The kinds hit in two halves (a problem expected and seen; an employee who met the rule).
HALVED = (CONFIRMATION, PERIOD)


def declared(engine: Engine) -> list[Named]:
    """The items of the policy's chains, in :data:`KINDS` order."""
    rules = engine.chain_rules
    if rules is None:
        return []
    return [
        *((CONFIRMATION, c.id) for c in rules.confirmations),
        *((PERIOD, c.id) for c in rules.chains if c.confirms_period),
        *((FIELD, f"{c.id}/{s.id}") for c in rules.chains for s in c.stages if s.field is not None),
    ]


def hits(
    engine: Engine, outcome: RunOutcome, confirmed: Iterable[Problem], refused: str, met: str
) -> set[Named]:
    """What ``outcome`` exercised of :func:`declared`: half-items ``<id> <refused>`` from the
    problems expected and seen, ``<id> <met>`` and stage fields from the evaluated employees."""
    rules = engine.chain_rules
    if rules is None or not declared(engine):
        return set()
    hit = {(kind, f"{name} {refused}") for p in confirmed for kind, name in _refused(rules, p)}
    records = {r.id: r for r in outcome.population.employees}
    for result in outcome.results:
        record = records[result.id]
        reviewed = engine.review(record, result.values)
        if reviewed is None:
            continue
        hit |= {
            (kind, name if kind == FIELD else f"{name} {met}") for kind, name in _met(rules, record, reviewed)
        }
    return hit


def _refused(rules: ChainRules, problem: Problem) -> list[Named]:
    """The halved items whose rule ``problem`` shows refusing a record."""
    text = problem.message
    if problem.rule == "confirmation-missing":
        return [
            (CONFIRMATION, c.id) for c in rules.confirmations if text.startswith(f"confirmation '{c.id}' ")
        ]
    if problem.rule == "chain-stage-missing":
        return [(PERIOD, c.id) for c in rules.chains if c.confirms_period and f"of chain '{c.id}'" in text]
    return []


def _met(rules: ChainRules, record: EmployeeRecord, reviewed: ChainOutcome) -> list[Named]:
    """The items an evaluated employee's review shows working: stages from their field, periods
    confirmed by every stage, confirmations that applied to a goal line (and so were met)."""
    chains = {c.id: c for c in rules.chains}
    found: list[Named] = []
    for done in (*reviewed.periods, reviewed):
        chain = chains.get(done.chain or "")
        if chain is None:
            continue
        found += [(FIELD, f"{chain.id}/{s.stage}") for s in done.stages if s.signed_in is not None]
        if chain.confirms_period and all(s.given for s in done.stages):
            found.append((PERIOD, chain.id))
    sheet = sheet_of(record)
    for confirmation in rules.confirmations:
        if any(_applies(rules, confirmation, line, n, reviewed) for n, line in enumerate(sheet, start=1)):
            found.append((CONFIRMATION, confirmation.id))
    return found


def _applies(
    rules: ChainRules, confirmation: Confirmation, line: IndicatorRecord, number: int, reviewed: ChainOutcome
) -> bool:
    try:
        return confirmation.when(rating_env(rules, line, number, reviewed.stages)) is True
    except HRPolicyError:
        return False
