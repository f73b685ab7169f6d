"""Build the report of ``hrpolicy simulate``: one row of outcomes per value tried."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.compare.run import Comparison, changes_between
from engine.compare.simulate import Variant
from engine.compare.words import word
from engine.provenance import Stamp
from engine.report.compare import named
from engine.report.model import Chart, Report, Table


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def simulate_report(
    policy: str,
    vary: str,
    current: Sequence[Any],
    variants: Sequence[Variant],
    comparison: Comparison,
    stamps: list[Stamp],
    lang: str,
) -> Report:
    """``comparison.schemes[0]`` is the policy as written, then one scheme per valid variant."""
    base = comparison.schemes[0]
    as_written = ", ".join(_show(v) for v in current)
    report = Report("simulate", f"hrpolicy simulate: {policy} varying {vary}", stamps, lang=lang)
    report.summary.append(
        word("as_written", lang, source=comparison.source, n=len(comparison.ids), value=as_written)
    )
    levels = list(base.levels)
    headers = [
        word("h_value", lang),
        word("h_evaluated", lang),
        *levels,
        word("h_mean_of", lang, score=named(base, base.score_name, lang)),
    ]
    if base.has_pay:
        headers.append(word("h_merit", lang))
    headers.append(word("h_grade_changes", lang))
    rows = []
    data_rows = []
    index = 1
    for variant in [None, *variants]:
        if variant is not None and variant.engine is None:
            first = variant.problems[0]
            rows.append([_show(variant.value), word("invalid", lang), *([""] * (len(headers) - 2))])
            report.details.append(
                (
                    word("value_invalid", lang, value=_show(variant.value)),
                    [f"{d.location}: error [{d.rule}] {d.message}" for d in variant.problems],
                )
            )
            data_rows.append({"value": variant.value, "valid": False, "problems": [first.message]})
            continue
        scheme = base if variant is None else comparison.schemes[index]
        position = 0 if variant is None else index
        if variant is not None:
            index += 1
        counts = dict(scheme.distribution())
        stats = scheme.stats()
        moved = [c for c in changes_between(comparison, 0, position) if _grade_moved(c)]
        label = word("as_written_value", lang, value=as_written) if variant is None else _show(variant.value)
        row = [label, str(stats["n"]), *(str(counts.get(g, 0)) for g in levels), _cell(stats["mean"])]
        totals = scheme.pay_totals()
        if base.has_pay:
            row.append(_cell(totals["raises"]) if totals else "")
        row.append(", ".join(f"{c.id} {_g(c.old)}->{_g(c.new)}" for c in moved) or word("none", lang))
        rows.append(row)
        if levels:
            report.charts.append(Chart(f"{vary} = {label}", scheme.distribution()))
        data_rows.append(
            {
                "value": None if variant is None else variant.value,
                "valid": True,
                "distribution": counts,
                "stats": stats,
                "pay": totals,
                "moved": [c.id for c in moved],
            }
        )
    numeric = [False, True, *([True] * len(levels)), True, *([True] if base.has_pay else []), False]
    report.tables.append(Table(word("t_outcomes", lang), headers, rows, numeric))
    report.data = {"policy": policy, "vary": vary, "as_written": list(current), "outcomes": data_rows}
    return report


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _g(person: Any) -> str:
    return (person.grade if person is not None else None) or "-"


def _grade_moved(change: Any) -> bool:
    return _g(change.old) != _g(change.new)
