"""The evaluation records of one period read into stage results: which stage each is for, its
grades checked against their scales, its ratings by indicator and field, what it confirms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.chains.confirm import indicator_number
from engine.chains.model import Chain, ChainRules, Stage, StageResult
from engine.errors import Problem
from engine.io.records import EmployeeRecord, IndicatorRecord


@dataclass
class ReviewWork:
    """One period's review under way: the record, its sheet, the evaluations read, and the
    problems found, in the order found."""

    record: EmployeeRecord
    rules: ChainRules
    sheet: tuple[IndicatorRecord, ...]
    problems: list[Problem] = field(default_factory=list)
    # The evaluations of the period reviewed, each with its number in the record's list.
    evaluations: list[tuple[int, Mapping[str, Any]]] = field(default_factory=list)

    def add(self, rule: str, message: str, indicator: int | None = None) -> None:
        """A problem of the employee's review (``indicator``: the goal line it is about)."""
        self.problems.append(Problem(self.record.id, indicator, rule, message, self.record.origin))


def stage_results(work: ReviewWork, chain: Chain) -> dict[str, StageResult]:
    """The evaluation records read into stage results (the first one per stage); a stage with no
    evaluation but a value in its ``field`` is taken as done by that person."""
    out = _evaluated(work, chain)
    for stage in chain.stages:
        signed = work.record.fields.get(stage.field) if stage.field is not None else None
        if stage.id not in out and signed is not None and str(signed).strip() != "":
            who = str(signed).strip()
            out[stage.id] = StageResult(
                stage.id, stage.mode, stage.evaluator, True, evaluator=who, signed_in=stage.field
            )
    return out


def _evaluated(work: ReviewWork, chain: Chain) -> dict[str, StageResult]:
    """The stages the evaluation records give, the first one per stage; an evaluation of a stage
    the chain lacks, or of one given already, is a problem."""
    out: dict[str, StageResult] = {}
    for number, raw in work.evaluations:
        stage_id = raw.get("stage")
        stage = chain.stage(str(stage_id)) if stage_id is not None else None
        if stage is None:
            known = ", ".join(s.id for s in chain.stages)
            what = f"stage '{stage_id}'" if stage_id is not None else "no stage"
            work.add(
                "chain-unknown-stage",
                f"evaluation {number} is for {what}, which chain '{chain.id}' does not have "
                f"(its stages: {known})",
            )
        elif stage.id in out:
            work.add(
                "chain-duplicate-stage",
                f"stage '{stage.id}' is evaluated more than once; evaluation {number} is ignored",
            )
        else:
            out[stage.id] = _stage_result(work, stage, raw, number)
    return out


def _stage_result(work: ReviewWork, stage: Stage, raw: Mapping[str, Any], number: int) -> StageResult:
    grades = raw.get("grades")
    if grades is not None and not isinstance(grades, Mapping):
        work.add("chain-evaluation", f"evaluation {number}: grades must map a distribution to a grade")
        grades = None
    reason = raw.get("reason")
    confirms_all, confirms = _confirmed(work, raw.get("confirmed"), number)
    _check_grades(work, stage, raw.get("grade"), grades, number)
    return StageResult(
        stage=stage.id,
        mode=stage.mode,
        role=stage.evaluator,
        given=True,
        evaluator=_text(raw.get("evaluator")),
        evaluator_level=_text(raw.get("evaluator_level")),
        value=_text(raw.get("grade")),
        grades={str(k): str(v) for k, v in (grades or {}).items() if v is not None},
        ratings=_ratings(work, raw.get("ratings"), number),
        reason=_text(reason.strip() if isinstance(reason, str) else reason),
        confirms_all=confirms_all,
        confirms=confirms,
    )


def _check_grades(
    work: ReviewWork, stage: Stage, grade: Any, grades: Mapping[str, Any] | None, number: int
) -> None:
    """A grade must be a level of the scale it is given on: per distribution, that distribution's
    scale; a bare ``grade``, one of the policy's grading scales (none declared: not checkable)."""
    where = f"evaluation {number} (stage '{stage.id}')"
    codes = work.rules.bare_grade_codes
    # No grading scale declared (kepco_like: the seed names no grades): nothing to check against;
    # explain says the grade is unchecked.
    if grade is not None and grade != "" and codes is not None and str(grade) not in codes:
        allowed = ", ".join(codes)
        work.add("chain-grade-scale", f"{where} gives grade {str(grade)!r}, not one of {allowed}")
    if work.rules.grade_codes:  # no distributions: nothing to check against
        _check_distribution_grades(work, where, grades or {})


def _check_distribution_grades(work: ReviewWork, where: str, grades: Mapping[str, Any]) -> None:
    """Each grade given per distribution names a declared distribution and a level of its scale."""
    declared = work.rules.grade_codes
    for key, value in grades.items():
        if value is None:
            continue
        if str(key) not in declared:
            known = ", ".join(declared)
            work.add(
                "chain-grade-scale",
                f"{where} grades distribution '{key}', which the policy does not declare"
                f" (distributions: {known})",
            )
        elif str(value) not in declared[str(key)]:
            allowed = ", ".join(declared[str(key)])
            work.add("chain-grade-scale", f"{where} gives {key} grade {str(value)!r}, not one of {allowed}")


def _ratings(work: ReviewWork, raw: Any, number: int) -> dict[int, dict[str, str]]:
    """``{indicator ref: code or {field: code}}`` -> ``{indicator number: {field: code}}``."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        work.add("chain-evaluation", f"evaluation {number}: ratings must map indicators to codes")
        return {}
    out: dict[int, dict[str, str]] = {}
    for ref, value in raw.items():
        index = indicator_number(ref, work.sheet)
        if index is None:
            work.add(
                "chain-unknown-indicator",
                f"evaluation {number} rates indicator {ref!r}; the sheet has {len(work.sheet)} indicator(s)",
            )
            continue
        rated = _rated_fields(work, value, number, index)
        if rated:
            out[index] = rated
    return out


def _rated_fields(work: ReviewWork, value: Any, number: int, index: int) -> dict[str, str]:
    """One indicator's rating as ``{field: code}``, each code checked against its field's scale."""
    if isinstance(value, Mapping):
        rated = _named_ratings(work, value, number, index)
    else:
        rated = _bare_rating(work, value, number, index)
    for name, code in rated.items():
        codes = work.rules.rating_codes.get(name)
        if codes is not None and code not in codes:
            work.add(
                "chain-rating-scale",
                f"evaluation {number} rates {name} {code!r}, not one of {', '.join(codes)}",
                index,
            )
    return rated


def _named_ratings(work: ReviewWork, value: Mapping[Any, Any], number: int, index: int) -> dict[str, str]:
    """``{field: code}``: the fields that are not the policy's indicator fields are a problem."""
    unknown = [str(k) for k in value if str(k) not in work.rules.indicator_fields]
    if unknown:
        work.add(
            "chain-rating-field",
            f"evaluation {number} rates field(s) {', '.join(unknown)}, not indicator fields of the policy",
            index,
        )
    return {str(k): str(v) for k, v in value.items() if str(k) not in unknown}


def _bare_rating(work: ReviewWork, value: Any, number: int, index: int) -> dict[str, str]:
    """A bare code rates the policy's one rating field; with none or several it is a problem."""
    fields = work.rules.rating_fields
    if len(fields) == 1:
        return {fields[0]: str(value)}
    have = ", ".join(fields) or "none"
    work.add(
        "chain-rating-field",
        f"evaluation {number} gives a bare rating code, but the policy has {len(fields)} rating "
        f"(scale) indicator fields ({have}); write {{field: code}}",
        index,
    )
    return {}


def _confirmed(work: ReviewWork, raw: Any, number: int) -> tuple[bool, frozenset[int]]:
    if raw is None or raw is False:
        return False, frozenset()
    if raw is True:
        return True, frozenset()
    refs: Sequence[Any] = raw if isinstance(raw, list) else [raw]
    found: set[int] = set()
    for ref in refs:
        index = indicator_number(ref, work.sheet)
        if index is None:
            message = f"evaluation {number} confirms indicator {ref!r}, which the sheet lacks"
            work.add("chain-unknown-indicator", message)
        else:
            found.add(index)
    return False, frozenset(found)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
