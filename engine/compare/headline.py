"""The headline score and grade a comparison shows of a scheme, read from its policy data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def headline(policy: Mapping[str, Any], chosen: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The score and grade a comparison shows: the mapping's choice, else the first grade table
    (and its input), else the first distribution (and its score), else the period blend or the
    last employee formula."""
    tables = policy.get("grade_tables") or {}
    dists = policy.get("distributions") or {}
    grade = chosen.get("grade") or next(iter(tables), None) or next(iter(dists), None)
    score = chosen.get("score")
    return (_default_score(policy, grade) if score is None else score), grade


def _default_score(policy: Mapping[str, Any], grade: str | None) -> str | None:
    """The input of the grade table ``grade``, or the score of the distribution ``grade``; without
    either, the period blend or the last employee formula."""
    tables = policy.get("grade_tables") or {}
    dists = policy.get("distributions") or {}
    if grade in tables:
        return str(tables[grade]["input"])
    if grade in dists:
        return str(dists[grade]["score"])
    blend = (policy.get("periods") or {}).get("blend")
    return blend or next(reversed(list((policy.get("formulas") or {}).get("employee") or {})), None)


def levels_of(policy: Mapping[str, Any], grade: str | None) -> tuple[str, ...]:
    """The grade codes of the table or distribution ``grade``, best first (empty without one)."""
    spec = (policy.get("grade_tables") or {}).get(grade) or (policy.get("distributions") or {}).get(grade)
    if not spec:
        return ()
    scale = (policy.get("scales") or {}).get(spec.get("scale")) or {}
    return tuple(str(level["code"]) for level in scale.get("levels") or [])
