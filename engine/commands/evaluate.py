"""``hrpolicy evaluate``, ``explain`` and ``examples``: run a policy over records and report."""

from __future__ import annotations

from engine.commands.common import Echo, deliver, guard_output
from engine.evaluate import RunOutcome, example_runs, explain
from engine.evaluate.parallel import run_report
from engine.report import renderer
from engine.report.results import EXPLAIN_RENDERERS, RENDERERS, SPLIT_RENDERERS, format_problem


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
    policy: str, data: str, fmt: str, output: str | None, echo: Echo, *, reference: bool = False
) -> int:
    """Evaluate ``data`` under ``policy``; print or write (atomically) the results.

    ``reference``: through the reference interpreter instead of generated code (same output).
    """
    render = renderer(RENDERERS, fmt)
    guard_output(output, [policy, data])
    # A big CSV file may be shared between processes; the report is the same either way.
    outcome, report = run_report(policy, data, render, SPLIT_RENDERERS.get(fmt), reference=reference)
    deliver(report, output, echo, fmt, [outcome.policy.stamp])
    return _finish(outcome, echo, fmt, output)


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
    deliver(render(outcome), None, echo, fmt, [outcome.policy.stamp])
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
