"""The working-day calendar: weekend days, a country's public holidays, the company's own days.

``workflows.calendar`` declares the weekend, optionally a ``country`` whose public holidays come
from the maintained ``holidays`` package (lunar holidays such as Chuseok and substitute holidays
move every year, so no policy should copy them by hand), ``holidays`` the company adds, and
``worked_holidays``: days the country lists that the company works. The same policy carried into
the next cycle keeps counting right.

A date the calendar cannot count is an error, never a silently wrong deadline: a country calendar
counts the years the package covers; a calendar of listed holidays only counts the policy's
effective period, which its list was written for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from engine.errors import DataError, Diagnostic, Location, PolicyInvalid
from engine.io.fields import FieldError, cycle_date, parse_date
from engine.workflow.countries import COUNTRY_CODES

#: Day names a policy may list as weekend, in ``date.weekday()`` order.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Used when a calendar declares no ``weekend``.
DEFAULT_WEEKEND = ("sat", "sun")


def as_date(value: Any, what: str) -> date:
    """A ``date`` from a date or an ISO ``YYYY-MM-DD`` string (the records reader's date rule)."""
    try:
        return parse_date(value)
    except FieldError:
        raise DataError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


def cycle_day(value: Any, start: date) -> date | None:
    """A policy's date (``YYYY-MM-DD``, or ``MM-DD`` for the first such day on or after ``start``),
    or None when it is not a day (see :func:`engine.io.fields.cycle_date`)."""
    try:
        return cycle_date(value, start)
    except FieldError:
        return None


def supported_countries() -> frozenset[str]:
    """The country codes the ``holidays`` package has public holidays for.

    Read from the package's registry: ``holidays.list_supported_countries()`` gives the same
    codes but imports every country's module to list their subdivisions (most of the time
    ``hrpolicy validate`` took).
    """
    from holidays.registry import EntityLoader  # only a calendar with a country needs the package

    return frozenset(EntityLoader.get_country_codes(True))


def is_supported_country(code: str) -> bool:
    """Whether the ``holidays`` package has public holidays for ``code``: the shipped list
    (:data:`engine.workflow.countries.COUNTRY_CODES`) answers without importing the package;
    a code it lacks is looked up in the installed package's registry (a newer one may know it)."""
    return code in COUNTRY_CODES or code in supported_countries()


@lru_cache(maxsize=64)
def country_years(country: str) -> tuple[int, int]:
    """The first and last year the package computes ``country``'s holidays for."""
    import holidays as holiday_data

    found = holiday_data.country_holidays(country)
    return int(found.start_year), int(found.end_year)


@lru_cache(maxsize=256)
def country_holidays(country: str, year: int) -> frozenset[date]:
    """``country``'s public holidays in ``year`` (substitute holidays included)."""
    import holidays as holiday_data

    return frozenset(holiday_data.country_holidays(country, years=year))


@dataclass(frozen=True)
class Calendar:
    """Working days: every day that is neither a weekend day nor a holiday.

    Holidays are the ``country``'s (if any) and the listed ``holidays``, less ``removed``.
    ``covers`` is the first and last date the calendar can count (``None``: any date).
    """

    weekend: frozenset[int]
    holidays: frozenset[date]
    removed: frozenset[date] = frozenset()
    country: str | None = None
    covers: tuple[date, date] | None = None
    why_covers: str = ""

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> Calendar:
        """The calendar of ``policy['workflows']['calendar']`` (sat/sun weekend when none is declared)."""
        spec = ((policy.get("workflows") or {}).get("calendar")) or {}
        names = spec.get("weekend", DEFAULT_WEEKEND)
        weekend = frozenset(WEEKDAYS.index(str(n)) for n in names if str(n) in WEEKDAYS)
        if len(weekend) == len(WEEKDAYS):
            message = "the calendar has no working day: every day of the week is weekend"
            _invalid("weekend", "workflow-calendar", message)
        listed = _dates(spec, "holidays")
        removed = _dates(spec, "worked_holidays")
        country = spec.get("country")
        if country is None:
            covers, why = _effective(policy)
            return cls(weekend, listed, removed, None, covers, why)
        code = str(country)
        if not is_supported_country(code):
            message = f"no public-holiday calendar for country '{code}'"
            _invalid("country", "workflow-calendar-country", message)
        first, last = country_years(code)
        why = f"the {code} public holidays of the holidays package cover {first} to {last} only"
        return cls(weekend, listed, removed, code, (date(first, 1, 1), date(last, 12, 31)), why)

    def is_holiday(self, day: date) -> bool:
        """A listed holiday or the country's, unless the company works it."""
        if day in self.removed:
            return False
        if day in self.holidays:
            return True
        return self.country is not None and day in country_holidays(self.country, day.year)

    def is_working_day(self, day: date) -> bool:
        """Neither a weekend day nor a holiday; a DataError for a day the calendar cannot count."""
        self.check_covers(day)
        return day.weekday() not in self.weekend and not self.is_holiday(day)

    def check_covers(self, day: date) -> None:
        """A DataError when ``day`` is outside the dates this calendar can count."""
        if self.covers is not None and not self.covers[0] <= day <= self.covers[1]:
            raise DataError(f"cannot count working days on {day}: {self.why_covers}")

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted).

        Raises :class:`DataError` when the count runs past the dates the calendar covers, or past
        the last date there is (9999-12-31): such a record has no deadline.
        """
        day, counted = start, 0
        try:
            while counted < days:
                day += timedelta(days=1)
                if self.is_working_day(day):
                    counted += 1
        except OverflowError:
            raise DataError(
                f"no deadline: {days} working days after {start} run past {date.max}, the last date there is"
            ) from None
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the interval (start, end]; 0 when ``end`` is not after ``start``.

        Counted by whole weeks, not day by day: a date far in the future (a typo such as
        ``9026``) costs no more than a near one (and is an error if the calendar cannot count it).
        """
        if end <= start:
            return 0
        self.check_covers(end)
        weeks, rest = divmod((end - start).days, 7)
        count = weeks * (len(WEEKDAYS) - len(self.weekend))
        # The last `rest` days, start + 7 * weeks + 1 ... end, fall on these weekdays:
        count += sum((start.weekday() + i) % 7 not in self.weekend for i in range(1, rest + 1))
        return count - sum(
            start < day <= end and day.weekday() not in self.weekend for day in self._holidays(start, end)
        )

    def _holidays(self, start: date, end: date) -> frozenset[date]:
        found = set(self.holidays)
        if self.country is not None:
            for year in range(start.year, end.year + 1):
                found |= country_holidays(self.country, year)
        return frozenset(found - self.removed)


def effective_period(policy: Mapping[str, Any]) -> tuple[date, date] | None:
    """The policy's ``metadata.effective`` period (None when it declares none)."""
    period = (policy.get("metadata") or {}).get("effective")
    if not isinstance(period, Mapping) or "from" not in period or "to" not in period:
        return None
    return as_date(period["from"], "metadata.effective.from"), as_date(period["to"], "metadata.effective.to")


def _effective(policy: Mapping[str, Any]) -> tuple[tuple[date, date] | None, str]:
    """What a calendar of listed holidays only can count: the policy's effective period."""
    period = effective_period(policy)
    if period is None:
        return None, ""
    first, last = period
    why = (
        f"the calendar lists holidays for the policy's effective period {first} to {last} only;"
        " declare workflows.calendar.country for a maintained public-holiday calendar,"
        " or list that year's holidays"
    )
    return (first, last), why


def _dates(spec: Mapping[str, Any], key: str) -> frozenset[date]:
    return frozenset(as_date(d, f"workflows.calendar.{key}") for d in spec.get(key) or ())


def _invalid(key: str, rule: str, message: str) -> None:
    where = Location("<policy>", 0, 0, f"$.workflows.calendar.{key}")
    raise PolicyInvalid([Diagnostic(where, rule, message)])
