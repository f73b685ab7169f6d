"""Plain-text tables whose columns line up with Korean and Japanese text (wide characters)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from engine.report.safety import terminal_text


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> str:
    """Headers, a rule, and rows; numeric columns right-aligned; control characters removed
    (a name may hold a terminal escape sequence)."""
    headers = [terminal_text(h) for h in headers]
    rows = [[terminal_text(cell) for cell in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(pad(h, w, r) for h, w, r in zip(headers, widths, numeric, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(pad(c, w, r) for c, w, r in zip(row, widths, numeric, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines) + "\n"
