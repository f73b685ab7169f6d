"""Forked worker processes: each runs one task and sends its result back in a temporary
file; none outlives the run (Ctrl-C and failures kill and reap them); shared counters for a
progress bar."""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import signal
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import IO, TypeVar

from engine.timeline import mark

T = TypeVar("T")


def fork_all(tasks: Sequence[Callable[[], T]], poll: Callable[[], None] | None = None) -> list[T | None]:
    """Run each task in a forked process at once; its result, or None where the task failed.

    A temporary file, not a pipe, carries each result back: the worker never waits for us.
    ``poll`` is called about ten times a second while the workers run (a progress bar).
    Interrupted (Ctrl-C, or any exception while forking or waiting), every worker still
    running is killed and reaped before the exception goes on: none outlives the run, and
    their results (unnamed temporary files) vanish with them.
    """
    children: list[tuple[int, IO[bytes]]] = []
    try:
        for task in tasks:
            _fork(task, tempfile.TemporaryFile(), children)  # noqa: SIM115 (closed below, or by _stop)
        results: list[T | None] = []
        while children:
            pid, handle = children[0]
            status = _wait(pid, poll)
            children.pop(0)  # reaped: never to be killed
            with handle:
                if os.waitstatus_to_exitcode(status) != 0:
                    results.append(None)
                    continue
                handle.seek(0)
                results.append(pickle.load(handle))
        return results
    except BaseException:
        _stop(children)
        raise


def _fork(task: Callable[[], T], handle: IO[bytes], children: list[tuple[int, IO[bytes]]]) -> None:
    """Fork a worker that pickles ``task()`` to ``handle``, and add it to ``children``.

    SIGINT is held back until the worker is in ``children``, so a Ctrl-C cannot land between
    the fork and that note (a worker nobody would stop); the worker gets the signal mask back.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except BaseException:
        handle.close()
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    if pid != 0:
        children.append((pid, handle))
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a pending Ctrl-C is raised here
        return
    code = 1  # the worker: run, write, and leave without any cleanup or output
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        mark("worker-start")
        done = task()
        mark("worker-evaluated")
        pickle.dump(done, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        mark("worker-sent")
        code = 0
    finally:
        os._exit(code)


def _stop(children: Sequence[tuple[int, IO[bytes]]]) -> None:
    """Kill and reap the workers not yet reaped, and close their result files."""
    for pid, _ in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid, handle in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        handle.close()


def _wait(pid: int, poll: Callable[[], None] | None) -> int:
    if poll is None:
        return os.waitpid(pid, 0)[1]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        poll()
        time.sleep(0.1)


class Counters:
    """Numbers the workers write and the parent reads (shared memory made before the fork)."""

    def __init__(self, count: int) -> None:
        self._memory = mmap.mmap(-1, 16 * max(1, count))

    def setter(self, index: int) -> Callable[[int, int], None]:
        """What worker ``index`` calls with its two numbers (bytes and rows read)."""
        return lambda first, second: struct.pack_into("qq", self._memory, 16 * index, first, second)

    def totals(self) -> tuple[int, int]:
        """The sums of the first and of the second numbers."""
        pairs = list(struct.iter_unpack("qq", self._memory))
        return sum(a for a, _ in pairs), sum(b for _, b in pairs)
