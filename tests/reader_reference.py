"""The per-record table reader as it was before its hot loop was generated (main at c80ac89:
engine/io/tablerows.py, the employee record of engine/io/table.py and the CSV lines' reading of
engine/io/csvfile.py, kept verbatim; a CSV file's encoding chosen before reading it, as
engine/io/records.py did): the reference the generated reader is compared with,
record by record and problem by problem (tests/test_reader_reference.py), and measured against
(bench/bench_record_path.py). :func:`reference_reading` puts it in place of the new code.
Not used by the engine."""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DataError, Problem
from engine.io.cells import NoCachedValue, PercentCell
from engine.io.fields import FieldError, check_mapping, is_absent, shown
from engine.io.model import EmployeeRecord, IndicatorRecord, RecordRules
from engine.io.spool import Problems
import engine.io.csvfile as csvfile
import engine.limits as limits
from engine.limits import nfc
from engine.io.tableplan import ColumnPlan, Row, column_plan, has_id_column

#: Distinct text cells remembered per column. Repeated cells (weights, codes, shared goal
#: titles) then cost one dict lookup and share one value object; the bound keeps memory flat.
CACHE_LIMIT = 4096


@dataclass
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


class RowGrouper:
    """Adds numbered rows to the groups of their employees (the hot loop of a big file)."""

    def __init__(self, plan: ColumnPlan, display: str, problems: Problems) -> None:
        self.plan, self.display, self.problems = plan, display, problems
        self.groups: dict[str, RowGroup] = {}
        self.employee_cols = [col for col, _ in plan.employee]

    def add(self, row_no: int, raw: Row) -> str | None:
        """Add one row to its employee's group; the employee's id (None: no employee row)."""
        plan, width = self.plan, self.plan.width
        if not raw:
            return None
        cells = raw if len(raw) >= width else [*raw, *([None] * (width - len(raw)))]
        origin = f"{self.display}:row {row_no}"
        emp_id = _text_id(cells[plan.id])
        if emp_id is None:
            problem = _row_problem(cells, width, origin)
            if problem is not None:
                self.problems.append(problem)
            return None
        employee = tuple([cells[c] for c in self.employee_cols])
        group = _group_of(self.groups, emp_id, employee, plan, row_no, origin)
        if len(cells) > width and not all(is_absent(c) for c in cells[width:]):
            message = f"a cell right of the last column (column {width}) has a value but no header"
            group.problems.append(Problem(emp_id, None, "record-unknown-field", message, origin))
        period = "" if plan.period is None else (_text_id(cells[plan.period]) or "")
        sheet = group.sheets.get(period)
        if sheet is None:
            sheet = group.sheets[period] = []
        sheet.append(IndicatorRecord(_indicator(cells, plan, group, emp_id, len(sheet) + 1, origin), origin))
        return emp_id


def group_rows(
    rows: Iterable[tuple[int, Row]], plan: ColumnPlan, display: str, problems: Problems
) -> dict[str, RowGroup]:
    """Every numbered row added to its employee's group, in the order of each one's first row."""
    grouper = RowGrouper(plan, display, problems)
    add = grouper.add
    for row_no, raw in rows:
        add(row_no, raw)
    return grouper.groups


def _group_of(
    groups: dict[str, RowGroup],
    emp_id: str,
    employee: tuple[Any, ...],
    plan: ColumnPlan,
    row_no: int,
    origin: str,
) -> RowGroup:
    """The employee's group (new at its first row); a later row's employee cells must agree."""
    group = groups.get(emp_id)
    if group is None:
        group = groups[emp_id] = RowGroup(row_no, employee)
    elif employee != group.employee and employee != group.restated:
        if _restates(employee, group.employee):
            group.restated = employee
        else:
            _merge_employee(group, employee, plan, emp_id, origin)
            group.restated = None
    return group


def _restates(cells: tuple[Any, ...], known: tuple[Any, ...]) -> bool:
    """Whether a later row only repeats or leaves empty the employee cells (the usual case when
    employee columns are given on an employee's first row only): nothing to merge or report."""
    return all(new is None or new == "" or new == old for new, old in zip(cells, known, strict=True))


def _record(
    emp_id: str, group: RowGroup, plan: ColumnPlan, display: str, rules: RecordRules
) -> EmployeeRecord | None:
    """The employee's record from its rows, or None with the problems kept in ``group``."""
    origin = f"{display}:row {group.row}"
    raw, formulas = _employee_raw(emp_id, group, plan, rules, origin)
    values, issues = check_mapping(raw, rules.employee)
    issues = [
        i for i in issues if not (formulas and i.rule == "record-missing" and _about(i.message, formulas))
    ]
    group.problems[:0] = [
        *formulas,
        *(Problem(emp_id, None, i.rule, i.message, origin) for i in issues),
    ]
    indicators, periods = _sheets(emp_id, group)
    if group.problems:
        return None
    return EmployeeRecord(emp_id, values, indicators, periods, (), origin)


def _employee_raw(
    emp_id: str, group: RowGroup, plan: ColumnPlan, rules: RecordRules, origin: str
) -> tuple[dict[str, Any], list[Problem]]:
    """The employee cells by field name (with ``id``), percent cells of percent fields as
    percents (noted in ``plan``), formula cells without a cached value left out; and a problem
    for each of those."""
    raw = {name: value for (_, name), value in zip(plan.employee, group.employee, strict=True)}
    raw["id"] = emp_id
    formulas = []
    for name, value in raw.items():
        if type(value) is PercentCell and rules.employee[name].unit == "percent":
            plan.percent_read.add(name)
            raw[name] = value.as_percent()
        elif type(value) is NoCachedValue:
            formulas.append(
                Problem(
                    emp_id, None, "record-formula-no-value", f"{name}: {value}; {value.hint}", origin
                )
            )
    raw = {name: value for name, value in raw.items() if type(value) is not NoCachedValue}
    return raw, formulas


def _sheets(
    emp_id: str, group: RowGroup
) -> tuple[tuple[IndicatorRecord, ...], dict[str, tuple[IndicatorRecord, ...]]]:
    """The goal sheet (rows without a period) or the sheet of each period; a problem in
    ``group`` when rows without a period are mixed with a period's."""
    sheets = group.sheets
    if "" in sheets and len(sheets) > 1:
        named = ", ".join(p for p in sheets if p)
        message = f"rows without a period are mixed with rows for period {named}"
        group.problems.append(Problem(emp_id, None, "record-conflict", message, sheets[""][0].origin))
        return (), {}
    if "" in sheets:
        return tuple(sheets[""]), {}
    return (), {period: tuple(lines) for period, lines in sheets.items()}


def _about(message: str, problems: list[Problem]) -> bool:
    """A "missing" message about a field already reported as a formula without a value."""
    return any(message.split(":", 1)[0] == p.message.split(":", 1)[0] for p in problems)




# engine/io/csvfile.py's reading of lines at c80ac89.


def _text_lines(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        if "\ufeff" in line:
            raise csvfile._StrayBom
        yield nfc(line)


def _reader(lines: Iterable[str]) -> Iterator[list[str]]:
    csv.field_size_limit(limits.MAX_CELL_CHARS)
    return csv.reader(_text_lines(lines), strict=True)


class Records:
    """engine.io.table's employee records as they were made: field by field."""

    def __init__(self, plan: ColumnPlan, display: str, rules: RecordRules) -> None:
        self.plan, self.display, self.rules = plan, display, rules

    def record(self, emp_id: str, group: RowGroup) -> EmployeeRecord | None:
        return _record(emp_id, group, self.plan, self.display, self.rules)


@contextlib.contextmanager
def reference_reading() -> Iterator[None]:
    """The engine's table reading done by this module's code inside the block."""
    import engine.io.records as records
    import engine.io.table as table

    saved = (csvfile._reader, table.RowGrouper, table.group_rows, table.Records, records._read_utf8)
    csvfile._reader, table.RowGrouper, table.group_rows, table.Records = _reader, RowGrouper, group_rows, Records
    records._read_utf8 = lambda *_: None  # the encoding chosen first, as engine/io/records.py did
    try:
        yield
    finally:
        csvfile._reader, table.RowGrouper, table.group_rows, table.Records, records._read_utf8 = saved
