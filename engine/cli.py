"""The ``hrpolicy`` command line: thin click wrappers over the library.

Exit codes: 0 success, 1 invalid policy or failed records, 2 usage error or unreadable file,
130 interrupted (Ctrl-C; no output file is left behind).

Everything printed passes :func:`~engine.report.safety.terminal_text`: a name holding a
terminal escape sequence cannot set the window title or clear the screen.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from engine import __version__
from engine.cli_options import (
    EXCLUDE_OPTION,
    LANG_OPTION,
    OUTPUT_OPTION,
    PARAM_OPTION,
    REFERENCE_OPTION,
    STDIN_NAME_OPTION,
    WORDS_LANG_OPTION,
    format_option,
    lang_option,
    reading_options,
    result_options,
)
from engine.errors import HRPolicyError, PolicyInvalid, UsageError
from engine.report.formats import FORMATS
from engine.report.options import ReportOptions
from engine.report.safety import raw_cells, terminal_text

# The --format choices are names only (engine.report.formats): the renderers, and the engine
# behind them, are imported by the command that runs, so validate, --help and --version stay cheap.

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def echo(message: Any = None, nl: bool = True, err: bool = False) -> None:
    """``click.echo`` of text without control characters: the one way anything is printed."""
    click.echo(terminal_text(message) if isinstance(message, str) else message, nl=nl, err=err)


def _fail(message: str, code: int) -> NoReturn:
    echo(f"hrpolicy: {message}", err=True)
    sys.exit(code)


def run_guarded(action: Callable[[], int], raw: bool = False) -> NoReturn:
    """Run a command body; map our exceptions to exit codes and one-line messages, never a traceback.

    ``raw``: CSV cells are written as computed (``--raw-cells``).
    """
    try:
        with raw_cells(raw):
            code = action()
    except KeyboardInterrupt:
        # Output is written atomically: an interrupted run leaves no file, whole or partial.
        _fail("interrupted; nothing was written", EXIT_INTERRUPTED)
    except PolicyInvalid as exc:
        from engine.report import diagnostics

        files = [(d.location.file, [d]) for d in exc.diagnostics]
        echo(diagnostics.render_text(files), nl=False, err=True)
        _fail("the policy is invalid; run 'hrpolicy validate' for details", EXIT_INVALID)
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except HRPolicyError as exc:
        _fail(str(exc), EXIT_USAGE)
    except (ArithmeticError, RecursionError, OSError) as exc:
        # Last resort: input so extreme that a guard further in missed it. One line, no traceback.
        _fail(f"cannot process the input: {type(exc).__name__}: {exc}", EXIT_USAGE)
    sys.exit(code)


def parse_params(params: tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` pairs; a pair without ``=`` is a usage error."""
    found: dict[str, str] = {}
    for pair in params:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            _fail(f"--param {pair!r}: expected NAME=VALUE", EXIT_USAGE)
        found[name.strip()] = value.strip()
    return found


def report_options(lang: str | None, bom: bool = True) -> ReportOptions:
    """What the report is asked for; a terminal's width when standard output is one."""
    width = None
    if sys.stdout.isatty():
        width = shutil.get_terminal_size().columns
    return ReportOptions(lang=lang, bom=bom, width=width)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hrpolicy")
def cli() -> None:
    """Validate, evaluate and explain HR evaluation policies written in YAML."""


def _read_stdin() -> bytes:
    return sys.stdin.buffer.read()


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@format_option(FORMATS["diagnostics"])
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@EXCLUDE_OPTION
@STDIN_NAME_OPTION
@click.option(
    "--policies-only",
    is_flag=True,
    help="Skip named files without a top-level 'hrpolicy:' key too (pre-commit names every YAML file).",
)
@lang_option(help="Name the fields messages mention by the policy's labels in this language too.")
def validate(
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    exclude: tuple[str, ...],
    stdin_filename: str | None,
    policies_only: bool,
    lang: str | None,
) -> None:
    """Check policy files, folders (policies are found by their top-level 'hrpolicy:' key) or '-'
    (standard input): exit 0 if valid, 1 if not, 2 if unreadable."""
    from engine.commands.validate import run_validate

    run_guarded(
        lambda: run_validate(
            list(paths),
            fmt,
            strict,
            echo,
            exclude=exclude,
            read_stdin=_read_stdin,
            stdin_name=stdin_filename,
            policies_only=policies_only,
            lang=lang,
        )
    )


@cli.command(name="test")
@click.argument("paths", nargs=-1, required=True)
@format_option(FORMATS["policytest"])
@click.option("--coverage", is_flag=True, help="Report which rules of each policy the tests exercised.")
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Fail (exit 1) when a policy's coverage is below PERCENT.",
)
@EXCLUDE_OPTION
@lang_option(help="Name the fields failures mention by the policy's labels in this language too.")
@reading_options
def test_command(
    paths: tuple[str, ...],
    fmt: str,
    coverage: bool,
    min_coverage: float | None,
    exclude: tuple[str, ...],
    lang: str | None,
    encoding: str | None,
    sheet: str | None,
) -> None:
    """Run the tests stored with policies (*.test.yaml, found by their 'hrpolicy-test:' key; a
    policy file stands for the test file beside it): exit 0 all pass, 1 a failure, 2 unreadable."""
    from engine.commands.common import Reading
    from engine.commands.policytest import run_policy_tests

    reading = Reading(encoding, sheet)
    run_guarded(
        lambda: run_policy_tests(
            list(paths),
            fmt,
            echo,
            exclude=exclude,
            coverage=coverage,
            min_coverage=min_coverage,
            lang=lang,
            reading=reading,
        )
    )


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--from",
    "start",
    type=click.Choice(["blank", "japan_mbo", "kepco_like", "kumho_like"]),
    default="blank",
    show_default=True,
    help="Start from the blank template or a bundled seed policy.",
)
@click.option(
    "--schema",
    metavar="REF",
    help="What the modeline names (default: the installed schema, relative to PATH).",
)
@lang_option(help="Say what was written in this language.")
def init(path: str, start: str, schema: str | None, lang: str | None) -> None:
    """Write a new policy at PATH (with the editor modeline right for where it is) and its test file."""
    from engine.commands.init import run_init

    run_guarded(lambda: run_init(path, start, schema, echo, lang))


@cli.command()
@click.option(
    "--schema-diagnostics",
    is_flag=True,
    help="Publish shape (schema-*) errors too, for editors without yaml-language-server.",
)
@lang_option(
    help="Name the fields messages mention by the policy's labels in this language (default: the "
    "editor's initializationOptions.lang, else its locale).",
)
def lsp(schema_diagnostics: bool, lang: str | None) -> None:
    """Language server over stdio: validate's diagnostics and did-you-mean quick fixes in the editor."""
    from engine.commands.lsp import run_lsp

    run_guarded(lambda: run_lsp(schema_diagnostics, lang))


@cli.command()
@click.option("--path", "as_path", is_flag=True, help="Print the schema file's path instead of its text.")
def schema(as_path: bool) -> None:
    """Print the policy JSON Schema (for editor set-up)."""
    from engine.schema import schema_path

    def body() -> int:
        path = schema_path()
        echo(str(path) if as_path else path.read_text(encoding="utf-8"), nl=as_path)
        return EXIT_OK

    run_guarded(body)


@cli.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@result_options(FORMATS["results"])
@reading_options
@PARAM_OPTION
@REFERENCE_OPTION
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress bar on stderr while a CSV file is read (default: when stderr is a terminal).",
)
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
    from engine.commands.common import Reading, resolve_format
    from engine.commands.evaluate import run_evaluate
    from engine.timeline import mark

    mark("imports-done")

    options = report_options(lang, bom)
    reading = Reading(encoding, sheet, parse_params(params))
    chosen = resolve_format(fmt, output)
    shown = sys.stderr.isatty() if progress is None else progress
    stream = sys.stderr if shown else None
    run_guarded(
        lambda: run_evaluate(
            policy, data, chosen, output, echo, options, reading, reference=reference, progress=stream
        ),
        raw_cells,
    )


@cli.command()
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
    from engine.commands.common import Reading
    from engine.commands.evaluate import run_explain

    reading = Reading(encoding, sheet, parse_params(params))
    run_guarded(lambda: run_explain(policy, data, employee, fmt, echo, reading, lang, reference=reference))


@cli.command()
@click.option("--root", help="Folder holding policies/ and examples/ (default: the bundled ones).")
@LANG_OPTION
def examples(root: str | None, lang: str | None) -> None:
    """Evaluate the bundled example populations under their policies."""
    from engine.commands.evaluate import run_examples

    run_guarded(lambda: run_examples(root, echo, report_options(lang)))


@cli.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@click.option("--distribution", help="Only this distribution (default: every one the policy declares).")
@result_options(FORMATS["calibration"])
@reading_options
@PARAM_OPTION
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
) -> None:
    """Per distribution group: the quota, the proposed and final grades, who moved and why; every
    employee's evaluator chain reviewed (a policy without distributions: the chains only)."""
    from engine.commands.calibrate import run_calibrate
    from engine.commands.common import Reading, resolve_format

    chosen, options, reading = (
        resolve_format(fmt, output),
        report_options(lang, bom),
        Reading(encoding, sheet, parse_params(params)),
    )
    run_guarded(
        lambda: run_calibrate(policy, data, distribution, chosen, output, echo, options, reading), raw_cells
    )


@cli.command()
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
    run_guarded(lambda: run_jobeval(policy, data, chosen, output, echo, options, strict=strict), raw_cells)


@cli.command()
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
) -> None:
    """Merit raises, the incentive pool and its shares, promotion points, the bonus, for the employees
    in DATA (YAML, JSON, CSV or .xlsx)."""
    from engine.commands.common import Reading, resolve_format
    from engine.commands.pay import run_pay

    chosen, options = resolve_format(fmt, output), report_options(lang, bom)
    given, reading = parse_params(params), Reading(encoding, sheet)
    run_guarded(
        lambda: run_pay(policy, data, chosen, output, echo, base_rate, options, given, reading, records),
        raw_cells,
    )


@cli.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path())
@result_options(FORMATS["workflow"])
@click.option("--today", metavar="DATE", help="YYYY-MM-DD: say which objection windows are still open.")
@reading_options
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
) -> None:
    """Objection deadlines; objection and goal-change records in DATA (YAML or JSON; notices and
    objections also CSV or .xlsx) checked against POLICY."""
    from engine.commands.common import Reading, resolve_format
    from engine.commands.workflow import run_workflow

    chosen, options = resolve_format(fmt, output), report_options(lang, bom)
    reading = Reading(encoding, sheet)
    run_guarded(lambda: run_workflow(policy, data, chosen, output, echo, today, options, reading), raw_cells)


@cli.command()
@click.argument("policies", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--population", type=click.Path(dir_okay=False), help="A canonical population to run under each."
)
@click.option("--map", "maps", multiple=True, type=click.Path(dir_okay=False),
              help="A mapping file (repeat, one per policy; default: the population's own list).")
@click.option("--explain", metavar="ID", help="Everything behind one person's figures under each scheme.")
@click.option("--format", "fmt", type=click.Choice(FORMATS["reports"]), default="text", show_default=True)
@WORDS_LANG_OPTION
@OUTPUT_OPTION
def compare(policies: tuple[str, ...], population: str | None, maps: tuple[str, ...], explain: str | None,
            fmt: str, lang: str, output: str | None) -> None:
    """Schemes side by side (what each declares), or one --population under each of them."""
    from engine.commands.compare import run_compare

    run_guarded(
        lambda: run_compare(list(policies), population, list(maps), fmt, output, lang, explain, click.echo)
    )


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--population", type=click.Path(dir_okay=False), help="Records or a canonical population.")
@click.option("--map", "maps", multiple=True, type=click.Path(dir_okay=False), help="Mapping (canonical).")
@click.option("--format", "fmt", type=click.Choice(FORMATS["reports"]), default="text", show_default=True)
@WORDS_LANG_OPTION
@OUTPUT_OPTION
@reading_options
def diff(
    old: str,
    new: str,
    population: str | None,
    maps: tuple[str, ...],
    fmt: str,
    lang: str,
    output: str | None,
    encoding: str | None,
    sheet: str | None,
) -> None:
    """What changed from OLD to NEW, in words; with --population, whose results change.

    Exit 0 when nothing changed, 1 when something did (for CI), 2 on a usage error.
    """
    from engine.commands.common import Reading
    from engine.commands.diff import run_diff

    reading = Reading(encoding, sheet)
    run_guarded(lambda: run_diff(old, new, population, list(maps), fmt, output, lang, click.echo, reading))


@cli.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("--population", required=True, type=click.Path(dir_okay=False),
              help="Records of POLICY, or a canonical population (with its mapping).")
@click.option("--vary", required=True, metavar="PATH=V1,V2,...",
              help="The declared value to vary, e.g. 'distributions.performance.quotas.I=10,15'.")
@click.option("--map", "maps", multiple=True, type=click.Path(dir_okay=False), help="Mapping (canonical).")
@click.option("--format", "fmt", type=click.Choice(FORMATS["reports"]), default="text", show_default=True)
@WORDS_LANG_OPTION
@OUTPUT_OPTION
@reading_options
def simulate(
    policy: str,
    population: str,
    vary: str,
    maps: tuple[str, ...],
    fmt: str,
    lang: str,
    output: str | None,
    encoding: str | None,
    sheet: str | None,
) -> None:
    """What-if: the outcomes of POLICY over --population for each value of one declared value."""
    from engine.commands.common import Reading
    from engine.commands.simulate import run_simulate

    reading = Reading(encoding, sheet)
    run_guarded(
        lambda: run_simulate(policy, population, vary, list(maps), fmt, output, lang, click.echo, reading)
    )


@cli.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@WORDS_LANG_OPTION
@click.option("--format", "fmt", type=click.Choice(FORMATS["rulebook"]), default="md", show_default=True)
@OUTPUT_OPTION
def doc(policy: str, lang: str, fmt: str, output: str | None) -> None:
    """The rulebook of POLICY in words: rules, formulas, tables, thresholds, sources, assumptions."""
    from engine.commands.doc import run_doc

    run_guarded(lambda: run_doc(policy, lang, fmt, output, click.echo))


def main() -> None:
    """Console entry point."""
    cli(prog_name="hrpolicy")
