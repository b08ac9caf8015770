"""The formatting layer: Swedish and English amounts, quantities, percentages, dates and unit names, never in
exponent notation; the audit trail's actions in words."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from avrop.core import formatting

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("sv", Decimal("1234.5"), f"1{NBSP}234,50{NBSP}kr"),
        ("en", Decimal("1234.5"), f"SEK{NBSP}1,234.50"),
        ("sv", Decimal("419259.66"), f"419{NBSP}259,66{NBSP}kr"),
        ("en", Decimal("1234567890.126"), f"SEK{NBSP}1,234,567,890.13"),
        ("sv", Decimal("0"), f"0,00{NBSP}kr"),
        ("en", Decimal("0"), f"SEK{NBSP}0.00"),
        ("sv", Decimal("2E+1"), f"20,00{NBSP}kr"),
        ("en", Decimal("1E+2"), f"SEK{NBSP}100.00"),
    ],
)
def test_money(language, value, expected):
    assert formatting.money(value, "SEK", language=language) == expected


def test_negative_money_keeps_its_sign_in_both_languages():
    sv = formatting.money(Decimal("-50000"), "SEK", language="sv")
    en = formatting.money(Decimal("-50000"), "SEK", language="en")
    assert sv.replace("\u2212", "-") == f"-50{NBSP}000,00{NBSP}kr"
    assert en == f"-SEK{NBSP}50,000.00"


def test_money_in_another_currency_names_it():
    assert formatting.money(Decimal("12.5"), "EUR", language="sv") == f"12,50{NBSP}€"
    assert formatting.money(Decimal("12.5"), "eur", language="en") == "€12.50"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("sv", Decimal("2E+1"), "20"),
        ("en", Decimal("2E+1"), "20"),
        ("sv", Decimal("20.000"), "20"),
        ("sv", Decimal("1.500"), "1,5"),
        ("en", Decimal("1.500"), "1.5"),
        ("sv", Decimal("1200"), f"1{NBSP}200"),
        ("en", Decimal("1234567.125"), "1,234,567.125"),
        ("sv", Decimal("-3"), "-3"),
        ("en", Decimal("-3"), "-3"),
        ("sv", Decimal("0"), "0"),
        ("en", Decimal("0.000"), "0"),
    ],
)
def test_quantities_have_no_trailing_zeros_and_no_exponent(language, value, expected):
    assert formatting.qty(value, language=language) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("sv", Decimal("1E+2"), f"100{NBSP}%"),
        ("en", Decimal("1E+2"), "100%"),
        ("sv", Decimal("8E+1"), f"80{NBSP}%"),
        ("sv", Decimal("33.3333"), f"33,33{NBSP}%"),
        ("en", Decimal("12.50"), "12.5%"),
        ("sv", Decimal("0"), f"0{NBSP}%"),
    ],
)
def test_percent(language, value, expected):
    assert formatting.percent(value, language=language) == expected


def test_input_numbers_are_plain_for_the_forms_that_parse_them():
    assert formatting.input_number(Decimal("2E+1")) == "20"
    assert formatting.input_number(Decimal("1E+2")) == "100"
    assert formatting.input_number(Decimal("1.500")) == "1.5"
    assert formatting.input_number(Decimal("-0.000")) == "0"
    assert formatting.input_number(Decimal("1234567.25")) == "1234567.25"
    assert formatting.input_number(None) == ""


def test_dates_follow_the_language():
    day = dt.date(2026, 12, 7)
    assert formatting.day(day, language="sv") == "2026-12-07"
    assert formatting.day(day, language="en") == "7 Dec 2026"


def test_times_are_shown_in_the_site_time_zone():
    utc = dt.datetime(2026, 12, 7, 13, 3, 9, tzinfo=ZoneInfo("UTC"))  # 14:03 in Stockholm
    assert formatting.moment(utc, language="sv") == "2026-12-07 14:03"
    assert formatting.moment(utc, language="en") == "7 Dec 2026, 14:03"
    assert formatting.moment(utc, language="sv", seconds=True) == "2026-12-07 14:03:09"


def test_the_active_language_is_used_when_none_is_given():
    with translation.override("en"):
        assert formatting.money(Decimal("1234.5")) == f"SEK{NBSP}1,234.50"
    with translation.override("sv"):
        assert formatting.money(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}kr"


def test_empty_values_are_empty_and_bad_ones_are_refused_by_name():
    assert formatting.money(None) == formatting.qty("") == formatting.day(None) == ""
    with pytest.raises(ValueError, match="Not a number: 'abc'"):
        formatting.qty("abc")
    with pytest.raises(ValueError, match="Not a finite number"):
        formatting.amount(Decimal("NaN"))


def test_unit_names_in_swedish_and_english_and_unknown_codes_as_they_are():
    with translation.override("sv"):
        assert [formatting.unit_name(c) for c in ("EA", "XPK", "LTR", "HUR", "ZZZ")] == [
            "st",
            "förp",
            "liter",
            "timme",
            "ZZZ",
        ]
    with translation.override("en"):
        assert [formatting.unit_name(c) for c in ("EA", "XPK", "LTR", "HUR")] == [
            "piece",
            "pack",
            "litre",
            "hour",
        ]


def test_template_filters_are_there_without_loading():
    template = Template(
        "{{ q|qty }} {{ u|unit_name }} · {{ a|money:'SEK' }} · {{ p|percent }} · {{ d|day }} · {{ bad|qty }}"
    )
    context = Context(
        {
            "q": Decimal("2E+1"),
            "u": "EA",
            "a": Decimal("1234.5"),
            "p": Decimal("1E+2"),
            "d": dt.date(2026, 12, 7),
            "bad": "x",
        }
    )
    with translation.override("sv"):
        assert template.render(context) == f"20 st · 1{NBSP}234,50{NBSP}kr · 100{NBSP}% · 2026-12-07 · x"
    with translation.override("en"):
        assert template.render(context) == f"20 piece · SEK{NBSP}1,234.50 · 100% · 7 Dec 2026 · x"
