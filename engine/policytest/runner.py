"""Run a policy's test cases: read the records, evaluate, compare with what each case expects.

Every mismatch is a located diagnostic in the *test file* (rule ``test-failed``), so a failing
test points at the expectation that failed, in every output format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DataError, Diagnostic, HRPolicyError, Location, PolicyInvalid, Problem, UsageError
from engine.evaluate.run import Engine, RunOutcome
from engine.io.model import compile_inputs
from engine.io.nested import read_nested
from engine.io.records import Population
from engine.location import Path
from engine.policytest.coverage import Item, declared_items, items_hit
from engine.policytest.match import mismatches, same
from engine.policytest.model import Case, ExpectedProblem, PolicyTests, beside
from engine.provenance import Stamp

FAILED = "test-failed"

#: Builds a command's JSON report (parsed): (policy path, data path, options) -> report. The
#: commands layer provides them (``pay``, ``jobeval``, ``workflow``); this package runs ``evaluate``.
Reporter = Callable[[str, str, Mapping[str, str]], Any]


@dataclass
class CaseResult:
    """One case: its failures (empty: passed) and what it exercised."""

    case: Case
    failures: list[Diagnostic] = field(default_factory=list)
    hit: set[Item] = field(default_factory=set)
    checks: int = 0  # expectations compared

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class FileResult:
    """One test file: its cases' results, or the problems that stopped it (its own or its policy's)."""

    file: str
    policy: str
    cases: list[CaseResult] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    declared: tuple[Item, ...] = ()
    #: The tested policy's id, version and content hash (None: it did not load or compile).
    stamp: Stamp | None = None


def _read_inline(engine: Engine, test: PolicyTests, case: Case) -> Population:
    data = engine.source.data
    rules = compile_inputs(data.get("inputs") or {}, data.get("scales") or {})

    def where(node: Path, key: bool) -> str:
        return str(test.doc.source.locate((*case.records_path, *node), key=key))

    return read_nested(case.records, test.file, where, rules, dict(case.parameters))


#: How to read a case's CSV file or workbook: (encoding, sheet); None each: detected, found.
TableReading = tuple[str | None, str | None]


def _population(
    engine: Engine, test: PolicyTests, case: Case, reading: TableReading = (None, None)
) -> Population:
    if isinstance(case.records, str):
        encoding, sheet = reading
        return engine.read(beside(test.file, case.records), case.parameters, encoding=encoding, sheet=sheet)
    return _read_inline(engine, test, case)


def _actual(outcome: RunOutcome, employee: str, name: str) -> tuple[bool, Any]:
    """(found, value) of ``name`` for ``employee``: a formula value, a grade, a relative grade."""
    result = next((r for r in outcome.results if r.id == employee), None)
    if result is not None:
        if name in result.values:
            return True, result.values[name]
        if name in result.grades:
            return True, result.grades[name].grade
        if name.endswith("_points") and name[: -len("_points")] in result.grades:
            return True, result.grades[name[: -len("_points")]].points
    if name in outcome.relative:
        return True, outcome.relative[name].grade_of(employee)
    return False, None


def _shown_problem(p: Problem) -> str:
    where = f"employee {p.employee_id}" if p.employee_id else "the records"
    line = f", goal line {p.indicator}" if p.indicator is not None else ""
    return f"{where}{line}: [{p.rule}] {p.message} ({p.origin})"


def _matches(expected: ExpectedProblem, actual: Problem) -> bool:
    return (
        expected.employee == actual.employee_id
        and expected.indicator == actual.indicator
        and expected.rule == actual.rule
        and (expected.message is None or expected.message == actual.message)
    )


def _compare_problems(
    expected: Sequence[ExpectedProblem],
    actual: Sequence[Problem],
    what: str,
    at: Location,
    result: CaseResult,
) -> list[Problem]:
    """Pair every expected problem with one the run reported; the rest fail the case."""
    left = list(actual)
    confirmed = []
    for want in expected:
        result.checks += 1
        found = next((p for p in left if _matches(want, p)), None)
        if found is None:
            who = f"employee {want.employee}" if want.employee else "the records"
            line = f", goal line {want.indicator}" if want.indicator is not None else ""
            result.failures.append(
                Diagnostic(want.at, FAILED, f"expected {what[:-1]} not reported: {who}{line} [{want.rule}]")
            )
        else:
            left.remove(found)
            confirmed.append(found)
    for extra in left:
        result.failures.append(Diagnostic(at, FAILED, f"unexpected {what[:-1]}: {_shown_problem(extra)}"))
    return confirmed


def _compare_values(outcome: RunOutcome, case: Case, result: CaseResult) -> None:
    known = {r.id for r in outcome.population.employees}
    evaluated = {r.id for r in outcome.results}
    failed = {p.employee_id: p for p in outcome.problems if p.employee_id is not None}
    for want in case.values:
        result.checks += 1
        found, value = _actual(outcome, want.employee, want.name)
        if found and same(want.value, value):
            continue
        if want.employee not in known:
            message = f"no employee '{want.employee}' in the records"
        elif want.employee not in evaluated and want.employee in failed:
            message = f"{want.employee} was not evaluated: {_shown_problem(failed[want.employee])}"
        elif not found:
            message = (
                f"{want.employee}: '{want.name}' is no formula, grade table or distribution of the policy"
            )
        else:
            message = f"{want.employee} {want.name}: expected {want.value}, got {value}"
        result.failures.append(Diagnostic(want.at, FAILED, message))


def _leaves(expected: Any) -> int:
    """How many values an expected report part names (an empty list counts as one check)."""
    if isinstance(expected, Mapping):
        return sum(_leaves(v) for v in expected.values())
    if isinstance(expected, list):
        return sum(_leaves(v) for v in expected) or 1
    return 1


def _where(report: Path) -> str:
    return "report" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in report)


def run_report_case(test: PolicyTests, case: Case, reporters: Mapping[str, Reporter]) -> CaseResult:
    """Run a ``pay``/``jobeval``/``workflow`` case and compare its JSON report with the expected part."""
    result = CaseResult(case)
    reporter = reporters.get(case.command)
    if reporter is None:
        result.failures.append(Diagnostic(case.at, FAILED, f"no {case.command} report in this build"))
        return result
    assert isinstance(case.records, str)
    try:
        report = reporter(test.policy, beside(test.file, case.records), case.options or {})
    except HRPolicyError as exc:
        result.failures.append(
            Diagnostic(test.doc.source.locate(case.records_path), FAILED, f"{case.command}: {exc}")
        )
        return result
    result.checks = _leaves(case.report)
    for sub, message in mismatches(case.report, report):
        at = test.doc.source.locate((*case.report_path, *sub))
        result.failures.append(Diagnostic(at, FAILED, f"{_where(sub)}: {message}"))
    return result


def run_case(
    engine: Engine, test: PolicyTests, case: Case, reading: TableReading = (None, None)
) -> CaseResult:
    """Evaluate one case's records (traced, for coverage) and compare with its expectations."""
    result = CaseResult(case)
    try:
        population = _population(engine, test, case, reading)
    except (DataError, UsageError) as exc:
        result.failures.append(
            Diagnostic(test.doc.source.locate(case.records_path), FAILED, f"records: {exc}")
        )
        return result
    outcome = engine.evaluate(population, trace=True)
    _compare_values(outcome, case, result)
    confirmed = _compare_problems(case.problems, outcome.problems, "problems", case.expect_at, result)
    if case.warnings is not None:
        confirmed += _compare_problems(case.warnings, outcome.warnings, "warnings", case.expect_at, result)
    result.hit = items_hit(engine, outcome, confirmed)
    return result


Engines = dict[str, Engine | HRPolicyError]


def run_test_file(
    test: PolicyTests,
    engines: Engines,
    reporters: Mapping[str, Reporter] | None = None,
    reading: TableReading = (None, None),
) -> FileResult:
    """Every case of ``test``; ``engines`` caches each policy's compiled engine (or why it has
    none); ``reading``: the encoding and sheet of the CSV files and workbooks cases read."""
    if test.policy not in engines:
        try:
            engines[test.policy] = Engine.from_file(test.policy)
        except HRPolicyError as exc:  # invalid, unreadable, or failing to compile
            engines[test.policy] = exc
    engine = engines[test.policy]
    found = FileResult(test.file, test.policy)
    if isinstance(engine, PolicyInvalid):
        found.errors = list(engine.diagnostics)
        return found
    if isinstance(engine, HRPolicyError):
        found.errors = [Diagnostic(test.doc.source.locate(("policy",)), "test-file", str(engine))]
        return found
    found.declared = tuple(declared_items(engine))
    found.stamp = engine.policy.stamp
    for case in test.cases:
        try:
            if case.command == "evaluate":
                found.cases.append(run_case(engine, test, case, reading))
            else:
                found.cases.append(run_report_case(test, case, reporters or {}))
        except HRPolicyError as exc:
            found.cases.append(CaseResult(case, [Diagnostic(case.at, FAILED, str(exc))]))
    return found
