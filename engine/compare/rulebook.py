"""The rulebook of a policy: every rule in words in one language, the formulas, tables and
thresholds, the sources cited and every assumption (``# ASSUMPTION:`` comment) listed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.compare.facts import scheme_facts
from engine.compare.words import label_in, word
from engine.provenance import Stamp, stamp_of

_MARK = re.compile(r"#\s*ASSUMPTION:\s*(.*)$")
_COMMENT = re.compile(r"^(\s*)#\s?(.*)$")
_LABELLED = re.compile(r"^(ASSUMPTION|POLICY DECISION|Seed|Domain)\b|^[A-Z][\w ]*:")


@dataclass(frozen=True)
class Assumption:
    line: int
    text: str


def assumptions(text: str) -> list[Assumption]:
    """Every ``# ASSUMPTION:`` comment with its continuation lines, joined, with its line number."""
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = _MARK.search(line)
        if match is None or "'" in line[: match.start()] or '"' in line[: match.start()]:
            continue
        parts = [match.group(1).strip()]
        indent = len(line) - len(line.lstrip())
        for nxt in lines[index + 1 :]:
            comment = _COMMENT.match(nxt)
            if comment is None or len(comment.group(1)) != indent or parts[-1].endswith("."):
                break
            body = comment.group(2).strip()
            if not body or _LABELLED.match(body):
                break
            parts.append(body)
        found.append(Assumption(index + 1, " ".join(parts)))
    return found


@dataclass
class Rulebook:
    """What ``hrpolicy doc`` renders, in one language."""

    lang: str
    title: str
    stamp: Stamp
    effective: str
    description: str
    sources: list[str]
    inputs: list[tuple[str, list[list[str]]]]
    sections: list[tuple[str, list[str]]]
    constraints: list[str]
    tables: list[tuple[str, list[str], list[list[str]]]]
    assumptions: list[Assumption] = field(default_factory=list)


def _inputs(data: Mapping[str, Any], lang: str) -> list[tuple[str, list[list[str]]]]:
    out = []
    for level, spec in (data.get("inputs") or {}).items():
        rows = []
        for name, decl in (spec or {}).items():
            kind = str(decl.get("type", "string"))
            if decl.get("values"):
                kind += " (" + ", ".join(str(v) for v in decl["values"]) + ")"
            if "default" in decl:
                default = decl["default"]
                shown = str(default).lower() if isinstance(default, bool) else str(default)
                kind += f", default {shown}"
            rows.append([name, kind, label_in(decl.get("label"), lang, name)])
        out.append((level, rows))
    return out


def _table(name: str, spec: Mapping[str, Any], lang: str) -> tuple[str, list[str], list[list[str]]]:
    title = f"{label_in(spec.get('label'), lang, name)} ({name})"
    values = spec.get("values") or {}
    if "rows" in spec and "columns" in spec:
        cols = [str(c) for c in spec["columns"]["keys"]]
        head = [f"{spec['rows']['name']} \\ {spec['columns']['name']}", *cols]
        rows = [
            [str(r), *(str((values.get(r) or {}).get(c, "")) for c in cols)] for r in spec["rows"]["keys"]
        ]
        return title, head, rows
    keys = spec.get("keys") or {}
    return (
        title,
        [str(keys.get("name", "key")), word("points", lang)],
        [[str(k), str(v)] for k, v in values.items()],
    )


def rulebook(data: Mapping[str, Any], text: str, lang: str = "en") -> Rulebook:
    """The rulebook of a validated policy (``data``) whose file reads ``text``."""
    meta = data["metadata"]
    effective = meta.get("effective") or {}
    sections = [(d.title, list(d.lines)) for d in scheme_facts(data, lang) if d.declared]
    rules = data.get("indicator_rules") or {}
    constraints = [
        f"{c['id']}: {label_in(c.get('message'), lang, c['id'])} ({c.get('when', '')} -> {c.get('check')})"
        for c in rules.get("constraints") or []
    ]
    if rules.get("required_fields"):
        constraints.insert(0, "required: " + ", ".join(rules["required_fields"]))
    return Rulebook(
        lang=lang,
        title=label_in(meta.get("name"), lang, str(meta["id"])),
        stamp=stamp_of(data),
        effective=word("effective", lang, start=effective.get("from", "-"), end=effective.get("to", "-")),
        description=" ".join(label_in(meta.get("description"), lang, "").split()),
        sources=[f"{s.get('seed')}: {s.get('title', '')}" for s in meta.get("sources") or []],
        inputs=_inputs(data, lang),
        sections=sections,
        constraints=constraints,
        tables=[_table(name, spec, lang) for name, spec in (data.get("tables") or {}).items()],
        assumptions=assumptions(text),
    )
