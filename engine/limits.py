"""What the readers accept: every bound on an input file, in one place, and the one form of text.

A file past a bound is refused with one line that names the bound (never a ``MemoryError`` or a
run that does not end); ``docs/records.md`` ("Limits") lists them for users. The bounds are far
above any real population: 100,000 employees with 5-8 goals each is an 89 MB CSV file.

:func:`regular_file` is the one check every reader makes before it opens a path: a FIFO would
block ``open`` for ever, a device may never end, a directory cannot be read. The table readers
(CSV and Excel) share :func:`check_table_size` and :func:`bounded_rows`. :func:`nfc` is the one
Unicode normalisation every reader applies to the text it reads.
"""

from __future__ import annotations

import itertools
import math
import os
import stat
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from engine.errors import DataError, UsageError

# -- YAML (policies, and YAML records and data files): parsed whole, in Python ----------------
# (A records file read an employee at a time, engine/io/streaming.py, is held to
# MAX_TABLE_BYTES instead, and MAX_YAML_NODES counts per employee: its memory does not grow.)

#: Largest YAML file read whole (the file's size, checked before reading).
MAX_YAML_BYTES = 2 * 1024 * 1024
#: Most nodes a YAML document may build, alias expansions included (the "billion laughs").
MAX_YAML_NODES = 200_000
#: Deepest nesting of mappings and sequences in YAML, alias expansions included.
MAX_YAML_DEPTH = 100
#: Longest numeral read as a number (YAML scalars, record values given as text).
MAX_NUMBER_CHARS = 100
#: Largest decimal exponent, either sign, of a number read from any file (``1e400`` is refused).
MAX_EXPONENT = 100

# -- records tables and JSON --------------------------------------------------------------------

#: Largest CSV or ``.xlsx`` file, or JSON or YAML records or ``pay`` file read an employee at a time
#: (streamed, so this bounds time rather than memory: a
#: million japan_mbo employees with their goal lines are 1.08 GB; a workbook is also held to
#: :data:`MAX_XLSX_UNCOMPRESSED`).
MAX_TABLE_BYTES = 4 * 1024 * 1024 * 1024
#: Largest JSON records file parsed whole, taking about 5 times its size in memory.
MAX_JSON_BYTES = 256 * 1024 * 1024
#: Most rows in a CSV file or a sheet (Excel itself stops at 1,048,576). CSV is streamed, so this
#: bounds time, not memory: a million kumho employees are 11.3 million rows (9-15 item lines each).
MAX_ROWS = 50_000_000
#: Most columns in a row of a table (Excel itself stops at 16,384; a policy declares a few dozen).
MAX_COLUMNS = 1_000
#: Longest text in one cell or value, in characters: Excel's own limit for a cell.
MAX_CELL_CHARS = 32_767

# -- .xlsx workbooks (zip archives of XML), checked before any part is inflated -----------------

#: Most bytes all parts of a workbook may inflate to.
MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024
#: Largest inflation ratio of one part (the zip-bomb test of Apache POI: 1 byte to 100).
MAX_ZIP_RATIO = 100
#: Parts smaller than this inflated are not held to the ratio (tiny XML parts compress well).
ZIP_RATIO_FLOOR = 1024 * 1024
#: Most bytes of XML one row of a sheet may take: the parser holds a row whole until it ends.
MAX_ROW_XML_BYTES = 4 * 1024 * 1024

# -- time, for every reader ---------------------------------------------------------------------

#: Most seconds a reader may spend on one file (CSV and sheet rows, YAML events, JSON objects),
#: checked as it reads; the environment variable ``HRPOLICY_MAX_READ_SECONDS`` raises it for a
#: huge legitimate file. Far above a real file: 100,000 employees in CSV are read in seconds.
#: Only the reader's own time counts: when a table is streamed, the time its rows spend being
#: checked, evaluated and written between two reads is not reading (see :func:`bounded_rows`).
MAX_READ_SECONDS = 600
#: The environment variable that overrides :data:`MAX_READ_SECONDS` (a number of seconds).
_READ_SECONDS_VARIABLE = "HRPOLICY_MAX_READ_SECONDS"
_CHECK_EVERY = 256  # calls between two readings of the clock (the first call reads it)
#: Rows a table reader reads at a time, those reads timed (small: the rows are still in the
#: processor's cache when they are checked).
_BATCH = 32

#: The clock the read-time bound reads (a test sets a fake one).
clock: Callable[[], float] = time.monotonic

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def regular_file(path: str | os.PathLike[str], display: str | None = None) -> int:
    """The size of ``path`` if it is a regular file (or a link to one); else :class:`UsageError`.

    Decided by ``os.stat`` without opening the file, so a FIFO is refused at once instead of
    blocking the reader; the message names what the path is.
    """
    name = display if display is not None else os.fspath(path)
    try:
        status = os.stat(path)
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISREG(status.st_mode):
        return status.st_size
    kind = next((what for test, what in _KINDS if test(status.st_mode)), "not a regular file")
    raise UsageError(f"{name}: is {kind}, not a regular file")


def check_table_size(path: str, display: str) -> None:
    """Refuse a path that is not a regular file, or a file over :data:`MAX_TABLE_BYTES`."""
    size = regular_file(path, display)
    if size > MAX_TABLE_BYTES:
        raise DataError(too_big(display, size, MAX_TABLE_BYTES, "a table"))


def read_seconds() -> float:
    """The read-time bound in seconds: ``HRPOLICY_MAX_READ_SECONDS`` if set, else
    :data:`MAX_READ_SECONDS`; a value that is not a positive number is a :class:`UsageError`."""
    text = os.environ.get(_READ_SECONDS_VARIABLE, "").strip()
    if not text:
        return MAX_READ_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise UsageError(f"{_READ_SECONDS_VARIABLE}={text!r}: not a positive number of seconds")
    return seconds


class Deadline:
    """The time bound of reading one file, checked cooperatively inside the reader's loop.

    Only reading counts. A reader that does nothing but read (YAML events, JSON objects) asks
    :meth:`expired`, which compares the time since the deadline was made; :func:`bounded_rows`
    times its own reads instead and adds them up (:meth:`spend`), so that the time a streamed
    table's consumer takes between two reads (checking, evaluating, writing) never counts.
    """

    def __init__(self, display: str) -> None:
        self.display = display
        self.seconds = read_seconds()
        self._start = clock()
        self._calls = 0
        self.spent = 0.0  # seconds counted by spend()

    def expired(self) -> bool:
        """True once reading has taken longer than the bound since the deadline was made (seen
        at a clock reading: the first call reads the clock, then one call in 256)."""
        self._calls += 1
        return self._calls % _CHECK_EVERY == 1 and clock() - self._start >= self.seconds

    def pause(self, seconds: float) -> None:
        """Do not count ``seconds`` the reader spent waiting for its consumer (a streamed
        file's items are checked, evaluated and written between two reads)."""
        self._start += seconds

    def check(self) -> None:
        """Raise the bound's one-line :class:`DataError` once :meth:`expired`."""
        if self.expired():
            raise DataError(f"{self.display}: {self.reason()}")

    def spend(self, seconds: float) -> None:
        """Count ``seconds`` of reading; raise the bound's :class:`DataError` once the reading
        counted reaches the bound."""
        self.spent += seconds
        if self.spent >= self.seconds:
            raise DataError(f"{self.display}: {self.reason()}")

    def reason(self) -> str:
        """What was hit, without the file's name (a YAML diagnostic has its own location)."""
        seconds = f"{self.seconds:g}"
        return (
            f"still reading after {seconds} seconds, the limit for reading one file "
            f"(MAX_READ_SECONDS); set {_READ_SECONDS_VARIABLE} to allow more"
        )


def bounded_rows(rows: Iterable[tuple[int, list[Any]]], display: str) -> Iterator[tuple[int, list[Any]]]:
    """``rows`` (numbered), stopped with one :class:`DataError` line at the first one past
    :data:`MAX_ROWS`, :data:`MAX_COLUMNS` or :data:`MAX_READ_SECONDS` (CSV and Excel alike).

    The rows are read 32 at a time and those reads timed (two clock readings a batch): the
    read-time bound counts them only, not what the consumer does with the rows in between. A
    failure of the reader comes after the rows read before it, as it would row by row.
    """
    max_rows, max_columns = MAX_ROWS, MAX_COLUMNS
    deadline = Deadline(display)
    reading = iter(rows)
    while True:
        started = clock()
        batch, failure = _batch(reading)
        deadline.spend(clock() - started)
        for number, row in batch:
            if number > max_rows:
                too_many = f"{display}: more than {max_rows} rows (the limit for a table); split the file"
                raise DataError(too_many)
            if len(row) > max_columns:
                raise DataError(
                    f"{display}: row {number} has {len(row)} columns, over the limit of {max_columns}"
                )
            yield number, row
        if failure is not None:
            raise failure
        if len(batch) < _BATCH:
            return


def _batch(reading: Iterator[tuple[int, list[Any]]]) -> tuple[list[tuple[int, list[Any]]], Exception | None]:
    """The next rows of ``reading`` (up to 32), and the error that stopped reading them, if any."""
    batch: list[tuple[int, list[Any]]] = []
    try:
        for item in itertools.islice(reading, _BATCH):
            batch.append(item)
    except Exception as exc:  # raised by bounded_rows after the rows read before it
        return batch, exc
    return batch, None


def too_big(name: str, size: int, limit: int, what: str) -> str:
    """The message for a file over a size bound."""
    return f"{name}: the file is {size} bytes, over the limit of {limit} bytes for {what}"


def cell_too_long(name: str, row: int) -> str:
    """The message for a table cell over :data:`MAX_CELL_CHARS` (CSV and Excel alike)."""
    return (
        f"{name}: row {row}: a cell is longer than {MAX_CELL_CHARS} characters "
        "(the limit for one cell, as in Excel)"
    )


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C.

    Hangul saved decomposed (NFD, as macOS file systems and some editors do) then equals the
    composed text of a policy written elsewhere: '정량' is one enum value, 'E001' one id, in any
    form. Every reader passes the text it reads through here; ASCII (most of it) costs one check.
    """
    return text if text.isascii() else unicodedata.normalize("NFC", text)
