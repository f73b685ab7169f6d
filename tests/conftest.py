"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
POLICIES = ROOT / "policies"


@pytest.fixture
def root() -> Path:
    return ROOT
