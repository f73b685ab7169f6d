"""The consultants' commands: compare, diff, simulate, doc."""

from __future__ import annotations

import click

from engine.cli.guard import echo, progress_to, run_guarded, terminal_width
from engine.cli_options import OUTPUT_OPTION, PROGRESS_OPTION, WORDS_LANG_OPTION, reading_options
from engine.report.formats import FORMATS


@click.command()
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
@PROGRESS_OPTION
def compare(policies: tuple[str, ...], population: str | None, maps: tuple[str, ...], explain: str | None,
            fmt: str, lang: str, output: str | None, progress: bool | None) -> None:
    """Schemes side by side (what each declares), or one --population under each of them."""
    from engine.commands.common import Reading
    from engine.commands.compare import run_compare

    reading = Reading(None, None, None, *progress_to(progress))
    args = (list(policies), population, list(maps), fmt, output, lang, explain, echo, reading)
    run_guarded(lambda: run_compare(*args, width=terminal_width()), text=fmt == "text")


@click.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--population", type=click.Path(dir_okay=False), help="Records or a canonical population.")
@click.option("--map", "maps", multiple=True, type=click.Path(dir_okay=False), help="Mapping (canonical).")
@click.option("--format", "fmt", type=click.Choice(FORMATS["reports"]), default="text", show_default=True)
@WORDS_LANG_OPTION
@OUTPUT_OPTION
@reading_options
@PROGRESS_OPTION
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
    progress: bool | None,
) -> None:
    """What changed from OLD to NEW, in words; with --population, whose results change.

    Exit 0 when nothing changed, 1 when something did (for CI), 2 on a usage error.
    """
    from engine.commands.common import Reading
    from engine.commands.diff import run_diff

    reading = Reading(encoding, sheet, None, *progress_to(progress))
    run_guarded(
        lambda: run_diff(
            old, new, population, list(maps), fmt, output, lang, echo, reading, terminal_width()
        ),
        text=fmt == "text",
    )


@click.command()
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
@PROGRESS_OPTION
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
    progress: bool | None,
) -> None:
    """What-if: the outcomes of POLICY over --population for each value of one declared value."""
    from engine.commands.common import Reading
    from engine.commands.simulate import run_simulate

    reading = Reading(encoding, sheet, None, *progress_to(progress))
    run_guarded(
        lambda: run_simulate(
            policy, population, vary, list(maps), fmt, output, lang, echo, reading, terminal_width()
        ),
        text=fmt == "text",
    )


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@WORDS_LANG_OPTION
@click.option("--format", "fmt", type=click.Choice(FORMATS["rulebook"]), default="md", show_default=True)
@OUTPUT_OPTION
def doc(policy: str, lang: str, fmt: str, output: str | None) -> None:
    """The rulebook of POLICY in words: rules, formulas, tables, thresholds, sources, assumptions."""
    from engine.commands.doc import run_doc

    run_guarded(lambda: run_doc(policy, lang, fmt, output, echo), text=fmt == "text")


#: The commands of this module, as ``engine.cli`` adds them to ``hrpolicy``.
COMMANDS = (compare, diff, simulate, doc)
