"""The evaluator chain and record requirement review of a chunk's employees, over columns.

:meth:`ChainReview.sure` finds the employees whose review by :meth:`Engine.review` surely finds no
problem and no warning; only the others go through that per-employee review
(:meth:`.plan.Plan._reviewed`), so what is reported is that review's by construction. An
employee is "sure" only where every value the review reads is known here exactly as the
per-record reader gives it (text without surrounding spaces, ISO dates, enum values) and every
rule it applies is decided over columns; anything else (a padded cell, a field with a default
left blank, a condition the column walker cannot decide, a chain read with evaluations) leaves
the employee to the per-employee review.

What is reviewed, for a record without evaluations (a table carries none):

- the chain: the first chain of the final period whose ``when`` is surely ``True``; with its
  stages signed in their ``field`` columns or not at all. The part of the chain review that does
  not depend on the employee is done once per chain on a template record (no stage signed): if
  it finds anything, every employee of that chain is reviewed one by one. A signed stage adds
  only the checks a signature can fail (not the employee, not a second stage's signer), and
  none where the stage wants an evaluator level;
- each record requirement: ``when`` and ``checks`` through the column walker (surely ``True``),
  ``fields`` filled in, ``parties`` (self: the employee's id; a stage: not the id, a stage of
  the chain, its evaluator unknown or the same), ``dates`` (within ``from``..``to``, not before
  ``after``), compared as the review compares them: text with text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

import engine.arrowcompute as ac
from engine.chains.model import Chain, ChainRules
from engine.chains.requirements import Requirement
from engine.chains.review import review
from engine.evaluate.columnar import cells
from engine.evaluate.columnar.numbers import Ints, Mask
from engine.evaluate.columnar.reading import FieldPlan, text_ok
from engine.evaluate.columnar.vectors import Col, Unsupported, Walker
from engine.formula import CompiledFormula
from engine.io.fields import FieldRule
from engine.io.model import EmployeeRecord

#: A date as the per-record reader writes it back (``date.isoformat``), in ASCII digits only.
_ISO_DAY = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: Field kinds whose columns the walker reads as the review's formulas read the values.
_WALKABLE = frozenset({"num", "bool", "cat"})


@dataclass(frozen=True)
class _Value:
    """One employee field per employee: its text where known exactly (``text`` None: never),
    where it is blank (None or spaces in the review's eyes) and where ``text`` is exact."""

    text: pa.Array | None
    blank: Mask
    exact: Mask


@dataclass(frozen=True)
class ChainReview:
    """What the column review needs of a policy's chains and requirements (see the module doc)."""

    rules: ChainRules
    chains: tuple[Chain, ...]  # the final period's chains, in the order they are tried
    template_ok: tuple[bool, ...]  # per chain: its review with no stage signed finds nothing
    fields: Mapping[str, FieldPlan]  # employee fields with a column
    rules_by_name: Mapping[str, FieldRule]  # every declared employee field
    kinds: Mapping[str, str]  # every declared employee field: num, bool, cat, text, date

    def sure(
        self, head: Callable[[int], pa.Array], n: int, ids: pa.Array, person: Callable[[str], Col]
    ) -> Mask:
        """Per employee (``n``; ``head``: a column's cells in each one's first row; ids
        ``ids``), whether the review surely finds no problem and no warning; ``person`` gives
        an employee field's column (defaults applied) as the plan converted it."""
        cells = _Cells(self, head, n, person)
        chosen, undecided = self._choose(n, person)
        out = np.zeros(n, bool)
        for index, chain in enumerate(self.chains):
            mine = (chosen == index) & ~undecided
            if not mine.any():
                continue
            ok = self._chain_ok(index, chain, cells, ids, n)
            for requirement in self.rules.requirements:
                ok &= _requirement_ok(requirement, chain, cells, ids, person, n)
            out |= mine & ok
        return out

    def _choose(self, n: int, person: Callable[[str], Col]) -> tuple[Ints, Mask]:
        """Each employee's chain (index into ``chains``; -1: none) and where that is not sure."""
        chosen = np.full(n, -1, np.int64)
        undecided = np.zeros(n, bool)
        for index, chain in enumerate(self.chains):
            left = (chosen < 0) & ~undecided
            if chain.when is None:
                chosen[left] = index
                break
            holds, doubt = _is_true(chain.when, person, n, self.kinds)
            undecided |= left & doubt
            chosen[left & ~doubt & holds] = index
        undecided |= chosen < 0  # no chain applies: the review says why
        return chosen, undecided

    def _chain_ok(self, index: int, chain: Chain, cells: _Cells, ids: pa.Array, n: int) -> Mask:
        """Where the chain part of the review finds nothing: the template's verdict for those
        who signed no stage; for a signed stage, a signer known exactly who is not the employee
        nor another stage's signer (where no stage wants an evaluator level nor every stage)."""
        ok = np.full(n, self.template_ok[index], bool)
        signed_any = np.zeros(n, bool)
        signers: list[_Value] = []
        for stage in chain.stages:
            if stage.field is None:
                continue
            value = cells.value(stage.field)
            signed_any |= ~value.blank
            signers.append(value)
        if not signed_any.any():
            return ok
        if chain.confirms_period or any(s.evaluator_level is not None for s in chain.stages):
            return ok & ~signed_any
        for k, value in enumerate(signers):
            signed = ~value.blank
            ok &= ~signed | value.exact
            if value.text is None:
                continue
            ok &= ~signed | ~_equal(value.text, ids)
            for other in signers[:k]:
                if other.text is not None:
                    both = signed & ~other.blank
                    ok &= ~both | ~_equal(value.text, other.text)
        return ok


class _Cells:
    """The employee fields' values of one chunk, each built once when first asked for."""

    def __init__(
        self, review: ChainReview, head: Callable[[int], pa.Array], n: int, person: Callable[[str], Col]
    ) -> None:
        self.review, self.head, self.n, self.person = review, head, n, person
        self.found: dict[str, _Value] = {}

    def value(self, name: str) -> _Value:
        found = self.found.get(name)
        if found is None:
            found = self.found[name] = self._value(name)
        return found

    def _value(self, name: str) -> _Value:
        n = self.n
        rule = self.review.rules_by_name.get(name)
        plan = self.review.fields.get(name)
        if rule is None:
            return _Value(None, np.zeros(n, bool), np.zeros(n, bool))
        if plan is None:  # no column: its default, or None (blank) everywhere
            blank = np.full(n, not rule.has_default or rule.default is None, bool)
            return _Value(None, blank, blank.copy())
        col = self.person(name)
        blank = col.missing | col.bad
        if plan.kind in ("text", "date"):
            # The column walker's text columns say only where a cell is blank; a blank cell with
            # a default, or a padded one (the reader strips it), is left to the review.
            series = self.head(plan.column)
            layout = cells.layout(series) if plan.kind == "date" else None
            if layout is not None:
                exact = cells.iso_days(layout)
            elif plan.kind == "text":
                exact = text_ok(series)
            else:
                exact = np.asarray(ac.match_substring_regex(series, _ISO_DAY).to_numpy(zero_copy_only=False))
            has_default = rule.has_default and rule.default is not None
            return _Value(series, blank, (exact & ~blank) | (blank & (not has_default)))
        if plan.kind == "cat" and col.codes is not None:
            codes = np.where(blank, len(plan.vocab), col.codes)
            vocab = pa.array((*plan.vocab, ""), pa.string())
            # a value is compared as the review reads it (stripped); one with spaces is left to it
            plain = np.array([v == v.strip() and v != "" for v in plan.vocab] + [True], bool)
            return _Value(ac.take(vocab, codes), blank, plain[codes])
        return _Value(None, blank, blank.copy())  # a number or a boolean: never blank text


def _requirement_ok(
    requirement: Requirement,
    chain: Chain,
    cells: _Cells,
    ids: pa.Array,
    person: Callable[[str], Col],
    n: int,
) -> Mask:
    """Where ``requirement`` surely holds (or surely does not apply) for employees of ``chain``."""
    kinds = cells.review.kinds
    applies = np.ones(n, bool)
    ok = np.ones(n, bool)
    if requirement.when is not None:
        holds, doubt = _is_true(requirement.when, person, n, kinds)
        ok &= ~doubt
        applies = holds & ~doubt
    for check in requirement.checks:
        holds, doubt = _is_true(check.check, person, n, kinds)
        ok &= ~applies | (holds & ~doubt)
    for name in requirement.fields:
        ok &= ~applies | ~cells.value(name).blank
    evaluators = _stage_evaluators(chain, cells, n)
    for party in requirement.parties:
        ok &= ~applies | _party_ok(party, evaluators, cells, ids, n)
    for rule in requirement.dates:
        ok &= ~applies | _date_ok(rule, cells, n)
    return ok


def _stage_evaluators(chain: Chain, cells: _Cells, n: int) -> dict[str, _Value]:
    """Each stage's evaluator: its signature field where one is declared (blank: none)."""
    none = np.ones(n, bool)
    return {
        stage.id: cells.value(stage.field) if stage.field is not None else _Value(None, none, none)
        for stage in chain.stages
    }


def _party_ok(party: Any, evaluators: Mapping[str, _Value], cells: _Cells, ids: pa.Array, n: int) -> Mask:
    value = cells.value(party.field)
    if value.text is None:
        return np.zeros(n, bool)
    ok = ~value.blank & value.exact
    same = _equal(value.text, ids)
    if party.self_:
        return ok & same
    stage = evaluators.get(party.stage) if party.stage is not None else None
    if stage is None:
        return np.zeros(n, bool)  # the chain has no such stage: a problem
    ok &= ~same
    if stage.text is None:
        return ok & stage.blank
    return ok & (stage.blank | (stage.exact & _equal(value.text, stage.text)))


def _date_ok(rule: Any, cells: _Cells, n: int) -> Mask:
    value = cells.value(rule.field)
    if value.text is None:
        return np.zeros(n, bool)
    ok = ~value.blank & value.exact
    day = value.text
    if rule.start is not None:
        ok &= ~_np(ac.less(day, pa.scalar(rule.start, pa.string())))
    if rule.end is not None:
        ok &= ~_np(ac.greater(day, pa.scalar(rule.end, pa.string())))
    if rule.after is not None:
        other = cells.value(rule.after)
        if other.text is None:
            return ok & other.blank
        ok &= other.blank | (other.exact & ~_np(ac.less(day, other.text)))
    return ok


def _is_true(
    formula: CompiledFormula, person: Callable[[str], Col], n: int, kinds: Mapping[str, str]
) -> tuple[Mask, Mask]:
    """Where ``formula`` over the employee fields is ``True`` (``is True``, as the review asks),
    and where that is not sure (every employee, for a formula the walker cannot read exactly)."""
    doubt_all = (np.zeros(n, bool), np.ones(n, bool))
    if any(kinds.get(name) not in _WALKABLE for name in formula.names):
        return doubt_all
    try:
        col = Walker(formula.parsed, n, person, None).run()
    except Unsupported:
        return doubt_all
    if col.kind != "bool" or col.codes is None:
        return doubt_all  # truthy is not True
    return col.codes != 0, col.bad | col.missing


def _equal(left: pa.Array, right: pa.Array) -> Mask:
    return _np(ac.fill_null(ac.equal(left, right), False))


def _np(array: Any) -> Mask:
    out: Mask = np.asarray(array.to_numpy(zero_copy_only=False), bool)
    return out


def build_review(
    rules: ChainRules, fields: Sequence[FieldPlan], employee_rules: Mapping[str, FieldRule]
) -> ChainReview | None:
    """The column review of ``rules`` (None where it cannot help: periods, confirmations)."""
    if rules.periods or rules.confirmations:
        return None
    wanted = rules.main_period
    chains = tuple(c for c in rules.chains if rules.period_of(c) == wanted)
    if not rules.chains:
        chains = (Chain("-", "-", None, ()),)  # requirements only: no stage to sign
        template: tuple[bool, ...] = (True,)
    else:
        template = tuple(_template_ok(rules, chain) for chain in chains)
    kinds = {name: _kind(rule) for name, rule in employee_rules.items()}
    return ChainReview(rules, chains, template, {f.name: f for f in fields}, dict(employee_rules), kinds)


def _template_ok(rules: ChainRules, chain: Chain) -> bool:
    """Whether the chain part of the review finds nothing for a record with no evaluation and no
    stage signed: it reads nothing else of the employee (no confirmations, no other period)."""
    only = dataclasses.replace(
        rules, chains=(dataclasses.replace(chain, when=None),), requirements=(), confirmations=()
    )
    record = EmployeeRecord("-", {}, (), {}, (), "-")
    outcome = review(only, record, {"id": "-"}, require_stages=False)
    return not outcome.problems and not outcome.warnings


def _kind(rule: FieldRule) -> str:
    return {"decimal": "num", "integer": "num", "boolean": "bool", "enum": "cat", "scale": "cat"}.get(
        rule.type, rule.type
    )
