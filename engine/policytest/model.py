"""The policy test file: what it holds, read with every node's line and column.

A test file sits next to its policy (``japan_mbo.test.yaml`` beside ``japan_mbo.yaml``)::

    hrpolicy-test: 1
    policy: japan_mbo.yaml                 # relative to this file
    cases:
      - name: seed example E001
        records: ../examples/japan_mbo/employees.yaml   # a records file, or the records inline
        parameters: {X: "3.0"}             # optional run-time parameters
        expect:
          employees:                       # per employee: formula values, grades, relative grades
            E001: {score: "79.50", rating: C}
          problems:                        # every problem the run must report, no more, no fewer
            - {employee: T1, indicator: 2, rule: sheet-weight-band}
          warnings: []                     # checked only when given

Problems in the file itself are diagnostics with rule ``test-file``, located in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from engine.errors import Diagnostic, Location
from engine.loader import LoadedDocument, load_yaml_file
from engine.location import Path
from engine.suggest import did_you_mean

RULE = "test-file"
TOP_KEYS = ("hrpolicy-test", "policy", "cases")
CASE_KEYS = ("name", "command", "records", "parameters", "options", "expect")
EXPECT_KEYS = ("employees", "problems", "warnings", "report")
#: What a case runs: ``evaluate`` (the default) or a command whose JSON report ``expect.report`` checks.
COMMANDS = ("evaluate", "pay", "jobeval", "workflow")
PROBLEM_KEYS = ("employee", "indicator", "rule", "message")


@dataclass(frozen=True)
class ExpectedProblem:
    """A problem a case must see: employee (None: the file), 1-based goal line (None: the sheet)."""

    employee: str | None
    indicator: int | None
    rule: str
    message: str | None
    at: Location


@dataclass(frozen=True)
class ExpectedValue:
    employee: str
    name: str
    value: Any
    at: Location


@dataclass(frozen=True)
class Case:
    name: str
    at: Location
    records: str | Mapping[str, Any]  # a path relative to the test file, or inline records
    records_path: Path  # where inline records sit in the test file
    parameters: Mapping[str, Any]
    values: tuple[ExpectedValue, ...]
    employees: tuple[str, ...]  # the employees whose values are expected, in file order
    problems: tuple[ExpectedProblem, ...]
    warnings: tuple[ExpectedProblem, ...] | None
    expect_at: Location
    command: str = "evaluate"
    options: Mapping[str, str] | None = None  # the command's options (``base_rate``, ``today``)
    report: Any = None  # part of the command's JSON report that must match
    report_path: Path = ()


@dataclass(frozen=True)
class PolicyTests:
    file: str
    policy: str  # the policy's path as the runner opens it
    cases: tuple[Case, ...]
    doc: LoadedDocument


class _Reader:
    def __init__(self, doc: LoadedDocument) -> None:
        self.doc = doc
        self.problems: list[Diagnostic] = []

    def at(self, path: Path, key: bool = False) -> Location:
        return self.doc.source.locate(path, key=key)

    def bad(self, path: Path, message: str, suggestion: str | None = None, key: bool = False) -> None:
        self.problems.append(Diagnostic(self.at(path, key), RULE, message, suggestion))

    def mapping(self, value: Any, path: Path, what: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.bad(path, f"{what} must be a mapping")
            return {}
        for key in value:
            if key not in keys:
                hint = did_you_mean(str(key), keys) or "use one of: " + ", ".join(keys)
                self.bad((*path, key), f"unknown key '{key}' in {what}", hint, key=True)
        return value

    def text(self, value: Any, path: Path, what: str) -> str | None:
        if isinstance(value, str) and value:
            return value
        self.bad(path, f"{what} must be text")
        return None

    def problem_list(self, value: Any, path: Path, what: str) -> tuple[ExpectedProblem, ...]:
        if not isinstance(value, list):
            self.bad(path, f"{what} must be a list")
            return ()
        found = []
        for index, raw in enumerate(value):
            where = (*path, index)
            entry = self.mapping(raw, where, f"an expected {what[:-1]}", PROBLEM_KEYS)
            rule = self.text(entry.get("rule"), (*where, "rule"), "rule") if entry else None
            indicator = entry.get("indicator")
            if indicator is not None and (not isinstance(indicator, int) or isinstance(indicator, bool)):
                self.bad((*where, "indicator"), "indicator must be a goal line number (1 for the first)")
                continue
            if rule is None:
                continue
            employee = entry.get("employee")
            message = entry.get("message")
            found.append(
                ExpectedProblem(
                    None if employee is None else str(employee),
                    indicator,
                    rule,
                    None if message is None else str(message),
                    self.at(where),
                )
            )
        return tuple(found)

    def values(self, value: Any, path: Path) -> tuple[tuple[ExpectedValue, ...], tuple[str, ...]]:
        if not isinstance(value, Mapping):
            self.bad(path, "employees must map employee ids to the values expected")
            return (), ()
        found: list[ExpectedValue] = []
        for employee, expected in value.items():
            where = (*path, employee)
            if not isinstance(expected, Mapping) or not expected:
                self.bad(where, f"employee {employee}: expected values must be a mapping of names to values")
                continue
            found += [
                ExpectedValue(str(employee), str(name), v, self.at((*where, name)))
                for name, v in expected.items()
            ]
        return tuple(found), tuple(str(e) for e in value)

    def parameters(self, entry: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
        """The case's ``parameters`` (empty, and a problem, when not a mapping)."""
        parameters = entry.get("parameters") or {}
        if not isinstance(parameters, Mapping):
            self.bad((*path, "parameters"), "parameters must be a mapping")
            return {}
        return parameters

    def command(self, entry: Mapping[str, Any], path: Path) -> tuple[str, Mapping[str, Any]] | None:
        """The command the case runs and its options; None (and a problem) when either is wrong."""
        command = entry.get("command", "evaluate")
        if command not in COMMANDS:
            hint = did_you_mean(str(command), COMMANDS) or "use one of: " + ", ".join(COMMANDS)
            self.bad((*path, "command"), f"unknown command '{command}'", hint)
            return None
        options = entry.get("options") or {}
        if not isinstance(options, Mapping) or (command == "evaluate" and options):
            self.bad((*path, "options"), "options are a mapping, for pay (base_rate) or workflow (today)")
            return None
        return str(command), options

    def fits(self, command: str, records: Any, expect: Mapping[str, Any], path: Path) -> bool:
        """A case of another command than ``evaluate`` reads a data file and expects a report."""
        if command == "evaluate":
            return True
        if set(expect) - {"report"} or "report" not in expect:
            self.bad((*path, "expect"), f"a {command} case expects a report: part of its JSON report")
            return False
        if not isinstance(records, str):
            self.bad((*path, "records"), f"a {command} case reads a data file: give its path")
            return False
        return True

    def case(self, raw: Any, path: Path) -> Case | None:
        entry = self.mapping(raw, path, "a test case", CASE_KEYS)
        if not entry:
            return None
        missing = [k for k in ("name", "records", "expect") if k not in entry]
        if missing:
            self.bad(path, f"a test case needs {', '.join(missing)}")
            return None
        name = self.text(entry["name"], (*path, "name"), "name")
        records = entry["records"]
        if not isinstance(records, str | Mapping):
            self.bad((*path, "records"), "records must be a records file's path or the records themselves")
            return None
        parameters = self.parameters(entry, path)
        chosen = self.command(entry, path)
        if chosen is None:
            return None
        command, options = chosen
        expect = self.mapping(entry["expect"], (*path, "expect"), "expect", EXPECT_KEYS)
        if not self.fits(command, records, expect, path):
            return None
        values, employees = self.values(expect.get("employees", {}), (*path, "expect", "employees"))
        problems = self.problem_list(expect.get("problems", []), (*path, "expect", "problems"), "problems")
        warnings = None
        if "warnings" in expect:
            warnings = self.problem_list(expect["warnings"], (*path, "expect", "warnings"), "warnings")
        if name is None:
            return None
        return Case(
            name,
            self.at(path),
            records,
            (*path, "records"),
            parameters,
            values,
            employees,
            problems,
            warnings,
            self.at((*path, "expect")),
            str(command),
            {str(k): str(v) for k, v in options.items()},
            expect.get("report"),
            (*path, "expect", "report"),
        )


def read_test_file(path: str) -> tuple[PolicyTests | None, list[Diagnostic]]:
    """Load and check a test file: the test file, or None and every problem found in it.

    Raises :class:`~engine.errors.UsageError` when the file cannot be read.
    """
    doc = load_yaml_file(path)
    if doc.diagnostics:
        return None, list(doc.diagnostics)
    reader = _Reader(doc)
    top = reader.mapping(doc.data, (), "a test file", TOP_KEYS)
    if top.get("hrpolicy-test") != 1:
        reader.bad(("hrpolicy-test",), "a test file starts with 'hrpolicy-test: 1'")
    policy = reader.text(top.get("policy"), ("policy",), "policy (the policy file, relative to this file)")
    raw_cases = top.get("cases")
    cases: list[Case] = []
    if not isinstance(raw_cases, list) or not raw_cases:
        reader.bad(("cases",), "cases must be a list of at least one test case")
    else:
        cases = [c for i, raw in enumerate(raw_cases) if (c := reader.case(raw, ("cases", i))) is not None]
    if reader.problems or policy is None:
        return None, sorted(reader.problems, key=Diagnostic.sort_key)
    return PolicyTests(path, str(beside(path, policy)), tuple(cases), doc), []


def beside(test_file: str, relative: str) -> str:
    """A path named in a test file, relative to the test file's folder."""
    return str(FsPath(test_file).parent / relative)
