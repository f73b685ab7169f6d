"""The per-record table reader as it was before its hot loop was generated (main at c80ac89):
what the generated code replaced kept verbatim (engine/io/tablerows.py's row grouping, the
employee records of engine/io/table.py, the CSV lines' reading of engine/io/csvfile.py; a CSV
file's encoding chosen before reading it, as engine/io/records.py did), the rule-by-rule pieces
it still calls imported from the engine: the reference the generated reader is compared with,
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
# The rule-by-rule pieces the generated code did not replace (it hands them what it cannot
# convert): the engine's own, so that the comparison is the generated loop against them.
from engine.io.tablerows import (
    RowGroup,
    _field_problem,
    _fill,
    _indicator,
    _merge_employee,
    _row_problem,
    _text_id,
    of_a_row_without_id,
)
from engine.io.table import _about, _employee_raw, _record, _sheets

#: Distinct text cells remembered per column. Repeated cells (weights, codes, shared goal
#: titles) then cost one dict lookup and share one value object; the bound keeps memory flat.
CACHE_LIMIT = 4096


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
