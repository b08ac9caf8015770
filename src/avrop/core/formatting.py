"""One formatting layer for what people read: amounts, quantities, percentages, dates and unit names.

Pages, e-mails, PDFs and messages all go through these functions (templates through the
``avrop_format`` filters), so a number never shows in exponent notation (``Decimal("2E+1")`` is 20),
amounts get the locale's separators and currency position, and dates follow the language: Swedish
``1 234,50 kr`` and ``2026-12-07``, English ``SEK 1,234.50`` and ``7 Dec 2026``. The patterns come
from Babel's CLDR data; the language is Django's active one unless given.

Values for form inputs (``input_number``) are plain, unlocalised numbers without exponent or
trailing zeros, because the forms parse them with ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, get_currency_symbol
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

# Django's language code → the Babel locale whose conventions the users expect. English pages follow
# British conventions (day before month, 24-hour clock), not the US ones.
_LOCALES = {"sv": "sv_SE", "en": "en_GB", "de": "de_DE"}
_DEFAULT = "sv_SE"
# CLDR writes ``SEK1,234.50`` for English; with a currency code rather than a symbol (€) people expect
# a space (CLDR's own "alphaNextToNumber" rule, which Babel does not apply).
_CURRENCY_PATTERNS = {"en_GB": "¤\u00a0#,##0.00;-¤\u00a0#,##0.00"}
_QUANTITY_PATTERN = "#,##0.###"
_PERCENT_PATTERN = "#,##0.##"

Number = Decimal | int | float | str


def _locale(language: str | None = None) -> str:
    code = (language or translation.get_language() or "sv").lower().replace("-", "_")
    return _LOCALES.get(code.split("_")[0], _DEFAULT)


def _decimal(value: Number | None) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"Not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"Not a finite number: {value!r}")
    return number


def money(value: Number | None, currency: str = "SEK", *, language: str | None = None) -> str:
    """``1 234,50 kr`` / ``SEK 1,234.50``: two decimals, thousands separators, the locale's currency place."""
    number = _decimal(value)
    if number is None:
        return ""
    locale = _locale(language)
    code = (currency or "SEK").upper()
    pattern = _CURRENCY_PATTERNS.get(locale) if get_currency_symbol(code, locale).isalpha() else None
    return format_currency(number, code, format=pattern, locale=locale)


def amount(value: Number | None, *, language: str | None = None) -> str:
    """An amount without currency (table columns whose heading names it): ``1 234,50`` / ``1,234.50``."""
    number = _decimal(value)
    if number is None:
        return ""
    return format_decimal(number, format="#,##0.00", locale=_locale(language))


def qty(value: Number | None, *, language: str | None = None) -> str:
    """A quantity without trailing zeros and never in exponent notation: ``20``, ``1,5``, ``1 200``."""
    number = _decimal(value)
    if number is None:
        return ""
    return format_decimal(number, format=_QUANTITY_PATTERN, locale=_locale(language))


def percent(value: Number | None, *, language: str | None = None) -> str:
    """A percentage given in percent (``100`` is 100 %): ``12,5 %`` / ``12.5%``."""
    number = _decimal(value)
    if number is None:
        return ""
    locale = _locale(language)
    text = format_decimal(number, format=_PERCENT_PATTERN, locale=locale)
    # Swedish writes a (non-breaking) space before the per cent sign, English does not.
    return f"{text}\u00a0%" if locale.startswith(("sv", "de")) else f"{text}%"


def input_number(value: Number | None) -> str:
    """A number for an ``<input>``: digits and a point, no exponent, no trailing zeros (``20``, ``2.5``)."""
    number = _decimal(value)
    if number is None:
        return ""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def day(value: dt.date | dt.datetime | None, *, language: str | None = None) -> str:
    """A date: ``2026-12-07`` in Swedish, ``7 Dec 2026`` in English."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    locale = _locale(language)
    return format_date(value, "short" if locale.startswith("sv") else "medium", locale=locale)


def moment(value: dt.datetime | None, *, language: str | None = None, seconds: bool = False) -> str:
    """A point in time in the site's time zone: ``2026-12-07 14:03`` / ``7 Dec 2026, 14:03``."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return day(value, language=language)
    local = _local(value)
    locale = _locale(language)
    time = format_time(local, "HH:mm:ss" if seconds else "HH:mm", locale=locale)
    separator = " " if locale.startswith("sv") else ", "
    return f"{day(local.date(), language=language)}{separator}{time}"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


# UN/ECE Recommendation 20 codes that buyers meet every day, by the name people use. Anything else is
# shown as its code, which suppliers and support recognise.
UNIT_NAMES = {
    "EA": pgettext_lazy("unit", "piece"),
    "C62": pgettext_lazy("unit", "piece"),
    "H87": pgettext_lazy("unit", "piece"),
    "XPK": pgettext_lazy("unit", "pack"),
    "PK": pgettext_lazy("unit", "pack"),
    "XBX": pgettext_lazy("unit", "box"),
    "XCT": pgettext_lazy("unit", "carton"),
    "XPA": pgettext_lazy("unit", "packet"),
    "XRO": pgettext_lazy("unit", "roll"),
    "XBO": pgettext_lazy("unit", "bottle"),
    "XPR": pgettext_lazy("unit", "pair"),
    "PR": pgettext_lazy("unit", "pair"),
    "SET": pgettext_lazy("unit", "set"),
    "LTR": pgettext_lazy("unit", "litre"),
    "MLT": pgettext_lazy("unit", "ml"),
    "KGM": pgettext_lazy("unit", "kg"),
    "GRM": pgettext_lazy("unit", "g"),
    "MTR": pgettext_lazy("unit", "metre"),
    "MTK": pgettext_lazy("unit", "m²"),
    "MTQ": pgettext_lazy("unit", "m³"),
    "HUR": pgettext_lazy("unit", "hour"),
    "MIN": pgettext_lazy("unit", "min"),
    "DAY": pgettext_lazy("unit", "day"),
    "WEE": pgettext_lazy("unit", "week"),
    "MON": pgettext_lazy("unit", "month"),
    "ANN": pgettext_lazy("unit", "year"),
    "KWH": pgettext_lazy("unit", "kWh"),
    "KMT": pgettext_lazy("unit", "km"),
    "LS": pgettext_lazy("unit", "lump sum"),
}


def unit_name(code: str | None) -> str:
    """The name of a UN/ECE Recommendation 20 unit in the active language (``EA`` → ``st``), else the code."""
    if not code:
        return ""
    name = UNIT_NAMES.get(code.strip().upper())
    return str(name) if name is not None else code


__all__ = [
    "UNIT_NAMES",
    "amount",
    "day",
    "input_number",
    "moment",
    "money",
    "percent",
    "qty",
    "unit_name",
]


def plain_number(value: Number | None, *, places: int | None = None, language: str | None = None) -> str:
    """A number for a CSV file: the locale's decimal sign, no thousands separator, never an exponent;
    ``places`` fixed (amounts: 2) or, without it, no trailing zeros: ``1234,50`` / ``1234.50``, ``20``."""
    number = _decimal(value)
    if number is None:
        return ""
    pattern = "0." + "0" * places if places else ("0" if places == 0 else "0.######")
    return format_decimal(number, format=pattern, locale=_locale(language))


def month(value: dt.date | None, *, language: str | None = None) -> str:
    """A month, short: ``dec. 2026`` / ``Dec 2026`` (chart labels, monthly tables)."""
    if value is None:
        return ""
    return format_date(value, "LLL yyyy", locale=_locale(language))
