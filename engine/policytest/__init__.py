"""Tests stored with a policy (``<policy>.test.yaml``): run them and measure what they cover.

Usage::

    run = run_tests(["policies/"])
    run.passed, run.files[0].cases[0].failures, run.coverage["policies/japan_mbo.yaml"].percent

A folder is searched for test files by content (the top-level ``hrpolicy-test:`` key); a policy
file named directly stands for the test file beside it (``japan_mbo.yaml`` ->
``japan_mbo.test.yaml``). See :mod:`engine.policytest.model` for the file's shape and
:mod:`engine.policytest.coverage` for what coverage counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import UNREADABLE, Diagnostic, Location, UsageError
from engine.io.discover import POLICY_KEY, TEST_KEY, discover, has_top_level_key
from engine.policytest.coverage import Coverage, Item, settle
from engine.policytest.model import PolicyTests, read_test_file
from engine.policytest.runner import CaseResult, Engines, FileResult, Reporter, TableReading, run_test_file

__all__ = [
    "CaseResult",
    "Coverage",
    "FileResult",
    "PolicyTests",
    "Reporter",
    "SuiteRun",
    "read_test_file",
    "run_tests",
]


@dataclass
class SuiteRun:
    """Every test file's result, the files that could not be run, and each policy's coverage."""

    files: list[FileResult] = field(default_factory=list)
    broken: list[tuple[str, list[Diagnostic]]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)

    @property
    def cases(self) -> list[CaseResult]:
        return [c for f in self.files for c in f.cases]

    @property
    def passed(self) -> bool:
        return not self.broken and all(not f.errors and all(c.passed for c in f.cases) for f in self.files)


def sibling_test_file(policy: str) -> str:
    """The test file that belongs to a policy file: ``x.yaml`` -> ``x.test.yaml``."""
    path = Path(policy)
    return str(path.with_name(f"{path.stem}.test{path.suffix}"))


def _targets(paths: Sequence[str], exclude: Sequence[str], run: SuiteRun) -> list[str]:
    found = discover(paths, key=TEST_KEY, exclude=exclude)
    run.skipped = found.skipped
    for path in found.missing:
        run.broken.append((path, [Diagnostic(Location(path, 0, 0), UNREADABLE, "no such file or folder")]))
    targets = []
    named = set(paths)
    for path in found.files:
        if path in named and not has_top_level_key(path, TEST_KEY) and has_top_level_key(path, POLICY_KEY):
            sibling = sibling_test_file(path)
            if not Path(sibling).is_file():
                message = f"no test file for this policy (expected {sibling})"
                run.broken.append((path, [Diagnostic(Location(path, 0, 0), UNREADABLE, message)]))
                continue
            path = sibling
        if path not in targets:
            targets.append(path)
    return targets


def run_tests(
    paths: Sequence[str],
    exclude: Sequence[str] = (),
    reporters: Mapping[str, Reporter] | None = None,
    reading: TableReading = (None, None),
) -> SuiteRun:
    """Find the test files ``paths`` name, run every case, and add up coverage per policy.

    ``reporters`` build the JSON reports that ``pay``, ``jobeval`` and ``workflow`` cases check;
    ``reading``: the encoding and sheet of the CSV files and workbooks cases read.
    """
    run = SuiteRun()
    engines: Engines = {}
    for path in _targets(paths, exclude, run):
        try:
            test, problems = read_test_file(path)
        except UsageError as exc:
            message = str(exc).removeprefix(f"{path}: ")
            run.broken.append((path, [Diagnostic(Location(path, 0, 0), UNREADABLE, message)]))
            continue
        if test is None:
            run.broken.append((path, problems))
            continue
        run.files.append(run_test_file(test, engines, reporters, reading))
    _add_coverage(run)
    return run


def _add_coverage(run: SuiteRun) -> None:
    declared: dict[str, tuple[Item, ...]] = {}
    hit: dict[str, set[Item]] = {}
    for result in run.files:
        if result.errors:
            continue
        declared[result.policy] = result.declared
        hits = hit.setdefault(result.policy, set())
        for case in result.cases:
            if case.passed:  # a failing case shows nothing works
                hits |= case.hit
    run.coverage = {p: Coverage(p, declared[p], frozenset(settle(hit[p]))) for p in declared}
