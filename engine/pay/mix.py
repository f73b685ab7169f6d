"""What the pay mix governs: each employee's target for one mix component from the pay held in
another (``pay.mix_target``), e.g. the variable pay from the base pay at 9 : 1.

Rule: target = field x mix[target] / mix[of], rounded to ``rounding.unit`` by ``rounding.mode``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import DataError
from engine.rounding import round_decimal


@dataclass(frozen=True)
class MixTarget:
    """One employee's target for the governed component, and how it was found."""

    employee: str
    held: Decimal
    target: Decimal
    explanation: str


@dataclass(frozen=True)
class MixResult:
    """Every employee's target and their total."""

    component: str
    targets: Sequence[MixTarget]
    #: The sum of the targets, when it was added up as they were made.
    added: Decimal | None = None

    @property
    def total(self) -> Decimal:
        if self.added is not None:
            return self.added
        return sum((t.target for t in self.targets), Decimal(0))


def mix_targets(policy: Mapping[str, Any], employees: Sequence[Mapping[str, Any]]) -> MixResult:
    """Each employee's target under ``pay.mix_target`` (employees need ``id`` and the field).

    Raises :class:`DataError` naming the employee whose field is missing or not a number.
    """
    pay = policy.get("pay") or {}
    spec, mix = pay["mix_target"], pay.get("mix") or {}
    field, of, target = str(spec["field"]), str(spec["of"]), str(spec["target"])
    share, held_share = Decimal(str(mix[target])), Decimal(str(mix[of]))
    unit, mode = Decimal(str(spec["rounding"]["unit"])), str(spec["rounding"]["mode"])
    found = []
    for person in employees:
        value = person.get(field)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise DataError(f"employee {person['id']}: '{field}' has no number for the pay mix target")
        held = Decimal(value)
        exact = held * share / held_share
        amount = round_decimal(exact / unit, 0, mode) * unit
        ratio = f"{share} / {held_share}"
        why = f"{target} = {field} x {ratio} = {held} x {ratio} = {exact} -> {amount}"
        found.append(MixTarget(str(person["id"]), held, amount, why))
    return MixResult(target, tuple(found))
