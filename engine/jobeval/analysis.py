"""The job-analysis cycle: ``job_evaluation.cycle_years`` (seed 003 제3조②: "정기 직무분석은 3년마다").

A job is evaluated on its job analysis (제11조); the analysis must be no older than the cycle on
the evaluation date. The job's ``analysed_on`` and the run's ``evaluated_on`` (ISO dates, either
on the job or for the whole file) are compared: ``jobeval-analysis-overdue`` when the analysis
is more than ``cycle_years`` whole years before the evaluation, ``jobeval-analysis-date`` when a
date is missing or not a date. A policy without ``cycle_years`` puts no rule on the dates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol


class _Dated(Protocol):
    @property
    def job(self) -> str: ...

    @property
    def analysed_on(self) -> str: ...

    @property
    def evaluated_on(self) -> str: ...


def _parse(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _years_later(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_cycle(
    spec: Mapping[str, Any], job: _Dated, report: Callable[..., None], trace: list[str]
) -> None:
    """Report a job analysis older than the cycle, or a missing date; trace the comparison."""
    years = spec.get("cycle_years")
    if years is None:
        return
    analysed, evaluated = _parse(job.analysed_on), _parse(job.evaluated_on)
    dates = (("analysed_on", job.analysed_on, analysed), ("evaluated_on", job.evaluated_on, evaluated))
    for key, text, day in dates:
        if day is None:
            shown = f"'{text}' is not a date (YYYY-MM-DD)" if text else "is missing"
            text = f"job {job.job}: {key} {shown}; the {years}-year job-analysis cycle needs it"
            report((key,), "jobeval-analysis-date", text)
    if analysed is None or evaluated is None:
        return
    due = _years_later(analysed, int(years))
    if evaluated > due:
        report(
            ("analysed_on",),
            "jobeval-analysis-overdue",
            f"job {job.job}: the job analysis of {analysed} is more than {years} years before the evaluation"
            f" on {evaluated} (the next analysis was due by {due})",
        )
        return
    trace.append(
        f"job analysis {analysed}, next due by {due}: evaluated on {evaluated}, within the {years}-year cycle"
    )
