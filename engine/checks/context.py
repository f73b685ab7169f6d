"""Shared state of one run of the checks of meaning, and small helpers every family uses."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeGuard

from engine.errors import Diagnostic, Location, Severity
from engine.location import Path, SourceMap, json_path
from engine.suggest import did_you_mean as suggest

Number = int | Decimal


@dataclass
class CheckContext:
    """The policy data, where each node came from, and the diagnostics collected so far."""

    data: Mapping[str, Any]
    source: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def report(
        self,
        path: Path,
        rule: str,
        message: str,
        *,
        suggestion: str | None = None,
        key: bool = False,
        offset: int | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Collect one diagnostic located at ``path`` (its key with ``key``; ``offset`` into a string)."""
        location = self.source.locate(path, key=key)
        if offset is not None and not key and path in self.source.values:
            col = self._offset_column(path, location.col, offset)
            location = Location(location.file, location.line, col, location.path)
        self.diagnostics.append(Diagnostic(location, rule, message, suggestion, severity))

    def _offset_column(self, path: Path, col: int, offset: int) -> int:
        """The column of character ``offset`` of the string at ``path`` starting at ``col``.

        The source map marks where the YAML node starts, which for a quoted scalar is the
        quote itself, so the text starts one further. (A folded or block string spread over
        several lines cannot be mapped by one offset on one line; its start is used then.)
        """
        style = self.source.styles.get(path)
        if style in ("|", ">"):
            return col
        return col + offset + (1 if style in ("'", '"') else 0)


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (absent optional sections)."""
    return value if isinstance(value, Mapping) else {}


def sequence(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def entries(value: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The mapping-valued entries of a mapping (skips scalars such as ``periods.blend``)."""
    for name, item in mapping(value).items():
        if isinstance(item, Mapping):
            yield str(name), item


def is_number(value: Any) -> TypeGuard[int | Decimal]:
    """True for int and Decimal (bool excluded: YAML true is not a number)."""
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def quoted_list(names: Iterable[str]) -> str:
    """``'a', 'b'`` for messages."""
    return ", ".join(f"'{n}'" for n in names)


def did_you_mean(name: str, known: Iterable[str], what: str) -> str:
    """A suggestion for an unknown name: the closest known one, else the list of known ones."""
    choices = sorted({str(k) for k in known})
    match = suggest(name, choices)
    if match:
        return match
    if not choices:
        return f"no {what} are declared"
    return f"known {what}: {', '.join(choices)}"


def at(base: Path, *more: str | int) -> Path:
    """Extend a path (reads better than tuple concatenation at call sites)."""
    return (*base, *more)


def where(path: Path) -> str:
    """A JSON path without the ``$.`` prefix for messages: ``indicator_rules.weight``."""
    return json_path(path)[2:]
