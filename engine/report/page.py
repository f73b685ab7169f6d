"""Consultant reports as one self-contained HTML page: Jinja2 templates with autoescape on,
inline CSS and inline SVG charts, no script and no network reference (the page opens offline)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.compare.words import LANGS, word
from engine.report.model import Chart, Report, stamp_lines

#: Chart geometry in SVG user units: bar slot width, plot height, margins for labels.
SLOT, PLOT, TOP, BOTTOM, LEFT = 44, 160, 20, 40, 30


@cache
def environment() -> Environment:
    """The template environment (autoescape on for .html/.j2, undefined names are errors)."""
    return Environment(
        loader=PackageLoader("engine.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def chart_geometry(chart: Chart) -> dict[str, object]:
    """Bars as rectangles: the tallest bar fills the plot; every number is an integer."""
    top = max([n for _, n in chart.bars] + [1])
    bars = []
    for index, (label, count) in enumerate(chart.bars):
        height = round(count * PLOT / top)
        bars.append(
            {
                "label": label,
                "count": count,
                "x": LEFT + index * SLOT + 6,
                "width": SLOT - 12,
                "y": TOP + PLOT - height,
                "height": height,
                "cx": LEFT + index * SLOT + SLOT // 2,
            }
        )
    width = LEFT + SLOT * max(len(chart.bars), 1) + 10
    return {
        "title": chart.title,
        "bars": bars,
        "width": width,
        "height": TOP + PLOT + BOTTOM,
        "base": TOP + PLOT,
        "left": LEFT,
        "top": TOP,
    }


def labels(lang: str) -> dict[str, str]:
    """The page's fixed headings in ``lang``."""
    keys = (
        "summary",
        "distribution_charts",
        "transitions",
        "tables_heading",
        "explanations",
        "policies",
        "people",
    )
    return {k: word(k, lang) for k in keys}


def render_page(report: Report, template: str = "report.html.j2") -> str:
    """The report as a page in the report's language."""
    return "".join(page_pieces(report, template))


def page_pieces(report: Report, template: str = "report.html.j2") -> Iterator[str]:
    """:func:`render_page` a piece at a time (Jinja2's ``generate``: a table's rows are read as
    the page is written, never held)."""
    lang = report.lang if report.lang in LANGS else "en"
    charts: Sequence[dict[str, object]] = [chart_geometry(c) for c in report.charts]
    return (
        environment()
        .get_template(template)
        .generate(
            report=report,
            lang=lang,
            t=labels(lang),
            stamps=stamp_lines(report.stamps),
            charts=charts,
            chart_label=lambda title: word("chart_label", lang, title=title),
            matrices=[m.table() for m in report.matrices],
        )
    )
