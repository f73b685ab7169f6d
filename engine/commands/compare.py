"""``hrpolicy compare``: schemes side by side, or one canonical population under each scheme."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from engine.commands.common import Echo, Reading, guard_output, streamed_out
from engine.compare import (
    Comparison,
    compare_population,
    load_mapping,
    mapping_files,
    read_canonical,
    scheme_facts,
)
from engine.errors import UsageError
from engine.evaluate import Engine
from engine.io.atomic import open_atomic_binary
from engine.provenance import stamp_of
from engine.report.compare import error_lines, facts_report, population_report
from engine.report.model import BINARY, RENDERERS, Report
from engine.validate import load_policy


def deliver_report(
    report: Report, fmt: str, output: str | None, echo: Echo, width: int | None = None
) -> None:
    """Write the report (stamped) a piece at a time, atomically to ``output`` (nothing is
    written when rendering fails), or print it once complete (the text report's tables fitted
    to a terminal ``width`` cells wide); a binary format needs a file."""
    if width is not None and fmt == "text" and not output:
        report = replace(report, width=width)
    if fmt in BINARY:
        if not output:
            raise UsageError("--format xlsx writes a workbook: give -o FILE.xlsx")
        with open_atomic_binary(output) as binary:
            RENDERERS[fmt](report, binary)
        return
    with streamed_out(output, echo, fmt, bom=False) as out:
        RENDERERS[fmt](report, out)


def run_compare(
    policies: Sequence[str],
    population: str | None,
    maps: Sequence[str],
    fmt: str,
    output: str | None,
    lang: str,
    explain: str | None,
    echo: Echo,
    reading: Reading | None = None,
    width: int | None = None,
) -> int:
    """Without a population: what each scheme declares. With one: every scheme run over it
    (``reading``: where to draw a progress bar a scheme; ``width``: a terminal's)."""
    guard_output(output, [*policies, *maps, *([population] if population else [])])
    if population is None:
        if maps or explain:
            raise UsageError("--map and --explain need --population FILE")
        loaded = [load_policy(p) for p in policies]
        ids = [str(v.data["metadata"]["id"]) for v in loaded]
        facts = [scheme_facts(v.data, lang) for v in loaded]
        report = facts_report(ids, facts, [stamp_of(v.data) for v in loaded], lang)
        deliver_report(report, fmt, output, echo, width)
        return 0
    how = reading or Reading()
    comparison = _compared(policies, population, maps, explain, reasons=fmt == "json", how=how)
    try:
        deliver_report(population_report(comparison, lang, explain), fmt, output, echo, width)
        return _told(error_lines(comparison), on_terminal=not output and fmt == "text", echo=echo)
    finally:
        comparison.close()


def _compared(
    policies: Sequence[str],
    population: str,
    maps: Sequence[str],
    explain: str | None,
    *,
    reasons: bool,
    how: Reading | None = None,
) -> Comparison:
    """The canonical population run under each scheme through its mapping; ``reasons``: each
    grade's reason too (only JSON shows them, and ``--explain``'s person, whose are always made);
    ``how``: where to draw a progress bar a scheme."""
    people = read_canonical(population)
    try:
        if explain is not None and not any(row[0] == explain for row in people.read):
            raise UsageError(f"no person '{explain}' in {population}")
        engines = [Engine.from_file(p) for p in policies]
        ids = [str(e.source.data["metadata"]["id"]) for e in engines]
        files = mapping_files(ids, maps, population, people.mappings)
        mappings = [load_mapping(f, e.source.data, people) for f, e in zip(files, engines, strict=True)]
        explained = {explain} if explain else set()
        reading = how or Reading()
        bars = lambda i, n: reading.counting_bar(len(people), f"{i}/{n}")  # noqa: E731
        return compare_population(policies, mappings, people, engines, explained, reasons=reasons, bars=bars)
    except BaseException:
        people.close()
        raise


def _told(errors: Sequence[str], *, on_terminal: bool, echo: Echo) -> int:
    """The population's problems on stderr (unless the text report on the terminal showed them;
    CSV has no room for them) with a summary line; the exit code: 1 when there are any."""
    if not errors:
        return 0
    if not on_terminal:
        for line in errors:
            echo(line, err=True)
    echo(f"hrpolicy: {len(errors)} problem(s) in the population's records; see the problems above", err=True)
    return 1
