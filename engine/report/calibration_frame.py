"""``calibrate``'s JSON and text reports around their long parts, a piece at a time.

:func:`frame` gives the report of a streamed run (:mod:`engine.report.calibration_stream`) cut
where the spooled parts go (every employee's review, every problem); the groups, which list
their members (who moved, who has no final grade), come a few at a time: the report is never
one text (issue 12, point 1: a calibration of 400,000 kumho employees as JSON peaked at 857 MiB
when it was; bench/RESULTS.md, the memory survey).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from engine.evaluate.calibration import PopulationCalibration
from engine.report.calibration import PROBLEMS, REVIEWS, group_dict, json_payload, not_graded_dict, text_lines
from engine.report.labels import Labels


def frame(
    fmt: str, result: PopulationCalibration, labels: Labels | None = None, *, reviews: bool
) -> Iterator[str]:
    """The ``json`` or ``text`` report of a streamed run cut where its long parts go: pieces of
    text, and :data:`REVIEWS` (the employees' parts, when ``reviews``: in JSON, and in text
    without distributions) and :data:`PROBLEMS` (every problem, when there is one) where those
    go, each part joined by :data:`BETWEEN`. Filled in, the pieces are the bytes of
    :func:`render_json` / :func:`render_text` over the whole run. The first piece is the
    report's head (never a mark); the groups (each lists its members) come a few at a time."""
    parts = [REVIEWS] if reviews else []
    problems = [PROBLEMS] if result.problems else []
    if fmt == "json":
        return _json_frame(result, parts, problems)
    return _text_frame(text_lines(result, labels or Labels({}), parts, problems))


#: Stand for the ``groups`` and the ``not_graded`` list of the distribution at its index in
#: the JSON frame.
_GROUPS = "\x00groups %d\x00"
_NOT_GRADED = "\x00not graded %d\x00"


def _json_frame(result: PopulationCalibration, reviews: list[Any], problems: list[Any]) -> Iterator[str]:
    """:func:`frame` in JSON: the payload dumped with a mark for each distribution's groups and
    people not graded, which are dumped an item at a time (indented to their place, as one
    ``json.dumps`` writes them: the people not graded were one list of every id they name)."""
    payload = json_payload(result, reviews, problems, groups=False)
    for index, report in enumerate(payload["distributions"]):
        report["groups"] = _GROUPS % index
        report["not_graded"] = _NOT_GRADED % index
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    marks: dict[str, str | tuple[str, int]] = {json.dumps(REVIEWS): REVIEWS, json.dumps(PROBLEMS): PROBLEMS}
    for i in range(len(result.reports)):
        marks[json.dumps(_GROUPS % i)] = ("groups", i)
        marks[json.dumps(_NOT_GRADED % i)] = ("not_graded", i)
    pieces = re.split("(" + "|".join(re.escape(m) for m in marks) + ")", text)
    yield pieces[0]
    for piece in pieces[1:]:
        mark = marks.get(piece, piece)
        if isinstance(mark, tuple):
            report = result.reports[mark[1]]
            items = (
                map(group_dict, report.groups)
                if mark[0] == "groups"
                else map(not_graded_dict, report.problems)
            )
            yield from _json_items(items, "      ")
        else:
            yield mark


def _json_items(items: Iterable[dict[str, Any]], indent: str) -> Iterator[str]:
    """A list of ``items`` at the depth of ``indent`` (its closing bracket's), as ``json.dumps``
    with ``indent=2`` writes it inside the payload: an item's text at a time."""
    inner = indent + "  "
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n" + inner)
        yield ("[\n" if first else ",\n") + inner + text
        first = False
    yield "[]" if first else "\n" + indent + "]"


#: Lines of the text report gathered into one piece.
_LINES = 256


def _text_frame(lines: Iterable[str]) -> Iterator[str]:
    """:func:`frame` in text: the lines joined by newlines (and one at the end), the marks on
    their own, a few lines at a time."""
    block: list[str] = []
    for number, line in enumerate(lines):
        if number:
            block.append("\n")
        if line in (REVIEWS, PROBLEMS):
            yield "".join(block)
            yield line
            block = []
            continue
        block.append(line)
        if len(block) >= _LINES:
            yield "".join(block)
            block = []
    block.append("\n")
    yield "".join(block)
