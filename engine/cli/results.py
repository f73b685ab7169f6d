"""The commands that evaluate records and write results: evaluate, explain, examples, calibrate,
jobeval, pay, workflow."""

from __future__ import annotations

import click

from engine.cli.guard import echo, progress_to, report_options, run_guarded
from engine.cli_options import (
    LANG_OPTION,
    PARAM_OPTION,
    PROGRESS_OPTION,
    REFERENCE_OPTION,
    format_option,
    reading_options,
    result_options,
)
from engine.report.formats import FORMATS


@click.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@result_options(FORMATS["results"])
@reading_options
@PARAM_OPTION
@REFERENCE_OPTION
@PROGRESS_OPTION
def evaluate(
    policy: str,
    data: str,
    fmt: str | None,
    output: str | None,
    lang: str | None,
    bom: bool,
    encoding: str | None,
    sheet: str | None,
    params: tuple[str, ...],
    raw_cells: bool,
    reference: bool,
    progress: bool | None,
) -> None:
    """Score and grade every employee in DATA (YAML, JSON, CSV or .xlsx) under POLICY."""
    from engine.commands.common import Reading, parse_params, resolve_format
    from engine.commands.evaluate import run_evaluate
    from engine.timeline import mark

    mark("imports-done")
    options = report_options(lang, bom)
    chosen = resolve_format(fmt, output)

    def body() -> int:
        reading = Reading(encoding, sheet, parse_params(params), *progress_to(progress))
        return run_evaluate(policy, data, chosen, output, echo, options, reading, reference=reference)

    run_guarded(body, raw_cells, text=chosen == "text")


@click.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@click.option("--employee", required=True, help="The employee id to explain.")
@format_option(FORMATS["explain"])
@LANG_OPTION
@reading_options
@PARAM_OPTION
@REFERENCE_OPTION
def explain(
    policy: str,
    data: str,
    employee: str,
    fmt: str,
    lang: str | None,
    encoding: str | None,
    sheet: str | None,
    params: tuple[str, ...],
    reference: bool,
) -> None:
    """Print every input, formula, rounding, grade band and evaluator chain behind a result."""
    from engine.commands.common import Reading, parse_params
    from engine.commands.evaluate import run_explain

    def body() -> int:
        reading = Reading(encoding, sheet, parse_params(params))
        width = report_options(lang).width  # (a terminal's: the trace wrapped to it)
        return run_explain(policy, data, employee, fmt, echo, reading, lang, reference=reference, width=width)

    run_guarded(body)


@click.command()
@click.option("--root", help="Folder holding policies/ and examples/ (default: the bundled ones).")
@LANG_OPTION
def examples(root: str | None, lang: str | None) -> None:
    """Evaluate the bundled example populations under their policies."""
    from engine.commands.evaluate import run_examples

    run_guarded(lambda: run_examples(root, echo, report_options(lang)), text=True)


@click.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@click.option("--distribution", help="Only this distribution (default: every one the policy declares).")
@result_options(FORMATS["calibration"])
@reading_options
@PARAM_OPTION
@PROGRESS_OPTION
def calibrate(
    policy: str,
    data: str,
    distribution: str | None,
    fmt: str | None,
    output: str | None,
    raw_cells: bool,
    lang: str | None,
    bom: bool,
    encoding: str | None,
    sheet: str | None,
    params: tuple[str, ...],
    progress: bool | None,
) -> None:
    """Per distribution group: the quota, the proposed and final grades, who moved and why; every
    employee's evaluator chain reviewed (a policy without distributions: the chains only)."""
    from engine.commands.calibrate import run_calibrate
    from engine.commands.common import Reading, parse_params, resolve_format

    chosen, options = resolve_format(fmt, output), report_options(lang, bom)

    def body() -> int:
        reading = Reading(encoding, sheet, parse_params(params), *progress_to(progress))
        return run_calibrate(policy, data, distribution, chosen, output, echo, options, reading)

    run_guarded(body, raw_cells, text=chosen == "text")


@click.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@result_options(FORMATS["jobeval"])
@click.option("--strict", is_flag=True, help="Exit 1 when a committee lawfully did not adopt an adjustment.")
def jobeval(
    policy: str,
    data: str,
    fmt: str | None,
    output: str | None,
    raw_cells: bool,
    lang: str | None,
    bom: bool,
    strict: bool,
) -> None:
    """Evaluate the jobs in DATA (YAML/JSON) with POLICY's point tables, panels and committees."""
    from engine.commands.common import resolve_format
    from engine.commands.jobeval import run_jobeval

    chosen, options = resolve_format(fmt, output), report_options(lang, bom)
    run_guarded(
        lambda: run_jobeval(policy, data, chosen, output, echo, options, strict=strict),
        raw_cells,
        text=chosen == "text",
    )


@click.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@result_options(FORMATS["pay"])
@click.option("--base-rate", help="The base raise rate (overrides the data file's parameter, e.g. X).")
@click.option(
    "--records",
    type=click.Path(),
    help="Records file whose goal sheets are evaluated: the bonus reads each employee's result (score).",
)
@PARAM_OPTION
@reading_options
@PROGRESS_OPTION
def pay(
    policy: str,
    data: str,
    fmt: str | None,
    output: str | None,
    raw_cells: bool,
    lang: str | None,
    bom: bool,
    base_rate: str | None,
    records: str | None,
    params: tuple[str, ...],
    encoding: str | None,
    sheet: str | None,
    progress: bool | None,
) -> None:
    """Merit raises, the incentive pool and its shares, promotion points, the bonus, for the employees
    in DATA (YAML, JSON, CSV or .xlsx)."""
    from engine.commands.common import Reading, parse_params, resolve_format
    from engine.commands.pay import run_pay

    chosen, options = resolve_format(fmt, output), report_options(lang, bom)
    reading = Reading(encoding, sheet, None, *progress_to(progress))

    def body() -> int:
        given = parse_params(params)
        return run_pay(policy, data, chosen, output, echo, base_rate, options, given, reading, records)

    run_guarded(body, raw_cells, text=chosen == "text")


@click.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@result_options(FORMATS["workflow"])
@click.option("--today", metavar="DATE", help="YYYY-MM-DD: say which objection windows are still open.")
@reading_options
@PROGRESS_OPTION
def workflow(
    policy: str,
    data: str,
    fmt: str | None,
    output: str | None,
    raw_cells: bool,
    lang: str | None,
    bom: bool,
    today: str | None,
    encoding: str | None,
    sheet: str | None,
    progress: bool | None,
) -> None:
    """Objection deadlines; objection and goal-change records in DATA (YAML or JSON; notices and
    objections also CSV or .xlsx) checked against POLICY."""
    from engine.commands.common import Reading, resolve_format
    from engine.commands.workflow import run_workflow

    chosen, options = resolve_format(fmt, output), report_options(lang, bom)
    reading = Reading(encoding, sheet, None, *progress_to(progress))
    run_guarded(
        lambda: run_workflow(policy, data, chosen, output, echo, today, options, reading),
        raw_cells,
        text=chosen == "text",
    )


#: The commands of this module, as ``engine.cli`` adds them to ``hrpolicy``.
COMMANDS = (evaluate, explain, examples, calibrate, jobeval, pay, workflow)
