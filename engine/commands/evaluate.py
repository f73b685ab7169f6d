"""``hrpolicy evaluate``, ``explain`` and ``examples``: run a policy over records and report."""

from __future__ import annotations

import os
import tempfile
from typing import TextIO

from engine.commands.common import Echo, guard_output
from engine.evaluate import Engine, RunOutcome, example_runs, explain
from engine.io.atomic import open_atomic
from engine.report import renderer
from engine.report.progress import ProgressBar
from engine.report.results import EXPLAIN_RENDERERS, RENDERERS, format_problem
from engine.report.stream import copy_out, streamable, write_report


def _finish(outcome: RunOutcome, echo: Echo, fmt: str, output: str | None) -> int:
    """Exit 1 when any employee could not be evaluated; the problems reach the terminal too."""
    if (fmt != "text" or output) and outcome.problems:
        for problem in outcome.problems:
            echo(format_problem(problem), err=True)
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
    *,
    reference: bool = False,
    progress: TextIO | None = None,
) -> int:
    """Evaluate ``data`` under ``policy``; print or write (atomically) the results.

    ``reference``: through the reference interpreter instead of generated code (same output).
    ``progress``: where to draw a progress bar (a terminal's stderr), if anywhere.
    A CSV file is read, evaluated and written an employee at a time, a big one shared between
    processes (:mod:`engine.report.stream`); the report is the same either way, and nothing
    is written (to the file or stdout) unless the run completes.
    """
    renderer(RENDERERS, fmt)  # an unknown format is refused before anything is read
    guard_output(output, [policy, data])
    engine = Engine.from_file(policy, reference=reference)
    bar = _bar(data, progress) if progress is not None and streamable(engine, data, fmt) else None
    if output:
        with open_atomic(output) as out:
            outcome = write_report(engine, data, fmt, out, progress=bar)
    else:
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
            outcome = write_report(engine, data, fmt, spool, progress=bar)
            if bar is not None:
                bar.finish()
                bar = None
            copy_out(spool, echo)
    if bar is not None:
        bar.finish()
    return _finish(outcome, echo, fmt, output)


def _bar(data: str, stream: TextIO) -> ProgressBar | None:
    try:
        return ProgressBar(os.path.getsize(data), stream)
    except OSError:
        return None  # the reader says what is wrong with the file


def run_explain(
    policy: str, data: str, employee: str, fmt: str, echo: Echo, *, reference: bool = False
) -> int:
    """Print the full trace of one employee's evaluation (``reference``: see :func:`run_evaluate`)."""
    render = renderer(EXPLAIN_RENDERERS, fmt)
    outcome, employee = explain(policy, data, employee, reference=reference)
    if not outcome.results:
        for problem in outcome.problems:
            if problem.employee_id == employee:
                echo(format_problem(problem), err=True)
        return 1
    echo(render(outcome), nl=False)
    return 0


def run_examples(root: str | None, echo: Echo) -> int:
    """Evaluate every example population (examples/<policy>/employees.yaml) under its policy.

    ``root`` holds ``policies/`` and ``examples/``; by default, the copies bundled with the package.
    """
    code = 0
    for base, policy, data in example_runs(root):
        echo(f"== {data.relative_to(base).as_posix()} under {policy.relative_to(base).as_posix()}")
        code = max(code, run_evaluate(str(policy), str(data), "text", None, echo))
        echo("")
    return code
