"""Lines for a terminal: each line wider than the terminal broken at its spaces, its rest set
further in, so that the terminal never cuts a word (``perfor`` over ``mance``). The command
line passes a text report through :class:`FittedLines` when it prints it to a terminal
(:func:`engine.cli.guard.screen`); a pipe or a file gets the lines whole.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.report.table import display_width, wrap


def hanging(line: str, width: int, start: int, indent: int) -> list[str]:
    """``line`` in lines of at most ``width`` cells: its first ``start`` characters (an
    indent, a tag) kept, the rest wrapped at its spaces (:func:`wrap`) to ``width - indent``
    cells, each line after the first set ``indent`` cells in; as it is when it fits."""
    if display_width(line) <= width:
        return [line]
    pieces = wrap(line[start:], width - indent)
    return [line[:start] + pieces[0], *(" " * indent + piece for piece in pieces[1:])]


#: A line is wrapped at a terminal only when this many cells are left beside its indent.
_MIN_TEXT = 20


def fit_line(line: str, width: int) -> list[str]:
    """``line`` as a terminal ``width`` cells wide shows it: as it is when it fits, else broken
    at its spaces (:func:`hanging`), each next line set two cells further in than its own
    indent, so that no word is cut; as it is when its indent leaves too little room."""
    if len(line) <= width and line.isascii():  # (a character is at most a cell: fits)
        return [line]
    lead = len(line) - len(line.lstrip(" "))
    if width - lead - 2 < _MIN_TEXT:
        return [line]
    return hanging(line, width, lead, lead + 2)


class FittedLines:
    """Text for a terminal ``width`` cells wide, given a piece at a time: each whole line
    through :func:`fit_line` to ``write``, a line's start held until its end comes
    (:meth:`close` gives what is left)."""

    def __init__(self, write: Callable[[str], object], width: int) -> None:
        self.out, self.width, self.held = write, width, ""

    def write(self, text: str) -> None:
        """More text; the lines it ends go out now."""
        text, self.held = self.held + text, ""
        end = text.rfind("\n")
        if end < 0:
            self.held = text
            return
        self.held = text[end + 1 :]
        lines = text[:end].split("\n")
        self.out("".join(piece + "\n" for line in lines for piece in fit_line(line, self.width)))

    def close(self) -> None:
        """The last line, when the text did not end with one."""
        if self.held:
            self.out("\n".join(fit_line(self.held, self.width)))
            self.held = ""
