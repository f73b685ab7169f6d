"""A big JSON records file shared between processes as a CSV file is (:mod:`.parallel`): cut
into byte ranges of the ``employees`` list's items, each read, checked, evaluated and rendered
by a worker of its own; the parts joined in order are what one process writes.

Where to cut. A newline is never inside a JSON string (the decoder refuses raw control
characters), so a line is a place to look. The list's first item gives the pattern of an item's
start: a newline, the first item's indentation, ``{`` (as ``json.dumps(indent=...)`` and most
exporters write a list of mappings). A range starts on such a line near each
``size * k / workers`` byte, and the plan counts the pattern in every range, which says where
each range's first item is in the list (its problems name ``$.employees[i]``).

Why that is safe, whatever the file holds. The first worker reads the file from its start,
as one process does. Every range must end right after the comma that follows an item (the
next range starts on the next item's line), and every worker must read exactly the items the
plan counted in its range; a range cut inside an item, a pattern met inside an item, an item
not on a line of its own: a worker fails or counts otherwise, and the whole run goes to one
process (:func:`.parallel.evaluate_split` gives None). So, by induction from the first range,
each range starts on an item, and the items before it are the ones counted.

A file the plan cannot cut is read by one process: no line before the first item, a first
item that is not a mapping, a top level before the list longer than the first block read
(the pattern is counted in the head's text: :data:`~engine.io.jsonstream.BLOCK`), a small file.
"""

from __future__ import annotations

import itertools
import mmap
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import HRPolicyError
from engine.evaluate import ranges
from engine.evaluate.pieces import Part, SplitRenderer, render_records, write_pieces
from engine.evaluate.run import Engine, RunOutcome
from engine.gcpause import collected_gc
from engine.io.jsonstream import JsonItems
from engine.io.model import Population
from engine.io.spool import ProblemSpool
from engine.io.streaming import stream_json_range

_CHUNK = 16 * 2**20  # bytes counted at a time


@dataclass(frozen=True)
class JsonRange:
    """Bytes ``[start, end)`` of a JSON records file (``end`` None: to its end), holding the
    list's items ``first`` to ``first + items - 1`` (as the plan counts them)."""

    start: int
    end: int | None
    first: int
    items: int


class _Miscounted(HRPolicyError):
    """A worker read another number of items than the plan counted: its range is not cut
    between items (the run goes to one process)."""


def plan_json_ranges(path: str, workers: int, min_bytes: int | None = None) -> list[JsonRange] | None:
    """Ranges of the JSON file ``path`` that ``workers`` processes can read apart, or None:
    read it in one process. ``min_bytes`` as in :func:`~engine.evaluate.ranges.plan_ranges`
    (default: its :data:`~engine.evaluate.ranges.MIN_BYTES`, the one bound for both)."""
    size = os.path.getsize(path)
    if workers < 2 or size <= (ranges.MIN_BYTES if min_bytes is None else min_bytes):
        return None
    found = _item_pattern(path)
    if found is None:
        return None
    pattern, before = found
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cuts = [0]
        for k in range(1, workers):
            at = data.find(pattern, max(size * k // workers, cuts[-1]))
            if at < 0:
                break
            cuts.append(at + 1)  # the item's line
    if len(cuts) < 2:
        return None
    counts = _counts(path, pattern, [0, *(cut - 1 for cut in cuts[1:]), size])
    counts[0] -= before  # (the pattern's lines in the top level before the list)
    if min(counts) < 1:
        return None
    firsts = itertools.accumulate(counts, initial=0)
    ends: list[int | None] = [*cuts[1:], None]
    return [JsonRange(*spot) for spot in zip(cuts, ends, firsts, counts, strict=False)]


def _item_pattern(path: str) -> tuple[bytes, int] | None:
    """The bytes that start an item's line (a newline, the first item's indentation, ``{``)
    and how many times they come before the first item; None: the file is not cut."""
    try:
        items = JsonItems(path, path)
    except Exception:  # (not a records file the stream reads: one process says why)
        return None
    try:
        window, pos = items.window, items.pos
        if window.at(pos) != "{" or window.base != 0:  # (in this order: at() may read on)
            return None
        line = window.text.rfind("\n", 0, pos)
        indent = window.text[line + 1 : pos]
        if line < 0 or indent.strip(" \t"):
            return None
        pattern = f"\n{indent}{{"
        return pattern.encode(), window.text.count(pattern, 0, pos)
    finally:
        items.handle.close()


def _counts(path: str, pattern: bytes, bounds: list[int]) -> list[int]:
    """How many times ``pattern`` starts within each pair of consecutive ``bounds``."""
    keep = len(pattern) - 1
    counts: list[int] = []
    with open(path, "rb") as handle:
        for low, high in itertools.pairwise(bounds):
            count, at = 0, low
            while at < high:
                step = min(_CHUNK, high - at)
                handle.seek(at)
                # occurrences starting in the step's bytes (the pattern never overlaps itself)
                count += handle.read(step + keep).count(pattern)
                at += step
            counts.append(count)
    return counts


def evaluate_json_range(
    engine: Engine,
    path: str,
    part: JsonRange,
    parameters: Mapping[str, Any] | None,
    render: SplitRenderer,
    out_path: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Part:
    """Read, check, evaluate and render one range's items, as one process would, an employee at
    a time (:func:`~engine.evaluate.pieces.evaluate_range` for a JSON file): the problems name
    each item by its index in the whole list; the first range carries the notes on the file.
    Raises when the range holds another number of items than the plan counted."""
    times = {"start": time.perf_counter()}
    data = engine.source.data
    stream, items, values, head_problems, notes = stream_json_range(
        path, data.get("inputs") or {}, (part.start, part.end, part.first), scales=data.get("scales") or {},
        parameters=parameters, progress=progress, policy_id=engine.policy.id,
    )  # fmt: skip
    engine.require_parameters(values)  # (a worker failing: one process says what is missing)
    outcome = RunOutcome(engine.policy, Population([], values, stream.org_parent, {}, None, [], path))
    checks = ProblemSpool()
    pieces = render_records(engine, outcome, stream, render, checks)
    with collected_gc():
        if out_path is None:
            text, count = write_pieces(pieces, render, None)
        else:
            with open(out_path, "w", encoding="utf-8", newline="") as out:
                text, count = write_pieces(pieces, render, out)
    if items.count != part.items:
        raise _Miscounted(f"{items.count} items read, {part.items} planned")
    times["evaluated"] = times["rendered"] = time.perf_counter()
    warnings = [*notes, *stream.part.notes, *outcome.warnings] if part.start == 0 else outcome.warnings
    return Part(text, stream.part, values, head_problems, checks, count, times, warnings)


__all__ = ["JsonRange", "evaluate_json_range", "plan_json_ranges"]
