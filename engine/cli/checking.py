"""The commands of policy owners and CI: validate, test, init, lsp, schema."""

from __future__ import annotations

import sys

import click

from engine.cli.guard import EXIT_OK, echo, run_guarded
from engine.cli_options import EXCLUDE_OPTION, STDIN_NAME_OPTION, format_option, lang_option, reading_options
from engine.report.formats import FORMATS


def _read_stdin() -> bytes:
    return sys.stdin.buffer.read()


@click.command()
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
        ),
        text=fmt == "text",
    )


@click.command(name="test")
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
        ),
        text=fmt == "text",
    )


@click.command()
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


@click.command()
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


@click.command()
@click.option("--path", "as_path", is_flag=True, help="Print the schema file's path instead of its text.")
def schema(as_path: bool) -> None:
    """Print the policy JSON Schema (for editor set-up)."""
    from engine.schema import schema_path

    def body() -> int:
        path = schema_path()
        echo(str(path) if as_path else path.read_text(encoding="utf-8"), nl=as_path)
        return EXIT_OK

    run_guarded(body)


#: The commands of this module, as ``engine.cli`` adds them to ``hrpolicy``.
COMMANDS = (validate, test_command, init, lsp, schema)
