"""CSV files: UTF-8 text (with or without a byte-order mark), read as numbered rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from engine.errors import DataError


def _first_bad_line(path: str) -> tuple[int, int]:
    """Line number and first byte of the line that is not UTF-8 (only run when decoding failed)."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, line[exc.start]
    return 0, 0


def read_csv_rows(path: str, display: str) -> Iterator[tuple[int, list[str]]]:
    """Rows numbered from 1 (the header is row 1), streamed so that big files stay small in memory.

    Row numbers count CSV records, which are lines unless a quoted cell spans lines.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from enumerate(csv.reader(handle), start=1)
    except UnicodeDecodeError:
        line, byte = _first_bad_line(path)
        raise DataError(
            f"{display}: line {line} is not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8')"
        ) from None
    except csv.Error as exc:
        raise DataError(f"{display}: not a readable CSV table: {exc}") from None
    except OSError as exc:
        raise DataError(f"{display}: cannot read the file: {exc.strerror}") from None
