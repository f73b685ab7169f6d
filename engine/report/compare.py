"""Build the reports of ``hrpolicy compare``: schemes side by side, and one population under each."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from engine.compare.facts import DIMENSIONS, Dimension, fact_rows
from engine.compare.outcome import Comparison, PersonOutcome, SchemeResult
from engine.compare.ties import tie_items
from engine.compare.words import word
from engine.io.spool import ReadThrough
from engine.provenance import Stamp
from engine.report.labels import Labels
from engine.report.model import Chart, Matrix, Report, Table
from engine.report.results import render_explain


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def named(scheme: SchemeResult, name: str | None, lang: str) -> str:
    """A result of the scheme (its score or grade) as a Korean or Japanese report shows it: the
    policy's label in that language, else its id (never another language); English shows ids."""
    if name is None:
        return ""
    return name if lang == "en" else Labels(scheme.outcome.policy.data, lang).field(name)


def facts_report(
    ids: Sequence[str], facts: Sequence[Sequence[Dimension]], stamps: list[Stamp], lang: str = "en"
) -> Report:
    """The point-by-point table of what each scheme declares."""
    rows = fact_rows(facts, lang)
    report = Report("compare", "hrpolicy compare: " + " vs ".join(ids), stamps, lang=lang)
    report.summary.append(word("n_schemes", lang, n=len(ids), d=len(DIMENSIONS)))
    report.tables.append(Table(word("t_point_by_point", lang), [word("h_dimension", lang), *ids], rows))
    report.data = {
        "schemes": [
            {"policy": pid, "dimensions": {d.key: list(d.lines) for d in dims}}
            for pid, dims in zip(ids, facts, strict=True)
        ]
    }
    return report


def _scheme_summary(scheme: SchemeResult, lang: str) -> str:
    stats = scheme.stats()
    dist = ", ".join(f"{g} {n}" for g, n in scheme.distribution()) or word("none_declared", lang)
    text = word(
        "scheme_line",
        lang,
        id=scheme.stamp.id,
        n=stats["n"],
        failed=len(scheme.outcome.failed_employees),
        score=named(scheme, scheme.score_name, lang),
        mean=_cell(stats["mean"]),
        grades=dist,
    )
    totals = scheme.pay_totals()
    if totals is not None:
        text += word("pay_line", lang, salaries=totals["salaries"], raises=totals["raises"])
    return text


def _people_table(comparison: Comparison, lang: str) -> Table:
    schemes = comparison.schemes
    headers = [word("h_id", lang), word("h_name", lang)]
    numeric = [False, False]
    for s in schemes:
        headers += [word("h_scheme_score", lang, id=s.stamp.id), word("h_scheme_grade", lang, id=s.stamp.id)]
        numeric += [True, False]
        if s.has_pay:
            headers += [
                word("h_scheme_rate", lang, id=s.stamp.id),
                word("h_scheme_raise", lang, id=s.stamp.id),
            ]
            numeric += [True, True]
    headers.append(word("h_moves", lang, id=schemes[0].stamp.id))
    numeric.append(False)
    return Table(word("t_people", lang), headers, _PeopleRows(comparison, lang), numeric)


class _PeopleRows(ReadThrough[list[str]]):
    """The people table's rows, made as they are read (the comparison's spools read through)."""

    def __init__(self, comparison: Comparison, lang: str) -> None:
        self.comparison, self.lang = comparison, lang

    def __len__(self) -> int:
        return len(self.comparison.ids)

    def __iter__(self) -> Iterator[list[str]]:
        comparison, lang = self.comparison, self.lang
        schemes = comparison.schemes
        several = len(schemes) > 1
        for pid, name, outcomes in comparison.people():
            row = [pid, name]
            for s, out in zip(schemes, outcomes, strict=True):
                row += [_cell(out.score if out else None), _cell(out.grade if out else None)]
                if s.has_pay:
                    row += [_cell(out.raise_rate if out else None), _cell(out.raise_amount if out else None)]
            row.append(comparison.moves_of(_grades(outcomes), lang) if several else "")
            yield row


def _grades(outcomes: Sequence[PersonOutcome | None]) -> list[str]:
    """A person's grade under each scheme (``-``: none), as :meth:`Comparison.moves` reads them."""
    return [o.grade if o is not None and o.grade is not None else "-" for o in outcomes]


class _PeopleData(ReadThrough[dict[str, Any]]):
    """The JSON payload's ``people`` items, made as they are read."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison

    def __len__(self) -> int:
        return len(self.comparison.ids)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        comparison = self.comparison
        schemes = comparison.schemes
        for pid, _, outcomes in comparison.people():
            yield {
                "id": pid,
                "moves": comparison.moves_of(_grades(outcomes)) if len(schemes) > 1 else "",
                "schemes": {s.stamp.id: _person_dict(s, o) for s, o in zip(schemes, outcomes, strict=True)},
            }


class _TieData(ReadThrough[dict[str, Any]]):
    """The JSON payload's ``ties`` items: each boundary tie a headline reason names, with its
    scheme and members (read from the schemes' spools of ties as they are written)."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison

    def __len__(self) -> int:
        return sum(s.tie_count for s in self.comparison.schemes if s.ties is not None)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for s in self.comparison.schemes:
            if s.ties is not None:
                for item in tie_items(s.ties):
                    yield {"scheme": s.stamp.id, "distribution": s.grade_name, **item}


def _stats_table(comparison: Comparison, lang: str) -> Table:
    keys = ("scheme", "score", "n", "mean", "median", "min", "max", "salaries", "merit")
    headers = [word(f"h_{k}", lang) for k in keys]
    rows = []
    for s in comparison.schemes:
        st = s.stats()
        totals = s.pay_totals() or {}
        rows.append(
            [
                s.stamp.id,
                named(s, s.score_name, lang),
                *(_cell(st[k]) for k in ("n", "mean", "median", "min", "max")),
                _cell(totals.get("salaries")),
                _cell(totals.get("raises")),
            ]
        )
    return Table(word("t_stats", lang), headers, rows, [False, False, *([True] * 7)])


def _distribution_table(comparison: Comparison, lang: str) -> Table:
    rows = []
    for s in comparison.schemes:
        for grade, count in s.distribution():
            rows.append([s.stamp.id, named(s, s.grade_name, lang), grade, str(count)])
    headers = [word(f"h_{k}", lang) for k in ("scheme", "grade_of", "grade", "people")]
    return Table(word("t_distribution", lang), headers, rows, [False, False, False, True])


def _correspondence_tables(comparison: Comparison, later: Sequence[int], lang: str) -> list[Table]:
    """How the first scheme's grades read on each later scale, where that is not level for level
    on a scale as long (scales of other lengths, or a reading the mapping declares)."""
    base = comparison.schemes[0]
    out = []
    for k in later:
        other = comparison.schemes[k]
        reading = comparison.reading(k)
        if reading.how == "rank" and len(other.levels) == len(base.levels):
            continue
        how = word("by_rank", lang) if reading.how == "rank" else word("declared_in", lang, file=reading.how)
        rows = [[grade, reading.table.get(grade, ""), how] for grade in base.levels]
        title = word("t_correspondence", lang, a=base.stamp.id, b=other.stamp.id)
        out.append(Table(title, [base.stamp.id, other.stamp.id, word("reading", lang)], rows))
    return out


class ProblemLines(ReadThrough[str]):
    """Every scheme's problems, one line each (``scheme: origin: person: error [rule] message``),
    made as they are read (a scheme's problems are a spool: a million of them are never held),
    then with ``warnings`` every scheme's warnings."""

    def __init__(self, comparison: Comparison, warnings: bool = False) -> None:
        self.comparison, self.warnings = comparison, warnings

    def __len__(self) -> int:
        schemes = self.comparison.schemes
        warned = sum(len(s.outcome.warnings) for s in schemes) if self.warnings else 0
        return sum(len(s.outcome.problems) for s in schemes) + warned

    def __iter__(self) -> Iterator[str]:
        schemes = self.comparison.schemes
        for s in schemes:
            for p in s.outcome.problems:
                yield f"{s.stamp.id}: {p.origin}: {p.employee_id or 'file'}: error [{p.rule}] {p.message}"
        if self.warnings:
            for s in schemes:
                for p in s.outcome.warnings:
                    who = p.employee_id or "file"
                    yield f"{s.stamp.id}: {p.origin}: {who}: warning [{p.rule}] {p.message}"


def error_lines(comparison: Comparison) -> ProblemLines:
    """Every scheme's errors, one line each (``scheme: origin: person: error [rule] message``)."""
    return ProblemLines(comparison)


def explain_person(comparison: Comparison, pid: str) -> list[tuple[str, list[str]]]:
    """Everything behind one person's figures under each scheme: mapped values, then the trace."""
    from engine.evaluate import evaluate_employee

    out = []
    for s in comparison.schemes:
        lines = [f"mapping ({s.mapped.document['policy']}):", *s.mapped.explained.get(pid, [])]
        record, person = s.explained, s.explained_person
        if record is not None and person is not None and record.id == pid:
            engine_policy = s.outcome.policy
            traced = evaluate_employee(engine_policy, record, s.outcome.population.parameters, trace=True)
            lines.extend(render_explain(traced).splitlines()[1:])  # the trace as `explain` shows it
            lines.append(f"grade: {person.grade or '-'} ({person.reason})")
            lines.extend(f"tie {label}: {', '.join(members)}" for label, members in s.explained_ties)
            lines.extend(f"pay: {line}" for line in person.pay_reason)
        else:
            lines.append("not evaluated: see the problems")
        out.append((f"{pid} under {s.stamp.id}", lines))
    return out


def population_report(comparison: Comparison, lang: str = "en", explain: str | None = None) -> Report:
    """Per scheme: distribution, statistics, pay; per person: the grade under each scheme and moves."""
    schemes = comparison.schemes
    ids = [s.stamp.id for s in schemes]
    report = Report(
        "compare-population", "hrpolicy compare: " + " vs ".join(ids), comparison.stamps, lang=lang
    )
    report.summary.append(word("population", lang, source=comparison.source, n=len(comparison.ids)))
    report.summary.extend(_scheme_summary(s, lang) for s in schemes)
    report.tables += [
        _people_table(comparison, lang),
        _stats_table(comparison, lang),
        _distribution_table(comparison, lang),
    ]
    report.charts = [
        Chart(f"{s.stamp.id}: {named(s, s.grade_name, lang)}", s.distribution()) for s in schemes if s.levels
    ]
    graded = [i for i, s in enumerate(schemes) if s.levels]
    if graded[:1] == [0]:
        report.tables += _correspondence_tables(comparison, graded[1:], lang)
    for i in graded[1:]:
        rows, cols, counts = comparison.transitions(graded[0], i)
        a, b = schemes[graded[0]].stamp.id, schemes[i].stamp.id
        title = word("t_transitions", lang, a=a, b=b)
        report.matrices.append(Matrix(a, b, rows, cols, counts, title))
    problems = ProblemLines(comparison, warnings=True)
    if problems:
        report.details.append((word("problems", lang), problems))
    if explain is not None:
        report.details.extend(explain_person(comparison, explain))
    report.data = {
        "population": comparison.source,
        "schemes": [_scheme_dict(s) for s in schemes],
        "people": _PeopleData(comparison),
        "ties": _TieData(comparison),
        "readings": [_reading_dict(comparison, k) for k in graded[1:]] if graded[:1] == [0] else [],
        "problems": problems,
    }
    if explain is not None:
        report.data["explain"] = {
            title: list(lines) for title, lines in report.details if title.startswith(explain)
        }
    return report


def _reading_dict(comparison: Comparison, k: int) -> dict[str, Any]:
    """How ``moves`` read the first scheme's grades on scheme ``k``'s scale."""
    reading = comparison.reading(k)
    how = "rank position" if reading.how == "rank" else f"declared in {reading.how}"
    return {"from": reading.first, "to": reading.other, "how": how, "grades": dict(reading.table)}


def _scheme_dict(s: SchemeResult) -> dict[str, Any]:
    return {
        "policy": s.stamp.id,
        "score": s.score_name,
        "grade": s.grade_name,
        "distribution": dict(s.distribution()),
        "stats": s.stats(),
        "pay": s.pay_totals(),
    }


def _person_dict(s: SchemeResult, p: PersonOutcome | None) -> dict[str, Any] | None:
    if p is None:
        return None
    out: dict[str, Any] = {"score": p.score, "grade": p.grade, "reason": p.reason}
    if s.has_pay:
        out.update(
            {
                "salary": p.salary,
                "raise_rate": p.raise_rate,
                "raise": p.raise_amount,
                "pay_reason": list(p.pay_reason),
            }
        )
    return out
