"""Relative (forced) grading: groups by the declared keys, small groups merged up the org tree,
quota seats by largest remainder or top-down, calibration of proposed grades against the seats.

Grading itself (:mod:`.ranking`: :func:`distribute`, :func:`org_tree`) is loaded when first used
(PEP 562): it loads numpy (:mod:`.compact`), which checking a policy's distributions
(:func:`check_distribution`, by ``hrpolicy validate``) does not need (issue 12, point 5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.distribution.calibrate import CalibrationReport, GroupCalibration, calibrate
from engine.distribution.model import Candidate, DistributionResult, describe_key
from engine.distribution.rule import (
    allocate_quotas,
    check_distribution,
    compile_distribution,
    distribution_from_policy,
)

if TYPE_CHECKING:
    from engine.distribution.ranking import distribute, org_tree

#: The names loaded from :mod:`.ranking` when first asked for.
_RANKING = frozenset({"distribute", "org_tree"})


def __getattr__(name: str) -> Any:
    if name not in _RANKING:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from engine.distribution import ranking

    return getattr(ranking, name)


__all__ = [
    "CalibrationReport",
    "Candidate",
    "DistributionResult",
    "GroupCalibration",
    "allocate_quotas",
    "calibrate",
    "check_distribution",
    "compile_distribution",
    "describe_key",
    "distribute",
    "distribution_from_policy",
    "org_tree",
]
