"""The columns of the result table and how each one's cells are shown, in every format.

A number column shows the places its declared rounding gives (the formula's ``round``, else the
policy's ``metadata.rounding``; a grade table's points the places its points are written with),
so ``75``, ``75.0`` and ``67.5`` in one column read ``75.00``, ``75.00`` and ``67.50``. JSON keeps
the exact values. A grade column shows the grade, or why there is none (``not graded: ...``).
A policy that declares no grade table and no distribution but evaluator chains gets a ``grade``
column: the grade its chain's last stage gave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from engine.errors import HRPolicyError
from engine.rounding import MODES, Rounding, round_decimal

if TYPE_CHECKING:
    from engine.evaluate import RunOutcome
    from engine.io.records import EmployeeRecord

#: The column a chain-graded policy's grade is shown in.
CHAIN_GRADE = "grade"
#: Compiled chains per policy data (compiled once per run, not per row).
_CHAINS: dict[int, tuple[Mapping[str, Any], Any]] = {}
#: What a grade table cell says when no band holds the score (the same in the fast path).
NO_BAND = "not graded: no band of the grade table holds the score"


@dataclass(frozen=True)
class Column:
    """One result column: ``kind`` is ``text``, ``number`` or ``grade``; numbers have ``places``."""

    key: str
    kind: str
    rounding: Rounding | None = None

    @property
    def places(self) -> int | None:
        return None if self.rounding is None else max(self.rounding.places, 0)


def _points_places(points: Mapping[str, Decimal]) -> int:
    exponents = [v.as_tuple().exponent for v in points.values() if isinstance(v, Decimal)]
    return max([0, *(-e for e in exponents if isinstance(e, int))])


def chain_graded(outcome: RunOutcome) -> bool:
    """Whether the policy's grade comes only from its evaluator chains (kepco_like)."""
    data = outcome.policy.data
    return (
        bool(data.get("evaluator_chains")) and not data.get("grade_tables") and not data.get("distributions")
    )


def result_columns(outcome: RunOutcome) -> list[Column]:
    """The columns after ``id`` and ``name``, each with how its cells are shown."""
    policy = outcome.policy
    default = Rounding.from_policy(policy.data.get("metadata", {}).get("rounding"))
    columns = [Column(s.name, "number", s.rounding or default) for s in policy.employee_steps]
    if policy.blend and policy.blend not in [c.key for c in columns]:
        columns.append(Column(policy.blend, "number", policy.blend_rounding))
    elif policy.blend:
        columns = [
            Column(c.key, "number", policy.blend_rounding) if c.key == policy.blend else c for c in columns
        ]
    for table in policy.grade_tables:
        columns.append(Column(table.name, "grade"))
        if table.points:
            columns.append(
                Column(f"{table.name}_points", "number", Rounding("half_up", _points_places(table.points)))
            )
    columns.extend(Column(name, "grade") for name in outcome.relative)
    if chain_graded(outcome):
        columns.append(Column(CHAIN_GRADE, "grade"))
    return columns


def text_cell(value: Any) -> str:
    """A cell as text without a column's format (booleans as ``true``/``false``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown_number(value: Any, column: Column) -> str:
    """A number with its column's places (half-way as the declared rounding rounds)."""
    rounding = column.rounding
    if rounding is None or isinstance(value, bool) or not isinstance(value, Decimal | int):
        return text_cell(value)
    try:
        return str(round_decimal(Decimal(value), max(rounding.places, 0), rounding.mode))
    except HRPolicyError:  # too many digits to show rounded: show it as it is
        return str(value)


def formatter(column: Column) -> Callable[[Any], str]:
    """How one column's cells become text (numbers with their places, the rest as they are).

    Built once per column: the hot path (a CSV row per employee) quantizes a Decimal in C.
    """
    rounding = column.rounding
    if column.kind != "number" or rounding is None:
        return text_cell
    quantum = Decimal(1).scaleb(-max(rounding.places, 0))
    mode = MODES[rounding.mode]

    def shown(value: Any) -> str:
        if type(value) is Decimal:
            try:
                return str(value.quantize(quantum, rounding=mode))
            except InvalidOperation:  # too many digits to show rounded: show it as it is
                return str(value)
        return shown_number(value, column)

    return shown


def chain_grade(outcome: RunOutcome, record: EmployeeRecord | None, values: Mapping[str, Any]) -> str:
    """The grade the employee's evaluator chain gave last, or why there is none."""
    from engine.chains import compile_chains, employee_env, review

    if record is None:
        return "not graded: no record"
    data = outcome.policy.data
    cached = _CHAINS.get(id(data))
    if cached is None or cached[0] is not data:
        cached = _CHAINS[id(data)] = (data, compile_chains(data))
    rules = cached[1]
    done = review(rules, record, employee_env(rules, record, values))
    if done.chain is None:
        return "not graded: no evaluator chain applies"
    grade = done.final_grade()
    if grade is not None:
        return grade
    if not record.evaluations:
        return f"not graded: no evaluation recorded (chain '{done.chain}')"
    return f"not graded: no stage of chain '{done.chain}' gave a grade"
