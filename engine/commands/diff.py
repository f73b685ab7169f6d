"""``hrpolicy diff OLD NEW``: what changed between two versions of a policy, and whom it moves."""

from __future__ import annotations

from collections.abc import Sequence

from engine.commands.common import Echo, Reading, guard_output
from engine.commands.compare import deliver_report
from engine.compare import load_mapping, mapping_files, read_canonical
from engine.compare.diff import diff_policies
from engine.compare.outcome import Comparison, ReadIds, SchemeResult
from engine.compare.population import is_canonical
from engine.compare.run import run_records, run_scheme
from engine.evaluate import Engine
from engine.provenance import stamp_of
from engine.report.diff import diff_report
from engine.report.results import format_problem


def run_all(
    engines: Sequence[Engine],
    paths: Sequence[str],
    population: str,
    maps: Sequence[str],
    reading: Reading | None = None,
) -> Comparison:
    """The same population under each engine: canonical (through its mapping) or policy records
    (a CSV file or workbook read as ``reading`` says)."""
    how = reading or Reading()
    if is_canonical(population):
        people = read_canonical(population)
        schemes: list[SchemeResult] = []
        try:
            for i, (engine, path) in enumerate(zip(engines, paths, strict=True), start=1):
                files = mapping_files([engine.policy.id], maps, population, people.mappings)
                mapping = load_mapping(files[0], engine.source.data, people)
                bar = how.counting_bar(len(people), f"{i}/{len(engines)}")
                # (the reasons are never shown)
                schemes.append(run_scheme(path, mapping, people, engine, reasons=False, progress=bar))
                if bar is not None:
                    bar.finish()
        except BaseException:
            for done in schemes:
                done.close()
            people.close()
            raise
        return Comparison.of(people, schemes)
    return _run_records(engines, paths, population, how)


def _run_records(
    engines: Sequence[Engine], paths: Sequence[str], population: str, how: Reading
) -> Comparison:
    """A policy's own records under each engine: the people read kept once, in a spool (a
    progress bar for each pass, as ``how`` says)."""
    schemes: list[SchemeResult] = []
    try:
        for i, (engine, path) in enumerate(zip(engines, paths, strict=True), start=1):
            bar = how.bar(population, f"{i}/{len(engines)}")
            schemes.append(
                run_records(path, population, engine, encoding=how.encoding, sheet=how.sheet, progress=bar)
            )
            if bar is not None:
                bar.finish()
    except BaseException:
        for done in schemes:
            assert done.read is not None
            done.read.close()
        raise
    read = schemes[0].read  # every employee read: the records file's own order
    assert read is not None
    for other in schemes[1:]:  # the same people, in the same order
        assert other.read is not None
        other.read.close()
        other.read = read
    return Comparison(population, ReadIds(read), {}, schemes, read)


def run_diff(
    old: str,
    new: str,
    population: str | None,
    maps: Sequence[str],
    fmt: str,
    output: str | None,
    lang: str,
    echo: Echo,
    reading: Reading | None = None,
    width: int | None = None,
) -> int:
    """Exit 0 when nothing changes (rules nor, with a population, anyone's results), 1 otherwise.
    ``reading``: how to read a population that is a CSV file or a workbook; ``width``: a
    terminal's."""
    guard_output(output, [old, new, *maps, *([population] if population else [])])
    engines = [Engine.from_file(old), Engine.from_file(new)]
    data = [e.source.data for e in engines]
    changes = diff_policies(data[0], data[1], lang)
    comparison = run_all(engines, [old, new], population, maps, reading) if population else None
    try:
        report = diff_report(old, new, changes, [stamp_of(d) for d in data], comparison, lang)
        deliver_report(report, fmt, output, echo, width)
        tell_problems(comparison, echo)
        moved = report.data.get("people") if comparison else []
        return 1 if changes or moved else 0
    finally:
        if comparison is not None:
            comparison.close()


def tell_problems(comparison: Comparison | None, echo: Echo) -> None:
    """The population's problems on stderr, each once (every scheme reads the same file), and
    how many people they leave out: the report counts only the people evaluated, so an employee
    with a bad value, or an unknown column, must not vanish from it in silence."""
    if comparison is None:
        return
    problems = [p for scheme in comparison.schemes for p in scheme.outcome.problems]
    for line in dict.fromkeys(format_problem(p) for p in problems):
        echo(line, err=True)
    failed = len({p.employee_id for p in problems if p.employee_id is not None})
    general = len({format_problem(p) for p in problems if p.employee_id is None})
    parts = [f"{failed} employee(s) not evaluated"] if failed else []
    parts += [f"{general} problem(s) with the file"] if general else []
    if parts:
        echo(f"hrpolicy: {comparison.source}: {'; '.join(parts)}: left out, see the problems above", err=True)
