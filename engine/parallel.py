"""Share a large evaluation between this process and forked workers, with identical results.

Only worth it for large populations: a fork costs a few milliseconds, and the workers' results
come back compactly (Decimals as their exact text, see :mod:`engine.run`) and are rebuilt
here. Each worker takes one contiguous part of the records, so concatenating the parts keeps
the order of the single-process path. A worker that fails for any reason is not trusted: its
part is evaluated again in this process, so the outcome never depends on the workers.
"""

from __future__ import annotations

import itertools
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import IO, Any, TypeVar

from engine.compile import CompiledPolicy
from engine.evaluate import EmployeeResult
from engine.grading import GradeOutcome, GradeTable

T = TypeVar("T")
R = TypeVar("R")

#: Below this many employees everything runs in this process (no fork, no start-up cost).
MIN_PARALLEL = 20_000
#: The share of the records this process keeps: it also decodes the workers' results.
PARENT_SHARE = 0.4


def default_workers(count: int) -> int:
    """How many processes should evaluate ``count`` employees: 1, or up to 2 cores' worth."""
    if count < MIN_PARALLEL or not hasattr(os, "fork"):
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def split(count: int, workers: int, parent_share: float | None = None) -> list[tuple[int, int]]:
    """``[start, end)`` of each part: this process's first, then one per worker, covering all."""
    if workers <= 1 or count == 0:
        return [(0, count)]
    share = PARENT_SHARE if parent_share is None else parent_share
    first = int(count * share) if workers == 2 else count // workers
    rest = count - first
    bounds = [0, first] + [first + rest * (i + 1) // (workers - 1) for i in range(workers - 1)]
    return list(itertools.pairwise(bounds))


def run_parts(
    items: Sequence[T],
    workers: int,
    work: Callable[[Sequence[T]], R],
    encode: Callable[[R], Any],
    decode: Callable[[Any, Sequence[T]], R],
) -> list[R]:
    """``work`` over each part of ``items``, the first here and the others in forked workers.

    ``encode`` turns a worker's result into something small to pickle and ``decode`` rebuilds
    it (given the part's items). Returns one result per part, in the order of ``items``.
    """
    parts = [items[a:b] for a, b in split(len(items), workers)]
    if len(parts) == 1:
        return [work(parts[0])]
    children = [_fork(part, work, encode) for part in parts[1:]]
    results = [work(parts[0])]
    for (pid, handle), part in zip(children, parts[1:], strict=True):
        results.append(_collect(pid, handle, part, work, decode))
    return results


def _fork(
    part: Sequence[T], work: Callable[[Sequence[T]], R], encode: Callable[[R], Any]
) -> tuple[int, IO[bytes]]:
    # A file, not a pipe: the worker never waits for us. _collect closes it.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    pid = os.fork()
    if pid == 0:  # the worker: evaluate, write, and leave without running any cleanup
        code = 1
        try:
            pickle.dump(encode(work(part)), handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            code = 0
        finally:
            os._exit(code)
    return pid, handle


def _collect(
    pid: int,
    handle: IO[bytes],
    part: Sequence[T],
    work: Callable[[Sequence[T]], R],
    decode: Callable[[Any, Sequence[T]], R],
) -> R:
    _, status = os.waitpid(pid, 0)
    with handle:
        if os.waitstatus_to_exitcode(status) != 0:
            return work(part)  # the worker failed: do its part here
        handle.seek(0)
        return decode(pickle.load(handle), part)


# -- the compact form of a part's results ----------------------------------------------------

Encoded = Any
_SEP = "|"  # never part of a Decimal's text


def encode_results(policy: CompiledPolicy, results: Sequence[EmployeeResult]) -> Encoded:
    """Results as little text as possible: one string of every number per employee.

    A result's numbers are its values, each grade's value and rounded value, then each line's
    values in the order of the policy's indicator formulas (the order of the keys both
    evaluation paths write); ``str`` of a Decimal gives it back exactly, exponent included.
    A result holding anything but Decimals (text, None) travels as it is, pickled.
    """
    tables = {t.name: t for t in policy.grade_tables}
    keys = tuple(s.name for s in policy.indicator_steps)
    out: list[Any] = []
    for r in results:
        numbers = [*r.values.values()]
        for g in r.grades.values():
            numbers += (g.value, g.rounded)
        for line in r.indicators:
            numbers += line.values()
        plain = all(tuple(line) == keys for line in r.indicators)
        if not plain or not all(type(n) is Decimal for n in numbers):
            out.append(r)
            continue
        grades = [(k, g.segment, _band_index(tables[k], g)) for k, g in r.grades.items()]
        out.append((r.id, r.name, tuple(r.values), grades, len(r.indicators), _SEP.join(map(str, numbers))))
    return out


def decode_results(policy: CompiledPolicy, encoded: Encoded) -> list[EmployeeResult]:
    """The results :func:`encode_results` encoded."""
    tables = {t.name: t for t in policy.grade_tables}
    keys = tuple(s.name for s in policy.indicator_steps)
    width = len(keys)
    out = []
    for item in encoded:
        if isinstance(item, EmployeeResult):
            out.append(item)
            continue
        rid, name, value_keys, grades, lines, text = item
        numbers = list(map(Decimal, text.split(_SEP)))
        at = len(value_keys)
        values = dict(zip(value_keys, numbers, strict=False))
        outcomes = {}
        for key, segment, band in grades:
            outcomes[key] = _outcome(tables[key], segment, band, numbers[at], numbers[at + 1])
            at += 2
        starts = range(at, at + lines * width, width)
        rows = tuple(dict(zip(keys, numbers[i : i + width], strict=True)) for i in starts)
        out.append(EmployeeResult(rid, name, values, outcomes, rows))
    return out


def _band_index(table: GradeTable, outcome: GradeOutcome) -> int:
    if outcome.band is None:
        return -1
    segment = next(s for s in table.segments if s.name == outcome.segment)
    return next(i for i, b in enumerate(segment.bands) if b is outcome.band)


def _outcome(table: GradeTable, segment: str, band: int, value: Decimal, rounded: Decimal) -> GradeOutcome:
    if band < 0:
        return GradeOutcome(table.name, value, rounded, segment, None, None)
    found = next(s for s in table.segments if s.name == segment).bands[band]
    return GradeOutcome(table.name, value, rounded, segment, found, table.points.get(found.grade))
