"""Plain-text tables whose columns line up with Korean and Japanese text, fitted to a terminal.

Widths are measured with wcwidth after NFC normalisation: Hangul typed as separate jamo (NFD,
as macOS file names give it) composes into syllables first, combining marks take no cell, East
Asian wide characters take two. A table wider than the terminal first wraps the headers of its
number columns that are wider than their numbers, at their words (``contribution_`` over
``score``), then wraps its text columns inside their cells (numbers are never cut); a table
written to a file or a pipe is never narrowed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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


def wrap(text: str, width: int) -> list[str]:
    """``text`` cut into pieces of at most ``width`` cells, at spaces where one is near."""
    text = unicodedata.normalize("NFC", text)
    # (printable ASCII, every piece of it too: a character a cell, display_width's own answer)
    size = len if text.isascii() and text.isprintable() else display_width
    lines: list[str] = []
    line = ""
    for ch in text:
        if size(line + ch) > width:
            if ch == " ":  # the space that does not fit is the break (no line starts with it)
                lines.append(line)
                line = ""
                continue
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


#: A header's words: after each run of underscores, and at spaces (which are dropped).
_HEADER_WORD = re.compile(r"[^ _]*_+|[^ _]+")


def header_words(header: str) -> list[tuple[str, str]]:
    """``header``'s words, each with what joins it to the word before (a space, or nothing
    after an underscore): ``contribution_score`` -> ``contribution_``, ``score``."""
    words: list[tuple[str, str]] = []
    for at, part in enumerate(header.split(" ")):
        words += [(w, " " if at and not k else "") for k, w in enumerate(_HEADER_WORD.findall(part))]
    return words


def header_floor(header: str) -> int:
    """The narrowest a number column may be for its header: its widest word."""
    return max((display_width(w) for w, _ in header_words(header)), default=0)


def header_lines(header: str, width: int) -> list[str]:
    """``header`` in lines of at most ``width`` cells, broken between its words (a word wider
    than that is cut as :func:`wrap` cuts it)."""
    header = unicodedata.normalize("NFC", header)
    if display_width(header) <= width:
        return [header]
    lines: list[str] = []
    line = ""
    for word, joint in header_words(header):
        if line and display_width(line + joint + word) <= width:
            line += joint + word
            continue
        if line:
            lines.append(line)
        pieces = wrap(word, width) if display_width(word) > width else [word]
        lines += pieces[:-1]
        line = pieces[-1]
    lines.append(line)
    return lines


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


def fit_widths(
    widths: list[int], numeric: Sequence[bool], limit: int | None, floors: Sequence[int] = ()
) -> list[int]:
    """Column widths that fit ``limit`` cells with their gaps: first each number column wider
    than its ``floors`` (its header wider than its numbers) down to it, the one with the most
    to give first, then the widest text column a cell at a time (numbers are never cut); as
    narrow as allowed when even that does not fit."""
    if limit is None:
        return widths
    fitted = list(widths)
    total = sum(fitted) + len(GAP) * (len(fitted) - 1)
    while total > limit and floors:
        spare = [i for i, w in enumerate(fitted) if numeric[i] and w > floors[i]]
        if not spare:
            break
        most = max(spare, key=lambda i: fitted[i] - floors[i])
        total -= fitted[most] - floors[most]
        fitted[most] = floors[most]  # (a header wraps whole words: any width between is no better)
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
    """:func:`render_table`, given to ``write`` a few hundred lines at a time, over rows read
    twice (``rows()`` starts them again): the places and widths of the columns, then the lines.
    Memory holds a batch of lines and bounded caches of the cells met, so a table of any length
    can be written from a file."""
    headers = [terminal_text(h) for h in headers]
    shape = measure(headers, numeric, rows()).shape().fitted(numeric, width)
    write(shape.head(headers, numeric))
    write_lines(rows(), shape, numeric, write)


@dataclass(frozen=True)
class Shape:
    """A table's column widths and the most places of each number column (by column index);
    ``floors``: the narrowest each number column may be (:func:`fit_widths`; none: as wide)."""

    widths: list[int]
    most: dict[int, int]
    floors: list[int] = field(default_factory=list)

    def fitted(self, numeric: Sequence[bool], limit: int | None) -> Shape:
        """The shape with its widths fitted to ``limit`` cells (:func:`fit_widths`)."""
        return Shape(fit_widths(self.widths, numeric, limit, self.floors), self.most, self.floors)

    def head(self, headers: Sequence[str], numeric: Sequence[bool]) -> str:
        """The header lines and the rule under them (``headers`` without control characters)."""
        lines = head_lines(headers, self.widths, numeric)
        return "".join(line + "\n" for line in lines) + GAP.join("-" * w for w in self.widths) + "\n"


def head_lines(headers: Sequence[str], widths: Sequence[int], numeric: Sequence[bool]) -> list[str]:
    """The header row's lines: each header broken between its words (:func:`header_lines`),
    a number column's set right."""
    pieces = [header_lines(h, w) for h, w in zip(headers, widths, strict=True)]
    height = max((len(p) for p in pieces), default=1)
    columns = list(zip(pieces, widths, numeric, strict=True))
    lines = (GAP.join(pad(p[k] if k < len(p) else "", w, n) for p, w, n in columns) for k in range(height))
    return [line.rstrip() for line in lines]


#: What :class:`_Measure` found over some rows, to merge with others' (:func:`merged`).
Found = tuple[list[int], list[int], list[int], list[int]]


def measure(headers: Sequence[str], numeric: Sequence[bool], rows: Iterable[Sequence[str]]) -> _Measure:
    """The places and widths of ``rows`` under ``headers`` (without control characters)."""
    found = _Measure(headers, numeric)
    for row in rows:
        found.add(_cleaned(row))
    return found


def merged(headers: Sequence[str], numeric: Sequence[bool], parts: Iterable[Found]) -> _Measure:
    """The measure of all the rows whose parts found ``parts`` (:meth:`_Measure.found`): the
    same as one pass over them all."""
    found = _Measure(headers, numeric)
    for part in parts:
        found.merge(part)
    return found


def write_lines(
    rows: Iterable[Sequence[str]], shape: Shape, numeric: Sequence[bool], write: Callable[[str], object]
) -> None:
    """The lines of ``rows`` in a table of ``shape``, to ``write`` a batch at a time."""
    lines = Liner(shape.widths, numeric, shape.most)
    batch: list[str] = []  # (rows given to write a batch at a time: one call per row costs)
    for row in rows:
        batch.append(lines.row(_cleaned(row)))
        if len(batch) >= _BATCH:
            write("".join(batch))
            batch.clear()
    if batch:
        write("".join(batch))


#: Rows' lines written together.
_BATCH = 512
#: Cells remembered per column before a cache starts again (names and scores repeat; ids do not).
_CACHE = 1 << 16


def _cleaned(row: Sequence[str]) -> Sequence[str]:
    """``row`` through :func:`terminal_text`; as it is when no cell holds a control character."""
    joined = "".join(row)
    if terminal_text(joined) == joined:
        return row
    return [terminal_text(cell) for cell in row]


def cell_size(cell: str, number: bool) -> tuple[int | None, int]:
    """A cell's places in a number column (None: not a number there) and its width."""
    return (_places(cell) if number else None, display_width(cell))


class _Measure:
    """The most places of each number column and each column's width as :func:`padded` would make
    it, in one pass. A number cell padded from ``have`` to ``want`` places grows by ``want - have``
    cells (and a dot when ``have`` is 0), so its padded width is known before ``want`` is."""

    def __init__(self, headers: Sequence[str], numeric: Sequence[bool]) -> None:
        self.count = len(headers)
        self.numeric = [index < len(numeric) and numeric[index] for index in range(self.count)]
        self.heads = [display_width(h) for h in headers]
        self.floors = [header_floor(h) for h in headers]  # (number columns' headers, by words)
        self.plain = [0] * self.count  # widths of cells that are never padded
        # Per column, -1 while no such number was met: the most places; the most (width - places)
        # of a number with places; the most width of a number without.
        self.places = [-1] * self.count
        self.fraction = [-1] * self.count
        self.whole = [-1] * self.count
        self.cache: list[dict[str, tuple[int | None, int]]] = [{} for _ in headers]

    def add(self, row: Sequence[str]) -> None:
        if len(row) != self.count:
            raise ValueError(f"a row of {len(row)} cells in a table of {self.count} columns")
        plain = self.plain
        for index, cell, number, cache in zip(range(self.count), row, self.numeric, self.cache, strict=True):
            if not number and cell.isascii() and cell.isprintable():
                if len(cell) > plain[index]:
                    plain[index] = len(cell)  # (an id: its width is its length, uncached)
                continue
            known = cache.get(cell)
            if known is None:
                known = cell_size(cell, number)
                if len(cache) >= _CACHE:
                    cache.clear()
                cache[cell] = known
            self.take(index, *known)

    def take(self, index: int, places: int | None, size: int) -> None:
        """Take in a cell of column ``index``: its places (None: not a number) and its width."""
        if places is None:
            if size > self.plain[index]:
                self.plain[index] = size
        elif places:
            if places > self.places[index]:
                self.places[index] = places
            if size - places > self.fraction[index]:
                self.fraction[index] = size - places
        else:
            if self.places[index] < 0:
                self.places[index] = 0
            if size > self.whole[index]:
                self.whole[index] = size

    def found(self) -> Found:
        """What was found, without the caches (for :func:`merged`)."""
        return list(self.plain), list(self.places), list(self.fraction), list(self.whole)

    def merge(self, found: Found) -> None:
        """Take in what another pass found (over other rows of the same columns)."""
        for mine, theirs in zip((self.plain, self.places, self.fraction, self.whole), found, strict=True):
            if len(theirs) != self.count:
                raise ValueError(f"a measure of {len(theirs)} columns in a table of {self.count}")
            mine[:] = [max(a, b) for a, b in zip(mine, theirs, strict=True)]

    def shape(self) -> Shape:
        """The widths and places found (not fitted to a terminal), and the narrowest each
        number column may be: its cells, and its header's widest word."""
        widths, cells = self.widths(), self.widths(header=False)
        floors = [
            max(f, c) if number else w
            for f, c, w, number in zip(self.floors, cells, widths, self.numeric, strict=True)
        ]
        return Shape(widths, self.most, floors)

    @property
    def most(self) -> dict[int, int]:
        """The most places of each number column that has a number (:func:`most_places`)."""
        return {index: places for index, places in enumerate(self.places) if places >= 0}

    def widths(self, header: bool = True) -> list[int]:
        """Each column's width: its header (unless not ``header``), its text cells, its
        numbers padded to ``most``."""
        out = [max(h, p) for h, p in zip(self.heads, self.plain, strict=True)] if header else list(self.plain)
        for index, want in self.most.items():
            if self.fraction[index] >= 0:
                out[index] = max(out[index], self.fraction[index] + want)
            if self.whole[index] >= 0:
                out[index] = max(out[index], self.whole[index] + (want + 1 if want else 0))
        return out


class Liner:
    """A row's lines: each cell padded (:func:`padded`), NFC, aligned in its column, remembered
    per column; a row with a cell to wrap is written by :func:`_lines`."""

    def __init__(self, widths: Sequence[int], numeric: Sequence[bool], most: Mapping[int, int]) -> None:
        self.widths = widths
        self.numeric = numeric
        self.most = most
        self.columns = [(w, num, most.get(i)) for i, (w, num) in enumerate(zip(widths, numeric, strict=True))]
        self.cache: list[dict[str, str | None]] = [{} for _ in widths]

    def row(self, row: Sequence[str]) -> str:
        parts: list[str] = []
        for cell, (width, number, want), cache in zip(row, self.columns, self.cache, strict=True):
            if not number and want is None and len(cell) <= width and cell.isascii() and cell.isprintable():
                parts.append(cell + " " * (width - len(cell)))  # (an id: as pad makes it, uncached)
                continue
            part = cache.get(cell, "")
            if part == "":
                part = aligned(cell, width, number, want)
                if len(cache) >= _CACHE:
                    cache.clear()
                cache[cell] = part
            if part is None:
                return "".join(
                    line + "\n" for line in _lines(padded(row, self.most), self.widths, self.numeric)
                )
            parts.append(part)
        return GAP.join(parts).rstrip() + "\n"


def aligned(cell: str, width: int, number: bool, want: int | None) -> str | None:
    """``cell`` as :func:`_lines` sets it in one line (padded, NFC, aligned); None: it wraps."""
    if want is not None:
        cell = padded([cell], {0: want})[0]
    cell = unicodedata.normalize("NFC", cell)
    if not number and display_width(cell) > width:
        return None
    return pad(cell, width, number)


def _lines(cells: Sequence[str], widths: Sequence[int], numeric: Sequence[bool]) -> list[str]:
    """One table row as one line, or several when a cell wraps (every cell NFC, as measured)."""
    cells = [unicodedata.normalize("NFC", c) for c in cells]
    pieces = [
        [c] if display_width(c) <= w or num else wrap(c, w)
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
