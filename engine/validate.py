"""The validation pipeline: load (YAML with marks) -> schema -> checks of meaning.

Each stage runs only when the one before found no error, so a check of meaning never sees
data of the wrong shape. Every stage *collects* diagnostics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.checks import check_policy
from engine.errors import UNREADABLE, Diagnostic, HRPolicyError, Location, PolicyInvalid, Severity, UsageError
from engine.io.discover import STDIN, discover
from engine.loader import LoadedDocument, load_yaml_file, load_yaml_text
from engine.location import SourceMap
from engine.provenance import Stamp, stamp_of
from engine.schema import MODELINE_PREFIX, modeline_for, validate_schema


@dataclass(frozen=True)
class ValidatedPolicy:
    """A policy that passed every check: its data and where each node came from."""

    file: str
    data: dict[str, Any]
    source: SourceMap
    warnings: tuple[Diagnostic, ...] = ()

    def stamp(self) -> Stamp:
        """The policy's id, version and content hash, recorded with every result."""
        return stamp_of(self.data)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def _modeline(doc: LoadedDocument, raw_first_line: str, where: str | None) -> list[Diagnostic]:
    if raw_first_line.startswith(MODELINE_PREFIX):
        return []
    return [
        Diagnostic(
            Location(doc.file, 1, 1, "$"),
            "policy-modeline",
            "the file does not start with the yaml-language-server modeline",
            suggestion=f"make the first line '{modeline_for(where)}' so that editors complete and check "
            "the file",
            severity=Severity.WARNING,
        )
    ]


def _first_line(raw: bytes) -> str:
    return raw.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")


def _read_head(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.readline()


def validate_document(doc: LoadedDocument) -> list[Diagnostic]:
    """Schema then meaning over an already loaded document."""
    diagnostics = list(doc.diagnostics)
    if has_errors(diagnostics):
        return diagnostics
    diagnostics += validate_schema(doc.data, doc.source)
    if has_errors(diagnostics):
        return diagnostics
    return diagnostics + check_policy(doc.data, doc.source)


@dataclass(frozen=True)
class Checked:
    """One checked policy: its diagnostics (sorted by location) and, when the YAML loaded to a
    mapping, the stamp of what was checked (valid or not: the result names the content it saw)."""

    diagnostics: list[Diagnostic]
    stamp: Stamp | None


def _stamp(doc: LoadedDocument) -> Stamp | None:
    if has_errors(doc.diagnostics) or not isinstance(doc.data, Mapping):
        return None
    return stamp_of(doc.data)


def stamp_text(text: bytes | str, display: str) -> Stamp | None:
    """The stamp of a policy held in memory whose YAML loads (an editor's buffer), unchecked."""
    return _stamp(load_yaml_text(text, display))


def check_file(path: str, display: str | None = None) -> Checked:
    """Every diagnostic for one policy file and its stamp. Raises UsageError if unreadable."""
    doc = load_yaml_file(path, display=display or path)
    diagnostics = validate_document(doc)
    if not has_errors(doc.diagnostics):
        diagnostics += _modeline(doc, _first_line(_read_head(path)), path)
    return Checked(sorted(diagnostics, key=Diagnostic.sort_key), _stamp(doc))


def check_text(text: bytes | str, display: str, where: str | None = None) -> Checked:
    """Every diagnostic for a policy held in memory (standard input, an editor's buffer), and
    its stamp. ``display`` names it in diagnostics; ``where`` is the path it would be saved at,
    if known (the modeline suggestion is relative to it)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    doc = load_yaml_text(raw, display)
    diagnostics = validate_document(doc)
    if not has_errors(doc.diagnostics):
        diagnostics += _modeline(doc, _first_line(raw), where)
    return Checked(sorted(diagnostics, key=Diagnostic.sort_key), _stamp(doc))


def validate_file(path: str, display: str | None = None) -> list[Diagnostic]:
    """Every diagnostic for one policy file, sorted by location. Raises UsageError if unreadable."""
    return check_file(path, display).diagnostics


def validate_text(text: bytes | str, display: str, where: str | None = None) -> list[Diagnostic]:
    """Every diagnostic for a policy held in memory (see :func:`check_text`)."""
    return check_text(text, display, where).diagnostics


def failing(diagnostics: Iterable[Diagnostic], strict: bool) -> bool:
    """Whether the diagnostics fail a run: any error, or under ``strict`` any warning too."""
    worst = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in worst for d in diagnostics)


def load_policy(path: str, display: str | None = None) -> ValidatedPolicy:
    """Load and fully validate a policy; raise :class:`PolicyInvalid` with every error if any."""
    doc = load_yaml_file(path, display=display or path)
    diagnostics = sorted(validate_document(doc), key=Diagnostic.sort_key)
    if has_errors(diagnostics):
        raise PolicyInvalid([d for d in diagnostics if d.severity is Severity.ERROR])
    return ValidatedPolicy(doc.file, doc.data, doc.source, tuple(diagnostics))


FileDiagnostics = tuple[str, list[Diagnostic]]


def _unreadable(path: str, message: str) -> Diagnostic:
    return Diagnostic(Location(path, 0, 0, "$"), UNREADABLE, message)


@dataclass
class Checks:
    """What ``validate`` found: files with diagnostics, the stamp of each that loaded, skipped
    YAML files (not policies), the messages of what could not be read, and standard input (the
    name it is shown as, its bytes) when it was read."""

    files: list[FileDiagnostics] = field(default_factory=list)
    stamps: dict[str, Stamp] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stdin: tuple[str, bytes] | None = None


def check_paths(
    paths: Sequence[str],
    exclude: Sequence[str],
    read_stdin: Callable[[], bytes],
    stdin_name: str | None,
    policies_only: bool = False,
) -> Checks:
    """Validate what ``paths`` name: files, folders (their policies) or ``-`` (standard input,
    read once however often it is named). A missing or unreadable file is a ``file-unreadable``
    diagnostic of that file and a problem.

    ``policies_only`` skips named files without the ``hrpolicy:`` key too, and finding no policy
    is then no error (a pre-commit hook is handed every changed YAML file).
    """
    found = discover(paths, exclude=exclude, sniff_named=policies_only)
    checks = Checks(skipped=found.skipped)
    checks.problems += [f"{path}: no such file or folder" for path in found.missing]
    checks.files += [(path, [_unreadable(path, "no such file or folder")]) for path in found.missing]
    shown_stdin = stdin_name or "<stdin>"
    for path in found.files:
        try:
            shown = shown_stdin if path == STDIN else path
            if path == STDIN:
                checks.stdin = checks.stdin or (shown_stdin, read_stdin())
                checked = check_text(checks.stdin[1], shown, stdin_name)
            else:
                checked = check_file(path)
            checks.files.append((shown, checked.diagnostics))
            if checked.stamp is not None:
                checks.stamps[shown] = checked.stamp
        except UsageError as exc:
            checks.problems.append(str(exc))
            checks.files.append((path, [_unreadable(path, str(exc).removeprefix(f"{path}: "))]))
    if not checks.files and not (policies_only and found.skipped):
        message = f"no policy files (YAML with a top-level 'hrpolicy:' key) found in {', '.join(paths)}"
        checks.problems.append(message)
        checks.files += [(path, [_unreadable(path, message)]) for path in paths]
    return checks


def policy_data(path: str, stdin: tuple[str, bytes] | None = None) -> dict[str, Any] | None:
    """The data of the policy file ``path`` as loaded (``{}`` when it is no mapping), or None if it
    does not load; ``stdin``: the name standard input is shown as, its bytes (read from those)."""
    try:
        if stdin is not None and path == stdin[0]:
            doc = load_yaml_text(stdin[1], path)
        else:
            doc = load_yaml_file(path, display=path)
    except HRPolicyError:
        return None
    return doc.data if isinstance(doc.data, dict) else {}
