"""A chunk of CSV bytes -> typed columns and employee groups, with every row the per-record
reader would read differently marked ``bad``.

Polars splits the chunk (the fastest of the readers measured, bench/RESULTS.md); each cell the
policy declares is then checked and converted over the whole column. Only the plainest form
of each value is taken here (``12.5``, ``true``, an enum value exactly as declared, text
without surrounding spaces); anything else, even when the per-record reader would accept it
(``1_000``, `` 30``, ``YES``), is left to that reader with its whole employee.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

import engine.limits as limits
from engine.evaluate.columnar.numbers import Ints, Mask, Num
from engine.evaluate.columnar.vectors import Col, Unsupported, constant
from engine.io.fields import FieldError, FieldRule, is_absent

#: The last character ``str.isspace`` holds (U+3000 IDEOGRAPHIC SPACE, since Unicode 6.3;
#: tests/test_columnar.py checks every code point): the search below stops there, where a
#: search of all of Unicode would cost every run 0.2 s of start-up.
LAST_SPACE = 0x3000
#: Every character Python's ``str.strip()`` removes: a cell starting or ending with one is
#: read by the per-record reader (it strips, then compares).
_SPACES = "".join(chr(c) for c in range(LAST_SPACE + 1) if chr(c).isspace())
_CLASS = "".join(f"\\x{{{ord(c):x}}}" for c in _SPACES)
_BLANK = f"^[{_CLASS}]*$"
_PADDED = (
    "^["
    + "".join(f"\\x{{{ord(c):x}}}" for c in _SPACES)
    + "]|["
    + "".join(f"\\x{{{ord(c):x}}}" for c in _SPACES)
    + "]$"
)


@dataclass(frozen=True)
class FieldPlan:
    """One declared field with a column: where it is, how it converts."""

    name: str
    column: int
    rule: FieldRule
    kind: str  # num, bool, cat, text
    vocab: tuple[str, ...] = ()
    #: Cell text -> what :func:`_cell` made of it (filled as chunks are read).
    cache: dict[str, tuple[bool, bool, int, int]] = field(default_factory=dict, compare=False)


def field_plan(
    name: str, column: int, rule: FieldRule, decl: Mapping[str, Any], scales: Mapping[str, Any]
) -> FieldPlan:
    """How the plan reads a declared field; :class:`Unsupported` for a type it leaves alone."""
    kind = rule.type
    if kind in ("decimal", "integer"):
        return FieldPlan(name, column, rule, "num")
    if kind == "boolean":
        return FieldPlan(name, column, rule, "bool")
    if kind == "enum":
        return FieldPlan(name, column, rule, "cat", tuple(str(v) for v in decl.get("values") or ()))
    if kind == "scale":
        levels = (scales.get(str(decl.get("scale"))) or {}).get("levels") or ()
        return FieldPlan(name, column, rule, "cat", tuple(str(lv.get("code")) for lv in levels))
    if kind == "string":
        return FieldPlan(name, column, rule, "text")
    if kind == "date":  # checked by its converter; formulas cannot read it here
        return FieldPlan(name, column, rule, "date")
    raise Unsupported(f"field {name} of type {kind}")


#: One chunk's columns (text), by position in the header.
Frame = list[pa.Array]


def read_chunk(data: bytes, width: int, starts: Ints | None = None) -> Frame | None:
    """The chunk's rows as text columns, or None when Arrow would not split it as Python's csv
    module does (a quote, a lone carriage return, a blank line, a row of another width: Arrow
    refuses a row with more or fewer cells than the header)."""
    if b'"' in data or _lone_return(data):
        return None
    lines = len(line_starts(data) if starts is None else starts) - data.endswith(b"\n")
    names = [f"c{i}" for i in range(width)]
    try:
        table = pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(
                use_threads=False, column_names=names, block_size=max(len(data), 1) + 1
            ),
            parse_options=pcsv.ParseOptions(
                quote_char=False, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows != lines:
        return None
    return [_one_array(table.column(i)) for i in range(width)]


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def normalized(frame: Frame) -> bool:
    """Whether every cell is in Unicode NFC, as the per-record reader makes every text it reads
    (Arrow has checked the bytes are UTF-8): only the distinct cells that are not ASCII are
    looked at, a column at a time."""
    for column in frame:
        ascii_ = pc.string_is_ascii(column)
        if pc.all(ascii_).as_py() is not False:
            continue
        cells = pc.unique(pc.filter(column, pc.invert(ascii_))).to_pylist()
        if not all(unicodedata.is_normalized("NFC", cell) for cell in cells):
            return False
    return True


def _lone_return(data: bytes) -> bool:
    """Whether a carriage return of ``data`` is not followed by a newline (one at the very end
    included): Arrow would end a row there, Python's csv module too, but no line ends."""
    if b"\r" not in data:
        return False
    raw = np.frombuffer(data, np.uint8)
    returns = np.flatnonzero(raw == 13)
    after = returns + 1
    return bool(after[-1] == len(raw) or np.any(raw[after[after < len(raw)]] != 10))


def line_starts(data: bytes) -> Ints:
    raw = np.frombuffer(data, np.uint8)
    starts: Ints = np.concatenate([[0], np.flatnonzero(raw == 10) + 1]).astype(np.int64)
    return starts


def _np(array: Any) -> Any:
    return array.to_numpy(zero_copy_only=False)


def text_ok(series: pa.Array) -> Mask:
    """Cells the per-record reader keeps as they are: no surrounding spaces, within the bound."""
    padded = _np(pc.match_substring_regex(series, _PADDED))
    long = _np(pc.utf8_length(series)) > limits.MAX_CELL_CHARS
    out: Mask = ~(padded | long)
    return out


def convert(series: pa.Array, plan: FieldPlan) -> tuple[Col, Mask]:
    """The column's values and the rows it cannot take (a bad cell, or an empty required one).

    Each distinct cell text goes once through the field's own converter (the one the
    per-record reader calls), so a value means here exactly what it means there; the rows
    then take their text's value.
    """
    kind, vocab = plan.kind, plan.vocab
    if kind == "text":
        return _texts(series, plan)
    encoded = pc.dictionary_encode(series)
    inverse = _np(encoded.indices).astype(np.int64)
    texts = encoded.dictionary.to_pylist()
    n_unique = len(texts)
    cache = plan.cache
    found = [cache.get(text) for text in texts]
    for k, known in enumerate(found):
        if known is None:
            known = found[k] = _cell(texts[k], plan)
            if len(cache) < CACHE_LIMIT:
                cache[texts[k]] = known
    if found:
        table = np.array(found, dtype=object).reshape(n_unique, 4)
        missing, bad = table[:, 0].astype(bool), table[:, 1].astype(bool)
        nums, dens = table[:, 2].astype(np.int64), table[:, 3].astype(np.int64)
    else:
        missing, bad = np.zeros(0, bool), np.zeros(0, bool)
        nums, dens = np.zeros(0, np.int64), np.ones(0, np.int64)
    n = len(inverse)
    blank = missing[inverse]
    none = np.zeros(n, bool)
    if kind == "num":
        col = Col("num", blank, none, Num(nums[inverse], dens[inverse], none.copy(), none.copy()))
    elif kind in ("bool", "cat"):
        col = Col(kind, blank, none, codes=nums[inverse], vocab=vocab)
    elif kind == "date":
        col = Col("text", blank, none)
        return col, bad[inverse] | (blank & (plan.rule.required and not plan.rule.has_default))
    else:
        col = Col("text", blank, none)
    col = _defaults(col, plan, blank)
    rule = plan.rule
    missing_required = blank & (rule.required and not rule.has_default)
    return col, bad[inverse] | missing_required


def _texts(series: pa.Array, plan: FieldPlan) -> tuple[Col, Mask]:
    """A text field: only whether each cell is blank (spaces only count as blank, as
    ``str.strip`` sees them) and within the length bound; the text itself stays in the frame."""
    blank = _np(pc.match_substring_regex(series, _BLANK))
    long = _np(pc.utf8_length(series)) > limits.MAX_CELL_CHARS
    rule = plan.rule
    none = np.zeros(len(blank), bool)
    missing_required = blank & (rule.required and not rule.has_default)
    return Col("text", blank, none), long | missing_required


#: Distinct cells remembered per field between chunks (weights, codes, repeated numbers).
CACHE_LIMIT = 65536


def _cell(text: str, plan: FieldPlan) -> tuple[bool, bool, int, int]:
    """(absent, bad, numerator, denominator) of one cell text: a number's exact fraction, a
    boolean's 0/1, an enum's index in the vocabulary."""
    value = _value(text, plan)
    if value is _ABSENT:
        return True, False, 0, 1
    if value is _BAD:
        return False, True, 0, 1
    if plan.kind == "num":
        exact = _fraction(value)
        return (False, True, 0, 1) if exact is None else (False, False, *exact)
    if plan.kind == "bool":
        return False, False, int(value), 1
    if plan.kind == "date":
        return False, False, 0, 1
    return False, False, plan.vocab.index(value), 1


_ABSENT = object()
_BAD = object()


def _value(text: str, plan: FieldPlan) -> Any:
    """What the per-record reader makes of a cell: its value, absent, or a problem (``_BAD``)."""
    if text == "":
        return _ABSENT
    try:
        return plan.rule.convert(text)
    except FieldError:
        return _ABSENT if is_absent(text) else _BAD


def _fraction(value: Any) -> tuple[int, int] | None:
    """A Decimal (or int) as (coefficient, 10**places), or None where the plan cannot hold it
    exactly as Decimal does (a positive exponent, too many digits, a negative zero)."""
    number = value if isinstance(value, Decimal) else Decimal(value)
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent > 0 or exponent < -18 or len(digits) > 18:
        return None
    coefficient = int(number.scaleb(-exponent))
    if sign and coefficient == 0:
        return None
    return coefficient, 10 ** (-exponent)


def _defaults(col: Col, plan: FieldPlan, blank: Mask) -> Col:
    """Blank cells take the field's default (absent without one)."""
    rule = plan.rule
    if not rule.has_default or rule.default is None or not blank.any():
        return col
    default = _default_col(rule.default, plan, len(blank))
    col.missing = col.missing & ~blank
    if col.num is not None and default.num is not None:
        col.num = Num(
            np.where(blank, default.num.num, col.num.num),
            np.where(blank, default.num.den, col.num.den),
            col.num.approx,
            col.num.bad,
        )
    elif col.codes is not None and default.codes is not None:
        col.codes = np.where(blank, default.codes, col.codes)
    else:
        raise Unsupported(f"default of {plan.name}")
    return col


def _default_col(value: Any, plan: FieldPlan, n: int) -> Col:
    if plan.kind == "cat":
        if str(value) not in plan.vocab:
            raise Unsupported(f"default {value!r} of {plan.name}")
        return Col(
            "cat",
            np.zeros(n, bool),
            np.zeros(n, bool),
            codes=np.full(n, plan.vocab.index(str(value))),
            vocab=plan.vocab,
        )
    col = constant(value, n)
    if col.kind != plan.kind:
        raise Unsupported(f"default {value!r} of {plan.name}")
    return col


def groups_of(ids: pa.Array) -> tuple[Ints, Ints]:
    """Starts of the runs of equal consecutive ids, and each row's run."""
    n = len(ids)
    changed = np.ones(n, bool)
    if n > 1:
        changed[1:] = _np(pc.not_equal(ids.slice(1), ids.slice(0, n - 1)))
    starts: Ints = np.flatnonzero(changed).astype(np.int64)
    gid: Ints = (np.cumsum(changed) - 1).astype(np.int64)
    return starts, gid


def same_in_group(series: pa.Array, starts: Ints, gid: Ints) -> Mask:
    """Per group, whether every row repeats the first row's cell or leaves it empty (the
    per-record reader merges those); a value first given on a later row is not taken here.

    A row equal to the row before it in its group is as good as that row (both empty, or both
    the first row's cell, or the group is refused already): only the rows that differ from
    the row before and are not empty are compared with their group's first row.
    """
    n = len(series)
    if not len(starts):
        return np.zeros(0, bool)
    changed = np.zeros(n, bool)
    if n > 1:
        changed[1:] = _np(pc.not_equal(series.slice(1), series.slice(0, n - 1)))
    changed[starts] = False
    rows = np.flatnonzero(changed)
    if len(rows):
        cells = pc.take(series, pa.array(rows))
        first = pc.take(series, pa.array(starts[gid[rows]]))
        changed[rows] = _np(pc.not_equal(cells, first)) & _np(pc.not_equal(cells, ""))
    out: Mask = ~np.logical_or.reduceat(changed, starts)
    return out


def gather(series: pa.Array, rows: Ints) -> pa.Array:
    return pc.take(series, pa.array(rows))


def any_per_group(rows: Mask, starts: Ints) -> Mask:
    found: Mask = np.logical_or.reduceat(rows, starts) if len(starts) else np.zeros(0, bool)
    return found


def broadcast(columns: Sequence[Col], index: Ints) -> list[Col]:
    return [c.take(index) for c in columns]
