"""One rule for cells a spreadsheet would run: text that starts like a formula is neutralised.

Excel and LibreOffice treat a cell beginning with ``=``, ``+``, ``-`` or ``@`` (and a tab or
carriage return before them) as a formula, which a hostile value (a name, a goal title) could
use to run a command or leak data (OWASP "CSV injection"). Such text gets a leading ``'``,
which spreadsheets show as plain text. Numbers (``-1.5``) stay numbers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(text: str) -> str:
    """``text`` as a spreadsheet should show it: formula-looking text gets a leading ``'``."""
    if not text.startswith(FORMULA_STARTS):
        return text
    try:
        Decimal(text)
    except InvalidOperation:
        return "'" + text
    return text
