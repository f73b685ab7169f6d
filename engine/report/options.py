"""What every report can be asked for besides its format: the language, the run date, a BOM."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from engine.provenance import Stamp


def _today() -> datetime.date:
    return datetime.date.today()


@dataclass(frozen=True)
class ReportOptions:
    """``lang``: ``ko``/``ja``/``en`` labels (None: ids, as pipelines read them); ``run_date``:
    the date a report states it was made; ``bom``: a UTF-8 byte-order mark on CSV written to a
    file (so that Excel reads it as UTF-8); ``width``: the terminal's columns for text tables
    (None: not a terminal, never cut); ``stamps``: the policies behind the report, for the formats
    a renderer writes whole (a workbook's last sheet; text formats get them from ``deliver``)."""

    lang: str | None = None
    run_date: datetime.date = field(default_factory=_today)
    bom: bool = True
    width: int | None = None
    stamps: tuple[Stamp, ...] = ()


#: Output file suffixes and the format each one means; -o with another format is refused.
SUFFIX_FORMATS: dict[str, str] = {
    ".txt": "text",
    ".json": "json",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
}

