"""Relative grades over an evaluated population: each declared distribution, group by group.

Runs after every employee's scores are known (a forced distribution needs the whole group);
people a distribution cannot grade (a group too small even at the top of the org tree) get no
grade and a warning that says why, never a silent grade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from engine.distribution import Candidate, DistributionResult, distribute, distribution_from_policy
from engine.evaluate.employee import EmployeeResult
from engine.io.records import EmployeeRecord


def _candidate(score_name: str, record: EmployeeRecord, result: EmployeeResult) -> Candidate | None:
    fields: dict[str, Any] = {**record.fields, **result.values, "id": record.id}
    score = fields.get(score_name)
    if score is None:
        return None
    return Candidate(record.id, Decimal(score), fields)


def grade_relatively(
    policy: Mapping[str, Any],
    records: Sequence[EmployeeRecord],
    results: Sequence[EmployeeResult],
    org_parent: Mapping[str, str | None],
) -> dict[str, DistributionResult]:
    """Every distribution of ``policy`` applied to the evaluated ``results``."""
    by_id = {r.id: r for r in records}
    out: dict[str, DistributionResult] = {}
    for name, spec in (policy.get("distributions") or {}).items():
        rule = distribution_from_policy(policy, name)
        score_name = str(spec["score"])
        candidates = [
            c for r in results if (c := _candidate(score_name, by_id[r.id], r)) is not None
        ]
        out[name] = distribute(rule, candidates, org_parent)
    return out
