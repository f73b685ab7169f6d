"""``hrpolicy evaluate``, ``explain`` and ``examples``: run a policy over records and report."""

from __future__ import annotations

import os

from engine.commands.common import Echo, Reading, check_output, deliver, guard_output, streamed_out
from engine.evaluate import Engine, RunOutcome, example_runs, explain
from engine.evaluate.parallel import run_report
from engine.io.atomic import open_atomic_binary
from engine.io.encoding import given_encoding
from engine.io.spool import ProblemSpool
from engine.io.tablerows import of_a_row_without_id
from engine.report import renderer
from engine.report.formats import IN_LANGUAGE, PAGES
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.results import RENDERERS, SPLIT_RENDERERS, format_problem
from engine.report.stream import streamable, write_report
from engine.timeline import mark


def _finish(
    outcome: RunOutcome, echo: Echo, fmt: str, output: str | None, labels: Labels | None = None
) -> int:
    """Exit 1 when any employee could not be evaluated; the problems reach the terminal too."""
    if (fmt != "text" or output) and outcome.problems:
        for problem in outcome.problems:
            echo(format_problem(problem, "error", labels), err=True)
    if outcome.problems:
        echo(f"hrpolicy: {_problem_summary(outcome)}; see the problems above", err=True)
        return 1
    return 0


def _problem_summary(outcome: RunOutcome) -> str:
    """``2 employee(s) not evaluated`` and/or ``1 problem(s) with the file or its parameters``:
    never "0 employees not evaluated" when only the file or a parameter is at fault."""
    general = sum(1 for p in outcome.problems if p.employee_id is None)
    return _summary(len(outcome.failed_employees), general)


def _summary(failed: int, general: int) -> str:
    parts = []
    if failed:
        parts.append(f"{failed} employee(s) not evaluated")
    if general:
        parts.append(f"{general} problem(s) with the file or its parameters")
    return "; ".join(parts)


def _file_problems(outcome: RunOutcome, echo: Echo, labels: Labels) -> int:
    """explain: the problems of the file or its parameters (an unknown column, a bad parameter),
    worded and summed up as evaluate words them; exit 1 when there are any, as evaluate's. The
    problems of other employees are theirs (explain shows one), and so are a table's rows
    without an id: the search by id never reads them, and whether it runs must not matter."""
    general = [p for p in outcome.problems if p.employee_id is None and not of_a_row_without_id(p)]
    for problem in general:
        echo(format_problem(problem, "error", labels), err=True)
    if not general:
        return 0
    echo(f"hrpolicy: {_summary(0, len(general))}; see the problems above", err=True)
    return 1


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

    ``options``: language, run date, BOM, terminal width; ``reading``: how to read a table, and
    where to draw a progress bar; ``reference``: through the reference interpreter instead of
    generated code (same output).
    A records file reported as CSV, JSON or text is read, evaluated and written an employee at a
    time, a big CSV or JSON one shared between processes (:mod:`engine.report.stream`): the same bytes, and
    nothing is written (to the file or stdout) unless the run completes. So is a page or a
    workbook, in any language (:mod:`engine.report.page_stream`: the same page, the same cells).
    """
    render = renderer(RENDERERS, fmt)
    options = options or ReportOptions()
    reading = reading or Reading()
    check_output(output, fmt)
    guard_output(output, [policy, data])
    # A page and a workbook have their rows in a language (the policy's), and so have CSV and
    # text in one asked for: streamed in any (JSON is the same in every language). A CSV file's
    # --encoding reaches the readers below as the run's (they take none of their own).
    if reading.sheet is None and (reading.encoding is None or _is_csv(data)):
        engine = Engine.from_file(policy, reference=reference)
        mark("policy-loaded")
        in_language = options.lang is not None and fmt in IN_LANGUAGE
        with given_encoding(reading.encoding):
            if fmt in PAGES or in_language or streamable(engine, data, fmt):
                outcome = _streamed(engine, data, fmt, output, echo, options, reading)
                mark("written")
                try:
                    _notes(outcome, echo, fmt, output)
                    return _finish(outcome, echo, fmt, output, Labels(outcome.policy.data, options.lang))
                finally:
                    if isinstance(outcome.problems, ProblemSpool):
                        outcome.problems.close()  # the spooled problems' temp file removed
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


def _is_csv(data: str) -> bool:
    """A CSV file, whose ``--encoding`` the streamed run takes (another file's reader refuses
    the option: the whole read, below, says so)."""
    return os.path.splitext(data)[1].lower() == ".csv"


def _streamed(
    engine: Engine,
    data: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    options: ReportOptions,
    reading: Reading,
) -> RunOutcome:
    # (Pages and rows in a language are imported where they are written: with pay and job
    # evaluation behind them, 30 ms of imports every other run would wait for.)
    bar = reading.bar(data)
    stamps = [engine.policy.stamp]
    given = reading.parameters
    if fmt == "xlsx":
        from engine.report.page_stream import write_book

        assert output is not None  # (check_output refused a workbook without a file)
        with open_atomic_binary(output) as binary:
            outcome = write_book(engine, data, binary, options, parameters=given, progress=bar)
            if bar is not None:
                bar.finish()
    else:
        with streamed_out(output, echo, fmt, options.bom) as out:
            if fmt == "html":
                from engine.report.page_stream import write_page

                outcome = write_page(
                    engine, data, out, options, parameters=given, progress=bar, stamps=stamps
                )
            elif options.lang is not None and fmt in IN_LANGUAGE:
                from engine.report.lang_stream import write_in_language

                outcome = write_in_language(
                    engine, data, fmt, out, options, parameters=given, progress=bar, stamps=stamps
                )
            else:
                outcome = write_report(
                    engine, data, fmt, out, parameters=given, progress=bar, stamps=stamps, width=options.width
                )
            if bar is not None:
                bar.finish()  # before the report is echoed
    return outcome


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
    width: int | None = None,
) -> int:
    """Print the full trace of one employee's evaluation (``reference``: see :func:`run_evaluate`;
    ``reading``: how to read a table, with the run-time parameters; ``lang``: formulas named by
    their labels too; ``width``: the terminal's, text wrapped to it). An employee left out while
    reading (a bad value, a duplicate id) is explained by its problems (exit 1), not reported as
    unknown."""
    from engine.report.explain import EXPLAIN_RENDERERS  # (with HTML behind it: imported when used)

    render = renderer(EXPLAIN_RENDERERS, fmt)
    reading = reading or Reading()
    outcome, employee = explain(
        policy,
        data,
        employee,
        reference=reference,
        parameters=reading.parameters,
        encoding=reading.encoding,
        sheet=reading.sheet,
    )
    if employee not in {r.id for r in outcome.population.employees}:
        dropped = [p for p in outcome.population.problems if p.employee_id == employee]
        head = f"employee {employee} was not evaluated: {len(dropped)} problem(s) while reading {data}"
        echo(head, err=True)
    labels = Labels(outcome.policy.data, lang)
    if not outcome.results:
        for problem in outcome.problems:
            if problem.employee_id == employee:
                echo(format_problem(problem), err=True)
        _file_problems(outcome, echo, labels)
        return 1
    text = render(outcome, labels, width) if fmt == "text" else render(outcome, labels)
    deliver(text, None, echo, fmt, stamps=[outcome.policy.stamp])
    return _file_problems(outcome, echo, labels)


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
