"""Evaluate a big CSV or JSON file in forked workers, each on its own byte range of the file.

Forking after reading would make every worker copy the pages of the population it touches
(reference counts are writes) and ship its results back: more than the evaluation itself
(bench/RESULTS.md). So the work is split, not the data: the file is cut into ranges at
employee boundaries, and each worker reads, checks, evaluates and renders only its range,
then sends back its rendered part (CSV rows or JSON results) and its problems. Concatenated
in range order they are byte for byte what one process writes, with the file's real row
numbers. A format aligned over every row (the text table) has its parts summed up by the
workers and rewritten by them once the parent has merged those summaries.

Anything that could make the parts differ from one process sends the run down the plain
path instead: a small file (no start-up cost), a policy with ``distributions`` (relative
grades need everyone), a quote in the file (a quoted cell may hide a newline), a lone
carriage return, an employee whose rows fall in two ranges, a failed worker.

A JSON records file is cut between the items of its ``employees`` list
(:mod:`.json_split`, which says when it is not cut). The parts of the work live in their own
modules: :mod:`.ranges` (cutting a CSV file),
:mod:`.pieces` (one worker's range, and :class:`SplitRenderer`), :mod:`.forking` (the worker
processes); this module runs the whole and keeps their public names.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any

from engine.evaluate.forking import Counters, fork_all
from engine.evaluate.json_split import JsonRange, evaluate_json_range, plan_json_ranges
from engine.evaluate.pieces import (
    DetailedPiece,
    FlatPiece,
    Joined,
    Part,
    SplitRenderer,
    evaluate_range,
    render_records,
    settle_problems,
    settle_read,
    write_pieces,
)
from engine.evaluate.ranges import (
    MIN_BYTES,
    Range,
    line_id,
    plan_ranges,
    require_cuttable,
    rows_within,
    whole_range,
)
from engine.evaluate.run import Engine, RunOutcome
from engine.io.ids import disjoint
from engine.io.model import Population
from engine.timeline import mark

__all__ = [  # (the names the other modules and the tests take from here)
    "MIN_BYTES",
    "Counters",
    "DetailedPiece",
    "FlatPiece",
    "Frame",
    "Joined",
    "Part",
    "Range",
    "SplitRenderer",
    "copy_bytes",
    "default_workers",
    "evaluate_range",
    "evaluate_split",
    "fork_all",
    "head_of",
    "line_id",
    "plan_ranges",
    "range_runner",
    "render_records",
    "require_cuttable",
    "rows_within",
    "run_report",
    "settle_problems",
    "settle_read",
    "whole_range",
    "write_pieces",
]


#: The report before the workers' texts and after them, for the merged outcome: pieces of text,
#: written in turn (the head's, then the tail's: they may be made as they are written).
Frame = Callable[[RunOutcome], tuple[Iterable[str], Iterable[str]]]


def default_workers() -> int:
    """Processes to share a big file between: up to 2 cores' worth (1 without ``os.fork``)."""
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def evaluate_split(
    engine: Engine,
    path: str,
    render: SplitRenderer | None,
    *,
    workers: int,
    parameters: Mapping[str, Any] | None = None,
    min_bytes: int | None = None,
    out: IO[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    frame: Frame | None = None,
) -> tuple[RunOutcome, str] | None:
    """The report of ``path`` rendered in parts by ``render`` in ``workers`` processes, or None:
    use one process (as for a format without a split renderer).

    The outcome has the problems, warnings and parameters of a one-process run but no
    results (the workers rendered them: the text is the whole report). With ``out``, the
    workers write their pieces to files, only the report's body (the workers' texts joined,
    between the head and the tail ``frame`` gives for the outcome) goes to ``out`` and the text is
    empty; the outcome's ``streamed`` counts the results; nothing is written to ``out`` unless
    every worker succeeded. ``progress`` is told the bytes and rows read by all workers.
    """
    if render is None or not _splittable(engine, path):
        return None
    ranges, runner = _plan(engine, path, workers, min_bytes, parameters)
    mark("ranges-planned")
    if ranges is None:
        return None
    _ = engine.policy.fused, engine.policy.fast_grades  # built once, before the fork
    mark("runner-ready")
    with tempfile.TemporaryDirectory(prefix="hrpolicy-") as folder:
        files = [os.path.join(folder, f"{i}.part") if out is not None else None for i in range(len(ranges))]
        counters = Counters(len(ranges))
        tasks = [
            _task(runner, engine, path, r, parameters, render, f, counters.setter(i) if progress else None)
            for i, (r, f) in enumerate(zip(ranges, files, strict=True))
        ]
        told = counters.told(progress, head_of(ranges)) if progress else None
        parts = fork_all(tasks, told)
        if told is not None:
            told()  # (the workers' last counts, after the last poll)
        mark("workers-joined")
        complete = [p for p in parts if p is not None]
        if len(complete) != len(parts) or not _disjoint(complete):
            return None
        cut = [r for r in ranges if isinstance(r, Range)]  # (a JSON file's items are not rows)
        if cut and not rows_within(path, cut, [p.lines for p in complete]):
            return None  # (one process reads it, and says the file has too many rows)
        outcome, text = _merge(engine, path, complete, render if out is None else None)
        written = [f for f in files if f]
        if out is not None and not _write_body(render, written, complete, outcome, frame, out):
            return None
        mark("parts-merged")
        return outcome, text


def head_of(ranges: Sequence[Range | JsonRange]) -> tuple[int, int]:
    """The bytes and rows of the file before the first of ``ranges``, which the parent read
    itself (a table's header: its rows count, as a whole read counts them; a JSON list's
    opening: no item), for a run's progress to count with the workers' ranges."""
    first = ranges[0]
    return first.start, first.first_row - 1 if isinstance(first, Range) else 0


def _plan(
    engine: Engine, path: str, workers: int, min_bytes: int | None, parameters: Mapping[str, Any] | None
) -> tuple[Sequence[Range | JsonRange] | None, RangeRunner]:
    """The ranges of ``path`` (None: one process) and what runs one of them."""
    if _is_json(path):
        # (the file's head may give parameters: each worker checks them, one process says why)
        return plan_json_ranges(path, workers, min_bytes), evaluate_json_range
    # A table holds no parameters: those evaluation reads must come from the caller.
    engine.require_parameters(dict(parameters or {}))
    return plan_ranges(path, workers, min_bytes), range_runner()  # (imported before the fork)


def _write_body(
    render: SplitRenderer,
    files: list[str],
    parts: Sequence[Part],
    outcome: RunOutcome,
    frame: Frame | None,
    out: IO[str],
) -> bool:
    """The workers' files copied to ``out`` between ``frame``'s head and tail; False (nothing
    written) when a worker rewriting them failed."""
    finals = _rewritten(render, files, parts)
    if finals is None:
        return False
    head, tail = frame(outcome) if frame is not None else ((), ())
    out.writelines(head)
    _copy_parts(finals, [p.evaluated for p in parts], render.between, out)
    out.writelines(tail)
    return True


def _rewritten(render: SplitRenderer, files: list[str], parts: Sequence[Part]) -> list[str] | None:
    """The parts' final files: as they are, or rewritten in forked workers (``render.rewrite``);
    None if a worker failed."""
    if render.rewrite is None:
        return files
    rewrite = render.rewrite([part.summary for part in parts])
    mark("parts-summed")
    finals = [f"{name}.final" for name in files]
    if rewrite is None:
        return finals  # (the workers wrote them with their summaries)

    def task(source: str, target: str) -> Callable[[], bool]:
        return lambda: rewrite(source, target) is None  # (True: a result fork_all tells from a failure)

    done = fork_all([task(s, t) for s, t in zip(files, finals, strict=True)])
    mark("parts-rewritten")
    return finals if all(done) else None


def _copy_parts(files: Sequence[str], counts: Sequence[int], between: str, out: IO[str]) -> None:
    first = True
    for name, count in zip(files, counts, strict=True):
        if not count:
            continue
        if not first:
            out.write(between)
        first = False
        with open(name, "rb") as part:
            copy_bytes(part, out)


def copy_bytes(source: IO[bytes], out: IO[str]) -> None:
    """Write the rest of ``source`` (UTF-8) to the text file ``out``: as bytes, without decoding
    and encoding them again, when ``out`` writes UTF-8 to a binary buffer (a report of 100,000
    employees in JSON is about 95 MB, copied twice)."""
    encoding = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    raw = getattr(out, "buffer", None)
    if encoding != "utf8" or raw is None:
        shutil.copyfileobj(io.TextIOWrapper(source, encoding="utf-8", newline=""), out, 2**20)
        return
    out.flush()  # (the text written so far goes first)
    raw.flush()
    _send(source, raw)
    shutil.copyfileobj(source, raw, 2**20)  # (what sendfile did not send, if anything)


def _send(source: IO[bytes], out: IO[bytes]) -> None:
    """Send what it can of the rest of the file ``source`` to the file ``out`` through
    ``os.sendfile``, ``source`` left after it: the kernel copies it without reading it into this
    process (50 MB in 40 ms rather than 55-140 ms by read and write here). Where it cannot (no
    ``sendfile``, not two files the system copies between, ``out`` a terminal, a write error)
    it stops, and the caller copies the rest (and meets the error again)."""
    try:
        start, size = source.tell(), os.fstat(source.fileno()).st_size
        source_fd, out_fd = source.fileno(), out.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return
    offset = start
    with contextlib.suppress(OSError, AttributeError):  # (AttributeError: no os.sendfile here)
        while offset < size and (sent := os.sendfile(out_fd, source_fd, offset, size - offset)):
            offset += sent
    source.seek(offset)


def _splittable(engine: Engine, path: str) -> bool:
    """A CSV or JSON file, under a policy without ``distributions`` (relative grades need everyone)."""
    if engine.source.data.get("distributions"):
        return False
    return os.path.splitext(path)[1].lower() in (".csv", ".json") and os.path.isfile(path)


def _is_json(path: str) -> bool:
    return os.path.splitext(path)[1].lower() == ".json"


RangeRunner = Callable[..., Part]


def range_runner() -> RangeRunner:
    """What reads, checks, evaluates and renders one range: the columnar plan
    (:mod:`engine.evaluate.columnar`, which falls back to :func:`evaluate_range` for whatever
    it cannot do), or :func:`evaluate_range` itself when the plan is switched off."""
    from engine.evaluate.columnar import run as columnar

    return columnar.evaluate_range if columnar.enabled() else evaluate_range


def _task(
    runner: RangeRunner,
    engine: Engine,
    path: str,
    part: Range | JsonRange,
    parameters: Mapping[str, Any] | None,
    render: SplitRenderer,
    out_path: str | None,
    progress: Callable[[int, int], None] | None,
) -> Callable[[], Part]:

    def run() -> Part:
        # (A CSV range's bytes are checked by the runner: require_cuttable, require_uncut.)
        done = runner(engine, path, part, parameters, render, out_path, progress)
        if render.summary is not None and out_path is not None:
            done.summary = render.summary(out_path)
        return done

    return run


def _disjoint(parts: Sequence[Part]) -> bool:
    """No employee in two parts: one process would have merged their rows into one employee."""
    return disjoint([part.read.ids for part in parts])


def _merge(
    engine: Engine, path: str, parts: Sequence[Part], render: SplitRenderer | None
) -> tuple[RunOutcome, str]:
    """The outcome of the parts, and (with ``render``) the whole report around their texts."""
    first = parts[0]
    population = Population([], first.parameters, {}, {}, None, [], path)
    outcome = RunOutcome(engine.policy, population)
    reads, checks = [part.read for part in parts], [part.checks for part in parts]
    settle_problems(outcome, first.parameter_problems, reads, checks)
    outcome.warnings.extend(p for part in parts for p in part.warnings)
    outcome.streamed = sum(part.evaluated for part in parts)
    if render is None:
        return outcome, ""
    return outcome, render.merge(outcome, outcome.streamed, [part.text for part in parts])


def run_report(
    policy_path: str,
    data_path: str,
    render: Callable[[RunOutcome], str | bytes],
    split: SplitRenderer | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
    workers: int | None = None,
    min_bytes: int | None = None,
    reference: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
) -> tuple[RunOutcome, str | bytes]:
    """Evaluate ``data_path`` under ``policy_path`` and render the report with ``render``.

    With ``split`` (the same format rendered in parts), a big CSV file is shared between
    ``workers`` processes (default :func:`default_workers`) when that gives the very same
    report; otherwise one process does it all (:func:`engine.evaluate.run.run`). Without the
    split the outcome holds every result. ``reference`` runs every formula on the reference
    interpreter (the same report). ``encoding`` and ``sheet`` say how to read a table; a file
    read in another encoding than UTF-8 is read by one process.
    """
    engine = Engine.from_file(policy_path, reference=reference)
    count = default_workers() if workers is None else workers
    plain = sheet is None and encoding in (None, "utf-8", "utf8", "utf-8-sig")
    if split is not None and count > 1 and plain:
        done = evaluate_split(
            engine, data_path, split, workers=count, parameters=parameters, min_bytes=min_bytes
        )
        if done is not None:
            return done
    outcome = engine.evaluate(engine.read(data_path, parameters, encoding=encoding, sheet=sheet))
    return outcome, render(outcome)
