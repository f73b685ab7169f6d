"""The hot loop of a table, written once per column plan as Python text and compiled.

:func:`row_adder` writes ``add(row_no, raw)`` (a row) and ``add_all(rows)`` (a table's rows, in
one call) for one column plan, with the plan's columns as constants and each cell's conversion
inline (its per-column cache first); :func:`employee_converter` writes the employee cells'
conversion the same way. Both handle the clean case only. A cell that does not convert (or a
cell a spreadsheet marked: a percent cell of a percent field, a formula without its value) makes
the generated code hand the goal line, or the employee, to the rule-by-rule code of
:mod:`engine.io.tablerows` and :mod:`engine.io.table`, which reports it: the problems are that
code's, and so are the values of every line it reads (the converters are pure, the caches hold
what they return).

The text is made of the plan's column numbers (ints) and field names (``repr``'d): nothing
read from a file's cells.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from types import CodeType
from typing import Any

import engine.limits as limits
from engine.io.cells import NoCachedValue, PercentCell
from engine.io.fields import TEXT, Converter, FieldError, FieldRule, FieldRules
from engine.io.tableplan import ColumnPlan

#: ``(row number, cells) -> the employee's id, or None`` (see :class:`engine.io.tablerows.RowGrouper`).
RowAdder = Callable[[int, Sequence[Any]], "str | None"]

#: ``(numbered rows) -> None``: every row added.
RowsAdder = Callable[[Iterable[tuple[int, Sequence[Any]]]], None]

#: ``(employee cells, id) -> converted fields``; raises :class:`Slow` or FieldError when the
#: employee needs the rule-by-rule reading.
EmployeeConverter = Callable[[tuple[Any, ...], str], dict[str, Any]]


class Slow(Exception):
    """A cell the generated code leaves to the rule-by-rule reading (a marked spreadsheet cell)."""


#: Cells the generated code never converts itself.
_MARKED = frozenset({PercentCell, NoCachedValue})


def missed(convert: Converter, cache: dict[str, Any], limit: int) -> Converter:
    """A cell the cache has not got: converted, and kept when it is text and the cache holds
    fewer than ``limit`` values (only text is kept: Excel's 1, 1.0 and True are equal as dict
    keys but not as values); a marked spreadsheet cell raises :class:`Slow`."""

    def convert_missed(value: Any) -> Any:
        if value.__class__ in _MARKED:
            raise Slow
        converted = convert(value)
        if value.__class__ is str and len(cache) < limit:
            cache[value] = converted
        return converted

    return _text_missed(cache, limit, convert_missed) if convert is TEXT else convert_missed


def _text_missed(cache: dict[str, Any], limit: int, otherwise: Converter) -> Converter:
    """:func:`missed` of a text field (unique names and goal titles miss the cache): ASCII text
    within the cell limit, not blank, is its stripped self (what :data:`TEXT` makes of it);
    ``otherwise`` converts the other values."""

    def text_missed(value: Any) -> Any:
        if value.__class__ is str and value.isascii() and len(value) <= limits.MAX_CELL_CHARS:
            text = value.strip()
            if text:
                if len(cache) < limit:
                    cache[value] = text
                return text
        return otherwise(value)

    return text_missed


def _cell(at: str, key: str, j: int, absent: str = "pass") -> list[str]:
    """Lines converting the cell in variable ``at`` into ``_d[key]`` as the rule-by-rule reading does:
    None and empty text are absent (the line ``absent`` runs), text is looked up in the column's
    cache ``_k{j}`` (which holds text only, so that another value misses it), else converted by
    ``_m{j}`` (see :func:`missed`). The cells are the CSV module's or
    :func:`engine.io.xlsxfile.cell_value`'s: plain ``str``."""
    return [
        f"if {at}:",
        "    try:",
        f"        _d[{key!r}] = _k{j}[{at}]",
        "    except (KeyError, TypeError):",
        f"        _d[{key!r}] = _m{j}({at})",
        f"elif {at} is None or {at} == '':",
        f"    {absent}",
        "else:",  # 0, False: converted as any value
        f"    _d[{key!r}] = _m{j}({at})",
    ]


def _absent(rule: FieldRule | None) -> str:
    """What an absent cell of a field does: nothing, mark the line for filling (a default), or
    leave it to the rule-by-rule reading (a required field: it reports the cell missing)."""
    if rule is None:
        return "pass"
    return "_late = True" if rule.has_default else "raise _Slow"


#: A field that fills an empty cell: its name, and whether it has a default (else it is required).
Filled = tuple[tuple[str, bool], ...]


def filled(fill: Sequence[FieldRule]) -> Filled:
    return tuple((rule.name, rule.has_default) for rule in fill)


def put_defaults(fill: Sequence[FieldRule], scope: dict[str, Any]) -> None:
    """The defaults :func:`filling`'s lines read, into ``scope``."""
    for j, rule in enumerate(fill):
        if rule.has_default:
            scope[f"_default{j}"] = rule.default


def filling(fill: Filled, when: str) -> list[str]:
    """Lines filling the fields left empty, when ``when`` holds, as the rule-by-rule reading does
    (:func:`engine.io.tablerows._fill`, :func:`engine.io.fields.check_mapping`): a default in the
    order of ``fill`` (``_default{j}``, see :func:`put_defaults`); a required field left empty raises
    :class:`Slow` (that reading reports it)."""
    lines = [f"if {when}:"]
    for j, (name, has_default) in enumerate(fill):
        lines.append(f"    if {name!r} not in _d:")
        lines.append(f"        _d[{name!r}] = _default{j}" if has_default else "        raise _Slow")
    return lines if fill else []


def _runs(cols: Sequence[int]) -> list[tuple[int, int]]:
    """``cols`` as runs of consecutive columns, (first, past the last), in order."""
    runs: list[tuple[int, int]] = []
    for col in cols:
        if runs and runs[-1][1] == col:
            runs[-1] = (runs[-1][0], col + 1)
        else:
            runs.append((col, col + 1))
    return runs


def indented(lines: list[str], depth: int) -> list[str]:
    return [" " * (4 * depth) + line for line in lines]


#: What a row adder's text is made of (see :func:`_shape`): equal shapes, equal text.
Shape = tuple[Any, ...]


def _shape(plan: ColumnPlan) -> Shape:
    """The column plan's numbers and names: all its generated text depends on (a stream's spans,
    the parts of a parallel run and a file read again share it, its caches aside)."""
    columns = tuple((int(col), name) for col, name, _, _ in plan.indicator)
    employee = tuple((int(col), name) for col, name in plan.employee)
    period = None if plan.period is None else int(plan.period)
    return (int(plan.id), period, employee, columns, filled(plan.fill), plan.complete < 0, int(plan.width))


def _line_scope(plan: ColumnPlan, limit: int, scope: dict[str, Any]) -> None:
    """What :func:`_line_body`'s lines read: each column's cache and converter, the defaults."""
    for j, (_, _, convert, cache) in enumerate(plan.indicator):
        scope[f"_k{j}"], scope[f"_m{j}"] = cache, missed(convert, cache, limit)
    put_defaults(plan.fill, scope)


def _line_body(shape: Shape) -> list[str]:
    """Lines making ``_d``, the goal line's fields, of the row's cells ``_c``."""
    _, _, _, cols, fill, always, _ = shape
    names = "".join(f"_v{j}, " for j in range(len(cols)))
    runs = _runs([col for col, _ in cols])
    if len(runs) == 1 and len(cols) > 1:  # one slice unpacked (the usual header)
        body = [f"{names}= _c[{runs[0][0]}:{runs[0][1]}]"]
    else:
        body = [f"_v{j} = _c[{col}]" for j, (col, _) in enumerate(cols)]
    defaults = dict(fill)
    # A field without a column that has a default fills every line (``always`` then).
    body += ["_d = {}", f"_late = {always}"]
    for j, (_, name) in enumerate(cols):
        absent = "pass" if name not in defaults else "_late = True" if defaults[name] else "raise _Slow"
        body += _cell(f"_v{j}", name, j, absent)
    return body + filling(fill, "_late")


def _row_body(shape: Shape) -> list[str]:
    """Lines adding the row ``raw`` numbered ``row_no``; ``SKIP`` stands where a row of no
    employee ends, ``DONE`` where an employee's row ends (``emp_id``)."""
    id_col, period_col, employee_cols, _, _, _, width = shape
    employee = "(" + "".join(f"_c[{col}], " for col, _ in employee_cols) + ")"
    period = "''" if period_col is None else f"_text_id(_c[{period_col}]) or ''"
    return [
        "_c = raw",
        f"if len(raw) != {width}:",
        "    if not raw:",
        "        SKIP",
        f"    if len(raw) < {width}:",
        f"        _c = [*raw, *([None] * ({width} - len(raw)))]",
        "origin = f'{_prefix}{row_no}'",
        f"_i = _c[{id_col}]",
        "emp_id = (_i.strip() or None) if _i.__class__ is str else _text_id(_i)",
        "if emp_id is None:",
        "    _no_id(_c, origin)",
        "    SKIP",
        f"employee = {employee}",
        "group = _groups.get(emp_id)",
        "if group is None:",
        "    group = _groups[emp_id] = _RowGroup(row_no, employee)",
        "elif employee != group.restated and employee != group.employee:",
        "    _later(group, employee, emp_id, origin)",
        f"if _c is raw and len(raw) > {width}:",
        "    _extra(group, _c, emp_id, origin)",
        f"period = {period}",
        "sheet = group.sheets.get(period)",
        "if sheet is None:",
        "    sheet = group.sheets[period] = []",
        "try:",
        *indented(_line_body(shape), 1),
        "except (FieldError, _Slow):",
        "    _d = _line_slow(_c, group, emp_id, len(sheet) + 1, origin)",
        "_r = _new(_Record)",
        "_set_fields(_r, _d)",
        "_set_origin(_r, origin)",
        "sheet.append(_r)",
        "DONE",
    ]


def _marked(line: str, skip: str, done: str) -> str:
    """``line`` with its marker (a whole line: never in a field's name) written out."""
    marker = line.strip()
    if marker == "SKIP":
        return line.replace(marker, skip)
    return line.replace(marker, done) if marker == "DONE" else line


def row_adder(plan: ColumnPlan, limit: int, scope: dict[str, Any]) -> tuple[RowAdder, RowsAdder]:
    """``add(row_no, raw)`` for ``plan``, as :class:`engine.io.tablerows.RowGrouper` adds a row,
    and ``add_all(rows)``, which adds every numbered row (one call for a table, not one a row);
    ``scope`` gives what they call: ``_groups``, ``_prefix`` (``"file:row "``), ``_no_id``,
    ``_RowGroup``, ``_later``, ``_extra``, ``_text_id``, ``_line_slow``, ``_Record``."""
    record = scope["_Record"]
    # The record made as its frozen dataclass's __init__ makes it (it has no __post_init__),
    # without the two object.__setattr__ calls by name: a tenth of a clean line's time.
    scope.update(_Slow=Slow, FieldError=FieldError, _new=object.__new__)
    scope.update(_set_fields=record.fields.__set__, _set_origin=record.origin.__set__)
    _line_scope(plan, limit, scope)
    exec(_adder_code(_shape(plan)), scope)  # only generated text: ints and repr'd names
    return scope["add"], scope["add_all"]


@functools.lru_cache(maxsize=64)
def _adder_code(shape: Shape) -> CodeType:
    """The compiled ``add`` and ``add_all`` of a plan's shape, kept: written and compiled once
    for a file's spans and parts, not once per span (compiling takes about 2 ms)."""
    body = _row_body(shape)
    one = [_marked(line, "return None", "return emp_id") for line in body]
    every = [_marked(line, "continue", "") for line in body if line != "DONE"]
    text = ["def add(row_no, raw):", *indented(one, 1)]
    text += ["def add_all(rows):", "    for row_no, raw in rows:", *indented(every, 2)]
    return compile("\n".join(text) + "\n", "<add>", "exec")


def _id_line(text_id: bool) -> list[str]:
    """Lines converting the id ``_id`` (text) into ``_d['id']``: when the id field is text
    (``text_id``), ASCII text within the cell limit, not blank, is its stripped self, as
    :data:`TEXT` makes it; the converter ``_fid`` the others."""
    if not text_id:
        return ["_d['id'] = _fid(_id)"]
    return [
        "_t = _id.strip() if _id.isascii() and len(_id) <= _limits.MAX_CELL_CHARS else None",
        "_d['id'] = _t if _t else _fid(_id)",
    ]


def employee_converter(plan: ColumnPlan, rules: FieldRules, limit: int) -> EmployeeConverter:
    """The employee fields of a group's employee cells (in the plan's order, then ``id``, then the
    defaults), as :func:`engine.io.fields.check_mapping` converts them when every cell converts
    and no required field is left empty; else (or for a marked spreadsheet cell) :class:`Slow`."""
    scope: dict[str, Any] = {"_fid": rules["id"].convert, "_Slow": Slow, "_limits": limits}
    for j, (_, name) in enumerate(plan.employee):
        cache: dict[str, Any] = {}
        scope[f"_k{j}"], scope[f"_m{j}"] = cache, missed(rules[name].convert, cache, limit)
    put_defaults(rules.fill, scope)
    names = tuple(name for _, name in plan.employee)
    exec(_converter_code(names, rules["id"].convert is TEXT, filled(rules.fill), len(rules)), scope)
    converter: EmployeeConverter = scope["convert"]
    return converter


@functools.lru_cache(maxsize=64)
def _converter_code(names: tuple[str, ...], text_id: bool, fill: Filled, fields: int) -> CodeType:
    """The compiled ``convert`` of :func:`employee_converter`, kept (see :func:`_adder_code`)."""
    body: list[str] = []
    for j, name in enumerate(names):
        body += _cell(f"_v{j}", name, j)
    unpacked = "".join(f"_v{j}, " for j in range(len(names)))
    text = ["def convert(_e, _id):", "    _d = {}", *([f"    {unpacked}= _e"] if names else [])]
    body += [*_id_line(text_id), *filling(fill, f"len(_d) != {fields}")]
    text += [*indented(body, 1), "    return _d"]
    return compile("\n".join(text) + "\n", "<convert>", "exec")
