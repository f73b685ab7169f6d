"""``hrpolicy doc POLICY``: the rulebook a person reads, generated from the policy."""

from __future__ import annotations

from engine.commands.common import Echo, deliver, guard_output
from engine.compare.rulebook import rulebook
from engine.report.rulebook import render
from engine.validate import load_policy


def run_doc(policy: str, lang: str, fmt: str, output: str | None, echo: Echo) -> int:
    guard_output(output, [policy])
    validated = load_policy(policy)
    with open(policy, encoding="utf-8-sig") as handle:
        text = handle.read()
    deliver(render(rulebook(validated.data, text, lang), fmt), output, echo)
    return 0
