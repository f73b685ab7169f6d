"""One canonical population evaluated under several schemes: per scheme the records the mapping
makes, the evaluation, the headline score and grade, pay where declared; per person the grades."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Container, Sequence
from typing import Any, Protocol

from engine.compare.apply import Mapped
from engine.compare.headline import headline, levels_of
from engine.compare.headlines import Headlines
from engine.compare.mapping import CompiledMapping
from engine.compare.outcome import Comparison, SchemeResult
from engine.compare.population import CanonicalPopulation
from engine.compare.readings import check_readings
from engine.distribution import DistributionResult
from engine.evaluate import EmployeeResult, Engine, RunOutcome
from engine.evaluate.each import evaluate_each
from engine.io.model import EmployeeRecord
from engine.io.spool import RowSpool
from engine.io.streaming import Progress
from engine.provenance import stamp_of
from engine.rounding import Rounding


class Bar(Protocol):
    """A progress bar (the report's): told the people done, then finished."""

    def __call__(self, done: int, rows: int) -> None: ...

    def finish(self) -> None: ...


def run_scheme(
    policy_path: str,
    mapping: CompiledMapping,
    population: CanonicalPopulation,
    engine: Engine | None = None,
    explain: Container[str] = (),
    *,
    reasons: bool = True,
    progress: Progress | None = None,
) -> SchemeResult:
    """Map the population a person at a time, evaluate each under the policy, pick out headline
    score, grade and pay (:mod:`engine.compare.mapped`); ``reasons``: each grade's reason too;
    ``progress`` is told the people done."""
    from engine.compare.mapped import run_mapped  # (it builds on this module's summaries)

    engine = engine or Engine.from_file(policy_path)
    return run_mapped(policy_path, mapping, population, engine, explain, reasons=reasons, progress=progress)


def run_records(
    policy_path: str,
    data_path: str,
    engine: Engine | None = None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> SchemeResult:
    """Evaluate a records file written for the policy itself (no mapping, no pay); ``encoding``
    and ``sheet``: how to read a CSV file or a workbook (``--encoding``, ``--sheet``);
    ``progress`` is told the bytes and rows read.

    The file is read an employee at a time (:func:`engine.evaluate.each.evaluate_each`): each
    person's headline score and grade are kept compactly (:attr:`SchemeResult.headlines`, no
    reason), every id read and its name in a spool (:attr:`SchemeResult.read`), in the file's
    order."""
    engine = engine or Engine.from_file(policy_path)
    data = engine.source.data
    score_name, grade_name = headline(data, {})
    heads = Headlines(levels_of(data, grade_name))
    read = RowSpool()
    waiting: deque[str] = deque()  # read, not yet evaluated (or never: their problems say why)

    def named(record: EmployeeRecord) -> None:
        read.append([record.id, str(record.fields.get("name") or "")])
        waiting.append(record.id)

    def person(_: EmployeeRecord, result: EmployeeResult) -> None:
        while waiting.popleft() != result.id:  # the results come in the order read
            heads.skip()
        heads.add(result.values.get(score_name) if score_name else None, _grade_only(result, grade_name))

    try:
        outcome, _, _ = evaluate_each(
            engine, data_path, person, encoding=encoding, sheet=sheet, seen=named, progress=progress
        )
    except BaseException:
        read.close()
        raise
    for _ in waiting:
        heads.skip()
    if grade_name in outcome.relative:  # a relative grade, known once everyone is evaluated
        _regrade(heads, read, outcome.relative[grade_name])
        # each person's grade is read: the groups of a million people are let go (nothing
        # a records comparison reports reads them again)
        outcome.relative = {}
    mapped = Mapped({"policy": engine.policy.id, "employees": []})
    scheme = make_scheme(policy_path, engine, outcome, mapped, (score_name, grade_name))
    scheme.read, scheme.headlines = read, heads
    return scheme


def _regrade(heads: Headlines, read: RowSpool, graded: DistributionResult) -> None:
    """Each evaluated person's grade from the relative grading (``None``: not graded)."""
    for position, (pid, _) in enumerate(read):
        if heads.evaluated(position):
            heads.regrade(position, graded.grade_of(pid))


def _grade_only(result: EmployeeResult, name: str | None) -> str | None:
    """The grade :func:`_table_grade` finds, without the words of its reason."""
    graded = result.grades.get(name) if name is not None else None
    return None if graded is None else graded.grade


def relative_grade(outcome: RunOutcome, name: str, pid: str) -> tuple[str | None, str]:
    """A person's grade from the relative grading ``name``, and why (or why none)."""
    member = outcome.relative[name].outcome(pid)
    return (member.grade, member.reason) if member else (None, "not a candidate")


def make_scheme(
    policy_path: str,
    engine: Engine,
    outcome: RunOutcome,
    mapped: Mapped,
    names: tuple[str | None, str | None],
) -> SchemeResult:
    """A scheme's result without its people: title, headline names, grade levels, rounding."""
    data = engine.source.data
    title = str((data["metadata"].get("name") or {}).get("en") or data["metadata"]["id"])
    return SchemeResult(
        policy_path,
        stamp_of(data),
        title,
        names[0],
        names[1],
        levels_of(data, names[1]),
        outcome,
        mapped,
        rounding=Rounding.from_policy(data["metadata"].get("rounding")),
    )


def grade_of(outcome: RunOutcome, result: Any, name: str | None) -> tuple[str | None, str]:
    """A person's headline grade ``name`` and why: from a grade table in ``result``, or from the
    relative grading once everyone is graded."""
    if name is not None and name in outcome.relative:
        return relative_grade(outcome, name, result.id)
    return table_grade(result, name)


def table_grade(result: Any, name: str | None) -> tuple[str | None, str]:
    """The grade ``name`` of a grade table in ``result``, and how it was found."""
    if name is None:
        return None, "the policy declares no grade"
    graded = result.grades.get(name)
    if graded is None:
        return None, f"no grade from {name}"
    band = graded.band.describe() if graded.band else "no band"
    return (
        graded.grade,
        f"{name}: {graded.value} rounded {graded.rounded}, segment {graded.segment}, band {band}",
    )


def compare_population(
    policies: Sequence[str],
    mappings: Sequence[CompiledMapping],
    population: CanonicalPopulation,
    engines: Sequence[Engine] | None = None,
    explain: Container[str] = (),
    *,
    reasons: bool = True,
    bars: Callable[[int, int], Bar | None] | None = None,
) -> Comparison:
    """Every scheme run over the same population, in the order given (``engines``: already
    compiled); ``reasons``: each grade's reason too (the JSON report shows them); ``bars``: the
    progress bar of scheme ``i`` of ``n`` (from 1), if any."""
    built = list(engines) if engines is not None else [Engine.from_file(p) for p in policies]
    schemes: list[SchemeResult] = []
    try:
        for i, (p, m, e) in enumerate(zip(policies, mappings, built, strict=True), start=1):
            bar = bars(i, len(built)) if bars is not None else None
            schemes.append(run_scheme(p, m, population, e, explain, reasons=reasons, progress=bar))
            if bar is not None:
                bar.finish()
        comparison = Comparison.of(population, schemes)
        check_readings(comparison)
    except BaseException:
        for done in schemes:
            done.close()
        raise
    return comparison
