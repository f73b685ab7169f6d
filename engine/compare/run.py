"""One canonical population evaluated under several schemes: per scheme the records the mapping
makes, the evaluation, the headline score and grade, pay where declared; per person the grades."""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.compare.apply import Mapped, apply_mapping
from engine.compare.mapping import CompiledMapping
from engine.compare.population import CanonicalPopulation
from engine.compare.readings import Reading, check_readings, rank_correspondence
from engine.compare.words import word
from engine.errors import HRPolicyError, Problem
from engine.evaluate import EmployeeResult, Engine, RunOutcome
from engine.evaluate.each import evaluate_each
from engine.io.model import EmployeeRecord, compile_inputs
from engine.io.nested import read_nested
from engine.location import Path
from engine.pay import merit_raise, zone_of
from engine.provenance import Stamp, stamp_of
from engine.rounding import Rounding


@dataclass(frozen=True)
class PersonOutcome:
    """One person under one scheme: headline score and grade, and why."""

    id: str
    score: Decimal | None
    grade: str | None
    reason: str
    salary: Decimal | None = None
    raise_rate: Decimal | None = None
    raise_amount: Decimal | None = None
    pay_reason: tuple[str, ...] = ()


@dataclass
class SchemeResult:
    """A scheme's run over the population."""

    path: str
    stamp: Stamp
    title: str
    score_name: str | None
    grade_name: str | None
    levels: tuple[str, ...]
    outcome: RunOutcome
    mapped: Mapped
    people: dict[str, PersonOutcome] = field(default_factory=dict)
    has_pay: bool = False
    rounding: Rounding | None = None
    #: Declared by the mapping: per other policy id, its grade -> this scheme's grade.
    correspondence: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    correspondence_at: Mapping[tuple[str, str], str] = field(default_factory=dict)
    mapped_from: str = ""
    #: A policy's own records (:func:`run_records`): every employee read, evaluated or not, as
    #: ``(id, name)`` in the file's order.
    read: list[tuple[str, str]] = field(default_factory=list)

    def distribution(self) -> list[tuple[str, int]]:
        """People per grade in the scale's order; ``-`` counts those without a grade."""
        if self.grade_name is None:
            return []
        counts = {level: 0 for level in self.levels}
        none = 0
        for person in self.people.values():
            if person.grade is None:
                none += 1
            else:
                counts[person.grade] = counts.get(person.grade, 0) + 1
        rows = list(counts.items())
        return [*rows, ("-", none)] if none else rows

    def stats(self) -> dict[str, Decimal | int | None]:
        """Count, mean (rounded as the policy's metadata declares), median, min, max of the score."""
        scores = sorted(p.score for p in self.people.values() if p.score is not None)
        if not scores:
            return {"n": 0, "mean": None, "median": None, "min": None, "max": None}
        mean = sum(scores, Decimal(0)) / len(scores)
        mid = len(scores) // 2
        median = scores[mid] if len(scores) % 2 else (scores[mid - 1] + scores[mid]) / 2
        if self.rounding is not None:
            mean, median = self.rounding.apply(mean), self.rounding.apply(median)
        return {"n": len(scores), "mean": mean, "median": median, "min": scores[0], "max": scores[-1]}

    def pay_totals(self) -> dict[str, Decimal] | None:
        if not self.has_pay:
            return None
        paid = [p for p in self.people.values() if p.raise_amount is not None]
        return {
            "salaries": sum((p.salary or Decimal(0) for p in paid), Decimal(0)),
            "raises": sum((p.raise_amount or Decimal(0) for p in paid), Decimal(0)),
            "people": Decimal(len(paid)),
        }


@dataclass
class Comparison:
    """Schemes run over the same people: ``ids`` in the population's order, their names."""

    source: str
    ids: list[str]
    names: dict[str, str]
    schemes: list[SchemeResult]

    @classmethod
    def of(cls, population: CanonicalPopulation, schemes: list[SchemeResult]) -> Comparison:
        names = {p.id: str(p.fields.get("name") or "") for p in population.people}
        return cls(population.file, [p.id for p in population.people], names, schemes)

    @property
    def stamps(self) -> list[Stamp]:
        return [s.stamp for s in self.schemes]

    def person_ids(self) -> list[str]:
        return list(self.ids)

    def transitions(self, a: int, b: int) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
        """Who goes from which grade under scheme ``a`` to which under ``b`` (``-``: no grade)."""
        first, second = self.schemes[a], self.schemes[b]
        counts: dict[tuple[str, str], int] = {}
        for pid in self.person_ids():
            x = _grade(first, pid)
            y = _grade(second, pid)
            counts[(x, y)] = counts.get((x, y), 0) + 1
        rows = [*first.levels, *(["-"] if any(k[0] == "-" for k in counts) else [])]
        cols = [*second.levels, *(["-"] if any(k[1] == "-" for k in counts) else [])]
        return rows, cols, counts

    def reading(self, k: int) -> Reading:
        """How the first scheme's grades read on scheme ``k``'s scale (see :func:`rank_correspondence`)."""
        base, other = self.schemes[0], self.schemes[k]
        declared = other.correspondence.get(base.stamp.id)
        if declared is not None:
            return Reading(base.stamp.id, other.stamp.id, dict(declared), other.mapped_from)
        return Reading(base.stamp.id, other.stamp.id, rank_correspondence(base.levels, other.levels), "rank")

    def moves(self, pid: str, lang: str = "en") -> str:
        """How a person's grade under each later scheme compares with their first-scheme grade read
        on that scheme's scale (:meth:`reading`): ``same``, ``up 1``, ``down 2``; ``n/a`` without a
        grade under either."""
        base = self.schemes[0]
        out = []
        for k, scheme in enumerate(self.schemes[1:], start=1):
            expected = self.reading(k).table.get(_grade(base, pid)) if base.levels and scheme.levels else None
            there, start = position(scheme, _grade(scheme, pid)), position(scheme, expected or "-")
            if there is None or start is None:
                out.append(word("n_a", lang))  # no grade under one of the two
            elif there == start:
                out.append(word("same", lang))
            else:
                out.append(word("down" if there > start else "up", lang, n=abs(there - start)))
        return ", ".join(out)


def _grade(scheme: SchemeResult, pid: str) -> str:
    person = scheme.people.get(pid)
    return person.grade if person is not None and person.grade is not None else "-"


def position(scheme: SchemeResult, grade: str) -> int | None:
    """1-based place of ``grade`` in the scheme's scale (1 is the best); None without one."""
    return scheme.levels.index(grade) + 1 if grade in scheme.levels else None


def headline(policy: Mapping[str, Any], chosen: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The score and grade a comparison shows: the mapping's choice, else the first grade table
    (and its input), else the first distribution (and its score), else the period blend or the
    last employee formula."""
    tables = policy.get("grade_tables") or {}
    dists = policy.get("distributions") or {}
    grade = chosen.get("grade") or next(iter(tables), None) or next(iter(dists), None)
    score = chosen.get("score")
    if score is None and grade in tables:
        score = str(tables[grade]["input"])
    elif score is None and grade in dists:
        score = str(dists[grade]["score"])
    if score is None:
        blend = (policy.get("periods") or {}).get("blend")
        score = blend or next(reversed(list((policy.get("formulas") or {}).get("employee") or {})), None)
    return score, grade


def levels_of(policy: Mapping[str, Any], grade: str | None) -> tuple[str, ...]:
    """The grade codes of the table or distribution ``grade``, best first (empty without one)."""
    spec = (policy.get("grade_tables") or {}).get(grade) or (policy.get("distributions") or {}).get(grade)
    if not spec:
        return ()
    scale = (policy.get("scales") or {}).get(spec.get("scale")) or {}
    return tuple(str(level["code"]) for level in scale.get("levels") or [])


def run_scheme(
    policy_path: str,
    mapping: CompiledMapping,
    population: CanonicalPopulation,
    engine: Engine | None = None,
    explain: Container[str] = (),
) -> SchemeResult:
    """Map the population, evaluate it under the policy, pick out headline score, grade and pay."""
    engine = engine or Engine.from_file(policy_path)
    data = engine.source.data
    mapped = apply_mapping(mapping, population, explain)
    records = read_nested(
        mapped.document,
        population.file,
        _where(mapped, population),
        compile_inputs(data.get("inputs") or {}, data.get("scales")),
        {},
    )
    outcome = engine.evaluate(records)
    for pid, message in mapped.failed.items():
        person = next(p for p in population.people if p.id == pid)
        origin = population.where(("people", person.index))
        outcome.problems.append(Problem(pid, None, "map-failed", message, origin))
    ids = [p.id for p in population.people]
    chosen, pay, parameters = mapping.result, mapping.pay, mapping.parameters
    scheme = summarize(policy_path, engine, outcome, mapped, chosen, pay, parameters, ids)
    scheme.correspondence, scheme.correspondence_at = mapping.correspondence, mapping.correspondence_at
    scheme.mapped_from = mapping.file
    return scheme


def run_records(
    policy_path: str,
    data_path: str,
    engine: Engine | None = None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
) -> SchemeResult:
    """Evaluate a records file written for the policy itself (no mapping, no pay); ``encoding``
    and ``sheet``: how to read a CSV file or a workbook (``--encoding``, ``--sheet``).

    The file is read an employee at a time (:func:`engine.evaluate.each.evaluate_each`): only
    each person's headline score, grade and reason are kept, with every id read and its name
    (:attr:`SchemeResult.read`)."""
    engine = engine or Engine.from_file(policy_path)
    data = engine.source.data
    score_name, grade_name = headline(data, {})

    def person(_: EmployeeRecord, result: EmployeeResult) -> PersonOutcome:
        score = result.values.get(score_name) if score_name else None
        return PersonOutcome(result.id, score, *_table_grade(result, grade_name))

    def named(record: EmployeeRecord) -> tuple[str, str]:
        return record.id, str(record.fields.get("name") or "")

    outcome, people, read = evaluate_each(
        engine, data_path, person, encoding=encoding, sheet=sheet, seen=named
    )
    if grade_name in outcome.relative:  # a relative grade, known once everyone is evaluated
        people = [_relative_person(outcome, p, grade_name) for p in people]
    mapped = Mapped({"policy": engine.policy.id, "employees": []})
    scheme = _scheme(policy_path, engine, outcome, mapped, (score_name, grade_name))
    scheme.people = {p.id: p for p in people}
    scheme.read = read
    return scheme


def _relative_person(outcome: RunOutcome, person: PersonOutcome, name: str) -> PersonOutcome:
    member = outcome.relative[name].outcome(person.id)
    grade, reason = (member.grade, member.reason) if member else (None, "not a candidate")
    return PersonOutcome(person.id, person.score, grade, reason)


def _scheme(
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


def summarize(
    policy_path: str,
    engine: Engine,
    outcome: RunOutcome,
    mapped: Mapped,
    chosen: Mapping[str, str],
    pay: Mapping[str, Any] | None,
    parameters: Mapping[str, Any],
    ids: Sequence[str],
) -> SchemeResult:
    """A scheme's headline score, grade and pay per person from its evaluation."""
    data = engine.source.data
    score_name, grade_name = headline(data, chosen)
    scheme = _scheme(policy_path, engine, outcome, mapped, (score_name, grade_name))
    by_id = {r.id: r for r in outcome.results}
    fields = {r.id: r.fields for r in outcome.population.employees}
    for pid in ids:
        result = by_id.get(pid)
        if result is None:
            continue
        score = result.values.get(score_name) if score_name else None
        grade, reason = _grade_of(outcome, result, grade_name)
        scheme.people[pid] = PersonOutcome(pid, score, grade, reason)
    if pay:
        scheme.has_pay = True
        _pay(scheme, data, pay, parameters, fields)
    return scheme


def _grade_of(outcome: RunOutcome, result: Any, name: str | None) -> tuple[str | None, str]:
    if name is not None and name in outcome.relative:
        member = outcome.relative[name].outcome(result.id)
        return (member.grade, member.reason) if member else (None, "not a candidate")
    return _table_grade(result, name)


def _table_grade(result: Any, name: str | None) -> tuple[str | None, str]:
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


def _pay(
    scheme: SchemeResult,
    policy: Mapping[str, Any],
    spec: Mapping[str, Any],
    parameters: Mapping[str, Any],
    fields: Mapping[str, Mapping[str, Any]],
) -> None:
    for pid, person in list(scheme.people.items()):
        record = dict(fields.get(pid) or {})
        for target, source in (spec.get("grades") or {}).items():
            grade = person.grade if source == scheme.grade_name else _other_grade(scheme, pid, source)
            if grade is not None:
                record[target] = grade
        raw = record.get(spec["salary"])
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            missing = f"no raise: no numeric salary in {spec['salary']}"
            scheme.people[pid] = _with_pay(person, None, None, None, (missing,))
            continue
        salary = Decimal(raw)
        try:
            zone = zone_of(policy, str(record.get(spec["grade"])), salary)
            if zone.zone is None:
                raise HRPolicyError(zone.explanation)
            if spec.get("zone_field"):
                record[spec["zone_field"]] = zone.zone
            rate = merit_raise(policy, record, parameters)
        except (HRPolicyError, TypeError, ArithmeticError) as exc:
            scheme.people[pid] = _with_pay(person, None, None, None, (f"no raise: {exc}",))
            continue
        amount = salary * rate.value / 100
        if scheme.rounding is not None:
            amount = scheme.rounding.apply(amount)
        why = (
            zone.explanation,
            *rate.explanation,
            f"raise amount = {salary} x {rate.value} / 100 = {amount}",
        )
        scheme.people[pid] = _with_pay(person, salary, rate.value, amount, why)


def _other_grade(scheme: SchemeResult, pid: str, source: str) -> str | None:
    if source in scheme.outcome.relative:
        grade = scheme.outcome.relative[source].grade_of(pid)
        return None if grade is None else str(grade)
    result = next((r for r in scheme.outcome.results if r.id == pid), None)
    graded = result.grades.get(source) if result else None
    return graded.grade if graded else None


def _with_pay(
    p: PersonOutcome,
    salary: Decimal | None,
    rate: Decimal | None,
    amount: Decimal | None,
    why: tuple[str, ...],
) -> PersonOutcome:
    return PersonOutcome(p.id, p.score, p.grade, p.reason, salary, rate, amount, why)


def _where(mapped: Mapped, population: CanonicalPopulation) -> Any:
    """Locate a record node at the canonical person or row it was mapped from."""

    def where(node: Path, key: bool) -> str:
        probe = tuple(node)
        while probe and probe not in mapped.origins:
            probe = probe[:-1]
        origin = mapped.origins.get(probe, ())
        return f"{population.where(origin)} (mapped for {mapped.document['policy']})"

    return where


def compare_population(
    policies: Sequence[str],
    mappings: Sequence[CompiledMapping],
    population: CanonicalPopulation,
    engines: Sequence[Engine] | None = None,
    explain: Container[str] = (),
) -> Comparison:
    """Every scheme run over the same population, in the order given (``engines``: already compiled)."""
    built = list(engines) if engines is not None else [Engine.from_file(p) for p in policies]
    comparison = Comparison.of(
        population,
        [run_scheme(p, m, population, e, explain) for p, m, e in zip(policies, mappings, built, strict=True)],
    )
    check_readings(comparison)
    return comparison


@dataclass(frozen=True)
class PersonChange:
    """One person whose score, grade or pay differs between two runs, and by how much."""

    id: str
    old: PersonOutcome | None
    new: PersonOutcome | None

    def score_delta(self) -> Decimal | None:
        if self.old is None or self.new is None or self.old.score is None or self.new.score is None:
            return None
        return Decimal(self.new.score) - Decimal(self.old.score)

    def pay_delta(self) -> Decimal | None:
        if self.old is None or self.new is None:
            return None
        if self.old.raise_amount is None or self.new.raise_amount is None:
            return None
        return self.new.raise_amount - self.old.raise_amount


def changes_between(comparison: Comparison, a: int = 0, b: int = 1) -> list[PersonChange]:
    """Who has another score, grade or raise under scheme ``b`` than under scheme ``a``."""
    first, second = comparison.schemes[a], comparison.schemes[b]
    out = []
    for pid in comparison.ids:
        x, y = first.people.get(pid), second.people.get(pid)
        same = (
            x is not None
            and y is not None
            and (x.score, x.grade, x.raise_amount) == (y.score, y.grade, y.raise_amount)
        )
        if not same and not (x is None and y is None):
            out.append(PersonChange(pid, x, y))
    return out
