"""Data files of the ``jobeval``, ``pay`` and ``workflow`` commands: YAML or JSON, read by the YAML
loader so every problem keeps its line:col; located shape checks and unknown-key reports with
"did you mean" for the readers of each file (:mod:`engine.io.jobfile`, :mod:`engine.io.payfile`,
:mod:`engine.workflow.records`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from engine.errors import VALUE_RULES, DataError, Diagnostic, UsageError
from engine.io.records import ensure_data_file
from engine.io.tabledoc import TABLE_SUFFIXES, read_table_document, stream_table_document
from engine.loader import LoadedDocument, load_yaml_file
from engine.location import Path, SourceMap, json_path
from engine.suggest import did_you_mean

T = TypeVar("T")


class DataDocument(Protocol):
    """What the readers use of a loaded data file (a :class:`engine.loader.LoadedDocument`)."""

    @property
    def file(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def source(self) -> SourceMap: ...


#: Suffixes of data files; JSON is read by the YAML loader (JSON is YAML) to keep line:col.
DATA_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json")


@dataclass
class TableReading:
    """A data file that may be a table: its CSV encoding (None: UTF-8 or detected), the sheet of
    a workbook, the file's sections a workbook may hold as sheets, the notes of the reading."""

    encoding: str | None = None
    sheet: str | None = None
    sections: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def read_data_file(
    path: str,
    records: Sequence[str] = (),
    *,
    table: TableReading | None = None,
) -> LoadedDocument:
    """Load a YAML/JSON data file whose top level is a mapping; raise a one-line DataError if not.

    ``records``: the top-level lists whose items are records (employees, jobs, objections). A
    bad value inside one (``.nan``, an unquoted ``yes``, ``1e400``: the loader's
    :data:`~engine.io.records.VALUE_RULES`) is left as its text for :func:`value_problems` to
    make that record's problem; anywhere else (parameters every record uses) it refuses the file.
    ``table``: the file may also be a CSV file or a workbook, read as it says
    (:mod:`engine.io.tabledoc`).
    """
    if table is not None:
        suffix = ensure_data_file(path, (*DATA_SUFFIXES, *TABLE_SUFFIXES))
        if suffix in TABLE_SUFFIXES:
            return read_table_document(
                path, records, table.sections, encoding=table.encoding, sheet=table.sheet, notes=table.notes
            )
        if table.encoding is not None or table.sheet is not None:
            option = "--encoding" if table.encoding is not None else "--sheet"
            raise UsageError(f"{path}: {option} is for CSV and Excel tables, not {suffix} files")
    ensure_data_file(path, DATA_SUFFIXES)
    try:
        doc = load_yaml_file(path, display=path, timed=True)
    except UsageError as exc:  # unreadable: the loader's message already names the file
        raise DataError(str(exc)) from None
    prefixes = tuple(json_path((key,)) for key in records)
    fatal = [d for d in doc.diagnostics if d.rule not in VALUE_RULES or not _inside(d, prefixes)]
    if fatal:
        first = fatal[0]
        more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
        raise DataError(f"{first.location}: {first.message}{more}")
    if not isinstance(doc.data, dict):
        raise DataError(f"{path}:1:1: the file must hold a mapping at the top level")
    return doc


def open_data_file(
    path: str, records: Sequence[str], *, table: TableReading | None = None, stream: bool = False
) -> tuple[LoadedDocument, Iterator[tuple[str, int, dict[str, Any]]] | None]:
    """:func:`read_data_file`, with a CSV file's or a workbook's records read one at a time:
    the document without them and the records (list, index, record); a YAML or JSON file's
    document holds its records (None), unless ``stream`` (records that are an ``employees``
    list): then they are read one at a time too (:func:`engine.io.yamlstream.stream_document`;
    :class:`~engine.io.model.ReadWhole` while iterating: read the file whole instead)."""
    if table is not None and ensure_data_file(path, (*DATA_SUFFIXES, *TABLE_SUFFIXES)) in TABLE_SUFFIXES:
        return stream_table_document(
            path, records, table.sections, encoding=table.encoding, sheet=table.sheet, notes=table.notes
        )
    plain = table is None or (table.encoding is None and table.sheet is None)
    if stream and plain and tuple(records) == ("employees",) and path.lower().endswith(DATA_SUFFIXES):
        from engine.io.yamlstream import stream_document  # (the loader's builder, walked)

        streamed = stream_document(path)
        if streamed is not None:
            return streamed
    return read_data_file(path, records, table=table), None


def _inside(diagnostic: Diagnostic, prefixes: Iterable[str]) -> bool:
    """Whether ``diagnostic`` is at or under a node whose JSON path is one of ``prefixes``."""
    at = diagnostic.location.path
    return any(at == p or at.startswith((p + ".", p + "[")) for p in prefixes)


def value_problems(doc: DataDocument, at: Path, subject: str) -> list[Diagnostic]:
    """The bad values (:data:`~engine.io.records.VALUE_RULES`) inside the record at ``at``, as
    problems about ``subject``: the record is not computed, every other one is."""
    diagnostics = getattr(doc, "diagnostics", ())
    prefix = (json_path(at),)
    return [d.about(subject) for d in diagnostics if d.rule in VALUE_RULES and _inside(d, prefix)]


def where(doc: DataDocument, path: Path) -> str:
    """``file:line:col`` of a node of the data file."""
    return str(doc.source.locate(path))


def need_mapping(doc: DataDocument, path: Path, value: Any, what: str) -> Mapping[str, Any]:
    """``value`` if it is a mapping; else a located DataError naming ``what`` it should be."""
    if not isinstance(value, Mapping):
        raise DataError(f"{where(doc, path)}: {what} must be a mapping, not {_kind(value)}")
    return value


def need_list(doc: DataDocument, path: Path, value: Any, what: str) -> list[Any]:
    """``value`` if it is a list; else a located DataError."""
    if not isinstance(value, list):
        raise DataError(f"{where(doc, path)}: {what} must be a list, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def unknown_keys(
    doc: DataDocument, path: Path, record: Mapping[str, Any], allowed: Iterable[str], what: str
) -> list[Diagnostic]:
    """A ``data-unknown-key`` diagnostic per key outside ``allowed`` (``x-`` keys are free notes)."""
    known = sorted(allowed)
    found = []
    for key in record:
        if key in known or str(key).startswith("x-"):
            continue
        hint = did_you_mean(str(key), known) or "use one of: " + ", ".join(known)
        location = doc.source.locate((*path, key), key=True)
        found.append(Diagnostic(location, "data-unknown-key", f"unknown key '{key}' in {what}", hint))
    return found


def located(doc: DataDocument, at: Path, read: Callable[..., T], *args: Any) -> T:
    """Run a record reader; a DataError it raises gets the record's file:line:col in front."""
    try:
        return read(*args)
    except DataError as exc:
        raise DataError(f"{where(doc, at)}: {exc}") from None
