""""Did you mean ...?": the one place that picks the closest known name for an unknown one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: How alike two names must be (difflib ratio) to be suggested.
CUTOFF = 0.6
#: Longer words get no suggestion: no name is that long, and difflib's time grows with it.
MAX_WORD_CHARS = 200


class Nearest:
    """The known name most like ``word``, over names met one at a time (a file's ids as they go
    by, never held): of the names at least :data:`CUTOFF` alike (difflib's ratio), the greatest
    ``(ratio, name)``, as :func:`difflib.get_close_matches` picks with ``n=1``."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.best: tuple[float, str] | None = None
        self.matcher: difflib.SequenceMatcher[str] | None = None
        if len(word) <= MAX_WORD_CHARS:
            self.matcher = difflib.SequenceMatcher()
            self.matcher.set_seq2(word)  # the word's analysis, made once (as get_close_matches)

    def add(self, choice: str) -> None:
        """Weigh one more name."""
        matcher = self.matcher
        if matcher is None:
            return
        matcher.set_seq1(choice)
        # the cheap upper bounds first, as get_close_matches tests them
        if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
            ratio = matcher.ratio()
            if ratio >= CUTOFF and (self.best is None or (ratio, choice) > self.best):
                self.best = (ratio, choice)

    @property
    def match(self) -> str | None:
        """The closest name so far, or None when none is close enough."""
        return self.best[1] if self.best is not None else None

    def hint(self) -> str | None:
        """``did you mean 'x'?`` for the closest name so far, or None."""
        return _phrase(self.match)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The known name most like ``word``, or None when none is close enough."""
    nearest = Nearest(word)
    if nearest.matcher is not None:
        for choice in choices:
            nearest.add(str(choice))
    return nearest.match


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest known name, or None."""
    return _phrase(closest(word, choices))


def _phrase(match: str | None) -> str | None:
    return f"did you mean '{match}'?" if match else None
