"""Relative (forced) grading: groups by the declared keys, small groups merged up the org tree,
quota seats by largest remainder or top-down, calibration of proposed grades against the seats."""

from engine.distribution.calibrate import CalibrationReport, GroupCalibration, calibrate
from engine.distribution.distribute import (
    DistributionResult,
    allocate_quotas,
    check_distribution,
    compile_distribution,
    distribute,
    distribution_from_policy,
    org_tree,
)
from engine.distribution.model import Candidate, describe_key

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
