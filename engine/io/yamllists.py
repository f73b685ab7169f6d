"""A YAML or JSON data file whose records are the items of several top-level lists (a
``workflow`` file's ``notices``, ``objections`` and ``goal_changes``), read a record at a time:
the loader's own builder (the very values and line marks of
:func:`engine.io.datafile.read_data_file`) walks the parser's events, and each item of a listed
top-level sequence is handed on as soon as it is complete, then let go with its line marks.

As :mod:`engine.io.yamlstream` does for one ``employees`` list: the node bound counts per record
(and the file's top level), the file's size is bounded as a table's, anchors defined inside a
record are forgotten after it, and what only the whole read can report (a problem of the
loader's own, an alias to an earlier record, a list that is anchored, a bad value outside the
records) raises :class:`~engine.io.model.ReadWhole`. The lists may come in any order, with any
other top-level keys before, between or after them (in the document's ``data`` once read).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import IO, Any

from yaml import events

import engine.limits as limits
import engine.loader as loader
from engine.errors import DataError, Diagnostic, UsageError
from engine.io.model import ReadWhole
from engine.io.yamlstream import YamlItems, _BomGuard, _Sink, _StreamBuilder
from engine.location import json_path


class ListItems(_Sink):
    """A listed top-level sequence in the builder: each item queued (with the list's name), not
    kept; the document's ``data`` holds this object in the list's place."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


def is_streamed(value: Any) -> bool:
    """Whether a value of the document's ``data`` is a list whose items were streamed."""
    return isinstance(value, ListItems)


class _ListsBuilder(_StreamBuilder):
    """The loader's builder with every top-level sequence named in ``keys`` replaced, in turn, by
    a :class:`ListItems`."""

    def _open(self, event: events.CollectionStartEvent, kind: str, items: Any) -> None:
        loader._Builder._open(self, event, kind, items)
        frame = self.stack[-1]
        path = frame.slot.path
        if kind == "seq" and len(self.stack) == 2 and len(path) == 1 and path[0] in self.keys:
            if frame.anchor:
                raise ReadWhole(f"the {path[0]} list is anchored")
            self.list_path = path
            self.sink = frame.items = ListItems(str(path[0]))
            self.list_nodes = self.nodes
            self.head_anchors = set(self.anchors)


class YamlLists(YamlItems):
    """The records of a YAML or JSON file's top-level lists ``keys``, one at a time:
    :meth:`records` (once) gives (list, index, record), the record's line marks in :attr:`source` and its
    values' problems in :attr:`values` while it is used. The walk and its problems are
    :class:`~engine.io.yamlstream.YamlItems`' (a list of ``employees``, there)."""

    def __init__(self, path: str, keys: Sequence[str]) -> None:  # (not YamlItems': other lists)
        self.progress, self.after = None, None
        self.values: list[Diagnostic] = []
        self.raw = open(path, "rb")  # noqa: SIM115 (closed when the items are read, or dropped)
        self.text: IO[str] = io.TextIOWrapper(self.raw, encoding="utf-8-sig", newline="")
        self.builder = _ListsBuilder(path, tuple(keys))
        self.source = self.builder.source
        self.parser: Any = None
        try:
            self.parser = loader._PARSER(_BomGuard(self.text, path))
            self.steps = self.builder.walk(self.parser)
            self._advance(lambda: self.builder.sink is not None or self._started())
        except BaseException:
            self.close()
            raise
        if not isinstance(self.root, dict):
            self.close()
            raise ReadWhole("not a mapping")
        self.head = self.root

    @property
    def root(self) -> Any:
        """The document's top level (the lists' items not in it), once it has begun."""
        return self.builder.stack[0].items if self.builder.stack else self.builder.root

    def _started(self) -> bool:
        return bool(self.builder.stack) or self.builder.finished

    def _ready(self) -> bool:
        sink = self.builder.sink
        return (sink is not None and bool(sink.ready)) or self.builder.finished

    def records(self) -> Iterator[tuple[str, int, Any]]:
        """The records, each as (list, index, record), once."""
        deadline = self.builder.deadline
        try:
            while True:
                self._advance(self._ready)
                sink = self.builder.sink
                if sink is None or not sink.ready:
                    break
                assert isinstance(sink, ListItems)
                while sink.ready:
                    index, record = sink.ready.popleft()
                    inside = json_path((sink.key, index))
                    if any(not _within(d.location.path, inside) for d in self.values):
                        raise ReadWhole("a bad value outside the records")
                    waited = limits.clock()
                    yield sink.key, index, record
                    if deadline is not None:  # the consumer's time is not reading
                        deadline.pause(limits.clock() - waited)
                    self.done(index)  # (its list is the builder's: it has not moved on)
                    self.values.clear()
            self._advance(lambda: False)  # the document's end: a second one is a problem
            if self.values:
                raise ReadWhole("a bad value after the records")
        finally:
            self.close()


def stream_lists_document(
    path: str, keys: Sequence[str]
) -> tuple[loader.LoadedDocument, Iterator[tuple[str, int, Any]]] | None:
    """A YAML or JSON data file whose records are the items of the top-level lists ``keys``, as
    :func:`engine.io.datafile.read_data_file` reads it, a record at a time: the document (its
    ``data`` the top level, each list streamed a :class:`ListItems`, complete once the records are
    read) and the records, each as (list, index, record), in the file's order. While a record is
    used, the document's source map locates it and its ``diagnostics`` are its values' problems
    (and nothing else's). None when the file is not to be streamed (the whole read says why);
    while iterating, :class:`ReadWhole` for what the whole read alone reports."""
    try:
        limits.check_table_size(path, path)
        items = YamlLists(path, keys)
    except (ReadWhole, UsageError, DataError, OSError):
        return None
    if items.values:  # a bad value before the first list: the whole read's error
        items.close()
        return None
    doc = loader.LoadedDocument(path, items.root, items.source, items.values)
    return doc, items.records()


def _within(at: str, inside: str) -> bool:
    return at == inside or at.startswith((inside + ".", inside + "["))


__all__ = ["ListItems", "YamlLists", "is_streamed", "stream_lists_document"]
