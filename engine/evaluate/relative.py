"""Relative grades over an evaluated population: each declared distribution, group by group.

Runs after every employee's scores are known (a forced distribution needs the whole group);
people a distribution cannot grade (a group too small even at the top of the org tree) get no
grade and a warning that says why, never a silent grade.

What a distribution reads of a person is small: the id, the score and the group and tie
fields. :class:`RelativeGrading` keeps just that per person, packed into a few bytes (a
streamed run keeps nothing else of the population), and the whole-file run grades through the
very same class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from engine.distribution import DistributionResult, distribution_from_policy
from engine.distribution.compact import ABSENT as ABSENT
from engine.distribution.compact import Column, Rows, Scaled
from engine.distribution.groups import Seen
from engine.distribution.ranking import distribute_table
from engine.distribution.rule import ID_FIELD, DistributionRule
from engine.errors import Problem
from engine.evaluate.employee import EmployeeResult
from engine.io.records import EmployeeRecord


def _field(name: str, emp_id: str, values: Mapping[str, Any], fields: Mapping[str, Any]) -> tuple[bool, Any]:
    """``name`` as a distribution reads it: the id, else a formula value, else a record field."""
    if name == "id":
        return True, emp_id
    if name in values:
        return True, values[name]
    if name in fields:
        return True, fields[name]
    return False, None


class RelativeGrading:
    """The candidates of every distribution of a policy, added one evaluated person at a time,
    then graded (``distributions`` in the policy's order).

    A person is kept as one compact row (:attr:`rows`, :class:`~engine.distribution.compact.Rows`:
    a few bytes a person): the id, each distribution's score, then the group and tie fields
    (:attr:`kept`), :data:`ABSENT` where there is none. The grading reads them as they are,
    without an object or a mapping per person.
    """

    def __init__(self, policy: Mapping[str, Any]) -> None:
        self.rules: list[DistributionRule] = [
            distribution_from_policy(policy, name) for name in policy.get("distributions") or {}
        ]
        names: dict[str, None] = {}
        for rule in self.rules:
            names.update(dict.fromkeys(rule.group_by))
            names.update(dict.fromkeys(t.field for t in rule.ties if t.field != ID_FIELD))
        #: The group and tie fields of every distribution (the id, the final tie key, aside).
        self.kept = tuple(names)
        grouping = {name for rule in self.rules for name in rule.group_by}
        #: The column of each distribution's score (a name no field has).
        self.scores = tuple(f"\x00score {i}" for i in range(len(self.rules)))
        numbers = [True] * len(self.scores) + [name not in grouping for name in self.kept]
        self.rows = Rows([*self.scores, *self.kept], numbers)

    def add(self, record: EmployeeRecord, values: Mapping[str, Any]) -> None:
        """Note one evaluated person (``values``: its formula values) for every distribution.

        A person without a value for a distribution's score is not its candidate.
        """
        self.add_found(record.id, values, record.fields)

    def add_found(self, emp_id: str, values: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        """:meth:`add` from the person's id, formula values and record fields (a field absent
        from ``fields`` is one the record does not hold)."""
        scores = [_field(rule.score, emp_id, values, fields) for rule in self.rules]
        if all(not found or score is None for found, score in scores):
            return
        row = [Decimal(score) if found and score is not None else ABSENT for found, score in scores]
        for name in self.kept:
            present, value = _field(name, emp_id, values, fields)
            row.append(value if present else ABSENT)
        self.rows.append(emp_id, row)

    def add_columns(
        self, ids: Sequence[str], values: Mapping[str, Sequence[Any]], fields: Mapping[str, Sequence[Any]]
    ) -> None:
        """:meth:`add_found` for many people at once: their ids, each formula's values and each
        field's (:data:`ABSENT` where a person's record lacks it), in the same order. The rows
        are those :meth:`add_found` makes, added a column at a time where every score is a
        formula value."""
        scores = [rule.score for rule in self.rules]
        if any(name == "id" or name not in values for name in scores) or any(
            not isinstance(values[name], Scaled) and any(v is None for v in values[name]) for name in scores
        ):
            for k, emp_id in enumerate(ids):
                here = {name: column[k] for name, column in values.items()}
                have = {name: column[k] for name, column in fields.items() if column[k] is not ABSENT}
                self.add_found(emp_id, here, have)
            return
        # (Scaled columns are Decimals already, with their integers for the packing)
        columns: list[Sequence[Any]] = [_decimal_column(values[name]) for name in scores]
        columns += [self._kept_column(name, ids, values, fields) for name in self.kept]
        self.rows.extend(ids, columns)

    def _kept_column(
        self,
        name: str,
        ids: Sequence[str],
        values: Mapping[str, Sequence[Any]],
        fields: Mapping[str, Sequence[Any]],
    ) -> Sequence[Any]:
        """The kept field ``name`` of many people, as :meth:`add_found` reads it for each."""
        if name == "id":
            return ids
        if name in values:
            return values[name]
        if name not in fields:
            return [ABSENT] * len(ids)
        return fields[name]

    def grade(
        self, org_parent: Mapping[str, str | None], done: Callable[[int], None] | None = None
    ) -> dict[str, DistributionResult]:
        """Every distribution applied to the people added (whose rows are then let go);
        ``done`` is told how many distributions are graded, after each."""
        table = self.rows.freeze()
        out: dict[str, DistributionResult] = {}
        # distributions grouped alike (kumho: performance and competency, by organisation and
        # role grade) leave the same too-small groups: their problems are shared (form_groups)
        seen: Seen = {}
        for rule, name in zip(self.rules, self.scores, strict=True):
            # not kept here, so that the grading lets them go once its groups are formed
            column = table.columns[name]
            out[rule.name] = distribute_table(rule, table, name, _positions(column), org_parent, seen)
            if done is not None:
                done(len(out))
        return out


def _positions(score: Column) -> np.ndarray:
    """The positions of the people with a score: int32, as the grading reads positions
    (flatnonzero's int64 is not held beside its copy)."""
    return np.flatnonzero(score.present()).astype(np.int32)


def _decimal_column(values: Sequence[Any]) -> Sequence[Any]:
    """A score column as Decimals: a :class:`~engine.distribution.compact.Scaled` one as it is."""
    return values if isinstance(values, Scaled) else [Decimal(v) for v in values]


def grade_relatively(
    policy: Mapping[str, Any],
    records: Sequence[EmployeeRecord],
    results: Sequence[EmployeeResult],
    org_parent: Mapping[str, str | None],
) -> dict[str, DistributionResult]:
    """Every distribution of ``policy`` applied to the evaluated ``results``."""
    by_id = {r.id: r for r in records}
    grading = RelativeGrading(policy)
    for result in results:
        grading.add(by_id[result.id], result.values)
    return grading.grade(org_parent)


def relative_warnings(relative: Mapping[str, DistributionResult], source: str) -> list[Problem]:
    """One warning per person a distribution could not grade, distribution by distribution.

    The members of one problem share its message (one text, not one each: a problem's text
    is some 180 bytes, and a million kumho people leave some 90,000 ungraded)."""
    warnings: list[Problem] = []
    for name, result in relative.items():
        for problem in result.problems:
            message = f"{name}: {problem.message}"
            warnings += [Problem(member, None, problem.rule, message, source) for member in problem.members]
    return warnings
