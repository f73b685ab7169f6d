"""Apply a compiled mapping: a canonical person -> one scheme's record, with the reason for every
mapped value (``weight = weight * 100 / kpi_total = 25 * 100 / 50 = 50``)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.compare.mapping import CompiledMapping, FieldRule, Let, RowRule
from engine.compare.population import Person
from engine.errors import HRPolicyError
from engine.formula import Column
from engine.formula.compiler import show
from engine.location import Path


@dataclass
class Mapped:
    """The records document for one scheme, where each record came from, and why each value."""

    document: dict[str, Any]
    origins: dict[Path, Path] = field(default_factory=dict)  # record path -> population path
    explained: dict[str, list[str]] = field(default_factory=dict)  # person id -> lines
    failed: dict[str, str] = field(default_factory=dict)  # person id -> message


class _Skip(Exception):
    pass


def _lets(
    lets: tuple[Let, ...],
    env: dict[str, Any],
    rows: Mapping[str, tuple[Mapping[str, Any], ...]],
    lines: list[str] | None,
    indent: str,
) -> None:
    for let in lets:
        local = dict(env)
        if let.over is not None:
            items = rows.get(let.over, ())
            keys = {k for row in items for k in row}
            local.update({k: Column([row.get(k) for row in items], items, k) for k in keys})
        value = let.formula(local)
        env[let.name] = value
        if lines is not None:  # explaining costs more than computing: only for who is explained
            lines.append(
                f"{indent}{let.name} = {let.formula.text} = {let.formula.explain(local)} = {show(value)}"
            )


def _value(rule: FieldRule, env: Mapping[str, Any], lines: list[str] | None, indent: str) -> tuple[bool, Any]:
    if rule.kind == "value":
        value = rule.source
    elif rule.kind == "from":
        value = env.get(str(rule.source))
    else:
        assert rule.formula is not None
        value = rule.formula(env)
    defaulted = value is None and rule.has_default
    if defaulted:
        value = rule.default
    if value is None:
        return False, None
    if lines is not None:
        lines.append(f"{indent}{rule.target} = {show(value)} ({_why(rule, env, defaulted)})")
    return True, value


def _why(rule: FieldRule, env: Mapping[str, Any], defaulted: bool) -> str:
    if rule.kind == "value":
        why = "constant"
    elif rule.kind == "from":
        why = f"from {rule.source}"
    else:
        assert rule.formula is not None
        why = f"{rule.formula.text} = {rule.formula.explain(env)}"
    return f"{why}: absent, default" if defaulted else why


def _fields(
    rules: tuple[FieldRule, ...], env: Mapping[str, Any], lines: list[str] | None, indent: str
) -> dict[str, Any]:
    out = {}
    for rule in rules:
        present, value = _value(rule, env, lines, indent)
        if present:
            out[rule.target] = value
    return out


def _rows(
    blocks: tuple[RowRule, ...], person: Person, env: Mapping[str, Any], lines: list[str] | None, base: Path
) -> tuple[list[dict[str, Any]], list[Path]]:
    out: list[dict[str, Any]] = []
    origins: list[Path] = []
    for block in blocks:
        items: tuple[Mapping[str, Any], ...] = person.lists.get(block.source, ()) if block.source else ({},)
        for position, item in enumerate(items):
            local = {**env, **item, "position": Decimal(position)}
            if block.when is not None and not block.when(local):
                continue
            if lines is not None:
                label = f"{block.source}[{position}]" if block.source else "line"
                lines.append(f"  {label} -> line {len(out) + 1}:")
            _lets(block.lets, local, person.lists, lines, "    ")
            out.append(_fields(block.fields, local, lines, "    "))
            origins.append((*base, block.source, position) if block.source else base)
    return out, origins


def map_person(
    mapping: CompiledMapping, person: Person, index: int, explain: Container[str] = ()
) -> tuple[dict[str, Any] | None, dict[Path, Path], list[str] | None, str | None]:
    """One person's record under the mapped scheme, as the ``index``-th employee of its records
    document: the record (None when a formula fails), where each of its nodes came from (record
    path -> population path), the reason for every mapped value when the person is in
    ``explain`` (else None), and the failure's message."""
    lines: list[str] | None = [] if person.id in explain else None
    base: Path = ("people", person.index)
    try:
        record, origins = _record(mapping, person, lines, base)
    except HRPolicyError as exc:
        return None, {}, lines, str(exc)
    found: dict[Path, Path] = {("employees", index): base}
    for key, paths in origins.items():
        for line, origin in enumerate(paths):
            found[(*key_path(index, key), line)] = origin
    return record, found, lines, None


def key_path(index: int, sheet: str | None) -> Path:
    """Where a sheet's lines sit in the records document."""
    if sheet is None:
        return ("employees", index, "indicators")
    return ("employees", index, "periods", sheet, "indicators")


def _record(
    mapping: CompiledMapping, person: Person, lines: list[str] | None, base: Path
) -> tuple[dict[str, Any], dict[str | None, list[Path]]]:
    env: dict[str, Any] = dict(person.fields)
    _lets(mapping.lets, env, person.lists, lines, "  ")
    record: dict[str, Any] = {"id": person.id, **_fields(mapping.employee, env, lines, "  ")}
    origins: dict[str | None, list[Path]] = {}
    if mapping.periods:
        record["periods"] = {}
        for name, blocks in mapping.periods.items():
            if lines is not None:
                lines.append(f"  period {name}:")
            rows, origins[name] = _rows(blocks, person, env, lines, base)
            record["periods"][name] = {"indicators": rows}
    else:
        record["indicators"], origins[None] = _rows(mapping.indicators, person, env, lines, base)
    return record, origins
