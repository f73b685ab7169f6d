"""``hrpolicy simulate POLICY --population FILE --vary PATH=V1,V2,...``: outcomes per value."""

from __future__ import annotations

from collections.abc import Sequence

from engine.commands.common import Echo, Reading, guard_output
from engine.commands.compare import deliver_report
from engine.commands.diff import run_all, tell_problems
from engine.compare.simulate import parse_vary, variants
from engine.evaluate import Engine
from engine.provenance import stamp_of
from engine.report.simulate import simulate_report


def run_simulate(
    policy: str,
    population: str,
    vary: str,
    maps: Sequence[str],
    fmt: str,
    output: str | None,
    lang: str,
    echo: Echo,
    reading: Reading | None = None,
    width: int | None = None,
) -> int:
    """Exit 0 when the table was made (invalid values are rows that say so). ``reading``: how to
    read a population that is a CSV file or a workbook; ``width``: a terminal's."""
    guard_output(output, [policy, population, *maps])
    paths, values = parse_vary(vary)
    base = Engine.from_file(policy)
    current, tried = variants(base, paths, values)
    engines = [base, *(v.engine for v in tried if v.engine is not None)]
    comparison = run_all(engines, [policy] * len(engines), population, maps, reading)
    try:
        stamps = [stamp_of(e.source.data) for e in engines]
        report = simulate_report(policy, vary, current, tried, comparison, stamps, lang)
        deliver_report(report, fmt, output, echo, width)
        tell_problems(comparison, echo)
        return 0
    finally:
        comparison.close()
