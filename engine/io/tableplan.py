"""A table's header resolved once into a column plan: which column feeds which employee or goal-line
field, with which converter (a percent field's percent cells read as percents), what fills the
fields without a column; a required field without a column makes the file unreadable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DataError, Problem
from engine.io.cells import PercentCell
from engine.io.fields import Converter, FieldRule, did_you_mean, shown
from engine.io.model import RecordRules, header_key
from engine.suggest import closest

Row = Sequence[Any]


@dataclass(frozen=True)
class ColumnPlan:
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


def column_target(name: str, rules: RecordRules) -> tuple[str, str] | None:
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


def column_plan(header: Row, row: int, display: str, rules: RecordRules) -> tuple[ColumnPlan, list[Problem]]:
    """The plan of ``header`` (row ``row``), and a problem for each unknown column; a header
    without an id column, or without a required field's column, is a DataError."""
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
        target = column_target(name, rules)
        if target is None:
            unknown.append(name)
        elif target in seen:
            raise DataError(
                f"{display}: row {row}: column {name!r} appears twice (columns {seen[target]} and {col})"
            )
        else:
            seen[target] = col
    return seen, unknown


def _plan_of(header: Row, seen: dict[tuple[str, str], int], rules: RecordRules) -> ColumnPlan:
    """Where each field is read from the rows and what fills the fields without a column."""
    percent_read: set[str] = set()
    indicator_cols = {name: col for (level, name), col in seen.items() if level == "indicator"}
    caches = rules.cell_caches
    plan = ColumnPlan(
        id=seen[("id", "id")] - 1,
        period=seen[("period", "period")] - 1 if ("period", "period") in seen else None,
        employee=tuple((col - 1, name) for (level, name), col in seen.items() if level == "employee"),
        indicator=tuple(
            (col - 1, name, _reader(rules.indicator[name], percent_read), caches.setdefault(name, {}))
            for name, col in indicator_cols.items()
        ),
        # Every required field has a column (checked above); defaults fill columnless ones.
        fill=tuple(r for r in rules.indicator.values() if r.has_default or r.required),
        complete=_complete(indicator_cols, rules),
        width=len(header),
        percent_read=percent_read,
    )
    return plan


def _complete(indicator_cols: Mapping[str, int], rules: RecordRules) -> int:
    """How many values a goal line with every column filled has; -1 when a field without a
    column has a default (then every line is filled in)."""
    if any(r.has_default and r.name not in indicator_cols for r in rules.indicator.values()):
        return -1
    return len(indicator_cols)


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
        if missing:
            parts.append(_missing_text(level, missing))
            hints += _misspelt(missing, unknown)
    if parts:
        raise DataError(f"{display}: {'; '.join(parts + hints)}")


def _missing_text(level: str, missing: list[str]) -> str:
    listed = ", ".join(repr(name) for name in missing)
    columns, them = ("columns", "them") if len(missing) > 1 else ("column", "it")
    return f"missing required {columns} {listed} (the policy's inputs.{level} declares {them})"


def _misspelt(missing: list[str], unknown: list[str]) -> list[str]:
    """A hint for each missing field that an unknown column's name is close to."""
    hints = []
    for name in missing:
        found = closest(name, unknown)
        if found:
            hints.append(f"column {found!r} may be {name!r} misspelt")
    return hints


def has_id_column(cells: Row, rules: RecordRules) -> bool:
    """Whether a row names the id column (by ``id`` or a label of it): the header row."""
    return any(type(cell) is str and column_target(cell.strip(), rules) == ("id", "id") for cell in cells)
