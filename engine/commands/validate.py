"""``hrpolicy validate``: files, folders or standard input in, diagnostics out, an exit code back.

Every outcome, a missing or unreadable file included, is reported in the chosen format: a file
that cannot be read is a ``file-unreadable`` diagnostic of that file (exit 2). Text keeps its
one-line ``hrpolicy: ...`` message on stderr for those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine.errors import Diagnostic, HRPolicyError, Location, UsageError
from engine.io.discover import STDIN, discover
from engine.loader import load_yaml_file, load_yaml_text
from engine.provenance import Stamp
from engine.report import renderer
from engine.report.diagnostics import RENDERERS, stamp_line, summary
from engine.report.labels import Labels
from engine.report.rules import UNREADABLE
from engine.validate import check_file, check_text, failing

Reader = Callable[[], bytes]
FileDiagnostics = tuple[str, list[Diagnostic]]


def _unreadable(path: str, message: str) -> Diagnostic:
    return Diagnostic(Location(path, 0, 0, "$"), UNREADABLE, message)


@dataclass
class Checks:
    """What ``validate`` found: files with diagnostics, the stamp of each that loaded, skipped
    YAML files (not policies) and the messages of what could not be read."""

    files: list[FileDiagnostics] = field(default_factory=list)
    stamps: dict[str, Stamp] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_paths(
    paths: Sequence[str],
    exclude: Sequence[str],
    read_stdin: Reader,
    stdin_name: str | None,
    policies_only: bool = False,
) -> Checks:
    """Validate what ``paths`` name.

    ``policies_only`` skips named files without the ``hrpolicy:`` key too, and finding no policy
    is then no error (a pre-commit hook is handed every changed YAML file).
    """
    found = discover(paths, exclude=exclude, sniff_named=policies_only)
    files: list[FileDiagnostics] = []
    stamps: dict[str, Stamp] = {}
    problems = [f"{path}: no such file or folder" for path in found.missing]
    files += [(path, [_unreadable(path, "no such file or folder")]) for path in found.missing]
    for path in found.files:
        try:
            shown = (stdin_name or "<stdin>") if path == STDIN else path
            checked = check_text(read_stdin(), shown, stdin_name) if path == STDIN else check_file(path)
            files.append((shown, checked.diagnostics))
            if checked.stamp is not None:
                stamps[shown] = checked.stamp
        except UsageError as exc:
            problems.append(str(exc))
            files.append((path, [_unreadable(path, str(exc).removeprefix(f"{path}: "))]))
    if not files and not (policies_only and found.skipped):
        message = f"no policy files (YAML with a top-level 'hrpolicy:' key) found in {', '.join(paths)}"
        problems.append(message)
        files += [(path, [_unreadable(path, message)]) for path in paths]
    return Checks(files, stamps, found.skipped, problems)


def in_language(
    files: list[FileDiagnostics], lang: str | None, stdin: tuple[str, bytes] | None = None
) -> list[FileDiagnostics]:
    """Each file's diagnostics with the fields their messages name given by the policy's labels
    in ``lang`` (:meth:`~engine.report.labels.Labels.diagnostic`); a file that does not load
    keeps its messages as they are. ``stdin``: the name standard input is shown as, its bytes."""
    if lang is None:
        return files
    out: list[FileDiagnostics] = []
    for path, diagnostics in files:
        try:
            if stdin is not None and path == stdin[0]:
                doc = load_yaml_text(stdin[1], path)
            else:
                doc = load_yaml_file(path, display=path)
        except HRPolicyError:
            out.append((path, diagnostics))
            continue
        labels = Labels(doc.data if isinstance(doc.data, dict) else {}, lang)
        out.append((path, [labels.diagnostic(d) for d in diagnostics]))
    return out


def run_validate(
    paths: list[str],
    fmt: str,
    strict: bool,
    echo: Callable[..., None],
    *,
    exclude: Sequence[str] = (),
    read_stdin: Reader = lambda: b"",
    stdin_name: str | None = None,
    policies_only: bool = False,
    lang: str | None = None,
) -> int:
    """Validate every file; 0 all valid, 1 any invalid (or any warning under ``strict``), 2 unreadable.

    ``lang``: the fields messages name are given by the policy's labels in that language too.
    """
    render = renderer(RENDERERS, fmt)
    held: list[bytes] = []

    def read_once() -> bytes:  # standard input is read once: for the check and for the labels
        if not held:
            held.append(read_stdin())
        return held[0]

    checks = check_paths(paths, exclude, read_once, stdin_name, policies_only)
    skipped, problems = checks.skipped, checks.problems
    stdin = (stdin_name or "<stdin>", held[0]) if held else None
    files = in_language(checks.files, lang, stdin)
    if fmt == "text":
        readable = [entry for entry in files if not any(d.rule == UNREADABLE for d in entry[1])]
        echo(render(readable, skipped, checks.stamps), nl=False)
        for message in problems:
            echo(f"hrpolicy: {message}", err=True)
        for name, stamp in checks.stamps.items():  # with the summary: stdout stays diagnostics only
            echo(stamp_line(name, stamp), err=True)
        if readable or not problems:
            echo(summary(readable, skipped), err=True)
    else:
        echo(render(files, skipped, checks.stamps), nl=False)
    if problems:
        return 2
    return 1 if failing((d for _, diags in files for d in diags), strict) else 0
