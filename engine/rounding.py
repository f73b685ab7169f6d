"""Declared rounding: every rounding step a policy makes names its mode and places; numbers
written back as a policy owner wrote them (:func:`num`)."""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import HRPolicyError

#: Policy mode name -> decimal rounding constant.
MODES: dict[str, str] = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}


@dataclass(frozen=True)
class Rounding:
    """A rounding step: ``mode`` from :data:`MODES` and decimal ``places`` (negative: tens, ...)."""

    mode: str
    places: int

    @property
    def quantum(self) -> Decimal:
        """The smallest step a rounded value can move by (``places=1`` -> ``0.1``)."""
        return Decimal(1).scaleb(-self.places)

    def apply(self, value: Decimal) -> Decimal:
        """Round ``value`` as declared."""
        return round_decimal(value, self.places, self.mode)

    @classmethod
    def from_policy(cls, data: Any) -> Rounding | None:
        """Build from a policy mapping ``{mode: ..., places: ...}``; ``None`` stays ``None``."""
        if data is None:
            return None
        return cls(mode=str(data["mode"]), places=int(data["places"]))

    def describe(self) -> str:
        return f"round {self.mode} to {self.places} place{'s' if self.places != 1 else ''}"


def round_decimal(value: Decimal, places: int, mode: str) -> Decimal:
    """Round ``value`` to ``places`` decimal places with the named ``mode``.

    Negative places round to tens, hundreds, ... and the result keeps an integral exponent of 0
    so that it prints as a plain number (``1234`` at ``-2`` -> ``1200``).
    """
    try:
        rounding = MODES[mode]
    except KeyError:
        raise ValueError(f"unknown rounding mode {mode!r}; expected one of {', '.join(MODES)}") from None
    quantum = Decimal(1).scaleb(-places)
    try:
        result = value.quantize(quantum, rounding=rounding)
    except decimal.InvalidOperation:
        # quantize refuses when the result would need more digits than the context holds.
        raise HRPolicyError(
            f"{value} is too large to round to {places} decimal places "
            f"(more than {decimal.getcontext().prec} significant digits)"
        ) from None
    if places < 0:
        result = result.quantize(Decimal(1))
    return result


def num(value: int | Decimal) -> str:
    """A number as a policy owner wrote it: ``99.9``, ``100`` (never ``1E+2``)."""
    if isinstance(value, int):
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


#: Modes that never round an amount >= 0 up: incentive shares rounded with them never add up to
#: more than the pool (checked in the policy by ``pay-incentive-rounding``, and again when paying).
SHARE_MODES: tuple[str, ...] = ("down", "floor")
