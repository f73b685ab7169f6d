"""Which files a command works on: paths and folders in, files recognised by content out.

A folder holds policies next to records, test files and other YAML. A file is a policy when
its top level has the ``hrpolicy:`` key (a test file: ``hrpolicy-test:``); other YAML files in
a folder are skipped and counted. A file named on the command line is always taken, ``-``
stands for standard input, and ``--exclude`` globs drop files and folders either way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")
STDIN = "-"
#: The top-level key that marks a policy, and the one that marks a policy test file.
POLICY_KEY, TEST_KEY = "hrpolicy", "hrpolicy-test"
_SNIFF_BYTES = 256 * 1024  # the marker key is near the top; a huge file is not read whole to find it


@dataclass
class Discovery:
    """The files found (in command-line order, each folder sorted), what was skipped, what is missing."""

    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def text_has_top_level_key(head: bytes, key: str) -> bool:
    """Whether YAML text has ``key`` at its top level (a line starting ``key:``, quoted or not).

    A cheap look at the text, not a parse.
    """
    pattern = re.compile(rb"^[\"']?" + re.escape(key.encode()) + rb"[\"']?[ \t]*:", re.MULTILINE)
    return pattern.search(head[:_SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf")) is not None


def has_top_level_key(path: str | os.PathLike[str], key: str) -> bool:
    """:func:`text_has_top_level_key` of a file's head (the command reads the file once more)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return True  # let the command report why it cannot read the file
    return text_has_top_level_key(head, key)


def excluded(path: str, globs: Sequence[str]) -> bool:
    """Whether ``path`` (as shown) or its file name matches one of the ``--exclude`` globs."""
    shown = path.replace(os.sep, "/")
    name = shown.rsplit("/", 1)[-1]
    return any(fnmatch(shown, g) or fnmatch(name, g) or fnmatch(shown, f"*/{g}") for g in globs)


def discover(
    paths: Sequence[str], key: str = POLICY_KEY, exclude: Sequence[str] = (), *, sniff_named: bool = False
) -> Discovery:
    """Expand ``paths``: folders into their YAML files with ``key`` at the top level (sorted).

    ``sniff_named`` applies the same test to files named directly (a pre-commit hook is handed
    every changed YAML file); otherwise a named file is always taken.
    """
    found = Discovery()
    for raw in paths:
        path = Path(raw)
        if raw == STDIN:
            found.files.append(raw)
        elif path.is_dir():
            for candidate in sorted(path.rglob("*")):
                shown = os.path.normpath(os.path.join(raw, str(candidate.relative_to(path))))
                if (
                    not candidate.is_file()
                    or candidate.suffix not in YAML_SUFFIXES
                    or excluded(shown, exclude)
                ):
                    continue
                (found.files if has_top_level_key(candidate, key) else found.skipped).append(shown)
        elif path.exists() or os.path.lexists(raw):  # a broken or looping link: reading it says why
            if excluded(raw, exclude):
                continue
            if sniff_named and path.is_file() and not has_top_level_key(path, key):
                found.skipped.append(raw)
            else:
                found.files.append(raw)
        else:
            found.missing.append(raw)
    return found
