"""``hrpolicy init``: write a new policy, its test file (and the records the tests read)."""

from __future__ import annotations

from collections.abc import Callable

from engine.report.phrases import say
from engine.scaffold import plan, write


def run_init(
    target: str, start: str, schema: str | None, echo: Callable[..., None], lang: str | None = None
) -> int:
    """Write the files; 0 when written, a UsageError (exit 2) when a file exists. ``lang``: what
    is printed, in that language."""
    planned = plan(target, start, schema)
    write(planned)
    for item in planned:
        echo(say("wrote", lang, path=item.path))
    echo(say("init_next", lang, policy=planned[0].path))
    return 0
