"""``hrpolicy validate``: files or folders in, diagnostics out, an exit code back."""

from __future__ import annotations

from collections.abc import Callable

from engine.report import renderer
from engine.report.diagnostics import RENDERERS, summary
from engine.validate import failing, validate_paths


def run_validate(paths: list[str], fmt: str, strict: bool, echo: Callable[..., None]) -> int:
    """Validate every file; 0 all valid, 1 any invalid (or any warning under ``strict``), 2 unreadable."""
    render = renderer(RENDERERS, fmt)
    files, unreadable = validate_paths(paths)
    echo(render(files), nl=False)
    for message in unreadable:
        echo(f"hrpolicy: {message}", err=True)
    if fmt == "text":
        echo(summary(files), err=True)
    if unreadable:
        return 2
    return 1 if failing((d for _, diags in files for d in diags), strict) else 0
