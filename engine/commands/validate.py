"""``hrpolicy validate``: files or folders in, diagnostics out, an exit code back."""

from __future__ import annotations

from collections.abc import Callable

from engine.errors import Diagnostic, Severity, UsageError
from engine.report import renderer
from engine.report.diagnostics import RENDERERS, summary
from engine.validate import collect_policy_files, validate_file


def run_validate(paths: list[str], fmt: str, strict: bool, echo: Callable[..., None]) -> int:
    """Validate every file; 0 all valid, 1 any invalid (or any warning under ``strict``), 2 unreadable."""
    render = renderer(RENDERERS, fmt)
    files: list[tuple[str, list[Diagnostic]]] = []
    unreadable: list[str] = []
    for path in collect_policy_files(paths):
        try:
            files.append((path, validate_file(path)))
        except UsageError as exc:
            unreadable.append(str(exc))
    if not files and not unreadable:
        raise UsageError(f"no policy files (*.yaml, *.yml) found in {', '.join(paths)}")
    echo(render(files), nl=False)
    for message in unreadable:
        echo(f"hrpolicy: {message}", err=True)
    if fmt == "text":
        echo(summary(files), err=True)
    if unreadable:
        return 2
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return 1 if any(d.severity in failing for _, diags in files for d in diags) else 0
