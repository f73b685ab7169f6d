"""The consultant reports (``compare``, ``diff``, ``simulate``): one model, rendered by a registry.

A :class:`Report` holds what every format shows: the policies' stamps, a summary, tables,
grade-distribution charts, grade-transition matrices, explanations, and the JSON payload.
:func:`render` is the one place where each format gets the stamps of the policies behind it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import IO, Any

from engine.provenance import Stamp


@dataclass(frozen=True)
class Table:
    """A titled table; ``numeric[i]`` right-aligns column ``i``."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: Sequence[bool] = ()

    def aligned(self) -> Sequence[bool]:
        return self.numeric or [False] * len(self.headers)


@dataclass(frozen=True)
class Chart:
    """One scheme's grade distribution: (grade, people) in scale order."""

    title: str
    bars: Sequence[tuple[str, int]]


@dataclass(frozen=True)
class Matrix:
    """Who goes from which grade (rows, under ``row_title``) to which (columns, ``col_title``)."""

    row_title: str
    col_title: str
    rows: Sequence[str]
    cols: Sequence[str]
    counts: dict[tuple[str, str], int]
    title: str = ""

    def cell(self, row: str, col: str) -> int:
        return self.counts.get((row, col), 0)

    def table(self) -> Table:
        headers = [f"{self.row_title} \\ {self.col_title}", *self.cols]
        rows = [[r, *(str(self.cell(r, c)) for c in self.cols)] for r in self.rows]
        return Table(
            self.title or f"grade transitions: {self.row_title} -> {self.col_title}",
            headers,
            rows,
            [False, *([True] * len(self.cols))],
        )


@dataclass
class Report:
    kind: str
    title: str
    stamps: list[Stamp]
    summary: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    matrices: list[Matrix] = field(default_factory=list)
    details: list[tuple[str, Sequence[str]]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"
    #: The terminal the text report is shown at, in cells: its tables fitted to it (None: a
    #: pipe or a file, never narrowed).
    width: int | None = None


def jsonable(value: Any) -> Any:
    """Decimals as their exact text (no reader turns 0.3 into 0.30000000000000004)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _writer(name: str) -> Callable[[Report, IO[Any]], None]:
    """The writer of :mod:`engine.report.modelwrite` (or the workbook's) called ``name``."""

    def write(report: Report, out: IO[Any]) -> None:
        if name == "workbook":
            from engine.report.workbook import write_workbook

            write_workbook(report, out)
            return
        from engine.report import modelwrite

        getattr(modelwrite, name)(report, out)

    return write


#: Every format a consultant report comes in (the CLI's --format choices are these keys): each
#: writes the report, stamped, a piece at a time to a text file (a binary one for xlsx).
RENDERERS: dict[str, Callable[[Report, IO[Any]], None]] = {
    "text": _writer("write_text"),
    "json": _writer("write_json"),
    "csv": _writer("write_csv"),
    "html": _writer("write_html"),
    "xlsx": _writer("workbook"),
}
#: The formats written as bytes.
BINARY = frozenset({"xlsx"})


def stamp_lines(stamps: Sequence[Stamp]) -> list[str]:
    """One line per policy behind a result (id, version, content hash)."""
    return [s.text() for s in stamps]


def stamped(fmt: str, stamps: Sequence[Stamp], rendered: str) -> str:
    """A rendered text format with its policies' stamps: the one place they are added.

    text starts with the lines, markdown with them as comments, csv with ``# policy`` rows, json a
    ``policies`` list first, html a list at the top of the page unless its template shows them;
    xlsx shows them on its summary sheet (:func:`stamp_lines`).
    """
    if fmt == "json":
        listed = json.dumps([s.as_dict() for s in stamps], ensure_ascii=False, indent=2)
        if rendered.startswith("{\n"):  # an indented object: the key goes first, without re-parsing
            return '{\n  "policies": ' + listed.replace("\n", "\n  ") + ",\n" + rendered[2:]
        payload = json.loads(rendered)
        return json.dumps({"policies": json.loads(listed), **payload}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [["# policy", s.id, s.version, s.sha256] for s in stamps]
        )
        return buffer.getvalue() + rendered
    if fmt == "text":  # a terminal line: the short hash (the full one is in every other format)
        return "".join(f"{s.short()}\n" for s in stamps) + rendered
    if fmt == "md":  # a comment: the rendered page stays clean, the source keeps the stamp
        return "".join(f"<!-- {line} -->\n" for line in stamp_lines(stamps)) + rendered
    if fmt == "html" and not all(line in rendered for line in stamp_lines(stamps)):
        listed = "".join(f"<li>{escape(line)}</li>" for line in stamp_lines(stamps))
        return rendered.replace("<body>", f'<body><ul class="stamps">{listed}</ul>', 1)
    return rendered


def render(report: Report, fmt: str) -> str | bytes:
    """``report`` in ``fmt`` (a key of :data:`RENDERERS`), stamped with its policies."""
    if fmt in BINARY:
        binary = io.BytesIO()
        RENDERERS[fmt](report, binary)
        return binary.getvalue()
    text = io.StringIO(newline="")
    RENDERERS[fmt](report, text)
    return text.getvalue()
