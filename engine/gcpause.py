"""Pausing Python's cyclic garbage collector around bulk work.

Reading a population and evaluating it build millions of small acyclic objects (rows,
records, results); with the collector on, the growing heap is rescanned again and again for
nothing (about a quarter of the read time and a fifth of the evaluation time on 100,000
employees). Reference counting still frees everything; only the cycle scans wait.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its state afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def collected_gc() -> Iterator[None]:
    """The collector left on, for streamed work: the heap stays small, so its scans are cheap,
    and a result that holds a reference cycle is freed (with the collector paused, every such
    result of a million-employee stream would stay in memory)."""
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()


#: Whether :func:`pause_startup` paused the collector (and :func:`end_startup` is to resume it).
_starting = False


def pause_startup() -> None:
    """Pause the collector while the command line starts (its entry point calls this first).

    A command imports its modules (a run over a big file: 280 of them, with numpy, pyarrow and
    jsonschema) before it does anything: long-lived objects, hardly any garbage, which the
    collector would scan again and again as they pile up (12-20 ms of the CPU before a split
    run's workers fork; issue 12). Nothing happens where the collector is off already.
    """
    global _starting
    if gc.isenabled():
        gc.disable()
        _starting = True


def end_startup() -> None:
    """Resume the collector paused by :func:`pause_startup` (once the command's body starts),
    its objects so far frozen (``gc.freeze``): never scanned again, here or in a forked worker.
    Nothing happens unless :func:`pause_startup` paused it."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()
