"""``explain``: one employee's traced evaluation, its file read in bounded memory.

The whole run (:func:`engine.evaluate.run.run` with ``trace`` and ``only``) reads every
employee into memory. Here the file is read an employee at a time
(:func:`engine.io.streaming.stream_records`, with the run-time parameters, the CSV encoding and
the workbook's sheet), and only what the whole run would show of the others is kept:

- a CSV file under a policy without distributions: only the employee's rows are read
  (:func:`engine.io.records.stream_csv` with ``only``);
- under distributions (a relative grade needs the group): everyone is checked and evaluated as
  :meth:`Engine.evaluate <engine.evaluate.run.Engine.evaluate>` does, each one kept as a compact
  row for the grading (:class:`~engine.evaluate.relative.RelativeGrading`), the employee traced;
- an id the file lacks: the nearest id is chosen while the ids go by (:class:`engine.suggest.Nearest`,
  the choice :func:`engine.suggest.did_you_mean` makes over the whole list).

Problems and warnings of other employees are not kept (explain shows the employee's and the
file's). A file the stream gives up on (:class:`~engine.io.model.ReadWhole`) is read whole, with
the same outcome.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from engine.distribution import DistributionResult
from engine.errors import Problem, UsageError
from engine.evaluate.employee import EmployeeResult
from engine.evaluate.relative import RelativeGrading, relative_warnings
from engine.evaluate.run import Engine, RunOutcome
from engine.gcpause import collected_gc
from engine.io.encoding import given_encoding
from engine.io.model import EmployeeRecord, Population
from engine.io.nested import NestedStream
from engine.io.records import stream_csv
from engine.io.streaming import ReadWhole, RecordStream, can_stream, stream_records
from engine.io.table import read_problems
from engine.limits import nfc
from engine.suggest import Nearest, did_you_mean


class _Kept(list[Any]):
    """A run's problems (or warnings) as explain keeps them: the employee's and the file's
    (no employee's), the others' let go."""

    def __init__(self, employee: str) -> None:
        super().__init__()
        self.employee = employee

    def append(self, item: Any) -> None:
        if item.employee_id in (self.employee, None):
            super().append(item)

    def extend(self, items: Iterable[Any]) -> None:
        for item in items:
            self.append(item)


class _Graded(list[EmployeeResult]):
    """A run's results as explain keeps them: each one noted for the distributions (with the
    record being evaluated, :attr:`record`), the employee's alone kept."""

    def __init__(self, employee: str, grading: RelativeGrading | None) -> None:
        super().__init__()
        self.employee, self.grading = employee, grading
        self.record: EmployeeRecord | None = None

    def append(self, result: EmployeeResult) -> None:
        if self.grading is not None and self.record is not None:
            self.grading.add(self.record, result.values)
        if result.id == self.employee:
            super().append(result)


def explain(
    policy_path: str,
    data_path: str,
    employee: str,
    *,
    reference: bool = False,
    parameters: Mapping[str, Any] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> tuple[RunOutcome, str]:
    """The traced evaluation of one employee (a :class:`UsageError`, with the nearest id, if the
    data has none by that id): its result, or its problems when it could not be evaluated (an
    employee left out while reading has no result and its reading problems); and the id as the
    records read it (in NFC: a terminal may send NFD). ``reference``, ``parameters``,
    ``encoding`` and ``sheet``: see :func:`engine.evaluate.run.run`. The outcome is the whole
    run's, its problems and warnings those of the employee and of the file.
    """
    employee = nfc(employee)
    engine = Engine.from_file(policy_path, reference=reference)
    found = None
    if can_stream(data_path, encoding, sheet):
        with given_encoding(encoding):  # (the search of a CSV file's lines takes the run's)
            found = explain_streamed(engine, data_path, employee, parameters, encoding, sheet)
    if found is None:
        population = engine.read(data_path, parameters, encoding=encoding, sheet=sheet)
        outcome = engine.evaluate(population, trace=True, only=employee)
        known = [r.id for r in population.employees]
        found = outcome, lambda: did_you_mean(employee, known)
    outcome, hint = found
    known_here = any(r.id == employee for r in outcome.population.employees)
    dropped = any(p.employee_id == employee for p in outcome.population.problems)
    if not known_here and not dropped:
        match = hint()
        raise UsageError(f"no employee '{employee}' in {data_path}" + (f"; {match}" if match else ""))
    return outcome, employee


#: The outcome, and what words the nearest id (called once, if need be).
Found = tuple[RunOutcome, Callable[[], str | None]]


def explain_streamed(
    engine: Engine,
    data_path: str,
    employee: str,
    parameters: Mapping[str, Any] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Found | None:
    """:func:`explain`'s outcome with the file read an employee at a time, and what words the
    nearest id; None when the file must be read whole (:class:`ReadWhole`)."""
    data = engine.source.data
    if not data.get("distributions") and os.path.splitext(data_path)[1].lower() == ".csv":
        searched = _search_csv(engine, data_path, employee, parameters)
        if searched is not None:
            return searched, lambda: None
    try:
        return _pass(engine, data_path, employee, parameters, encoding, sheet)
    except ReadWhole:
        return None


def _search_csv(
    engine: Engine, data_path: str, employee: str, parameters: Mapping[str, Any] | None
) -> RunOutcome | None:
    """A CSV file's rows of the employee alone (the lines that cannot hold the id skipped
    unread), checked and evaluated; None when it has no complete record of the employee (then
    the file is read through: :func:`_pass` says why, with the nearest id)."""
    data = engine.source.data
    inputs, scales = data.get("inputs") or {}, data.get("scales")
    try:
        stream, values, problems, notes = stream_csv(
            data_path, inputs, scales=scales, parameters=parameters, only=employee
        )
        records = list(stream)  # the employee's rows may be anywhere
    except ReadWhole:
        return None
    if not records:
        return None
    # The header's problems (an unknown column) with the parameters', as the whole read has them.
    read = [*problems, *stream.part.problems]  # (the employee's rows alone: a few)
    stream.part.close()
    population = Population(records, values, {}, {}, None, read, data_path)
    population.warnings.extend([*notes, *stream.part.notes])
    return engine.evaluate(population, trace=True, only=employee)


def _pass(
    engine: Engine,
    data_path: str,
    employee: str,
    parameters: Mapping[str, Any] | None,
    encoding: str | None,
    sheet: str | None,
) -> Found:
    """Every employee read once: the employee kept and traced, the others' ids weighed for the
    nearest one and, under distributions, checked, evaluated and kept as compact rows for the
    grading, as :meth:`Engine.evaluate` takes them."""
    data = engine.source.data
    stream, values, problems, notes = _stream(engine, data_path, parameters, encoding, sheet)
    try:  # (the whole run reads the file before it asks for the parameters: so does this one)
        engine.require_parameters(values)
        missing = None
    except UsageError as exc:
        missing = exc
    grading = RelativeGrading(data) if data.get("distributions") else None
    outcome = RunOutcome(engine.policy, Population([], values, {}, {}, None, [], data_path))
    checks, results, warnings = _Kept(employee), _Graded(employee, grading), _Kept(employee)
    outcome.problems, outcome.results, outcome.warnings = checks, results, warnings
    nearest, kept = Nearest(employee), []
    narrowed = False
    if grading is None and isinstance(stream, NestedStream):  # the others are only ids met then
        stream.only(employee)
        narrowed = True
    with collected_gc():
        for record in stream:
            nearest.add(record.id)
            mine = record.id == employee
            if mine:
                kept.append(record)
            if missing is None and (mine or grading is not None):
                results.record = record
                engine.evaluate_record(outcome, record, trace=mine)
    if missing is not None:
        raise missing
    found = itertools.chain(problems, *read_problems([stream.part]))
    read = [p for p in found if p.employee_id in (employee, None)]
    stream.part.close()
    population = Population(kept, values, stream.org_parent, {}, None, read, data_path)
    population.warnings.extend([*notes, *stream.part.notes])
    done = RunOutcome(engine.policy, population, list(results), [*read, *checks])
    done.warnings = [*population.warnings, *warnings]
    if grading is not None:
        done.relative = grading.grade(stream.org_parent)
        done.warnings.extend(_relative_warnings(done.relative, data_path, employee))
    if narrowed:  # the nearest id is among the records read whole: read them all, if need be
        return done, lambda: _nearest(engine, data_path, employee, parameters, encoding, sheet)
    return done, nearest.hint


def _nearest(
    engine: Engine,
    data_path: str,
    employee: str,
    parameters: Mapping[str, Any] | None,
    encoding: str | None,
    sheet: str | None,
) -> str | None:
    """What words the id nearest ``employee`` among the file's records (each read through, as
    the whole read makes them), for the message of an employee not found."""
    stream = _stream(engine, data_path, parameters, encoding, sheet)[0]
    nearest = Nearest(employee)
    with collected_gc():
        for record in stream:
            nearest.add(record.id)
    stream.part.close()
    return nearest.hint()


def _stream(
    engine: Engine,
    data_path: str,
    parameters: Mapping[str, Any] | None,
    encoding: str | None,
    sheet: str | None,
) -> tuple[RecordStream, dict[str, Any], list[Problem], list[Problem]]:
    """The file's records an employee at a time, as :func:`~engine.io.streaming.stream_records`
    gives them under the policy's inputs."""
    data = engine.source.data
    return stream_records(
        data_path, data.get("inputs") or {}, scales=data.get("scales"), parameters=parameters,
        policy_id=engine.policy.id, sheet=sheet, encoding=encoding,
    )  # fmt: skip


def _relative_warnings(
    relative: Mapping[str, DistributionResult], source: str, employee: str
) -> list[Problem]:
    """:func:`~engine.evaluate.relative.relative_warnings` of ``employee`` alone (the others' not
    made: one a person a distribution could not grade)."""
    mine = {name: replace(result, problems=tuple(p for p in result.problems if employee in p.members))
            for name, result in relative.items()}  # fmt: skip
    return [w for w in relative_warnings(mine, source) if w.employee_id == employee]


__all__ = ["explain", "explain_streamed"]
