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


def _missed(convert: Converter, cache: dict[str, Any], limit: int) -> Converter:
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
    """:func:`_missed` of a text field (unique names and goal titles miss the cache): ASCII text
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
    ``_m{j}`` (see :func:`_missed`). The cells are the CSV module's or
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


def _filling(fill: Sequence[FieldRule], when: str, scope: dict[str, Any]) -> list[str]:
    """Lines filling the fields left empty, when ``when`` holds, as the rule-by-rule reading does
    (:func:`engine.io.tablerows._fill`, :func:`engine.io.fields.check_mapping`): a default in the
    order of ``fill``; a required field left empty raises :class:`Slow` (that reading reports it)."""
    lines = [f"if {when}:"]
    for j, rule in enumerate(fill):
        lines.append(f"    if {rule.name!r} not in _d:")
        if rule.has_default:
            scope[f"_default{j}"] = rule.default
            lines.append(f"        _d[{rule.name!r}] = _default{j}")
        else:
            lines.append("        raise _Slow")
    return lines if fill else []


@functools.lru_cache(maxsize=64)
def _code(source: str, name: str) -> CodeType:
    """The compiled text, kept: a file read again, or another file with the same header (the
    parts of a parallel run, a stream's spans), is not compiled again (2 ms a plan)."""
    return compile(source, f"<{name}>", "exec")


def _compiled(source: str, name: str, scope: dict[str, Any]) -> Any:
    exec(_code(source, name), scope)  # only generated text: ints and repr'd names
    return scope[name]


def _runs(cols: Sequence[int]) -> list[tuple[int, int]]:
    """``cols`` as runs of consecutive columns, (first, past the last), in order."""
    runs: list[tuple[int, int]] = []
    for col in cols:
        if runs and runs[-1][1] == col:
            runs[-1] = (runs[-1][0], col + 1)
        else:
            runs.append((col, col + 1))
    return runs


def _indented(lines: list[str], depth: int) -> list[str]:
    return [" " * (4 * depth) + line for line in lines]


def _line_body(plan: ColumnPlan, limit: int, scope: dict[str, Any]) -> list[str]:
    """Lines making ``_d``, the goal line's fields, of the row's cells ``_c``."""
    cols = plan.indicator
    for j, (_, _, convert, cache) in enumerate(cols):
        scope[f"_k{j}"], scope[f"_m{j}"] = cache, _missed(convert, cache, limit)
    names = "".join(f"_v{j}, " for j in range(len(cols)))
    runs = _runs([int(col) for col, *_ in cols])
    if len(runs) == 1 and len(cols) > 1:  # one slice unpacked (the usual header)
        body = [f"{names}= _c[{runs[0][0]}:{runs[0][1]}]"]
    else:
        body = [f"_v{j} = _c[{int(col)}]" for j, (col, *_) in enumerate(cols)]
    fill = {rule.name: rule for rule in plan.fill}
    # A field without a column that has a default fills every line (``complete`` is -1 then).
    body += ["_d = {}", f"_late = {plan.complete < 0}"]
    for j, (_, name, _, _) in enumerate(cols):
        body += _cell(f"_v{j}", name, j, _absent(fill.get(name)))
    return body + _filling(plan.fill, "_late", scope)


def _row_body(plan: ColumnPlan, limit: int, scope: dict[str, Any]) -> list[str]:
    """Lines adding the row ``raw`` numbered ``row_no``; ``SKIP`` stands where a row of no
    employee ends, ``DONE`` where an employee's row ends (``emp_id``)."""
    width = int(plan.width)
    employee = "(" + "".join(f"_c[{int(col)}], " for col, _ in plan.employee) + ")"
    period = "''" if plan.period is None else f"_text_id(_c[{int(plan.period)}]) or ''"
    return [
        "_c = raw",
        f"if len(raw) != {width}:",
        "    if not raw:",
        "        SKIP",
        f"    if len(raw) < {width}:",
        f"        _c = [*raw, *([None] * ({width} - len(raw)))]",
        "origin = f'{_prefix}{row_no}'",
        f"_i = _c[{int(plan.id)}]",
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
        *_indented(_line_body(plan, limit, scope), 1),
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
    body = _row_body(plan, limit, scope)
    one = [_marked(line, "return None", "return emp_id") for line in body]
    every = [_marked(line, "continue", "") for line in body if line != "DONE"]
    text = ["def add(row_no, raw):", *_indented(one, 1)]
    text += ["def add_all(rows):", "    for row_no, raw in rows:", *_indented(every, 2)]
    _compiled("\n".join(text) + "\n", "add", scope)
    return scope["add"], scope["add_all"]


def _id_line(rule: FieldRule) -> list[str]:
    """Lines converting the id ``_id`` (text) into ``_d['id']``: ASCII text within the cell
    limit, not blank, is its stripped self, as :data:`TEXT` makes it; the converter the others."""
    if rule.convert is not TEXT:
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
    body: list[str] = []
    for j, (_, name) in enumerate(plan.employee):
        cache: dict[str, Any] = {}
        scope[f"_k{j}"], scope[f"_m{j}"] = cache, _missed(rules[name].convert, cache, limit)
        body += _cell(f"_v{j}", name, j)
    names = "".join(f"_v{j}, " for j in range(len(plan.employee)))
    text = ["def convert(_e, _id):", "    _d = {}", *([f"    {names}= _e"] if names else [])]
    body += [*_id_line(rules["id"]), *_filling(rules.fill, f"len(_d) != {len(rules)}", scope)]
    text += [*_indented(body, 1), "    return _d"]
    converter: EmployeeConverter = _compiled("\n".join(text) + "\n", "convert", scope)
    return converter
