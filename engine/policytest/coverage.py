"""What a policy declares that tests can exercise, and what one test run exercised.

Items, per kind:

- ``grade band``: each band of each segment of each grade table; hit when an employee's score
  lands in it.
- ``formula branch``: both branches of every ``x if c else y`` in the formulas; hit when an
  evaluation takes it (the traced path reports every conditional it reaches).
- ``sheet rule``: each rule of ``indicator_rules`` (counts, weight band and total, kinds,
  required fields, difficulty steps, fixed indicators, each constraint); hit when a test
  expects that rule's problem and the run reports it. A rule that never fires in a test is not
  shown to work.
- ``exception``: each declared exception; hit when it applies to a tested employee.
- ``distribution path``: per distribution, a group graded, a tie at a grade boundary, and
  where declared a small group merged upward and a group too small to grade.
- ``chain``: each evaluator chain; hit when it is the chain of an evaluated employee (for one
  of the periods: kepco_like's mid-term check has chains of its own).
- ``chain period``: each evaluation period a chain names (``period``); hit when an evaluated
  employee with a sheet of that period has a chain of it (the final period: any chain).
- ``record requirement``: each of ``record_requirements``; hit when a test expects one of its
  problems and sees it, and an evaluated employee meets it (no problem of it reported), in the
  same case or in two cases (:func:`settle` joins the halves over the cases).
- ``confirmation``, ``confirmed period``, ``stage field``: the chains' own rules
  (:mod:`engine.policytest.chain_coverage`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.chains import NoChain, compile_chains, employee_env
from engine.distribution import distribution_from_policy
from engine.errors import HRPolicyError, Problem
from engine.evaluate.run import Engine, RunOutcome
from engine.policytest import chain_coverage

KINDS = (
    "grade band",
    "formula branch",
    "sheet rule",
    "exception",
    "distribution path",
    "chain",
    "chain period",
    *chain_coverage.KINDS,
    "record requirement",
)
PLURALS = dict(
    zip(
        KINDS,
        (
            "grade bands",
            "formula branches",
            "sheet rules",
            "exceptions",
            "distribution paths",
            "chains",
            "chain periods",
            *chain_coverage.PLURALS,
            "record requirements",
        ),
        strict=True,
    )
)
TOO_SMALL = "distribution-group-too-small"
REQUIREMENT = "record requirement"
#: The two halves of a record requirement's item (and of the chains' halved items), hit
#: separately (see :func:`settle`).
REFUSED, MET = "refused", "met"
HALVED = (REQUIREMENT, *chain_coverage.HALVED)


@dataclass(frozen=True, order=True)
class Item:
    """One thing a test can exercise: its kind (one of :data:`KINDS`) and its name."""

    kind: str
    name: str


def _bands(engine: Engine) -> list[Item]:
    return [
        Item("grade band", f"{t.name}/{s.name}/{b.grade}" if s.name else f"{t.name}/{b.grade}")
        for t in engine.policy.grade_tables
        for s in t.segments
        for b in s.bands
    ]


def _branches(engine: Engine) -> list[Item]:
    steps = (*engine.policy.indicator_steps, *engine.policy.employee_steps)
    return [
        Item("formula branch", f"{step.name}: {test} -> {side}")
        for step in steps
        for test in step.formula.conditions()
        for side in ("true", "false")
    ]


def sheet_rule_ids(engine: Engine) -> list[str]:
    """The rule ids the policy's sheet checks can report (``sheet-constraint-<id>`` per constraint)."""
    rules = engine.sheet_rules
    declared = [
        ("sheet-count", rules.total.min is not None or rules.total.max is not None),
        ("sheet-category-count", bool(rules.categories)),
        ("sheet-kind", _kinds_can_fail(engine)),
        ("sheet-fixed-missing", any(rules.fixed.values())),
        ("sheet-weight-band", rules.weight_min is not None or rules.weight_max is not None),
        ("sheet-weight-total", rules.weight_total is not None),
        ("sheet-required-field", _required_can_fail(engine) or bool(rules.required_when)),
        ("sheet-difficulty", rules.difficulty_rule is not None),
    ]
    ids = [rule for rule, present in declared if present]
    return ids + [f"sheet-constraint-{c.id}" for c in rules.constraints]


def _required_can_fail(engine: Engine) -> bool:
    """Whether a required goal field may be left out: one the inputs make required is refused by
    the record reader first (``record-missing``), so the sheet rule never fires for it."""
    fields = (engine.source.data.get("inputs") or {}).get("indicator") or {}
    for name in engine.sheet_rules.required_fields:
        spec = fields.get(name) or {}
        if spec.get("required") is False or "default" in spec:
            return True
    return False


def _kinds_can_fail(engine: Engine) -> bool:
    """Whether some category refuses a kind the kind field accepts (else the check never fires)."""
    rules = engine.sheet_rules
    if not rules.kinds:
        return False
    field_spec = ((engine.source.data.get("inputs") or {}).get("indicator") or {}).get(rules.kind_field) or {}
    values = field_spec.get("values")
    if not values:
        return True
    return any(set(values) - set(allowed) for allowed in rules.kinds.values())


def _distribution_items(engine: Engine) -> list[Item]:
    data = engine.source.data
    items = []
    for name in data.get("distributions") or {}:
        rule = distribution_from_policy(data, name)
        paths = ["group graded", "tie at a grade boundary"]
        if rule.can_merge:
            paths.append("small group merged upward")
        if rule.can_merge or rule.min_group_size > 1:
            paths.append("group too small to grade")
        items += [Item("distribution path", f"{name}: {path}") for path in paths]
    return items


def declared_items(engine: Engine) -> list[Item]:
    """Every item of the policy, in :data:`KINDS` order."""
    return [
        *_bands(engine),
        *_branches(engine),
        *(Item("sheet rule", rule) for rule in sheet_rule_ids(engine)),
        *(Item("exception", e.id) for e in engine.sheet_rules.exceptions),
        *_distribution_items(engine),
        *(Item("chain", c.id) for c in compile_chains(engine.source.data).chains),
        *_chain_periods(engine),
        *(Item(kind, name) for kind, name in chain_coverage.declared(engine)),
        *(Item(REQUIREMENT, name) for name in engine.source.data.get("record_requirements") or {}),
    ]


def _chain_periods(engine: Engine) -> list[Item]:
    rules = compile_chains(engine.source.data)
    named = {c.period for c in rules.chains if c.period is not None}
    return [Item("chain period", p) for p in rules.periods if p in named]


def _holds(formula: Any, env: Mapping[str, Any]) -> bool:
    try:
        return bool(formula(env))
    except HRPolicyError:
        return False


def items_hit(engine: Engine, outcome: RunOutcome, confirmed: Iterable[Problem]) -> set[Item]:
    """What ``outcome`` exercised; ``confirmed`` are the problems the test expected and saw."""
    hit: set[Item] = set()
    for result in outcome.results:
        for table, grade in result.grades.items():
            if grade.band is not None:
                name = (
                    f"{table}/{grade.segment}/{grade.band.grade}"
                    if grade.segment
                    else f"{table}/{grade.band.grade}"
                )
                hit.add(Item("grade band", name))
        hit.update(
            Item("formula branch", f"{step}: {test} -> {'true' if taken else 'false'}")
            for step, test, taken in result.branches
        )
    hit.update(Item("sheet rule", p.rule) for p in confirmed if p.rule.startswith("sheet-"))
    population = outcome.population
    for record in population.employees:
        sheet = record.periods[list(record.periods)[-1]] if record.periods else record.indicators
        env = engine.sheet_env(record, population.parameters, sheet)
        hit.update(Item("exception", e.id) for e in engine.sheet_rules.exceptions if _holds(e.when, env))
    hit.update(_distribution_hits(outcome))
    hit.update(_chain_hits(engine, outcome))
    hit.update(_requirement_halves(engine, outcome, confirmed))
    chained = chain_coverage.hits(engine, outcome, confirmed, REFUSED, MET)
    hit.update(Item(kind, name) for kind, name in chained)
    return hit


def _requirement_of(problem: Problem, names: Iterable[str]) -> str | None:
    """The requirement a problem comes from: its messages begin ``<id> (<label>):``."""
    if not problem.rule.startswith("requirement-"):
        return None
    return next((n for n in names if problem.message.startswith(f"{n} (")), None)


def _requirement_halves(engine: Engine, outcome: RunOutcome, confirmed: Iterable[Problem]) -> set[Item]:
    """Half-items ``<id> refused`` (its problem expected and seen) and ``<id> met`` (an evaluated
    employee with none of its problems); :func:`settle` turns both halves into the item."""
    names = list(engine.source.data.get("record_requirements") or {})
    hit = {Item(REQUIREMENT, f"{n} {REFUSED}") for p in confirmed if (n := _requirement_of(p, names))}
    unmet: dict[str, set[str]] = {}
    for p in (*outcome.problems, *outcome.warnings):
        name = _requirement_of(p, names)
        if name is not None and p.employee_id is not None:
            unmet.setdefault(p.employee_id, set()).add(name)
    for result in outcome.results:
        hit.update(Item(REQUIREMENT, f"{n} {MET}") for n in names if n not in unmet.get(result.id, set()))
    return hit


def settle(hit: Iterable[Item]) -> set[Item]:
    """``hit`` with each halved item (:data:`HALVED`) whose two halves (refused, met) are both in it."""
    found = set(hit)
    for item in list(found):
        if item.kind in HALVED and item.name.endswith(f" {REFUSED}"):
            name = item.name[: -len(REFUSED) - 1]
            if Item(item.kind, f"{name} {MET}") in found:
                found.add(Item(item.kind, name))
    return found


def _distribution_hits(outcome: RunOutcome) -> set[Item]:
    hit: set[Item] = set()
    for name, result in outcome.relative.items():
        for group in result.groups:
            if group.members:
                hit.add(Item("distribution path", f"{name}: group graded"))
            if group.ties:
                hit.add(Item("distribution path", f"{name}: tie at a grade boundary"))
            if group.merged_from:
                hit.add(Item("distribution path", f"{name}: small group merged upward"))
        if any(p.rule == TOO_SMALL for p in result.problems):
            hit.add(Item("distribution path", f"{name}: group too small to grade"))
    return hit


def _chain_hits(engine: Engine, outcome: RunOutcome) -> set[Item]:
    rules = compile_chains(engine.source.data)
    if not rules.chains:
        return set()
    records = {r.id: r for r in outcome.population.employees}
    hit = set()
    for result in outcome.results:
        env = employee_env(rules, records[result.id], result.values)
        for period in (*rules.other_periods, None):  # each period's chain (None: the final one)
            try:
                chain, _ = rules.choose(env, period)
            except NoChain:
                continue
            hit.add(Item("chain", chain.id))
            if chain.period is not None and (period is None or period in records[result.id].periods):
                hit.add(Item("chain period", chain.period))
    return hit


@dataclass(frozen=True)
class Coverage:
    """One policy's coverage: every declared item and the ones the tests hit."""

    policy: str
    declared: tuple[Item, ...]
    hit: frozenset[Item]

    @property
    def percent(self) -> float:
        return 100.0 if not self.declared else 100.0 * len(self.covered) / len(self.declared)

    @property
    def covered(self) -> tuple[Item, ...]:
        return tuple(i for i in self.declared if i in self.hit)

    @property
    def missed(self) -> tuple[Item, ...]:
        return tuple(i for i in self.declared if i not in self.hit)

    def by_kind(self) -> list[tuple[str, int, int]]:
        """(kind, covered, declared) for each kind the policy declares."""
        rows = []
        for kind in KINDS:
            of_kind: Sequence[Item] = [i for i in self.declared if i.kind == kind]
            if of_kind:
                rows.append((kind, sum(1 for i in of_kind if i in self.hit), len(of_kind)))
        return rows
