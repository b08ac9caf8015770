"""Business-day arithmetic for Sweden and Switzerland, from the ``holidays`` package.

Sweden counts the de facto holidays (midsummer eve, Christmas eve, New Year's eve) as non-working days:
offices, banks and distribution centres are closed on them, so a delivery promised "within 3 business days"
does not run on them. Switzerland's public holidays vary by canton; the default is Zurich.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

SUPPORTED_COUNTRIES = ("SE", "CH")


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    if country == "SE":
        calendar: holidays.HolidayBase = holidays.Sweden(
            years=year, include_sundays=False, categories=("public", "de_facto")
        )
    elif country == "CH":
        calendar = holidays.country_holidays("CH", subdiv=subdivision or "ZH", years=year)
    else:
        raise ValueError(f"No business-day calendar for country {country!r}; supported: SE, CH.")
    return frozenset(calendar.keys())


def holiday_name(day: dt.date, country: str = "SE", subdivision: str | None = None) -> str | None:
    """The holiday's name (English) or None."""
    if country == "SE":
        calendar: holidays.HolidayBase = holidays.Sweden(
            years=day.year, include_sundays=False, categories=("public", "de_facto")
        )
    elif country == "CH":
        calendar = holidays.country_holidays("CH", subdiv=subdivision or "ZH", years=day.year)
    else:
        raise ValueError(f"No business-day calendar for country {country!r}; supported: SE, CH.")
    return calendar.get(day)


def is_business_day(day: dt.date, country: str = "SE", subdivision: str | None = None) -> bool:
    return day.weekday() < 5 and day not in _holidays(country, subdivision, day.year)


def add_business_days(
    start: dt.date, days: int, country: str = "SE", subdivision: str | None = None
) -> dt.date:
    """The date ``days`` business days after ``start`` (before it when negative).

    ``start`` itself is not counted, so an order placed on Friday with 3 business days is due on Wednesday.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += dt.timedelta(days=step)
        if is_business_day(day, country, subdivision):
            remaining -= 1
    return day


def count_business_days(
    start: dt.date, end: dt.date, country: str = "SE", subdivision: str | None = None
) -> int:
    """Business days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
    if end < start:
        return -count_business_days(end, start, country, subdivision)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_business_day(day, country, subdivision):
            count += 1
    return count
