"""``hrpolicy init``: write a new policy, its test file (and the records the tests read).

What it prints records the stamp of the policy written (id, version, content hash), as every
result does: started from a seed, it is the seed's stamp (the same rules, other comments) until
the policy is edited.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.loader import load_yaml_text
from engine.provenance import Stamp, stamp_of
from engine.report.phrases import say
from engine.scaffold import plan, write


def _stamp(text: str, name: str) -> Stamp | None:
    doc = load_yaml_text(text, name)
    return stamp_of(doc.data) if isinstance(doc.data, dict) and not doc.diagnostics else None


def run_init(
    target: str, start: str, schema: str | None, echo: Callable[..., None], lang: str | None = None
) -> int:
    """Write the files; 0 when written, a UsageError (exit 2) when a file exists. ``lang``: what
    is printed, in that language."""
    planned = plan(target, start, schema)
    write(planned)
    for item in planned:
        echo(say("wrote", lang, path=item.path))
        if item is planned[0] and (stamp := _stamp(item.text, str(item.path))) is not None:
            echo(f"  {stamp.short()}")
    echo(say("init_next", lang, policy=planned[0].path))
    return 0
