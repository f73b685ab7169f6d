"""Cell values a spreadsheet reader marks for the records reader (no spreadsheet library here).

Excel stores 30 % as 0.3 and shows it through the cell's number format; a program that writes
formulas without calculating them leaves the result empty. Both would be misread as plain
values, so the reader hands them over marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


class PercentCell(Decimal):
    """A number Excel shows as a percent: ``0.3`` for a cell showing 30 %."""

    def as_percent(self) -> Decimal:
        """The number the cell shows: 0.3 -> 30, 0.125 -> 12.5."""
        shown = (Decimal(self) * 100).normalize()
        exponent = shown.as_tuple().exponent
        return shown.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else shown


@dataclass(frozen=True)
class NoCachedValue:
    """A formula cell saved without its result (written by a program that does not calculate)."""

    coordinate: str

    def __str__(self) -> str:
        return f"cell {self.coordinate} holds a formula with no saved value"

    @property
    def hint(self) -> str:
        return "open the workbook in Excel and save it (or paste the values) so that the result is stored"
