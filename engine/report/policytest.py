"""``hrpolicy test`` reports in a registry: ``text``, ``json``, ``junit``, ``sarif`` and ``github``.

A failing expectation is a located diagnostic in the test file, so SARIF and GitHub annotations
are the diagnostics renderers over those; JUnit lists every case, passed or not. Every format
records the stamp (id, version, content hash) of each policy tested: text under its test file's
line, json as ``policies`` and each file's ``stamp``, junit as a suite property, sarif and github
as ``validate`` shows them (an artifact, a log line).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from engine.errors import Diagnostic
from engine.provenance import Stamp
from engine.report import diagnostics
from engine.report.diagnostics import format_text_line
from engine.report.junit import Case, Suite, render_suites

if TYPE_CHECKING:  # the report needs the types only; the CLI reads the registry's keys cheaply
    from engine.policytest import Coverage, FileResult, SuiteRun


@dataclass(frozen=True)
class TestReport:
    """What a renderer is given: the run, whether to show coverage, and the minimum asked for."""

    run: SuiteRun
    coverage: bool = False
    min_coverage: float | None = None

    @property
    def below_minimum(self) -> list[Coverage]:
        if self.min_coverage is None:
            return []
        return [c for c in self.run.coverage.values() if c.percent < self.min_coverage]


class TestRenderer(Protocol):
    def __call__(self, report: TestReport) -> str: ...


def percent(value: float) -> str:
    """Coverage as the reports print it: one decimal, rounded down so 99.96 never shows as 100.0."""
    return f"{int(value * 10) / 10:.1f}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _file_text(result: FileResult) -> list[str]:
    lines = [f"{result.file} (policy {result.policy})"]
    if result.stamp is not None:
        lines.append(f"  {result.stamp.short()}")
    lines += [f"  {format_text_line(d)}" for d in result.errors]
    for case in result.cases:
        status = "PASS" if case.passed else "FAIL"
        lines.append(f"  {status}  {case.case.name} ({_plural(case.checks, 'check')})")
        lines += [f"        {format_text_line(d)}" for d in case.failures]
    return lines


def coverage_text(cov: Coverage) -> list[str]:
    """The coverage block of one policy: totals, per kind, and each item not covered."""
    lines = [
        f"coverage of {cov.policy}: {len(cov.covered)} of {_plural(len(cov.declared), 'item')}"
        f" ({percent(cov.percent)} %)"
    ]
    from engine.policytest.coverage import PLURALS  # (it imports the engine: not for `validate`)

    lines += [f"  {PLURALS[kind]:<19} {covered}/{declared}" for kind, covered, declared in cov.by_kind()]
    lines += [f"  not covered: {item.kind} {item.name}" for item in cov.missed]
    return lines


def summary_line(run: SuiteRun) -> str:
    cases = run.cases
    failed = sum(1 for c in cases if not c.passed)
    text = f"{_plural(len(cases), 'case')}: {len(cases) - failed} passed, {failed} failed"
    errors = sum(1 for f in run.files if f.errors) + len(run.broken)
    if errors:
        text += f"; {_plural(errors, 'test file')} could not run"
    if run.skipped:
        text += f"; skipped {_plural(len(run.skipped), 'YAML file')} without 'hrpolicy-test:'"
    return text


def render_text(report: TestReport) -> str:
    run = report.run
    lines = [format_text_line(d) for _, diags in run.broken for d in diags]
    for result in run.files:
        lines += _file_text(result)
    if report.coverage:
        for cov in run.coverage.values():
            lines += coverage_text(cov)
    for cov in report.below_minimum:
        minimum = f"{report.min_coverage:g}"
        lines.append(f"coverage of {cov.policy} is {percent(cov.percent)} %, below the minimum {minimum} %")
    lines.append(summary_line(run))
    return "".join(f"{line}\n" for line in lines)


def _coverage_dict(cov: Coverage) -> dict[str, Any]:
    return {
        "percent": round(cov.percent, 2),
        "covered": len(cov.covered),
        "declared": len(cov.declared),
        "kinds": {kind: {"covered": c, "declared": d} for kind, c, d in cov.by_kind()},
        "missed": [{"kind": i.kind, "name": i.name} for i in cov.missed],
    }


def render_json(report: TestReport) -> str:
    run = report.run
    payload: dict[str, Any] = {
        "policies": [s.as_dict() for s in _stamps(report).values()],
        "files": [
            {
                "file": f.file,
                "policy": f.policy,
                "stamp": f.stamp.as_dict() if f.stamp is not None else None,
                "errors": [d.to_dict() for d in f.errors],
                "cases": [
                    {
                        "name": c.case.name,
                        "line": c.case.at.line,
                        "passed": c.passed,
                        "checks": c.checks,
                        "failures": [d.to_dict() for d in c.failures],
                    }
                    for c in f.cases
                ],
            }
            for f in run.files
        ],
        "broken": [{"file": name, "diagnostics": [d.to_dict() for d in diags]} for name, diags in run.broken],
        "skipped": run.skipped,
        "passed": sum(1 for c in run.cases if c.passed),
        "failed": sum(1 for c in run.cases if not c.passed),
    }
    if report.coverage or report.min_coverage is not None:
        payload["coverage"] = {p: _coverage_dict(c) for p, c in run.coverage.items()}
        payload["below_minimum"] = [c.policy for c in report.below_minimum]
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _lines(diags: Sequence[Diagnostic]) -> tuple[str, ...]:
    return tuple(format_text_line(d) for d in diags)


def render_junit(report: TestReport) -> str:
    run = report.run
    suites = [
        Suite(name, [Case("hrpolicy.test", name, _lines(diags), failure_type="error")])
        for name, diags in run.broken
    ]
    for result in run.files:
        suite = Suite(result.file)
        if result.stamp is not None:
            suite.properties.append((result.policy, result.stamp.text()))
        if result.errors:
            suite.cases.append(
                Case(result.file, f"policy {result.policy}", _lines(result.errors), failure_type="error")
            )
        suite.cases += [Case(result.file, c.case.name, _lines(c.failures)) for c in result.cases]
        suites.append(suite)
    for cov in report.below_minimum:
        message = f"coverage {percent(cov.percent)} % is below the minimum {report.min_coverage:g} %"
        suites.append(Suite("coverage", [Case("hrpolicy.coverage", cov.policy, (message,))]))
    return render_suites(suites)


def _diagnostics(report: TestReport) -> list[tuple[str, list[Diagnostic]]]:
    run = report.run
    out = [(name, list(diags)) for name, diags in run.broken]
    out += [(f.file, [*f.errors, *(d for c in f.cases for d in c.failures)]) for f in run.files]
    return out


def _stamps(report: TestReport) -> dict[str, Stamp]:
    """Each tested policy (its path) with its stamp, once however many test files test it."""
    return {f.policy: f.stamp for f in report.run.files if f.stamp is not None}


def render_sarif(report: TestReport) -> str:
    return diagnostics.render_sarif(_diagnostics(report), stamps=_stamps(report))


def render_github(report: TestReport) -> str:
    stamps = _stamps(report)
    lines = "".join(f"hrpolicy: {policy}: {stamp.text()}\n" for policy, stamp in stamps.items())
    return lines + diagnostics.render_github(_diagnostics(report))


TEST_RENDERERS: dict[str, TestRenderer] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "github": render_github,
}
