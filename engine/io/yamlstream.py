"""A YAML records file read an employee at a time: the loader's own builder
(:class:`engine.loader._Builder`, the very values and line marks of the whole read) walks the
parser's events from the file, and each item of the top-level ``employees`` list is handed on
as soon as it is complete, then let go with its line marks.

The node bound counts per employee (and the file's top level) instead of for the whole file,
and the file's size is bounded as a table's, since memory no longer grows with the list.
Anchors defined inside an employee are forgotten after it; an alias to one from a later
employee, any problem of the loader's own (a syntax error, a key used twice, a bad tag: its
report counts every one in the file), a list that is not at the top level, the policy,
parameters or org units after the list: all these raise :class:`~engine.io.model.ReadWhole`,
and the whole read gives its very message.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable, Iterator
from typing import IO, Any

import yaml
from yaml import events

import engine.loader as loader
from engine.errors import VALUE_RULES, DataError, Diagnostic, UsageError
from engine.io.model import ReadWhole
from engine.loader.text import BOM_MESSAGE, line_col
from engine.location import Path, json_path

#: Items between two calls of a progress callback.
PROGRESS_EVERY = 256
#: Top-level keys that may follow the list without changing what its employees are.
AFTER_LIST = frozenset({"$schema"})


class _Sink:
    """Stands for the employees list in the builder: each item is queued, not kept."""

    def __init__(self) -> None:
        self.count = 0
        self.ready: deque[tuple[int, Any]] = deque()

    def append(self, value: Any) -> None:
        self.ready.append((self.count, value))
        self.count += 1

    def __len__(self) -> int:  # the builder numbers the next item by it
        return self.count


class _StreamBuilder(loader._Builder):
    """The loader's builder with the employees list replaced by a :class:`_Sink`."""

    def __init__(self, file: str, keys: tuple[str, ...] = ("employees",)) -> None:
        super().__init__(file, timed=True)
        self.keys = keys
        self.list_path: Path = (keys[0],)
        self.sink: _Sink | None = None
        self.list_nodes = 0
        self.head_anchors: set[str] = set()
        self.dropped: set[str] = set()

    def _open(self, event: events.CollectionStartEvent, kind: str, items: Any) -> None:
        super()._open(event, kind, items)
        frame = self.stack[-1]
        path = frame.slot.path
        listed = len(path) == 1 and path[0] in self.keys
        if self.sink is None and kind == "seq" and len(self.stack) == 2 and listed:
            self.list_path = path
            if frame.anchor:
                raise ReadWhole(f"the {self.list_path[0]} list is anchored")
            self.sink = frame.items = _Sink()
            self.list_nodes = self.nodes
            self.head_anchors = set(self.anchors)

    def _complete(self, value: Any, height: int, slot: Any, mark: Any, text: str | None = None) -> None:
        super()._complete(value, height, slot, mark, text)
        if self.sink is not None and len(self.stack) == 2 and self.stack[-1].items is self.sink:
            # An employee is complete: its nodes and anchors no longer count.
            self.nodes = self.list_nodes
            for name in [name for name in self.anchors if name not in self.head_anchors]:
                del self.anchors[name]
                self.dropped.add(name)

    def _alias(self, event: events.AliasEvent) -> None:
        name = str(event.anchor)
        if name in self.dropped and name not in self.anchors:
            raise ReadWhole(f"alias *{name} to an earlier employee")
        super()._alias(event)


class _BomGuard:
    """The file's text as the parser reads it, refusing a byte-order mark after the first
    character where the whole read does (:func:`engine.loader.text.stray_bom`), with its words."""

    def __init__(self, text: IO[str], display: str) -> None:
        self.text, self.display = text, display
        self.lines = 0  # newlines read so far
        self.tail = 0  # characters read since the last newline

    def read(self, size: int = -1) -> str:
        chunk = self.text.read(size)
        at = chunk.find("\ufeff")
        if at >= 0:
            line, col = line_col(chunk[:at])
            col += self.tail if line == 1 else 0
            raise DataError(f"{self.display}:{self.lines + line}:{col}: {BOM_MESSAGE}")
        newlines = chunk.count("\n")
        self.lines += newlines
        self.tail = len(chunk) - chunk.rfind("\n") - 1 if newlines else self.tail + len(chunk)
        return chunk


class YamlItems:
    """A YAML records file's top level up to its ``employees`` list (:attr:`head`, :attr:`source`
    for the line marks), then the list's items one at a time (iterating, once); ``values``
    collects the loader's problems with values (``.nan``, ``1e400``) as they are met. ``key``
    names the list (a canonical population's is ``people``; of several, the first met,
    :attr:`key`); ``after``: the top-level keys that may follow it (None: any, in :attr:`head`
    once read)."""

    def __init__(
        self,
        path: str,
        display: str,
        progress: Callable[[int, int], None] | None = None,
        values: list[Diagnostic] | None = None,
        *,
        key: str | tuple[str, ...] = "employees",
        after: frozenset[str] | None = AFTER_LIST,
    ) -> None:
        self.progress, self.after = progress, after
        #: Where the values' problems go (None: they are dropped, the fields judge the text).
        self.values = values
        self.raw = open(path, "rb")  # noqa: SIM115 (closed when the items are read, or dropped)
        self.text: IO[str] = io.TextIOWrapper(self.raw, encoding="utf-8-sig", newline="")
        self.builder = _StreamBuilder(display, (key,) if isinstance(key, str) else key)
        self.source = self.builder.source
        self.parser: Any = None
        try:
            self.parser = loader._PARSER(_BomGuard(self.text, display))
            self.steps = self.builder.walk(self.parser)
            self._advance(lambda: self.builder.sink is not None)
        except BaseException:
            self.close()
            raise
        root = self.builder.stack[0].items if self.builder.stack else None
        if not isinstance(root, dict):
            self.close()
            raise ReadWhole("not a mapping")
        self.head: dict[str, Any] = root

    def _advance(self, until: Callable[[], bool]) -> None:
        """Walk the events until ``until()`` (or the end): ReadWhole on any loader problem."""
        builder, steps = self.builder, self.steps
        try:
            while not until():
                if next(steps, StopIteration) is StopIteration:
                    break
                if builder.diagnostics:
                    self._problems()
        except loader._Abort:
            self._problems()  # the problem that stopped the walk
            raise ReadWhole("stopped") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ReadWhole(f"{type(exc).__name__}: {exc}") from None
        if builder.diagnostics:
            self._problems()

    def _problems(self) -> None:
        """A value's problem is its employee's (the field judges its text); any other one's
        report needs the whole file."""
        found = self.builder.diagnostics
        slow = next((d for d in found if d.rule == "data-too-slow"), None)
        if slow is not None:  # the whole read would only take longer
            raise DataError(f"{slow.location}: {slow.message}")
        if any(d.rule not in VALUE_RULES for d in found):
            raise ReadWhole(found[0].message)
        if self.values is not None:
            self.values.extend(found)
        found.clear()

    def done(self, index: int) -> None:
        """Forget the line marks of item ``index`` (the last ones recorded)."""
        key = self.key
        for table in (self.source.values, self.source.keys, self.source.styles):
            while table:
                last = next(reversed(table))
                if len(last) < 2 or last[0] != key or last[1] != index:
                    break
                table.popitem()

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        sink = self.builder.sink
        assert sink is not None
        try:
            while True:
                self._advance(lambda: bool(sink.ready) or self.builder.finished)
                if not sink.ready:
                    break
                while sink.ready:
                    yield sink.ready.popleft()
                if self.progress is not None and sink.count % PROGRESS_EVERY == 0:
                    self.progress(self.raw.tell(), sink.count)
            self._advance(lambda: False)  # the document's end: a second one is a problem
            self._tail()
            if self.progress is not None:
                self.progress(self.raw.tell(), sink.count)
        finally:
            self.close()

    @property
    def key(self) -> str:
        """The list read (of several keys, the first met)."""
        return str(self.builder.list_path[0])

    def _tail(self) -> None:
        keys = list(self.head)
        for key in keys[keys.index(self.key) + 1 :]:
            if self.after is not None and key not in self.after and not str(key).startswith("x-"):
                raise ReadWhole(f"{key} after the {self.key}")

    def close(self) -> None:
        if self.parser is not None:
            self.parser.dispose()
        self.raw.close()


def stream_document(path: str) -> tuple[loader.LoadedDocument, Iterator[tuple[str, int, Any]]] | None:
    """A YAML or JSON data file whose records are its ``employees`` list (a ``pay`` file), as
    :func:`engine.io.datafile.read_data_file` reads it, a record at a time: the document
    without the records (what comes before the list), and the records, each as (list, index,
    record), as :func:`engine.io.tabledoc.stream_table_document` gives a table's. While a
    record is used, the document's source map locates it and its ``diagnostics`` are its
    values' problems (and nothing else's). None when the file is not to be streamed (the whole
    read says why: not a regular file, no mapping, no ``employees`` list, any problem of the
    loader's or a bad value before the list); while iterating, :class:`ReadWhole` for what
    the whole read alone reports (a problem further on, a bad value or a key after the list).

    The file is bounded as a streamed records file is (:data:`~engine.limits.MAX_TABLE_BYTES`,
    the node bound per record); JSON is read as YAML, as the whole read reads it."""
    import engine.limits as limits

    try:
        limits.check_table_size(path, path)
        values: list[Diagnostic] = []
        items = YamlItems(path, path, values=values)
    except (ReadWhole, UsageError, DataError):
        return None
    if items.builder.sink is None or values:  # no list; a bad value outside it: the whole read's error
        items.close()
        return None
    doc = loader.LoadedDocument(path, items.head, items.source, values)
    return doc, _records(items, values)


def _records(items: YamlItems, values: list[Diagnostic]) -> Iterator[tuple[str, int, Any]]:
    """The items of ``employees``, each with its values' problems only, let go once used."""
    for index, record in items:
        inside = json_path((items.key, index))
        if any(not _within(d.location.path, inside) for d in values):
            raise ReadWhole("a bad value outside the employees")
        yield "employees", index, record
        items.done(index)
        values.clear()
    keys = list(items.head)
    if values or any(not str(k).startswith("x-") for k in keys[keys.index("employees") + 1 :]):
        raise ReadWhole("a bad value or a key after the employees")


def _within(at: str, inside: str) -> bool:
    return at == inside or at.startswith((inside + ".", inside + "["))
