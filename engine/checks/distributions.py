"""Distributions and calendars: the meaning checks their own modules hold, run at validation.

:func:`engine.distribution.rule.check_distribution` is the distribution module's guard; the parts
of it that other families already report (quota sums as ``weight-sum``, unknown grades and
keys as ``ref-unknown``, options by the schema) are left to them, so nothing is said twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.checks.context import CheckContext, entries, mapping, sequence
from engine.distribution import check_distribution
from engine.location import Path
from engine.workflow.calendar import WEEKDAYS, cycle_day, is_supported_country

#: Rules of check_distribution that another family reports already.
REPORTED_ELSEWHERE = frozenset(
    {"distribution-quota-sum", "distribution-unknown-grade", "distribution-option", "distribution-scale"}
)


def check_distributions(ctx: CheckContext) -> None:
    """How small groups merge: exactly one group key (the organisation) may move upward."""
    scales = mapping(ctx.data.get("scales"))
    for name, spec in entries(ctx.data.get("distributions")):
        levels = sequence(mapping(scales.get(str(spec.get("scale")))).get("levels"))
        codes = [str(mapping(level).get("code")) for level in levels]
        keep = sequence(mapping(spec.get("merge")).get("keep"))
        unknown_keep = any(key not in sequence(spec.get("group_by")) for key in keep)
        for found in check_distribution(spec, codes, name=name, source=ctx.source):
            if found.rule in REPORTED_ELSEWHERE:
                continue
            if found.rule == "distribution-merge-keys" and unknown_keep:
                continue  # a kept key that is not grouped by is a ref-unknown already
            ctx.diagnostics.append(found)


def check_calendar(ctx: CheckContext) -> None:
    """A working-day calendar needs at least one working day in the week, and a country whose
    public holidays the holidays package knows."""
    calendar = mapping(mapping(ctx.data.get("workflows")).get("calendar"))
    country = calendar.get("country")
    if country is not None and not is_supported_country(str(country)):
        ctx.report(
            ("workflows", "calendar", "country"),
            "workflow-calendar-country",
            f"no public-holiday calendar for country '{country}'",
            suggestion="use an ISO 3166 code the holidays package supports, e.g. KR or JP",
        )
    weekend = {str(day) for day in sequence(calendar.get("weekend"))}
    if weekend >= set(WEEKDAYS):
        ctx.report(
            ("workflows", "calendar", "weekend"),
            "workflow-calendar",
            "the calendar has no working day: every day of the week is weekend",
            suggestion="list only the days off, e.g. [sat, sun]",
        )


def check_cycle_dates(ctx: CheckContext) -> None:
    """The dates of periods and goal-change windows (``MM-DD`` in the effective period, or
    ``YYYY-MM-DD``) are real days, and each window ends on or after it starts."""
    effective = mapping(mapping(ctx.data.get("metadata")).get("effective"))
    start = cycle_day(effective.get("from"), date.min)
    if start is None:
        return  # the schema reports a bad effective date
    periods = entries(ctx.data.get("periods"))
    spans: list[tuple[Path, Any]] = [
        (("periods", name, "dates"), mapping(spec).get("dates")) for name, spec in periods
    ]
    windows = sequence(mapping(mapping(ctx.data.get("workflows")).get("goal_changes")).get("windows"))
    spans += [(("workflows", "goal_changes", "windows", i), window) for i, window in enumerate(windows)]
    for path, span in spans:
        _check_span(ctx, path, mapping(span), start)


def _check_span(ctx: CheckContext, path: Path, span: Mapping[str, Any], start: date) -> None:
    first = start
    for key in ("from", "to"):
        if key not in span:
            continue
        day = cycle_day(span[key], first)
        if day is None:
            ctx.report((*path, key), "workflow-date", f"{span[key]!r} is not a day of the year")
            return
        if key == "to" and day < first:
            message = f"the window ends on {day}, before it starts on {first}"
            ctx.report((*path, key), "workflow-date", message)
        first = day
