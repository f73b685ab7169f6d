"""``hrpolicy validate``: files, folders or standard input in, diagnostics out, an exit code back.

Every outcome, a missing or unreadable file included, is reported in the chosen format: a file
that cannot be read is a ``file-unreadable`` diagnostic of that file (exit 2). Text keeps its
one-line ``hrpolicy: ...`` message on stderr for those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.errors import UNREADABLE
from engine.report import renderer
from engine.report.diagnostics import RENDERERS, stamp_line, summary
from engine.report.labels import Labels
from engine.validate import FileDiagnostics, check_paths, failing, policy_data

Reader = Callable[[], bytes]


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
        data = policy_data(path, stdin)
        if data is None:
            out.append((path, diagnostics))
        else:
            out.append((path, [Labels(data, lang).diagnostic(d) for d in diagnostics]))
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
    checks = check_paths(paths, exclude, read_stdin, stdin_name, policies_only)
    skipped, problems = checks.skipped, checks.problems
    files = in_language(checks.files, lang, checks.stdin)
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
