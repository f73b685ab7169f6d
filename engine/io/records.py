"""Read employee records (goal sheets) from YAML, JSON, CSV or Excel, checked against a policy.

:func:`read_population` is the one entry point: it picks the reader by file extension, checks
and converts every value against the policy's ``inputs`` declarations, and returns complete
employees plus a list of problems. A file that cannot be read at all raises
:class:`~engine.errors.DataError`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import engine.limits as limits
from engine.errors import VALUE_RULES, DataError, Problem, Severity, UsageError
from engine.gcpause import paused_gc
from engine.io.csvfile import choose_encoding, header_end, read_csv_part, read_csv_rows, read_id_rows
from engine.io.encoding import file_codec, run_encoding
from engine.io.model import (
    EmployeeRecord,
    IndicatorRecord,
    Population,
    RecordRules,
    check_parameters,
    compile_inputs,
)
from engine.io.nested import read_nested
from engine.io.table import (
    Interleaved,
    TablePart,
    TableStream,
    has_id_column,
    read_rows,
    read_table_part,
    stream_rows,
)
from engine.io.xlsxfile import SheetInfo, read_xlsx_rows
from engine.limits import nfc, regular_file, too_big
from engine.loader import load_yaml_file
from engine.loader.text import BOM_MESSAGE
from engine.location import Path, json_path

__all__ = [
    "EmployeeRecord",
    "IndicatorRecord",
    "Interleaved",
    "Population",
    "Problem",
    "TablePart",
    "TableStream",
    "read_csv_range",
    "read_json",
    "read_population",
    "stream_csv",
]

SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx")




class JsonConstant(str):
    """``NaN``, ``Infinity`` or ``-Infinity`` in a JSON file (Python's parser takes them).

    Kept as a value of its own, so that the field it fills is that employee's problem
    (``expected a decimal number, got NaN``) and everyone else is still read.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


class _DuplicateKeys:
    """An ``object_pairs_hook`` that remembers objects with a repeated key.

    The stdlib parser keeps the last of repeated keys without a word; YAML refuses them
    (``yaml-duplicate-key``), so JSON must too. The hook cannot know where an object is (it
    is built before its parent), so it only notes the object; the rare failing file is then
    searched for it.
    """

    def __init__(self, deadline: limits.Deadline) -> None:
        self.found: list[tuple[dict[str, Any], str]] = []
        self.deadline = deadline  # checked here: the parser calls back once per object

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        self.deadline.check()
        obj = dict(pairs)
        if len(obj) != len(pairs) and not self.found:
            self.found.append((obj, _first_repeated(key for key, _ in pairs)))
        return obj


def _first_repeated(keys: Iterable[str]) -> str:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return ""


def _path_of(root: Any, target: object) -> Path:
    """The path of the node ``target`` (by identity) in a parsed document; ``()`` if absent.

    Iterative: the document may be deep enough to overflow a recursive walk.
    """
    stack: list[tuple[Any, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if isinstance(node, dict):
            stack.extend((value, (*path, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*path, index)) for index, value in enumerate(node))
    return ()


def _parse_json(text: str, duplicates: _DuplicateKeys, parse_int: Callable[[str], Any]) -> Any:
    return json.loads(
        text,
        parse_float=Decimal,
        parse_int=parse_int,
        parse_constant=JsonConstant,
        object_pairs_hook=duplicates,
    )


def _long_integer(text: str) -> int | str:
    """An integer, or its text when too long to be one (the decimal field refuses it)."""
    return int(text) if len(text) <= limits.MAX_NUMBER_CHARS else text


def _load_json(path: str, display: str) -> Any:
    """Parse a JSON file with exact decimals; every failure is one :class:`DataError` line.

    The file must be a regular file of at most :data:`~limits.MAX_JSON_BYTES`; its text is
    read in Unicode NFC (text written as ``\\u`` escapes is normalised where it is checked).
    """
    size = regular_file(path, display)
    if size > limits.MAX_JSON_BYTES:
        raise DataError(too_big(display, size, limits.MAX_JSON_BYTES, "a JSON file"))
    deadline = limits.Deadline(display)
    duplicates = _DuplicateKeys(deadline)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = nfc(handle.read(limits.MAX_JSON_BYTES + 1))
        if (stray := text.find("\ufeff")) >= 0:
            line, col = text.count("\n", 0, stray) + 1, stray - text.rfind("\n", 0, stray)
            raise DataError(stray_bom(display, line, col))
        try:
            data = _parse_json(text, duplicates, int)
        except ValueError as exc:
            if "integer string conversion" not in str(exc):
                raise
            # An integer of thousands of digits: read again (only then, the slow way) with
            # long integers kept as text, so that the field it fills is one employee's problem.
            duplicates = _DuplicateKeys(deadline)
            data = _parse_json(text, duplicates, _long_integer)
    except json.JSONDecodeError as exc:
        raise DataError(f"{display}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise DataError(f"{display}: not UTF-8 text; save the file as UTF-8") from None
    except ValueError as exc:
        raise DataError(f"{display}: not valid JSON: {exc}") from None
    except RecursionError:
        raise DataError(
            f"{display}: the JSON is nested too deeply to read "
            "(a records file needs only a few levels of brackets)"
        ) from None
    if duplicates.found:
        obj, key = duplicates.found[0]
        where = _fast_json_path(_path_of(data, obj))
        raise DataError(
            f"{display}:{where}: duplicate key {key!r} (JSON would keep only the last); "
            "keep one entry per key"
        )
    return data


def stray_bom(display: str, line: int, col: int) -> str:
    """The one line refusing a byte-order mark at ``line``:``col`` of a JSON file (columns
    counted as :class:`json.JSONDecodeError` counts them), in the YAML loader's words."""
    return f"{display}:{line}:{col}: {BOM_MESSAGE}"


def read_json(path: str) -> Any:
    """A JSON data file parsed with exact decimals by the fast reader (size-bounded, NFC, no
    repeated keys); any failure is one located :class:`DataError` line."""
    return _load_json(path, path)


def _read_json(path: str, display: str, rules: RecordRules, overrides: Mapping[str, Any]) -> Population:
    """The fast path for big files: stdlib json, records located by JSON path only."""
    data = _load_json(path, display)
    return read_nested(data, display, json_where(display), rules, overrides)


def json_where(display: str) -> Callable[[Path, bool], str]:
    """Where a node of a JSON records file is: ``file:$.employees[3].indicators[0]``."""
    prefixes: dict[Path, str] = {}

    def where(node: Path, key: bool) -> str:
        # Goal lines of one sheet share everything but the last index: build that part once.
        if node and isinstance(node[-1], int):
            parent = node[:-1]
            prefix = prefixes.get(parent)
            if prefix is None:
                if len(prefixes) > 64:
                    prefixes.clear()
                prefix = prefixes[parent] = f"{display}:{_fast_json_path(parent)}"
            return f"{prefix}[{node[-1]}]"
        return f"{display}:{_fast_json_path(node)}"

    return where


def _fast_json_path(node: Path) -> str:
    """:func:`json_path` for the common plain keys without a regex (called once per goal line)."""
    parts = ["$"]
    for key in node:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif key.isascii() and key.isidentifier():
            parts.append(f".{key}")
        else:
            parts.append(json_path((key,))[1:])
    return "".join(parts)


# VALUE_RULES (engine.errors): loader problems of one value, left as its text: the field it
# fills judges it, so that a ``.nan`` or an unquoted ``yes`` in a number field is one
# employee's problem, not the file's.


def _read_yaml(path: str, display: str, rules: RecordRules, overrides: Mapping[str, Any]) -> Population:
    doc = load_yaml_file(path, display=display, timed=True)
    errors = [d for d in doc.diagnostics if d.severity is Severity.ERROR and d.rule not in VALUE_RULES]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DataError(f"{errors[0].location}: {errors[0].message}{more}")

    def where(node: Path, key: bool) -> str:
        loc = doc.source.locate(node, key=key)
        return f"{display}:{loc.line}:{loc.col}"

    return read_nested(doc.data, display, where, rules, overrides)


def _read_table(
    suffix: str,
    path: str,
    display: str,
    rules: RecordRules,
    overrides: Mapping[str, Any],
    source: TableSource,
) -> Population:
    notes: list[Problem] = []
    if suffix == ".csv":
        if source.sheet is not None:
            raise UsageError(f"{display}: --sheet is for Excel workbooks, not CSV files")
        given = source.encoding if source.encoding is not None else run_encoding()
        found = _read_utf8(path, display, rules) if given is None else None
        if found is None:
            codec, note = choose_encoding(path, display, given)
            if note is not None:
                notes.append(Problem(None, None, "read-encoding", note, display))
            found = read_rows(read_csv_rows(path, display, codec, detected=note is not None), display, rules)
        part = found
    else:
        if source.encoding is not None:
            raise UsageError(f"{display}: --encoding is for CSV files; an Excel workbook names its own")
        info = SheetInfo()
        rows = read_xlsx_rows(
            path,
            display,
            sheet=source.sheet,
            looks_like_header=lambda row: has_id_column(row, rules),
            info=info,
        )
        part = read_rows(rows, display, rules, where=lambda: sheet_hint(info))
        notes.extend(sheet_note(info, display))
    notes.extend(part.notes)
    # A table has no place for parameters: they come from the caller only.
    parameters, parameter_problems = check_parameters(overrides, rules, lambda key: "run-time parameters")
    population = Population(
        part.employees, parameters, {}, {}, None, parameter_problems + part.problems, display
    )
    population.warnings.extend(notes)
    return population


def _read_utf8(path: str, display: str, rules: RecordRules) -> TablePart | None:
    """The CSV table read as UTF-8, which :func:`choose_encoding` chooses for a file that decodes
    as UTF-8 (its sample does too): read through without an error, the file did.
    None when reading fails: then the file is read as before, its encoding chosen first, and the
    error (a byte that is not UTF-8, or any other) is that reading's."""
    try:
        return read_rows(read_csv_rows(path, display, "utf-8-sig"), display, rules)
    except DataError:
        return None


def sheet_note(info: SheetInfo, display: str) -> list[Problem]:
    """The note on the sheets passed over for having no header (none if none was)."""
    if not info.skipped:
        return []
    passed = ", ".join(repr(name) for name in info.skipped)
    message = f"read sheet {info.title!r}: {passed} has no header row with an 'id' column"
    return [Problem(None, None, "read-sheet", message, display)]


def sheet_hint(info: SheetInfo) -> str:
    """Which sheet the header was looked for in, and the others to choose with --sheet."""
    others = [name for name in info.sheets if name != info.title]
    hint = f" (in sheet {info.title!r}"
    if others:
        hint += "; choose another with --sheet: " + ", ".join(repr(name) for name in others)
    return hint + ")"


@dataclass(frozen=True)
class TableSource:
    """How to read a table file: the CSV encoding (None: UTF-8 or detected), the Excel sheet."""

    encoding: str | None = None
    sheet: str | None = None


def ensure_data_file(path: str, suffixes: tuple[str, ...]) -> str:
    """``path``'s lower-case suffix; a one-line DataError if it is not one of ``suffixes`` or
    the file does not exist."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in suffixes:
        listed = f"{', '.join(suffixes[:-1])} or {suffixes[-1]}" if len(suffixes) > 1 else suffixes[0]
        raise DataError(f"{path}: unsupported data file type {suffix or '(none)'!r}; use {listed}")
    if not os.path.lexists(path):
        raise DataError(f"{path}: no such file")
    regular_file(path)  # a FIFO, a device, a directory: refused before anything opens it
    return suffix


def read_population(
    path: str | os.PathLike[str],
    inputs: Mapping[str, Any],
    *,
    scales: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    policy_id: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Population:
    """Read a records file (``.yaml``/``.yml``/``.json``/``.csv``/``.xlsx``) for a policy.

    ``inputs`` is the policy's ``inputs`` section; ``scales`` its ``scales`` (without them a
    ``scale`` field accepts any code); ``parameters`` are run-time values that override the
    file's; ``policy_id``, when given, adds a warning if the file names another policy;
    ``encoding`` (CSV) and ``sheet`` (Excel) say how to read a table (see :class:`TableSource`).
    Notes on how a table was read (encoding detected, title rows skipped, percent cells) are
    warnings of the population.
    """
    display = os.fspath(path)
    suffix = ensure_data_file(display, SUFFIXES)
    rules = compile_inputs(inputs, scales)
    overrides = dict(parameters or {})
    if suffix not in (".csv", ".xlsx") and (encoding is not None or sheet is not None):
        option = "--encoding" if encoding is not None else "--sheet"
        raise UsageError(f"{display}: {option} is for CSV and Excel tables, not {suffix} files")
    with paused_gc():
        if suffix == ".json":
            population = _read_json(display, display, rules, overrides)
        elif suffix in (".yaml", ".yml"):
            population = _read_yaml(display, display, rules, overrides)
        else:
            population = _read_table(suffix, display, display, rules, overrides, TableSource(encoding, sheet))
    population.warnings.extend(policy_mismatch(population.policy_id, policy_id, display))
    return population


def policy_mismatch(found: str | None, policy_id: str | None, display: str) -> list[Problem]:
    """The warning when a data file names (``found``) another policy than ``policy_id``."""
    if policy_id is None or found in (None, policy_id):
        return []
    message = f"the data is for policy {found!r}, not {policy_id!r}"
    return [Problem(None, None, "record-policy-mismatch", message, display)]


def read_csv_range(
    path: str,
    inputs: Mapping[str, Any],
    *,
    start: int,
    end: int,
    first_row: int,
    scales: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> tuple[TablePart, dict[str, Any], list[Problem]]:
    """One byte range of a CSV file read as :func:`read_population` reads the whole file.

    Reads the header (the file's first line) and the lines of bytes ``[start, end)``, whose
    first is the file's row ``first_row`` (see :func:`engine.io.csvfile.read_csv_part` for what
    the range must satisfy). Returns the part, the checked run-time parameters and their
    problems; the part's problems name the file's real rows.
    """
    rules = compile_inputs(inputs, scales)
    with paused_gc():
        rows = read_csv_part(path, path, start, end, first_row)
        header_row, header = next(rows)
        part = read_table_part(header_row, header, rows, path, rules)
    values, problems = check_parameters(dict(parameters or {}), rules, lambda key: "run-time parameters")
    return part, values, problems


def stream_csv(
    path: str,
    inputs: Mapping[str, Any],
    *,
    scales: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    part: tuple[int, int, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    only: str | None = None,
    rules: RecordRules | None = None,
) -> tuple[TableStream, dict[str, Any], list[Problem], list[Problem]]:
    """A CSV file's employees one at a time, as :func:`read_population` reads them.

    ``part`` ``(start, end, first_row)``: only that byte range of the file (see
    :func:`read_csv_range`), decoded as the whole file is; the note on a detected encoding comes
    with the range that starts the table (the whole file's note). ``progress`` is told the
    bytes and rows read so far, now and then.
    ``only``: the employee of that id only (:meth:`TableStream.only`); the lines that cannot
    hold the id are skipped unread when the file allows it (:mod:`engine.io.idrows`).
    Iterating the stream raises :class:`Interleaved` when an employee's rows are not
    consecutive (then read it whole). Returns the stream, the checked run-time parameters,
    their problems, and the notes on how the file was read (an encoding detected; the
    stream's own notes are in its part once it has been read). ``rules``: ``inputs`` and
    ``scales`` compiled already (a caller reading many parts of one file compiles them once).
    """
    ensure_data_file(path, (".csv",))
    rules = rules if rules is not None else compile_inputs(inputs, scales)
    notes: list[Problem] = []
    # (the lines searched for the id are UTF-8's: a file given another encoding is read through)
    searched = part is None and run_encoding() is None
    found = read_id_rows(path, path, only) if only is not None and searched else None
    if found is not None:
        stream = stream_rows(found, path, rules)
    elif part is None:
        codec, note = choose_encoding(path, path, None)
        if note is not None:
            notes.append(Problem(None, None, "read-encoding", note, path))
        rows = read_csv_rows(path, path, codec, progress, detected=note is not None)
        stream = stream_rows(rows, path, rules)
    else:
        rows = read_csv_part(path, path, *part, progress)
        _, note = file_codec(path, path)
        if note is not None and part[0] == header_end(path):  # the first range: the file's note
            notes.append(Problem(None, None, "read-encoding", note, path))
        header_row, header = next(rows)
        stream = TableStream(header_row, header, rows, path, rules)
    if only is not None:
        stream.only(only)
    values, problems = check_parameters(dict(parameters or {}), rules, lambda key: "run-time parameters")
    return stream, values, problems, notes
