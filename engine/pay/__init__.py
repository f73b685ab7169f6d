"""Pay: merit matrix raises, pay-range zones, the incentive pool and its shares, promotion points."""

from engine.pay.incentive import IncentiveResult, allocate, compute_incentive, individual_values
from engine.pay.merit import merit_raise, run_parameters, zone_of
from engine.pay.promotion import PromotionInput, PromotionResult, promotion_points
from engine.pay.run import MeritLine, PayData, PayReport, build_pay_report

__all__ = [
    "IncentiveResult",
    "MeritLine",
    "PayData",
    "PayReport",
    "PromotionInput",
    "PromotionResult",
    "allocate",
    "build_pay_report",
    "compute_incentive",
    "individual_values",
    "merit_raise",
    "promotion_points",
    "run_parameters",
    "zone_of",
]
