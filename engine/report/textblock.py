"""The text table's measure and lines from rows spooled as CSV (:data:`~engine.report.results.TEXT_ROWS`),
whole columns at a time: byte for byte what :func:`~engine.report.table.measure` and
:func:`~engine.report.table.write_lines` make of the same rows read by the ``csv`` module.

A worker of a split run spools its rows, then measures them and writes their lines
(:mod:`.textparts`); a row at a time, that was a fifth of its time. Here Arrow reads the spool
into columns and its string kernels measure and pad whole columns: a cell of printable ASCII
in a text column (an id) or a plain number of ASCII digits in a number column is done by them;
every other cell (a name, an empty cell, anything else) is measured and set by the table's own
functions, once per distinct cell of a block; a row with a cell to wrap is set by the table's
own :class:`~engine.report.table.Liner`. A spool Arrow's reader might read otherwise than the
``csv`` module (a carriage return, a NUL, an empty line, a leading byte-order mark, a row of
another length) is not read here (None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

import engine.arrowcompute as ac
from engine.report.safety import terminal_text
from engine.report.table import GAP, Liner, Shape, aligned, cell_size, measure

#: Bytes of the spool read at a time.
_BLOCK = 1 << 22
#: Rows whose lines are set together: their padded cells are held a few times over (a wide
#: table's lines of 16,384 rows, kumho's 330 cells each: some 5 MiB each time).
_ROWS = 1 << 14
#: Bytes after which Arrow's reader and the ``csv`` module might read rows otherwise: a carriage
#: return (a line's end to Arrow), a NUL, an empty line (a row of one empty cell to Arrow told to
#: keep it, none to ``csv``). Cells quoted by the ``csv`` writer read the same.
_NOT_PLAIN = (b"\r", b"\x00", b"\n\n")
#: What Arrow's reader skips at the start of a file and the ``csv`` module keeps (in a cell).
_BOM = b"\xef\xbb\xbf"
#: A cell of printable ASCII only: one terminal cell a character (RE2, Arrow's patterns).
_PRINTABLE = "^[\\x20-\\x7e]*$"
#: A number as ``table._places`` reads it, in ASCII digits: a sign, digits, a dot and digits.
_NUMBER = "^[+-]?[0-9]+(\\.[0-9]+)?$"
#: A line ending in what ``str.rstrip()`` strips (``str.isspace``) but a space
#: (tests/test_textblock.py checks the class against Python's).
_OTHER_SPACE = (
    "[\\t\\n\\x0b\\x0c\\x0d\\x1c-\\x1f\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
    "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]$"
)


def measure_spool(spool: IO[bytes], headers: Sequence[str], numeric: Sequence[bool]) -> Any | None:
    """:func:`~engine.report.table.measure` of the rows spooled to ``spool`` (a binary file,
    read from its start; ``headers`` without control characters), or None: Arrow's reader
    might read them otherwise than the ``csv`` module (a carriage return, a NUL, an empty line,
    a row of another length) or there are none."""
    if not plain_spool(spool):
        return None
    found = measure(headers, numeric, ())
    try:
        for batch in _batches(spool, len(headers)):
            for index, column in enumerate(batch.columns):
                number = index < len(numeric) and numeric[index]
                _measure_column(found.take, index, column, number)
    except pa.ArrowInvalid:  # (a row of another length, no rows)
        return None
    return found


def write_spool(
    spool: IO[bytes], shape: Shape, numeric: Sequence[bool], write: Callable[[bytes], object]
) -> bool:
    """:func:`~engine.report.table.write_lines` of the rows in ``spool`` (from its start) in
    ``shape``, given to ``write`` in UTF-8 a block at a time; False when the spool is not
    plain (:func:`measure_spool`'s None): what was given to ``write`` is to be dropped."""
    if not plain_spool(spool):
        return False
    liner = Liner(shape.widths, numeric, shape.most)
    try:
        for batch in _batches(spool, len(shape.widths)):
            for first in range(0, batch.num_rows, _ROWS):
                write(_lines(batch.slice(first, _ROWS).columns, shape, numeric, liner))
    except pa.ArrowInvalid:  # (a row of another length)
        return False
    return True


def plain_spool(spool: IO[bytes]) -> bool:
    """Whether Arrow's reader surely reads the rows of ``spool`` (from its start) as the ``csv``
    module does (it is left at its start)."""
    try:
        spool.seek(0)
        if spool.read(len(_BOM)).startswith((_BOM, b"\n")):
            return False
        spool.seek(0)
        last = b""
        while chunk := spool.read(_BLOCK):
            if any(byte in chunk for byte in _NOT_PLAIN) or last + chunk[:1] == b"\n\n":
                return False
            last = chunk[-1:]
        return True
    finally:
        spool.seek(0)


def _batches(spool: IO[bytes], count: int) -> Iterator[pa.RecordBatch]:
    """The rows of ``spool`` (from its start), ``count`` columns of strings, a block at a time."""
    spool.seek(0)
    names = [f"f{i}" for i in range(count)]
    yield from pcsv.open_csv(
        spool,
        read_options=pcsv.ReadOptions(column_names=names, use_threads=False, block_size=_BLOCK),
        parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )


Take = Callable[[int, "int | None", int], None]


def _measure_column(take: Take, index: int, column: pa.Array, number: bool) -> None:
    """Give ``take`` what column ``index``'s cells hold: a few maxima, and each other cell once."""
    length = _numpy(ac.binary_length(column), np.int64)
    if number:
        done = _numpy(ac.match_substring_regex(column, _NUMBER), bool)
        dot = _numpy(ac.find_substring(column, "."), np.int64)
        places = np.where(dot >= 0, length - dot - 1, 0)
        with_places = done & (places > 0)
        if with_places.any():
            most = int(places[with_places].max())
            take(index, most, int((length - places)[with_places].max()) + most)
        whole = done & (places == 0)
        if whole.any():
            take(index, 0, int(length[whole].max()))
    else:
        done = _numpy(ac.match_substring_regex(column, _PRINTABLE), bool)
        if done.any():
            take(index, None, int(length[done].max()))
    if not done.all():
        for cell in ac.unique(ac.filter_by(column, ~done)).to_pylist():
            take(index, *cell_size(terminal_text(cell), number))


def _lines(columns: Sequence[pa.Array], shape: Shape, numeric: Sequence[bool], liner: Liner) -> bytes:
    """The table's lines of one block of rows, as :meth:`Liner.row` writes each."""
    count = len(columns[0])
    wraps = np.zeros(count, bool)
    cells = []
    for index, column in enumerate(columns):
        width, number = shape.widths[index], index < len(numeric) and numeric[index]
        text, wrapped = _set_column(column, width, number, shape.most.get(index))
        cells.append(text)
        wraps |= wrapped
    joined = ac.binary_join_element_wise(*cells, GAP)
    line = ac.utf8_rtrim(joined, characters=" ")
    odd = _numpy(ac.match_substring_regex(line, _OTHER_SPACE), bool)
    if odd.any():  # (a cell ending in another space: str.rstrip strips that too)
        stripped = [text.rstrip() for text in ac.filter_by(joined, odd).to_pylist()]
        line = ac.replace_with_mask(line, odd, pa.array(stripped, pa.string()))
    line = ac.binary_join_element_wise(line, "", "\n")
    if wraps.any():
        rows = zip(*(ac.filter_by(column, wraps).to_pylist() for column in columns), strict=True)
        wrapped_lines = [liner.row([terminal_text(cell) for cell in row]) for row in rows]
        line = ac.replace_with_mask(line, wraps, pa.array(wrapped_lines, pa.string()))
    whole = ac.binary_join(pa.ListArray.from_arrays(pa.array([0, count], pa.int32()), line), "")
    return bytes(whole[0].as_buffer())


def _set_column(column: pa.Array, width: int, number: bool, want: int | None) -> tuple[pa.Array, Any]:
    """Each cell of a column as :meth:`Liner.row` sets it, and which of them wrap (their rows
    are set by the liner)."""
    length = _numpy(ac.binary_length(column), np.int64)
    if number:
        done = _numpy(ac.match_substring_regex(column, _NUMBER), bool)
        text = ac.utf8_lpad(_padded(column, done, length, want), width, " ")
        wraps = np.zeros(len(column), bool)
    else:
        printable = _numpy(ac.match_substring_regex(column, _PRINTABLE), bool)
        wraps = printable & (length > width)
        done = printable & ~wraps
        text = ac.utf8_rpad(column, width, " ")
    if done.all():
        return text, wraps
    rest = ac.array_of(~done)
    encoded = ac.dictionary_encode(ac.filter_by(column, rest))
    shown = [aligned(terminal_text(cell), width, number, want) for cell in encoded.dictionary.to_pylist()]
    cut = np.array([cell is None for cell in shown], bool)
    if cut.any():
        wraps[~done] |= cut[_numpy(encoded.indices, np.int64)]
    texts = pa.array([cell or "" for cell in shown], pa.string())
    set_apart = ac.cast(pa.DictionaryArray.from_arrays(encoded.indices, texts), pa.string())
    return ac.replace_with_mask(text, rest, set_apart), wraps


def _padded(column: pa.Array, numbers: Any, length: Any, want: int | None) -> pa.Array:
    """The column's numbers (``numbers``) padded with zeros to ``want`` places
    (:func:`~engine.report.table.padded`); other cells as they are."""
    if not want:
        return column
    dot = _numpy(ac.find_substring(column, "."), np.int64)
    places = np.where(numbers, np.where(dot >= 0, length - dot - 1, 0), want)
    zeros = [("" if have else ".") + "0" * (want - have) for have in range(want)] + [""]
    index = ac.array_of(np.clip(places, 0, want), pa.int32())
    suffix = ac.cast(pa.DictionaryArray.from_arrays(index, pa.array(zeros, pa.string())), pa.string())
    return ac.binary_join_element_wise(column, suffix, "")


def _numpy(array: pa.Array, kind: Any) -> Any:
    return np.asarray(array.to_numpy(zero_copy_only=False), kind)
