"""Render pages in a real headless Chromium (the Debian package): the DOM it builds, its console
messages, and a screenshot checked for being more than one colour."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--log-level=0",  # console messages reach stderr as "...:INFO:CONSOLE:1] "text", source: ..."
]


def chromium() -> str:
    """The browser binary. Where none is installed the test is skipped with the reason, except
    in CI (CI set), where it fails: .ci/run installs the browser."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must run the browser test (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
    return found


def run_chromium(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Chromium run headless over ``page`` with ``extra`` switches, in a fresh profile."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )


def dump_dom(page: Path) -> tuple[str, list[str]]:
    """The DOM Chromium builds from ``page`` and the console messages it logged."""
    done = run_chromium(page, "--dump-dom")
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def screenshot(page: Path, png: Path, size: str = "1280,900") -> Path:
    run_chromium(page, f"--screenshot={png}", f"--window-size={size}")
    return png


def png_colours(png: Path, limit: int = 64) -> int:
    """How many distinct pixel colours the PNG has (up to ``limit``); 1 means blank."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), "only 8-bit RGB(A) screenshots are read"
    step = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * step
    previous = bytearray(stride)
    seen: set[bytes] = set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            corner = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 0xFF
        for i in range(0, stride, step * 7):  # a sample of pixels is enough to tell blank from not
            seen.add(bytes(line[i : i + 3]))
        if len(seen) >= limit:
            return len(seen)
        previous = line
    return len(seen)
