"""A JSON records file read an employee at a time: the items of its top-level ``employees`` list
parsed one by one from a window of text, as :func:`engine.io.records.read_population` parses the
whole file.

The stdlib decoder does the parsing (``raw_decode`` of one value at a time, with the whole
read's exact decimals, ``NaN`` constants and repeated-key check), so an employee is the very
value the whole read builds. The text is decoded and put in Unicode NFC a block at a time; a
block is cut before an ASCII character, where NFC of the parts is NFC of the whole. A value
that reaches the end of the window is read again with more text (it may be cut), so the window
holds one employee's text, not the file's.

A syntax error inside a value is located as the whole read locates it (``file:line:col: not
valid JSON: ...``; the rest of the file is checked to be UTF-8 first, as the whole read decodes
everything before parsing). What the stream leaves to the whole read
(:class:`~engine.io.model.ReadWhole`): a file that is not a mapping holding an ``employees``
list, anything wrong outside the list's items (a missing comma, a trailing one, a key used
twice), a repeated key inside an item, an integer too long for ``int``, the policy, parameters
or org units given after the list. The whole read then gives its very message.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Generator, Iterator
from decimal import Decimal
from typing import Any

import engine.limits as limits
from engine.errors import DataError
from engine.io.model import ReadWhole
from engine.io.records import JsonConstant, _DuplicateKeys, stray_bom

#: Bytes read from the file at a time.
BLOCK = 1 << 16
#: A value or an error this close to the window's end may be an effect of the cut: read on.
MARGIN = 64
#: Items between two calls of a progress callback.
PROGRESS_EVERY = 256
_SPACE = " \t\n\r"
#: Top-level keys that may follow the list without changing what its employees are.
AFTER_LIST = frozenset({"$schema"})


class _Window:
    """The file's text from a position on: decoded, NFC, with absolute positions and lines."""

    def __init__(self, handle: _Range, display: str) -> None:
        self.handle, self.display = handle, display
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.base = 0  # absolute position of text[0]
        self.lines = 0  # newlines before base
        self.line_start = -1  # absolute position of the last newline before base (-1: none)
        self.carry = ""  # decoded, not yet in NFC (from the last ASCII character on)
        self.eof = False

    def more(self, keep: int) -> bool:
        """Drop the text before position ``keep`` and read on; False at the end of the file."""
        if self.eof:
            return False
        cut = keep - self.base
        if cut > 0:
            dropped = self.text[:cut]
            newlines = dropped.count("\n")
            if newlines:
                self.lines += newlines
                self.line_start = self.base + dropped.rfind("\n")
            self.text, self.base = self.text[cut:], keep
        raw = self.handle.read(max(BLOCK, len(self.text)))
        self.eof = not raw
        try:
            decoded = self.carry + self.decoder.decode(raw, final=self.eof)
        except UnicodeDecodeError:
            raise DataError(f"{self.display}: not UTF-8 text; save the file as UTF-8") from None
        end = len(decoded) if self.eof else _last_ascii(decoded)
        known = len(self.text)
        self.text += limits.nfc(decoded[:end])
        stray = self.text.find("\ufeff", known)
        if stray >= 0:
            raise DataError(stray_bom(self.display, *self.location(stray)))
        self.carry = decoded[end:]
        return True

    def at(self, pos: int) -> str:
        """The character at absolute ``pos`` ("" past the end of the file)."""
        while pos - self.base >= len(self.text):
            if not self.more(min(pos, self.base + len(self.text))):
                return ""
        return self.text[pos - self.base]

    def skip(self, pos: int) -> int:
        """The position of the first character from ``pos`` on that is not JSON white space."""
        while (char := self.at(pos)) and char in _SPACE:
            pos += 1
        return pos

    def location(self, pos: int) -> tuple[int, int]:
        """Line and column of the relative ``pos`` as :class:`json.JSONDecodeError` counts them."""
        line = self.lines + self.text.count("\n", 0, pos) + 1
        last = self.text.rfind("\n", 0, pos)
        return line, (pos - last if last >= 0 else self.base + pos - self.line_start)

    def rest_is_utf8(self) -> None:
        """Read the rest of the file, a block at a time: a DataError if it is not UTF-8."""
        while not self.eof:
            self.text, self.base = "", self.base + len(self.text)
            self.carry = ""
            self.more(self.base)


def _last_ascii(text: str) -> int:
    """The index of the last ASCII character of ``text`` (0 if none): NFC may join across
    anything else."""
    index = len(text) - 1
    while index >= 0 and text[index] > "\x7f":
        index -= 1
    return max(index, 0)


class _Range:
    """A binary file read from ``start`` up to (not past) ``end``: one range of a list's items."""

    def __init__(self, path: str, start: int, end: int | None) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._file.seek(start)
        self._end = end

    def read(self, size: int) -> bytes:
        if self._end is not None:
            size = max(0, min(size, self._end - self._file.tell()))
        return self._file.read(size)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


class JsonItems:
    """A JSON records file's top level up to its ``employees`` list (:attr:`head`), then the
    list's items one at a time (iterating, once).

    ``start`` and ``end`` (bytes) read one range of the items only, for a file shared between
    processes (:mod:`engine.evaluate.json_split`): from ``start`` (an item's line; the head is
    not read, :attr:`head` is empty) up to ``end`` (None: the end of the file, and what follows
    the list is read as a whole file's is). A range ends right after the comma that follows
    its last item; one that does not (an item cut by ``end``, the list's end before it) stops
    with :class:`~engine.io.model.ReadWhole` or a :class:`~engine.errors.DataError`.
    :attr:`count` is the number of items read so far. ``key`` names the list (a canonical
    population's is ``people``; of several, the first met is read, :attr:`key`); ``after``: the
    top-level keys that may follow it (None: any, read into :attr:`head` once the items are read).
    """

    def __init__(
        self,
        path: str,
        display: str,
        progress: Callable[[int, int], None] | None = None,
        *,
        start: int = 0,
        end: int | None = None,
        key: str | tuple[str, ...] = "employees",
        after: frozenset[str] | None = AFTER_LIST,
    ) -> None:
        self.display, self.progress = display, progress
        self.keys = (key,) if isinstance(key, str) else key
        self.key, self.after = self.keys[0], after
        self.handle = _Range(path, start, end)  # (closed when the items are read, or dropped)
        self.window = _Window(self.handle, display)
        self.deadline = limits.Deadline(display)
        self.duplicates = _DuplicateKeys(self.deadline)
        self.decoder = json.JSONDecoder(
            parse_float=Decimal, parse_constant=JsonConstant, object_pairs_hook=self.duplicates
        )
        self.head: dict[str, Any] = {}
        self.start, self.bounded, self.count = start, end is not None, 0
        try:
            self.pos = self._head() if start == 0 else self._first_item()
        except BaseException:
            self.handle.close()
            raise

    def _first_item(self) -> int:
        """The position of a range's first item (a mapping, after white space)."""
        pos = self.window.skip(0)
        if self.window.at(pos) != "{":
            raise ReadWhole("a range that does not start with an item")
        return pos

    def _head(self) -> int:
        """Read the top level up to the list's first item; the position of that item."""
        window = self.window
        pos = window.skip(0)
        if window.at(pos) != "{":
            raise ReadWhole("not a mapping")
        pos = window.skip(pos + 1)
        while True:
            key, pos = self._key(pos)
            if key in self.keys:
                self.key = key
                if window.at(pos) != "[":
                    raise ReadWhole(f"{key} is not a list")
                return window.skip(pos + 1)
            self.head[key], pos = self._value(pos)
            pos = self._next_key(pos)

    def _key(self, pos: int) -> tuple[str, int]:
        """A key and the position of its value."""
        window = self.window
        if window.at(pos) != '"':
            raise ReadWhole("expected a key")
        key, pos = self._value(pos)
        if key in self.head:
            raise ReadWhole("a key used twice")
        pos = window.skip(pos)
        if window.at(pos) != ":":
            raise ReadWhole("expected ':'")
        return key, window.skip(pos + 1)

    def _next_key(self, pos: int) -> int:
        """Past the ``,`` after a value, at the next key; ReadWhole at the end of the mapping
        (the list is still to come, or it is over: :meth:`_tail` reads what follows it)."""
        window = self.window
        pos = window.skip(pos)
        if window.at(pos) != ",":
            raise ReadWhole(f"no {self.key} list, or a mapping that does not go on")
        pos = window.skip(pos + 1)
        if window.at(pos) != '"':
            raise ReadWhole("expected a key")
        return pos

    def _value(self, pos: int) -> tuple[Any, int]:
        """The value at absolute ``pos`` and the position just past it."""
        window = self.window
        while True:
            start = pos - window.base
            try:
                value, end = self.decoder.raw_decode(window.text, start)
            except json.JSONDecodeError as exc:
                if self._cut(exc.pos, exc.msg.startswith("Unterminated string")) and window.more(pos):
                    continue
                self._located(exc)
            except RecursionError:
                raise ReadWhole("nested too deeply") from None
            except ValueError as exc:  # an integer of thousands of digits: the whole read knows
                raise ReadWhole(str(exc)) from None
            if self._cut(end, False) and window.more(pos):
                continue
            if self.duplicates.found:
                raise ReadWhole("a repeated key")
            return value, window.base + end

    def _cut(self, relative: int, unterminated: bool) -> bool:
        """Whether what the decoder met at ``relative`` may be the window's end, not the file's."""
        window = self.window
        return not window.eof and (unterminated or relative >= len(window.text) - MARGIN)

    def _located(self, exc: json.JSONDecodeError) -> None:
        window = self.window
        line, col = window.location(exc.pos)
        window.rest_is_utf8()
        raise DataError(f"{self.display}:{line}:{col}: not valid JSON: {exc.msg}") from None

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        try:
            if (yield from self._items()):
                self._tail()
        finally:
            self.handle.close()

    def _items(self) -> Generator[tuple[int, Any], None, bool]:
        """The items, each with its index in the range; returns True at the list's end, False
        at a bounded range's end (right after a comma)."""
        window, pos, index = self.window, self.pos, 0
        if window.at(pos) == "]":
            self.pos = pos + 1
            return True
        while True:
            value, pos = self._value(pos)
            waited = limits.clock()
            yield index, value
            self.deadline.pause(limits.clock() - waited)  # the consumer's time is not reading
            index += 1
            self.count = index
            if self.progress is not None and index % PROGRESS_EVERY == 0:
                self.progress(self.handle.tell() - self.start, index)
            pos = window.skip(pos)
            char = window.at(pos)
            if char == "]":
                break
            if char != ",":
                raise ReadWhole("expected ',' or ']'")
            pos = window.skip(pos + 1)
            if self.bounded and window.at(pos) == "":
                self._told(index)
                return False  # the range ends after this item's comma: the next range goes on
            if window.at(pos) == "]":
                raise ReadWhole("a trailing comma")
        self.pos = pos + 1
        self._told(index)
        return True

    def _told(self, index: int) -> None:
        if self.progress is not None:
            self.progress(self.handle.tell() - self.start, index)

    def _tail(self) -> None:
        """The top level after the list: only keys that change nothing read, then the end."""
        window = self.window
        pos = window.skip(self.pos)
        while window.at(pos) == ",":
            key, pos = self._key(window.skip(pos + 1))
            if self.after is not None and key not in self.after and not key.startswith("x-"):
                raise ReadWhole(f"{key} after the {self.key}")
            self.head[key], pos = self._value(pos)
            pos = window.skip(pos)
        if window.at(pos) != "}" or window.at(window.skip(pos + 1)) != "":
            raise ReadWhole("not the end of the mapping")
