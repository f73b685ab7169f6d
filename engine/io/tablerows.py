"""A table's rows grouped by employee (the hot loop of a big file): each row's goal line converted
through the column plan (text cells cached per column), the employee cells compared with the
employee's first row and merged, rows without an id reported or skipped.

The loop itself is generated for the plan (:mod:`engine.io.rowcode`); the functions here are the
rule-by-rule reading it hands a goal line to when a cell does not convert, and what it calls for
the rarer cases (a row without an id, a later row with other employee cells)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Problem
from engine.io.cells import NoCachedValue
from engine.io.fields import FieldError, is_absent, shown
from engine.io.model import IndicatorRecord
from engine.io.rowcode import row_adder
from engine.io.spool import Problems
from engine.io.tableplan import ColumnPlan, Row

#: Distinct text cells remembered per column. Repeated cells (weights, codes, shared goal
#: titles) then cost one dict lookup and share one value object; the bound keeps memory flat.
CACHE_LIMIT = 4096


@dataclass(slots=True)
class RowGroup:
    """The rows of one employee so far: the first row's number, the employee cells, the goal
    sheet of each period ('' without one), the problems."""

    row: int
    employee: tuple[Any, ...]
    sheets: dict[str, list[IndicatorRecord]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: The employee cells of a later row found to only restate ``employee`` (the next rows of
    #: the employee usually carry the very same cells: one tuple comparison then).
    restated: tuple[Any, ...] | None = None


def _field_problem(name: str, value: Any, exc: FieldError) -> tuple[str, str]:
    """(rule, message) of a cell that did not convert; a formula without its result says so."""
    if type(value) is NoCachedValue:
        return "record-formula-no-value", f"{name}: {value}; {value.hint}"
    return exc.rule, f"{name}: {exc.message}"


def _merge_employee(
    group: RowGroup, cells: tuple[Any, ...], plan: ColumnPlan, emp_id: str, origin: str
) -> None:
    """A later row restates the employee columns: empty cells add nothing, different ones conflict."""
    merged = list(group.employee)
    for pos, new in enumerate(cells):
        old = merged[pos]
        if new == old or is_absent(new):
            continue
        if type(new) is NoCachedValue:
            name = plan.employee[pos][1]
            message = f"{name}: {new}; {new.hint}"
            group.problems.append(Problem(emp_id, None, "record-formula-no-value", message, origin))
            continue
        if is_absent(old):
            merged[pos] = new
        elif not (isinstance(new, str) and isinstance(old, str) and new.strip() == old.strip()):
            name = plan.employee[pos][1]
            message = f"{name}: {shown(new)} conflicts with {shown(old)} on row {group.row}"
            group.problems.append(Problem(emp_id, None, "record-conflict", message, origin))
    group.employee = tuple(merged)


def _indicator(
    cells: Row, plan: ColumnPlan, group: RowGroup, emp_id: str, index: int, origin: str
) -> dict[str, Any]:
    """One goal line; the hot loop of a big file, so text cells hit a per-column cache first."""
    values: dict[str, Any] = {}
    failed: list[str] | None = None
    for col, name, convert, cache in plan.indicator:
        value = cells[col]
        if value is None or value == "":
            continue
        # Only text is cached: Excel's 1, 1.0 and True are equal as dict keys but not as values.
        hit = cache.get(value) if type(value) is str else None
        if hit is not None:
            values[name] = hit
            continue
        try:
            values[name] = converted = convert(value)
        except FieldError as exc:
            if not is_absent(value):
                failed = [*(failed or []), name]
                rule, message = _field_problem(name, value, exc)
                group.problems.append(Problem(emp_id, index, rule, message, origin))
            continue
        if type(value) is str and len(cache) < CACHE_LIMIT:
            cache[value] = converted
    if len(values) != plan.complete:
        _fill(values, plan, group, emp_id, index, origin, failed or [])
    return values


def _fill(
    values: dict[str, Any],
    plan: ColumnPlan,
    group: RowGroup,
    emp_id: str,
    index: int,
    origin: str,
    failed: list[str],
) -> None:
    """Defaults for empty fields; a required field left empty (and not already bad) is missing."""
    for rule in plan.fill:
        if rule.name in values or rule.name in failed:
            continue
        if rule.has_default:
            values[rule.name] = rule.default
        else:
            message = f"{rule.name}: required field is missing"
            group.problems.append(Problem(emp_id, index, "record-missing", message, origin))


def _text_id(raw_id: Any) -> str | None:
    if raw_id is None or type(raw_id) is NoCachedValue:
        return None
    text = raw_id.strip() if isinstance(raw_id, str) else str(raw_id)
    return text or None


def of_a_row_without_id(problem: Problem) -> bool:
    """Whether ``problem`` is a table row's without an id (explain's search by id never reads
    such rows: it leaves them out of what it says of the file): the reader marks it so."""
    return problem.row_without_id


def _row_problem(cells: Row, width: int, origin: str) -> Problem | None:
    """A row without an id is blank (skipped) or an error; only reached off the hot path."""
    if all(is_absent(c) for c in cells[:width]):
        return None
    formula = next((c for c in cells[:width] if type(c) is NoCachedValue), None)
    if formula is not None:
        message = f"id: {formula}; {formula.hint}"
        return Problem(None, None, "record-formula-no-value", message, origin, row_without_id=True)
    return Problem(None, None, "record-missing", "id: required field is missing", origin, row_without_id=True)


def _no_id(problems: Problems, cells: Row, width: int, origin: str) -> None:
    """A row without an id: a problem unless it is blank."""
    problem = _row_problem(cells, width, origin)
    if problem is not None:
        problems.append(problem)


def _extra(group: RowGroup, cells: Row, width: int, emp_id: str, origin: str) -> None:
    """A problem when a cell right of the header's last column has a value."""
    if not all(is_absent(c) for c in cells[width:]):
        message = f"a cell right of the last column (column {width}) has a value but no header"
        group.problems.append(Problem(emp_id, None, "record-unknown-field", message, origin))


class RowGrouper:
    """Adds numbered rows to the groups of their employees (the hot loop of a big file).

    :meth:`add` is written for the column plan (:func:`engine.io.rowcode.row_adder`); a goal
    line with a cell that does not convert is read by :func:`_indicator`, which reports it.
    """

    def __init__(self, plan: ColumnPlan, display: str, problems: Problems) -> None:
        self.plan, self.display, self.problems = plan, display, problems
        self.groups: dict[str, RowGroup] = {}
        width = plan.width
        scope: dict[str, Any] = {
            "_groups": self.groups,
            "_prefix": f"{display}:row ",
            "_no_id": lambda cells, origin: _no_id(problems, cells, width, origin),
            "_RowGroup": RowGroup,
            "_later": lambda group, cells, emp_id, origin: _later(group, cells, plan, emp_id, origin),
            "_extra": lambda group, cells, emp_id, origin: _extra(group, cells, width, emp_id, origin),
            "_text_id": _text_id,
            "_line_slow": lambda cells, group, emp_id, index, origin: _indicator(
                cells, plan, group, emp_id, index, origin
            ),
            "_Record": IndicatorRecord,
        }
        #: Add one row to its employee's group; the employee's id (None: no employee row).
        #: ``add_all``: every numbered row of an iterable.
        self.add, self.add_all = row_adder(plan, CACHE_LIMIT, scope)


def group_rows(
    rows: Iterable[tuple[int, Row]], plan: ColumnPlan, display: str, problems: Problems
) -> dict[str, RowGroup]:
    """Every numbered row added to its employee's group, in the order of each one's first row."""
    grouper = RowGrouper(plan, display, problems)
    grouper.add_all(rows)
    return grouper.groups


def _later(group: RowGroup, employee: tuple[Any, ...], plan: ColumnPlan, emp_id: str, origin: str) -> None:
    """A later row's employee cells, other than the group's (or the last ones found to restate
    them): they must agree with the employee's first row."""
    if _restates(employee, group.employee):
        group.restated = employee
    else:
        _merge_employee(group, employee, plan, emp_id, origin)
        group.restated = None


def _restates(cells: tuple[Any, ...], known: tuple[Any, ...]) -> bool:
    """Whether a later row only repeats or leaves empty the employee cells (the usual case when
    employee columns are given on an employee's first row only): nothing to merge or report."""
    for new, old in zip(cells, known, strict=True):
        if new is not None and new != "" and new != old:
            return False
    return True
