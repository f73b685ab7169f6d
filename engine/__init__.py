"""hrpolicy: declare HR evaluation policies in YAML, validate them, evaluate them exactly."""

from engine.errors import Diagnostic, HRPolicyError, PolicyInvalid, Severity

__all__ = ["Diagnostic", "HRPolicyError", "PolicyInvalid", "Severity", "__version__"]

__version__ = "0.1.0"
