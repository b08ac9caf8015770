"""The list layer's plain numbers for CSV, month labels, page ranges and XLSX cell values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone, translation

from avrop.core import formatting, lists


def test_plain_numbers_never_use_exponent_or_grouping():
    assert formatting.plain_number(Decimal("2E+1"), language="sv") == "20"
    assert formatting.plain_number(Decimal("1234567.5"), places=2, language="sv") == "1234567,50"
    assert formatting.plain_number(Decimal("1234567.5"), places=2, language="en") == "1234567.50"
    assert formatting.plain_number(Decimal("0.125"), language="en") == "0.125"
    assert formatting.plain_number(None) == ""


def test_month_labels_follow_the_language():
    assert formatting.month(dt.date(2026, 5, 1), language="sv") == "maj 2026"
    assert formatting.month(dt.date(2026, 5, 1), language="en") == "May 2026"


def test_csv_delimiter_follows_the_decimal_sign():
    with translation.override("sv"):
        assert lists.csv_delimiter() == ";"
    with translation.override("en"):
        assert lists.csv_delimiter() == ","


def test_page_range_keeps_first_last_and_neighbours():
    assert lists._page_range(1, 1) == [1]
    assert lists._page_range(5, 10) == [1, 0, 3, 4, 5, 6, 7, 0, 10]
    assert lists._page_range(2, 4) == [1, 2, 3, 4]


def test_xlsx_values_are_numbers_and_local_times():
    assert lists.xlsx_value(Decimal("2E+1")) == 20.0
    moment = timezone.make_aware(dt.datetime(2026, 12, 7, 13, 5), dt.UTC)
    local = lists.xlsx_value(moment)
    assert local.tzinfo is None and local == timezone.localtime(moment).replace(tzinfo=None)
    assert lists.xlsx_value(dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    assert lists.xlsx_value("x") == "x" and lists.xlsx_value(None) is None
