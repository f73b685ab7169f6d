"""``hrpolicy init``: write a new policy, its test file (and the records the tests read)."""

from __future__ import annotations

from collections.abc import Callable

from engine.scaffold import plan, write


def run_init(target: str, start: str, schema: str | None, echo: Callable[..., None]) -> int:
    """Write the files; 0 when written, a UsageError (exit 2) when a file exists."""
    planned = plan(target, start, schema)
    write(planned)
    for item in planned:
        echo(f"wrote {item.path}")
    policy = planned[0].path
    echo(f"next: fill in the FILL IN parts, then: hrpolicy validate {policy} && hrpolicy test {policy}")
    return 0
