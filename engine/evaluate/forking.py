"""Forked worker processes: each runs one task and sends its result back in a temporary
file; none outlives the run (Ctrl-C and failures kill and reap them); shared counters for a
progress bar."""

from __future__ import annotations

import contextlib
import functools
import mmap
import os
import pickle
import select
import signal
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import IO, TypeVar

from engine.io.spool import shared_in
from engine.timeline import mark

T = TypeVar("T")


def fork_all(tasks: Sequence[Callable[[], T]], poll: Callable[[], None] | None = None) -> list[T | None]:
    """Run each task in a forked process at once; its result, or None where the task failed.

    When one fails, the workers still running are stopped at once and their results are None
    too: every caller then does the whole work in one process, and would only wait for them.
    A temporary file, not a pipe, carries each result back: the worker never waits for us.
    ``poll`` is called about ten times a second while the workers run (a progress bar).
    Interrupted (Ctrl-C, or any exception while forking or waiting), every worker still
    running is killed and reaped before the exception goes on: none outlives the run, and
    their results (unnamed temporary files) vanish with them.
    """
    children: list[tuple[int, IO[bytes]]] = []
    # The workers' problem spools spill to named files here (engine.io.spool.shared_in); their
    # copies in this process open them when unpickled, so they outlive the folder's names.
    shared = tempfile.TemporaryDirectory(prefix="hrpolicy-spools-")
    try:
        for task in tasks:
            _fork(functools.partial(_shared, shared.name, task), tempfile.TemporaryFile(), children)  # noqa: SIM115
        order = [pid for pid, _ in children]
        results: dict[int, T] = {}
        while children:
            pid, status = _wait_any([pid for pid, _ in children], poll)
            handle = next(h for p, h in children if p == pid)
            children.remove((pid, handle))  # reaped: never to be killed
            with handle:
                if os.waitstatus_to_exitcode(status) != 0:
                    _stop(children)
                    children.clear()
                    break
                handle.seek(0)
                results[pid] = pickle.load(handle)
        return [results.get(pid) for pid in order]
    except BaseException:
        _stop(children)
        raise
    finally:
        shared.cleanup()


def _shared(folder: str, task: Callable[[], T]) -> T:
    """``task()`` in a worker, its problem spools spilling to named files in ``folder``."""
    with shared_in(folder):
        return task()


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


def _wait_any(pids: Sequence[int], poll: Callable[[], None] | None) -> tuple[int, int]:
    """The id and wait status of one of the workers ``pids`` that has ended (reaped), whichever
    ends first: through process file descriptors (Linux), which wake this process when one
    ends without reaping any other child of it; else in turn, as forked. ``poll`` is called
    about ten times a second meanwhile."""
    handles = _pidfds(pids)
    try:
        while True:
            for pid in pids:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    return pid, status
            if handles is not None:
                select.select(handles, [], [], None if poll is None else 0.1)
            elif poll is None:
                return pids[0], os.waitpid(pids[0], 0)[1]
            else:
                time.sleep(0.1)
            if poll is not None:
                poll()
    finally:
        for handle in handles or ():
            os.close(handle)


def _pidfds(pids: Sequence[int]) -> list[int] | None:
    """A file descriptor that becomes readable when the process ends, for each of ``pids``;
    None where the system has none (not Linux, or a kernel before 5.3)."""
    handles: list[int] = []
    try:
        for pid in pids:
            handles.append(os.pidfd_open(pid))
    except (AttributeError, OSError):
        for handle in handles:
            os.close(handle)
        return None
    return handles


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

    def told(self, progress: Callable[[int, int], None], head: tuple[int, int]) -> Callable[[], None]:
        """What tells ``progress`` the sums, after the ``head`` (bytes, rows) the parent read
        itself before the workers' ranges (a table's header): a run's bar ends on the file's size,
        full, not short of it by the header's bytes."""
        after = after_head(progress, head)
        return lambda: after(*self.totals())


def after_head(progress: Callable[[int, int], None], head: tuple[int, int]) -> Callable[[int, int], None]:
    """``progress`` told a range's bytes and rows read after the ``head`` (bytes, rows) before
    it, which a whole read counts too (a table's header)."""
    start, rows = head
    return lambda done, read: progress(start + done, rows + read)
