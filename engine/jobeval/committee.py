"""Committees: quorum and decision rules as policy formulas, checked against a meeting record.

A committee (``committees.<id>``) declares ``opens_when`` (the quorum) and ``passes_when`` (the
decision) as conditions over one meeting record, plus ``min_external_members``. The record is
a mapping of counts: ``registered``, ``present``, ``recused``, ``in_favour``, ``against``, ``abstained``,
``external_registered``, ``external_present`` and any further count a policy's conditions read.
Nothing about a particular committee is written here: the conditions come from the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.formula import MEETING_FIELDS, CompiledFormula, Scope, compile_formula
from engine.jobeval.membership import check_membership

#: The counts a meeting record may carry; a policy condition may read any of them. The list is
#: the checks' meeting scope, so validation and judging accept the same names.
MEETING_COUNTS: tuple[str, ...] = tuple(MEETING_FIELDS)
#: Counts without which no meeting can be judged at all.
REQUIRED_COUNTS: tuple[str, ...] = ("registered", "present")


@dataclass(frozen=True)
class Committee:
    """A committee's rules with both conditions compiled."""

    id: str
    opens_when: CompiledFormula
    passes_when: CompiledFormula
    min_external_members: int = 0
    #: ``members``: the declared seats (engine.jobeval.membership).
    members: tuple[Mapping[str, Any], ...] = ()
    #: ``acting_chair``: a member the chair designates may chair a meeting.
    acting_chair: bool = False


@dataclass(frozen=True)
class MeetingOutcome:
    """Whether a meeting opened, whether its motion passed, whether the decision stands, and why."""

    opened: bool
    decided: bool
    stands: bool
    reasons: list[str] = field(default_factory=list)
    valid: bool = True  # the record's counts are whole, consistent numbers
    composed: bool = True  # the committee has the members it must (min_external_members)

    @property
    def lawful_no(self) -> bool:
        """A valid meeting of a properly composed committee that did not adopt the motion (no
        quorum, or voted down): an outcome of the rules, not an error in the record."""
        return self.valid and self.composed and not self.stands

    @property
    def verdict(self) -> str:
        """``stands``, ``no quorum``, ``voted down`` or ``does not stand`` (an invalid record or
        a committee short of members)."""
        if self.stands:
            return "stands"
        if self.lawful_no:
            return "voted down" if self.opened else "no quorum"
        return "does not stand"


def meeting_scope(extra: Mapping[str, Any] | None = None) -> Scope:
    """The names a committee condition may use: the standard counts plus the record's own numbers."""
    names = dict.fromkeys(MEETING_COUNTS, "decimal")
    names.update({key: "decimal" for key in (extra or {}) if key not in names})
    return Scope(scalars=names)


def compile_committee(
    committee_id: str, spec: Mapping[str, Any], extra_names: Mapping[str, Any] | None = None
) -> Committee:
    """Compile ``committees.<id>``; raises ``engine.formula.compiler.FormulaError`` on a bad condition."""
    scope = meeting_scope(extra_names)
    return Committee(
        id=committee_id,
        opens_when=compile_formula(str(spec["opens_when"]), scope),
        passes_when=compile_formula(str(spec["passes_when"]), scope),
        min_external_members=int(spec.get("min_external_members", 0)),
        members=tuple(spec.get("members") or ()),
        acting_chair=spec.get("acting_chair") is True,
    )


def _is_count(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | Decimal)
        and value >= 0
        and value == int(value)
    )


def _numbers(meeting: Mapping[str, Any]) -> dict[str, Any]:
    """The record's numeric entries (notes such as an agenda item's title are not counts)."""
    return {
        name: value
        for name, value in meeting.items()
        if not isinstance(value, bool) and isinstance(value, int | Decimal)
    }


def _record_problems(meeting: Mapping[str, Any]) -> list[str]:
    """Counts that are missing, not whole non-negative numbers, or that contradict each other."""
    problems = [f"invalid record: no '{name}' count" for name in REQUIRED_COUNTS if name not in meeting]
    for name in MEETING_COUNTS:
        value = meeting.get(name, 0)
        if not _is_count(value):
            problems.append(f"invalid record: '{name}' is {value!r}, not a whole number >= 0")
    if problems:
        return problems
    count = {name: int(meeting.get(name, 0)) for name in MEETING_COUNTS}
    if count["present"] > count["registered"]:
        problems.append(
            f"invalid record: {count['present']} present but only {count['registered']} registered"
        )
    if count["recused"] > count["present"]:
        problems.append(f"invalid record: {count['recused']} recused but only {count['present']} present")
    voting = count["present"] - count["recused"]
    votes = count["in_favour"] + count["against"] + count["abstained"]
    if votes > voting >= 0:
        problems.append(f"invalid record: {votes} votes cast but only {voting} voting members present")
    both = "external_present" in meeting and "external_registered" in meeting
    if both and count["external_present"] > count["external_registered"]:
        problems.append(
            f"invalid record: {count['external_present']} external members present"
            f" but only {count['external_registered']} registered"
        )
    return problems


def _summary(meeting: Mapping[str, Any]) -> str:
    """One line restating the record, with the members present who may vote."""
    shown = ", ".join(f"{meeting[name]} {name}" for name in MEETING_COUNTS if name in meeting)
    voting = int(meeting["present"]) - int(meeting.get("recused", 0))
    return f"record: {shown}; {voting} voting members present (present - recused)"


def _env(meeting: Mapping[str, Any]) -> dict[str, Decimal]:
    """Every count as a Decimal; standard counts the record omits are 0 (nobody recused, ...)."""
    env = dict.fromkeys(MEETING_COUNTS, Decimal(0))
    env.update({name: Decimal(value) for name, value in _numbers(meeting).items()})
    return env


def _external_reason(committee: Committee, meeting: Mapping[str, Any]) -> tuple[bool, str | None]:
    """The composition rule: at least ``min_external_members`` external members registered."""
    needed = committee.min_external_members
    if needed <= 0:
        return True, None
    if "external_registered" not in meeting:
        return (
            False,
            f"composition unknown: no 'external_registered' count; needs at least {needed} external members",
        )
    have = int(meeting["external_registered"])
    verdict = "composition ok" if have >= needed else "composition fails"
    return have >= needed, f"{verdict}: {have} external members registered, needs at least {needed}"


def judge_meeting(committee: Committee, meeting: Mapping[str, Any]) -> MeetingOutcome:
    """Check one meeting record against a compiled committee."""
    problems = _record_problems(meeting)
    if problems:
        return MeetingOutcome(False, False, False, problems, valid=False)
    reasons = [_summary(meeting)]
    env = _env(meeting)
    opens = committee.opens_when
    opened = bool(opens(env))
    reasons.append(
        f"{'opened' if opened else 'not opened'}: {opens.text}, {opens.explain(env)} is {str(opened).lower()}"
    )
    decided = False
    if opened:
        passes = committee.passes_when
        decided = bool(passes(env))
        verdict = "decision passes" if decided else "decision fails"
        reasons.append(f"{verdict}: {passes.text}, {passes.explain(env)} is {str(decided).lower()}")
    else:
        reasons.append("no decision: the meeting did not open")
    composed, why = _external_reason(committee, meeting)
    if why is not None:
        reasons.append(why)
    seated, seats = check_membership(committee.members, meeting, acting_chair=committee.acting_chair)
    if seats is not None:
        reasons.append(seats)
    # A committee short of its external members or seated against its declared membership is not
    # a lawful meeting: no "no" it gives is an outcome (MeetingOutcome.lawful_no).
    stands = opened and decided and composed and seated
    return MeetingOutcome(opened, decided, stands, reasons, composed=composed and seated)


def check_meeting(committee_spec: Mapping[str, Any], meeting: Mapping[str, Any]) -> MeetingOutcome:
    """Compile ``committee_spec`` (one entry of ``committees``) and judge ``meeting`` with it."""
    committee = compile_committee(
        str(committee_spec.get("id", "committee")), committee_spec, _numbers(meeting)
    )
    return judge_meeting(committee, meeting)
