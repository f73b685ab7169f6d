"""Evaluator chains: which chain applies to an employee, what each stage gave, the confirmations a
rating needs, and calibration of a population's proposed and final grades."""

from engine.chains.calibration import PopulationCalibration, calibrate_population, chosen_distributions
from engine.chains.review import ChainRules, NoChain, compile_chains, employee_env, review

__all__ = [
    "ChainRules",
    "NoChain",
    "PopulationCalibration",
    "calibrate_population",
    "chosen_distributions",
    "compile_chains",
    "employee_env",
    "review",
]
