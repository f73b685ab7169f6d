"""Evaluator chains: which chain applies to an employee, what each stage gave, the confirmations a
rating needs (calibrating a population's grades is engine.evaluate.calibration)."""

from engine.chains.review import ChainRules, NoChain, compile_chains, employee_env, review

__all__ = [
    "ChainRules",
    "NoChain",
    "compile_chains",
    "employee_env",
    "review",
]
