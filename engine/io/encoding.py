"""How a CSV file's bytes become text: the encoding given (``--encoding``), else UTF-8, else the
encoding detected from a bounded sample of the file, never from the whole of it.

The sample (:func:`sample`) is the file's first :data:`HEAD_BYTES`, cut at a line end so that
no character is cut in two; when those bytes are all ASCII (they say nothing of the encoding)
it is the first :data:`HEAD_BYTES` from the line holding the file's first other byte. The
decision is made there (:func:`detect`); the rest of the file is checked as it is decoded (the
reader stops at the first byte the chosen codec cannot decode, naming its line).

A run's ``--encoding`` reaches every CSV reader below the command through
:func:`given_encoding` (the commands that stream or share a file between processes call
readers that take no encoding); :func:`file_codec` is what a reader of a byte range asks,
kept per file so that a file is sampled once, before the processes that share it fork.
:func:`splits_at_line_ends` says which codecs such a range reader may decode from any line
start on.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import BinaryIO

from engine.errors import DataError, UsageError
from engine.limits import check_table_size

#: Bytes of a file the encoding is detected from.
HEAD_BYTES = 4 * 2**20
_STEP = 2**20  # bytes read at a time while skipping an ASCII start

_EXAMPLES = "e.g. utf-8, cp949, euc-kr, shift_jis, cp932"

_GIVEN: ContextVar[str | None] = ContextVar("hrpolicy_csv_encoding", default=None)


def known_encoding(name: str) -> str:
    """The codec's canonical name; a UsageError for a name Python does not know or for a codec
    that does not decode bytes to text (``base64``, ``rot13``, ``zlib``)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise UsageError(f"unknown encoding {name!r}; {_EXAMPLES}") from None
    if not getattr(info, "_is_text_encoding", True):  # the codecs module's own mark of these
        raise UsageError(f"{name!r} is not a text encoding; {_EXAMPLES}")
    return info.name


@contextmanager
def given_encoding(name: str | None) -> Iterator[None]:
    """Within: every CSV file read without an encoding of its own is read in ``name`` (checked
    first: :func:`known_encoding`), as ``--encoding`` asks of a whole run. None: no change."""
    if name is None:  # the run's, if any, stays
        yield
        return
    token = _GIVEN.set(known_encoding(name))
    try:
        yield
    finally:
        _GIVEN.reset(token)


def run_encoding() -> str | None:
    """The encoding given to the run (:func:`given_encoding`), if any."""
    return _GIVEN.get()


def sample(path: str) -> bytes:
    """The bytes the encoding is detected from (see the module's text): the whole file when it
    is no longer than :data:`HEAD_BYTES`; nothing when the file is ASCII throughout."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES + 1)
        if len(head) <= HEAD_BYTES:
            return head
        if not head.isascii():
            return _cut(head[:HEAD_BYTES])
        start = len(head)
        while block := handle.read(_STEP):
            found = _NON_ASCII.search(block)
            if found is not None:
                handle.seek(_line_start(handle, start + found.start()))
                window = handle.read(HEAD_BYTES + 1)
                return window if len(window) <= HEAD_BYTES else _cut(window[:HEAD_BYTES])
            start += len(block)
    return b""


def _line_start(handle: BinaryIO, at: int) -> int:
    """The start of the line holding byte ``at`` (looked for up to :data:`_STEP` bytes back:
    the bytes before are ASCII, where any byte starts a character)."""
    begin = max(0, at - _STEP)
    handle.seek(begin)
    return begin + handle.read(at - begin).rfind(b"\n") + 1


_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _cut(head: bytes) -> bytes:
    """``head`` up to its last line end; a file in UTF-16 or UTF-32 (its byte-order mark says so)
    up to a whole code unit instead; the whole when it holds no line end."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return head[: len(head) // 4 * 4]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head[: len(head) // 2 * 2]
    end = head.rfind(b"\n") + 1
    return head[:end] if end else head


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _damaged_utf8(data: bytes) -> bool:
    """Whether bytes that are not UTF-8 are UTF-8 text with a few bad bytes (a line holds UTF-8
    beyond ASCII), rather than text in another encoding: detection would only misread them."""
    return any(not line.isascii() and _utf8(line) for line in data.splitlines())


def detect(path: str, display: str) -> str | None:
    """``utf-8`` when the sample (:func:`sample`) is UTF-8 or damaged UTF-8 (reported at its first
    bad line as it is read), else the codec charset-normalizer finds in it (None: not found)."""
    try:
        head = sample(path)
    except OSError as exc:
        raise DataError(f"{display}: cannot read the file: {exc.strerror}") from None
    if _utf8(head) or _damaged_utf8(head):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    return None if best is None else known_encoding(best.encoding)


@functools.lru_cache(maxsize=32)
def splits_at_line_ends(codec: str) -> bool:
    """Whether text in ``codec`` can be cut at any 0x0A byte and each piece decoded on its own, and
    read as ASCII where a CSV reader looks (line ends, commas, quotes): ASCII encodes to itself
    and back, and no other character's bytes hold 0x0A, 0x0D, 0x22 or 0x2C. True of UTF-8, of
    Shift_JIS, CP949, EUC-*, GB18030, Big5 and the single-byte codecs; not of UTF-16 and UTF-32
    (a line feed is two or four bytes, and 0x0A is in many other characters), nor of the
    stateful ISO-2022 codecs or UTF-7 (a byte's meaning depends on what came before)."""
    name = codecs.lookup(codec).name
    if name in ("utf-8", "utf-8-sig"):
        return True
    if "escape" in name:  # ASCII text that decodes to other characters ("\\u002c" to a comma)
        return False
    ascii_ = bytes(range(128))
    try:
        if ascii_.decode(name) != ascii_.decode("ascii") or ascii_.decode("ascii").encode(name) != ascii_:
            return False
        others = "".join(map(chr, [*range(0x80, 0xD800), *range(0xE000, 0x110000)]))
        encoded = others.encode(name, errors="ignore")
    except (UnicodeError, LookupError):
        return False
    return not any(byte in encoded for byte in b'\n\r",')


_CACHE: dict[tuple[str, int, int, int, str | None], tuple[str, str | None]] = {}


def file_codec(path: str, display: str) -> tuple[str, str | None]:
    """(codec, note) as :func:`choose_encoding` chooses for ``path`` without an
    encoding of its own, kept per file (its size, time and inode) and given encoding: every
    range of a file shared between processes is decoded alike, sampled once."""
    given = run_encoding()
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise DataError(f"{display}: cannot read the file: {exc.strerror}") from None
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns, stat.st_ino, given)
    found = _CACHE.get(key)
    if found is None:
        found = choose_encoding(path, display, None)
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def choose_encoding(path: str, display: str, encoding: str | None) -> tuple[str, str | None]:
    """(codec to read with, a note naming the encoding when it was detected, else None).

    Given (``encoding``, else the run's: :func:`given_encoding`): that one (``utf-8`` reads
    past a byte-order mark). Not given: UTF-8 when the sample is UTF-8, else the detected
    encoding (:func:`detect`); a file whose encoding cannot be found is refused. The file is
    checked to be a regular file within the bounds first.
    """
    check_table_size(path, display)
    if encoding is None:
        encoding = run_encoding()
    if encoding is not None:
        name = known_encoding(encoding)
        return ("utf-8-sig" if name == "utf-8" else name), None
    found = detect(path, display)
    if found == "utf-8":
        return "utf-8-sig", None  # a damaged UTF-8 file is reported at its first bad line
    if found is None:
        raise DataError(
            f"{display}: not UTF-8 text and its encoding could not be detected; "
            "give it with --encoding (e.g. cp949, shift_jis) or save the file as UTF-8"
        )
    return found, f"not UTF-8: read as {found} (detected); give --encoding if that is wrong"
