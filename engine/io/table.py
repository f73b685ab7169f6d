"""Tables (CSV, Excel) -> employee records: one row per goal line, employee columns repeated.

The header is resolved once into a column plan (which column feeds which field, with which
converter), so a row costs one converter call per filled indicator cell; employee columns are
compared as raw cells against the employee's first row and converted once per employee.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DataError, Problem
from engine.io.cells import NoCachedValue, PercentCell
from engine.io.fields import Converter, FieldError, FieldRule, check_mapping, did_you_mean, is_absent, shown
from engine.io.ids import SeenIds
from engine.io.model import EmployeeRecord, IndicatorRecord, RecordRules, header_key
from engine.suggest import closest

Row = Sequence[Any]

#: Distinct text cells remembered per column. Repeated cells (weights, codes, shared goal
#: titles) then cost one dict lookup and share one value object; the bound keeps memory flat.
CACHE_LIMIT = 4096


@dataclass(frozen=True)
class _Plan:
    """Which column feeds what; built once from the header."""

    id: int
    period: int | None
    employee: tuple[tuple[int, str], ...]
    indicator: tuple[tuple[int, str, Converter, dict[str, Any]], ...]  # column, field, converter, cache
    fill: tuple[FieldRule, ...]  # indicator rules to check when a row leaves them empty
    complete: int  # number of values a row with every field filled has (-1: always check `fill`)
    width: int
    #: Fields (of unit percent) that met a percent-formatted cell: each gets one note.
    percent_read: set[str] = field(default_factory=set)


@dataclass
class _Group:
    """Rows of one employee so far."""

    row: int
    employee: tuple[Any, ...]
    sheets: dict[str, list[IndicatorRecord]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _column_target(name: str, rules: RecordRules) -> tuple[str, str] | None:
    """(level, field) a header names by id or by a label; a name both levels declare is the employee's."""
    if name in ("id", "period"):
        return name, name
    if name.startswith("indicator.") and name[10:] in rules.indicator:
        return "indicator", name[10:]
    if name.startswith("employee.") and name[9:] in rules.employee:
        return "employee", name[9:]
    if name in rules.employee:
        return "employee", name
    if name in rules.indicator:
        return "indicator", name
    return rules.headers.get(header_key(name))


def _plan(header: Row, row: int, display: str, rules: RecordRules) -> tuple[_Plan, list[Problem]]:
    seen, unknown = _header_columns(header, row, display, rules)
    origin = f"{display}:row {row}"
    problems: list[Problem] = []
    for name in unknown:
        hint = did_you_mean(name, ["id", "period", *rules.employee, *rules.indicator])
        problems.append(
            Problem(None, None, "record-unknown-field", f"unknown column {shown(name)}{hint}", origin)
        )
    if ("id", "id") not in seen:
        raise DataError(f"{display}: row {row}: the header has no 'id' column")
    _require_columns(seen, rules, display, unknown)
    return _plan_of(header, seen, rules), problems


def _header_columns(
    header: Row, row: int, display: str, rules: RecordRules
) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Each known column's (level, field) -> 1-based column, and the unknown column names in
    order (``x-`` columns are notes); a column named twice is a DataError."""
    seen: dict[tuple[str, str], int] = {}
    unknown: list[str] = []
    for col, cell in enumerate(header, start=1):
        name = "" if cell is None else str(cell).strip()
        if not name or name.startswith("x-"):
            continue
        target = _column_target(name, rules)
        if target is None:
            unknown.append(name)
        elif target in seen:
            raise DataError(
                f"{display}: row {row}: column {name!r} appears twice (columns {seen[target]} and {col})"
            )
        else:
            seen[target] = col
    return seen, unknown


def _plan_of(header: Row, seen: dict[tuple[str, str], int], rules: RecordRules) -> _Plan:
    """Where each field is read from the rows and what fills the fields without a column."""
    percent_read: set[str] = set()
    indicator_cols = {name: col for (level, name), col in seen.items() if level == "indicator"}
    columnless_defaults = any(
        r.has_default and r.name not in indicator_cols for r in rules.indicator.values()
    )
    plan = _Plan(
        id=seen[("id", "id")] - 1,
        period=seen[("period", "period")] - 1 if ("period", "period") in seen else None,
        employee=tuple((col - 1, name) for (level, name), col in seen.items() if level == "employee"),
        indicator=tuple(
            (col - 1, name, _reader(rules.indicator[name], percent_read), {})
            for name, col in indicator_cols.items()
        ),
        # Every required field has a column (checked above); defaults fill columnless ones.
        fill=tuple(r for r in rules.indicator.values() if r.has_default or r.required),
        complete=-1 if columnless_defaults else len(indicator_cols),
        width=len(header),
        percent_read=percent_read,
    )
    return plan


def _reader(rule: FieldRule, percent_read: set[str]) -> Converter:
    """The field's converter; for a percent field, a cell Excel shows as 30 % reads as 30."""
    convert = rule.convert
    if rule.unit != "percent":
        return convert
    name = rule.name

    def read(value: Any) -> Any:
        if type(value) is PercentCell:
            percent_read.add(name)
            return convert(value.as_percent())
        if type(value) is str and value.rstrip().endswith("%"):  # Excel's CSV of a percent cell
            return convert(value.rstrip()[:-1].strip())
        return convert(value)

    return read


def _field_problem(name: str, value: Any, exc: FieldError) -> tuple[str, str]:
    """(rule, message) of a cell that did not convert; a formula without its result says so."""
    if type(value) is NoCachedValue:
        return "record-formula-no-value", f"{name}: {value}; {value.hint}"
    return exc.rule, f"{name}: {exc.message}"


def _require_columns(
    seen: dict[tuple[str, str], int], rules: RecordRules, display: str, unknown: list[str]
) -> None:
    """A required field without a column leaves every row incomplete: the file is unreadable.

    Raised, not collected: reading on would only report every employee as incomplete.
    ``unknown`` (the header's unknown column names) gives a misspelling hint.
    """
    parts: list[str] = []
    hints: list[str] = []
    for level, level_rules in (("employee", rules.employee), ("indicator", rules.indicator)):
        missing = [
            r.name
            for r in level_rules.values()
            if r.required and r.name != "id" and (level, r.name) not in seen  # id: checked first
        ]
        if not missing:
            continue
        listed = ", ".join(repr(name) for name in missing)
        columns, them = ("columns", "them") if len(missing) > 1 else ("column", "it")
        parts.append(f"missing required {columns} {listed} (the policy's inputs.{level} declares {them})")
        for name in missing:
            found = closest(name, unknown)
            hints += [f"column {found!r} may be {name!r} misspelt"] if found else []
    if parts:
        raise DataError(f"{display}: {'; '.join(parts + hints)}")


def _merge_employee(group: _Group, cells: tuple[Any, ...], plan: _Plan, emp_id: str, origin: str) -> None:
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
    cells: Row, plan: _Plan, group: _Group, emp_id: str, index: int, origin: str
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
    plan: _Plan,
    group: _Group,
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


def _row_problem(cells: Row, width: int, origin: str) -> Problem | None:
    """A row without an id is blank (skipped) or an error; only reached off the hot path."""
    if all(is_absent(c) for c in cells[:width]):
        return None
    formula = next((c for c in cells[:width] if type(c) is NoCachedValue), None)
    if formula is not None:
        message = f"id: {formula}; {formula.hint}"
        return Problem(None, None, "record-formula-no-value", message, origin)
    return Problem(None, None, "record-missing", "id: required field is missing", origin)


class _Grouper:
    """Adds numbered rows to the groups of their employees (the hot loop of a big file)."""

    def __init__(self, plan: _Plan, display: str, problems: list[Problem]) -> None:
        self.plan, self.display, self.problems = plan, display, problems
        self.groups: dict[str, _Group] = {}
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


def _group_rows(
    rows: Iterable[tuple[int, Row]], plan: _Plan, display: str, problems: list[Problem]
) -> dict[str, _Group]:
    grouper = _Grouper(plan, display, problems)
    add = grouper.add
    for row_no, raw in rows:
        add(row_no, raw)
    return grouper.groups


def _group_of(
    groups: dict[str, _Group], emp_id: str, employee: tuple[Any, ...], plan: _Plan, row_no: int, origin: str
) -> _Group:
    """The employee's group (new at its first row); a later row's employee cells must agree."""
    group = groups.get(emp_id)
    if group is None:
        group = groups[emp_id] = _Group(row_no, employee)
    elif employee != group.employee and not _restates(employee, group.employee):
        _merge_employee(group, employee, plan, emp_id, origin)
    return group


def _restates(cells: tuple[Any, ...], known: tuple[Any, ...]) -> bool:
    """Whether a later row only repeats or leaves empty the employee cells (the usual case when
    employee columns are given on an employee's first row only): nothing to merge or report."""
    return all(new is None or new == "" or new == old for new, old in zip(cells, known, strict=True))


def _record(
    emp_id: str, group: _Group, plan: _Plan, display: str, rules: RecordRules
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
    emp_id: str, group: _Group, plan: _Plan, rules: RecordRules, origin: str
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
    emp_id: str, group: _Group
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
    merge into exactly that by concatenating each kind in the parts' order.
    """

    employees: list[EmployeeRecord]
    header: list[Problem]  # the header row's
    rows: list[Problem]  # rows without an id, in row order
    grouped: list[Problem]  # per employee, in the order of each one's first row
    ids: Collection[str]  # every employee id met, complete or not (a stream's: SeenIds, compact)
    #: Notes on how cells were read (percent cells of percent fields), not problems.
    notes: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [*self.header, *self.rows, *self.grouped]


def read_table_part(
    header_row: int, header: Row, rows: Iterable[tuple[int, Row]], display: str, rules: RecordRules
) -> TablePart:
    """Read numbered ``rows`` under ``header`` (row ``header_row``) into complete employees."""
    plan, header_problems = _plan(header, header_row, display, rules)
    row_problems: list[Problem] = []
    groups = _group_rows(rows, plan, display, row_problems)
    employees: list[EmployeeRecord] = []
    grouped: list[Problem] = []
    for emp_id, group in groups.items():
        record = _record(emp_id, group, plan, display, rules)
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


def has_id_column(cells: Row, rules: RecordRules) -> bool:
    """Whether a row names the id column (by ``id`` or a label of it): the header row."""
    return any(type(cell) is str and _column_target(cell.strip(), rules) == ("id", "id") for cell in cells)


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


class Interleaved(Exception):
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
        self.plan, header_problems = _plan(header, header_row, display, rules)
        self.part = TablePart([], header_problems, [], [], SeenIds())
        self.header_row = header_row
        self._rows, self._display, self._rules = rows, display, rules
        self.title: Problem | None = None

    def only(self, emp_id: str) -> None:
        """Read the rows of employee ``emp_id`` only (wherever they are), skipping the others."""
        column, rows = self.plan.id, self._rows
        self._rows = (
            (number, row)
            for number, row in rows
            if len(row) > column and isinstance(row[column], str) and row[column].strip() == emp_id
        )

    def __iter__(self) -> Iterator[EmployeeRecord]:
        grouper = _Grouper(self.plan, self._display, self.part.rows)
        groups, seen = grouper.groups, SeenIds()
        self.part.ids = seen
        current: str | None = None
        for row_no, raw in self._rows:
            emp_id = grouper.add(row_no, raw)
            if emp_id is None or emp_id == current:
                continue
            if not seen.add(emp_id):
                raise Interleaved(emp_id)
            if current is not None:
                record = self._finish(current, groups.pop(current))
                if record is not None:
                    yield record
            current = emp_id
        if current is not None:
            record = self._finish(current, groups.pop(current))
            if record is not None:
                yield record
        notes = [self.title] if self.title is not None else []
        notes += [
            _percent_note(name, self._rules, self._display, self.header_row)
            for name in sorted(self.plan.percent_read)
        ]
        self.part.notes = notes

    def _finish(self, emp_id: str, group: _Group) -> EmployeeRecord | None:
        record = _record(emp_id, group, self.plan, self._display, self._rules)
        self.part.grouped.extend(group.problems)
        return record


def stream_rows(rows: Iterable[tuple[int, Row]], display: str, rules: RecordRules) -> TableStream:
    """:func:`read_rows` one employee at a time."""
    iterator = iter(rows)
    header_row, header, skipped = _find_header(iterator, display, rules, lambda: "", 30)
    stream = TableStream(header_row, header, iterator, display, rules)
    if skipped:
        stream.title = _title_note(skipped, header_row, display)
    return stream


def _title_note(skipped: list[int], header_row: int, display: str) -> Problem:
    rows = f"row {skipped[0]}" if len(skipped) == 1 else f"rows {skipped[0]}-{skipped[-1]}"
    message = f"{rows} above the header (row {header_row}) skipped as a title block"
    return Problem(None, None, "read-title-rows", message, f"{display}:row {header_row}")
