"""Evaluator chains and confirmations of a policy, compiled once, and what one employee's review gives.

A chain is chosen per employee by its ``when`` condition (first match; a chain without ``when``
catches everyone), among the chains of one evaluation period: a chain's ``period`` names the
period whose sheet it reviews (kepco_like: the July mid-term check by 부장 then 부서장); without
one it reviews the last declared period (the final evaluation), or the only sheet of a policy
without periods. A chain that ``confirms_period`` must have every stage on record before the
period's result counts in a score. Its stages say who evaluates, in which mode and whether overriding an
earlier stage needs a written reason. A confirmation says which ratings (an indicator-level
condition) need a given stage, by an evaluator of a given level, to confirm them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.chains.requirements import Requirement, compile_requirements
from engine.compile import label_text
from engine.errors import Diagnostic, HRPolicyError, Location, PolicyInvalid, Problem
from engine.formula import CompiledFormula, FormulaError, FormulaRuntimeError, compile_formula, formula_scope
from engine.location import Path, SourceMap, json_path


class NoChain(HRPolicyError):
    """No evaluator chain applies to an employee (or a chain's condition could not be evaluated)."""


@dataclass(frozen=True)
class Stage:
    """One declared stage of a chain."""

    id: str
    evaluator: str  # the role that evaluates (``department_head``), not a person
    mode: str  # absolute | relative
    label: str
    override_needs_reason: bool = False
    # Not in the hrpolicy 1 schema (stages are closed); read so that a stage-level
    # requirement works once the schema allows it. Confirmations carry levels today.
    evaluator_level: str | None = None
    weight: Decimal | None = None
    # An employee field recording who did this stage (a signature): where the record has no
    # evaluation for the stage, a value there stands for it (a table carries no evaluations).
    field: str | None = None


@dataclass(frozen=True)
class Chain:
    """One evaluator chain: the condition choosing it (``None``: everyone) and its stages in order."""

    id: str
    label: str
    when: CompiledFormula | None
    stages: tuple[Stage, ...]
    # The period whose sheet the chain reviews (None: the last declared period, or the only sheet).
    period: str | None = None
    # Every stage must be on record before the period's result counts in a score.
    confirms_period: bool = False

    def stage(self, stage_id: str) -> Stage | None:
        """The stage with id ``stage_id``, if the chain has one."""
        return next((s for s in self.stages if s.id == stage_id), None)


@dataclass(frozen=True)
class Confirmation:
    """Ratings for which ``when`` holds need stage ``stage`` (by a ``evaluator_level``) to confirm."""

    id: str
    label: str
    text: str  # the condition as written, for messages
    when: CompiledFormula
    stage: str | None
    evaluator_level: str | None
    # An indicator field recording the confirming signature (the evaluator's id): set, it stands
    # for the confirmation; with the stage's evaluation on record it must name that evaluator.
    field: str | None = None


@dataclass(frozen=True)
class ChainRules:
    """Every chain and confirmation of a policy, and the indicator fields a rating may set."""

    chains: tuple[Chain, ...]
    confirmations: tuple[Confirmation, ...]
    indicator_fields: tuple[str, ...]
    indicator_defaults: Mapping[str, Any]
    employee_defaults: Mapping[str, Any]
    employee_fields: tuple[str, ...]
    # Indicator fields of type ``scale``: a rating given as a bare code sets the only one.
    rating_fields: tuple[str, ...]
    # The codes a rating field's scale allows (field -> codes), and a stage's grades: per
    # distribution (its scale's codes), and a bare ``grade`` (every grading scale's codes; None
    # when the policy declares no grading scale, so no grade can be checked).
    rating_codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    grade_codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bare_grade_codes: tuple[str, ...] | None = None
    # The policy's periods in order (empty: no periods); the last one is the final evaluation,
    # the period of every chain and evaluation that names none.
    periods: tuple[str, ...] = ()

    @property
    def main_period(self) -> str | None:
        """The period of a chain or an evaluation that names none: the last declared one."""
        return self.periods[-1] if self.periods else None

    def period_of(self, chain: Chain) -> str | None:
        """The period whose sheet ``chain`` reviews."""
        return chain.period or self.main_period

    @property
    def other_periods(self) -> tuple[str, ...]:
        """The periods before the final one that have chains of their own, in order."""
        named = {c.period for c in self.chains if c.period not in (None, self.main_period)}
        return tuple(p for p in self.periods if p in named)
    # What an employee's record must hold besides the goal sheet (goal agreement, ...).
    requirements: tuple[Requirement, ...] = ()

    def chain_for(self, env: Mapping[str, Any]) -> Chain:
        """The first chain whose condition holds for ``env`` (employee fields and formulas)."""
        return self.choose(env)[0]

    def choose(self, env: Mapping[str, Any], period: str | None = None) -> tuple[Chain, str]:
        """The first chain of ``period`` (None: the final one) whose condition holds for ``env``,
        and why: its condition with the values it read, and the chains tried before it whose
        conditions did not hold."""
        wanted = period or self.main_period
        tried: list[str] = []
        for chain in self.chains:
            if self.period_of(chain) != wanted:
                continue
            if chain.when is None:
                return chain, "it has no condition: it applies to everyone" + _not_held(tried)
            try:
                holds = chain.when(env) is True
            except FormulaRuntimeError as exc:
                raise NoChain(f"chain '{chain.id}': {exc}") from exc
            if holds:
                return chain, f"{chain.when.text} holds ({chain.when.explain(env)})" + _not_held(tried)
            tried.append(f"{chain.id} ({chain.when.explain(env)})")
        names = ", ".join(c.id for c in self.chains if self.period_of(c) == wanted) or "none declared"
        reasons = f"; no condition holds: {', '.join(tried)}" if tried else ""
        scope = f" to period '{wanted}'" if period is not None else ""
        raise NoChain(f"no evaluator chain applies{scope} (chains: {names}){reasons}")


def _not_held(tried: list[str]) -> str:
    return f"; before it, no condition held: {', '.join(tried)}" if tried else ""


@dataclass(frozen=True)
class StageResult:
    """What one declared stage gave an employee (``given`` False: no evaluation for the stage).

    ``value`` is the grade the stage gave; ``grades`` the grades per distribution where the
    record names them (``grades: {performance: II}``); ``ratings`` maps a 1-based indicator
    to the fields the stage rated on it.
    """

    stage: str
    mode: str
    role: str
    given: bool
    evaluator: str | None = None
    evaluator_level: str | None = None
    value: str | None = None
    grades: Mapping[str, str] = field(default_factory=dict)
    ratings: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    reason: str | None = None
    confirms_all: bool = False
    confirms: frozenset[int] = frozenset()
    # The employee field the stage was recorded in (Stage.field), when no evaluation records it.
    signed_in: str | None = None

    def grade(self, key: str | None = None) -> str | None:
        """The grade for distribution ``key`` (its own entry, else the stage's single ``grade``)."""
        if key is not None and key in self.grades:
            return self.grades[key]
        return self.value

    def confirmed(self, indicator: int) -> bool:
        """Whether this stage confirmed indicator ``indicator`` (1-based)."""
        return self.confirms_all or indicator in self.confirms


@dataclass(frozen=True)
class ChainOutcome:
    """One employee's review: the chain applied, every declared stage, the final grade, problems."""

    employee_id: str
    chain: str | None
    stages: tuple[StageResult, ...]
    problems: tuple[Problem, ...]
    why: str = ""  # the conditions tried and the one that chose the chain
    label: str = ""  # the chain's label
    period: str | None = None  # the period whose sheet the chain reviewed
    # The reviews of the chains of earlier periods (kepco_like: the mid-term check), in order;
    # their problems are in ``problems`` too.
    periods: tuple[ChainOutcome, ...] = ()
    # Problems of requirements declared as warnings (reported; the employee is still evaluated).
    warnings: tuple[Problem, ...] = ()
    # The values the record requirements read (explain describes them from these, only when asked).
    requirement_env: Mapping[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> str | None:
        """The grade of the last stage that gave one."""
        return self.final_grade()

    def proposed_grade(self, key: str | None = None) -> str | None:
        """The first stage's grade (the proposal), for distribution ``key``."""
        return self.stages[0].grade(key) if self.stages else None

    def final_grade(self, key: str | None = None) -> str | None:
        """The grade of the last stage that gave one, for distribution ``key``."""
        for stage in reversed(self.stages):
            if stage.grade(key) is not None:
                return stage.grade(key)
        return None

    def reason(self, key: str | None = None) -> str | None:
        """The reason written by the last stage that changed the grade, if it wrote one."""
        last: str | None = None
        written: str | None = None
        for stage in self.stages:
            value = stage.grade(key)
            if value is None:
                continue
            if last is not None and value != last:
                written = stage.reason
            last = value
        return written


def compile_chains(data: Mapping[str, Any], source: SourceMap | None = None) -> ChainRules:
    """Compile ``evaluator_chains``, ``confirmations`` and ``record_requirements`` of policy
    ``data`` once.

    Conditions are checked in their scopes (chains: employee fields and formulas; confirmations:
    indicator fields); every problem is collected and raised together as :class:`PolicyInvalid`.
    """
    found: list[Diagnostic] = []
    chains = tuple(_chain(str(k), v, data, source, found) for k, v in _entries(data.get("evaluator_chains")))
    confirmations = tuple(
        c for k, v in _entries(data.get("confirmations")) if (c := _confirmation(k, v, data, source, found))
    )
    requirements = compile_requirements(data, source, found)
    if found:
        raise PolicyInvalid(found)
    inputs = data.get("inputs") or {}
    indicator = dict(_entries(inputs.get("indicator")))
    employee = dict(_entries(inputs.get("employee")))
    codes = _scale_codes(data)
    grade_codes, bare = _grade_codes(data, codes)
    rating_codes = _rating_codes(indicator, codes)
    return ChainRules(
        chains=chains,
        confirmations=confirmations,
        indicator_fields=tuple(indicator),
        indicator_defaults=_defaults(indicator),
        employee_defaults=_defaults(employee),
        employee_fields=tuple(employee),
        rating_fields=tuple(rating_codes),
        rating_codes=rating_codes,
        grade_codes=grade_codes,
        bare_grade_codes=bare,
        periods=_period_names(data),
        requirements=requirements,
    )


def _grade_codes(
    data: Mapping[str, Any], codes: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...] | None]:
    """Each distribution's grade codes, and the codes of every scale a grade table or a
    distribution grades on, each once (None: the policy grades on no scale)."""
    distributions = _entries(data.get("distributions"))
    grade_codes = {name: codes.get(str(_mapping(spec).get("scale")), ()) for name, spec in distributions}
    graded = [str(_mapping(s).get("scale")) for _, s in _entries(data.get("grade_tables"))]
    graded += [str(_mapping(s).get("scale")) for _, s in _entries(data.get("distributions"))]
    bare = tuple(dict.fromkeys(c for scale in graded for c in codes.get(scale, ())))
    return grade_codes, bare if graded else None


def _rating_codes(
    indicator: Mapping[str, Any], codes: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Each indicator field rated on a scale (in declared order): its scale's level codes."""
    return {
        n: codes.get(str(_mapping(spec).get("scale")), ())
        for n, spec in indicator.items()
        if _mapping(spec).get("type") == "scale"
    }


def _period_names(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The declared periods in order (the entries of ``periods`` that are periods, not ``blend``)."""
    return tuple(k for k, v in _entries(data.get("periods")) if isinstance(v, Mapping))


def _scale_codes(data: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each declared scale's level codes, in order."""
    return {
        name: tuple(str(_mapping(level).get("code")) for level in _mapping(spec).get("levels") or ())
        for name, spec in _entries(data.get("scales"))
    }


def _chain(
    name: str, spec: Any, data: Mapping[str, Any], source: SourceMap | None, found: list[Diagnostic]
) -> Chain:
    spec = _mapping(spec)
    when = spec.get("when")
    compiled = None
    if when:
        compiled = _condition(str(when), data, "condition", ("evaluator_chains", name, "when"), source, found)
    stages = tuple(_stage(_mapping(s)) for s in spec.get("stages") or ())
    period = spec.get("period")
    return Chain(
        name,
        label_text(spec.get("label"), name),
        compiled,
        stages,
        None if period is None else str(period),
        spec.get("confirms_period") is True,
    )


def _stage(spec: Mapping[str, Any]) -> Stage:
    weight = spec.get("weight")
    level = spec.get("evaluator_level")
    return Stage(
        id=str(spec["id"]),
        evaluator=str(spec["evaluator"]),
        mode=str(spec["mode"]),
        label=label_text(spec.get("label"), str(spec["id"])),
        override_needs_reason=spec.get("override_needs_reason") is True,
        evaluator_level=None if level is None else str(level),
        weight=None if weight is None else Decimal(weight),
        field=None if spec.get("field") is None else str(spec["field"]),
    )


def _confirmation(
    name: str, spec: Any, data: Mapping[str, Any], source: SourceMap | None, found: list[Diagnostic]
) -> Confirmation | None:
    spec = _mapping(spec)
    text = str(spec.get("when", ""))
    when = _condition(text, data, "indicator_condition", ("confirmations", name, "when"), source, found)
    if when is None:
        return None
    requires = _mapping(spec.get("requires"))
    stage, level, signed = requires.get("stage"), requires.get("evaluator_level"), requires.get("field")
    return Confirmation(
        name,
        label_text(spec.get("label"), name),
        text,
        when,
        None if stage is None else str(stage),
        None if level is None else str(level),
        None if signed is None else str(signed),
    )


def _condition(
    text: str,
    data: Mapping[str, Any],
    level: str,
    path: Path,
    source: SourceMap | None,
    found: list[Diagnostic],
) -> CompiledFormula | None:
    try:
        return compile_formula(text, formula_scope(data, level))
    except FormulaError as exc:
        where = source.locate(path) if source else Location("<policy>", 0, 0, json_path(path))
        rule = "chain-condition" if path[0] == "evaluator_chains" else "confirmation-condition"
        found.append(Diagnostic(where, rule, str(exc)))
        return None


def _defaults(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: spec["default"] for name, spec in fields.items() if "default" in _mapping(spec)}


def _entries(value: Any) -> list[tuple[str, Any]]:
    """Entries of a mapping, skipping the owner's ``x-`` notes."""
    if not isinstance(value, Mapping):
        return []
    return [(str(k), v) for k, v in value.items() if not str(k).startswith("x-")]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
