"""What leaves the program is inert: spreadsheet cells cannot run, terminal text cannot steer.

Every CSV writer writes through :func:`csv_writer` (or :class:`DictCsv`): a text cell that a
spreadsheet would run as a formula gets a leading ``'``, as OWASP's "CSV Injection" page
advises. Every line for a terminal goes through :func:`terminal_text`: control characters
(escape sequences that set the window title, clear the screen, move the cursor) are removed.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Protocol

#: Characters that make a spreadsheet read a cell as a formula (and their full-width forms,
#: which some spreadsheets fold to ASCII). Tab and carriage return count too: trimming a cell
#: turns "\t=1+1" into a formula.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
_SUSPECT = FORMULA_STARTS | frozenset(" \n\x0b\x0c\u3000")
#: The first characters of the cells :func:`spreadsheet_cell` may change (any other is kept).
GUARD_STARTS = _SUSPECT
#: A plain number (-5, +1.5, -1e3): a spreadsheet reads it as a number, never as a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: C0 controls but tab and newline, DEL, C1 controls (U+009B is a one-character escape), and
#: the bidirectional overrides and isolates that reorder what a line appears to say.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_RAW: ContextVar[bool] = ContextVar("raw_cells", default=False)


@contextlib.contextmanager
def raw_cells(enabled: bool = True) -> Iterator[None]:
    """Within the block, CSV writers write cells exactly as computed (``--raw-cells``)."""
    token = _RAW.set(enabled)
    try:
        yield
    finally:
        _RAW.reset(token)


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet opens without running it.

    Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (also after
    leading spaces) gets a leading ``'``, unless it is a plain number: ``-5`` stays ``-5``.
    Numbers and other values are returned unchanged.
    """
    if type(value) is not str or value[:1] not in _SUSPECT:
        return value
    stripped = value.lstrip(" \n\x0b\x0c\u3000")
    if stripped[:1] in FORMULA_STARTS or value[:1] in FORMULA_STARTS:
        if _NUMBER.fullmatch(stripped.strip()):
            return value
        return "'" + value
    return value


class _RowWriter(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class CsvWriter:
    """``csv.writer`` (``\\n`` line ends) whose cells pass :func:`spreadsheet_cell` first."""

    def __init__(self, out: Any) -> None:
        self._writer: _RowWriter = csv.writer(out, lineterminator="\n")
        self._raw = _RAW.get()

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(row if self._raw else [spreadsheet_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any) -> CsvWriter:
    """The CSV writer every report uses."""
    return CsvWriter(out)


class DictCsv:
    """``csv.DictWriter`` over :class:`CsvWriter`: missing keys are empty, unknown keys refused."""

    def __init__(self, out: Any, fieldnames: Sequence[str]) -> None:
        self._writer = CsvWriter(out)
        self._fields = list(fieldnames)
        self._known = frozenset(fieldnames)

    def writeheader(self) -> None:
        self._writer.writerow(self._fields)

    def writerow(self, row: Mapping[str, Any]) -> None:
        unknown = row.keys() - self._known
        if unknown:
            raise ValueError(f"fields not in the header: {sorted(unknown)}")
        self._writer.writerow(["" if row.get(f) is None else row[f] for f in self._fields])

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def terminal_text(text: str) -> str:
    """``text`` without control characters but tab and newline, safe to print to a terminal."""
    return _CONTROL.sub("", text)
