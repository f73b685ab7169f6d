"""``hrpolicy explain``'s renderers: the run of one employee, its trace grouped by subject,
its relative grades."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from engine.evaluate import EmployeeResult, RunOutcome
from engine.report.html import render_explained_page
from engine.report.jsonreport import relative_dict, render_relative, result_dict
from engine.report.labels import Labels
from engine.report.screen import hanging
from engine.report.table import display_width

#: A trace line's indent and its ``[kind]`` tag: a wrapped line's rest is set under the text.
_HANG = re.compile(r" *(?:\[[a-z-]+\] )?")
#: Narrower than this beside its hang, a line is left for the terminal to wrap.
_MIN_TEXT = 24


def _named(text: str, labels: Labels) -> str:
    """A trace line whose first word is a formula or field, with that one's label after it."""
    if labels.lang is None:
        return text
    name = text.split(" ", 1)[0].rstrip(":")
    named = labels.field(name) if name.isidentifier() else name
    if named == name:
        return text
    return f"{name} ({named}){text[len(name) :]}"


def render_explain(result: EmployeeResult, labels: Labels | None = None) -> str:
    """The full trace of one employee, grouped by subject, for ``hrpolicy explain``.

    With a language, the employee line says what the policy calls the employee id, and each
    subject that is a formula or grade table is followed by its label.
    """
    labels = labels or Labels({})
    who = "employee" if labels.lang is None else labels.field("id")
    lines = [f"{who} {result.id}" + (f" ({result.name})" if result.name else "")]
    subject = None
    for line in result.trace:
        if line.subject != subject:
            subject = line.subject
            named = labels.field(subject)
            lines.append(f"  {subject}:" if named == subject else f"  {subject} ({named}):")
        lines.append(f"    [{line.kind}] {_named(line.text, labels)}")
    return "\n".join(lines) + "\n"


def render_explained(outcome: RunOutcome, labels: Labels | None = None, width: int | None = None) -> str:
    """``explain``'s text: the employee's trace (names labelled in ``labels``' language), then
    its relative grades; at a terminal ``width`` cells wide, each line longer than that wrapped
    at its spaces, the rest of it set under its text (after its ``[kind]`` tag)."""
    result = outcome.results[0]
    text = render_explain(result, labels) + render_relative(outcome, result.id)
    if width is None:
        return text
    return "".join(f"{piece}\n" for line in text.splitlines() for piece in _fitted(line, width))


def _fitted(line: str, width: int) -> list[str]:
    """``line`` in pieces of at most ``width`` cells (see :func:`render_explained`)."""
    if display_width(line) <= width:
        return [line]
    hang = _HANG.match(line)
    assert hang is not None  # (the pattern matches the empty text)
    start = hang.end() if hang.end() < len(line) else 0
    if width - start < _MIN_TEXT:
        return [line]
    return hanging(line, width, start, start)


def render_explained_json(outcome: RunOutcome, labels: Labels | None = None) -> str:
    """Every value, grade, indicator row and trace line of the employee, and its relative grades
    (ids, whatever the language)."""
    result = outcome.results[0]
    item = {**result_dict(result), "relative": relative_dict(outcome, result.id)}
    return json.dumps(item, ensure_ascii=False, indent=2) + "\n"


#: ``hrpolicy explain``: the run of one employee (``outcome.results[0]``).
EXPLAIN_RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_explained,
    "json": render_explained_json,
    "html": render_explained_page,
}
