""""Did you mean ...?": the one place that picks the closest known name for an unknown one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: How alike two names must be (difflib ratio) to be suggested.
CUTOFF = 0.6
#: Longer words get no suggestion: no name is that long, and difflib's time grows with it.
MAX_WORD_CHARS = 200


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The known name most like ``word``, or None when none is close enough."""
    if len(word) > MAX_WORD_CHARS:
        return None
    matches = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=CUTOFF)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest known name, or None."""
    match = closest(word, choices)
    return f"did you mean '{match}'?" if match else None
