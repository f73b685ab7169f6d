"""A one-line progress bar for long runs: the share of the file read, rows, rate, time left.

A run whose reading is followed by more long work (a forced distribution's grading, then its
report's writing) draws a line a phase (:meth:`ProgressBar.then`): the reading's line ends when
the file is read, and the next one counts what comes after, so that no bar sits at 100 % with
"0 s left" while a third of the run is still to come.

Drawn on stderr (never stdout, so a report piped elsewhere is unchanged), redrawn in place
with a carriage return at most every :data:`INTERVAL` seconds, and ended with a newline. A run
over within :data:`DELAY` seconds draws nothing: a bar left above a short report on the terminal
is only noise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds between two redraws.
INTERVAL = 0.2
#: Cells of the bar itself.
BAR = 24
#: Seconds before the first drawing (``HRPOLICY_PROGRESS_DELAY`` sets another).
DELAY = 0.5


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("HRPOLICY_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


def _duration(seconds: float) -> str:
    whole = int(seconds + 0.5)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    return f"{minutes} min {secs:02d} s"


class ProgressBar:
    """Told the bytes and rows read so far (the readers' ``progress`` callback); ``total``
    is the file's size in bytes."""

    def __init__(
        self,
        total: int,
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        label: str = "rows",
        delay: float | None = None,
        title: str = "",
    ) -> None:
        self.total, self.stream, self.clock, self.label = max(total, 1), stream, clock, label
        self.title = f"{title} " if title else ""
        self.started = clock()
        # the first drawing waits for the delay (None: DELAY or the environment's; 0: a bar
        # asked for with --progress, drawn at once): as if drawn INTERVAL before it is over
        self.drawn = self.started + (_delay() if delay is None else delay) - INTERVAL
        self.last = (0, 0)
        self.width = 0

    def __call__(self, done: int, rows: int) -> None:
        self.last = (done, rows)
        now = self.clock()
        if now - self.drawn >= INTERVAL:
            self.drawn = now
            self._draw(done, rows, now)

    def line(self, done: int, rows: int, now: float) -> str:
        """The bar's text after ``done`` bytes and ``rows`` rows at time ``now``."""
        share = min(done / self.total, 1.0)
        filled = int(share * BAR)
        elapsed = now - self.started
        text = f"{self.title}[{'#' * filled}{'.' * (BAR - filled)}] {share:4.0%}  {rows:,} {self.label}"
        if elapsed > 0 and done > 0:
            text += f"  {rows / elapsed:,.0f} {self.label}/s"
            left = elapsed * (self.total - done) / done
            text += f"  {_duration(left)} left" if share < 1 else f"  {_duration(elapsed)}"
        return text

    def then(self, title: str, total: int, label: str) -> None:
        """End this phase's line and count the next phase on a line of its own: ``total``
        things (``label``), ``title`` before its bar. Drawn at once where the run has been
        drawn already, else once the run (from the first phase's start) has lasted the delay."""
        drawn = bool(self.width)
        self.last = (self.total, self.last[1])  # (this phase is over: whatever its last count)
        self.finish()
        now = self.clock()
        self.total, self.label, self.title = max(total, 1), label, f"{title} "
        self.started, self.last, self.width = now, (0, 0), 0
        if drawn:
            self.drawn = now - INTERVAL

    def _draw(self, done: int, rows: int, now: float) -> None:
        text = self.line(done, rows, now)
        self.stream.write("\r" + text + " " * max(0, self.width - len(text)))
        self.stream.flush()
        self.width = len(text)

    def finish(self) -> None:
        """Draw the last state and end the line (nothing when the run was over before the bar
        was first drawn)."""
        if not self.width:  # never drawn (a drawing is never empty)
            return
        self._draw(*self.last, self.clock())
        self.stream.write("\n")
        self.stream.flush()


def progress_bar(
    path: str, stream: TextIO | None, at_once: bool = False, title: str = ""
) -> ProgressBar | None:
    """A bar for reading the file ``path`` (its bytes) drawn on ``stream`` (see
    :func:`counting_bar`). None too when the file cannot be measured (its reader says what is
    wrong with it)."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    return counting_bar(size, stream, at_once, title)


def counting_bar(
    total: int, stream: TextIO | None, at_once: bool = False, title: str = "", label: str = "rows"
) -> ProgressBar | None:
    """A bar over ``total`` (bytes, or things counted one by one) drawn on ``stream`` (None: no
    bar); ``at_once`` (a bar asked for with ``--progress``): drawn from the start, not after
    :data:`DELAY`; ``title`` before it (which of several passes)."""
    if stream is None:
        return None
    return ProgressBar(total, stream, delay=0.0 if at_once else None, title=title, label=label)


def next_phase(progress: object, title: str, total: int, label: str) -> ProgressBar | None:
    """:meth:`ProgressBar.then` where ``progress`` is a bar, which is returned (None: a plain
    progress callback, a worker's counter, has no phases: the phase goes uncounted)."""
    if not isinstance(progress, ProgressBar):
        return None
    progress.then(title, total, label)
    return progress
