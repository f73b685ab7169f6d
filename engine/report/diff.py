"""Build the report of ``hrpolicy diff``: the changes in words, and who changes on a population."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from engine.compare.diff import Change
from engine.compare.outcome import Comparison, PersonChange, changes_between
from engine.compare.words import word
from engine.io.spool import ReadThrough
from engine.provenance import Stamp
from engine.report.compare import named
from engine.report.model import Chart, Matrix, Report, Table

T = TypeVar("T")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _signed(value: Any) -> str:
    if value is None:
        return ""
    return f"+{value}" if value > 0 else str(value)


def _people_headers(pay: bool, lang: str) -> list[str]:
    """The headers of the people-change table; two raise columns when either scheme pays."""
    headers = [word(f"h_{h}", lang) for h in ("id", "name", "grade", "score", "score_change")]
    if pay:
        headers += [word("h_raise", lang), word("h_raise_change", lang)]
    return headers


def _arrow(old_value: Any, new_value: Any) -> str:
    """``old -> new`` with an absent value shown empty."""
    return f"{_cell(old_value)} -> {_cell(new_value)}"


def _people_row(change: PersonChange, pay: bool) -> list[str]:
    """One row of the people-change table: grade, score and (with pay) raise, before and after."""
    old_p, new_p = change.old, change.new
    row = [
        change.id,
        change.name,
        f"{(old_p.grade if old_p else None) or '-'} -> {(new_p.grade if new_p else None) or '-'}",
        _arrow(old_p.score if old_p else None, new_p.score if new_p else None),
        _signed(change.score_delta()),
    ]
    if pay:
        row += [
            _arrow(old_p.raise_amount if old_p else None, new_p.raise_amount if new_p else None),
            _signed(change.pay_delta()),
        ]
    return row


def _add_grade_views(report: Report, comparison: Comparison, names: tuple[str, str], lang: str) -> None:
    """The grade distribution charts of both schemes and the grade transition matrix."""
    before, after = comparison.schemes
    before_name, after_name = names
    report.charts = [
        Chart(f"{before_name}: {named(before, before.grade_name, lang)}", before.distribution()),
        Chart(f"{after_name}: {named(after, after.grade_name, lang)}", after.distribution()),
    ]
    rows_, cols, counts = comparison.transitions(0, 1)
    title = word("t_transitions", lang, a=before_name, b=after_name)
    report.matrices.append(Matrix(before_name, after_name, rows_, cols, counts, title))


def _add_population(report: Report, comparison: Comparison, names: tuple[str, str], lang: str) -> None:
    """Add who changes on the population: a summary line, the people table, grade views and data."""
    moved = changes_between(comparison)
    before, after = comparison.schemes
    report.summary.append(
        word("people_change", lang, source=comparison.source, moved=len(moved), n=len(comparison.ids))
    )
    pay = before.has_pay or after.has_pay
    rows = _Made(moved, lambda change: _people_row(change, pay))
    numeric = [False, False, False, False, True, *([False, True] if pay else [])]
    report.tables.append(Table(word("t_people_change", lang), _people_headers(pay, lang), rows, numeric))
    if before.levels:
        _add_grade_views(report, comparison, names, lang)
    report.data["population"] = comparison.source
    report.data["people"] = _Made(moved, _change_dict)


def _change_dict(c: PersonChange) -> dict[str, Any]:
    return {
        "id": c.id,
        "old": _person(c.old),
        "new": _person(c.new),
        "score_change": c.score_delta(),
        "raise_change": c.pay_delta(),
    }


class _Made(ReadThrough[T]):
    """``make`` of each change, made as they are read (the changes are read from the
    comparison's spools each time: a table or data of a million people is never held)."""

    def __init__(self, changes: Sequence[PersonChange], make: Callable[[PersonChange], T]) -> None:
        self.changes, self.make = changes, make

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[T]:
        return map(self.make, self.changes)


def diff_report(
    old: str, new: str, changes: list[Change], stamps: list[Stamp], comparison: Comparison | None, lang: str
) -> Report:
    """The rule changes; with a population, the people whose results change."""
    report = Report("diff", f"hrpolicy diff: {old} -> {new}", stamps, lang=lang)
    before_name, after_name = (f"{s.id} {s.version}" for s in stamps)
    count = word("n_changes", lang, n=len(changes), s="s" if len(changes) != 1 else "")
    report.summary.append(count if changes else word("no_change", lang))
    report.tables.append(
        Table(word("t_changes", lang), [word("h_change", lang)], [[c.text] for c in changes])
    )
    report.data = {
        "old": old,
        "new": new,
        "changes": [{"path": list(c.path), "old": c.old, "new": c.new, "text": c.text} for c in changes],
    }
    if comparison is not None:
        _add_population(report, comparison, (before_name, after_name), lang)
    return report


def _person(p: Any) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"score": p.score, "grade": p.grade, "raise": p.raise_amount}
