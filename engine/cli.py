"""The ``hrpolicy`` command line: thin click wrappers over the library.

Exit codes: 0 success, 1 invalid policy or failed records, 2 usage error or unreadable file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

import click

from engine import __version__
from engine.errors import HRPolicyError, PolicyInvalid, UsageError
from engine.report.diagnostics import RENDERERS, render_text

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"hrpolicy: {message}", err=True)
    sys.exit(code)


def run_guarded(action: Callable[[], int]) -> NoReturn:
    """Run a command body; map our exceptions to exit codes and one-line messages, never a traceback."""
    try:
        code = action()
    except PolicyInvalid as exc:
        files = [(d.location.file, [d]) for d in exc.diagnostics]
        click.echo(render_text(files), nl=False, err=True)
        _fail("the policy is invalid; run 'hrpolicy validate' for details", EXIT_INVALID)
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except HRPolicyError as exc:
        _fail(str(exc), EXIT_USAGE)
    except (ArithmeticError, RecursionError, OSError) as exc:
        # Last resort: input so extreme that a guard further in missed it. One line, no traceback.
        _fail(f"cannot process the input: {type(exc).__name__}: {exc}", EXIT_USAGE)
    sys.exit(code)


FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
PARAM_OPTION = click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A run-time parameter the policy declares (repeatable); wins over the data file's.",
)
OUTPUT_OPTION = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hrpolicy")
def cli() -> None:
    """Validate, evaluate and explain HR evaluation policies written in YAML."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(paths: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check policy files (or folders of them): exit 0 if valid, 1 if not, 2 if unreadable."""
    from engine.commands.validate import run_validate

    run_guarded(lambda: run_validate(list(paths), fmt, strict, click.echo))


@cli.command()
@click.option("--path", "as_path", is_flag=True, help="Print the schema file's path instead of its text.")
def schema(as_path: bool) -> None:
    """Print the policy JSON Schema (for editor set-up)."""
    from engine.schema import schema_path

    def body() -> int:
        path = schema_path()
        click.echo(str(path) if as_path else path.read_text(encoding="utf-8"), nl=as_path)
        return EXIT_OK

    run_guarded(body)


@cli.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]), default="text", show_default=True
)
@OUTPUT_OPTION
@PARAM_OPTION
def evaluate(policy: str, data: str, fmt: str, output: str | None, params: tuple[str, ...]) -> None:
    """Score and grade every employee in DATA (YAML, JSON, CSV or .xlsx) under POLICY."""
    from engine.commands.evaluate import run_evaluate

    run_guarded(lambda: run_evaluate(policy, data, fmt, output, click.echo, params))


@cli.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--employee", required=True, help="The employee id to explain.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@PARAM_OPTION
def explain(policy: str, data: str, employee: str, fmt: str, params: tuple[str, ...]) -> None:
    """Print every input, formula, rounding, grade band and evaluator chain behind one employee's result."""
    from engine.commands.evaluate import run_explain

    run_guarded(lambda: run_explain(policy, data, employee, fmt, click.echo, params))


@cli.command()
@click.option("--root", help="Folder holding policies/ and examples/ (default: the bundled ones).")
def examples(root: str | None) -> None:
    """Evaluate the bundled example populations under their policies."""
    from engine.commands.evaluate import run_examples

    run_guarded(lambda: run_examples(root, click.echo))


@cli.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--distribution", help="Only this distribution (default: every one the policy declares).")
@FORMAT_OPTION
@OUTPUT_OPTION
@PARAM_OPTION
def calibrate(
    policy: str, data: str, distribution: str | None, fmt: str, output: str | None, params: tuple[str, ...]
) -> None:
    """Per distribution group: the quota, the proposed and final grades, who moved and why; every
    employee's evaluator chain reviewed (a policy without distributions: the chains only)."""
    from engine.commands.calibrate import run_calibrate

    run_guarded(lambda: run_calibrate(policy, data, distribution, fmt, output, click.echo, params))


@cli.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@FORMAT_OPTION
@OUTPUT_OPTION
def jobeval(policy: str, data: str, fmt: str, output: str | None) -> None:
    """Evaluate the jobs in DATA (YAML/JSON) with POLICY's point tables, panels and committees."""
    from engine.commands.jobeval import run_jobeval

    run_guarded(lambda: run_jobeval(policy, data, fmt, output, click.echo))


@cli.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@FORMAT_OPTION
@OUTPUT_OPTION
@click.option("--base-rate", help="The base raise rate (overrides the data file's parameter, e.g. X).")
@PARAM_OPTION
def pay(
    policy: str, data: str, fmt: str, output: str | None, base_rate: str | None, params: tuple[str, ...]
) -> None:
    """Merit raises, the incentive pool and its shares, promotion points for the employees in DATA."""
    from engine.commands.pay import run_pay

    run_guarded(lambda: run_pay(policy, data, fmt, output, click.echo, base_rate, params))


@cli.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@FORMAT_OPTION
@OUTPUT_OPTION
@click.option("--today", metavar="DATE", help="YYYY-MM-DD: say which objection windows are still open.")
def workflow(policy: str, data: str, fmt: str, output: str | None, today: str | None) -> None:
    """Objection deadlines; objection and goal-change records in DATA checked against POLICY."""
    from engine.commands.workflow import run_workflow

    run_guarded(lambda: run_workflow(policy, data, fmt, output, click.echo, today))


def main() -> None:
    """Console entry point."""
    cli(prog_name="hrpolicy")
