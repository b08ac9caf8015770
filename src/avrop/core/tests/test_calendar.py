import datetime as dt

import pytest

from avrop.core.calendar import add_business_days, count_business_days, holiday_name, is_business_day


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 6, 19),  # midsummer eve (Friday)
        dt.date(2026, 12, 24),  # Christmas eve (Thursday)
        dt.date(2026, 12, 25),
        dt.date(2026, 12, 31),  # New Year's eve
        dt.date(2026, 1, 6),  # Epiphany
        dt.date(2026, 4, 3),  # Good Friday
        dt.date(2026, 5, 14),  # Ascension Day
        dt.date(2026, 6, 6),  # National Day (a Saturday, still not a business day)
    ],
)
def test_swedish_holidays_are_not_business_days(day):
    assert not is_business_day(day, "SE")
    assert holiday_name(day, "SE")


def test_ordinary_weekdays_are_business_days():
    assert is_business_day(dt.date(2026, 6, 18), "SE")  # Thursday before midsummer eve
    assert is_business_day(dt.date(2026, 11, 23), "SE")
    assert not is_business_day(dt.date(2026, 11, 22), "SE")  # Sunday


def test_three_business_days_over_midsummer():
    # Thursday 18 June + 3 business days: Fri 19 (midsummer eve) and the weekend do not count.
    assert add_business_days(dt.date(2026, 6, 18), 3, "SE") == dt.date(2026, 6, 24)


def test_three_business_days_over_christmas():
    # Wednesday 23 Dec 2026: 24, 25, 26, 27 are off; Mon 28, Tue 29, Wed 30.
    assert add_business_days(dt.date(2026, 12, 23), 3, "SE") == dt.date(2026, 12, 30)
    # The fourth business day skips New Year's eve and New Year's day.
    assert add_business_days(dt.date(2026, 12, 23), 4, "SE") == dt.date(2027, 1, 4)


def test_negative_and_counting_are_inverse():
    start = dt.date(2026, 12, 20)
    for days in range(0, 15):
        end = add_business_days(start, days, "SE")
        assert count_business_days(start, end, "SE") == days
        assert add_business_days(end, -days, "SE") <= start
    assert count_business_days(dt.date(2026, 6, 24), dt.date(2026, 6, 18), "SE") == -3


def test_switzerland_differs_from_sweden():
    national_day = dt.date(2026, 8, 1)  # Saturday in 2026; use Stephen's day and Midsummer instead
    assert holiday_name(national_day, "CH")
    assert is_business_day(dt.date(2026, 6, 19), "CH")  # midsummer eve is Swedish only
    assert not is_business_day(dt.date(2026, 12, 26), "CH")
    assert add_business_days(dt.date(2026, 5, 22), 1, "CH") == dt.date(2026, 5, 26)  # Whit Monday off in ZH


def test_unknown_country_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="supported: SE, CH"):
        is_business_day(dt.date(2026, 1, 2), "NO")
