"""Distributions and calendars: the meaning checks their own modules hold, run at validation.

:func:`engine.distribution.distribute.check_distribution` is the distribution module's guard; the parts
of it that other families already report (quota sums as ``weight-sum``, unknown grades and
keys as ``ref-unknown``, options by the schema) are left to them, so nothing is said twice.
"""

from __future__ import annotations

from engine.checks.context import CheckContext, entries, mapping, sequence
from engine.distribution import check_distribution
from engine.workflow import WEEKDAYS
from engine.workflow.calendar import supported_countries

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
    if country is not None and str(country) not in supported_countries():
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
