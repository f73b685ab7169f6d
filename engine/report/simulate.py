"""Build the report of ``hrpolicy simulate``: one row of outcomes per value tried."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.compare.outcome import Comparison, SchemeResult, changes_between
from engine.compare.simulate import Variant
from engine.compare.words import word
from engine.provenance import Stamp
from engine.report.compare import named
from engine.report.model import Chart, Report, Table


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _headers(base: SchemeResult, lang: str) -> list[str]:
    """The outcome table's headers: value, evaluated, one per grade, mean score, merit (with pay), moves."""
    headers = [
        word("h_value", lang),
        word("h_evaluated", lang),
        *base.levels,
        word("h_mean_of", lang, score=named(base, base.score_name, lang)),
    ]
    if base.has_pay:
        headers.append(word("h_merit", lang))
    headers.append(word("h_grade_changes", lang))
    return headers


def _invalid(report: Report, variant: Variant, width: int, lang: str) -> tuple[list[str], dict[str, Any]]:
    """Record an invalid variant's problems in the report details; its table row and data entry."""
    first = variant.problems[0]
    row = [_show(variant.value), word("invalid", lang), *([""] * (width - 2))]
    report.details.append(
        (
            word("value_invalid", lang, value=_show(variant.value)),
            [f"{d.location}: error [{d.rule}] {d.message}" for d in variant.problems],
        )
    )
    return row, {"value": variant.value, "valid": False, "problems": [first.message]}


def _outcome(
    report: Report, comparison: Comparison, position: int, label: str, value: Any, vary: str, lang: str
) -> tuple[list[str], dict[str, Any]]:
    """The table row and data entry of scheme ``position``; adds its chart when the policy has grades."""
    base = comparison.schemes[0]
    scheme = comparison.schemes[position]
    levels = list(base.levels)
    counts = dict(scheme.distribution())
    stats = scheme.stats()
    moved = [c for c in changes_between(comparison, 0, position) if _grade_moved(c)]
    row = [label, str(stats["n"]), *(str(counts.get(g, 0)) for g in levels), _cell(stats["mean"])]
    totals = scheme.pay_totals()
    if base.has_pay:
        row.append(_cell(totals["raises"]) if totals else "")
    row.append(", ".join(f"{c.id} {_g(c.old)}->{_g(c.new)}" for c in moved) or word("none", lang))
    if levels:
        report.charts.append(Chart(f"{vary} = {label}", scheme.distribution()))
    data = {
        "value": value,
        "valid": True,
        "distribution": counts,
        "stats": stats,
        "pay": totals,
        "moved": [c.id for c in moved],
    }
    return row, data


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
    headers = _headers(base, lang)
    written = _outcome(
        report, comparison, 0, word("as_written_value", lang, value=as_written), None, vary, lang
    )
    rows, data_rows = [written[0]], [written[1]]
    index = 1
    for variant in variants:
        if variant.engine is None:
            row, data = _invalid(report, variant, len(headers), lang)
        else:
            row, data = _outcome(report, comparison, index, _show(variant.value), variant.value, vary, lang)
            index += 1
        rows.append(row)
        data_rows.append(data)
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
