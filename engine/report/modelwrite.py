"""A consultant :class:`~engine.report.model.Report` written a piece at a time, stamped: the
one implementation of each format (:data:`~engine.report.model.RENDERERS` writes through these).

A table's rows and a JSON list of the payload may be read-through sequences
(:class:`~engine.io.spool.ReadThrough`: a million people made from spools as they are read), so
no format holds them whole: the text table is measured over the rows, then written
(:func:`~engine.report.table.write_table`); CSV and JSON write each row or item as it comes;
the page is Jinja2's ``generate``; the workbook openpyxl's write-only mode.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from markupsafe import escape

from engine.io.spool import ReadThrough
from engine.report.model import Report, Table, jsonable, stamp_lines, stamped
from engine.report.table import write_table


class _Joined:
    """Text items joined by newlines, written as they come; the whole ends with exactly one
    newline (what ``"\n".join(items).rstrip("\n") + "\n"`` gives)."""

    def __init__(self, out: IO[str]) -> None:
        self.out, self.held, self.started = out, "", False

    def item(self, text: str = "") -> None:
        """Start the next item with ``text`` (:meth:`write` adds to it)."""
        if self.started:
            self.write("\n")
        self.started = True
        self.write(text)

    def write(self, text: str) -> None:
        """More of the current item."""
        kept = text.rstrip("\n")
        if kept:
            self.out.write(self.held + kept)
            self.held = text[len(kept) :]
        else:
            self.held += text  # trailing newlines wait: only the last item's are cut

    def close(self) -> None:
        self.out.write("\n")


def _blocks(table: Table) -> Iterator[str]:
    """A table of long, many-line cells as blocks a terminal shows well: row, then each column."""
    for row in table.rows:
        yield f"-- {row[0]}"
        for header, cell in zip(table.headers[1:], row[1:], strict=True):
            lines = cell.split("\n")
            if len(lines) == 1:
                yield f"  {header}: {cell}"
            else:
                yield f"  {header}:"
                yield from (f"    {line.strip()}" for line in lines)
    yield ""


def _tables(report: Report) -> list[Table]:
    return [*report.tables, *(m.table() for m in report.matrices)]


def write_text(report: Report, out: IO[str]) -> None:
    """The text report: title, summary, each table aligned, the details."""
    out.write(stamped("text", report.stamps, ""))
    joined = _Joined(out)
    for line in [report.title, *report.summary, ""]:
        joined.item(line)
    for table in _tables(report):
        joined.item(f"== {table.title}")
        if any("\n" in c for r in table.rows for c in r):
            for line in _blocks(table):
                joined.item(line)
            continue
        rows = table.rows
        joined.item()
        write_table(table.headers, lambda: rows, table.aligned(), report.width, joined.write)  # noqa: B023
    for title, lines in report.details:
        joined.item(f"== {title}")
        for line in lines:
            joined.item(line)
        joined.item("")
    joined.close()


def write_csv(report: Report, out: IO[str]) -> None:
    """Every table and matrix: a ``# title`` row, the headers, the rows."""
    out.write(stamped("csv", report.stamps, ""))
    writer = csv.writer(out, lineterminator="\n")
    for table in _tables(report):
        writer.writerow([f"# {table.title}"])
        writer.writerow(list(table.headers))
        for row in table.rows:
            writer.writerow(list(row))


def _dumps(value: Any, indent: str) -> str:
    """``value`` as ``json.dumps(..., indent=2)`` writes it ``indent`` deep in a document."""
    return json.dumps(jsonable(value), ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def write_json(report: Report, out: IO[str]) -> None:
    """The payload, ``policies`` first, indented by two: ``json.dumps`` of the whole, a key at
    a time and a read-through list an item at a time."""
    listed = json.dumps([s.as_dict() for s in report.stamps], ensure_ascii=False, indent=2)
    out.write('{\n  "policies": ' + listed.replace("\n", "\n  "))
    payload: Mapping[Any, Any] = {"report": report.kind, **report.data}
    for key, value in payload.items():
        out.write(",\n  " + json.dumps(str(key), ensure_ascii=False) + ": ")
        if isinstance(value, ReadThrough):
            _write_items(value, out)
        else:
            out.write(_dumps(value, "  "))
    out.write("\n}\n")


def _write_items(items: Iterable[Any], out: IO[str]) -> None:
    """A list two deep, an item at a time."""
    first = True
    for item in items:
        out.write(("[\n    " if first else ",\n    ") + _dumps(item, "    "))
        first = False
    out.write("[]" if first else "\n  ]")


def write_html(report: Report, out: IO[str]) -> None:
    """The page, a piece at a time (the template shows the stamps; a stamp its text would not
    show as it is gets the list :func:`~engine.report.model.stamped` adds after ``<body>``)."""
    from engine.report.page import page_pieces

    lines = stamp_lines(report.stamps)
    shown = all(str(escape(line)) == line for line in lines)
    pieces = page_pieces(report)
    if not shown:
        head: list[str] = []
        for piece in pieces:
            head.append(piece)
            if "<body>" in piece:
                break
        out.write(stamped("html", report.stamps, "".join(head)))
    for piece in pieces:
        out.write(piece)


__all__ = ["write_csv", "write_html", "write_json", "write_text"]
