"""Record requirements: what an employee's record must hold besides the goal sheet, checked
with the evaluator chain (one implementation for ``evaluate``, ``explain`` and ``calibrate``).

A requirement (``record_requirements.<id>``) declares, over the employee's declared fields:

- ``fields``: fields that must be filled in;
- ``parties``: signatures (a person's id in a field) of those who must agree: the evaluator of
  a chain ``stage`` (where that stage's evaluation is on record, the signature must name its
  evaluator; never the employee), or the employee (``self``: the employee's own id);
- ``dates``: date fields that must be filled in, within ``from`` .. ``to`` (inclusive) and on or
  after another date field (``after``);
- ``checks``: conditions over the employee's fields, each with its message;
- ``severity``: ``error`` (the employee is not evaluated) or ``warning`` (reported, evaluated).

A requirement applies to the employees its ``when`` condition holds for (none: everyone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.compile import label_text
from engine.errors import Diagnostic, Location, Problem
from engine.formula import CompiledFormula, FormulaError, FormulaRuntimeError, compile_formula, formula_scope
from engine.location import Path, SourceMap, json_path


@dataclass(frozen=True)
class Party:
    """A signature field: the evaluator of ``stage`` signs it, or the employee (``self``)."""

    field: str
    label: str
    stage: str | None
    self_: bool


@dataclass(frozen=True)
class DateRule:
    """A date field that must be filled in, within ``start`` .. ``end``, not before ``after``."""

    field: str
    start: str | None
    end: str | None
    after: str | None


@dataclass(frozen=True)
class Check:
    """A condition over the employee's fields that must hold, and the message when it does not."""

    id: str
    check: CompiledFormula
    message: str


@dataclass(frozen=True)
class Requirement:
    """One declared record requirement."""

    id: str
    label: str
    when: CompiledFormula | None
    fields: tuple[str, ...]
    parties: tuple[Party, ...]
    dates: tuple[DateRule, ...]
    checks: tuple[Check, ...]
    severity: str = "error"

    @property
    def names(self) -> frozenset[str]:
        """Every name the requirement's formulas read."""
        found: set[str] = set(self.when.names) if self.when is not None else set()
        for check in self.checks:
            found |= check.check.names
        return frozenset(found)


@dataclass(frozen=True)
class Signed:
    """Who signed a stage's evaluation: the stage id and its evaluator (``None``: not on record)."""

    stage: str
    evaluator: str | None


def compile_requirements(
    data: Mapping[str, Any], source: SourceMap | None, found: list[Diagnostic]
) -> tuple[Requirement, ...]:
    """The policy's ``record_requirements``, their formulas compiled in the employee condition
    scope; a formula that does not compile is a ``requirement-condition`` diagnostic in ``found``."""
    out = []
    for name, spec in _entries(data.get("record_requirements")):
        base: Path = ("record_requirements", name)
        when = spec.get("when")
        compiled = _formula(str(when), data, (*base, "when"), source, found) if when else None
        checks = []
        for index, raw in enumerate(spec.get("checks") or ()):
            formula = _formula(str(raw["check"]), data, (*base, "checks", index, "check"), source, found)
            if formula is not None:
                message = label_text(raw.get("message"), f"{raw['check']} must hold")
                checks.append(Check(str(raw.get("id", index + 1)), formula, message))
        out.append(
            Requirement(
                name,
                label_text(spec.get("label"), name),
                compiled,
                tuple(str(f) for f in spec.get("fields") or ()),
                tuple(_party(p) for p in spec.get("parties") or ()),
                tuple(_date(str(k), v) for k, v in _entries(spec.get("dates"))),
                tuple(checks),
                str(spec.get("severity", "error")),
            )
        )
    return tuple(out)


def check_requirements(
    requirements: Sequence[Requirement],
    env: Mapping[str, Any],
    stages: Sequence[Signed],
    employee_id: str,
    origin: str,
) -> tuple[list[Problem], list[Problem]]:
    """The ``(errors, warnings)`` of one employee's record against every requirement that applies
    (``env``: the employee's fields, ``id``; ``stages``: the chain's stages and their evaluators)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    evaluators = {s.stage: s.evaluator for s in stages}
    for requirement in requirements:
        if _met(requirement, env, evaluators):  # the usual case, without building any message
            continue
        found = [
            Problem(employee_id, None, rule, text, origin) for rule, text in unmet(requirement, env, stages)
        ]
        (warnings if requirement.severity == "warning" else errors).extend(found)
    return errors, warnings


def _met(requirement: Requirement, env: Mapping[str, Any], evaluators: Mapping[str, str | None]) -> bool:
    """True when the requirement surely holds or does not apply (no messages built); False means
    :func:`unmet` is to say what is wrong (it may still find nothing, e.g. a condition that fails)."""
    if requirement.checks or requirement.when is not None:
        return False  # formulas: let unmet evaluate and explain them
    # plain loops, not all() over generators: this runs for every requirement of every employee
    for name in requirement.fields:
        if _blank(env.get(name)):
            return False
    own = str(env.get("id"))
    for party in requirement.parties:
        if not _party_met(party, env.get(party.field), own, evaluators):
            return False
    return all(_date_met(rule, env) for rule in requirement.dates)


def _date_met(rule: DateRule, env: Mapping[str, Any]) -> bool:
    """Whether the record's date for ``rule`` is given, within its window and not before the
    date it must follow (the quick form of :func:`_date_problems`)."""
    value = env.get(rule.field)
    if _blank(value):
        return False
    day = str(value)
    if (rule.start is not None and day < rule.start) or (rule.end is not None and day > rule.end):
        return False
    other = env.get(rule.after) if rule.after is not None else None
    return not (other is not None and not _blank(other) and day < str(other))


def unmet(
    requirement: Requirement, env: Mapping[str, Any], stages: Sequence[Signed]
) -> list[tuple[str, str]]:
    """``(rule id, message)`` of each way the record fails ``requirement`` (empty: met or not applying)."""
    head = f"{requirement.id} ({requirement.label})"
    try:
        if requirement.when is not None and requirement.when(env) is not True:
            return []
    except FormulaRuntimeError as exc:
        return [("requirement-condition", f"{head}: {exc}")]
    found = [
        ("requirement-missing", f"{head}: {name} is missing")
        for name in requirement.fields
        if _blank(env.get(name))
    ]
    for party in requirement.parties:
        found += [(rule, f"{head}: {text}") for rule, text in _party_problems(party, env, stages)]
    for rule in requirement.dates:
        found += [(r, f"{head}: {text}") for r, text in _date_problems(rule, env)]
    for check in requirement.checks:
        try:
            holds = check.check(env) is True
        except FormulaRuntimeError as exc:
            found.append(("requirement-condition", f"{head}: {exc}"))
            continue
        if not holds:
            why = f"{check.check.text} does not hold ({check.check.explain(env)})"
            found.append((f"requirement-check-{check.id}", f"{head}: {check.message}: {why}"))
    return found


def _party_met(party: Party, value: Any, own: str, evaluators: Mapping[str, str | None]) -> bool:
    """Whether ``value`` is a signature ``party`` accepts (the quick form of :func:`_party_problems`)."""
    if _blank(value):
        return False
    signed = str(value).strip()
    if party.self_:
        return signed == own
    if signed == own or party.stage is None or party.stage not in evaluators:
        return False
    return evaluators[party.stage] in (None, signed)


def describe_requirements(
    requirements: Sequence[Requirement], env: Mapping[str, Any], stages: Sequence[Signed]
) -> list[str]:
    """What ``explain`` shows of each requirement: met (with what was read) or what is unmet."""
    lines = []
    for requirement in requirements:
        head = f"requirement '{requirement.id}' ({requirement.label})"
        # unmet() first: it reports a condition that cannot be evaluated, so that when() below
        # runs only where it is known to give a value
        problems = unmet(requirement, env, stages)
        if problems:
            lines.append(f"{head}: NOT met: " + "; ".join(text.split(": ", 1)[1] for _, text in problems))
            continue
        if requirement.when is not None and requirement.when(env) is not True:
            lines.append(f"{head}: does not apply ({requirement.when.text} does not hold)")
            continue
        read = [f"{p.field} {env.get(p.field)}" for p in requirement.parties]
        read += [f"{d.field} {env.get(d.field)}" for d in requirement.dates]
        read += [f"{f} filled in" for f in requirement.fields]
        read += [f"{c.check.text} holds" for c in requirement.checks]
        lines.append(f"{head}: met" + (f": {'; '.join(read)}" if read else ""))
    return lines


def _party_problems(party: Party, env: Mapping[str, Any], stages: Sequence[Signed]) -> list[tuple[str, str]]:
    value = env.get(party.field)
    who = "the employee's own number" if party.self_ else f"the evaluator of stage '{party.stage}'"
    if _blank(value):
        return [("requirement-missing", f"{party.field} is missing: {party.label} must sign it ({who})")]
    signed, own = str(value).strip(), str(env.get("id"))
    if party.self_:
        if signed != own:
            return [
                (
                    "requirement-party",
                    f"{party.field} is signed by {signed}; {party.label} must sign it ({who}, {own})",
                )
            ]
        return []
    if signed == own:
        return [
            (
                "requirement-party",
                f"{party.field} is signed by the employee {own}; {party.label} must sign it ({who})",
            )
        ]
    stage = next((s for s in stages if s.stage == party.stage), None)
    if stage is None:
        return [("requirement-party", f"{party.field}: the employee's chain has no stage '{party.stage}'")]
    if stage.evaluator is not None and stage.evaluator != signed:
        return [
            (
                "requirement-party",
                f"{party.field} is signed by {signed}, but stage '{party.stage}' is evaluated by"
                f" {stage.evaluator}; {party.label} must be that evaluator",
            )
        ]
    return []


def _date_problems(rule: DateRule, env: Mapping[str, Any]) -> list[tuple[str, str]]:
    value = env.get(rule.field)
    if _blank(value):
        return [("requirement-missing", f"{rule.field} is missing")]
    day = str(value)
    found = []
    if (rule.start is not None and day < rule.start) or (rule.end is not None and day > rule.end):
        window = f"{rule.start or '...'} .. {rule.end or '...'}"
        found.append(("requirement-date", f"{rule.field} {day} is outside {window}"))
    other = env.get(rule.after) if rule.after is not None else None
    if rule.after is not None and not _blank(other) and day < str(other):
        found.append(("requirement-date", f"{rule.field} {day} is before {rule.after} {other}"))
    return found


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _party(spec: Mapping[str, Any]) -> Party:
    stage = spec.get("stage")
    fallback = "the employee" if spec.get("self") is True else f"stage '{stage}'"
    return Party(
        str(spec["field"]),
        label_text(spec.get("label"), fallback),
        None if stage is None else str(stage),
        spec.get("self") is True,
    )


def _date(name: str, spec: Any) -> DateRule:
    spec = spec if isinstance(spec, Mapping) else {}

    def text(key: str) -> str | None:
        value = spec.get(key)
        return None if value is None else str(value)

    return DateRule(name, text("from"), text("to"), text("after"))


def _formula(
    text: str, data: Mapping[str, Any], path: Path, source: SourceMap | None, found: list[Diagnostic]
) -> CompiledFormula | None:
    try:
        return compile_formula(text, formula_scope(data, "condition"))
    except FormulaError as exc:
        where = source.locate(path) if source else Location("<policy>", 0, 0, json_path(path))
        found.append(Diagnostic(where, "requirement-condition", str(exc)))
        return None


def _entries(value: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """Entries of a mapping, skipping the owner's ``x-`` notes."""
    if not isinstance(value, Mapping):
        return []
    return [(str(k), v) for k, v in value.items() if not str(k).startswith("x-") and isinstance(v, Mapping)]
