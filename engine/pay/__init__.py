"""Pay: merit matrix raises, pay-range zones, the incentive pool and its shares, promotion points."""

from engine.pay.incentive import IncentiveResult, allocate, compute_incentive, individual_values
from engine.pay.merit import merit_raise, run_parameters, zone_of
from engine.pay.promotion import PromotionInput, PromotionResult, promotion_points

__all__ = [
    "IncentiveResult",
    "PromotionInput",
    "PromotionResult",
    "allocate",
    "compute_incentive",
    "individual_values",
    "merit_raise",
    "promotion_points",
    "run_parameters",
    "zone_of",
]
