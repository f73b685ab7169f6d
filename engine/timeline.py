"""Marks on a run's timeline, for finding where a run's serial time goes (bench/bench_timeline.py).

Set ``HRPOLICY_TIMELINE=1`` and each :func:`mark` writes one line to stderr at once:
``hrpolicy-timeline <pid> <name> <perf_counter> <process_time>``. :func:`time.perf_counter` is
one clock for every process on Linux, so the lines of forked workers line up with the parent's.
Unset (the normal case), a mark costs one test of a module constant and writes nothing.
"""

from __future__ import annotations

import os
import time

#: Whether marks are written (read once, when the module is imported).
ENABLED = bool(os.environ.get("HRPOLICY_TIMELINE"))
PREFIX = "hrpolicy-timeline"


def mark(name: str) -> None:
    """Write the mark ``name`` (no spaces) with this process's id and clocks, if enabled."""
    if ENABLED:
        line = f"{PREFIX} {os.getpid()} {name} {time.perf_counter():.6f} {time.process_time():.6f}\n"
        os.write(2, line.encode())  # unbuffered: a forked worker leaves through os._exit
