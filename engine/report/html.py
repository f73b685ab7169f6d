"""The evaluation report as one self-contained HTML page, from a Jinja2 template.

Autoescape is on for every template: a name or goal title is text, never markup. The page has
its language, the policy's name and version, the run date and the policy's period, a summary
(counts and one grade-distribution chart per grade column, as inline SVG), the result table and
the problems. No script, no web font, no network: it reads the same offline and printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.report.labels import Labels, policy_language
from engine.report.phrases import ungraded as is_ungraded
from engine.report.table import display_width

if TYPE_CHECKING:
    from engine.errors import Problem
    from engine.evaluate import RunOutcome
    from engine.report.options import ReportOptions
    from engine.report.results import RowPlan

BAR_SPACE = 28  # pixels per bar row in the chart
BAR_MAX = 300  # pixels of the longest bar


def environment() -> Any:
    """The Jinja2 environment of the report templates (package data), autoescaping everything."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("engine.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: int
    none: bool


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: tuple[Bar, ...]
    label_width: int
    width: int
    height: int


def chart(key: str, labels: Labels, cells: Sequence[str]) -> Chart:
    """Counts per grade (in the scale's order) and of the people not graded, as bars."""
    scale = (labels.data.get("scales") or {}).get(labels.scale_of(key) or "") or {}
    order = [labels.grade(key, str(level.get("code"))) for level in scale.get("levels") or ()]
    counts: dict[str, int] = dict.fromkeys(order, 0)
    ungraded = 0
    for cell in cells:
        if is_ungraded(cell):
            ungraded += 1
        else:
            counts[cell] = counts.get(cell, 0) + 1
    items = [(label, n, False) for label, n in counts.items()]
    if ungraded:
        items.append((labels.word("not_graded"), ungraded, True))
    most = max([n for _, n, _ in items] or [1]) or 1
    # About 8 pixels per terminal cell of 13-pixel text: a Hangul or kanji label takes two.
    label_width = 16 + 8 * max([display_width(label) for label, _, _ in items] or [1])
    bars = tuple(
        Bar(label, n, 4 + i * BAR_SPACE, round(BAR_MAX * n / most), none)
        for i, (label, n, none) in enumerate(items)
    )
    height = 8 + BAR_SPACE * len(bars)
    return Chart(key, labels.field(key), bars, label_width, label_width + BAR_MAX + 48, height)


def _notes(problems: Sequence[Problem], labels: Labels) -> list[dict[str, str]]:
    return [
        {
            "origin": p.origin,
            "subject": (p.employee_id or "file")
            + (f" indicator {p.indicator}" if p.indicator is not None else ""),
            "rule": p.rule,
            "message": labels.message(p.message),
        }
        for p in problems
    ]


def render_html(outcome: RunOutcome, plan: RowPlan, rows: list[list[str]], options: ReportOptions) -> str:
    """The page: header, summary with charts, result table, problems and warnings."""
    labels = plan.labels
    data = outcome.policy.data
    meta = data.get("metadata") or {}
    effective = meta.get("effective") or {}
    period = " – ".join(str(effective[k]) for k in ("from", "to") if effective.get(k))
    kinds = ["text", "text", *(c.kind for c in plan.columns)]
    grade_columns = [i for i, c in enumerate(plan.columns, start=2) if c.kind == "grade"]
    charts = [chart(plan.columns[i - 2].key, labels, [row[i] for row in rows]) for i in grade_columns]
    words = {
        k: labels.word(k)
        for k in (
            "version",
            "period",
            "run_date",
            "summary",
            "employees",
            "evaluated",
            "with_problems",
            "warnings",
            "distribution",
            "results",
            "problems",
        )
    }
    return str(
        environment()
        .get_template("evaluate.html.j2")
        .render(
            lang=labels.lang or policy_language(data),
            title=labels.policy_name(),
            version=meta.get("version"),
            period=period,
            run_date=options.run_date.isoformat(),
            words=words,
            counts={
                "employees": len(outcome.results) + len(outcome.failed_employees),
                "evaluated": len(outcome.results),
                "failed": len(outcome.failed_employees),
                "warnings": len(outcome.warnings),
            },
            charts=charts,
            headers=plan.headers(),
            kinds=kinds,
            rows=rows,
            ungraded=is_ungraded,
            notes=[
                {"kind": "problems", "title": words["problems"], "entries": _notes(outcome.problems, labels)},
                {"kind": "warnings", "title": words["warnings"], "entries": _notes(outcome.warnings, labels)},
            ],
        )
    )
