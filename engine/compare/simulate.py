"""What-if over one declared value: the policy with that value set to each of several values,
validated again (a variant that breaks a rule is reported, not run) and evaluated.

A path names the value: dotted keys, and ``[x]`` for the item of a list whose identity
(``grade``, ``id``, ``code``...) is ``x`` or, for a number, the item at that index:
``grade_tables.rating.segments.manager.bands[S].min``. Several paths joined by ``+`` take
the same value (the S threshold and the A band's upper bound are one boundary).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.compare.diff import IDENTITY_KEYS
from engine.compile import compile_policy
from engine.errors import Diagnostic, Severity, UsageError
from engine.evaluate import Engine
from engine.evaluate.sheet import compile_sheet_rules
from engine.loader import LoadedDocument, load_yaml_text
from engine.validate import ValidatedPolicy, validate_document

_PART = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def parse_path(text: str) -> list[str | tuple[str]]:
    """``a.b[S].c`` -> ``["a", "b", ("S",), "c"]``; a usage error if it is not a path."""
    parts: list[str | tuple[str]] = []
    pos = 0
    for match in _PART.finditer(text):
        between = text[pos : match.start()]
        if between not in ("", "."):
            raise UsageError(f"--vary: cannot read the path {text!r} at {between!r}")
        parts.append(match.group(1) if match.group(1) is not None else (match.group(2),))
        pos = match.end()
    if not parts or text[pos:]:
        raise UsageError(f"--vary: cannot read the path {text!r}")
    return parts


def parse_vary(text: str) -> tuple[list[str], list[Any]]:
    """``PATH[+PATH...]=V1,V2,...`` -> the paths and the values (read as YAML scalars)."""
    paths, sep, values = text.partition("=")
    if not sep or not values.strip() or not paths.strip():
        raise UsageError(f"--vary {text!r}: write PATH=V1,V2,... (e.g. periods.midterm.weight=10,20)")
    parsed = []
    for raw in values.split(","):
        doc = load_yaml_text(raw.strip(), "--vary")
        if doc.diagnostics or isinstance(doc.data, dict | list) or doc.data is None:
            raise UsageError(f"--vary: {raw.strip()!r} is not a single value")
        parsed.append(doc.data)
    return [p.strip() for p in paths.split("+")], parsed


def item_index(items: list[Any], key: str, path: str) -> int:
    """The index of the item ``[key]`` names: its identity (``grade``, ``id``...), else a number."""
    for name in IDENTITY_KEYS:
        for index, item in enumerate(items):
            if isinstance(item, Mapping) and str(item.get(name)) == key:
                return index
    if key.isdigit() and int(key) < len(items):
        return int(key)
    raise UsageError(f"--vary: no item [{key}] in {path}")


def set_value(data: dict[str, Any], path: str, value: Any) -> Any:
    """Set the value at ``path`` (which must exist) in ``data``; return the value it had."""
    parts = parse_path(path)
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        shown = path if last else ".".join(str(p) for p in parts[: depth + 1])
        if isinstance(part, tuple):
            if not isinstance(node, list):
                raise UsageError(f"--vary: {shown} is not a list")
            key: Any = item_index(node, part[0], shown)
        else:
            if not isinstance(node, dict) or part not in node:
                raise UsageError(f"--vary: the policy has no value at {shown}")
            key = part
        if last:
            before = node[key]
            if isinstance(before, dict | list):
                raise UsageError(f"--vary: {path} is a section, not a single value")
            node[key] = value
            return before
        node = node[key]
    raise UsageError(f"--vary: empty path {path!r}")


@dataclass(frozen=True)
class Variant:
    """The policy with the varied value set: its engine, or the problems that make it invalid."""

    value: Any
    engine: Engine | None
    problems: tuple[Diagnostic, ...]


def variants(base: Engine, paths: Sequence[str], values: Sequence[Any]) -> tuple[list[Any], list[Variant]]:
    """One variant per value; also the value each path has in the policy as written."""
    current = []
    for path in paths:
        probe = copy.deepcopy(base.source.data)
        current.append(set_value(probe, path, None))
    out = []
    for value in values:
        data = copy.deepcopy(base.source.data)
        for path in paths:
            set_value(data, path, value)
        doc = LoadedDocument(base.source.file, data, base.source.source, [])
        errors = [d for d in validate_document(doc) if d.severity is Severity.ERROR]
        if errors:
            out.append(Variant(value, None, tuple(sorted(errors, key=Diagnostic.sort_key))))
            continue
        source = ValidatedPolicy(base.source.file, data, base.source.source)
        out.append(Variant(value, Engine(source, compile_policy(source), compile_sheet_rules(data)), ()))
    return current, out
