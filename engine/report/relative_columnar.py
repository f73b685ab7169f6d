"""The first pass of a streamed report with distributions (:mod:`.relative_stream`) through the
exact columnar plan (:mod:`engine.evaluate.columnar`).

The plan checks and evaluates a chunk of employees at a time; for each one it vouches for, the
piece (the CSV cells without the relative grades; the JSON item's text before and after its
``relative`` value, from the block writer or, for an item it leaves, the plan's item writer)
comes from its formula values and details, and the compact row the distributions read
(:class:`~engine.evaluate.relative.RelativeGrading`) from those values and the group and tie
fields it gathered; every other employee goes through the per-record first pass on its byte
span, in file order. The spill and the rows are those of
:func:`.relative_stream.first_pass`, byte for byte and tuple for tuple. None: the plan cannot do
this range (the policy, the file, a note on reading, an employee in two places), and the
per-record first pass does it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from engine.evaluate import RunOutcome, parallel
from engine.evaluate.columnar import run as columnar
from engine.evaluate.columnar.plan import Chunk
from engine.evaluate.columnar.vectors import Unsupported
from engine.evaluate.forking import after_head
from engine.evaluate.relative import RelativeGrading
from engine.evaluate.run import Engine
from engine.gcpause import collected_gc
from engine.report.jsonblock import RELATIVE_HEAD, JsonBlock, json_block
from engine.report.jsonreport import JSON_SPLIT
from engine.report.relative_cells import row_text
from engine.report.relative_stream import Pass, Progress, empty_population, first_pass_pieces, pickle_chunks
from engine.report.results import flat_plan, flat_row


def columnar_first_pass(
    engine: Engine,
    path: str,
    fmt: str,
    part: parallel.Range | None,
    parameters: Mapping[str, Any] | None,
    spill: str,
    progress: Progress | None = None,
) -> Pass | None:
    """:func:`.relative_stream.first_pass` through the plan, or None (see the module doc)."""
    if fmt not in ("csv", "json") or not columnar.enabled():
        return None
    whole = parallel.whole_range(path) if part is None else part
    if whole is None:
        return None
    if part is None and progress is not None:
        progress = after_head(progress, parallel.head_of([whole]))  # (as the whole read counts)
    grading = RelativeGrading(engine.source.data)
    outcome = RunOutcome(engine.policy, empty_population(path, dict(parameters or {})))
    shape = flat_plan(outcome)
    if shape is None:
        return None
    pieces = first_pass_pieces(fmt, outcome, grading)  # each full result noted for grading
    if fmt == "json":
        render = replace(pieces, detailed=_detailed, block=_heads)
    else:
        render = replace(pieces, flat=lambda _: _flat(shape))
    try:
        job = columnar.start_job(engine, path, whole, parameters, render, progress, relative=True)
        if job is None:
            return None
        job.render = pieces  # the per-record spans: full results, each one noted
        if fmt == "json":
            job.each_line = _head_and_tail
        engine.require_parameters(job.values)
        job.plan.kept = _kept(engine, grading)
        job.keep = _keeper(grading, [s.name for s in job.plan.person_steps])
        with collected_gc(), open(spill, "wb") as out:
            count = pickle_chunks(job.pieces(columnar.CHUNK_BYTES), out)
    except (Unsupported, columnar.GiveUp):
        return None
    if job.span_notes:
        return None  # notes on reading cells are the whole file's to make
    found = Pass(job.read(), dict(job.values), job.parameter_problems, job.notes, job.checks, count)
    found.rows, found.warnings, found.lines = grading.rows, job.outcome.warnings, job.lines_read
    return found


def _flat(shape: Any) -> parallel.FlatPiece:
    text = row_text()

    def piece(emp_id: str, name: Any, values: Any, grades: Any) -> tuple[str, str]:
        return emp_id, text(flat_row(emp_id, name, values, grades, shape))

    return piece


#: How the plan's JSON items end: the ``relative`` value left empty, then the item's end.
_RELATIVE, _END = "{}", "\n    }"


def _detailed(outcome: RunOutcome) -> parallel.DetailedPiece | None:
    item = JSON_SPLIT.detailed(outcome)
    if item is None:
        return None

    def piece(emp_id: str, name: Any, values: Any, grades: Any, detail: Any) -> tuple[str, tuple[str, str]]:
        return _json_parts(emp_id, item(emp_id, name, values, grades, detail))

    return piece


def _json_parts(emp_id: str, item: str) -> tuple[str, tuple[str, str]]:
    """``(id, (head, tail))`` of a JSON item the plan wrote, as
    :func:`~engine.report.results.json_result_parts` splits a full result's around its
    ``relative`` value."""
    cut = len(_RELATIVE + _END)
    if item[-cut:] != _RELATIVE + _END:
        raise Unsupported("a JSON item that does not end with its relative value")
    return _head_and_tail(emp_id, item[:-cut])


def _heads(outcome: RunOutcome) -> JsonBlock | None:
    """The block writer of the JSON items up to their ``relative`` value (the heads)."""
    block = json_block(outcome)
    return None if block is None else replace(block, end=RELATIVE_HEAD)


#: The tail, with one character more: a slice of it is a new string each time (the spill
#: pickles each piece's own tail, as the per-record pass does, not a reference to the first).
_TAIL_AND_ONE = _END + " "


def _head_and_tail(emp_id: str, head: str) -> tuple[str, tuple[str, str]]:
    return emp_id, (head, _TAIL_AND_ONE[:-1])


def _kept(engine: Engine, grading: RelativeGrading) -> tuple[str, ...]:
    """The employee fields the distributions read (scores, groups, ties that are no formula)."""
    formulas = set(engine.policy.employee_names)
    declared = set(engine.policy.employee_blank) | {"name"}
    wanted = [*(rule.score for rule in grading.rules), *grading.kept]
    names = [n for n in dict.fromkeys(wanted) if n != "id" and n not in formulas]
    missing = [n for n in names if n not in declared]
    if missing:
        raise Unsupported(f"a distribution reads {', '.join(missing)}, not an employee field")
    return tuple(names)


def _keeper(
    grading: RelativeGrading, steps: Sequence[str]
) -> Callable[[Chunk, int, int, list[list[Decimal]]], None]:
    def keep(chunk: Chunk, g: int, h: int, columns: list[list[Decimal]]) -> None:
        fields = {name: column[g:h] for name, column in chunk.kept.items()}
        grading.add_columns(chunk.ids[g:h], dict(zip(steps, columns, strict=True)), fields)

    return keep
