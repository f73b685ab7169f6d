"""Role-grade changes and their pay: promotion, demotion by the job held, base pay after the change.

``pay.grade_change`` declares:

- ``order``: the role grades, lowest first;
- ``grade_field`` / ``new_grade_field``: the employee's role grade and the grade after the change;
- ``job_grade_field`` (optional): the role grade of the job the employee holds; a job below the
  employee's grade demotes the employee to it (``demote_to_job_grade: true``);
- ``base_field`` / ``new_base_field``: the base pay before and after;
- ``promotion_raise_min`` (optional): a formula over the employee's fields giving the least
  raise of base pay on promotion;
- ``demotion_keeps_base_pay`` (optional): on demotion the base pay stays as it was.

Each employee gets one :class:`GradeChange` with its explanation and its problems (rule
``pay-grade-change``); an employee without a change gets none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import DataError
from engine.pay.formulas import PayFormulas, as_env


@dataclass(frozen=True)
class GradeChange:
    """One employee's grade change: kind (promotion / demotion), grades, pay, why, problems."""

    employee: str
    kind: str
    before: str
    after: str
    explanation: tuple[str, ...]
    problems: tuple[str, ...]


def _rank(order: list[str], grade: Any, employee: str, what: str) -> int:
    if str(grade) not in order:
        raise DataError(f"employee {employee}: {what} '{grade}' is not one of {', '.join(order)}")
    return order.index(str(grade))


def _money(fields: Mapping[str, Any], name: str, employee: str) -> Decimal | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise DataError(f"employee {employee}: '{name}' is not a number")
    return Decimal(value)


def grade_change(
    policy: Mapping[str, Any], fields: Mapping[str, Any], formulas: PayFormulas | None = None
) -> GradeChange | None:
    """The grade change of one employee (``fields`` with ``id``), or ``None`` when there is none
    (``formulas``: the run's compiled formulas)."""
    spec = (policy.get("pay") or {})["grade_change"]
    order = [str(g) for g in spec["order"]]
    who = str(fields["id"])
    grade = str(fields.get(spec["grade_field"]))
    now = _rank(order, grade, who, spec["grade_field"])
    lines: list[str] = []
    after, rank = grade, now
    job = fields.get(spec.get("job_grade_field", ""))
    if spec.get("demote_to_job_grade") and job is not None and _rank(order, job, who, "job grade") < now:
        after, rank = str(job), _rank(order, job, who, "job grade")
        lines.append(f"{grade} holds a {job} job: demoted to {job}")
    new = fields.get(spec["new_grade_field"])
    problems: list[str] = []
    if new is not None and str(new) != after:
        if after != grade:
            problems.append(f"the new grade {new} is not {after}, the grade of the job held")
        else:
            after, rank = str(new), _rank(order, new, who, spec["new_grade_field"])
    if rank == now:
        return None
    kind = "promotion" if rank > now else "demotion"
    if kind == "promotion":
        lines.append(f"promoted {grade} -> {after}")
    _pay(formulas or PayFormulas(policy), spec, fields, kind, lines, problems)
    return GradeChange(who, kind, grade, after, tuple(lines), tuple(problems))


def _pay(
    formulas: PayFormulas,
    spec: Mapping[str, Any],
    fields: Mapping[str, Any],
    kind: str,
    lines: list[str],
    problems: list[str],
) -> None:
    """Check the base pay after the change against the declared rule of its kind."""
    who = str(fields["id"])
    base = _money(fields, spec["base_field"], who)
    new = _money(fields, spec["new_base_field"], who)
    if kind == "demotion" and spec.get("demotion_keeps_base_pay"):
        if base is None:
            problems.append(f"no {spec['base_field']}: the base pay kept on demotion is unknown")
        elif new is not None and new != base:
            problems.append(f"on demotion the base pay stays {base}, not {new}")
        else:
            lines.append(f"base pay kept: {base}")
        return
    formula_text = spec.get("promotion_raise_min")
    if kind != "promotion" or not formula_text:
        return
    env = as_env(fields)
    formula = formulas.formula(str(formula_text), "employee", env)
    least = Decimal(formula(env))
    lines.append(f"least raise = {formula.text} = {formula.explain(env)} = {least}")
    if base is None or new is None:
        missing = f"{spec['base_field']} or {spec['new_base_field']}"
        problems.append(f"no {missing}: the promotion raise is unknown")
        return
    raise_ = new - base
    if raise_ < least:
        problems.append(f"the promotion raise {new} - {base} = {raise_} is below the least {least}")
    else:
        lines.append(f"raise {new} - {base} = {raise_} >= {least}")
