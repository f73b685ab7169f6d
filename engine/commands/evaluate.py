"""``hrpolicy evaluate``, ``explain`` and ``examples``: run a policy over records and report."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import IO, TextIO, cast

from engine.commands.common import Echo, Reading, check_output, deliver, guard_output
from engine.evaluate import Engine, RunOutcome, example_runs, explain
from engine.evaluate.parallel import run_report
from engine.io.atomic import open_atomic
from engine.provenance import Stamp
from engine.report import renderer
from engine.report.labels import Labels
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.progress import ProgressBar
from engine.report.results import EXPLAIN_RENDERERS, RENDERERS, SPLIT_RENDERERS, format_problem
from engine.report.stream import copy_out, streamable, write_report


def _finish(
    outcome: RunOutcome, echo: Echo, fmt: str, output: str | None, labels: Labels | None = None
) -> int:
    """Exit 1 when any employee could not be evaluated; the problems reach the terminal too."""
    if (fmt != "text" or output) and outcome.problems:
        for problem in outcome.problems:
            echo(format_problem(problem, "error", labels), err=True)
    if outcome.problems:
        echo(
            f"hrpolicy: {len(outcome.failed_employees)} employee(s) not evaluated; see the problems above",
            err=True,
        )
        return 1
    return 0


def run_evaluate(
    policy: str,
    data: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    options: ReportOptions | None = None,
    reading: Reading | None = None,
    *,
    reference: bool = False,
    progress: TextIO | None = None,
) -> int:
    """Evaluate ``data`` under ``policy``; print or write (atomically) the results.

    ``options``: language, run date, BOM, terminal width; ``reading``: how to read a table;
    ``reference``: through the reference interpreter instead of generated code (same output);
    ``progress``: where to draw a progress bar (a terminal's stderr), if anywhere.
    A CSV file reported as CSV or JSON is read, evaluated and written an employee at a time, a
    big one shared between processes (:mod:`engine.report.stream`): the same bytes, and
    nothing is written (to the file or stdout) unless the run completes.
    """
    render = renderer(RENDERERS, fmt)
    options = options or ReportOptions()
    reading = reading or Reading()
    check_output(output, fmt)
    guard_output(output, [policy, data])
    if options.lang is None and reading.encoding is None and reading.sheet is None:
        engine = Engine.from_file(policy, reference=reference)
        if streamable(engine, data, fmt):
            outcome = _streamed(engine, data, fmt, output, echo, options, reading, progress)
            _notes(outcome, echo, fmt, output)
            return _finish(outcome, echo, fmt, output, Labels(outcome.policy.data, options.lang))
    # A big CSV file may be shared between processes; the report is the same either way (rows
    # in a language come from one process).
    split = SPLIT_RENDERERS.get(fmt) if options.lang is None else None
    outcome, report = run_report(
        policy,
        data,
        lambda outcome: render(outcome, options),
        split,
        parameters=reading.parameters,
        reference=reference,
        encoding=reading.encoding,
        sheet=reading.sheet,
    )
    deliver(report, output, echo, fmt, options.bom, [outcome.policy.stamp])
    _notes(outcome, echo, fmt, output)
    return _finish(outcome, echo, fmt, output, Labels(outcome.policy.data, options.lang))


def _streamed(
    engine: Engine,
    data: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    options: ReportOptions,
    reading: Reading,
    progress: TextIO | None,
) -> RunOutcome:
    bar = _bar(data, progress) if progress is not None else None
    stamps = [engine.policy.stamp]
    if output:
        with open_atomic(output) as out:
            if fmt == "csv" and options.bom:
                out.write("\ufeff")  # as deliver() writes a CSV file
            sink = cast(IO[str], _Stamped(out, fmt, stamps))
            outcome = write_report(engine, data, fmt, sink, parameters=reading.parameters, progress=bar)
    else:
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
            sink = cast(IO[str], _Stamped(spool, fmt, stamps))
            outcome = write_report(engine, data, fmt, sink, parameters=reading.parameters, progress=bar)
            if bar is not None:
                bar.finish()
                bar = None
            copy_out(spool, echo)
    if bar is not None:
        bar.finish()
    return outcome


class _Stamped:
    """A text stream whose first write gets the policies' stamps, as :func:`deliver` adds them
    to a whole report (a streamed report's first write is its head: CSV rows, JSON's ``{``)."""

    def __init__(self, out: IO[str], fmt: str, stamps: Sequence[Stamp]) -> None:
        self._out, self._fmt, self._stamps = out, fmt, stamps

    def write(self, text: str) -> int:
        if self._stamps and text:
            text, self._stamps = stamped(self._fmt, self._stamps, text), ()
        return self._out.write(text)


def _bar(data: str, stream: TextIO) -> ProgressBar | None:
    try:
        return ProgressBar(os.path.getsize(data), stream)
    except OSError:
        return None  # the reader says what is wrong with the file


def _notes(outcome: RunOutcome, echo: Echo, fmt: str, output: str | None) -> None:
    """How the data file was read (encoding found, title rows, percent cells) reaches the
    terminal when the report itself does not show it there."""
    if fmt == "text" and not output:
        return
    for note in outcome.warnings:
        if note.rule.startswith("read-"):
            echo(f"hrpolicy: note: {format_problem(note, 'note')}", err=True)


def run_explain(
    policy: str,
    data: str,
    employee: str,
    fmt: str,
    echo: Echo,
    reading: Reading | None = None,
    lang: str | None = None,
    *,
    reference: bool = False,
) -> int:
    """Print the full trace of one employee's evaluation (``reference``: see :func:`run_evaluate`;
    ``reading``: how to read a table; ``lang``: formulas named by their labels too)."""
    render = renderer(EXPLAIN_RENDERERS, fmt)
    reading = reading or Reading()
    outcome, employee = explain(
        policy, data, employee, reference=reference, encoding=reading.encoding, sheet=reading.sheet
    )
    if not outcome.results:
        for problem in outcome.problems:
            if problem.employee_id == employee:
                echo(format_problem(problem), err=True)
        return 1
    text = render(outcome, Labels(outcome.policy.data, lang))
    deliver(text, None, echo, fmt, stamps=[outcome.policy.stamp])
    return 0


def run_examples(root: str | None, echo: Echo, options: ReportOptions | None = None) -> int:
    """Evaluate every example population (examples/<policy>/employees.yaml) under its policy.

    ``root`` holds ``policies/`` and ``examples/``; by default, the copies bundled with the package.
    """
    code = 0
    for base, policy, data in example_runs(root):
        echo(f"== {data.relative_to(base).as_posix()} under {policy.relative_to(base).as_posix()}")
        code = max(code, run_evaluate(str(policy), str(data), "text", None, echo, options))
        echo("")
    return code
