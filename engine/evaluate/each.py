"""Every employee of a data file evaluated as :meth:`Engine.evaluate <engine.evaluate.run.Engine.evaluate>`
does, each result handed to the caller and let go: what a command that needs only a little of
each result (``pay --records``, ``diff``/``simulate`` over a policy's records) keeps.

A records file (CSV read as detected, Excel, JSON, YAML) is read an employee at a time
(:func:`engine.io.streaming.stream_records`) and checked and evaluated by
:func:`engine.evaluate.parallel.render_records` (the per-record step ``evaluate``'s stream takes
too); memory holds what the caller keeps of each result, the problems, and under a policy with
distributions a compact row per person (:class:`~engine.evaluate.relative.RelativeGrading`).
What the stream cannot read (``--encoding``, rows of one employee apart, an id used twice:
:class:`ReadWhole`) is read whole; the outcome and what is kept are the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from engine.errors import Problem
from engine.evaluate.employee import EmployeeResult
from engine.evaluate.parallel import SplitRenderer, render_records, settle_read
from engine.evaluate.relative import RelativeGrading, relative_warnings
from engine.evaluate.run import Engine, RunOutcome
from engine.gcpause import collected_gc
from engine.io.model import EmployeeRecord, Population
from engine.io.streaming import Progress, ReadWhole, can_stream, stream_records

T = TypeVar("T")

#: What a caller keeps of one evaluated employee (its record as read, its result).
Keep = Callable[[EmployeeRecord, EmployeeResult], T]


def evaluate_each(
    engine: Engine,
    data_path: str,
    keep: Keep[T],
    parameters: Mapping[str, Any] | None = None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    seen: Callable[[EmployeeRecord], Any] | None = None,
    progress: Progress | None = None,
) -> tuple[RunOutcome, list[T], list[Any]]:
    """The run's outcome without its results (the problems, warnings and relative grades of
    ``engine.evaluate(engine.read(data_path, parameters, encoding=encoding, sheet=sheet))``,
    in the same order), ``keep(record, result)`` of every employee evaluated and ``seen(record)``
    of every employee read (evaluated or not), both in the file's order. ``parameters``
    override the file's. ``progress`` is told the bytes and rows read of a file read an employee
    at a time."""
    if can_stream(data_path, encoding, sheet):
        done = _streamed(engine, data_path, keep, parameters, seen, sheet, progress)
        if done is not None:
            return done
    population = engine.read(data_path, parameters, encoding=encoding, sheet=sheet)
    read = [seen(record) for record in population.employees] if seen is not None else []
    outcome = engine.evaluate(population)
    by_id = {r.id: r for r in population.employees}
    kept = [keep(by_id[result.id], result) for result in outcome.results]
    outcome.results = []
    return outcome, kept, read


def _streamed(
    engine: Engine,
    data_path: str,
    keep: Keep[T],
    parameters: Mapping[str, Any] | None,
    seen: Callable[[EmployeeRecord], Any] | None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> tuple[RunOutcome, list[T], list[Any]] | None:
    """The file read an employee at a time; None when it must be read whole (:class:`ReadWhole`)."""
    data = engine.source.data
    try:
        stream, values, parameter_problems, notes = stream_records(
            data_path, data.get("inputs") or {}, scales=data.get("scales") or {}, parameters=parameters,
            policy_id=engine.policy.id, sheet=sheet, progress=progress,
        )  # fmt: skip
    except ReadWhole:
        return None
    engine.require_parameters(values)
    org_parent = stream.org_parent
    outcome = RunOutcome(engine.policy, Population([], values, org_parent, {}, None, [], data_path))
    grading = RelativeGrading(data) if data.get("distributions") else None
    kept: list[T] = []
    told: list[Any] = []

    def piece(result: EmployeeResult, _: RunOutcome, record: EmployeeRecord) -> None:
        if grading is not None:
            grading.add(record, result.values)
        kept.append(keep(record, result))

    checks: list[Problem] = []
    render = SplitRenderer(piece=piece, join=lambda _: "", merge=lambda *_: "")
    try:
        with collected_gc():
            records: Iterable[EmployeeRecord] = stream if seen is None else _told(stream, seen, told)
            for _ in render_records(engine, outcome, records, render, checks):
                pass
    except ReadWhole:
        return None
    settle_read(outcome, stream.part, parameter_problems, notes, checks)
    if grading is not None:
        outcome.relative = grading.grade(org_parent)
        outcome.warnings.extend(relative_warnings(outcome.relative, data_path))
    return outcome, kept, told


def _told(
    records: Iterable[EmployeeRecord], seen: Callable[[EmployeeRecord], Any], into: list[Any]
) -> Iterator[EmployeeRecord]:
    for record in records:
        into.append(seen(record))
        yield record


__all__ = ["Keep", "evaluate_each"]
