"""``hrpolicy evaluate``, ``explain`` and ``examples``: run a policy over records and report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.commands.common import Echo, deliver, guard_output
from engine.errors import UsageError
from engine.evaluate import RunOutcome, run
from engine.evaluate.parallel import run_report
from engine.evaluate.parameters import parse_param_options
from engine.limits import nfc
from engine.report.results import format_problem, relative_dict, render_explain, render_relative, result_dict
from engine.resources import bundled_root
from engine.suggest import did_you_mean


def _finish(outcome: RunOutcome, echo: Echo, fmt: str, output: str | None) -> int:
    """Exit 1 when any employee could not be evaluated; the problems reach the terminal too."""
    if (fmt != "text" or output) and outcome.problems:
        for problem in outcome.problems:
            echo(format_problem(problem), err=True)
    if outcome.problems:
        echo(f"hrpolicy: {_problem_summary(outcome)}; see the problems above", err=True)
        return 1
    return 0


def _problem_summary(outcome: RunOutcome) -> str:
    """``2 employee(s) not evaluated`` and/or ``1 problem(s) with the file or its parameters``:
    never "0 employees not evaluated" when only the file or a parameter is at fault."""
    parts = []
    failed = len(outcome.failed_employees)
    if failed:
        parts.append(f"{failed} employee(s) not evaluated")
    general = sum(1 for p in outcome.problems if p.employee_id is None)
    if general:
        parts.append(f"{general} problem(s) with the file or its parameters")
    return "; ".join(parts)


def run_evaluate(
    policy: str,
    data: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    params: Sequence[str] = (),
    *,
    reference: bool = False,
) -> int:
    """Evaluate ``data`` under ``policy``; print or write (atomically) the results.

    ``params`` are ``NAME=VALUE`` run-time parameters (``--param``); they win over the file's.
    ``reference``: through the reference interpreter instead of generated code (same output).
    """
    parameters = parse_param_options(params)
    guard_output(output, [policy, data])
    # A big CSV file may be shared between processes; the report is the same either way.
    outcome, report = run_report(policy, data, fmt, parameters=parameters, reference=reference)
    deliver(report, output, echo)
    return _finish(outcome, echo, fmt, output)


def run_explain(
    policy: str,
    data: str,
    employee: str,
    fmt: str,
    echo: Echo,
    params: Sequence[str] = (),
    *,
    reference: bool = False,
) -> int:
    """Print the full trace of one employee's evaluation (``reference``: see :func:`run_evaluate`).

    An employee left out while reading (a bad value, a duplicate id) is explained by its
    problems (exit 1), not reported as unknown.
    """
    employee = nfc(employee)  # typed on a terminal that sends NFD: the ids were read in NFC
    parameters = parse_param_options(params)
    outcome = run(policy, data, trace=True, only=employee, reference=reference, parameters=parameters)
    known = [r.id for r in outcome.population.employees]
    dropped = [p for p in outcome.population.problems if p.employee_id == employee]
    if employee not in known and dropped:
        head = f"employee {employee} was not evaluated: {len(dropped)} problem(s) while reading {data}"
        echo(head, err=True)
        for problem in dropped:
            echo(format_problem(problem), err=True)
        return 1
    if employee not in known:
        match = did_you_mean(employee, known)
        hint = f"; {match}" if match else ""
        raise UsageError(f"no employee '{employee}' in {data}{hint}")
    if not outcome.results:
        for problem in outcome.problems:
            if problem.employee_id == employee:
                echo(format_problem(problem), err=True)
        return 1
    result = outcome.results[0]
    if fmt == "json":
        import json

        item = {**result_dict(result), "relative": relative_dict(outcome, employee)}
        echo(json.dumps(item, ensure_ascii=False, indent=2))
    else:
        echo(render_explain(result) + render_relative(outcome, employee), nl=False)
    return 0


def run_examples(root: str | None, echo: Echo) -> int:
    """Evaluate every example population (examples/<policy>/employees.yaml) under its policy.

    ``root`` holds ``policies/`` and ``examples/``; by default, the copies bundled with the package.
    """
    code = 0
    base = Path(root) if root is not None else bundled_root()
    if base is None:
        raise UsageError("no bundled examples in this installation: give --root FOLDER")
    found = sorted((base / "examples").glob("*/employees.yaml"))
    if not found:
        raise UsageError(f"no example populations under {base / 'examples'}")
    for data in found:
        policy = base / "policies" / f"{data.parent.name}.yaml"
        echo(f"== {data.relative_to(base).as_posix()} under {policy.relative_to(base).as_posix()}")
        code = max(code, run_evaluate(str(policy), str(data), "text", None, echo))
        echo("")
    return code
