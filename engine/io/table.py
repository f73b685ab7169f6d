"""Tables (CSV, Excel) -> employee records: one row per goal line, employee columns repeated.

The header is resolved once into a column plan (which column feeds which field, with which
converter), so a row costs one converter call per filled indicator cell; employee columns are
compared as raw cells against the employee's first row and converted once per employee.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DataError, Problem
from engine.io.fields import Converter, FieldError, FieldRule, check_mapping, did_you_mean, is_absent, shown
from engine.io.model import EmployeeRecord, IndicatorRecord, RecordRules
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


@dataclass
class _Group:
    """Rows of one employee so far."""

    row: int
    employee: tuple[Any, ...]
    sheets: dict[str, list[IndicatorRecord]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _column_target(name: str, rules: RecordRules) -> tuple[str, str] | None:
    """(level, field) a header names; a name both levels declare is the employee's."""
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
    return None


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
    indicator_cols = {name: col for (level, name), col in seen.items() if level == "indicator"}
    columnless_defaults = any(
        r.has_default and r.name not in indicator_cols for r in rules.indicator.values()
    )
    plan = _Plan(
        id=seen[("id", "id")] - 1,
        period=seen[("period", "period")] - 1 if ("period", "period") in seen else None,
        employee=tuple((col - 1, name) for (level, name), col in seen.items() if level == "employee"),
        indicator=tuple(
            (col - 1, name, rules.indicator[name].convert, {}) for name, col in indicator_cols.items()
        ),
        # Every required field has a column (checked above); defaults fill columnless ones.
        fill=tuple(r for r in rules.indicator.values() if r.has_default or r.required),
        complete=-1 if columnless_defaults else len(indicator_cols),
        width=len(header),
    )
    return plan


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
                group.problems.append(
                    Problem(emp_id, index, exc.rule, f"{name}: {exc.message}", origin)
                )
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
    if raw_id is None:
        return None
    text = raw_id.strip() if isinstance(raw_id, str) else str(raw_id)
    return text or None


def _row_problem(cells: Row, width: int, origin: str) -> Problem | None:
    """A row without an id is blank (skipped) or an error; only reached off the hot path."""
    if all(is_absent(c) for c in cells[:width]):
        return None
    return Problem(None, None, "record-missing", "id: required field is missing", origin)


def _group_rows(
    rows: Iterable[tuple[int, Row]], plan: _Plan, display: str, problems: list[Problem]
) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    employee_cols = [col for col, _ in plan.employee]
    width, id_col, period_col = plan.width, plan.id, plan.period
    for row_no, raw in rows:
        if not raw:
            continue
        cells = raw if len(raw) >= width else [*raw, *([None] * (width - len(raw)))]
        origin = f"{display}:row {row_no}"
        emp_id = _text_id(cells[id_col])
        if emp_id is None:
            problem = _row_problem(cells, width, origin)
            if problem is not None:
                problems.append(problem)
            continue
        group = _group_of(groups, emp_id, tuple([cells[c] for c in employee_cols]), plan, row_no, origin)
        if len(cells) > width and not all(is_absent(c) for c in cells[width:]):
            message = f"a cell right of the last column (column {width}) has a value but no header"
            group.problems.append(Problem(emp_id, None, "record-unknown-field", message, origin))
        period = "" if period_col is None else (_text_id(cells[period_col]) or "")
        sheet = group.sheets.get(period)
        if sheet is None:
            sheet = group.sheets[period] = []
        sheet.append(IndicatorRecord(_indicator(cells, plan, group, emp_id, len(sheet) + 1, origin), origin))
    return groups


def _group_of(
    groups: dict[str, _Group], emp_id: str, employee: tuple[Any, ...], plan: _Plan, row_no: int, origin: str
) -> _Group:
    """The employee's group (new at its first row); a later row's employee cells must agree."""
    group = groups.get(emp_id)
    if group is None:
        group = groups[emp_id] = _Group(row_no, employee)
    elif employee != group.employee:
        _merge_employee(group, employee, plan, emp_id, origin)
    return group


def _record(
    emp_id: str, group: _Group, plan: _Plan, display: str, rules: RecordRules
) -> EmployeeRecord | None:
    origin = f"{display}:row {group.row}"
    raw = {name: value for (_, name), value in zip(plan.employee, group.employee, strict=True)}
    raw["id"] = emp_id
    values, issues = check_mapping(raw, rules.employee)
    group.problems[:0] = [Problem(emp_id, None, i.rule, i.message, origin) for i in issues]
    sheets = group.sheets
    indicators: tuple[IndicatorRecord, ...] = ()
    periods: dict[str, tuple[IndicatorRecord, ...]] = {}
    if "" in sheets and len(sheets) > 1:
        named = ", ".join(p for p in sheets if p)
        message = f"rows without a period are mixed with rows for period {named}"
        group.problems.append(Problem(emp_id, None, "record-conflict", message, sheets[""][0].origin))
    elif "" in sheets:
        indicators = tuple(sheets[""])
    else:
        periods = {period: tuple(lines) for period, lines in sheets.items()}
    if group.problems:
        return None
    return EmployeeRecord(emp_id, values, indicators, periods, (), origin)


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
    ids: list[str]  # every employee id met, complete or not, in order

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
    return TablePart(employees, header_problems, row_problems, grouped, list(groups))


def read_rows(
    rows: Iterable[tuple[int, Row]], display: str, rules: RecordRules
) -> tuple[list[EmployeeRecord], list[Problem]]:
    """Read numbered rows (the first non-empty one is the header) into complete employees."""
    iterator = iter(rows)
    header_row, header = next(iterator, (0, ()))
    while not any(not is_absent(cell) for cell in header):
        header_row, header = next(iterator, (0, ()))
        if header_row == 0:
            raise DataError(f"{display}: no header row (the table is empty)")
    part = read_table_part(header_row, header, iterator, display, rules)
    return part.employees, part.problems
