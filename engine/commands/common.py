"""Helpers every command that reads a data file and writes a report shares.

Data files (YAML or JSON, read by the YAML loader so every problem keeps its line:col),
located shape checks, unknown-key reports with "did you mean", and atomic output that never
overwrites an input.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path as FsPath
from typing import Any

from engine.errors import DataError, Diagnostic, UsageError
from engine.io.atomic import write_atomic
from engine.io.records import ensure_data_file
from engine.limits import regular_file
from engine.loader import LoadedDocument, load_yaml_file
from engine.location import Path
from engine.report.jobeval import Problem, format_problem
from engine.suggest import did_you_mean

Echo = Callable[..., None]

#: Suffixes of data files; JSON is read by the YAML loader (JSON is YAML) to keep line:col.
DATA_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json")


def read_data_file(path: str) -> LoadedDocument:
    """Load a YAML/JSON data file whose top level is a mapping; raise a one-line DataError if not."""
    ensure_data_file(path, DATA_SUFFIXES)
    try:
        doc = load_yaml_file(path, display=path)
    except UsageError as exc:  # unreadable: the loader's message already names the file
        raise DataError(str(exc)) from None
    if doc.diagnostics:
        first = doc.diagnostics[0]
        more = f" (and {len(doc.diagnostics) - 1} more)" if len(doc.diagnostics) > 1 else ""
        raise DataError(f"{first.location}: {first.message}{more}")
    if not isinstance(doc.data, dict):
        raise DataError(f"{path}:1:1: the file must hold a mapping at the top level")
    return doc


def where(doc: LoadedDocument, path: Path) -> str:
    """``file:line:col`` of a node of the data file."""
    return str(doc.source.locate(path))


def need_mapping(doc: LoadedDocument, path: Path, value: Any, what: str) -> Mapping[str, Any]:
    """``value`` if it is a mapping; else a located DataError naming ``what`` it should be."""
    if not isinstance(value, Mapping):
        raise DataError(f"{where(doc, path)}: {what} must be a mapping, not {_kind(value)}")
    return value


def need_list(doc: LoadedDocument, path: Path, value: Any, what: str) -> list[Any]:
    """``value`` if it is a list; else a located DataError."""
    if not isinstance(value, list):
        raise DataError(f"{where(doc, path)}: {what} must be a list, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def unknown_keys(
    doc: LoadedDocument, path: Path, record: Mapping[str, Any], allowed: Iterable[str], what: str
) -> list[Diagnostic]:
    """A ``data-unknown-key`` diagnostic per key outside ``allowed`` (``x-`` keys are free notes)."""
    known = sorted(allowed)
    found = []
    for key in record:
        if key in known or str(key).startswith("x-"):
            continue
        hint = did_you_mean(str(key), known) or "use one of: " + ", ".join(known)
        location = doc.source.locate((*path, key), key=True)
        found.append(Diagnostic(location, "data-unknown-key", f"unknown key '{key}' in {what}", hint))
    return found


def guard_output(output: str | None, inputs: Iterable[str]) -> None:
    """Refuse an output path that is one of the input files, or that exists and is not a
    regular file: the atomic write would replace a directory's name, a FIFO or a device
    (``/dev/null`` as root) with a file. Checked before any input is read."""
    if output is None:
        return
    target = FsPath(output).resolve()
    if any(FsPath(p).resolve() == target or _same_file(output, p) for p in inputs):
        raise UsageError(f"{output}: refusing to overwrite an input file")
    if os.path.lexists(output):
        regular_file(output)
    folder = os.path.dirname(output)
    if folder and not os.path.isdir(folder):  # found now, not after the whole run
        raise UsageError(f"{output}: cannot write the file: there is no folder {folder!r}")


def _same_file(a: str, b: str) -> bool:
    """Whether two existing paths are one file (a hard link has no path of its own to compare)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def deliver(text: str, output: str | None, echo: Echo) -> None:
    """Write the report atomically to ``output``, or echo it."""
    if output:
        write_atomic(output, text)
    else:
        echo(text, nl=False)


def finish(problems: Sequence[Problem], subjects: Sequence[str], noun: str, fmt: str, echo: Echo) -> int:
    """Problems go to stderr when the report is not text (text reports carry them); exit 1 if any."""
    if not problems:
        return 0
    if fmt != "text":
        for subject, diagnostic in problems:
            echo(format_problem(subject, diagnostic), err=True)
    failed = len({subject for subject, _ in problems if subject in subjects})
    echo(
        f"hrpolicy: {len(problems)} problem{'s' if len(problems) != 1 else ''},"
        f" {failed} of {len(subjects)} {noun} affected; see the problems above",
        err=True,
    )
    return 1
