"""The text of a YAML file before it is parsed: decoded as UTF-8 (a byte-order mark skipped), a
byte-order mark anywhere else refused, and a quick lexical pre-scan for flow brackets nested
deeper than the bound."""

from __future__ import annotations

import re

from engine.errors import Diagnostic, Location
from engine.limits import MAX_YAML_DEPTH as MAX_DEPTH

_BOM = b"\xef\xbb\xbf"


def decode(raw: bytes, file: str) -> str | Diagnostic:
    """The text of ``raw``, or the ``yaml-encoding`` diagnostic of its first byte that is not UTF-8."""
    skip = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line, col = line_col(raw[skip:offset].decode("utf-8"))
        message = f"the file is not UTF-8: byte 0x{raw[offset]:02x} at byte offset {offset} cannot be decoded"
        return Diagnostic(Location(file, line, col, "$"), "yaml-encoding", message, "save the file as UTF-8")


#: A byte-order mark (U+FEFF) after the first character: the parser would keep it inside a key or
#: a value, invisible, so that a later message names a key that looks right. Every reader of a
#: text file (YAML, JSON) refuses it with these words.
BOM_RULE = "yaml-bom"
BOM_MESSAGE = "a byte order mark (U+FEFF) is only allowed as the file's first character"
BOM_SUGGESTION = "remove the byte order mark (an invisible character, often left where two files were joined)"


def stray_bom(text: str) -> tuple[int, int] | None:
    """Line and column of the first byte-order mark in ``text`` (decoded, the leading one
    already skipped), or None."""
    at = text.find("\ufeff")
    return None if at < 0 else line_col(text[:at])


def bom_diagnostic(text: str, file: str) -> Diagnostic | None:
    """The ``yaml-bom`` diagnostic of the first byte-order mark in ``text``, or None."""
    where = stray_bom(text)
    if where is None:
        return None
    return Diagnostic(Location(file, *where, "$"), BOM_RULE, BOM_MESSAGE, BOM_SUGGESTION)


def line_col(prefix: str) -> tuple[int, int]:
    """1-based line and column of the character just after ``prefix``."""
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


_FLOW_CHARS = re.compile(r"""[\[\]{}'"#\n]""")


def flow_depth_cut(text: str) -> int | None:
    """Index just past the first flow bracket nested deeper than MAX_DEPTH, or None.

    A quick lexical pass: quotes and comments are skipped; anything it misreads (a bracket
    inside a block scalar, say) only costs a trial parse, which the caller verifies.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth, position = 0, 0
    while (match := _FLOW_CHARS.search(text, position)) is not None:
        char, position = match.group(), match.end()
        skipped = _skipped_to(text, match)
        if skipped is not None:
            position = skipped
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return position
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def _skipped_to(text: str, match: re.Match[str]) -> int | None:
    """Where the scan goes on after the quoted scalar or the comment that ``match`` opens; None
    when it opens neither (a bracket, a quote inside a word, a line end)."""
    char, start = match.group(), match.start()
    if char in "'\"" and (start == 0 or text[start - 1] in " \t\n[{,:"):
        return _quote_end(text, start, char)
    if char == "#" and (start == 0 or text[start - 1] in " \t\n"):
        end = text.find("\n", match.end())
        return len(text) if end < 0 else end
    return None


def _quote_end(text: str, start: int, quote: str) -> int:
    """Index just past the quoted scalar opening at ``start`` (or the end of the text)."""
    position = start + 1
    while True:
        end = text.find(quote, position)
        if end < 0:
            return len(text)
        if quote == "'" and text.startswith("''", end):
            position = end + 2  # '' is an escaped quote inside single quotes
        elif quote == '"' and _escaped(text, end):
            position = end + 1
        else:
            return end + 1


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd run of backslashes."""
    run = 0
    while index - run - 1 >= 0 and text[index - run - 1] == "\\":
        run += 1
    return run % 2 == 1
