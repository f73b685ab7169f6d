"""The click options the ``hrpolicy`` commands share, declared once (the modules of engine/cli/ apply them).

Only names are imported here (the --format registries, the label languages): the renderers and
the engine behind them stay unimported until a command runs, so --help and --version stay cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import click

from engine.report.labels import LANGUAGES

FC = TypeVar("FC", bound=Callable[..., object])


def format_option(registry: Sequence[str]) -> Callable[[FC], FC]:
    """``--format``: the choices are a registry's names (:data:`engine.report.formats.FORMATS`)."""
    return click.option(
        "--format", "fmt", type=click.Choice(tuple(registry)), default="text", show_default=True
    )


def result_format_option(registry: Sequence[str]) -> Callable[[FC], FC]:
    """``--format`` of a command that writes results: the registry's names; without it, the
    suffix of ``-o`` chooses (else text)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(tuple(registry)),
        help="Report format [default: the -o file's suffix, else text].",
    )


def lang_option(help: str) -> Callable[[FC], FC]:
    """``--lang``: one of the policy labels' languages, or none (ids); ``help`` says what it names."""
    return click.option("--lang", type=click.Choice(LANGUAGES), help=help)


OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Write here (atomically) instead of stdout; the suffix must agree with --format.",
)
RAW_CELLS_OPTION = click.option(
    "--raw-cells",
    is_flag=True,
    help="CSV: write cells exactly as computed, without the ' that keeps a spreadsheet from "
    "running a cell starting with = + - @ as a formula (docs/records.md, 'Output files').",
)
LANG_OPTION = lang_option(
    help="Headers, grade names and field names from the policy's labels in this language "
    "(default: ids; HTML and xlsx: the policy's own language).",
)
BOM_OPTION = click.option(
    "--bom/--no-bom",
    default=True,
    show_default=True,
    help="Start a CSV file written with -o with a UTF-8 byte-order mark (Excel needs it; never on stdout).",
)


def result_options(registry: Sequence[str]) -> Callable[[FC], FC]:
    """What every command that writes results takes: --format (from ``registry``), -o,
    --raw-cells, --lang and --bom/--no-bom."""

    def apply(command: FC) -> FC:
        options = (BOM_OPTION, LANG_OPTION, RAW_CELLS_OPTION, OUTPUT_OPTION, result_format_option(registry))
        for option in options:  # innermost first, so --help lists them in the reverse order
            command = option(command)
        return command

    return apply


ENCODING_OPTION = click.option(
    "--encoding", help="Encoding of a CSV data file, e.g. cp949 or shift_jis (default: UTF-8, else detected)."
)
SHEET_OPTION = click.option("--sheet", help="The sheet of an .xlsx data file to read (default: found).")


def reading_options(command: FC) -> FC:
    """--encoding and --sheet: how every command that reads a CSV file or a workbook reads it
    (one implementation: :class:`engine.commands.common.Reading`)."""
    return ENCODING_OPTION(SHEET_OPTION(command))


PARAM_OPTION = click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A run-time parameter (overrides the data file's; a CSV or Excel table has none of its own).",
)
PROGRESS_OPTION = click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress bar on stderr while the records file is read (default: when stderr is a terminal).",
)
REFERENCE_OPTION = click.option(
    "--reference",
    is_flag=True,
    help="Evaluate formulas with the reference interpreter (simpleeval) instead of generated code: "
    "slower, the same output.",
)
EXCLUDE_OPTION = click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files and folders matching GLOB (path or file name; repeatable).",
)
STDIN_NAME_OPTION = click.option(
    "--stdin-filename", metavar="PATH", help="The name '-' (standard input) stands for, in locations."
)
#: --lang of the consultants' commands: their own words are always in a language (English by default).
WORDS_LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(["en", "ko", "ja"]),
    default="en",
    show_default=True,
    help="Language of the fixed words and of the policy's labels.",
)
