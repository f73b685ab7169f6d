"""The validation pipeline: load (YAML with marks) -> schema -> checks of meaning.

Each stage runs only when the one before found no error, so a check of meaning never sees
data of the wrong shape. Every stage *collects* diagnostics.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.checks import check_policy
from engine.errors import Diagnostic, Location, PolicyInvalid, Severity, UsageError
from engine.loader import LoadedDocument, load_yaml_file
from engine.location import SourceMap
from engine.schema import validate_schema

POLICY_SUFFIXES = (".yaml", ".yml")
MODELINE_PREFIX = "# yaml-language-server: $schema="


@dataclass(frozen=True)
class ValidatedPolicy:
    """A policy that passed every check: its data and where each node came from."""

    file: str
    data: dict[str, Any]
    source: SourceMap
    warnings: tuple[Diagnostic, ...] = ()


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def collect_policy_files(paths: Sequence[str]) -> list[str]:
    """Expand folders into their YAML files (sorted); a path that does not exist is a usage error."""
    found: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                os.path.join(raw, str(p.relative_to(path)))
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix in POLICY_SUFFIXES
            )
        elif os.path.lexists(raw):  # a broken or looping link: reading it says why
            found.append(raw)
        else:
            raise UsageError(f"{raw}: no such file or folder")
    return found


def _modeline(doc: LoadedDocument, raw_first_line: str) -> list[Diagnostic]:
    if raw_first_line.startswith(MODELINE_PREFIX):
        return []
    return [
        Diagnostic(
            Location(doc.file, 1, 1, "$"),
            "policy-modeline",
            "the file does not start with the yaml-language-server modeline",
            suggestion="make the first line '# yaml-language-server: $schema=../schema/policy.schema.json' "
            "so that editors complete and check the file",
            severity=Severity.WARNING,
        )
    ]


def _first_line(path: str) -> str:
    with open(path, "rb") as handle:
        return handle.readline().decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r\n")


def validate_document(doc: LoadedDocument) -> list[Diagnostic]:
    """Schema then meaning over an already loaded document."""
    diagnostics = list(doc.diagnostics)
    if has_errors(diagnostics):
        return diagnostics
    diagnostics += validate_schema(doc.data, doc.source)
    if has_errors(diagnostics):
        return diagnostics
    return diagnostics + check_policy(doc.data, doc.source)


def validate_file(path: str, display: str | None = None) -> list[Diagnostic]:
    """Every diagnostic for one policy file, sorted by location. Raises UsageError if unreadable."""
    doc = load_yaml_file(path, display=display or path)
    diagnostics = validate_document(doc)
    if not has_errors(doc.diagnostics):
        diagnostics += _modeline(doc, _first_line(path))
    return sorted(diagnostics, key=Diagnostic.sort_key)


def load_policy(path: str, display: str | None = None) -> ValidatedPolicy:
    """Load and fully validate a policy; raise :class:`PolicyInvalid` with every error if any."""
    doc = load_yaml_file(path, display=display or path)
    diagnostics = sorted(validate_document(doc), key=Diagnostic.sort_key)
    if has_errors(diagnostics):
        raise PolicyInvalid([d for d in diagnostics if d.severity is Severity.ERROR])
    return ValidatedPolicy(doc.file, doc.data, doc.source, tuple(diagnostics))
