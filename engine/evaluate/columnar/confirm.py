"""Confirmations over columns: the goal lines whose rating needs a confirming signature.

A CSV file holds no evaluations, so the per-record review
(:func:`engine.chains.confirm.check_confirmations`) finds a confirmation unmet exactly where its
condition holds on a line and the line's signature field is blank (or the confirmation names
no signature field). That holds whatever chain the employee gets, as long as no chain records
the confirming stage in an employee field (a signature there must then match the line's): such
a policy keeps the per-record path. An employee with a line that may need a confirmation it
lacks, or whose condition the plan cannot decide, is left to the per-record path, which
reports the exact problem.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from engine.chains.model import Confirmation
from engine.evaluate.columnar.numbers import Ints, Mask
from engine.evaluate.columnar.reading import any_per_group
from engine.evaluate.columnar.vectors import Call, Lookup, Unsupported, Walker, truth
from engine.evaluate.run import Engine


def confirmations_of(engine: Engine) -> tuple[Confirmation, ...]:
    """The confirmations the plan checks over columns; :class:`Unsupported` when a stage that
    could confirm is recorded in an employee field, or a condition reads more than the line."""
    rules = engine.chain_rules
    if rules is None or not rules.confirmations or not rules.chains:
        return ()  # without chains the review checks no confirmation
    fields = set(rules.indicator_fields)
    chains = [c for c in rules.chains if rules.period_of(c) == rules.main_period]
    for confirmation in rules.confirmations:
        if not confirmation.when.names <= fields:
            raise Unsupported(f"confirmation {confirmation.id} reads more than the goal line")
        for chain in chains:
            stage = chain.stage(confirmation.stage) if confirmation.stage is not None else None
            if confirmation.stage is not None and stage is None:
                raise Unsupported(f"confirmation {confirmation.id}: chain {chain.id} lacks its stage")
            signed_elsewhere = (
                any(s.field is not None for s in chain.stages)
                if confirmation.stage is None
                else stage is not None and stage.field is not None
            )
            if signed_elsewhere:
                raise Unsupported(f"confirmation {confirmation.id}: a stage recorded in an employee field")
    return rules.confirmations


def unconfirmed(
    confirmations: tuple[Confirmation, ...],
    lookup: Lookup,
    n_rows: int,
    starts: Ints,
    calls: Mapping[str, Call] | None = None,
) -> Mask:
    """Per employee: a line may lack a confirmation, or the plan cannot tell."""
    wrong = np.zeros(n_rows, bool)
    for confirmation in confirmations:
        condition = Walker(confirmation.when.parsed, n_rows, lookup, None, calls).run()
        if condition.kind != "bool":
            raise Unsupported(f"confirmation {confirmation.id}: a condition that is not true/false")
        holds, doubt = truth(condition)
        wrong |= doubt
        if confirmation.field is None:
            wrong |= holds
            continue
        signature = lookup(confirmation.field)
        wrong |= holds & (signature.missing | signature.bad)
    return any_per_group(wrong, starts)
