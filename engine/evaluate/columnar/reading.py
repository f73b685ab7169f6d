"""A chunk of CSV bytes -> typed columns and employee groups, with every row the per-record
reader would read differently marked ``bad``.

Arrow's CSV reader splits the chunk (:func:`read_chunk`, bench/RESULTS.md); each cell the
policy declares is then checked and converted over the whole column. Only the plainest form
of each value is taken here (``12.5``, ``true``, an enum value exactly as declared, text
without surrounding spaces); anything else, even when the per-record reader would accept it
(``1_000``, `` 30``, ``YES``), is left to that reader with its whole employee.
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

import engine.arrowcompute as ac
import engine.limits as limits
from engine.evaluate.columnar import cells
from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar.cells import SPACES
from engine.evaluate.columnar.numbers import Ints, Mask, Num
from engine.evaluate.columnar.vectors import Col, Unsupported, constant
from engine.io.fields import FieldError, FieldRule, is_absent

#: The offsets (Arrow's int64 of a large text) of one text spanning a whole chunk (:func:`_utf8`).
_SPAN = struct.Struct("<qq")
#: Regexes of the spaces (:data:`.cells.SPACES`), for columns :mod:`.cells` cannot read.
_CLASS = "".join(f"\\x{{{ord(c):x}}}" for c in SPACES)
_BLANK = f"^[{_CLASS}]*$"
_PADDED = f"^[{_CLASS}]|[{_CLASS}]$"


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
    #: A boolean's or an enum's texts taken as they are, with their codes (:func:`_lookup`).
    lookup: tuple[tuple[str, ...], tuple[int, ...]] = ((), ())
    #: A number's declared bounds as (coefficient, 10**places); ``False``: a bound the plan
    #: cannot hold (every cell then goes through the field's converter).
    bounds: tuple[tuple[int, int] | None, tuple[int, int] | None] | bool = (None, None)


def field_plan(
    name: str, column: int, rule: FieldRule, decl: Mapping[str, Any], scales: Mapping[str, Any]
) -> FieldPlan:
    """How the plan reads a declared field; :class:`Unsupported` for a type it leaves alone."""
    kind = rule.type
    if kind in ("decimal", "integer"):
        return FieldPlan(name, column, rule, "num", bounds=_bounds(decl))
    if kind == "boolean":
        return _lookup(FieldPlan(name, column, rule, "bool"), ("false", "true"))
    if kind == "enum":
        vocab = tuple(str(v) for v in decl.get("values") or ())
        return _lookup(FieldPlan(name, column, rule, "cat", vocab), vocab)
    if kind == "scale":
        levels = (scales.get(str(decl.get("scale"))) or {}).get("levels") or ()
        vocab = tuple(str(lv.get("code")) for lv in levels)
        return _lookup(FieldPlan(name, column, rule, "cat", vocab), vocab)
    if kind == "string":
        return FieldPlan(name, column, rule, "text")
    if kind == "date":  # checked by its converter; formulas cannot read it here
        return FieldPlan(name, column, rule, "date")
    raise Unsupported(f"field {name} of type {kind}")


def _lookup(plan: FieldPlan, texts: tuple[str, ...]) -> FieldPlan:
    """``plan`` with the ``texts`` its converter takes as they are (the first of equal ones),
    each with the code :func:`_cell` gives it: a cell of exactly such a text needs no more."""
    found: dict[str, int] = {}
    for text in texts:
        missing, bad, code, _ = _cell(text, plan)
        if text and not missing and not bad and text not in found:
            found[text] = code
    return replace(plan, lookup=(tuple(found), tuple(found.values())))


def _bounds(decl: Mapping[str, Any]) -> tuple[tuple[int, int] | None, tuple[int, int] | None] | bool:
    """A number field's ``min`` and ``max`` as exact fractions (see :attr:`FieldPlan.bounds`)."""
    out: list[tuple[int, int] | None] = []
    for key in ("min", "max"):
        bound = decl.get(key)
        if bound is None:
            out.append(None)
            continue
        if isinstance(bound, bool) or not isinstance(bound, int | Decimal):
            return False
        exact = _fraction(bound)
        if exact is None:
            return False
        out.append(exact)
    return out[0], out[1]


#: One chunk's columns (text), by position in the header.
Frame = list[pa.Array]


def read_chunk(data: bytes, width: int, starts: Ints | None = None, codec: str = "utf-8") -> Frame | None:
    """The chunk's rows as text columns, or None when Arrow would not split it as Python's csv
    module does (a quote, a lone carriage return, a blank line, a row of another width: Arrow
    refuses a row with more or fewer cells than the header) or would read what the per-record
    reader refuses (a byte-order mark, a byte ``codec`` cannot decode). ``codec``: the file's,
    one whose line ends, commas and quotes are those ASCII bytes
    (:func:`engine.io.encoding.splits_at_line_ends`); text in another than UTF-8 is given to
    Arrow as UTF-8, a chunk at a time (the lines, and so ``starts``, are the same)."""
    if b'"' in data or _has_bom(data):  # a byte-order mark: the per-record reader refuses it
        return None
    starts = line_starts(data) if starts is None else starts
    if _lone_return(data, starts):
        return None
    lines = len(starts) - data.endswith(b"\n")
    if codec not in ("utf-8", "utf-8-sig"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            return None  # the per-record reader says where
        if "\ufeff" in text:
            return None
        data = text.encode("utf-8")
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
                check_utf8=False,  # (:func:`_utf8`, once for the chunk)
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows != lines or not _utf8(data):
        return None
    return [_one_array(table.column(i)) for i in range(width)]


def _has_bom(data: bytes) -> bool:
    """Whether ``data`` holds a byte-order mark. Most chunks hold no byte 0xEF at all, which one
    ``memchr`` tells; a search for the three bytes costs as much as Arrow's reading of several
    columns (bench/RESULTS.md, colread)."""
    return b"\xef" in data and b"\xef\xbb\xbf" in data


def _utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8, checked once for the chunk rather than cell by cell by Arrow
    (as cheap for japan's 29 columns, cheaper for kumho's 13; nothing for an ASCII chunk): the
    cells are parts of it cut at ASCII bytes (commas, line ends), so each of them is UTF-8
    exactly when the whole is."""
    if data.isascii():
        return True
    whole = pa.LargeStringArray.from_buffers(1, pa.py_buffer(_SPAN.pack(0, len(data))), pa.py_buffer(data))
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def normalized(frame: Frame) -> bool:
    """Whether every cell is in Unicode NFC, as the per-record reader makes every text it reads
    (:func:`read_chunk` has checked the bytes are UTF-8): only the distinct cells that are not
    ASCII are looked at, a column at a time."""
    for column in frame:
        if _all_ascii(column):
            continue
        distinct = ac.unique(column)  # (then the few distinct cells filtered, not every cell)
        cells = ac.filter_by(distinct, ac.invert(ac.string_is_ascii(distinct))).to_pylist()
        if not all(unicodedata.is_normalized("NFC", cell) for cell in cells):
            return False
    return True


def _all_ascii(column: pa.Array) -> bool:
    """Whether every cell of a text column is ASCII: its bytes at once, where they are one run
    (several times cheaper than a verdict per cell)."""
    found = cells.layout(column)
    if found is None:
        return ac.all_true(ac.string_is_ascii(column)).as_py() is not False
    data = found.data
    return not len(data) or int(data.max()) < 0x80


def _lone_return(data: bytes, starts: Ints) -> bool:
    """Whether a carriage return of ``data`` (lines starting at ``starts``) is not followed by
    a newline (one at the very end included): Arrow would end a row there, Python's csv module
    too, but no line ends. Every carriage return is followed by a newline exactly when there
    are as many carriage returns as newlines right after one."""
    raw = np.frombuffer(data, np.uint8)
    returns = int(np.count_nonzero(raw == 13))
    if not returns:
        return False
    newlines = starts[1:] - 1
    newlines = newlines[newlines > 0]
    return returns != int(np.count_nonzero(raw[newlines - 1] == 13))


def line_starts(data: bytes) -> Ints:
    raw = np.frombuffer(data, np.uint8)
    starts: Ints = np.concatenate([[0], np.flatnonzero(raw == 10) + 1]).astype(np.int64)
    return starts


def _np(array: Any) -> Any:
    if array.type == pa.bool_() and not array.null_count:
        return cells.bits(array)  # (several times cheaper than ``to_numpy``)
    return array.to_numpy(zero_copy_only=False)


def text_ok(series: pa.Array) -> Mask:
    """Cells the per-record reader keeps as they are: no surrounding spaces, within the bound."""
    found = cells.layout(series)
    if found is None:
        padding = _np(ac.match_substring_regex(series, _PADDED))
        long = _np(ac.utf8_length(series)) > limits.MAX_CELL_CHARS
    else:
        padding = cells.padded(found)
        long = cells.longer_than(found, limits.MAX_CELL_CHARS)
    out: Mask = ~(padding | long)
    return out


def convert(series: pa.Array, plan: FieldPlan) -> tuple[Col, Mask]:
    """The column's values and the rows it cannot take (a bad cell, or an empty required one).

    A cell is read here only in its plainest form (a declared text exactly, a plain number:
    :mod:`.cells`); every other distinct cell text goes once through the field's own converter
    (the one the per-record reader calls), so a value means here exactly what it means there.
    """
    kind, vocab = plan.kind, plan.vocab
    if kind == "text":
        return _texts(series, plan)
    missing, bad, nums, dens = _read(series, plan)
    n = len(missing)
    blank = missing
    none = np.zeros(n, bool)
    if kind == "num":
        col = Col("num", blank, none, Num(nums, dens, nb.nowhere(n), nb.nowhere(n)))
    elif kind in ("bool", "cat"):
        col = Col(kind, blank, none, codes=nums, vocab=vocab)
    elif kind == "date":
        col = Col("text", blank, none)
        return col, bad | (blank & (plan.rule.required and not plan.rule.has_default))
    else:
        col = Col("text", blank, none)
    col = _defaults(col, plan, blank)
    if col.num is not None and n and int(col.num.den.min()) == int(col.num.den.max()):
        # One denominator (``12``, ``30``: whole numbers; ``1.2``: tenths): said once, so that
        # each operation over the column knows it without reading it (:func:`.numbers.one_of`).
        col.num.den = nb.same(int(col.num.den[0]), n)
    rule = plan.rule
    missing_required = blank & (rule.required and not rule.has_default)
    return col, bad | missing_required


Cells = tuple[Mask, Mask, Ints, Ints]


def _read(series: pa.Array, plan: FieldPlan) -> Cells:
    """Per row: absent, bad, numerator (a code) and denominator. A boolean's or an enum's
    cells that are one of its texts exactly are looked up; the others are read by
    :func:`_by_text`."""
    texts, codes = plan.lookup
    if plan.kind not in ("bool", "cat") or not texts or series.null_count:
        return _by_text(series, plan)
    index = _text_index(series, texts)
    n = len(index)
    same = codes == tuple(range(len(codes)))  # the texts in code order: no mapping
    out = (
        np.zeros(n, bool),
        np.zeros(n, bool),
        index.copy() if same else np.array(codes, np.int64)[index],
        np.ones(n, np.int64),
    )
    rest = np.flatnonzero(index < 0)
    if len(rest):
        for whole, part in zip(out, _by_text(ac.take(series, rest), plan), strict=True):
            whole[rest] = part
    return out


def _text_index(series: pa.Array, texts: tuple[str, ...]) -> Ints:
    """Per cell, the index of the one of ``texts`` (distinct) it is exactly, -1 for none: for a
    few texts, one byte comparison over the column each (several times cheaper than a hash
    lookup per cell)."""
    if len(texts) > 8:
        found = ac.index_in(series, value_set=pa.array(texts, pa.string()))
        index: Ints = _np(ac.fill_null(found, -1) if found.null_count else found).astype(np.int64)
        return index
    code = np.zeros(len(series), np.uint8)
    for k, text in enumerate(texts):  # (at most one text holds per cell: code k + 1 or 0)
        hit = _np(ac.equal(series, pa.scalar(text, series.type))).view(np.uint8)
        code += hit if k == 0 else hit * np.uint8(k + 1)
    index = code.astype(np.int64)
    index -= 1
    return index


def _by_text(series: pa.Array, plan: FieldPlan) -> Cells:
    """Each distinct cell text read once: a plain number by :func:`.cells.plain_numbers`,
    any other by :func:`_cell` (remembered in the plan's cache); the rows take their text's."""
    encoded = ac.dictionary_encode(series)
    inverse = _np(encoded.indices)  # (int32: gathers by it need no int64 copy)
    missing, bad, nums, dens = _distinct(encoded.dictionary, plan)
    n = len(inverse)
    return (
        missing[inverse] if missing.any() else np.zeros(n, bool),
        bad[inverse] if bad.any() else np.zeros(n, bool),
        nums[inverse],
        dens[inverse] if (dens != 1).any() else np.ones(n, np.int64),
    )


def _distinct(texts: pa.Array, plan: FieldPlan) -> Cells:
    """:func:`_cell` of each of ``texts`` (distinct), plain numbers read over the column."""
    n = len(texts)
    missing, bad = np.zeros(n, bool), np.zeros(n, bool)
    nums, dens = np.zeros(n, np.int64), np.ones(n, np.int64)
    done = np.zeros(n, bool)
    if plan.kind == "num" and plan.bounds is not False:
        done, nums, dens = cells.plain_numbers(texts, plan.rule.type == "integer")
        done &= _within(Num(nums, dens, np.zeros(n, bool), np.zeros(n, bool)), plan.bounds)
    rest = np.flatnonzero(~done)
    if not len(rest):
        return missing, bad, nums, dens
    cache = plan.cache
    words = ac.take(texts, rest).to_pylist() if len(rest) < n else texts.to_pylist()
    for k, text in zip(rest.tolist(), words, strict=True):
        known = cache.get(text)
        if known is None:
            known = _cell(text, plan)
            if len(cache) < CACHE_LIMIT:
                cache[text] = known
        missing[k], bad[k], nums[k], dens[k] = known
    return missing, bad, nums, dens


def _within(values: Num, bounds: Any) -> Mask:
    """Rows surely within the declared bounds (the converter refuses the others)."""
    n = len(values.num)
    inside = np.ones(n, bool)
    for bound, lower in zip(bounds, (True, False), strict=True):
        if bound is None:
            continue
        limit = Num(np.full(n, bound[0]), np.full(n, bound[1]), np.zeros(n, bool), np.zeros(n, bool))
        sign, doubt = nb.compare(values, limit)
        inside &= ~doubt & ((sign >= 0) if lower else (sign <= 0))
    return inside


def _texts(series: pa.Array, plan: FieldPlan) -> tuple[Col, Mask]:
    """A text field: only whether each cell is blank (spaces only count as blank, as
    ``str.strip`` sees them) and within the length bound; the text itself stays in the frame."""
    found = cells.layout(series)
    if found is None:
        blank = _np(ac.match_substring_regex(series, _BLANK))
        long = _np(ac.utf8_length(series)) > limits.MAX_CELL_CHARS
    else:
        blank = cells.blank_cells(series, found, cells.leading_space(found))
        long = cells.longer_than(found, limits.MAX_CELL_CHARS)
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
        changed[1:] = _np(ac.not_equal(ids.slice(1), ids.slice(0, n - 1)))
    starts: Ints = np.flatnonzero(changed).astype(np.int64)
    gid: Ints = (np.cumsum(changed) - 1).astype(np.int64)
    return starts, gid


def differs_in_group(series: pa.Array, starts: Ints, gid: Ints) -> Mask:
    """The rows that neither repeat their group's first row's cell nor leave it empty.

    Where few later rows of a group are filled, each of those is compared with its group's
    first row. Else a row equal to the row before it in its group is as good as that row (both
    empty, or both the first row's cell, or the group is refused already): only the rows that
    differ from the row before and are not empty are compared with their group's first row.
    """
    n = len(series)
    sizes = cells.lengths(series)
    filled = np.ones(n, bool) if sizes is None else sizes != 0
    filled[starts] = False
    if sizes is not None and 4 * int(np.count_nonzero(filled)) < n:
        return _differ_from_first(series, np.flatnonzero(filled), starts, gid, n)
    changed = np.zeros(n, bool)
    if n > 1:
        changed[1:] = _np(ac.not_equal(series.slice(1), series.slice(0, n - 1)))
    return _differ_from_first(series, np.flatnonzero(changed & filled), starts, gid, n)


def _differ_from_first(series: pa.Array, rows: Ints, starts: Ints, gid: Ints, n: int) -> Mask:
    """Which of ``rows`` differ from their group's first row and are not empty, over all rows."""
    out = np.zeros(n, bool)
    if len(rows):
        cells_ = ac.take(series, rows)
        first = ac.take(series, starts[gid[rows]])
        out[rows] = _np(ac.not_equal(cells_, first)) & _np(ac.not_equal(cells_, ""))
    return out


def gather(series: pa.Array, rows: Ints) -> pa.Array:
    return ac.take(series, rows)


def any_per_group(rows: Mask, starts: Ints) -> Mask:
    """Per group (runs of rows from each of ``starts``, increasing, to the next or the end),
    whether any of its rows is true. Few true rows (the usual case: rows a check faults) are
    placed in their groups by a binary search; else counted by :func:`group_totals` (either
    several times cheaper than ``np.logical_or.reduceat``)."""
    out: Mask = np.zeros(len(starts), bool)
    if not len(starts):
        return out
    hit = np.flatnonzero(rows)
    if 8 * len(hit) < len(rows):
        group = np.searchsorted(starts, hit, "right") - 1
        out[group[group >= 0]] = True
        return out
    found: Mask = group_totals(rows.astype(np.int64), starts) > 0
    return found


def group_totals(values: Ints, starts: Ints) -> Ints:
    """Each group's sum of ``values`` (see :func:`any_per_group`): differences of one running
    sum. int64 wraps around alike both ways, so a group's total is exact whenever it fits in
    int64, whatever the running sum reaches (callers bound the totals)."""
    if not len(starts):
        return np.zeros(0, np.int64)
    running = np.zeros(len(values) + 1, np.int64)
    np.cumsum(values, out=running[1:])
    ends = np.append(starts[1:], len(values))
    totals: Ints = running[ends] - running[starts]
    return totals


def broadcast(columns: Sequence[Col], index: Ints) -> list[Col]:
    return [c.take(index) for c in columns]
