"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles, chosen with HRPOLICY_HYPOTHESIS (default ``ci``): ``ci`` keeps every
# property test of the suite together well under a minute on two cores, ``dev`` is quicker
# still, ``long`` is for a deliberate hunt outside the suite.
for _name, _examples in (("ci", 150), ("dev", 40), ("long", 5000)):
    settings.register_profile(
        _name, max_examples=_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
settings.load_profile(os.environ.get("HRPOLICY_HYPOTHESIS", "ci"))

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
POLICIES = ROOT / "policies"


@pytest.fixture
def root() -> Path:
    return ROOT
