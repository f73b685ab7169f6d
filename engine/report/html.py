"""The evaluation report as one self-contained HTML page, from a Jinja2 template.

Autoescape is on for every template: a name or goal title is text, never markup. The page has
its language, the policy's name and version, the run date and the policy's period, a summary
(counts and one grade-distribution chart per grade column, as inline SVG), the result table and
the problems. No script, no web font, no network: it reads the same offline and printed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.report.labels import Labels, policy_language
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.phrases import ungraded as is_ungraded
from engine.report.table import display_width, pad_places

if TYPE_CHECKING:
    from engine.errors import Diagnostic, Problem
    from engine.evaluate import RunOutcome
    from engine.provenance import Stamp
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


def chart(key: str, labels: Labels, cells: Iterable[str], title: str | None = None) -> Chart:
    """Counts per grade (in the scale's order; grades of no scale in the order met) and of the
    people not graded, as bars."""
    return tallied_chart(key, labels, tally(cells), title)


def tally(cells: Iterable[str]) -> dict[str, int]:
    """How many times each cell is met, in the order first met: what :func:`tallied_chart`
    draws (a streamed page counts its grade cells as it reads them, never holding them)."""
    counts: dict[str, int] = {}
    for cell in cells:
        counts[cell] = counts.get(cell, 0) + 1
    return counts


def tallied_chart(key: str, labels: Labels, counts: Mapping[str, int], title: str | None = None) -> Chart:
    """:func:`chart` from the :func:`tally` of its cells."""
    items = _chart_items(key, labels, counts)
    most = max([n for _, n, _ in items] or [1]) or 1
    # About 8 pixels per terminal cell of 13-pixel text: a Hangul or kanji label takes two.
    label_width = 16 + 8 * max([display_width(label) for label, _, _ in items] or [1])
    bars = tuple(
        Bar(label, n, 4 + i * BAR_SPACE, round(BAR_MAX * n / most), none)
        for i, (label, n, none) in enumerate(items)
    )
    height = 8 + BAR_SPACE * len(bars)
    name = labels.field(key) if title is None else title
    return Chart(key, name, bars, label_width, label_width + BAR_MAX + 48, height)


def _chart_items(key: str, labels: Labels, tallied: Mapping[str, int]) -> list[tuple[str, int, bool]]:
    """(label, count, is the not-graded bar) per grade in the scale's order (grades of no scale
    in the order met), then the people not graded when there are any."""
    scale = (labels.data.get("scales") or {}).get(labels.scale_of(key) or "") or {}
    order = [labels.grade(key, str(level.get("code"))) for level in scale.get("levels") or ()]
    counts: dict[str, int] = dict.fromkeys(order, 0)
    ungraded = 0
    for cell, n in tallied.items():
        if is_ungraded(cell):
            ungraded += n
        else:
            counts[cell] = counts.get(cell, 0) + n
    items = [(label, n, False) for label, n in counts.items()]
    if ungraded:
        items.append((labels.word("not_graded"), ungraded, True))
    return items


class _Notes:
    """The page's entries of ``problems``, each made as the page is written: a spool of a
    million problems is read once, never held as a million entries."""

    def __init__(self, problems: Sequence[Problem], labels: Labels) -> None:
        self.problems, self.labels = problems, labels

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[dict[str, str]]:
        message = self.labels.message
        for p in self.problems:
            yield {
                "origin": p.origin,
                "subject": (p.employee_id or "file")
                + (f" indicator {p.indicator}" if p.indicator is not None else ""),
                "rule": p.rule,
                "message": message(p.message),
            }


def _notes(problems: Sequence[Problem], labels: Labels) -> _Notes:
    return _Notes(problems, labels)


def problem_notes(problems: Sequence[Problem], labels: Labels) -> list[dict[str, Any]]:
    """Problems of a run (:class:`~engine.errors.Problem`) as the page's problems section."""
    return [{"kind": "problems", "title": labels.word("problems"), "entries": _notes(problems, labels)}]


def diagnostic_notes(problems: Sequence[Diagnostic], labels: Labels) -> list[dict[str, Any]]:
    """Located problems of a data file as the page's problems and warnings sections."""
    sections = []
    for kind, severity in (("problems", "error"), ("warnings", "warning")):
        entries = [
            {
                "origin": str(d.location),
                "subject": d.subject or "file",
                "rule": d.rule,
                "message": labels.message(d.message),
            }
            for d in problems
            if d.severity.value == severity
        ]
        sections.append({"kind": kind, "title": labels.word(kind), "entries": entries})
    return sections


@dataclass(frozen=True)
class Count:
    """One figure of the summary: ``bad`` ones are shown in the problem colour when not 0."""

    key: str
    label: str
    n: int
    bad: bool = False


@dataclass(frozen=True)
class PageTable:
    """One table of a command's page; ``numeric`` columns are right-aligned, ``lines`` are
    sentences shown above the table (a check, a verdict)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[str]]  # read once as the page is written when there is no number column
    numeric: Sequence[bool] = ()
    lines: Sequence[str] = ()

    @property
    def cells(self) -> Iterable[Sequence[str]]:
        """The rows, each number column with one number of places (never rounded)."""
        if not any(self.numeric):
            return self.rows  # nothing to pad: the rows as they are (a spool read as written)
        return pad_places(list(self.rows), self.numeric)

    @property
    def kinds(self) -> list[str]:
        return [
            "number" if i < len(self.numeric) and self.numeric[i] else "text"
            for i in range(len(self.headers))
        ]


WORD_KEYS = (
    "version", "period", "run_date", "summary", "employees", "evaluated", "with_problems", "warnings",
    "distribution", "results", "problems",
)  # fmt: skip


def page_context(labels: Labels, options: ReportOptions) -> dict[str, Any]:
    """What every page states: its language, the policy's name and version, the run date, the
    policy's period, the page's words."""
    data = labels.data
    meta = data.get("metadata") or {}
    effective = meta.get("effective") or {}
    return {
        "lang": labels.lang or policy_language(data),
        "title": labels.policy_name(),
        "version": meta.get("version"),
        "period": " – ".join(str(effective[k]) for k in ("from", "to") if effective.get(k)),
        "run_date": options.run_date.isoformat(),
        "words": {k: labels.word(k) for k in WORD_KEYS},
        "ungraded": is_ungraded,
    }


def render_html(outcome: RunOutcome, plan: RowPlan, rows: list[list[str]], options: ReportOptions) -> str:
    """The page: header, summary with charts, result table, problems and warnings."""
    tallies = [tally(row[i] for row in rows) for i in grade_columns(plan)]
    return "".join(generate_html(outcome, plan, len(rows), tallies, rows, options))


def grade_columns(plan: RowPlan) -> list[int]:
    """The indices (in a row) of the grade columns: one chart each."""
    return [i for i, c in enumerate(plan.columns, start=2) if c.kind == "grade"]


def generate_html(
    outcome: RunOutcome,
    plan: RowPlan,
    evaluated: int,
    tallies: Sequence[Mapping[str, int]],
    rows: Iterable[Sequence[str]],
    options: ReportOptions,
) -> Iterator[str]:
    """:func:`render_html` a piece at a time (Jinja2's ``generate``) from the ``evaluated``
    rows, read once as the page is written, and the :func:`tally` of each grade column
    (:func:`grade_columns`) made from them beforehand: a streamed run's page from its spool."""
    labels = plan.labels
    kinds = ["text", "text", *(c.kind for c in plan.columns)]
    charts = [
        tallied_chart(plan.columns[i - 2].key, labels, counts)
        for i, counts in zip(grade_columns(plan), tallies, strict=True)
    ]
    failed = len(outcome.failed_employees)
    counts = [
        Count("employees", labels.word("employees"), evaluated + failed),
        Count("evaluated", labels.word("evaluated"), evaluated),
        Count("failed", labels.word("with_problems"), failed, bad=failed > 0),
        Count("warnings", labels.word("warnings"), len(outcome.warnings)),
    ]
    notes = [
        *problem_notes(outcome.problems, labels),
        {"kind": "warnings", "title": labels.word("warnings"), "entries": _notes(outcome.warnings, labels)},
    ]
    page = environment().get_template("evaluate.html.j2")
    context = page_context(labels, options)
    return iter(
        page.generate(
            **context,
            counts=counts,
            charts=charts,
            headers=plan.headers(),
            kinds=kinds,
            rows=rows,
            notes=notes,
        )
    )


def write_stamped_page(
    pieces: Iterable[str], stamps: Sequence[Stamp], write: Callable[[str], object]
) -> None:
    """A page's pieces given to ``write``, stamped as a whole page is
    (:func:`~engine.report.model.stamped`, on its head: the list of stamps goes right after
    ``<body>``, which comes before any table), the rest a batch of pieces at a time."""
    head: list[str] = []
    pieces = iter(pieces)
    for piece in pieces:
        head.append(piece)
        if "<body>" in piece:
            break
    write(stamped("html", stamps, "".join(head)))
    while batch := list(itertools.islice(pieces, _BATCH)):
        write("".join(batch))


#: Pieces of a page (Jinja2 gives many small ones) written at a time.
_BATCH = 2048


def render_explained_page(outcome: RunOutcome, labels: Labels | None = None) -> str:
    """``explain`` as a page: the employee's values and grades, then each formula, grade table
    and chain with its trace lines (the fields named by their labels; in the policy's language
    unless another is asked for)."""
    data = outcome.policy.data
    labels = labels if labels is not None and labels.lang is not None else Labels(data, policy_language(data))
    result = outcome.results[0]
    values = [[labels.field(k), k, str(v)] for k, v in result.values.items()]
    values += [
        [labels.field(k), k, labels.grade(k, str(g.grade)) if g.grade else "-"]
        for k, g in result.grades.items()
    ]
    for name, relative in outcome.relative.items():
        member = relative.outcome(result.id)
        grade = relative.grade_of(result.id)
        shown = (
            labels.grade(name, str(grade))
            if grade is not None
            else labels.reason(member.reason if member else "not graded: not a candidate")
        )
        values.append([labels.field(name), name, shown])
    heads = [labels.word("item"), "id", labels.word("value")]
    who = f"{labels.field('id')} {result.id}" + (f" ({result.name})" if result.name else "")
    tables = [PageTable(who, heads, values)]  # exact values, as explain shows them
    steps: dict[str, list[list[str]]] = {}
    for line in result.trace:
        steps.setdefault(line.subject, []).append([line.kind, line.text])
    for subject, rows in steps.items():
        named = labels.field(subject)
        title = subject if named == subject else f"{named} ({subject})"
        tables.append(PageTable(title, [labels.word("step"), labels.word("explanation")], rows))
    notes = problem_notes([p for p in outcome.problems if p.employee_id == result.id], labels)
    return render_tables_page(labels, None, (), tables, notes)


def render_tables_page(
    labels: Labels,
    options: ReportOptions | None,
    counts: Sequence[Count],
    tables: Sequence[PageTable],
    notes: Sequence[Mapping[str, Any]] = (),
    charts: Sequence[Chart] = (),
) -> str:
    """A command's page (calibrate, jobeval, pay, workflow): the evaluation page's header and
    summary, then its tables, then its problems."""
    return "".join(generate_tables_page(labels, options, counts, tables, notes, charts))


def generate_tables_page(
    labels: Labels,
    options: ReportOptions | None,
    counts: Sequence[Count],
    tables: Iterable[PageTable],
    notes: Sequence[Mapping[str, Any]] = (),
    charts: Sequence[Chart] = (),
) -> Iterator[str]:
    """:func:`render_tables_page` a piece at a time (Jinja2's ``generate``): the tables (read
    once), a table's rows and the problems are read as the page is written."""
    context = page_context(labels, options or ReportOptions())
    page = environment().get_template("tables.html.j2")
    return iter(page.generate(**context, counts=counts, charts=charts, tables=tables, notes=notes))
