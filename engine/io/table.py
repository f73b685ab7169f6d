"""Tables (CSV, Excel) -> employee records: one row per goal line, employee columns repeated.

The header is resolved once into a column plan (which column feeds which field, with which
converter: :mod:`engine.io.tableplan`), so a row costs one converter call per filled indicator
cell; employee columns are compared as raw cells against the employee's first row and converted
once per employee (the rows grouped by employee: :mod:`engine.io.tablerows`). Here each group
becomes a record, for a whole table (:func:`read_rows`) or one employee at a time (:class:`TableStream`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DataError, Problem
from engine.io.cells import NoCachedValue, PercentCell
from engine.io.fields import FieldError, check_mapping, is_absent
from engine.io.ids import SeenIds
from engine.io.model import EmployeeRecord, IndicatorRecord, ReadWhole, RecordRules
from engine.io.rowcode import Slow, employee_converter
from engine.io.spool import Problems, ProblemSpool
from engine.io.tableplan import ColumnPlan, Row, column_plan, has_id_column
from engine.io.tablerows import CACHE_LIMIT, RowGroup, RowGrouper, group_rows

# has_id_column is read where the readers have always imported it, with this module's own API.
__all__ = [
    "Interleaved",
    "TablePart",
    "TableStream",
    "has_id_column",
    "read_problems",
    "read_rows",
    "read_table_part",
    "stream_rows",
]


class Records:
    """The employees' records of one column plan: the employee cells converted by code written
    for the plan (:func:`engine.io.rowcode.employee_converter`) when they all convert and no
    required field is left empty; otherwise by :func:`_record`, field by field, which reports."""

    def __init__(self, plan: ColumnPlan, display: str, rules: RecordRules) -> None:
        self.plan, self.display, self.rules = plan, display, rules
        self._convert = employee_converter(plan, rules.employee, CACHE_LIMIT)

    def record(self, emp_id: str, group: RowGroup) -> EmployeeRecord | None:
        """The employee's record from its rows, or None with the problems kept in ``group``."""
        try:
            values = self._convert(group.employee, emp_id)
        except (FieldError, Slow):
            return _record(emp_id, group, self.plan, self.display, self.rules)
        indicators, periods = _sheets(emp_id, group)
        if group.problems:
            return None
        return _made(emp_id, values, indicators, periods, (), f"{self.display}:row {group.row}")


def _maker() -> Callable[[str, Any, Any, Any, Any, str], EmployeeRecord]:
    """A maker of records, as the frozen dataclass's ``__init__`` makes them (it has no
    ``__post_init__``) without its ``object.__setattr__`` call by name per field: 0.4 us
    a record instead of 1.8 (CPU, this machine), 20,000 employees' 28 ms."""
    fields = ("id", "fields", "indicators", "periods", "evaluations", "origin")
    s0, s1, s2, s3, s4, s5 = (getattr(EmployeeRecord, name).__set__ for name in fields)
    new = object.__new__

    def make(
        emp_id: str, values: Any, indicators: Any, periods: Any, evaluations: Any, origin: str
    ) -> EmployeeRecord:
        record: EmployeeRecord = new(EmployeeRecord)
        s0(record, emp_id)
        s1(record, values)
        s2(record, indicators)
        s3(record, periods)
        s4(record, evaluations)
        s5(record, origin)
        return record

    return make


_made = _maker()


def _record(
    emp_id: str, group: RowGroup, plan: ColumnPlan, display: str, rules: RecordRules
) -> EmployeeRecord | None:
    """The employee's record from its rows, field by field, or None with the problems kept in ``group``."""
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


@dataclass
class TablePart:
    """What the rows of a table (or of one part of it) hold, with problems kept by kind.

    A whole table's problems are ``header + rows + employees`` in that order (see
    :attr:`problems`); the parts of a table split between employees (:mod:`engine.evaluate.parallel`)
    merge into exactly that by concatenating each kind in the parts' order (:func:`read_problems`).
    A stream's ``rows`` and ``grouped`` are spools (a bad cell in each of a million rows is a
    million problems): :meth:`close` lets them go.
    """

    employees: list[EmployeeRecord]
    header: list[Problem]  # the header row's
    rows: Problems  # rows without an id, in row order
    grouped: Problems  # per employee, in the order of each one's first row
    ids: Collection[str]  # every employee id met, complete or not (a stream's: SeenIds, compact)
    #: Notes on how cells were read (percent cells of percent fields), not problems.
    notes: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in a list (a whole table's, a search's: a stream's are read through
        :func:`read_problems`)."""
        return [*self.header, *self.rows, *self.grouped]

    def close(self) -> None:
        """Let the spooled problems go (their temp files removed); they read as none after."""
        for kind in (self.rows, self.grouped):
            if isinstance(kind, ProblemSpool):
                kind.close()


def read_problems(parts: Sequence[TablePart]) -> list[Problems]:
    """The problems of reading a table cut into ``parts`` (in order), as the whole table's are
    ordered: the first part's header's, every part's rows without an id, every part's employees'.
    To be read in turn (not copied: the parts' spools)."""
    return [parts[0].header, *(part.rows for part in parts), *(part.grouped for part in parts)]


def read_table_part(
    header_row: int, header: Row, rows: Iterable[tuple[int, Row]], display: str, rules: RecordRules
) -> TablePart:
    """Read numbered ``rows`` under ``header`` (row ``header_row``) into complete employees."""
    plan, header_problems = column_plan(header, header_row, display, rules)
    row_problems: list[Problem] = []
    groups = group_rows(rows, plan, display, row_problems)
    employees: list[EmployeeRecord] = []
    grouped: list[Problem] = []
    records = Records(plan, display, rules)
    for emp_id, group in groups.items():
        record = records.record(emp_id, group)
        grouped.extend(group.problems)
        if record is not None:
            employees.append(record)
    notes = [_percent_note(name, rules, display, header_row) for name in sorted(plan.percent_read)]
    return TablePart(employees, header_problems, row_problems, grouped, list(groups), notes)


def _percent_note(name: str, rules: RecordRules, display: str, header_row: int) -> Problem:
    message = (
        f"{name}: cells formatted as percent were read as percent (a cell showing 30% is 30), "
        "as the field's unit is percent"
    )
    return Problem(None, None, "read-percent-cells", message, f"{display}:row {header_row}")


def read_rows(
    rows: Iterable[tuple[int, Row]],
    display: str,
    rules: RecordRules,
    *,
    where: Callable[[], str] = lambda: "",
    search: int = 30,
) -> TablePart:
    """Read numbered rows into complete employees.

    The header is the first row (among the first ``search`` non-empty ones) that names the id
    column; non-empty rows above it are a title block, skipped with a note. ``where`` is added
    to the error when there is no such row (e.g. which sheet was read).
    """
    iterator = iter(rows)
    header_row, header, skipped = _find_header(iterator, display, rules, where, search)
    part = read_table_part(header_row, header, iterator, display, rules)
    if skipped:
        part.notes.insert(0, _title_note(skipped, header_row, display))
    return part


def _find_header(
    iterator: Iterator[tuple[int, Row]],
    display: str,
    rules: RecordRules,
    where: Callable[[], str],
    search: int,
) -> tuple[int, Row, list[int]]:
    """The header row (see :func:`read_rows`), its number, and the title rows skipped above it."""
    skipped: list[int] = []
    for header_row, header in iterator:
        if all(is_absent(cell) for cell in header):
            continue
        if has_id_column(header, rules):
            break
        skipped.append(header_row)
        if len(skipped) >= search:
            break
    else:
        if not skipped:
            raise DataError(f"{display}: no header row (the table is empty)")
    if not skipped or header_row not in skipped:
        return header_row, header, skipped
    raise DataError(f"{display}: row {skipped[0]}: the header has no 'id' column{where()}")


class Interleaved(ReadWhole):
    """An employee's rows resumed after another employee's: the table cannot be streamed
    (the whole-table reader merges them into one employee)."""


class TableStream:
    """The employees of numbered rows one at a time, as :func:`read_table_part` reads them.

    An employee is complete when a row of another employee starts, so memory holds one
    employee's rows, the ids met (compact: :class:`~engine.io.ids.SeenIds`) and the problems.
    Iterating fills :attr:`part` (its
    ``employees`` stay empty; its notes come at the end) and raises :class:`Interleaved` when
    an id comes back after another one: then read the table whole.
    """

    def __init__(
        self, header_row: int, header: Row, rows: Iterable[tuple[int, Row]], display: str, rules: RecordRules
    ) -> None:
        self.plan, header_problems = column_plan(header, header_row, display, rules)
        self.part = TablePart([], header_problems, ProblemSpool(), ProblemSpool(), SeenIds())
        self.header_row = header_row
        self._rows, self._display, self._rules = rows, display, rules
        self.title: Problem | None = None
        self.org_parent: dict[str, str | None] = {}  # a table has no org tree

    def problems_into(self, rows: Problems, grouped: Problems) -> None:
        """Add the problems found to ``rows`` and ``grouped`` (a caller reading spans of one
        table in turn keeps one of each, in file order) instead of to spools of its own: call
        before iterating."""
        self.part.rows, self.part.grouped = rows, grouped

    def only(self, emp_id: str) -> None:
        """Read the rows of employee ``emp_id`` only (wherever they are), skipping the others."""
        column, rows = self.plan.id, self._rows
        self._rows = (
            (number, row)
            for number, row in rows
            if len(row) > column and isinstance(row[column], str) and row[column].strip() == emp_id
        )

    def __iter__(self) -> Iterator[EmployeeRecord]:
        grouper = RowGrouper(self.plan, self._display, self.part.rows)
        records = Records(self.plan, self._display, self._rules)
        for emp_id in self._completed(grouper):
            record = self._finish(records, emp_id, grouper.groups.pop(emp_id))
            if record is not None:
                yield record
        notes = [self.title] if self.title is not None else []
        notes += [
            _percent_note(name, self._rules, self._display, self.header_row)
            for name in sorted(self.plan.percent_read)
        ]
        self.part.notes = notes

    def _completed(self, grouper: RowGrouper) -> Iterator[str]:
        """Each employee's id once its rows are over (a row of another employee starts, or the
        rows end); :class:`Interleaved` when an id comes back after another one."""
        seen = SeenIds()
        self.part.ids = seen
        current: str | None = None
        for row_no, raw in self._rows:
            emp_id = grouper.add(row_no, raw)
            if emp_id is None or emp_id == current:
                continue
            if not seen.add(emp_id):
                raise Interleaved(emp_id)
            if current is not None:
                yield current
            current = emp_id
        if current is not None:
            yield current

    def _finish(self, records: Records, emp_id: str, group: RowGroup) -> EmployeeRecord | None:
        record = records.record(emp_id, group)
        self.part.grouped.extend(group.problems)
        return record


def stream_rows(
    rows: Iterable[tuple[int, Row]], display: str, rules: RecordRules, where: Callable[[], str] = lambda: ""
) -> TableStream:
    """:func:`read_rows` one employee at a time (``where`` as there)."""
    iterator = iter(rows)
    header_row, header, skipped = _find_header(iterator, display, rules, where, 30)
    stream = TableStream(header_row, header, iterator, display, rules)
    if skipped:
        stream.title = _title_note(skipped, header_row, display)
    return stream


def _title_note(skipped: list[int], header_row: int, display: str) -> Problem:
    rows = f"row {skipped[0]}" if len(skipped) == 1 else f"rows {skipped[0]}-{skipped[-1]}"
    message = f"{rows} above the header (row {header_row}) skipped as a title block"
    return Problem(None, None, "read-title-rows", message, f"{display}:row {header_row}")
