"""A worksheet's rows read straight from its XML, as openpyxl's read-only sheet gives them.

openpyxl parses every cell through ElementTree, a Python call for each event, then makes a dict
and a cell object of it (about 11 us a cell: 68 s for 100,000 japan employees, six goal lines
of 25 cells each). Most sheets are written in a handful of plain forms: ``<row r="2">`` holding
``<c r="A2" s="1" t="s"><v>0</v></c>`` cells (Excel), inline strings
``<c r="A2" t="inlineStr"><is><t>E1</t></is></c>`` (openpyxl's write-only mode and other
exporters), formulas with their saved result. :func:`plain_rows` reads rows of those forms with
a few regular expressions over the decoded XML, and gives exactly the values
:func:`engine.io.xlsxfile._rows` makes of openpyxl's cells: the same rows in the same order
(a row number skipped is an empty row, a row numbered below one already read is dropped, a row
as long as its last cell), the same conversions (shared strings, numbers, booleans, dates by
the cell's style, percent styles, a formula without a saved value).

Anything else (a prefixed namespace, a comment, CDATA, an entity it does not know, a carriage
return in a text, a rich text run, an attribute or element it does not know, text that is not
UTF-8, a row past the per-row limit) raises :class:`Unread` before that row is given: the caller
reads on from there with openpyxl, which gives its answer or its error (tests/test_sheetrows.py
holds the two readers to the same rows over generated workbooks).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import engine.limits as limits
from engine.io.cells import NoCachedValue, PercentCell

#: The namespace of a worksheet's own elements.
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Bytes of the sheet's XML inflated at a time (as ElementTree's parser reads it: a progress
#: bar follows the rows as closely).
BLOCK = 1 << 14
#: Text before the sheet's data, or after it, read here at most (else openpyxl reads the sheet).
AROUND = 1 << 24

_ROOT = re.compile(r'<worksheet\b[^>]*\sxmlns="([^"]*)"')
_DATA = re.compile(r"<sheetData\s*(/?)>")
_ROW = re.compile(r'\s*<row((?:\s+[\w:]+="[^"&<]*")*)\s*(/?)>')
_DATA_END = re.compile(r"\s*</sheetData>")
_DECLARED = re.compile(r'<\?xml[^>]*\sencoding="([^"]*)"')
_ROW_NUMBER = re.compile(r'\sr="([0-9]+)"')
_ROW_ATTRIBUTE = re.compile(r'\s([\w:]+)="')
_CELL = re.compile(r'\s*<c((?:\s+[\w:]+="[^"&<]*")*)\s*(?:/>|>(.*?)</c>)', re.S)
_ATTRIBUTE = re.compile(r'\s([\w:]+)="([^"]*)"')
_COORDINATE = re.compile(r"([A-Z]{1,3})([1-9][0-9]*)")
#: A cell's content: a formula (whole or empty), then its value, in the forms openpyxl writes
#: and Excel saves; an inline string's one plain ``t``.
#: (White space between the elements, as a pretty-printed sheet has it, is no text of theirs.)
_CONTENT = re.compile(
    r'\s*(?:<f(?:\s+[\w:]+="[^"<]*")*\s*(?:/>|>[^<]*</f>)\s*)?'
    r"(?:<v>([^<]*)</v>\s*|<v\s*/>\s*)?",
)
_INLINE = re.compile(r'\s*<is>\s*<t(?:\s+[\w:]+="[^"<]*")*\s*(?:/>|>([^<]*)</t>)\s*</is>\s*')
_FORMULA_START = "<f"
#: Text read as it stands: no entity, no carriage return, no character XML refuses.
_PLAIN = "[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*"
#: The commonest cells: ``r``, ``s`` and ``t`` in that order, then nothing, a value or a plain
#: inline string (groups: column letters, style, type, content, value, inline text).
_COMMON_CELL = re.compile(
    r'<c r="([A-Z]{1,3})[1-9][0-9]*"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?'
    rf"(?:/>|>(<v>({_PLAIN})</v>|<is><t>({_PLAIN})</t></is>)?</c>)"
)
_COMMON_ROW = re.compile(f"(?:{_COMMON_CELL.pattern})*")
#: Texts a :class:`Book` remembers before it starts again.
_TEXTS = 1 << 14
#: Not in a cache (None is a value there).
_UNSEEN = object()
#: Column letters to numbers, as met.
_COLUMNS: dict[str, int] = {}
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
#: Characters XML 1.0 does not allow in a document (the parser refuses them): C0 controls but
#: tab, line feed and carriage return (a carriage return is read as a line's end: not here).
_NOT_PLAIN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_KNOWN_CELL_ATTRIBUTES = frozenset({"r", "s", "t", "cm", "vm", "ph"})
_TYPES = frozenset({"n", "s", "str", "b", "e", "inlineStr", "d"})
#: The largest column Excel has (XFD).
MAX_COLUMN = 16384


class Unread(Exception):
    """The sheet holds something read here otherwise than openpyxl might: read on with it."""


class Book:
    """What of a workbook a cell's value needs: its shared strings, date and percent styles,
    date system (openpyxl's, read when it opened the workbook)."""

    def __init__(self, book: Any, sheet: Any, percent: frozenset[int]) -> None:
        self.strings: Any = sheet._shared_strings  # (the reader's: the workbook's own is empty)
        self.dates: Any = book._date_formats
        self.durations: Any = book._timedelta_formats
        self.epoch: Any = book.epoch
        self.percent = percent
        #: Each text met (bounded), as the reader shows it: names, kinds, categories repeat.
        self.texts: dict[str, Any] = {}
        #: Each other value met, by its text, type and style (bounded), as the reader shows it.
        self.values: dict[tuple[str, str, str], Any] = {}

    def text(self, raw: str, value: Callable[[Any], Any]) -> Any:
        """``value(raw)`` of a text cell, remembered."""
        shown = self.texts.get(raw)
        if shown is None:
            shown = value(raw)
            if len(self.texts) >= _TEXTS:
                self.texts.clear()
            self.texts[raw] = shown
        return shown

    def shown(self, saved: str, kind: str, style: str, value: Callable[[Any], Any]) -> Any:
        """A cell's saved value (its text, entities replaced) of type ``kind`` in style
        ``style`` (digits, or empty) as the reader shows it: a text through :meth:`text`, any
        other value remembered by its text, type and style (numbers repeat: weights, steps,
        targets). Raises :class:`Unread` where openpyxl reads it with an error or a warning."""
        if kind == "s" or kind == "str" or kind == "e":
            try:
                text = self.strings[int(saved)] if kind == "s" else saved
            except (ValueError, IndexError):
                raise Unread("a shared string openpyxl reads with an error") from None
            return self.text(text, value) if type(text) is str else value(text)
        key = (saved, kind, style)
        shown = self.values.get(key, _UNSEEN)
        if shown is _UNSEEN:
            try:
                found = _saved(saved, kind, int(style) if style else 0, self)
            except (ValueError, IndexError, TypeError, OverflowError):
                raise Unread("a value openpyxl reads with an error or a warning") from None
            shown = found if type(found) is PercentCell else value(found)
            if len(self.values) >= _TEXTS:
                self.values.clear()
            self.values[key] = shown
        return shown


def plain_rows(
    source: IO[bytes], book: Book, value: Callable[[Any], Any], told: Callable[[int], None] | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's rows from its XML ``source`` (a binary stream), numbered from 1 as
    ``enumerate(sheet.iter_rows(), start=1)`` numbers them, each cell through ``value`` (the
    reader's :func:`~engine.io.xlsxfile.cell_value`) unless it is None, a percent or a formula
    without a saved value. Raises :class:`Unread` before a row it does not read as openpyxl
    does (the rows given so far are right). ``told``: the XML bytes read so far, now and then."""
    text = _Text(source, told)
    head = text.until(_DATA)
    root = _ROOT.search(head)
    if root is None or root.group(1) != MAIN or head.count("<") != head.count(">"):
        raise Unread("the sheet's root is not the plain one")
    if text.data_closed:  # (<sheetData/>: no rows; what follows ends the sheet as a plain one does)
        text.check_end()
        return
    number = counter = 0
    while True:
        found = text.row()
        if found is None:
            return
        attributes, inner = found
        number = _row_number(attributes, number)
        while counter + 1 < number:  # (rows without cells are missing from the XML)
            counter += 1
            yield counter, []
        if counter + 1 <= number:
            counter += 1
            yield counter, _cells(inner or "", book, value)


def _row_number(attributes: str, last: int) -> int:
    names = _ROW_ATTRIBUTE.findall(attributes)
    if len(set(names)) != len(names):
        raise Unread("a row's attribute twice")
    found = _ROW_NUMBER.search(attributes)
    if found is None and "r" in names:
        raise Unread("a row number that is not plain digits")
    return int(found.group(1)) if found else last + 1


def _cells(inner: str, book: Book, value: Callable[[Any], Any]) -> list[Any]:
    """One row's cells, placed by their columns up to the last cell's (openpyxl's ``_get_row``)."""
    placed = _common(inner, book, value) if _COMMON_ROW.fullmatch(inner) else _any(inner, book, value)
    if not placed:
        return []
    width = placed[-1][0]
    row: list[Any] = [None] * width
    for column, shown in placed:
        if column <= width:
            row[column - 1] = shown
    return row


def _common(inner: str, book: Book, value: Callable[[Any], Any]) -> list[tuple[int, Any]]:
    """The cells of a row written in the commonest forms (:data:`_COMMON_CELL`: attributes
    ``r``, ``s``, ``t`` in that order, a value or a plain inline string, no formula), each
    read as :func:`_cell` reads it, with a few tests less a cell."""
    placed: list[tuple[int, Any]] = []
    for letters, style, kind, content, saved, inline in _COMMON_CELL.findall(inner):
        column = _COLUMNS.get(letters) or _column(letters)
        if kind and kind not in _TYPES:
            raise Unread("a cell's type")
        if kind == "inlineStr":
            shown = book.text(inline, value) if content[:3] == "<is" else None
        elif content[:2] != "<v" or not saved:
            shown = None  # (no value: an empty cell; an inline string in a cell of another type)
        else:
            shown = book.shown(saved, kind or "n", style, value)
        placed.append((column, shown))
    return placed


def _any(inner: str, book: Book, value: Callable[[Any], Any]) -> list[tuple[int, Any]]:
    """The cells of a row in any form read here (:func:`_cell`)."""
    placed: list[tuple[int, Any]] = []
    at = 0
    end = len(inner)
    while at < end:
        match = _CELL.match(inner, at)
        if match is None:
            if inner[at:].strip():
                raise Unread("a row holds what is not a plain cell")
            break
        at = match.end()
        last = placed[-1][0] if placed else 0
        placed.append(_cell(match.group(1), match.group(2), book, value, last))
    return placed


def _cell(
    attributes: str, content: str | None, book: Book, value: Callable[[Any], Any], last: int
) -> tuple[int, Any]:
    """A cell's column (without a coordinate: the one after the ``last`` cell's, as openpyxl
    counts) and what the reader makes of it."""
    attrs = dict(_ATTRIBUTE.findall(attributes))
    if not attrs.keys() <= _KNOWN_CELL_ATTRIBUTES or len(attrs) != attributes.count("="):
        raise Unread("a cell's attribute")
    coordinate = attrs.get("r")
    if coordinate is None:
        column, coordinate = last + 1, ""
    else:
        place = _COORDINATE.fullmatch(coordinate)
        if place is None:
            raise Unread("a cell without a plain coordinate")
        column = _column(place.group(1))
    kind, style = attrs.get("t", "n"), attrs.get("s")
    if kind not in _TYPES or (style is not None and not style.isdigit()):
        raise Unread("a cell's type or style")
    content = content or ""
    if kind == "inlineStr":
        return column, _inline(content, value)
    found = _CONTENT.fullmatch(content)
    if found is None:
        raise Unread("a cell's content")
    raw = found.group(1) or None
    if raw is None:
        if not content.lstrip().startswith(_FORMULA_START):
            return column, None
        if not coordinate:  # (openpyxl's reader finds these by their coordinates: none here)
            raise Unread("a formula without a saved value or a coordinate")
        return column, NoCachedValue(coordinate)
    return column, book.shown(_text(raw), kind, style or "", value)


def _saved(raw: str, kind: str, style_id: int, book: Book) -> Any:
    """A saved number, boolean or date (``kind`` ``n``, ``b`` or ``d``) as openpyxl's
    ``parse_cell`` reads it (with ``data_only``); a number in a percent style marked so
    (:class:`PercentCell`)."""
    if kind == "n":
        number: Any = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        if style_id in book.dates:
            from openpyxl.utils.datetime import from_excel

            return from_excel(number, book.epoch, timedelta=style_id in book.durations)
        return PercentCell(repr(float(number))) if style_id in book.percent else number
    if kind == "b":
        return bool(int(raw))
    from openpyxl.utils.datetime import from_ISO8601

    return from_ISO8601(raw)


def _inline(content: str, value: Callable[[Any], Any]) -> Any:
    """An inline string's text (its one plain ``t``); None when the cell holds no ``is``."""
    if not content.strip():
        return None
    found = _INLINE.fullmatch(content)
    if found is None:
        raise Unread("an inline string of rich text")
    return value(_text(found.group(1) or ""))


def _text(raw: str) -> str:
    """Element text as the XML parser gives it: entities replaced; what it reads otherwise
    (a carriage return, a character XML refuses, an entity it does not know) is not read here."""
    if "\r" in raw or _NOT_PLAIN_TEXT.search(raw):
        raise Unread("a text the XML parser reads otherwise")
    if "&" not in raw:
        return raw
    done = _ENTITY.sub(_entity, raw)
    if "&" in _ENTITY.sub("", raw):
        raise Unread("an entity")
    return done


def _entity(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if (
        code in (0xD, 0xFFFE, 0xFFFF)
        or not (code in (9, 10) or 0x20 <= code <= 0x10FFFF)
        or 0xD800 <= code < 0xE000
    ):
        raise Unread("a character reference")
    return chr(code)


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    if number > MAX_COLUMN:
        raise Unread("a column past XFD")
    if len(_COLUMNS) < MAX_COLUMN:
        _COLUMNS[letters] = number
    return number


class _Text:
    """The sheet's XML decoded a block at a time, read a row at a time."""

    def __init__(self, source: IO[bytes], told: Callable[[int], None] | None) -> None:
        self._source, self._told, self._done = source, told, 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._text, self._at, self._ended = "", 0, False
        self.data_closed = False

    def _more(self) -> bool:
        if self._ended:
            return False
        block = self._source.read(BLOCK)
        self._done += len(block)
        if self._told is not None:
            self._told(self._done)
        try:
            decoded = self._decoder.decode(block, final=not block)
        except UnicodeDecodeError:
            raise Unread("text that is not UTF-8") from None
        self._text = self._text[self._at :] + decoded
        self._at = 0
        self._ended = not block
        return True

    def until(self, mark: re.Pattern[str]) -> str:
        """The text before ``mark`` (read past it); the sheet's data must start within a block."""
        while True:
            found = mark.search(self._text, self._at)
            if found is not None:
                head = self._text[: found.start()]
                self.data_closed = found.group(1) == "/"
                self._at = found.end()
                declared = _DECLARED.match(head)
                if (
                    head.startswith("\ufeff")
                    or "<!" in head
                    or (declared and declared.group(1).lower() != "utf-8")
                ):
                    raise Unread("a mark, a declaration or an encoding before the sheet's data")
                return head
            if len(self._text) > AROUND or not self._more():
                raise Unread("no plain <sheetData>")

    def row(self) -> tuple[str, str | None] | None:
        """The next row's attributes and content; None at the data's end (the sheet's XML ends
        there as a plain sheet ends)."""
        while True:
            found = _ROW.match(self._text, self._at)
            if found is not None:
                if found.group(2):  # (<row .../>: no cells)
                    self._at = found.end()
                    return found.group(1), None
                end = self._text.find("</row>", found.end())
                if end >= 0:
                    self._at = end + len("</row>")
                    return found.group(1), self._text[found.end() : end]
            closing = _DATA_END.match(self._text, self._at)
            if closing is not None:
                self._at = closing.end()
                self.check_end()
                return None
            if self._text.find("</row>", self._at) >= 0:  # (a whole row, not a plain one)
                raise Unread("the sheet's data holds what is not a plain row")
            if len(self._text) - self._at > limits.MAX_ROW_XML_BYTES or not self._more():
                raise Unread("a row too long or cut off")

    def check_end(self) -> None:
        """What follows the data ends the sheet as a plain one does, else openpyxl decides."""
        while self._more():
            if len(self._text) - self._at > AROUND:
                raise Unread("a long tail after the data")
        tail = self._text[self._at :].rstrip()
        if not tail.endswith("</worksheet>") or "<!" in tail or tail.count("<") != tail.count(">"):
            raise Unread("the sheet's end")


__all__ = ["Book", "Unread", "plain_rows"]
