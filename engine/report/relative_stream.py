"""Streamed reports under a policy with distributions: two passes, a compact record per person.

A relative grade needs the whole group, so the rows cannot be written as they are read. The
first pass reads the records file (CSV, Excel, JSON or YAML) an employee at a time
(:func:`engine.io.streaming.stream_records`),
checks and evaluates each one as :meth:`Engine.evaluate <engine.evaluate.run.Engine.evaluate>`
does, spills its rendered piece without the relative grades to a temporary file (the CSV
cells; the JSON item's text around its ``relative`` value), and keeps only what the
distributions read (:class:`~engine.evaluate.relative.RelativeGrading`: id, score, group and
tie fields). The distributions then grade everyone, and the second pass reads the spill back,
in order, and completes each piece. A big file's first pass is shared between forked
processes, each on its own byte range of a CSV file (:mod:`engine.evaluate.parallel`), sending back its
compact rows. Memory holds a compact row per person and the problems, never the records or
results; the bytes are those of the whole-file renderers (``RENDERERS``).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from engine.distribution.compact import Rows
from engine.errors import Problem
from engine.evaluate import RunOutcome, parallel
from engine.evaluate.relative import RelativeGrading, relative_warnings
from engine.evaluate.run import Engine
from engine.gcpause import collected_gc, paused_gc
from engine.io.csvfile import Undecodable
from engine.io.ids import disjoint
from engine.io.model import EmployeeRecord, Population
from engine.io.records import TablePart, stream_csv
from engine.io.spool import Problems, ProblemSpool
from engine.io.streaming import ReadWhole, can_stream, stream_records
from engine.report.columns import result_columns
from engine.report.progress import next_phase
from engine.report.relative_cells import RelativeCells, row_text
from engine.report.results import json_relatives, json_result_parts, result_row, row_plan

#: Pieces pickled to the spill at a time.
CHUNK = 512

Progress = Callable[[int, int], None]
#: A report's head and tail around its body, a piece at a time, from the run's outcome.
Frame = Callable[[RunOutcome], tuple[Iterable[str], Iterable[str]]]


@dataclass
class Pass:
    """What the first pass over a file (or one byte range of it) found: how it was read, the
    problems of the employees not evaluated, how many were, and a compact row per person
    evaluated (:attr:`RelativeGrading.rows`)."""

    read: TablePart  # without its employees
    parameters: dict[str, Any]
    parameter_problems: list[Problem]
    notes: list[Problem]
    checks: Problems = field(default_factory=ProblemSpool)
    count: int = 0
    rows: Rows | None = None  # RelativeGrading.rows
    warnings: list[Problem] = field(default_factory=list)  # the employees' (record requirements)
    org_parent: dict[str, str | None] = field(default_factory=dict)  # the file's org tree (JSON, YAML)
    lines: int | None = None  # (as parallel.Part's: the range's lines, when its reader checked only those)


def relative_streamable(engine: Engine, data_path: str, fmt: str) -> bool:
    """Whether :func:`spill_relative` can write ``fmt`` for ``data_path``: a CSV file, CSV or
    JSON, a policy with distributions whose grade columns come last (a distribution named
    like a formula shares its column: that report is rendered whole)."""
    data = engine.source.data
    if fmt not in ("csv", "json") or not data.get("distributions"):
        return False
    if not can_stream(data_path):
        return False
    names = [str(n) for n in data["distributions"]]
    keys = [c.key for c in result_columns(RunOutcome(engine.policy, empty_population(data_path, {})))]
    return not set(names) & set(keys)


def _first_passes(
    engine: Engine,
    data_path: str,
    fmt: str,
    folder: str,
    parameters: Mapping[str, Any] | None,
    workers: int | None,
    min_bytes: int | None,
    progress: Progress | None,
) -> tuple[list[Pass], list[str]]:
    """The first pass over ``data_path``, shared between processes when it is a CSV file
    (byte ranges of a table's lines), else in this one: each part's pass and spill file."""
    done = None
    if _is_csv(data_path):
        done = _split(engine, data_path, fmt, folder, parameters, workers, min_bytes, progress)
    if done is None:
        spill = os.path.join(folder, "0.spill")
        done = [first_pass(engine, data_path, fmt, None, parameters, spill, progress)], [spill]
    return done


def _is_csv(path: str) -> bool:
    return os.path.splitext(path)[1].lower() == ".csv"


def empty_population(path: str, parameters: dict[str, Any]) -> Population:
    return Population([], parameters, {}, {}, None, [], path)


def spill_relative(
    engine: Engine,
    data_path: str,
    fmt: str,
    spool: IO[str],
    *,
    parameters: Mapping[str, Any] | None = None,
    org_parent: Mapping[str, str | None] | None = None,
    workers: int | None = None,
    min_bytes: int | None = None,
    progress: Progress | None = None,
    frame: Frame | None = None,
    brief: bool = False,
) -> RunOutcome:
    """Evaluate ``data_path``, grade it relatively and write the report's body (CSV rows
    without the header; JSON's ``results`` items) to ``spool``; the outcome (no results:
    ``streamed`` counts them) for the report around it. With ``frame`` (the report's head and
    tail of an outcome), the whole report: the head is known once everyone is graded, before
    the body is written (a million kumho people's JSON body, 1.8 GB, is then written once, not
    spooled and copied).

    ``org_parent``: the org tree small groups merge up (a table carries none);
    ``workers`` and ``min_bytes`` as in :func:`~engine.evaluate.parallel.evaluate_split`;
    ``brief``: the CSV rows of the text table (:class:`~engine.report.rows.RowPlan`).
    Raises :class:`~engine.io.model.ReadWhole` when the file cannot be read an employee at a
    time (then read it whole); nothing useful is left in ``spool`` then. So is a CSV file not
    in UTF-8 (its byte ranges are read as UTF-8): the whole read detects its encoding, as the
    split run leaves such a file to one process.
    """
    with tempfile.TemporaryDirectory(prefix="hrpolicy-") as folder:
        try:
            done = _first_passes(engine, data_path, fmt, folder, parameters, workers, min_bytes, progress)
        except Undecodable as exc:
            raise ReadWhole(str(exc)) from None
        passes, spills = done
        with paused_gc():  # millions of candidates and groups, none in a cycle: no rescans
            outcome = _outcome(engine, data_path, passes, org_parent or {}, progress)
        head, tail = frame(outcome) if frame is not None else ((), ())
        spool.writelines(head)
        writing = next_phase(progress, "writing", outcome.streamed, "people")
        _second_pass(outcome, fmt, spills, spool, writing, brief)
        spool.writelines(tail)
    return outcome


def _split(
    engine: Engine,
    path: str,
    fmt: str,
    folder: str,
    parameters: Mapping[str, Any] | None,
    workers: int | None,
    min_bytes: int | None,
    progress: Progress | None,
) -> tuple[list[Pass], list[str]] | None:
    """The first pass in forked workers, one byte range each; None: do it in one process."""
    count = parallel.default_workers() if workers is None else workers
    ranges = parallel.plan_ranges(path, count, min_bytes) if count > 1 else None
    if ranges is None:
        return None
    engine.require_parameters(dict(parameters or {}))  # a table holds none: the caller's
    _ = engine.policy.fused, engine.policy.fast_grades  # built once, before the fork
    spills = [os.path.join(folder, f"{i}.spill") for i in range(len(ranges))]
    counters = parallel.Counters(len(ranges))
    tasks = [
        _task(engine, path, fmt, r, parameters, s, counters.setter(i) if progress else None)
        for i, (r, s) in enumerate(zip(ranges, spills, strict=True))
    ]
    told = counters.told(progress, parallel.head_of(ranges)) if progress else None
    results = parallel.fork_all(tasks, told)
    if told is not None:
        told()  # (the workers' last counts, after the last poll)
    passes = [p for p in results if p is not None]
    if not _mergeable(passes, len(results)):
        return None
    if not parallel.rows_within(path, ranges, [p.lines for p in passes]):
        return None  # (one process reads it, and says the file has too many rows)
    return passes, spills


def _mergeable(passes: list[Pass], tasks: int) -> bool:
    """Whether the workers' passes can be merged: every one of the ``tasks`` finished, none
    noted anything on reading but the file's note the first range brings (an encoding
    detected), and no employee is in two ranges."""
    if len(passes) != tasks or any(p.notes for p in passes[1:]) or any(p.read.notes for p in passes):
        return False  # a failed worker; notes on reading are the whole file's to make
    return disjoint([one.read.ids for one in passes])  # (else one process merges their rows)


def _task(
    engine: Engine,
    path: str,
    fmt: str,
    part: parallel.Range,
    parameters: Mapping[str, Any] | None,
    spill: str,
    progress: Progress | None,
) -> Callable[[], Pass]:
    return lambda: first_pass(engine, path, fmt, part, parameters, spill, progress)


def first_pass(
    engine: Engine,
    path: str,
    fmt: str,
    part: parallel.Range | None,
    parameters: Mapping[str, Any] | None,
    spill: str,
    progress: Progress | None = None,
) -> Pass:
    """Read, check and evaluate ``path`` (or the byte range ``part``) an employee at a time;
    pickle each evaluated one's piece, without its relative grades, to ``spill``, a chunk at a
    time; keep its compact row for the distributions. The exact columnar plan does it where it
    can (:mod:`.relative_columnar`: the same spill and rows)."""
    from engine.report.relative_columnar import columnar_first_pass  # it builds on this module

    if _is_csv(path):
        done = columnar_first_pass(engine, path, fmt, part, parameters, spill, progress)
        if done is not None:
            return done
    data = engine.source.data
    inputs, scales = data.get("inputs") or {}, data.get("scales") or {}
    if part is None:
        stream, values, parameter_problems, notes = stream_records(
            path, inputs, scales=scales, parameters=parameters, progress=progress, policy_id=engine.policy.id
        )
    else:
        parallel.require_cuttable(part)  # (a planned range; the columnar pass checks its blocks)
        stream, values, parameter_problems, notes = stream_csv(
            path, inputs, scales=scales, parameters=parameters,
            part=(part.start, part.end, part.first_row), progress=progress,
        )  # fmt: skip
    engine.require_parameters(values)
    outcome = RunOutcome(engine.policy, empty_population(path, values))
    grading = RelativeGrading(data)
    found = Pass(stream.part, values, parameter_problems, notes, org_parent=stream.org_parent)
    render = first_pass_pieces(fmt, outcome, grading)
    pieces = parallel.render_records(engine, outcome, stream, render, found.checks)
    with collected_gc(), open(spill, "wb") as out:
        found.count = pickle_chunks(pieces, out)
    found.rows = grading.rows
    found.warnings = outcome.warnings
    return found


def first_pass_pieces(fmt: str, outcome: RunOutcome, grading: RelativeGrading) -> parallel.SplitRenderer:
    """How the first pass renders one result: ``(id, piece)``, the person noted for grading."""
    plan = row_plan(outcome)  # the columns without the relative grades (they come last)
    text = row_text()

    def piece(result: Any, _: RunOutcome, record: EmployeeRecord) -> tuple[str, Any]:
        grading.add(record, result.values)
        if fmt == "csv":  # the CSV line of its own cells (the grades are added to it)
            return result.id, text(result_row(result, plan, outcome, record))
        return result.id, json_result_parts(result)

    # Only ``piece`` is used (render_records); the pieces are pickled, never joined as text.
    return parallel.SplitRenderer(piece=piece, join="".join, merge=lambda *_: "")


def pickle_chunks(pieces: Iterator[Any], out: IO[bytes]) -> int:
    count, block = 0, []
    for item in pieces:
        block.append(item)
        if len(block) == CHUNK:
            pickle.dump(block, out, protocol=pickle.HIGHEST_PROTOCOL)
            count += len(block)
            block = []
    if block:
        pickle.dump(block, out, protocol=pickle.HIGHEST_PROTOCOL)
        count += len(block)
    return count


def _outcome(
    engine: Engine,
    path: str,
    passes: list[Pass],
    org_parent: Mapping[str, str | None],
    progress: Progress | None = None,
) -> RunOutcome:
    """The run's outcome, as the whole-file run has it, with every distribution graded (a
    progress bar's next phase counts the grades given: a person's, distribution by distribution)."""
    first = passes[0]
    org_tree = {**first.org_parent, **org_parent}  # the caller's tree over the file's
    population = Population([], first.parameters, org_tree, {}, None, [], path)
    outcome = RunOutcome(engine.policy, population)
    reads, checks = [one.read for one in passes], [one.checks for one in passes]
    parallel.settle_problems(outcome, first.parameter_problems, reads, checks)
    outcome.warnings = [*first.notes, *(n for one in passes for n in one.read.notes)]
    outcome.warnings += [w for one in passes for w in one.warnings]
    grading = RelativeGrading(engine.source.data)
    for one in passes:
        if one.rows is not None:
            grading.rows += one.rows
            one.rows = None
    people = len(grading.rows)
    bar = next_phase(progress, "grading", people * len(grading.rules), "grades")
    outcome.relative = grading.grade(org_tree, None if bar is None else lambda k: bar(k * people, k * people))
    outcome.warnings.extend(relative_warnings(outcome.relative, path))
    outcome.streamed = sum(one.count for one in passes)
    return outcome


def _second_pass(
    outcome: RunOutcome,
    fmt: str,
    spills: list[str],
    spool: IO[str],
    progress: Progress | None = None,
    brief: bool = False,
) -> None:
    """Every spilled piece completed with its relative grades, in order, as the report's body
    (``progress`` told the people written so far)."""
    cells = RelativeCells(outcome, row_plan(outcome, brief=brief)) if fmt == "csv" else None
    first = True
    written = 0
    for block in _chunks(spills):
        if cells is not None:
            spool.write(cells.complete(block))
        else:
            grades = json_relatives(outcome, [employee for employee, _ in block])
            items = zip(block, grades, strict=True)
            text = ",\n".join(head + found + tail for (_, (head, tail)), found in items)
            spool.write(text if first else ",\n" + text)
        first = False
        if progress is not None:
            written += len(block)
            progress(written, written)


def _chunks(spills: list[str]) -> Iterator[list[Any]]:
    for name in spills:
        with open(name, "rb") as handle:
            while True:
                try:
                    yield pickle.load(handle)
                except EOFError:
                    break


__all__ = ["Pass", "first_pass", "relative_streamable", "spill_relative"]
