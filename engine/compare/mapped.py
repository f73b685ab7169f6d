"""One scheme run over a canonical population a person at a time: each person mapped to the
scheme's record (:func:`engine.compare.apply.map_person`), read as a records document's
employee (:class:`engine.io.nested.NestedStream`), checked and evaluated
(:func:`engine.evaluate.parallel.render_records`, the step every streamed run takes), and let go.

What is kept of a million people: each one's headline score and grade compactly
(:class:`~engine.compare.headlines.Headlines`), the problems in a spool, under a policy with
distributions the compact candidate rows of :class:`~engine.evaluate.relative.RelativeGrading`,
and in a spool on disk what the second pass needs (the grade's reason, the mapped fields pay
reads). Once everyone is evaluated (and graded relatively), the second pass reads that spool
back in order and writes each person's :class:`~engine.compare.outcome.PersonOutcome`, their
grade, reason and raise, to :attr:`SchemeResult.outcomes` (a spool of one item per person, None
for a person not evaluated), summing the pay totals as it goes. The outcome is the one the
whole population's records document gives (the same problems, warnings and grades in the same
order): a person whose mapping fails is a ``map-failed`` problem after all the others.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Mapping
from decimal import Decimal
from typing import Any

from engine.compare.apply import Mapped, map_person
from engine.compare.headline import headline, levels_of
from engine.compare.headlines import Headlines
from engine.compare.mapping import CompiledMapping
from engine.compare.outcome import OutcomeSpool, PersonOutcome, SchemeResult
from engine.compare.population import CanonicalPopulation
from engine.compare.raises import person_raise
from engine.compare.run import make_scheme, relative_grade, table_grade
from engine.compare.ties import TieRow, name_ties
from engine.errors import DataError, Problem
from engine.evaluate import EmployeeResult, Engine, RunOutcome
from engine.evaluate.parallel import SplitRenderer, render_records, settle_read
from engine.evaluate.relative import RelativeGrading, relative_warnings
from engine.gcpause import collected_gc
from engine.io.model import EmployeeRecord, Population, ReadWhole, compile_inputs
from engine.io.nested import NestedStream, read_head
from engine.io.spool import ItemSpool, ProblemSpool
from engine.location import Path
from engine.pay.formulas import PayFormulas

#: People whose outcomes are held in memory before a batch goes to the spool's file.
BATCH = 256
#: Rows of tied ids (:data:`engine.compare.ties.CHUNK` each) held before a batch is written.
TIE_ROWS = 16


class _Run:
    """The first pass of one scheme: the people mapped and evaluated in order."""

    def __init__(
        self,
        mapping: CompiledMapping,
        population: CanonicalPopulation,
        engine: Engine,
        explain: Container[str],
        reasons: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.mapping, self.population, self.engine, self.explain = mapping, population, engine, explain
        self.reasons, self.progress = reasons, progress
        data = engine.source.data
        self.score_name, self.grade_name = headline(data, mapping.result)
        self.heads = Headlines(levels_of(data, self.grade_name))
        self.pay = mapping.pay
        grades = (self.pay or {}).get("grades") or {}
        self.sources = [s for s in dict.fromkeys(grades.values()) if s != self.grade_name]
        #: Per person evaluated, in order: id, score, grade, reason, mapped fields, other grades.
        self.kept: ItemSpool[tuple[Any, ...]] = ItemSpool(threshold=BATCH)
        self.failed = ProblemSpool()  # ``map-failed``, in the population's order
        self.explained: dict[str, list[str]] = {}
        self.explained_record: EmployeeRecord | None = None
        self.origins: dict[Path, Path] = {}  # the person being read: record path -> population path
        self.position = -1  # the person being read
        self.fields: Mapping[str, Any] = {}  # their record's fields, as read
        self.grading = RelativeGrading(data) if data.get("distributions") else None

    def where(self, node: Path, key: bool) -> str:
        """Locate a record node at the canonical person or row it was mapped from."""
        probe = tuple(node)
        while probe and probe not in self.origins:
            probe = probe[:-1]
        origin = self.origins.get(probe, ())
        return f"{self.population.where(origin)} (mapped for {self.mapping.policy_id})"

    def items(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each person's record, numbered as the records document's employees."""
        index = 0
        for seen, person in enumerate(self.population.people):
            if self.progress is not None:
                self.progress(seen, seen)  # the people mapped and evaluated so far
            record, origins, lines, error = map_person(self.mapping, person, index, self.explain)
            if lines is not None:
                self.explained[person.id] = lines
            if record is None:
                origin = self.population.where(("people", person.index))
                self.failed.append(Problem(person.id, None, "map-failed", str(error), origin))
                continue
            self.origins, self.position = origins, person.index
            yield index, record
            index += 1
        if self.progress is not None:
            self.progress(len(self.population), len(self.population))

    def records(self, stream: NestedStream) -> Iterator[EmployeeRecord]:
        """The records read, each evaluated before the next is read: the people before it that
        were not evaluated are noted as such."""
        heads = self.heads
        for record in stream:
            while len(heads) < self.position:
                heads.skip()
            self.fields = record.fields
            if record.id in self.explain:
                self.explained_record = record
            yield record

    def piece(self, result: EmployeeResult, _: RunOutcome, record: EmployeeRecord) -> None:
        """One person evaluated: their headline kept, the rest spooled for the second pass."""
        if self.grading is not None:
            self.grading.add(record, result.values)
        score = result.values.get(self.score_name) if self.score_name else None
        if self.reasons or result.id in self.explain:
            grade, reason = table_grade(result, self.grade_name)
        else:
            grade, reason = _grade(result, self.grade_name) if self.grade_name else None, ""
        self.heads.add(score, grade)
        others = {s: _grade(result, s) for s in self.sources}
        fields = dict(self.fields) if self.pay else None
        self.kept.append((result.id, score, grade, reason, fields, others))

    def evaluate(self) -> RunOutcome:
        """Every person mapped and evaluated: the run's outcome (results not kept)."""
        engine, population = self.engine, self.population
        data = engine.source.data
        document = {
            "policy": self.mapping.policy_id,
            "parameters": dict(self.mapping.parameters),
            "org_units": [dict(u) for u in population.org_units],
        }
        rules = compile_inputs(data.get("inputs") or {}, data.get("scales"))
        head = read_head(document, population.file, self.where, rules, {})
        stream = NestedStream(head, self.items())
        engine.require_parameters(head.parameters)
        empty = Population([], head.parameters, head.org_parent, head.org_names, None, [], population.file)
        outcome = RunOutcome(engine.policy, empty)
        render = SplitRenderer(piece=self.piece, join=lambda _: "", merge=lambda *_: "")
        checks = ProblemSpool()
        try:
            with collected_gc():
                for _ in render_records(engine, outcome, self.records(stream), render, checks):
                    pass
        except ReadWhole as exc:  # the mapping gives two people one id
            raise DataError(
                f"{self.mapping.file}: the mapping gives the id {exc} to more than one person"
            ) from None
        while len(self.heads) < len(population):
            self.heads.skip()
        settle_read(outcome, stream.part, head.reader.problems, [], checks)
        if self.grading is not None:
            outcome.relative = self.grading.grade(head.org_parent)
            outcome.warnings.extend(relative_warnings(outcome.relative, population.file))
        assert isinstance(outcome.problems, ProblemSpool)
        outcome.problems.extend(self.failed)
        self.failed.close()
        return outcome

    def close(self) -> None:
        self.kept.close()
        self.failed.close()


def _grade(result: EmployeeResult, name: str) -> str | None:
    graded = result.grades.get(name)
    return graded.grade if graded else None


def run_mapped(
    policy_path: str,
    mapping: CompiledMapping,
    population: CanonicalPopulation,
    engine: Engine,
    explain: Container[str] = (),
    *,
    reasons: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SchemeResult:
    """The scheme's run over ``population`` through ``mapping`` (``progress`` told the people
    done, as a reader tells its bytes and rows); the people in ``explain`` get
    the reason for every mapped value and their record kept for the trace. Without ``reasons``
    the grade's reason is left empty but for them (a report that does not show it: a relative
    grade's reason names every person tied with them, so a million people's would not fit)."""
    run = _Run(mapping, population, engine, explain, reasons, progress)
    try:
        outcome = run.evaluate()
        mapped = Mapped({"policy": mapping.policy_id, "employees": []}, explained=run.explained)
        scheme = make_scheme(policy_path, engine, outcome, mapped, (run.score_name, run.grade_name))
        scheme.correspondence, scheme.correspondence_at = mapping.correspondence, mapping.correspondence_at
        scheme.mapped_from = mapping.file
        scheme.headlines = run.heads
        scheme.has_pay = bool(mapping.pay)
        _second_pass(run, scheme, outcome)
    finally:
        run.close()
    if run.explained_record is not None and scheme.outcomes is not None:
        scheme.explained = run.explained_record
    # each person's grade is read: the groups are let go (the report reads them no more)
    outcome.relative = {}
    return scheme


def _second_pass(run: _Run, scheme: SchemeResult, outcome: RunOutcome) -> None:
    """Each person's outcome in order (relative grades, raises), and the pay totals."""
    data = run.engine.source.data
    heads, name, pay = run.heads, run.grade_name, run.mapping.pay
    relative = name is not None and name in outcome.relative
    outcomes = OutcomeSpool(threshold=BATCH)
    salaries, raises, paid = Decimal(0), Decimal(0), 0
    formulas = PayFormulas(data)
    kept = iter(run.kept)
    if relative and (run.reasons or run.explain):
        assert name is not None
        _name_ties(run, scheme, outcome, name)
    try:
        for position in range(len(heads)):
            if not heads.evaluated(position):
                outcomes.append(None)
                continue
            pid, score, grade, reason, fields, others = next(kept)
            if relative:
                assert name is not None
                if run.reasons or pid in run.explain:
                    grade, reason = relative_grade(outcome, name, pid)
                else:
                    grade = outcome.relative[name].grade_of(pid)
                heads.regrade(position, grade)
            person = PersonOutcome(pid, score, grade, reason)
            if pay:
                grade_of = _other(outcome, pid, others)
                person = person_raise(
                    scheme, data, pay, run.mapping.parameters, person, fields, grade_of, formulas
                )
                if person.raise_amount is not None:
                    salaries += person.salary or Decimal(0)
                    raises += person.raise_amount
                    paid += 1
            if pid in run.explain:
                scheme.explained_person = person
            outcomes.append(person)
    except BaseException:
        outcomes.close()
        raise
    scheme.outcomes = outcomes
    if pay:
        scheme.totals = {"salaries": salaries, "raises": raises, "people": Decimal(paid)}


def _name_ties(run: _Run, scheme: SchemeResult, outcome: RunOutcome, name: str) -> None:
    """The headline distribution's boundary ties named in its reasons (``T1``...), their members
    spooled once for the report (with reasons), those of the ``--explain`` person's kept."""
    spool: ItemSpool[TieRow] | None = ItemSpool(threshold=TIE_ROWS) if run.reasons else None
    outcome.relative[name], named = name_ties(outcome.relative[name], spool)
    scheme.ties, scheme.tie_count = spool, len(named)
    for tie in named if run.explain else ():
        members = tie.members
        if any(pid in run.explain for pid in members):
            scheme.explained_ties.append((tie.label, members))


def _other(outcome: RunOutcome, pid: str, others: Mapping[str, str | None]) -> Any:
    """A person's grade from another table or distribution than the headline one."""

    def grade_of(source: str) -> str | None:
        if source in outcome.relative:
            grade = outcome.relative[source].grade_of(pid)
            return None if grade is None else str(grade)
        return others.get(source)

    return grade_of


__all__ = ["run_mapped"]
