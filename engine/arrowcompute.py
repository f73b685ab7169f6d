"""Arrow's compute functions called by name, without importing ``pyarrow.compute``.

``import pyarrow.compute`` writes a Python wrapper, with its signature and docstring, for each
of the ~290 functions Arrow registers: 45 ms of CPU that a big CSV file's run paid before its
workers fork (issue 12), for the twenty-odd it calls. Each function here makes the call the
wrapper (or ``pyarrow.compute``'s own function of that name) makes: the same registered
function with the same options, so the results are the same. The registry's entry point and the
options classes are those ``pyarrow.compute`` re-exports from ``pyarrow._compute``.

Two conversions Arrow would make are made here, typed: a numpy array becomes an Arrow array over
its buffer (:func:`array_of`: ``pa.array`` looks for a masked array first, and the import of
``numpy.ma`` it triggers cost each worker 16 ms), and a Python ``str``, ``bool`` or ``int``
becomes the scalar Arrow would infer (inferring a type imports ``dateutil``, 5 ms). Methods of
Arrow arrays that compute (``take``, ``filter``, ``cast``, ``dictionary_encode``, comparisons)
import ``pyarrow.compute`` themselves: callers use the functions here instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

try:  # (where pyarrow.compute takes them from, today: its import is the 45 ms saved)
    from pyarrow import _compute as _registry
except ImportError:  # a pyarrow that moved its private module: the public names, slower to load
    from pyarrow import compute as _registry

CastOptions, MatchSubstringOptions = _registry.CastOptions, _registry.MatchSubstringOptions
PadOptions, SetLookupOptions = _registry.PadOptions, _registry.SetLookupOptions
TakeOptions, TrimOptions = _registry.TakeOptions, _registry.TrimOptions
call_function = _registry.call_function

#: The Arrow type of a numpy array's elements, for the dtypes taken over their buffers.
_TYPES = {
    np.dtype(np.int8): pa.int8(),
    np.dtype(np.int16): pa.int16(),
    np.dtype(np.int32): pa.int32(),
    np.dtype(np.int64): pa.int64(),
    np.dtype(np.uint8): pa.uint8(),
    np.dtype(np.uint16): pa.uint16(),
    np.dtype(np.uint32): pa.uint32(),
    np.dtype(np.uint64): pa.uint64(),
    np.dtype(np.float64): pa.float64(),
}
_DTYPES = {arrow: dtype for dtype, arrow in _TYPES.items()}


def array_of(values: Any, type: Any = None) -> Any:
    """The Arrow array of a one-dimensional numpy array (booleans, integers, floats), as
    ``pa.array(values, type)`` makes it: over the same buffer where the types agree. With
    ``type`` (an integer type), the values are converted to it, and one it cannot hold is an
    error, as Arrow's safe cast makes it."""
    values = np.asarray(values)
    if values.dtype == np.bool_ and type in (None, pa.bool_()):
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    if type is not None and _TYPES.get(values.dtype) != type:
        converted = values.astype(_DTYPES[type])
        if not np.array_equal(converted, values):
            raise pa.ArrowInvalid(f"a value does not fit {type}")
        values = converted
    values = np.ascontiguousarray(values)
    if values.dtype not in _TYPES or values.ndim != 1:
        raise TypeError(f"no Arrow array of a numpy array of {values.dtype} here")
    return pa.Array.from_buffers(_TYPES[values.dtype], len(values), [None, pa.py_buffer(values)])


def _arg(value: Any) -> Any:
    """An argument as Arrow takes it: Arrow data as it is, a numpy array by :func:`array_of`, a
    Python text, truth value or integer as the scalar Arrow would infer."""
    if isinstance(value, np.ndarray):
        return array_of(value)
    if isinstance(value, str):
        return pa.scalar(value, pa.string())
    if isinstance(value, bool):
        return pa.scalar(value, pa.bool_())
    if isinstance(value, int):
        return pa.scalar(value, pa.int64())
    return value


def _call(name: str, args: tuple[Any, ...], options: Any = None) -> Any:
    return call_function(name, [_arg(a) for a in args], options)


# ---------------------------------------------------------------------------- selections


def take(data: Any, indices: Any) -> Any:
    """``pyarrow.compute.take``: the values at ``indices`` (bounds checked)."""
    return _call("take", (data, indices), TakeOptions(boundscheck=True))


def filter_by(values: Any, mask: Any) -> Any:
    """``pyarrow.compute.filter``: the values where ``mask`` is true (nulls dropped)."""
    return _call("filter", (values, mask))


def unique(values: Any) -> Any:
    """``pyarrow.compute.unique``: the distinct values, in order of first appearance."""
    return _call("unique", (values,))


def dictionary_encode(values: Any) -> Any:
    """``pyarrow.compute.dictionary_encode``: the distinct values and each value's index."""
    return _call("dictionary_encode", (values,))


def fill_null(values: Any, fill_value: Any) -> Any:
    """``pyarrow.compute.fill_null``: nulls replaced by ``fill_value`` (a Python value is made
    a scalar of the values' type)."""
    if not isinstance(fill_value, pa.Array | pa.ChunkedArray | pa.Scalar):
        fill_value = pa.scalar(fill_value, type=values.type)
    elif values.type != fill_value.type:
        fill_value = pa.scalar(fill_value.as_py(), type=values.type)
    return _call("coalesce", (values, fill_value))


def if_else(condition: Any, left: Any, right: Any) -> Any:
    """``pyarrow.compute.if_else``: ``left`` where ``condition`` holds, else ``right``."""
    return _call("if_else", (condition, left, right))


def replace_with_mask(values: Any, mask: Any, replacements: Any) -> Any:
    """``pyarrow.compute.replace_with_mask``: where ``mask`` holds, the next replacement."""
    return _call("replace_with_mask", (values, mask, replacements))


def index_in(values: Any, value_set: Any) -> Any:
    """``pyarrow.compute.index_in``: each value's index in ``value_set`` (null: not there)."""
    return _call("index_in", (values,), SetLookupOptions(value_set=value_set))


def cast(values: Any, target_type: Any) -> Any:
    """``pyarrow.compute.cast`` (safe): ``values`` as ``target_type``."""
    return _call("cast", (values,), CastOptions.safe(target_type))


# ---------------------------------------------------------------------------- comparisons


def equal(left: Any, right: Any) -> Any:
    """``pyarrow.compute.equal``."""
    return _call("equal", (left, right))


def not_equal(left: Any, right: Any) -> Any:
    """``pyarrow.compute.not_equal``."""
    return _call("not_equal", (left, right))


def less(left: Any, right: Any) -> Any:
    """``pyarrow.compute.less``."""
    return _call("less", (left, right))


def greater(left: Any, right: Any) -> Any:
    """``pyarrow.compute.greater``."""
    return _call("greater", (left, right))


def invert(values: Any) -> Any:
    """``pyarrow.compute.invert``: not each truth value."""
    return _call("invert", (values,))


def all_true(values: Any) -> Any:
    """``pyarrow.compute.all``: whether every (non-null) truth value holds, a scalar."""
    return _call("all", (values,))


# ---------------------------------------------------------------------------- texts


def string_is_ascii(strings: Any) -> Any:
    """``pyarrow.compute.string_is_ascii``."""
    return _call("string_is_ascii", (strings,))


def match_substring_regex(strings: Any, pattern: str) -> Any:
    """``pyarrow.compute.match_substring_regex``: whether the regex ``pattern`` matches."""
    return _call("match_substring_regex", (strings,), MatchSubstringOptions(pattern))


def find_substring(strings: Any, pattern: str) -> Any:
    """``pyarrow.compute.find_substring``: where ``pattern`` first starts (-1: nowhere)."""
    return _call("find_substring", (strings,), MatchSubstringOptions(pattern))


def utf8_length(strings: Any) -> Any:
    """``pyarrow.compute.utf8_length``: each text's length in characters."""
    return _call("utf8_length", (strings,))


def binary_length(strings: Any) -> Any:
    """``pyarrow.compute.binary_length``: each text's length in bytes."""
    return _call("binary_length", (strings,))


def utf8_lpad(strings: Any, width: int, padding: str) -> Any:
    """``pyarrow.compute.utf8_lpad``: right-aligned in ``width`` characters of ``padding``."""
    return _call("utf8_lpad", (strings,), PadOptions(width, padding))


def utf8_rpad(strings: Any, width: int, padding: str) -> Any:
    """``pyarrow.compute.utf8_rpad``: left-aligned in ``width`` characters of ``padding``."""
    return _call("utf8_rpad", (strings,), PadOptions(width, padding))


def utf8_rtrim(strings: Any, characters: str) -> Any:
    """``pyarrow.compute.utf8_rtrim``: ``characters`` removed from each text's end."""
    return _call("utf8_rtrim", (strings,), TrimOptions(characters))


def binary_join(lists: Any, separator: str) -> Any:
    """``pyarrow.compute.binary_join``: each list's texts joined by ``separator``."""
    return _call("binary_join", (lists, separator))


def binary_join_element_wise(*strings: Any) -> Any:
    """``pyarrow.compute.binary_join_element_wise``: the texts (columns or one text each)
    joined row by row, the last argument between them (a null anywhere: null)."""
    return _call("binary_join_element_wise", strings)
