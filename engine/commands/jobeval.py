"""``hrpolicy jobeval``: evaluate every job of a record file under a policy's ``job_evaluation``.

The data file (YAML or JSON) holds ``jobs:``, each a job record as
:func:`engine.jobeval.job_from_record` reads it (docs/jobeval-and-pay.md, "Commands and data
formats"). A file that cannot be read at all is a :class:`DataError` (exit 2); problems with
single jobs (panel composition, levels, committee votes) are reported with the job id and the
data file's line:col, every other job is still evaluated, and the exit code is 1.

The small helpers for data files and output (:func:`read_data_file`, :func:`unknown_keys`,
:func:`guard_output`, :func:`deliver`) are shared with ``hrpolicy pay``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path as FsPath
from typing import Any

from engine.errors import DataError, Diagnostic, UsageError
from engine.io.atomic import write_atomic
from engine.jobeval import evaluate_job, job_from_record
from engine.loader import LoadedDocument, load_yaml_file
from engine.location import Path
from engine.report.jobeval import RENDERERS, JobLine, JobReport, Problem, format_problem
from engine.validate import load_policy

Echo = Callable[..., None]

#: Suffixes of data files; JSON is read by the YAML loader (JSON is YAML) to keep line:col.
DATA_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json")

TOP_KEYS = frozenset({"policy", "jobs"})
JOB_KEYS = frozenset({"job", "title", "family", "holder", "holder_name", "panel", "adjustment"})
RATER_KEYS = frozenset({"rater", "name", "group", "rater_job", "levels"})
ADJUSTMENT_KEYS = frozenset({"grade", "committee", "meeting", "note"})


# --- shared with ``hrpolicy pay`` ---------------------------------------------------------------


def read_data_file(path: str) -> LoadedDocument:
    """Load a YAML/JSON data file whose top level is a mapping; raise a one-line DataError if not."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in DATA_SUFFIXES:
        raise DataError(
            f"{path}: unsupported data file type {suffix or '(none)'!r}; use .yaml, .yml or .json"
        )
    if not os.path.isfile(path):
        raise DataError(f"{path}: no such file")
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
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "use one of: " + ", ".join(known)
        location = doc.source.locate((*path, key), key=True)
        found.append(Diagnostic(location, "data-unknown-key", f"unknown key '{key}' in {what}", hint))
    return found


def guard_output(output: str | None, inputs: Iterable[str]) -> None:
    """Refuse an output path that is one of the input files."""
    if output is None:
        return
    target = FsPath(output).resolve()
    if any(FsPath(p).resolve() == target for p in inputs):
        raise UsageError(f"{output}: refusing to overwrite an input file")


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


# --- jobeval ------------------------------------------------------------------------------------


def _job_keys(doc: LoadedDocument, index: int, record: Mapping[str, Any]) -> list[Diagnostic]:
    """Shape checks of one job record (raising DataError) and its unknown keys (collected)."""
    base: Path = ("jobs", index)
    found = unknown_keys(doc, base, record, JOB_KEYS, "a job")
    panel = need_list(doc, (*base, "panel"), record.get("panel", []), "panel")
    for i, rater in enumerate(panel):
        at: Path = (*base, "panel", i)
        found += unknown_keys(doc, at, need_mapping(doc, at, rater, "a panel entry"), RATER_KEYS, "a rating")
        need_mapping(doc, (*at, "levels"), rater.get("levels", {}), "levels")
    adjustment = record.get("adjustment")
    if adjustment is not None:
        at = (*base, "adjustment")
        found += unknown_keys(
            doc, at, need_mapping(doc, at, adjustment, "adjustment"), ADJUSTMENT_KEYS, "an adjustment"
        )
        need_mapping(doc, (*at, "meeting"), adjustment.get("meeting", {}), "meeting")
    return found


def _job_line(policy: Mapping[str, Any], doc: LoadedDocument, index: int, record: Any) -> JobLine:
    at: Path = ("jobs", index)
    record = need_mapping(doc, at, record, "a job")
    extra = _job_keys(doc, index, record)
    try:
        job = job_from_record(record, at)
    except DataError as exc:  # its message has the JSON path; add the line:col of the job
        raise DataError(f"{where(doc, at)}: {exc}") from None
    result = evaluate_job(policy, job, doc.source)
    names = {str(r.get("rater")): str(r.get("name", "")) for r in record.get("panel", [])}
    return JobLine(
        result,
        title=str(record.get("title", "")),
        holder=job.holder,
        holder_name=str(record.get("holder_name", "")),
        rater_names=names,
        problems=tuple(result.problems) + tuple(extra),
    )


def _duplicates(doc: LoadedDocument, lines: list[JobLine]) -> list[Problem]:
    seen: set[str] = set()
    found: list[Problem] = []
    for index, line in enumerate(lines):
        job = line.result.job
        if job in seen:
            location = doc.source.locate(("jobs", index, "job"))
            found.append((job, Diagnostic(location, "jobeval-duplicate-job", f"job {job} appears twice")))
        seen.add(job)
    return found


def build_job_report(policy_id: str, policy: Mapping[str, Any], doc: LoadedDocument) -> JobReport:
    """Evaluate every job of a loaded data file; raise DataError when the file has no usable jobs."""
    data = doc.data
    file_problems: list[Problem] = [("file", d) for d in unknown_keys(doc, (), data, TOP_KEYS, "the file")]
    if "jobs" not in data:
        raise DataError(f"{where(doc, ())}: the file has no 'jobs' list")
    records = need_list(doc, ("jobs",), data["jobs"], "jobs")
    lines = [_job_line(policy, doc, i, record) for i, record in enumerate(records)]
    return JobReport(policy_id, doc.file, tuple(lines), tuple(file_problems + _duplicates(doc, lines)))


def run_jobeval(policy_path: str, data_path: str, fmt: str, output: str | None, echo: Echo) -> int:
    """Evaluate the jobs in ``data_path`` under ``policy_path``; report as ``fmt`` (text, json, csv).

    Returns 0 when every job was evaluated without a problem, 1 otherwise. Raises
    :class:`PolicyInvalid` for an invalid policy, :class:`DataError`/:class:`UsageError` for an
    unreadable file or a policy without ``job_evaluation``.
    """
    if fmt not in RENDERERS:
        raise UsageError(f"unknown format '{fmt}'; use one of {', '.join(RENDERERS)}")
    guard_output(output, [policy_path, data_path])
    policy = load_policy(policy_path)
    if not policy.data.get("job_evaluation"):
        raise UsageError(f"{policy_path}: the policy declares no job_evaluation section")
    doc = read_data_file(data_path)
    report = build_job_report(str(policy.data["metadata"]["id"]), policy.data, doc)
    deliver(RENDERERS[fmt](report), output, echo)
    jobs = [line.result.job for line in report.jobs]
    return finish(report.all_problems(), jobs, "jobs", fmt, echo)
