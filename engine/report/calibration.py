"""Reports of ``hrpolicy calibrate`` in a registry: per distribution group the quota, the proposed
and the final grades, whether the final grades are within quota +- tolerance, who moved and why;
plus every chain and confirmation problem per employee. ``text`` (aligned tables), ``json``, ``csv``.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from engine.chains.review import ChainOutcome
from engine.distribution import CalibrationReport, GroupCalibration, describe_key
from engine.distribution.model import DistributionProblem
from engine.errors import Problem
from engine.evaluate.calibration import PopulationCalibration
from engine.report.html import Count, PageTable, chart, generate_tables_page, problem_notes
from engine.report.jsontext import dumps
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.results import format_problem
from engine.report.safety import DictCsv
from engine.report.table import render_table
from engine.report.xlsx import xlsx_renderer


def summary(result: PopulationCalibration, labels: Labels | None = None) -> str:
    """The failure counts in one line: groups outside quota, people not graded, problems."""
    return (labels or Labels({})).say(
        "calibration_summary",
        outside=result.groups_outside,
        ungraded=result.not_graded,
        problems=len(result.problems),
    )


def _show(value: str | None, column: str, labels: Labels) -> str:
    return "-" if value is None else labels.grade(column, value)


def _group_text(group: GroupCalibration, column: str, labels: Labels) -> list[str]:
    state = labels.say("final_within" if group.within else "final_not_within")
    lines = [labels.say("group_head", key=describe_key(group.key), n=group.size, state=state)]
    yes, no = labels.reason("yes"), labels.reason("no")
    rows = [
        [
            labels.grade(column, g.grade),
            str(g.quota),
            f"+-{g.tolerance}",
            str(g.proposed),
            str(g.final),
            yes if g.final_within else no,
        ]
        for g in group.grades
    ]
    english = ["grade", "quota", "tolerance", "proposed", "final", "within"]
    headers = [labels.column(key, key) for key in english]
    lines.append(render_table(headers, rows, [False, True, True, True, True, False]).rstrip("\n"))
    if group.moves:
        lines.append(labels.say("moves", n=len(group.moves)))
        moves = [
            [
                m.member,
                _show(m.proposed, column, labels),
                _show(m.final, column, labels),
                labels.reason(m.reason or "(no reason given)"),
            ]
            for m in group.moves
        ]
        heads = [labels.column(key, key) for key in ("member", "proposed", "final", "reason")]
        lines.append(render_table(heads, moves, [False] * 4).rstrip("\n"))
    if group.missing:
        lines.append(labels.say("no_final") + ", ".join(group.missing))
    if group.unknown:
        lines.append(labels.say("not_of_scale") + ", ".join(group.unknown))
    return lines


def _report_text(report: CalibrationReport, label: str, labels: Labels) -> Iterator[str]:
    """One distribution's lines, a group at a time (a group lists its members: never the
    whole population's at once)."""
    state = labels.say("all_within" if report.within else "not_all_within")
    name = report.distribution
    yield labels.say("distribution_head", name=name, label=label, n=len(report.groups), state=state)
    for group in report.groups:
        yield ""
        yield from _group_text(group, name, labels)
    for problem in report.problems:
        members = ", ".join(problem.members)
        message = labels.reason(problem.message)
        yield ""
        yield labels.say("not_graded_rule", rule=problem.rule, message=message, members=members)


def render_text(
    result: PopulationCalibration, labels: Labels | None = None, options: ReportOptions | None = None
) -> str:
    """Aligned tables per group, then the problems, then a one-line verdict (in ``labels``'
    language: headers, grades by their labels, reasons and the fixed words)."""
    labels = labels or Labels({})
    return "\n".join(text_lines(result, labels, _chain_text(result), problem_lines(result, labels))) + "\n"


def problem_lines(result: PopulationCalibration, labels: Labels) -> Iterator[str]:
    """The text report's line of each problem, in order."""
    return (format_problem(p, "error", labels) for p in result.problems)


def text_lines(
    result: PopulationCalibration, labels: Labels, chains: list[str], problems: Iterable[str]
) -> Iterator[str]:
    """The text report's lines, with ``chains`` (every employee's chain) and ``problems`` (their
    lines) where they go, one at a time."""
    for report in result.reports:
        label = result.labels.get(report.distribution, report.distribution)
        if labels.lang is not None:
            label = labels.field(report.distribution)
        yield from _report_text(report, label, labels)
        yield ""
    if not result.reports:
        yield labels.say("chains_head")
        yield from chains
        yield ""
    if result.problems:
        yield labels.say("problems_n", n=len(result.problems))
        yield from problems
        yield ""
    yield labels.say("result_ok") if result.ok else labels.say("result", summary=summary(result, labels))


def _chain_text(result: PopulationCalibration) -> list[str]:
    """Per employee: the chain that applies, why, and each stage (what explain shows)."""
    lines: list[str] = []
    for reviewed in result.reviews:
        lines.append(f"{reviewed.employee_id}:")
        lines += [f"  {line}" for line in result.chain_lines.get(reviewed.employee_id, ())]
    return lines


def group_dict(group: GroupCalibration) -> dict[str, Any]:
    """One group's calibration as the JSON report lists it."""
    return {
        "group": dict(group.key),
        "size": group.size,
        "within": group.within,
        "grades": [
            {
                "grade": g.grade,
                "quota": g.quota,
                "tolerance": g.tolerance,
                "proposed": g.proposed,
                "final": g.final,
                "proposed_within": g.proposed_within,
                "final_within": g.final_within,
            }
            for g in group.grades
        ],
        "moves": [
            {"member": m.member, "proposed": m.proposed, "final": m.final, "reason": m.reason}
            for m in group.moves
        ],
        "missing": list(group.missing),
        "unknown": list(group.unknown),
    }


def render_json(result: PopulationCalibration) -> str:
    """Everything in one document: distributions, each employee's stages, problems."""
    problems = [problem_dict(p) for p in result.problems]
    payload = json_payload(result, [review_dict(o) for o in result.reviews], problems)
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def problem_dict(p: Problem) -> dict[str, Any]:
    """One problem as the JSON report lists it."""
    return {"employee": p.employee_id, "indicator": p.indicator, "rule": p.rule, "message": p.message,
            "origin": p.origin}  # fmt: skip


def json_payload(
    result: PopulationCalibration, reviews: list[Any], problems: list[Any], *, groups: bool = True
) -> dict[str, Any]:
    """The JSON report's payload (``groups``: with every group's dict and every ``not_graded``
    item; else empty lists)."""
    return {
        "ok": result.ok,
        "distributions": [
            {
                "distribution": r.distribution,
                "within": r.within,
                "groups": [group_dict(g) for g in r.groups] if groups else [],
                "not_graded": [not_graded_dict(p) for p in r.problems] if groups else [],
            }
            for r in result.reports
        ],
        "reviews": reviews,
        "problems": problems,
    }


def not_graded_dict(p: DistributionProblem) -> dict[str, Any]:
    """The people one distribution problem names, as the JSON report lists them."""
    return {"rule": p.rule, "message": p.message, "members": list(p.members), "group": dict(p.key)}


def review_dict(o: ChainOutcome) -> dict[str, Any]:
    """One employee's review as the JSON report lists it."""
    return {
        "employee": o.employee_id,
        "chain": o.chain,
        "why": o.why,
        "final": o.final,
        "stages": [
            {
                "stage": s.stage,
                "mode": s.mode,
                "role": s.role,
                "given": s.given,
                "evaluator": s.evaluator,
                "evaluator_level": s.evaluator_level,
                "grade": s.value,
                "grades": dict(s.grades),
                "ratings": {str(n): dict(f) for n, f in s.ratings.items()},
                "reason": s.reason,
            }
            for s in o.stages
        ],
    }


# -- a streamed run's report: the per-employee parts written as they come, the rest around them


#: Stand for the per-employee parts (:func:`json_review`, :func:`text_review`) and for the
#: problems (:func:`json_problem`, :func:`problem_lines`) in a report's frame (a NUL is never
#: in a report's text).
REVIEWS = "\x00spooled reviews\x00"
PROBLEMS = "\x00spooled problems\x00"
#: What goes between two employees' parts, or two problems, in the JSON and the text report.
BETWEEN = {"json": ",\n    ", "text": "\n"}


def json_review(reviewed: ChainOutcome) -> str:
    """One item of the JSON report's ``reviews`` list, indented for its place there."""
    return dumps(review_dict(reviewed), "    ")


def json_problem(problem: Problem) -> str:
    """One item of the JSON report's ``problems`` list, indented for its place there."""
    return dumps(problem_dict(problem), "    ")


def text_review(employee: str, lines: tuple[str, ...]) -> str:
    """One employee's chain in the text report (a policy without distributions), no newline after."""
    return "\n".join([f"{employee}:", *(f"  {line}" for line in lines)])


def page_row(reviewed: ChainOutcome) -> list[str]:
    """One employee's row of the page's chain table (a policy without distributions)."""
    return [reviewed.employee_id, reviewed.chain or "-", reviewed.final or "-"]


CSV_COLUMNS = [
    "section", "distribution", "group", "grade", "quota", "tolerance", "proposed", "final", "within",
    "member", "indicator", "rule", "message",
]  # fmt: skip


def _csv_rows(report: CalibrationReport, labels: Labels) -> Iterator[dict[str, Any]]:
    name = report.distribution
    base = {"distribution": name}

    def grade(code: str | None) -> str | None:
        return None if code is None else labels.grade(name, code)

    for group in report.groups:
        where = {**base, "group": describe_key(group.key)}
        for g in group.grades:
            counts = {"quota": g.quota, "tolerance": g.tolerance, "proposed": g.proposed, "final": g.final}
            yield {
                **where,
                "section": "grade",
                "grade": grade(g.grade),
                **counts,
                "within": str(g.final_within).lower(),
            }
        for m in group.moves:
            move = {"member": m.member, "proposed": grade(m.proposed), "final": grade(m.final)}
            yield {**where, "section": "move", **move, "message": m.reason}
    for lost in report.problems:
        message = labels.message(lost.message)
        where = {**base, "group": describe_key(lost.key), "rule": lost.rule, "message": message}
        yield from ({**where, "section": "not_graded", "member": member} for member in lost.members)


def render_csv(result: PopulationCalibration, labels: Labels | None = None) -> str:
    """One table: ``grade`` rows (counts per group and grade), ``move`` rows (message = the
    reason), ``not_graded`` rows and ``problem`` rows; grades and messages in ``labels``'
    language (the ids and English without one)."""
    buffer = io.StringIO()
    write_csv(result, labels or Labels({}), buffer)
    return buffer.getvalue()


def write_csv(result: PopulationCalibration, labels: Labels, out: Any) -> None:
    """:func:`render_csv`'s table written to ``out`` (anything with ``write``) a row at a time."""
    writer = DictCsv(out, CSV_COLUMNS)
    writer.writeheader()
    for report in result.reports:
        writer.writerows(_csv_rows(report, labels))
    for p in result.problems:
        message = labels.message(p.message)
        problem = {"member": p.employee_id, "indicator": p.indicator, "rule": p.rule, "message": message}
        writer.writerow({"section": "problem", **problem})


def _problem_rows(result: PopulationCalibration) -> list[list[str]]:
    return list(ProblemRows(result.problems))


class ProblemRows:
    """The workbook's problems sheet: a row per problem, made each time it is iterated (a
    spool of problems is read as the sheet is measured, and again as it is written)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = problems

    def __iter__(self) -> Iterator[list[str]]:
        return (["error", p.employee_id or "", p.rule, p.message, p.origin] for p in self.problems)


def _grade_rows(group: GroupCalibration, column: str, labels: Labels) -> list[list[str]]:
    yes, no = labels.reason("yes"), labels.reason("no")
    return [
        [labels.grade(column, g.grade), str(g.quota), f"+-{g.tolerance}", str(g.proposed), str(g.final),
         yes if g.final_within else no]
        for g in group.grades
    ]  # fmt: skip


def _group_tables(report: CalibrationReport, labels: Labels) -> Iterator[PageTable]:
    """Each group's quota table and moves, then the people not graded: made as the page is
    written (a group per few dozen people: never all the groups' tables at once)."""
    name = report.distribution
    heads = [labels.column(k, k) for k in ("grade", "quota", "tolerance", "proposed", "final", "within")]
    for group in report.groups:
        state = labels.say("final_within" if group.within else "final_not_within")
        head = labels.say("group_head", key=describe_key(group.key), n=group.size, state=state)
        title = f"{labels.field(name)}: {head}"
        numeric = [False, True, True, True, True, False]
        yield PageTable(title, heads, _grade_rows(group, name, labels), numeric)
        if group.moves:
            moves = [
                [m.member, _show(m.proposed, name, labels), _show(m.final, name, labels),
                 labels.reason(m.reason or "(no reason given)")]
                for m in group.moves
            ]  # fmt: skip
            move_heads = [labels.column(k, k) for k in ("member", "proposed", "final", "reason")]
            yield PageTable(labels.say("moves", n=len(group.moves)).rstrip(":"), move_heads, moves)
    if report.problems:
        rows = [[m, labels.reason(f"not graded: {p.message}")] for p in report.problems for m in p.members]
        heads = [labels.column("member", "member"), labels.column("reason", "reason")]
        yield PageTable(f"{labels.field(name)}: {labels.word('not_graded')}", heads, rows)


def render_page(
    result: PopulationCalibration,
    labels: Labels | None = None,
    options: ReportOptions | None = None,
    rows: Iterable[list[str]] | None = None,
) -> str:
    """The calibration as a page: counts, one chart of the final grades per distribution, each
    group's quota table and moves, the people not graded, the problems. ``rows``: the chain
    table's rows (:func:`page_row`) of a streamed run, which keeps no reviews."""
    return "".join(generate_page(result, labels, options, rows))


def generate_page(
    result: PopulationCalibration,
    labels: Labels | None = None,
    options: ReportOptions | None = None,
    rows: Iterable[list[str]] | None = None,
) -> Iterator[str]:
    """:func:`render_page` a piece at a time: the chain table's ``rows`` (read again each time
    they are iterated, e.g. from a spool file) and the problems are read as the page is written."""
    labels = labels or Labels({})
    charts, tables = [], list[Iterable[PageTable]]()
    for report in result.reports:
        cells = [labels.grade(report.distribution, g.grade) for grp in report.groups for g in grp.grades
                 for _ in range(g.final)]  # fmt: skip
        cells += [labels.word("not_graded")] * sum(len(p.members) for p in report.problems)
        charts.append(chart(report.distribution, labels, cells))
        tables.append(_group_tables(report, labels))
    if not result.reports:
        rows = [page_row(o) for o in result.reviews] if rows is None else rows
        heads = [labels.field("id"), labels.word("chain"), labels.column("final", "final")]
        tables.append([PageTable(labels.say("chains_head").strip("= "), heads, rows)])
    counts = [
        Count("groups", labels.word("groups"), sum(len(r.groups) for r in result.reports)),
        Count("outside", labels.word("outside_quota"), result.groups_outside, bad=result.groups_outside > 0),
        Count("not_graded", labels.word("not_graded"), result.not_graded, bad=result.not_graded > 0),
        Count("problems", labels.word("problems"), len(result.problems), bad=bool(result.problems)),
    ]
    notes = problem_notes(result.problems, labels)
    return generate_tables_page(labels, options, counts, itertools.chain.from_iterable(tables), notes, charts)


RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_page,
    "xlsx": xlsx_renderer(render_csv, _problem_rows),
}
