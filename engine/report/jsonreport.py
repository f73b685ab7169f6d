"""The JSON results report: every value, grade fact, goal line and trace line of each employee,
numbers as exact decimal strings (so no reader turns 0.3 into 0.30000000000000004); its items
rendered one at a time from full results or from the columnar plan's values and details, or a
block at a time (:mod:`engine.report.jsonblock`), all byte for byte ``json.dumps(indent=2)``."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from engine.errors import Problem
from engine.evaluate import EmployeeResult, RunOutcome
from engine.evaluate.parallel import DetailedPiece, SplitRenderer
from engine.io.records import EmployeeRecord
from engine.report.jsontext import dumps
from engine.report.options import ReportOptions
from engine.report.rows import flat_plan


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def result_dict(result: EmployeeResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "name": result.name,
        "values": {k: _jsonable(v) for k, v in result.values.items()},
        "grades": {
            name: {
                "grade": g.grade,
                "value": str(g.value),
                "rounded": str(g.rounded),
                "segment": g.segment,
                "band": g.band.describe() if g.band else None,
                "points": _jsonable(g.points),
            }
            for name, g in result.grades.items()
        },
        "indicators": [{k: _jsonable(v) for k, v in row.items()} for row in result.indicators],
        **(
            {"trace": [{"kind": t.kind, "subject": t.subject, "text": t.text} for t in result.trace]}
            if result.trace
            else {}
        ),
    }


def relative_dict(outcome: RunOutcome, employee: str) -> dict[str, Any]:
    """Each distribution's grade, rank and reason for one employee."""
    return relative_dicts(outcome, [employee])[0]


def relative_dicts(outcome: RunOutcome, employees: Sequence[str]) -> list[dict[str, Any]]:
    """:func:`relative_dict` of many employees at once (a block of a report's items: each
    distribution finds them in one pass)."""
    out: list[dict[str, Any]] = [{} for _ in employees]
    for name, result in outcome.relative.items():
        for found, member in zip(out, result.outcomes_of(employees), strict=True):
            if member is not None:
                found[name] = {
                    "grade": member.grade,
                    "rank": member.rank,
                    "size": member.size,
                    "reason": member.reason,
                }
    return out


def render_relative(outcome: RunOutcome, employee: str) -> str:
    """The ``relative:`` block of ``explain``: each distribution's grade and why (group, rank,
    seats, and the merge path of a group formed higher up the org tree)."""
    found = relative_dict(outcome, employee)
    if not found:
        return ""
    lines = ["  relative:"]
    for name, item in found.items():
        lines.append(f"    [relative] {name} = {item['grade'] or 'not graded'}: {item['reason']}")
    return "".join(line + "\n" for line in lines)


def json_result(result: EmployeeResult, outcome: RunOutcome) -> str:
    """One result as :func:`render_json` writes it in its ``results`` list (so indented)."""
    head, tail = json_result_parts(result)
    return head + json_relative(outcome, result.id) + tail


def json_result_parts(result: EmployeeResult) -> tuple[str, str]:
    """:func:`json_result` before and after its ``relative`` value (the item's last key), which
    :func:`json_relative` fills in: a streamed run renders the parts before the grades exist."""
    item = {**result_dict(result), "relative": None}
    # json.dumps puts every nested line on its own line and escapes newlines inside strings,
    # so indenting each line gives what dumping the whole report would (jsontext.dumps: the
    # same text, faster).
    text = "    " + dumps(item, "    ")
    head, _, tail = text.rpartition("null")  # the last key's value: nothing comes after it
    return head, tail


def json_relative(outcome: RunOutcome, employee: str) -> str:
    """The ``relative`` value of one employee's item in :func:`json_result` (two levels in)."""
    return json_relatives(outcome, [employee])[0]


def json_relatives(outcome: RunOutcome, employees: Sequence[str]) -> list[str]:
    """:func:`json_relative` of many employees at once: :func:`relative_dicts`' items as
    ``dumps`` writes them, each distribution's object from a template (its four keys known),
    its values by ``dumps`` (tests/test_distribution_compact.py holds it to ``json.dumps(indent=2)``)."""
    found: list[list[str]] = [[] for _ in employees]
    for name, result in outcome.relative.items():
        key = f"{_I8}{dumps(name)}: {{\n{_I10}\"grade\": "
        for texts, member in zip(found, result.outcomes_of(employees), strict=True):
            if member is not None:
                texts.append(
                    f"{key}{dumps(member.grade)},\n{_I10}\"rank\": {dumps(member.rank)},\n{_I10}\"size\": "
                    f"{dumps(member.size)},\n{_I10}\"reason\": {dumps(member.reason)}\n{_I8}}}"
                )
    return ["{\n" + ",\n".join(texts) + "\n      }" if texts else "{}" for texts in found]


_I8, _I10 = " " * 8, " " * 10


def render_json_parts(outcome: RunOutcome, evaluated: int, results: list[str]) -> str:
    """The JSON report around results already rendered by :func:`json_result`, in order.

    ``evaluated`` is their number; the rest (failed, warnings, problems) comes from ``outcome``.
    """
    return "".join(json_report_pieces(outcome, evaluated, results))


#: Stand for the failed ids, the warnings and the problems in the report's frame (a NUL is never
#: in its text).
_FAILED = "\x00failed ids\x00"
_WARNINGS = "\x00warnings\x00"
_PROBLEMS = "\x00problems\x00"
_MARKS = {json.dumps(mark): mark for mark in (_FAILED, _WARNINGS, _PROBLEMS)}
_SPLIT = re.compile("(" + "|".join(re.escape(mark) for mark in _MARKS) + ")")
#: Items written between two writes.
_CHUNK = 512


def json_report_pieces(outcome: RunOutcome, evaluated: int, results: list[str]) -> Iterator[str]:
    """:func:`render_json_parts` a piece at a time: the failed ids, the warnings (a warning
    for every person a distribution could not grade) and the problems (a spool of a million,
    :class:`~engine.io.spool.ProblemSpool`) a block at a time, never held whole.

    The frame is ``json.dumps`` of the report with a stand-in for each long list's items, cut
    there; the items, written as ``json.dumps(indent=2)`` writes a list's items, go in between."""
    failed = outcome.failed_employees
    payload = {
        "policy": outcome.policy.id,
        "evaluated": evaluated,
        "failed": [_FAILED] if failed else [],
        "results": [],
        "warnings": [_WARNINGS] if outcome.warnings else [],
        "problems": [_PROBLEMS] if outcome.problems else [],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if results:  # a raw newline is never inside a JSON string: this is the top-level key
        listed = '\n  "results": [\n' + ",\n".join(results) + "\n  ],\n"
        text = text.replace('\n  "results": [],\n', listed, 1)
    for piece in _SPLIT.split(text):
        mark = _MARKS.get(piece)
        if mark is _FAILED:
            yield from _items(dumps(emp_id) for emp_id in failed)
        elif mark is _WARNINGS:
            yield from _items(dumps(warning_item(p), "    ") for p in outcome.warnings)
        elif mark is _PROBLEMS:
            yield from _items(dumps(problem_item(p), "    ") for p in outcome.problems)
        else:
            yield piece


def warning_item(p: Problem) -> dict[str, Any]:
    """One warning as the JSON results report lists it."""
    return {"employee": p.employee_id, "rule": p.rule, "message": p.message, "origin": p.origin}


def problem_item(p: Problem) -> dict[str, Any]:
    """One problem as the JSON results report lists it."""
    return {
        "employee": p.employee_id,
        "indicator": p.indicator,
        "rule": p.rule,
        "message": p.message,
        "origin": p.origin,
    }


def _items(texts: Iterator[str]) -> Iterator[str]:
    """A list's item texts joined as ``json.dumps(indent=2)`` joins them two levels in, a
    block at a time."""
    between = ",\n    "
    first = True
    while block := list(itertools.islice(texts, _CHUNK)):
        yield between.join(block) if first else between + between.join(block)
        first = False


def render_json(outcome: RunOutcome, options: ReportOptions | None = None) -> str:
    """Everything, numbers as exact decimal strings (the language changes nothing here)."""
    results = [json_result(r, outcome) for r in outcome.results]
    return render_json_parts(outcome, len(results), results)


def _block(entries: list[str], indent: str, brackets: str) -> str:
    """A JSON object or array of entries already indented, as ``json.dumps(indent=2)`` writes it."""
    if not entries:
        return brackets
    return brackets[0] + "\n" + ",\n".join(entries) + "\n" + indent + brackets[1]


_FACTS = ("grade", "value", "rounded", "segment", "band", "points")


def _json_detailed(outcome: RunOutcome) -> DetailedPiece | None:
    """:func:`json_result` from the columnar plan's values, grades and details (the plan serves
    a policy without relative grades, blends or chain grades: no ``relative`` value, no trace),
    written straight: each key's text is made once, each value's with :func:`dumps`."""
    if flat_plan(outcome) is None:
        return None
    policy = outcome.policy
    i6, i8, i10 = " " * 6, " " * 8, " " * 10
    value_keys = [f"{i8}{dumps(name)}: " for name in policy.employee_names]
    table_keys = [f"{i8}{dumps(table.name)}: " for table in policy.grade_tables]
    fact_keys = [f"{i10}{dumps(fact)}: " for fact in _FACTS]
    line_keys = [f"{i10}{dumps(step.name)}: " for step in policy.indicator_steps]

    def grade(key: str, grade: Any, points: Any, value: Any, rounded: Any, segment: str, band: Any) -> str:
        facts = (grade, str(value), str(rounded), segment, band, _jsonable(points))
        return key + _block([k + dumps(f) for k, f in zip(fact_keys, facts, strict=True)], i8, "{}")

    def piece(employee: str, name: str | None, values: Any, grades: Any, detail: Any) -> str:
        lines, facts = detail
        # (the plan's numbers are Decimals: their text needs no escaping)
        shown = [f'{k}"{v}"' for k, v in zip(value_keys, values, strict=True)]
        graded = [
            grade(key, code, points, *fact)
            for key, (code, points), fact in zip(table_keys, grades, facts, strict=True)
        ]
        indicators = [
            i8 + _block([f'{k}"{v}"' for k, v in zip(line_keys, line, strict=True)], i8, "{}")
            for line in lines
        ]
        return (
            f'    {{\n{i6}"id": {dumps(employee)},\n{i6}"name": {dumps(name)},\n'
            f'{i6}"values": {_block(shown, i6, "{}")},\n{i6}"grades": {_block(graded, i6, "{}")},\n'
            f'{i6}"indicators": {_block(indicators, i6, "[]")},\n{i6}"relative": {{}}\n    }}'
        )

    return piece


def _json_block(outcome: RunOutcome) -> Any:
    from engine.report.jsonblock import json_block  # numpy and Arrow: for the columnar plan only

    return json_block(outcome)


def _json_merge(outcome: RunOutcome, evaluated: int, texts: list[str]) -> str:
    return render_json_parts(outcome, evaluated, [text for text in texts if text])


def _json_piece(result: EmployeeResult, outcome: RunOutcome, record: EmployeeRecord) -> str:
    return json_result(result, outcome)


#: The JSON report rendered in parts by worker processes (:mod:`engine.evaluate.parallel`).
def _json_pieces(outcome: RunOutcome, evaluated: int, texts: list[str]) -> Iterator[str]:
    return json_report_pieces(outcome, evaluated, [text for text in texts if text])


JSON_SPLIT = SplitRenderer(
    piece=_json_piece,
    join=",\n".join,
    merge=_json_merge,
    pieces=_json_pieces,
    between=",\n",
    detailed=_json_detailed,
    block=_json_block,
)
