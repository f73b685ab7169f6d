"""Diagnostic renderers in a registry: ``text``, ``json``, ``github``, ``sarif`` and ``junit``.

Every renderer takes the checked files with their diagnostics, as ``skipped`` the YAML files a
folder search passed over (not policies), and as ``stamps`` the stamp (id, version, content
hash) of each checked file that loaded: every format records what it checked. The CLI's
``--format`` choices are this registry's keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from engine.errors import Diagnostic, Severity
from engine.provenance import Stamp

if TYPE_CHECKING:
    from engine.report.labels import Labels

FileDiagnostics = tuple[str, Sequence[Diagnostic]]
Stamps = Mapping[str, Stamp]


def format_text_line(d: Diagnostic, labels: Labels | None = None) -> str:
    """``file:line:col: error [rule] message`` plus an indented suggestion line; a data file's
    problem names its subject: ``file:line:col: E1: error [rule] message``. With ``labels`` in
    a language, the fields the message names are named by their labels too."""
    about = "" if d.subject is None else f"{d.subject}: "
    message = d.message if labels is None else labels.message(d.message)
    line = f"{d.location}: {about}{d.severity.value} [{d.rule}] {message}"
    if d.suggestion:
        line += f"\n  suggestion: {d.suggestion}"
    return line


class Renderer(Protocol):
    """What every entry of :data:`RENDERERS` is."""

    def __call__(
        self, files: Sequence[FileDiagnostics], skipped: Sequence[str] = (), stamps: Stamps | None = None
    ) -> str: ...


def stamp_line(name: str, stamp: Stamp) -> str:
    """``policies/x.yaml: policy x version 1 sha256 1a2b3c4d5e6f`` (the terminal's short hash)."""
    return f"{name}: {stamp.short()}"


def render_text(
    files: Sequence[FileDiagnostics], skipped: Sequence[str] = (), stamps: Stamps | None = None
) -> str:
    """One diagnostic per line (what problem matchers and editors read); ``validate`` writes the
    stamps (:func:`stamp_line`) with its summary on stderr."""
    lines = [format_text_line(d) for _, diags in files for d in diags]
    return "".join(f"{line}\n" for line in lines)


def _count(files: Sequence[FileDiagnostics], severity: Severity) -> int:
    return sum(1 for _, diags in files for d in diags if d.severity is severity)


def summary(files: Sequence[FileDiagnostics], skipped: Sequence[str] = ()) -> str:
    errors, warnings = _count(files, Severity.ERROR), _count(files, Severity.WARNING)
    invalid = sum(1 for _, diags in files if any(d.severity is Severity.ERROR for d in diags))
    plural = "s" if len(files) != 1 else ""
    text = (
        f"checked {len(files)} file{plural}: {len(files) - invalid} valid, {invalid} invalid "
        f"({errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''})"
    )
    if skipped:
        text += f"; skipped {len(skipped)} YAML file{'s' if len(skipped) != 1 else ''} without 'hrpolicy:'"
    return text


def render_json(
    files: Sequence[FileDiagnostics], skipped: Sequence[str] = (), stamps: Stamps | None = None
) -> str:
    """``policies`` first (the stamps, as every JSON report), then each file with its ``policy``
    stamp (null: it did not load) and diagnostics."""
    stamps = stamps or {}
    payload = {
        "policies": [stamps[name].as_dict() for name, _ in files if name in stamps],
        "files": [
            {
                "file": name,
                "policy": stamps[name].as_dict() if name in stamps else None,
                "valid": not any(d.severity is Severity.ERROR for d in diags),
                "diagnostics": [d.to_dict() for d in diags],
            }
            for name, diags in files
        ],
        "errors": _count(files, Severity.ERROR),
        "warnings": _count(files, Severity.WARNING),
        "skipped": list(skipped),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(
    files: Sequence[FileDiagnostics], skipped: Sequence[str] = (), stamps: Stamps | None = None
) -> str:
    """GitHub Actions workflow commands: one ``::error`` / ``::warning`` annotation per diagnostic;
    each file's stamp is a plain line of the job's log (an annotation would clutter the pull
    request with one note per policy)."""
    stamps = stamps or {}
    out = []
    for name, diags in files:
        if name in stamps:
            out.append(f"hrpolicy: {name}: {stamps[name].text()}\n")
        for d in diags:
            loc = d.location
            props = (
                f"file={_escape_property(loc.file)},line={loc.line},col={loc.col},"
                f"title={_escape_property(d.rule)}"
            )
            message = f"[{d.rule}] {d.message}"
            if d.suggestion:
                message += f" (suggestion: {d.suggestion})"
            out.append(f"::{d.severity.value} {props}::{_escape_data(message)}\n")
    return "".join(out)


def render_sarif(
    files: Sequence[FileDiagnostics], skipped: Sequence[str] = (), stamps: Stamps | None = None
) -> str:
    from engine.report import sarif  # (with junit: 6 ms every run that reports problems would import)

    return sarif.render_sarif(files, stamps or {})


def render_junit(
    files: Sequence[FileDiagnostics], skipped: Sequence[str] = (), stamps: Stamps | None = None
) -> str:
    from engine.report import junit  # (xml.etree)

    return junit.render_junit(files, skipped, stamps or {})


RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
    "junit": render_junit,
}
