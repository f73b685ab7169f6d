"""Safe YAML loading with line marks: text -> plain data, a SourceMap and located diagnostics.

The C parser (libyaml, when PyYAML has it) turns the text into events; this module builds
plain Python data from those events itself, so nothing outside the YAML 1.2 core schema is
ever constructed. Scalars resolve as YAML 1.2 core (``010`` and ``2026-04-01`` stay strings)
and every non-integer number becomes a :class:`~decimal.Decimal` read from its source text.

We walk the event stream rather than ``yaml.compose``: libyaml's composer recurses per nesting
level (it crashes the interpreter on ``[[[[...`` a few ten thousand deep) and its scanner is
quadratic in flow depth, so the depth bound must stop the parse as soon as it is crossed.

Hostile-input guards are named constants: file size, node count after alias expansion (the
"billion laughs"), nesting depth, and the length and exponent of numbers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

import yaml
from yaml import events

import engine.limits as limits
from engine.errors import Diagnostic, Location, Severity, UsageError
from engine.limits import Deadline, nfc, regular_file
from engine.loader.frames import Anchor, Frame, Mark, Slot, fresh_copy
from engine.loader.scalars import (
    COLLECTION_TAGS,
    SCALAR_TAGS,
    TAG_KINDS,
    classify,
    kind_name,
    plain_scalar,
    tag_name,
)
from engine.loader.text import bom_diagnostic, decode, flow_depth_cut, line_col
from engine.location import Path, SourceMap, json_path

# The bounds live with every other reader's in engine.limits; these are their names here.
MAX_FILE_BYTES = limits.MAX_YAML_BYTES
MAX_NODES = limits.MAX_YAML_NODES  # total nodes constructed, alias expansions included
MAX_DEPTH = limits.MAX_YAML_DEPTH  # nested mappings/sequences, alias expansions included
MAX_NUMBER_CHARS = limits.MAX_NUMBER_CHARS  # longest numeral read as a number
MAX_EXPONENT = limits.MAX_EXPONENT  # largest decimal exponent (either sign) of a number

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_NUMBER_CHARS",
    "LoadedDocument",
    "load_yaml_file",
    "load_yaml_text",
    "plain_scalar",
]

_PARSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class LoadedDocument:
    """One loaded file: plain data, where each node came from, and the problems found.

    ``data`` is ``None`` when loading stopped early (syntax, encoding, size, bombs, empty);
    after other errors it holds the best-effort data, which callers should not trust.
    """

    file: str
    data: Any
    source: SourceMap
    diagnostics: list[Diagnostic]


def load_yaml_file(
    path: str | os.PathLike[str], display: str | None = None, *, timed: bool = False
) -> LoadedDocument:
    """Load a YAML (or JSON) file; ``display`` names it in diagnostics (default: the path).

    ``timed``: reading is held to :data:`~engine.limits.MAX_READ_SECONDS` (``data-too-slow``),
    as every data file is; a policy is not, its size and node bounds already bound its time.

    Raises :class:`UsageError` when the file cannot be read or is not a regular file (a FIFO
    would block the read for ever). The size bound is checked on the file's status before
    reading, and the read itself never takes more than the bound.
    """
    name = display if display is not None else os.fspath(path)
    if regular_file(path, name) > MAX_FILE_BYTES:
        return _too_large(name)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    return load_yaml_text(raw, name, timed=timed)


def load_yaml_text(text: bytes | str, file: str, *, timed: bool = False) -> LoadedDocument:
    """Load one YAML (or JSON) document from ``text``; ``file`` names it in diagnostics
    (``timed``: as for :func:`load_yaml_file`)."""
    # A str goes through the same byte checks; "surrogatepass" lets a lone surrogate reach
    # the UTF-8 check instead of raising here.
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(raw) > MAX_FILE_BYTES:
        return _too_large(file)
    decoded = decode(raw, file)
    if isinstance(decoded, Diagnostic):
        return LoadedDocument(file, None, SourceMap(file), [decoded])
    stray = bom_diagnostic(decoded, file)
    if stray is not None:
        return LoadedDocument(file, None, SourceMap(file), [stray])
    cut = flow_depth_cut(decoded)
    if cut is not None:
        # Parse only up to the bracket that crosses the bound: the parser then meets our own
        # depth check, whatever limit (and message) its scanner has, which runs ahead in flow
        # context (PyYAML 6.0.4 stops at 1000 levels with its own error; 6.0.3 does not).
        early = _Builder(file, timed).load(decoded[:cut])
        if any(d.rule == "yaml-too-deep" for d in early.diagnostics):
            return early
    return _Builder(file, timed).load(decoded)


def _too_large(file: str) -> LoadedDocument:
    message = f"the file is larger than the limit of {MAX_FILE_BYTES} bytes"
    diagnostic = Diagnostic(Location(file, 1, 1, "$"), "yaml-too-large", message)
    return LoadedDocument(file, None, SourceMap(file), [diagnostic])


def _mark(event: events.Event) -> Mark:
    mark = event.start_mark
    assert mark is not None  # the parser marks every event
    return mark.line + 1, mark.column + 1


class _Abort(Exception):
    """Stops the walk after a diagnostic that makes the rest of the document meaningless."""


class _Builder:
    """Builds plain data from the event stream of one document, collecting diagnostics."""

    def __init__(self, file: str, timed: bool = False) -> None:
        self.file = file
        self.source = SourceMap(file)
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, Anchor] = {}
        self.stack: list[Frame] = []
        self.nodes = 0
        self.root: Any = None
        self.finished = False
        self.deadline = Deadline(file) if timed else None

    def load(self, text: str) -> LoadedDocument:
        parser: Any = None
        complete = False
        try:
            parser = _PARSER(text)  # the pure-Python reader already checks characters here
            self._document(parser)
            complete = True
        except _Abort:
            pass
        except yaml.MarkedYAMLError as exc:
            self._syntax(exc)
        except yaml.reader.ReaderError as exc:
            self._reader(exc, text)
        finally:
            if parser is not None:
                parser.dispose()
        return LoadedDocument(self.file, self.root if complete else None, self.source, self.diagnostics)

    def _report(self, mark: Mark, path: Path, rule: str, message: str, suggestion: str | None = None) -> None:
        location = Location(self.file, mark[0], mark[1], json_path(path))
        self.diagnostics.append(Diagnostic(location, rule, message, suggestion, Severity.ERROR))

    def _fatal(
        self, mark: Mark, path: Path, rule: str, message: str, suggestion: str | None = None
    ) -> NoReturn:
        self._report(mark, path, rule, message, suggestion)
        raise _Abort

    def _document(self, parser: Any) -> None:
        for _ in self.walk(parser):
            pass

    def walk(self, parser: Any) -> Iterator[None]:
        """Build the document from ``parser``'s events, pausing after each one (a reader of a
        long sequence takes its items as they complete: :mod:`engine.io.yamlstream`)."""
        parser.get_event()  # stream start
        if parser.check_event(events.StreamEndEvent):
            self._fatal((1, 1), (), "yaml-empty", "the document is empty")
        parser.get_event()  # document start
        first = parser.peek_event()
        if isinstance(first, events.ScalarEvent) and first.implicit[0] and first.value == "":
            self._fatal(_mark(first), (), "yaml-empty", "the document is empty")
        while not self.finished:
            event = parser.get_event()
            if self.deadline is not None and self.deadline.expired():
                self._fatal(_mark(event), self._slot().path, "data-too-slow", self.deadline.reason())
            self._event(event)
            yield
        parser.get_event()  # document end
        if parser.check_event(events.DocumentStartEvent):
            message = "the file holds more than one YAML document; a second one starts here"
            suggestion = "keep one document per file: remove the '---' line or split the file"
            self._report(_mark(parser.peek_event()), (), "yaml-multiple-documents", message, suggestion)

    def _event(self, event: events.Event) -> None:
        if isinstance(event, events.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, events.AliasEvent):
            self._alias(event)
        elif isinstance(event, events.MappingStartEvent):
            self._open(event, "map", {})
        elif isinstance(event, events.SequenceStartEvent):
            self._open(event, "seq", [])
        else:  # the end of a mapping or sequence: the parser guarantees the pairing
            self._close()

    def _slot(self) -> Slot:
        if not self.stack:
            return Slot((), True)
        top = self.stack[-1]
        if top.kind == "seq":
            return Slot((*top.slot.path, len(top.items)), top.record)
        if top.awaiting_key:
            return Slot(top.slot.path, False, True)
        return Slot(top.value_path, top.record and top.key is not None)

    def _begin(self, slot: Slot, mark: Mark) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._fatal(mark, slot.path, "yaml-too-large", f"the document has more than {MAX_NODES} nodes")
        if slot.record and not slot.is_key:
            self.source.values[slot.path] = mark

    def _scalar(self, event: events.ScalarEvent) -> None:
        slot, mark = self._slot(), _mark(event)
        self._begin(slot, mark)
        text = nfc(event.value)
        path = (*slot.path, text) if slot.is_key else slot.path
        if event.tag is None and event.implicit[0]:
            value = self._plain(text, mark, path)
        elif event.tag is None or event.tag == "!":  # quoted, block, or the non-specific "!"
            value = text
        else:
            value = self._tagged(event.tag, text, mark, path)
        if event.style and slot.record and not slot.is_key:
            self.source.styles[slot.path] = event.style
        if event.anchor:
            self.anchors[event.anchor] = Anchor(value, 1, 0, True)
        self._complete(value, 0, slot, mark, text)

    def _plain(self, text: str, mark: Mark, path: Path) -> Any:
        kind, value = classify(text)
        if kind == "ambiguous":
            message = f"the unquoted word '{text}' is a boolean in YAML 1.1 and a string in YAML 1.2"
            suggestion = f"quote it ('{text}') if you mean the word, or write false/true for a boolean"
            self._report(mark, path, "yaml-ambiguous-word", message, suggestion)
        self._number_problem(kind, text, mark, path)
        return value

    def _number_problem(self, kind: str, text: str, mark: Mark, path: Path) -> None:
        if kind == "non-finite":
            message = f"'{text}' is not a finite number"
            self._report(mark, path, "yaml-non-finite", message, "write a finite number")
        elif kind == "range":
            shown = text if len(text) <= 24 else text[:20] + "..."
            message = (
                f"the number {shown} is out of range: at most {MAX_NUMBER_CHARS} characters "
                f"and a decimal exponent between -{MAX_EXPONENT} and {MAX_EXPONENT}"
            )
            self._report(mark, path, "yaml-number-range", message)

    def _tagged(self, tag: str, text: str, mark: Mark, path: Path) -> Any:
        name = tag_name(tag)
        if tag not in SCALAR_TAGS:
            self._bad_tag(tag, "a scalar", mark, path)
            return text
        kinds = TAG_KINDS.get(name[2:])
        if kinds is None:  # !!str
            return text
        kind, value = classify(text)
        if kind in kinds:
            return Decimal(text) if name == "!!float" and kind == "int" else value
        if kind in ("range", "non-finite") and name in ("!!int", "!!float"):
            self._number_problem(kind, text, mark, path)
        else:
            self._report(mark, path, "yaml-tag", f"{text!r} is not a valid {name} value")
        return text

    def _bad_tag(self, tag: str, node: str, mark: Mark, path: Path) -> None:
        name = tag_name(tag)
        if tag in SCALAR_TAGS or tag in COLLECTION_TAGS.values():
            self._report(mark, path, "yaml-tag", f"tag {name} cannot mark {node}", "remove the tag")
            return
        message = (
            f"tag {name} is not allowed: only the core tags !!str, !!int, !!float, !!bool, !!null, "
            "!!map and !!seq may be used"
        )
        suggestion = "remove the tag; a policy holds plain data, never objects"
        self._report(mark, path, "yaml-tag", message, suggestion)

    def _alias(self, event: events.AliasEvent) -> None:
        slot, mark, name = self._slot(), _mark(event), str(event.anchor)
        anchor = self.anchors.get(name)
        if anchor is None:
            message = f"alias *{name} refers to no anchor defined before it"
            suggestion = f"define the anchor &{name} before the alias"
            self._fatal(mark, slot.path, "yaml-syntax", message, suggestion)
        if not anchor.complete:
            message = f"alias *{name} refers to a node that contains it (a recursive alias)"
            self._fatal(mark, slot.path, "yaml-alias-bomb", message)
        # Checked before copying: the copy is the expansion the bound protects against.
        if self.nodes + anchor.size > MAX_NODES:
            message = f"alias *{name} expands the document beyond {MAX_NODES} nodes"
            suggestion = "write the repeated part with fewer aliases"
            self._fatal(mark, slot.path, "yaml-alias-bomb", message, suggestion)
        if len(self.stack) + anchor.height > MAX_DEPTH:
            self._too_deep(mark, slot.path)
        self.nodes += anchor.size
        if slot.record and not slot.is_key:
            self.source.values[slot.path] = mark
        self._complete(fresh_copy(anchor.value), anchor.height, slot, mark)

    def _too_deep(self, mark: Mark, path: Path) -> NoReturn:
        self._fatal(mark, path, "yaml-too-deep", f"the document nests deeper than {MAX_DEPTH} levels")

    def _open(self, event: events.CollectionStartEvent, kind: str, items: Any) -> None:
        slot, mark = self._slot(), _mark(event)
        if len(self.stack) >= MAX_DEPTH:
            self._too_deep(mark, slot.path)
        self._begin(slot, mark)
        if event.tag is not None and event.tag not in ("!", COLLECTION_TAGS[kind]):
            self._bad_tag(event.tag, "a mapping" if kind == "map" else "a sequence", mark, slot.path)
        anchor = event.anchor or None
        if anchor:
            self.anchors[anchor] = Anchor()
        self.stack.append(Frame(kind, items, slot, mark, anchor, self.nodes - 1))

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            size = self.nodes - frame.nodes_before
            self.anchors[frame.anchor] = Anchor(frame.items, size, frame.height, True)
        self._complete(frame.items, frame.height, frame.slot, frame.mark)

    def _complete(self, value: Any, height: int, slot: Slot, mark: Mark, text: str | None = None) -> None:
        if not self.stack:
            self.root, self.finished = value, True
            return
        top = self.stack[-1]
        top.height = max(top.height, height + 1)
        if slot.is_key:
            self._key(top, value, mark, text)
        elif top.kind == "seq":
            top.items.append(value)
        else:
            if top.key is not None:
                top.items[top.key] = value
            top.awaiting_key = True

    def _key(self, top: Frame, key: Any, mark: Mark, text: str | None) -> None:
        top.awaiting_key, top.key, top.value_path = False, None, top.slot.path
        if not isinstance(key, str):
            # The source text, not the value: `TRUE:` is reported as TRUE, `1.50:` as 1.50.
            shown = f" {text}" if text else ""
            message = f"the key{shown} is {kind_name(key)}; mapping keys must be strings"
            suggestion = f"quote it ('{text}') to make it a string" if text else None
            self._report(mark, top.slot.path, "yaml-key-type", message, suggestion)
            return
        top.value_path = (*top.slot.path, key)
        first = top.key_marks.get(key)
        if first is not None:
            message = f"duplicate key {key!r} (first defined at line {first[0]}, column {first[1]})"
            self._report(mark, top.value_path, "yaml-duplicate-key", message, "keep one entry per key")
            return
        top.key_marks[key] = mark
        top.key = key
        if top.record:
            self.source.keys[top.value_path] = mark

    def _syntax(self, exc: yaml.MarkedYAMLError) -> None:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = exc.problem or exc.context or "the text is not valid YAML"
        if exc.problem and exc.context and exc.context_mark is not None:
            context = exc.context_mark
            message += f" ({exc.context} at line {context.line + 1}, column {context.column + 1})"
        self._report(where, (), "yaml-syntax", message)

    def _reader(self, exc: yaml.reader.ReaderError, text: str) -> None:
        # libyaml counts the position in UTF-8 bytes, the pure-Python reader in characters.
        if _PARSER is yaml.SafeLoader:
            prefix = text[: exc.position]
        else:
            prefix = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        message = f"{exc.reason} (U+{code:04X})"
        self._report(line_col(prefix), (), "yaml-syntax", message, "remove the invisible character")
