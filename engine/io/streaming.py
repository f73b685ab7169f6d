"""Every kind of records file read an employee at a time, as :func:`engine.io.records.read_population`
reads it whole: :func:`stream_records` is the one entry point the streaming commands use.

- CSV: :func:`engine.io.records.stream_csv` (rows of one employee must be consecutive).
- Excel: the rows of the sheet :func:`engine.io.xlsxfile.read_xlsx_rows` chooses (openpyxl's
  read-only mode, the whole read's reader), grouped as CSV rows are.
- JSON and YAML: the items of the ``employees`` list parsed one at a time
  (:mod:`engine.io.jsonstream`, :mod:`engine.io.yamlstream`), read by
  :class:`engine.io.nested.NestedStream` as the whole read reads them.

The stream yields the complete employees; what it cannot read that way raises
:class:`~engine.io.model.ReadWhole` (before the first employee or while iterating): the caller
then throws away what it made of the stream and reads the file whole, with the same records or
the very same error. A JSON or YAML file read this way is bounded as a table is
(:data:`~engine.limits.MAX_TABLE_BYTES`, the YAML node bound per employee); the whole read keeps
its own bounds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from engine.errors import Problem
from engine.io.encoding import given_encoding
from engine.io.jsonstream import JsonItems
from engine.io.model import EmployeeRecord, ReadWhole, RecordRules, check_parameters, compile_inputs
from engine.io.nested import NestedStream, Where, read_head
from engine.io.records import (
    SUFFIXES,
    ensure_data_file,
    json_where,
    policy_mismatch,
    sheet_hint,
    sheet_note,
    stream_csv,
)
from engine.io.table import TablePart, has_id_column, stream_rows
from engine.io.xlsxfile import SheetInfo, read_xlsx_rows
from engine.limits import check_table_size
from engine.location import Path

__all__ = ["STREAMED", "ReadWhole", "RecordStream", "can_stream", "stream_json_range", "stream_records"]

#: Suffixes of the files :func:`stream_records` reads (all that :func:`read_population` reads).
STREAMED = SUFFIXES

Progress = Callable[[int, int], None]


class RecordStream(Protocol):
    """The employees of a file, one at a time; after iterating, :attr:`part` holds the
    employees' problems and the notes on the reading, :attr:`org_parent` the file's org tree."""

    part: TablePart
    org_parent: dict[str, str | None]

    def __iter__(self) -> Iterator[EmployeeRecord]: ...


def can_stream(path: str, encoding: str | None = None, sheet: str | None = None) -> bool:
    """Whether :func:`stream_records` reads ``path`` as asked: ``--encoding`` only for a CSV file,
    ``--sheet`` only for a workbook (the whole read refuses the others)."""
    suffix = os.path.splitext(path)[1].lower()
    if (encoding is not None and suffix != ".csv") or (sheet is not None and suffix != ".xlsx"):
        return False
    return suffix in STREAMED


def stream_records(
    path: str,
    inputs: Mapping[str, Any],
    *,
    scales: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    policy_id: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
) -> tuple[RecordStream, dict[str, Any], list[Problem], list[Problem]]:
    """The employees of ``path`` one at a time, as :func:`~engine.io.records.read_population`
    reads them (``policy_id``, ``sheet`` as there). Returns the stream, the checked run-time
    parameters, the problems read before the first employee (the parameters'; a JSON or YAML
    file's own), and the notes so far (the stream's own are in its part once read): a whole
    run's problems are these, then the part's; its warnings these notes, then the part's.
    ``progress`` is told the bytes and the rows (items) read so far, now and then; ``encoding``:
    a CSV file's (``--encoding``; None: UTF-8 or detected), chosen as the stream is opened. Raises
    :class:`ReadWhole` when the file cannot be read an employee at a time."""
    suffix = ensure_data_file(path, SUFFIXES)
    if suffix == ".csv":
        with given_encoding(encoding):
            stream, values, problems, notes = stream_csv(
                path, inputs, scales=scales, parameters=parameters, progress=progress
            )
        return stream, values, problems, notes
    rules = compile_inputs(inputs, scales)
    overrides = dict(parameters or {})
    if suffix == ".xlsx":
        return _xlsx(path, rules, overrides, sheet, progress)
    check_table_size(path, path)
    if suffix == ".json":
        items = JsonItems(path, path, progress)
        return _nested(items.head, items, path, rules, overrides, policy_id, json_where(path), None)
    from engine.io.yamlstream import YamlItems  # the loader's builder: only for a YAML file

    yaml_items = YamlItems(path, path, progress)
    source = yaml_items.source

    def where(node: Path, key: bool) -> str:
        loc = source.locate(node, key=key)
        return f"{path}:{loc.line}:{loc.col}"

    return _nested(yaml_items.head, yaml_items, path, rules, overrides, policy_id, where, yaml_items.done)


def stream_json_range(
    path: str,
    inputs: Mapping[str, Any],
    part: tuple[int, int | None, int],
    *,
    scales: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    policy_id: str | None = None,
) -> tuple[RecordStream, JsonItems, dict[str, Any], list[Problem], list[Problem]]:
    """One range of a JSON records file's items, as :func:`stream_records` streams the whole:
    ``part`` is ``(start, end, first)``, the bytes of the range (``end`` None: to the end of the
    file, what follows the list read too) and the index of its first item in the list (where
    its problems are: ``$.employees[first]``). The head is read from the file's start. Returns
    the stream, its items (:attr:`~engine.io.jsonstream.JsonItems.count` once read) and what
    :func:`stream_records` returns besides the stream."""
    start, end, first = part
    ensure_data_file(path, SUFFIXES)
    check_table_size(path, path)
    rules = compile_inputs(inputs, scales)
    items = JsonItems(path, path, progress, start=start, end=end)
    head = items.head
    if start > 0:
        head_items = JsonItems(path, path)
        head_items.handle.close()  # (its head is read: the items are this range's)
        head = head_items.head
    numbered = ((first + index, value) for index, value in items)
    stream, values, problems, notes = _nested(
        head, numbered, path, rules, dict(parameters or {}), policy_id, json_where(path), None
    )
    return stream, items, values, problems, notes


def _nested(
    head_data: Mapping[str, Any],
    items: Iterable[tuple[int, Any]],
    display: str,
    rules: RecordRules,
    overrides: Mapping[str, Any],
    policy_id: str | None,
    where: Where,
    done: Callable[[int], None] | None,
) -> tuple[RecordStream, dict[str, Any], list[Problem], list[Problem]]:
    head = read_head(head_data, display, where, rules, overrides)
    stream = NestedStream(head, items, done)
    notes = policy_mismatch(head.policy_id, policy_id, display)
    return stream, head.parameters, head.reader.problems, notes


def _xlsx(
    path: str, rules: RecordRules, overrides: Mapping[str, Any], sheet: str | None, progress: Progress | None
) -> tuple[RecordStream, dict[str, Any], list[Problem], list[Problem]]:
    info = SheetInfo()
    rows = read_xlsx_rows(
        path, path, sheet=sheet, looks_like_header=lambda row: has_id_column(row, rules), info=info,
        progress=progress,
    )  # fmt: skip
    stream = stream_rows(rows, path, rules, where=lambda: sheet_hint(info))
    notes = sheet_note(info, path)
    values, problems = check_parameters(overrides, rules, lambda key: "run-time parameters")
    return stream, values, problems, notes
