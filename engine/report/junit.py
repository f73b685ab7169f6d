"""JUnit XML, which CI test tabs read: one test case per checked file (or per policy test).

The common dialect (Jenkins / GitLab / GitHub test reporters): ``<testsuites>`` of
``<testsuite>`` of ``<testcase classname name>`` with an optional ``<failure message type>``
whose text lists every problem; warnings go to ``<system-out>``. The stamp of each policy
checked (id, version, content hash) is a ``<property>`` of the suite and the first line of its
case's ``<system-out>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from engine.errors import Diagnostic, Severity
from engine.provenance import Stamp


@dataclass(frozen=True)
class Case:
    """One JUnit test case: ``failure`` lines (empty: it passed) and notes for ``system-out``."""

    classname: str
    name: str
    failures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    failure_type: str = "failure"
    skipped: bool = False


@dataclass
class Suite:
    """A ``<testsuite>``: its cases and ``properties`` (name, value), e.g. the policies' stamps."""

    name: str
    cases: list[Case] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)


def render_suites(suites: Sequence[Suite]) -> str:
    """The XML text (UTF-8 declaration, indented) of ``suites``."""
    root = ET.Element("testsuites", name="hrpolicy")
    total = failed = skipped = 0
    for suite in suites:
        node = ET.SubElement(root, "testsuite", name=suite.name)
        s_failed = sum(1 for c in suite.cases if c.failures)
        s_skipped = sum(1 for c in suite.cases if c.skipped)
        node.set("tests", str(len(suite.cases)))
        node.set("failures", str(s_failed))
        node.set("errors", "0")
        node.set("skipped", str(s_skipped))
        if suite.properties:  # before the cases, as the JUnit schema orders them
            listed = ET.SubElement(node, "properties")
            for name, value in suite.properties:
                ET.SubElement(listed, "property", name=name, value=value)
        for case in suite.cases:
            _case(node, case)
        total, failed, skipped = total + len(suite.cases), failed + s_failed, skipped + s_skipped
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _case(parent: ET.Element, case: Case) -> None:
    node = ET.SubElement(parent, "testcase", classname=case.classname, name=case.name)
    if case.skipped:
        ET.SubElement(node, "skipped")
    if case.failures:
        first = case.failures[0].split("\n", 1)[0]
        failure = ET.SubElement(node, "failure", message=first, type=case.failure_type)
        failure.text = "\n".join(case.failures)
    if case.notes:
        ET.SubElement(node, "system-out").text = "\n".join(case.notes)


def _line(d: Diagnostic) -> str:
    text = f"{d.location}: {d.severity.value} [{d.rule}] {d.message}"
    return text + (f"\n  suggestion: {d.suggestion}" if d.suggestion else "")


def render_junit(
    files: Sequence[tuple[str, Sequence[Diagnostic]]],
    skipped: Sequence[str] = (),
    stamps: Mapping[str, Stamp] | None = None,
) -> str:
    """``validate``'s result: one test case per file, failing when the file has an error; each
    YAML file a folder search skipped (not a policy) is a skipped case."""
    stamps = stamps or {}
    suite = Suite("hrpolicy validate")
    suite.properties = [(name, stamps[name].text()) for name, _ in files if name in stamps]
    for name, diags in files:
        errors = tuple(_line(d) for d in diags if d.severity is Severity.ERROR)
        notes = tuple(_line(d) for d in diags if d.severity is not Severity.ERROR)
        if name in stamps:
            notes = (stamps[name].text(), *notes)
        kind = next((d.rule for d in diags if d.severity is Severity.ERROR), "failure")
        suite.cases.append(Case("hrpolicy.validate", name, errors, notes, kind))
    suite.cases += [Case("hrpolicy.validate", name, skipped=True) for name in skipped]
    return render_suites([suite])
