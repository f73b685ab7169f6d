"""Atomic output: a file is either fully written or left as it was.

Atomic, not durable: the finished temporary file is renamed over the target without an
``fsync`` first. A reader, and this program when it fails or is interrupted, only ever see the
old file or the whole new one. What an ``fsync`` would add is that the new file survives a power
cut in the next seconds; a report can be made again, and the wait was the disk's, not ours (the
JSON report of 100,000 employees, 95 MB: 0.18 s of a 2 s run, waiting for the disk). Write
errors are still seen: a full disk when the data is written (ext4 and XFS reserve the space
then), a network file system's errors when the file is closed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from engine.errors import UsageError

#: Mode of a new output file (a temporary file starts private; the result should not be).
NEW_FILE_MODE = 0o644


def _mode_for(target: str) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return NEW_FILE_MODE


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file in the same folder.

    ``os.replace`` swaps the finished file in, so readers never see a partial file; on any
    failure the temporary file is removed, the target is untouched, and an ``OSError`` is
    reported as :class:`~engine.errors.UsageError` with a one-line message.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _replacing(path, binary=True) as out:
        out.write(payload)


def open_atomic(path: str | os.PathLike[str]) -> contextlib.AbstractContextManager[IO[str]]:
    """A UTF-8 text file to write ``path`` through, a chunk at a time, atomically: as
    :func:`write_atomic`, the file is swapped in when the block ends without an error."""
    return _replacing(path, binary=False)


def open_atomic_binary(path: str | os.PathLike[str]) -> contextlib.AbstractContextManager[IO[bytes]]:
    """:func:`open_atomic` for bytes (a workbook written as it is built)."""
    return _replacing(path, binary=True)


@contextlib.contextmanager
def _replacing(path: str | os.PathLike[str], *, binary: bool) -> Iterator[IO[Any]]:
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    temp: str | None = None
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
        out: IO[Any]
        with open(handle, "wb") if binary else open(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    except BaseException as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        if isinstance(exc, OSError):
            raise UsageError(f"{target}: cannot write the file: {exc.strerror or exc}") from exc
        raise
