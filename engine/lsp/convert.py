"""What the language server publishes, computed without the LSP library: ``validate``'s
diagnostics moved to LSP positions (0-based lines, UTF-16 columns), with a range over the word
each one points at and, for a "did you mean" suggestion, the replacement a quick fix applies;
and the policy's stamp (id, version, content hash of the buffer as it is now) shown on hover
over the ``metadata:`` block, so that an editor names the rulebook a result will record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import Diagnostic, HRPolicyError, Severity
from engine.io.discover import POLICY_KEY, text_has_top_level_key
from engine.loader import load_yaml_text
from engine.report.labels import LANGUAGES, Labels
from engine.validate import stamp_text, validate_text

_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'\?")
_WORD = re.compile(r"[\w.-]+")


@dataclass(frozen=True)
class EditorDiagnostic:
    """One diagnostic as an editor shows it: 0-based line, UTF-16 start and end columns."""

    line: int
    start: int
    end: int
    severity: Severity
    rule: str
    message: str
    replacement: str | None  # the did-you-mean word, when the suggestion names one


def utf16(text: str) -> int:
    """How many UTF-16 code units ``text`` takes (LSP's default column unit)."""
    return len(text.encode("utf-16-le")) // 2


def replacement_of(suggestion: str | None) -> str | None:
    """The word a "did you mean 'x'?" suggestion proposes."""
    found = _DID_YOU_MEAN.search(suggestion or "")
    return found.group(1) if found else None


def _span(line_text: str, col: int) -> tuple[int, int]:
    """The UTF-16 start and end of the word at 1-based column ``col`` (one character if none)."""
    index = max(col - 1, 0)
    word = _WORD.match(line_text, index)
    end = word.end() if word else min(index + 1, len(line_text))
    return utf16(line_text[:index]), utf16(line_text[:end])


def editor_diagnostics(
    text: str, path: str | None, *, schema: bool = False, lang: str | None = None
) -> list[EditorDiagnostic]:
    """``validate``'s diagnostics of a policy held in an editor; none for YAML that is no policy.

    Shape errors (``schema-*``) are left to yaml-language-server, which reads the same schema,
    unless ``schema`` asks for them. ``lang``: the fields messages name are given by the
    policy's labels in that language too.
    """
    raw = text.encode("utf-8", "surrogatepass")
    if not text_has_top_level_key(raw, POLICY_KEY):
        return []
    display = str(Path(path).name) if path else "<editor>"
    lines = text.split("\n")
    labels = _labels(raw, display, lang)
    found = []
    for d in validate_text(raw, display, path):
        if d.rule.startswith("schema-") and not schema:
            continue
        found.append(_moved(labels.diagnostic(d), lines))
    return found


def _labels(raw: bytes, display: str, lang: str | None) -> Labels:
    """The policy's labels in ``lang`` (none without one, or when the text does not load)."""
    if lang is None:
        return Labels({})
    try:
        data = load_yaml_text(raw, display).data
    except HRPolicyError:
        return Labels({})
    return Labels(data if isinstance(data, dict) else {}, lang)


def language_of(options: Any, locale: str | None, default: str | None = None) -> str | None:
    """The editor's language: ``initializationOptions.lang``, else ``default`` (``--lang``),
    else the client's locale (``ko-KR`` -> ``ko``) when it is one of the report languages."""
    asked = options.get("lang") if isinstance(options, dict) else None
    if asked in LANGUAGES:
        return str(asked)
    if default is not None:
        return default
    base = (locale or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def _moved(d: Diagnostic, lines: list[str]) -> EditorDiagnostic:
    line = max(d.location.line - 1, 0)
    line_text = lines[line].rstrip("\r") if line < len(lines) else ""
    start, end = _span(line_text, d.location.col)
    message = d.message + (f"\nsuggestion: {d.suggestion}" if d.suggestion else "")
    return EditorDiagnostic(line, start, end, d.severity, d.rule, message, replacement_of(d.suggestion))


def _metadata_lines(lines: list[str]) -> range:
    """The 0-based lines of the top-level ``metadata:`` block (empty when there is none)."""
    start = next((i for i, line in enumerate(lines) if re.match(r"metadata\s*:", line)), None)
    if start is None:
        return range(0)
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t", "#")):
        end += 1
    return range(start, end)


def stamp_hover(text: str, line: int) -> str | None:
    """The hover over 0-based ``line``: on the ``metadata:`` block of a policy whose YAML loads,
    its stamp as every result records it (the full hash), computed from the buffer as it is."""
    raw = text.encode("utf-8", "surrogatepass")
    if not text_has_top_level_key(raw, POLICY_KEY) or line not in _metadata_lines(text.split("\n")):
        return None
    stamp = stamp_text(raw, "<editor>")
    if stamp is None:
        return None
    return (
        f"**{stamp.id}** version **{stamp.version}**\n\n"
        f"sha256 `{stamp.sha256}`\n\n"
        "The stamp every hrpolicy result records for the policy as this buffer holds it now "
        "(comments and layout do not change it, any value does)."
    )
