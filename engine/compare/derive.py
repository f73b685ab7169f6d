"""A policy revision written as its base plus declared changes, derived into a whole policy file.

A change file names its base policy (relative to itself) and the values it sets, by the paths
``simulate --vary`` reads (``grade_tables.rating.segments.manager.bands[S].min``)::

    hrpolicy-change: 1
    base: ../../policies/japan_mbo.yaml
    set:
      metadata.version: "2027.1"
      grade_tables.rating.segments.manager.bands[S].min: 108

:func:`derive` writes the base's text with each set value replaced where the base has it (the
loader's marks say where), so every comment and ``# ASSUMPTION:`` of the base stays; the result
is checked to hold exactly the base's data with the values set. A base edited by someone else
is followed by deriving again; a path the base no longer has is a located error.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.compare.simulate import item_index, parse_path, set_value
from engine.errors import UsageError
from engine.loader import load_yaml_file, load_yaml_text
from engine.location import SourceMap
from engine.schema import MODELINE_PREFIX

CHANGE_KEY = "hrpolicy-change"
#: A scalar as written: quoted, or plain up to a flow separator, a comment or the line's end.
_TOKEN = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^,\]}#\n]*[^,\]}#\s]")


@dataclass(frozen=True)
class Derived:
    """The derived policy's text, its base, and the paths set with their old and new values."""

    text: str
    base: Path
    changes: tuple[tuple[str, Any, Any], ...]
    #: Where the derived policy belongs: beside the change file, ``x.change.yaml`` -> ``x.yaml``.
    target: Path


def _read_change(change: Path) -> tuple[Path, dict[str, Any]]:
    doc = load_yaml_file(change)
    if doc.diagnostics:
        raise UsageError(str(doc.diagnostics[0]))
    data = doc.data
    if not isinstance(data, Mapping) or data.get(CHANGE_KEY) != 1:
        raise UsageError(f"{change}: not a change file (a top-level '{CHANGE_KEY}: 1' key)")
    sets = data.get("set")
    if not isinstance(data.get("base"), str) or not isinstance(sets, Mapping) or not sets:
        where = doc.source.locate(())
        raise UsageError(f"{where}: a change file needs 'base: PATH' and 'set: {{PATH: VALUE, ...}}'")
    return change.parent / str(data["base"]), dict(sets)


def _node_path(data: Any, path: str) -> tuple[str | int, ...]:
    """The loader's path (keys and list indexes) of the value ``path`` names (as ``set_value``
    finds it: ``[S]`` is the item whose identity is S)."""
    node, out = data, []
    for part in parse_path(path):
        key: str | int = item_index(node, part[0], path) if isinstance(part, tuple) else part
        out.append(key)
        node = node[key]
    return tuple(out)


def _literal(value: Any) -> str:
    """A value as YAML text: strings quoted (a version "2027.1" stays a string)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _replace(lines: list[str], source: SourceMap, node: tuple[str | int, ...], value: Any, path: str) -> None:
    mark = source.values.get(node)
    if mark is None or source.styles.get(node) in ("|", ">"):
        raise UsageError(f"{source.file}: cannot set {path}: its value is not a single scalar in the file")
    line, col = mark[0] - 1, mark[1] - 1
    text = lines[line]
    token = _TOKEN.match(text, col)
    if token is None:
        raise UsageError(f"{source.file}:{mark[0]}:{mark[1]}: cannot read the value of {path}")
    lines[line] = text[: token.start()] + _literal(value) + text[token.end() :]


def derive(change: str | Path) -> Derived:
    """The policy ``change`` declares: its base's text with the set values in place."""
    change = Path(change)
    base, sets = _read_change(change)
    doc = load_yaml_file(base)
    if doc.diagnostics or not isinstance(doc.data, dict):
        raise UsageError(f"{base}: the base policy does not load")
    expected = copy.deepcopy(doc.data)
    lines = base.read_text(encoding="utf-8").split("\n")
    done = []
    for path, value in sets.items():
        old = set_value(expected, str(path), value)  # a path the base lacks: a usage error
        _replace(lines, doc.source, _node_path(doc.data, str(path)), value, str(path))
        done.append((str(path), old, value))
    target = change.with_name(change.name.replace(".change.", ".", 1))
    head = [
        f"# GENERATED from {change.name} (its base {base.name} plus the values it sets): do not edit;",
        "# edit the change file or the base, then derive again (see docs/compare.md).",
    ]
    if lines and lines[0].startswith(MODELINE_PREFIX):
        schema = (base.parent / lines[0].removeprefix(MODELINE_PREFIX)).resolve()
        moved = Path(os.path.relpath(schema, target.parent.resolve())).as_posix()
        lines[0] = MODELINE_PREFIX + moved  # the schema named from where the derived file is
        head.insert(0, lines.pop(0))
    text = "\n".join([*head, *lines])
    if load_yaml_text(text, str(change)).data != expected:
        raise UsageError(f"{change}: the derived text does not hold the base with the values set")
    return Derived(text, base, tuple(done), target)
