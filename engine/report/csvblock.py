"""CSV result lines of a whole block of employees at once, from exact columns (the columnar
plan's scaled integers), byte for byte what :func:`engine.report.results.flat_row` and the
report's CSV writer write for each of them.

Only what is surely written the same way is written here: an id or a name that needs no CSV
quoting and no spreadsheet guard, a number that needs no rounding to be shown with its
column's places and rounding (not negative: no sign, no guard), a grade or points that need no guard. Every
other line is left to the caller (``plain`` False), who writes it through the report's own row
function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

import engine.arrowcompute as ac
from engine.evaluate import RunOutcome
from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar.numbers import Num
from engine.report.columns import NO_BAND, result_columns
from engine.report.safety import GUARD_STARTS, spreadsheet_cell

#: Characters that make the CSV writer quote a cell (or may: NUL).
_QUOTED_CHARS = ',"\r\n\x00'
#: The same, and a cell the spreadsheet guard may change, as Arrow's (RE2) patterns.
_QUOTED = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _QUOTED_CHARS) + "]"
_GUARDED = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(GUARD_STARTS)) + "]"
#: Places a quantized Decimal shows without an exponent (``str`` turns to 1E-7 beyond).
_MAX_PLACES = 6


@dataclass(frozen=True)
class _Spec:
    kind: int  # 0 a formula value, 1 a grade, 2 its points, 3 empty (flat_plan's kinds)
    index: int
    places: int = 0
    mode: str = ""
    shown: Callable[[Any], str] | None = None


#: One grade table's codes per employee and what a code gives: (grade or None, points).
Grades = tuple[Any, Mapping[int, tuple[Any, Any]]]


@dataclass(frozen=True)
class BlockLines:
    """Builds the lines; see :func:`block_lines`."""

    specs: tuple[_Spec, ...]

    def __call__(
        self,
        ids: pa.Array,
        names: pa.Array | None,
        values: Sequence[tuple[Any, Any]],
        grades: Sequence[Grades],
    ) -> tuple[pa.Array, Any]:
        """Each employee's line (with its ``\\n``) and whether it is written as the report's
        writer writes it (``plain``); ``values``: each employee formula's (numerators,
        denominators: powers of ten); ``names`` stripped (None: no name column)."""
        n = len(ids)
        plain = _safe(ids)
        cells = [ids]
        if names is None:
            cells.append(pa.array([""] * n, pa.string()))
        else:
            plain &= _safe(names)
            cells.append(names)
        for spec in self.specs:
            if spec.kind == 0:
                text, ok = _number(*values[spec.index], spec.places, spec.mode)
            elif spec.kind == 3:
                text, ok = pa.array([""] * n, pa.string()), np.ones(n, bool)
            else:
                codes, graded = grades[spec.index]
                text, ok = _coded(codes, graded, spec)
            cells.append(text)
            plain &= ok
        line = ac.binary_join_element_wise(*cells, ",")
        return ac.binary_join_element_wise(line, pa.array([""] * n, pa.string()), "\n"), plain


def block_lines(outcome: RunOutcome) -> BlockLines | None:
    """The block writer of ``outcome``'s CSV result rows, or None where a column is beyond it
    (a value shown without declared places, or with more than six)."""
    from engine.report.rows import flat_plan

    plan = flat_plan(outcome)
    if plan is None:
        return None
    specs = []
    for (kind, index, shown), column in zip(plan, result_columns(outcome), strict=True):
        if kind == 0:
            rounding = column.rounding
            if column.kind != "number" or rounding is None or not 0 <= rounding.places <= _MAX_PLACES:
                return None
            specs.append(_Spec(0, index, rounding.places, rounding.mode))
        else:
            specs.append(_Spec(kind, index, shown=shown))
    return BlockLines(tuple(specs))


def _number(num: Any, den: Any, places: int, mode: str) -> tuple[pa.Array, Any]:
    """``num / den`` (exact) shown with ``places`` decimals, rounded by the column's ``mode``,
    as ``str(Decimal.quantize)`` shows it; a negative value is left out (its sign, the guard)."""
    n = len(num)
    rounded = nb.round_to(Num(num, den, np.zeros(n, bool), np.zeros(n, bool)), places, mode)
    ok = (num >= 0) & ~rounded.bad
    scaled = np.where(ok, rounded.num, 0)
    unit = 10**places
    whole = ac.cast(scaled // unit, pa.string())
    if places == 0:
        return whole, ok
    fraction = ac.utf8_lpad(ac.cast(scaled % unit, pa.string()), places, "0")
    return ac.binary_join_element_wise(whole, fraction, "."), ok


def _coded(codes: Any, graded: Mapping[int, tuple[Any, Any]], spec: _Spec) -> tuple[pa.Array, Any]:
    """A grade (kind 1) or its points (kind 2) per employee, from the texts of its codes."""
    keys = sorted(graded)
    texts = []
    for key in keys:
        grade, points = graded[key]
        if spec.kind == 1:
            texts.append(NO_BAND if grade is None else str(grade))
        else:
            assert spec.shown is not None
            texts.append(spec.shown(points))
    allowed = np.array([_safe_text(t) for t in texts], bool)
    index = np.searchsorted(np.array(keys), codes)
    dictionary = pa.DictionaryArray.from_arrays(ac.array_of(index, pa.int32()), pa.array(texts, pa.string()))
    return ac.cast(dictionary, pa.string()), allowed[index]


def _safe_text(text: str) -> bool:
    quoted = any(c in text for c in _QUOTED_CHARS)
    return not quoted and spreadsheet_cell(text) == text


def _safe(cells: pa.Array) -> Any:
    quoted = _np(ac.match_substring_regex(cells, _QUOTED))
    guarded = _np(ac.match_substring_regex(cells, _GUARDED))
    return ~(quoted | guarded)


def _np(array: Any) -> Any:
    return np.asarray(array.to_numpy(zero_copy_only=False), bool)
