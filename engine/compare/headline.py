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
