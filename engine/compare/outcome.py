"""What a comparison holds: per scheme each person's headline score, grade and pay
(:class:`SchemeResult`), the schemes side by side (:class:`Comparison`: who goes from which grade
to which, who moves), and who changes between two runs (:func:`changes_between`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.compare import headlines as compact
from engine.compare.apply import Mapped
from engine.compare.headlines import Headlines
from engine.compare.population import CanonicalPopulation
from engine.compare.readings import Reading, rank_correspondence
from engine.compare.ties import TieRow
from engine.compare.words import word
from engine.evaluate import RunOutcome
from engine.io.model import EmployeeRecord
from engine.io.spool import ItemSpool, ReadThrough, RowSpool
from engine.provenance import Stamp
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


class OutcomeSpool(ItemSpool["PersonOutcome | None"]):
    """Each person's :class:`PersonOutcome` (None: not evaluated) in order; past a few thousand
    in a temp file, as plain tuples."""

    def _row(self, item: PersonOutcome | None) -> Any:
        if item is None:
            return None
        return (item.id, item.score, item.grade, item.reason, item.salary, item.raise_rate,
                item.raise_amount, item.pay_reason)  # fmt: skip

    def _item(self, row: Any) -> PersonOutcome | None:
        return None if row is None else PersonOutcome(*row)


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
    #: ``[id, name]`` in the file's order; :attr:`headlines` holds their results (and
    #: :attr:`people` none), in the same order.
    read: RowSpool | None = None
    headlines: Headlines | None = None
    #: Over a canonical population (:func:`engine.compare.mapped.run_mapped`): each person's
    #: outcome in the population's order (None: not evaluated), and the pay totals.
    outcomes: OutcomeSpool | None = None
    totals: dict[str, Decimal] | None = None
    #: The record and outcome of the person ``--explain`` names, when evaluated.
    explained: EmployeeRecord | None = None
    explained_person: PersonOutcome | None = None
    #: With reasons, the headline distribution's boundary ties their reasons name (``T1``...):
    #: how many, their members a spool of rows (:mod:`engine.compare.ties`); and the label and
    #: members of each tie the ``--explain`` person is in.
    tie_count: int = 0
    ties: ItemSpool[TieRow] | None = None
    explained_ties: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def close(self) -> None:
        """Let the spools go (their temp files removed)."""
        if self.outcomes is not None:
            self.outcomes.close()
        if self.ties is not None:
            self.ties.close()

    def distribution(self) -> list[tuple[str, int]]:
        """People per grade in the scale's order; ``-`` counts those without a grade."""
        if self.grade_name is None:
            return []
        if self.headlines is not None:
            return self.headlines.distribution()
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
        if self.headlines is not None:
            return self.headlines.stats(self.rounding)
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
        """Salaries and raises summed over the people with a raise, and how many (None without pay)."""
        if not self.has_pay:
            return None
        if self.outcomes is not None:
            return self.totals
        paid = [p for p in self.people.values() if p.raise_amount is not None]
        return {
            "salaries": sum((p.salary or Decimal(0) for p in paid), Decimal(0)),
            "raises": sum((p.raise_amount or Decimal(0) for p in paid), Decimal(0)),
            "people": Decimal(len(paid)),
        }


@dataclass
class Comparison:
    """Schemes run over the same people: ``ids`` in the population's order, their names.

    Over a policy's own records (``read`` given: the people read, ``[id, name]`` in order), the
    schemes' results are their :attr:`SchemeResult.headlines`, ``ids`` reads the spool through
    and ``names`` is empty: each change carries its person's name."""

    source: str
    ids: Sequence[str]
    names: Mapping[str, str]
    schemes: list[SchemeResult]
    read: RowSpool | None = None
    made_readings: dict[int, Reading] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, population: CanonicalPopulation, schemes: list[SchemeResult]) -> Comparison:
        """The schemes' runs over ``population``, its people in its order (read from its spool of
        ids and names, which the comparison then owns)."""
        return cls(population.file, ReadIds(population.read), {}, schemes, population.read)

    def close(self) -> None:
        """Let the spools go (the people read, each scheme's outcomes)."""
        if self.read is not None:
            self.read.close()
        for scheme in self.schemes:
            scheme.close()

    def people(self) -> Iterator[tuple[str, str, list[PersonOutcome | None]]]:
        """Each person's id, name and outcome under each scheme, in the population's order
        (over a canonical population: the spools read through together)."""
        if self.read is not None and all(s.outcomes is not None for s in self.schemes):
            spools = [iter(s.outcomes) for s in self.schemes if s.outcomes is not None]
            for pid, name in self.read:
                yield pid, name, [next(spool) for spool in spools]
            return
        for pid in self.ids:
            yield pid, self.names.get(pid, ""), [s.people.get(pid) for s in self.schemes]

    @property
    def stamps(self) -> list[Stamp]:
        """The stamp of each scheme's policy, in the schemes' order."""
        return [s.stamp for s in self.schemes]

    def person_ids(self) -> list[str]:
        """The people compared, in the population's order."""
        return list(self.ids)

    def transitions(self, a: int, b: int) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
        """Who goes from which grade under scheme ``a`` to which under ``b`` (``-``: no grade)."""
        first, second = self.schemes[a], self.schemes[b]
        if first.headlines is not None and second.headlines is not None:
            counts = compact.transitions(first.headlines, second.headlines)
        else:
            counts = {}
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
        return self.moves_of([_grade(s, pid) for s in self.schemes], lang)

    def moves_of(self, grades: Sequence[str], lang: str = "en") -> str:
        """:meth:`moves` of a person whose grade under each scheme is ``grades`` (``-``: none)."""
        base = self.schemes[0]
        readings = self._readings()
        out = []
        for k, scheme in enumerate(self.schemes[1:], start=1):
            expected = readings[k].table.get(grades[0]) if base.levels and scheme.levels else None
            there, start = position(scheme, grades[k]), position(scheme, expected or "-")
            if there is None or start is None:
                out.append(word("n_a", lang))  # no grade under one of the two
            elif there == start:
                out.append(word("same", lang))
            else:
                out.append(word("down" if there > start else "up", lang, n=abs(there - start)))
        return ", ".join(out)

    def _readings(self) -> dict[int, Reading]:
        """:meth:`reading` of every later scheme, made once."""
        if self.made_readings is None:
            self.made_readings = {k: self.reading(k) for k in range(1, len(self.schemes))}
        return self.made_readings


def _grade(scheme: SchemeResult, pid: str) -> str:
    person = scheme.people.get(pid)
    return person.grade if person is not None and person.grade is not None else "-"


def position(scheme: SchemeResult, grade: str) -> int | None:
    """1-based place of ``grade`` in the scheme's scale (1 is the best); None without one."""
    return scheme.levels.index(grade) + 1 if grade in scheme.levels else None


@dataclass(frozen=True)
class PersonChange:
    """One person whose score, grade or pay differs between two runs, and by how much."""

    id: str
    old: PersonOutcome | None
    new: PersonOutcome | None
    name: str = ""

    def score_delta(self) -> Decimal | None:
        """New score minus old; None when either run has no score."""
        if self.old is None or self.new is None or self.old.score is None or self.new.score is None:
            return None
        return Decimal(self.new.score) - Decimal(self.old.score)

    def pay_delta(self) -> Decimal | None:
        """New raise minus old; None when either run has no raise."""
        if self.old is None or self.new is None:
            return None
        if self.old.raise_amount is None or self.new.raise_amount is None:
            return None
        return self.new.raise_amount - self.old.raise_amount


def changes_between(comparison: Comparison, a: int = 0, b: int = 1) -> Changes:
    """Who has another score, grade or raise under scheme ``b`` than under scheme ``a`` (made
    as they are read: see :class:`Changes`)."""
    return Changes(comparison, a, b)


class Changes(ReadThrough[PersonChange]):
    """The people whose score, grade or raise differs from scheme ``a`` to scheme ``b``, in the
    population's order, made from the comparison's spools each time they are read (a report
    reads them for its table and its data): none is held, where a list of them grew with the
    people who change (some 1 KB each with their rows). Read before the comparison is closed."""

    def __init__(self, comparison: Comparison, a: int = 0, b: int = 1) -> None:
        self.comparison, self.a, self.b = comparison, a, b
        self._count: int | None = None

    def _compact(self) -> tuple[RowSpool, Headlines, Headlines] | None:
        first, second = self.comparison.schemes[self.a], self.comparison.schemes[self.b]
        read = self.comparison.read
        heads = first.headlines, second.headlines
        if first.outcomes is None and read is not None and heads[0] is not None and heads[1] is not None:
            return read, heads[0], heads[1]
        return None

    def __len__(self) -> int:
        if self._count is None:
            compact_run = self._compact()
            found = compact.changes(*compact_run) if compact_run is not None else iter(self)
            self._count = sum(1 for _ in found)
        return self._count

    def __iter__(self) -> Iterator[PersonChange]:
        compact_run = self._compact()
        if compact_run is not None:
            read, first, second = compact_run
            for pid, name, at in compact.changes(read, first, second):
                yield PersonChange(pid, _outcome(first, pid, at), _outcome(second, pid, at), name)
            return
        a, b = self.a, self.b
        for pid, name, outcomes in self.comparison.people():
            x, y = outcomes[a], outcomes[b]
            same = (
                x is not None
                and y is not None
                and (x.score, x.grade, x.raise_amount) == (y.score, y.grade, y.raise_amount)
            )
            if not same and not (x is None and y is None):
                yield PersonChange(pid, x, y, name)


def _outcome(people: Headlines, pid: str, position: int) -> PersonOutcome | None:
    """A person's outcome from compact headlines (no reason: a records run keeps none)."""
    if not people.evaluated(position):
        return None
    return PersonOutcome(pid, people.score(position), people.grade(position), "")


class ReadIds(Sequence[str]):
    """The ids of the people read (a spool of ``[id, name]`` rows), read through when iterated."""

    def __init__(self, read: RowSpool) -> None:
        self.read = read

    def __len__(self) -> int:
        return len(self.read)

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in self.read)

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]
