"""JSON result items of a whole block of employees at once, from exact columns (the columnar
plan's scaled integers and grade facts), byte for byte what
:func:`engine.report.results.json_result` writes for each of them (``json.dumps`` with
``indent=2``, two levels in, no ``relative`` grades and no trace: the plan serves neither).

The items are put together by Arrow's string kernels over whole columns: each number's text
(``str`` of its Decimal: sign, whole part, a dot and the places its denominator says), each
grade fact's text taken from a few texts made once, each goal line's object, each employee's
list of them. Only what is surely written the same way is written here: an id or a name that
needs no JSON escape, a number shown without an exponent; every other item is left to the
caller (``plain`` False), who writes it through the report's own function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

import engine.arrowcompute as ac
from engine.evaluate import RunOutcome
from engine.evaluate.columnar.numbers import POW10
from engine.report.jsontext import dumps

#: What ``json`` escapes in a string (``ensure_ascii=False``), as an Arrow (RE2) pattern.
_ESCAPED = '["\\\\\\x{0}-\\x{1f}]'
#: Places a Decimal shows without an exponent whatever its digits (``str`` gives 1E-7 beyond).
_MAX_PLACES = 6
_I6, _I8, _I10 = " " * 6, " " * 8, " " * 10
_FACTS = ("grade", "value", "rounded", "segment", "band", "points")
#: What goes between two items (each item is written with it after it; the last one's is cut).
BETWEEN = ",\n"

#: :attr:`JsonBlock.end` of items cut before their ``relative`` value.
RELATIVE_HEAD = _I6 + '"relative": '

#: One grade table's codes per employee and what a code gives: (grade or None, points).
Grades = tuple[Any, Mapping[int, tuple[Any, Any]]]
#: One grade table's facts per employee: value and rounded value (numerators, denominators),
#: the segment index and the band index within it (-1: none).
Facts = tuple[tuple[Any, Any], tuple[Any, Any], Any, Any]


@dataclass(frozen=True)
class JsonBlock:
    """Builds the items; see :func:`json_block`."""

    value_keys: tuple[str, ...]
    line_keys: tuple[str, ...]
    table_keys: tuple[str, ...]
    #: What each item ends with after its goal lines: its empty ``relative`` value, its end and
    #: :data:`BETWEEN` (:data:`RELATIVE_HEAD`: up to that value, which a streamed run with
    #: distributions fills in later).
    end: str = _I6 + '"relative": {}\n    }' + BETWEEN

    def __call__(
        self,
        ids: pa.Array,
        names: pa.Array | None,
        values: Sequence[tuple[Any, Any]],
        grades: Sequence[Grades],
        facts: Sequence[Facts],
        tables: Sequence[Any],
        starts: Any,
        rows: int,
        lines: Sequence[tuple[Any, Any] | None],
    ) -> tuple[pa.Array, Any]:
        """Each employee's item followed by :data:`BETWEEN` (its :attr:`end`), and whether it
        is written as the report writes it (``plain``). ``values``: each employee formula's
        (numerators, denominators); ``names`` as the report shows them (None: none);
        ``facts``: each grade table's, whose segment names and described bands ``tables``
        holds (the columnar plan's :class:`~engine.evaluate.columnar.plan.TablePlan`, in the
        policy's order);
        ``starts``: each employee's first goal line of the ``rows``; ``lines``: each goal-line
        formula's (numerators, denominators) over the goal lines (None: not numbers)."""
        n = len(ids)
        decimal = _Decimals()
        plain = _plain_text(ids)
        name: Any = "null"
        if names is not None:
            names = ac.fill_null(names, "")  # (no name: null)
            plain &= _plain_text(names)
            quoted = ac.binary_join_element_wise('"', names, '"', "")
            name = ac.if_else(ac.equal(names, ""), "null", quoted)
        parts: list[Any] = ["    {\n" + _I6 + '"id": "', ids, '",\n' + _I6 + '"name": ', name]
        parts.append(",\n" + _I6 + '"values": ' + ("{\n" if self.value_keys else "{}"))
        for k, (key, (num, den)) in enumerate(zip(self.value_keys, values, strict=True)):
            text, ok = decimal(num, den)
            plain &= ok
            parts += [(",\n" if k else "") + key + '"', text, '"']
        if self.value_keys:
            parts.append("\n" + _I6 + "}")
        parts.append(",\n" + _I6 + '"grades": ' + ("{\n" if self.table_keys else "{}"))
        tables_given = zip(self.table_keys, tables, grades, facts, strict=True)
        for k, (key, table, (codes, found), fact) in enumerate(tables_given):
            more, ok = _graded(key, table, codes, found, fact, decimal)
            plain &= ok
            parts += [",\n" if k else "", *more]
        if self.table_keys:
            parts.append("\n" + _I6 + "}")
        listed, ok = self._indicators(starts, rows, lines, n)
        plain &= ok
        parts += [",\n" + _I6 + '"indicators": [\n', listed, "\n" + _I6 + "],\n"]
        parts.append(self.end)
        return _joined(parts), plain

    def _indicators(
        self, starts: Any, rows: int, lines: Sequence[tuple[Any, Any] | None], n: int
    ) -> tuple[Any, Any]:
        """Each employee's goal lines (what goes between ``[`` and ``]``), and which are plain.

        Each line's object is written after what goes before it (``,\n``, but before an
        employee's first): an employee's lines are then one run of bytes of the lines' text,
        taken as they are."""
        ok_rows = np.ones(rows, bool)
        bounds = np.append(np.asarray(starts, np.int64), rows)
        first = np.zeros(rows, bool)
        first[bounds[:-1][bounds[:-1] < rows]] = True
        parts: list[Any] = [ac.if_else(first, "", ",\n"), _I8 + ("{\n" if self.line_keys else "{}")]
        for k, (key, line) in enumerate(zip(self.line_keys, lines, strict=True)):
            if line is None:
                return pa.array([""] * n, pa.string()), np.zeros(n, bool)
            text, ok = _decimal(*line)
            ok_rows &= ok
            parts += [(",\n" if k else "") + key + '"', text, '"']
        if self.line_keys:
            parts.append("\n" + _I8 + "}")
        one = _joined(parts)
        if not rows:
            return pa.array([""] * n, pa.string()), np.ones(n, bool)
        offsets = np.frombuffer(one.buffers()[1], np.int32)[one.offset : one.offset + rows + 1]
        taken = pa.py_buffer(np.ascontiguousarray(offsets[bounds], np.int32))
        body = pa.StringArray.from_buffers(n, taken, one.buffers()[2])
        ok = np.logical_and.reduceat(ok_rows, bounds[:-1]) if rows and n else np.ones(n, bool)
        if rows and n:
            ok &= bounds[1:] > bounds[:-1]  # (an employee without goal lines would show [])
        return body, ok


def _joined(parts: list[Any]) -> Any:
    """The texts and columns of ``parts`` joined row by row in one pass (neighbouring texts
    made one first)."""
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (isinstance(part, str) and not part):
            merged.append(part)
    return ac.binary_join_element_wise(*merged, "")


def json_block(outcome: RunOutcome) -> JsonBlock | None:
    """The block writer of ``outcome``'s JSON result items, or None where the report shows more
    than the plan's values and grade facts (see :func:`engine.report.results.flat_plan`)."""
    from engine.report.rows import flat_plan

    if flat_plan(outcome) is None or sys.byteorder != "little":  # (_scaled's decimals: low word first)
        return None
    policy = outcome.policy
    return JsonBlock(
        tuple(f"{_I8}{dumps(name)}: " for name in policy.employee_names),
        tuple(f"{_I10}{dumps(step.name)}: " for step in policy.indicator_steps),
        tuple(f"{_I8}{dumps(t.name)}: " for t in policy.grade_tables),
    )


def _graded(
    key: str,
    table: Any,
    codes: Any,
    found: Mapping[int, tuple[Any, Any]],
    fact: Facts,
    decimal: Callable[[Any, Any], tuple[Any, Any]],
) -> tuple[list[Any], Any]:
    """One grade table's ``"name": {...}`` per employee (texts and columns to join), and which
    are plain."""
    (value, value_den), (rounded, rounded_den), segment, band = fact
    keys = sorted(found)
    grade_texts = [(dumps(found[k][0]), dumps(_jsonable(found[k][1]))) for k in keys]
    index = np.clip(np.searchsorted(np.array(keys), codes), 0, len(keys) - 1)
    ok = np.array(keys)[index] == codes
    value_text, value_ok = decimal(value, value_den)
    rounded_text, rounded_ok = decimal(rounded, rounded_den)
    where, where_ok = _where(table.segment_names, table.described, segment, band)
    grade, points = _taken([g for g, _ in grade_texts], index), _taken([p for _, p in grade_texts], index)
    k = [_I10 + dumps(f) + ": " for f in _FACTS]
    parts = [
        key + "{\n" + k[0], grade, ",\n" + k[1] + '"', value_text, '",\n' + k[2] + '"', rounded_text,
        '",\n', where, ",\n" + k[5], points, "\n" + _I8 + "}",
    ]  # fmt: skip
    return parts, ok & value_ok & rounded_ok & where_ok


def _where(
    segments: Sequence[str], described: Sequence[Sequence[str]], segment: Any, band: Any
) -> tuple[Any, Any]:
    """``"segment": ..., "band": ...`` per employee (with their keys), and which are known."""
    k_segment, k_band = _I10 + dumps("segment") + ": ", _I10 + dumps("band") + ": "
    texts = [k_segment + dumps("") + ",\n" + k_band + "null"]  # index 0: no segment
    width = max((len(d) for d in described), default=0) + 1
    for s, name in enumerate(segments):
        bands = described[s]
        for b in range(-1, width - 1):
            shown = bands[b] if 0 <= b < len(bands) else None
            texts.append(k_segment + dumps(name) + ",\n" + k_band + dumps(shown))
    segment, band = np.asarray(segment, np.int64), np.asarray(band, np.int64)
    known = (segment >= -1) & (segment < len(segments)) & (band >= -1) & (band < width - 1)
    known &= (segment >= 0) | (band == -1)
    index = np.where(segment >= 0, 1 + segment * width + band + 1, 0)
    index = np.where(known, index, 0)
    return _taken(texts, index), known


def _taken(texts: list[str], index: Any) -> Any:
    dictionary = pa.DictionaryArray.from_arrays(ac.array_of(index, pa.int32()), pa.array(texts, pa.string()))
    return ac.cast(dictionary, pa.string())


def _decimal(num: Any, den: Any) -> tuple[Any, Any]:
    """``str(Decimal(num).scaleb(-places))`` for ``den == 10 ** places``, and where that is so
    (a power of ten up to :data:`_MAX_PLACES` places; not int64's least value: left to the
    report's own writer, as before).

    Arrow writes a decimal128 column's text as ``str`` writes a Decimal's without an exponent:
    the numerators are read as decimals of each row's places, a cast a number of places (few:
    a column's values are sums and products of a few declared places).
    """
    num, den = np.asarray(num, np.int64), np.asarray(den, np.int64)
    places = np.searchsorted(POW10, den)
    ok = (places <= _MAX_PLACES) & (POW10[np.minimum(places, len(POW10) - 1)] == den)
    ok &= num != np.iinfo(np.int64).min
    places = np.where(ok, places, 0)
    counts = np.bincount(places, minlength=_MAX_PLACES + 1)
    kinds = np.flatnonzero(counts)
    if len(kinds) <= 1:
        return _scaled(num, int(kinds[0]) if len(kinds) else 0), ok
    # The rows of each number of places together (a radix sort of bytes: a few per value).
    order = np.argsort(places.astype(np.int8), kind="stable")
    ends = np.cumsum(counts)
    ordered = num[order]
    texts = [_scaled(ordered[ends[k] - counts[k] : ends[k]], int(k)) for k in kinds]
    back = np.empty(len(num), np.int64)
    back[order] = np.arange(len(num))
    return ac.take(pa.concat_arrays(texts), back), ok


class _Decimals:
    """:func:`_decimal`, written once for the same columns given again (a grade table's value
    is often an employee formula's: the plan hands the same arrays)."""

    def __init__(self) -> None:
        self.written: dict[tuple[int, int], tuple[Any, Any, tuple[Any, Any]]] = {}

    def __call__(self, num: Any, den: Any) -> tuple[Any, Any]:
        key = (id(num), id(den))
        if key not in self.written:  # (the arrays kept with their text: their ids stay theirs)
            self.written[key] = (num, den, _decimal(num, den))
        return self.written[key][2]


def _scaled(num: Any, places: int) -> Any:
    """The text of each ``num / 10 ** places`` (int64 numerators), as ``str`` of its Decimal."""
    wide = np.empty((len(num), 2), np.int64)  # (decimal128: two's complement, low word first)
    wide[:, 0] = num
    wide[:, 1] = num >> 63
    decimals = pa.Array.from_buffers(pa.decimal128(38, places), len(num), [None, pa.py_buffer(wide)])
    return ac.cast(decimals, pa.string())


def _plain_text(cells: pa.Array) -> Any:
    """Cells written between quotes as they are (nothing to escape)."""
    escaped = ac.fill_null(ac.match_substring_regex(cells, _ESCAPED), True)  # (no cell: not plain)
    return ~np.asarray(escaped.to_numpy(zero_copy_only=False), bool)


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    return str(value) if isinstance(value, Decimal) else value
