"""``hrpolicy evaluate``, ``explain`` and ``examples``: run a policy over records and report."""

from __future__ import annotations

from engine.commands.common import Echo, Reading, check_output, deliver, guard_output
from engine.evaluate import RunOutcome, example_runs, explain
from engine.evaluate.parallel import run_report
from engine.report import renderer
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.results import EXPLAIN_RENDERERS, RENDERERS, SPLIT_RENDERERS, format_problem


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
) -> int:
    """Evaluate ``data`` under ``policy``; print or write (atomically) the results.

    ``options``: language, run date, BOM, terminal width; ``reading``: how to read a table;
    ``reference``: through the reference interpreter instead of generated code (same output).
    """
    render = renderer(RENDERERS, fmt)
    options = options or ReportOptions()
    reading = reading or Reading()
    check_output(output, fmt)
    guard_output(output, [policy, data])
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
