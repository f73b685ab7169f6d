"""Shared test fixtures."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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


@pytest.fixture(scope="module", autouse=True)
def _module_files_removed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The folders a module's fixtures made (populations of 100,000 people, the pre-commit
    store...) are removed when its last test has run and none of them failed: the suite then needs
    no more free disk than its largest module, where it once kept every module's files to the end
    (274 MB) and ran a CI machine out of space. ``tmp_path_retention_policy = "failed"`` does the
    same for each test's own ``tmp_path``; a failure keeps everything for the post-mortem."""
    base = tmp_path_factory.getbasetemp()
    before = set(base.iterdir())
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed == failed:
        for made in set(base.iterdir()) - before:
            shutil.rmtree(made, ignore_errors=True)
