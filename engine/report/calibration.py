"""Reports of ``hrpolicy calibrate`` in a registry: per distribution group the quota, the proposed
and the final grades, whether the final grades are within quota +- tolerance, who moved and why;
plus every chain and confirmation problem per employee. ``text`` (aligned tables), ``json``, ``csv``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from engine.distribution import CalibrationReport, GroupCalibration, describe_key
from engine.evaluate.calibration import PopulationCalibration
from engine.report.results import format_problem
from engine.report.safety import DictCsv
from engine.report.table import render_table
from engine.report.xlsx import xlsx_renderer


def summary(result: PopulationCalibration) -> str:
    """The failure counts in one line: groups outside quota, people not graded, problems."""
    return (
        f"{result.groups_outside} group(s) outside quota, {result.not_graded} "
        f"person(s) not graded, {len(result.problems)} problem(s)"
    )


def _show(value: str | None) -> str:
    return "-" if value is None else value


def _group_text(group: GroupCalibration) -> list[str]:
    state = "final within quota" if group.within else "final NOT within quota"
    lines = [f"group {describe_key(group.key)}: {group.size} people; {state}"]
    rows = [
        [
            g.grade,
            str(g.quota),
            f"+-{g.tolerance}",
            str(g.proposed),
            str(g.final),
            "yes" if g.final_within else "no",
        ]
        for g in group.grades
    ]
    headers = ["grade", "quota", "tolerance", "proposed", "final", "within"]
    lines.append(render_table(headers, rows, [False, True, True, True, True, False]).rstrip("\n"))
    if group.moves:
        lines.append(f"moves ({len(group.moves)}):")
        moves = [
            [m.member, _show(m.proposed), _show(m.final), m.reason or "(no reason given)"]
            for m in group.moves
        ]
        table = render_table(["member", "proposed", "final", "reason"], moves, [False] * 4)
        lines.append(table.rstrip("\n"))
    if group.missing:
        lines.append("no final grade: " + ", ".join(group.missing))
    if group.unknown:
        lines.append("grade not of the scale: " + ", ".join(group.unknown))
    return lines


def _report_text(report: CalibrationReport, label: str) -> list[str]:
    state = "every group within quota" if report.within else "NOT every group within quota"
    lines = [f"== distribution {report.distribution} ({label}): {len(report.groups)} group(s), {state}"]
    for group in report.groups:
        lines += ["", *_group_text(group)]
    for problem in report.problems:
        lines += ["", f"not graded [{problem.rule}]: {problem.message} ({', '.join(problem.members)})"]
    return lines


def render_text(result: PopulationCalibration) -> str:
    """Aligned tables per group, then the problems, then a one-line verdict."""
    lines: list[str] = []
    for report in result.reports:
        label = result.labels.get(report.distribution, report.distribution)
        lines += [*_report_text(report, label), ""]
    if not result.reports:
        lines += ["== evaluator chains (the policy declares no distributions)", *_chain_text(result), ""]
    if result.problems:
        lines.append(f"problems ({len(result.problems)}):")
        lines += [format_problem(p) for p in result.problems]
        lines.append("")
    lines.append("result: " + ("every group within quota, no problems" if result.ok else summary(result)))
    return "\n".join(lines) + "\n"


def _chain_text(result: PopulationCalibration) -> list[str]:
    """Per employee: the chain that applies, why, and each stage (what explain shows)."""
    lines: list[str] = []
    for reviewed in result.reviews:
        lines.append(f"{reviewed.employee_id}:")
        lines += [f"  {line}" for line in result.chain_lines.get(reviewed.employee_id, ())]
    return lines


def _group_dict(group: GroupCalibration) -> dict[str, Any]:
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
    payload = {
        "ok": result.ok,
        "distributions": [
            {
                "distribution": r.distribution,
                "within": r.within,
                "groups": [_group_dict(g) for g in r.groups],
                "not_graded": [
                    {"rule": p.rule, "message": p.message, "members": list(p.members), "group": dict(p.key)}
                    for p in r.problems
                ],
            }
            for r in result.reports
        ],
        "reviews": [
            {
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
            for o in result.reviews
        ],
        "problems": [
            {
                "employee": p.employee_id,
                "indicator": p.indicator,
                "rule": p.rule,
                "message": p.message,
                "origin": p.origin,
            }
            for p in result.problems
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = [
    "section", "distribution", "group", "grade", "quota", "tolerance", "proposed", "final", "within",
    "member", "indicator", "rule", "message",
]  # fmt: skip


def _csv_rows(report: CalibrationReport) -> Iterator[dict[str, Any]]:
    base = {"distribution": report.distribution}
    for group in report.groups:
        where = {**base, "group": describe_key(group.key)}
        for g in group.grades:
            counts = {"quota": g.quota, "tolerance": g.tolerance, "proposed": g.proposed, "final": g.final}
            yield {
                **where,
                "section": "grade",
                "grade": g.grade,
                **counts,
                "within": str(g.final_within).lower(),
            }
        for m in group.moves:
            move = {"member": m.member, "proposed": m.proposed, "final": m.final, "message": m.reason}
            yield {**where, "section": "move", **move}
    for lost in report.problems:
        where = {**base, "group": describe_key(lost.key), "rule": lost.rule, "message": lost.message}
        yield from ({**where, "section": "not_graded", "member": member} for member in lost.members)


def render_csv(result: PopulationCalibration) -> str:
    """One table: ``grade`` rows (counts per group and grade), ``move`` rows (message = the
    reason), ``not_graded`` rows and ``problem`` rows."""
    buffer = io.StringIO()
    writer = DictCsv(buffer, CSV_COLUMNS)
    writer.writeheader()
    for report in result.reports:
        writer.writerows(_csv_rows(report))
    for p in result.problems:
        problem = {"member": p.employee_id, "indicator": p.indicator, "rule": p.rule, "message": p.message}
        writer.writerow({"section": "problem", **problem})
    return buffer.getvalue()


def _problem_rows(result: PopulationCalibration) -> list[list[str]]:
    return [["error", p.employee_id or "", p.rule, p.message, p.origin] for p in result.problems]


RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "xlsx": xlsx_renderer(render_csv, _problem_rows),
}
