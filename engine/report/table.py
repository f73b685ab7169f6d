"""Plain-text tables whose columns line up with Korean and Japanese text, fitted to a terminal.

Widths are measured with wcwidth after NFC normalisation: Hangul typed as separate jamo (NFD,
as macOS file names give it) composes into syllables first, combining marks take no cell, East
Asian wide characters take two. A table wider than the terminal wraps its text columns inside
their cells (numbers are never cut); a table written to a file or a pipe is never narrowed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from wcwidth import wcswidth, wcwidth

from engine.report.safety import terminal_text

GAP = "  "
#: Text columns are not narrowed below this many cells.
MIN_TEXT_WIDTH = 6


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes (NFC first; wide characters two, combining marks none)."""
    if text.isascii() and text.isprintable():
        return len(text)  # (most cells: ids, numbers, grades) one cell a character
    text = unicodedata.normalize("NFC", text)
    width = wcswidth(text)
    if width >= 0:
        return width
    # A control character: count the printable rest as wcwidth does, each control as none.
    return sum(max(wcwidth(ch), 0) for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def _wrap(text: str, width: int) -> list[str]:
    """``text`` cut into pieces of at most ``width`` cells, at spaces where one is near."""
    text = unicodedata.normalize("NFC", text)
    lines: list[str] = []
    line = ""
    for ch in text:
        if display_width(line + ch) > width:
            space = line.rfind(" ")
            if space > 0:
                lines.append(line[:space])
                line = line[space + 1 :]
            else:
                lines.append(line)
                line = ""
        line += ch
    lines.append(line)
    return lines or [""]


def _places(text: str) -> int | None:
    """Decimal places of a plain number's text (``67.5`` -> 1, ``90`` -> 0); None: not a number."""
    body = text[1:] if text[:1] in "+-" else text
    whole, dot, fraction = body.partition(".")
    if not (whole.isdigit() or (dot and not whole)) or (fraction and not fraction.isdigit()):
        return None
    return len(fraction)


def most_places(rows: Iterable[Sequence[str]], columns: Sequence[bool]) -> dict[int, int]:
    """The most decimal places any number cell of each number column has (by column index)."""
    most: dict[int, int] = {}
    for row in rows:
        for index, cell in enumerate(row):
            if index < len(columns) and columns[index]:
                places = _places(cell)
                if places is not None:
                    most[index] = max(most.get(index, 0), places)
    return most


def padded(row: Sequence[str], most: Mapping[int, int]) -> list[str]:
    """``row`` with each number padded with zeros to its column's ``most`` places."""
    cells = list(row)
    for index, want in most.items():
        if index < len(cells):
            have = _places(cells[index])
            if have is not None and have < want:
                cells[index] += ("" if have else ".") + "0" * (want - have)
    return cells


def pad_places(rows: Sequence[Sequence[str]], columns: Sequence[bool]) -> list[list[str]]:
    """Rows whose number columns show one number of places: each number padded with zeros to
    the most places any cell of its column has (``761.5`` beside ``859.00`` reads ``761.50``).
    Never rounds; text cells and empty cells stay as they are."""
    most = most_places(rows, columns)
    return [padded(row, most) for row in rows]


def fit_widths(widths: list[int], numeric: Sequence[bool], limit: int | None) -> list[int]:
    """Column widths that fit ``limit`` cells with their gaps, narrowing the widest text column
    first (numbers keep theirs); as narrow as allowed when even that does not fit."""
    if limit is None:
        return widths
    fitted = list(widths)
    total = sum(fitted) + len(GAP) * (len(fitted) - 1)
    while total > limit:
        text = [i for i, w in enumerate(fitted) if not numeric[i] and w > MIN_TEXT_WIDTH]
        if not text:
            break
        widest = max(text, key=lambda i: fitted[i])
        fitted[widest] -= 1
        total -= 1
    return fitted


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    width: int | None = None,
) -> str:
    """Headers, a rule, and rows; numeric columns right-aligned with one number of places each
    (:func:`pad_places`); fitted to ``width`` cells if given; control characters removed (a name
    may hold a terminal escape sequence)."""
    lines: list[str] = []
    write_table(headers, lambda: rows, numeric, width, lines.append)
    return "".join(lines)


def write_table(
    headers: Sequence[str],
    rows: Callable[[], Iterable[Sequence[str]]],
    numeric: Sequence[bool],
    width: int | None,
    write: Callable[[str], object],
) -> None:
    """:func:`render_table`, given to ``write`` a line at a time, over rows read three times
    (``rows()`` starts them again): the places of each number column, the column widths, then
    the lines. Memory holds one row, so a table of any length can be written from a file."""
    headers = [terminal_text(h) for h in headers]

    def cleaned() -> Iterator[list[str]]:
        return ([terminal_text(cell) for cell in row] for row in rows())

    most = most_places(cleaned(), numeric)
    widths = [display_width(h) for h in headers]
    for row in cleaned():
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, padded(row, most), strict=True)]
    widths = fit_widths(widths, numeric, width)
    for line in _lines(headers, widths, numeric):
        write(line + "\n")
    write(GAP.join("-" * w for w in widths) + "\n")
    for row in cleaned():
        for line in _lines(padded(row, most), widths, numeric):
            write(line + "\n")


def _lines(cells: Sequence[str], widths: Sequence[int], numeric: Sequence[bool]) -> list[str]:
    """One table row as one line, or several when a cell wraps (every cell NFC, as measured)."""
    cells = [unicodedata.normalize("NFC", c) for c in cells]
    pieces = [
        [c] if display_width(c) <= w or num else _wrap(c, w)
        for c, w, num in zip(cells, widths, numeric, strict=True)
    ]
    height = max(len(p) for p in pieces) if pieces else 1
    out = []
    for k in range(height):
        parts = [
            pad(p[k] if k < len(p) else "", w, num) for p, w, num in zip(pieces, widths, numeric, strict=True)
        ]
        out.append(GAP.join(parts).rstrip())
    return out
