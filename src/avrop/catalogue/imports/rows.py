"""Check and normalise one price-list row, whatever format it came in.

A row becomes a tuple of text values in ``VALUE_COLUMNS`` order (numbers as canonical decimal text), so that
the same row always hashes the same and can be written to the database without further conversion. Problems
are returned as findings naming the row and the column; a row with an error is not imported.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import cast

from django.utils.translation import gettext as _

from avrop.catalogue.imports.fields import FIELD_BY_KEY

VALUE_COLUMNS = (
    "article_number",
    "gtin",
    "name",
    "description",
    "brand",
    "category_scheme",
    "category_code",
    "own_category",
    "unit",
    "pack_size",
    "price_amount",
    "currency",
    "price_quantity",
    "price_tiers",
    "vat_rate",
    "lead_time_days",
    "image_urls",
    "keywords",
    "eco_labels",
)
(
    ARTICLE,
    GTIN,
    NAME,
    DESCRIPTION,
    BRAND,
    SCHEME,
    CODE,
    OWN_CATEGORY,
    UNIT,
    PACK,
    PRICE,
    CURRENCY,
    PRICE_QTY,
) = range(13)
TIERS, VAT, LEAD, IMAGES, KEYWORDS, ECO = range(13, 19)

LIMITS = {
    "article_number": 60,
    "name": 300,
    "brand": 120,
    "own_category": 120,
    "keywords": 500,
    "eco_labels": 200,
    "unspsc": 40,
    "eclass": 40,
}
_LIMIT_ITEMS = tuple(LIMITS.items())
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class Finding:
    line: int
    column: str
    code: str
    message: str
    article_number: str = ""
    severity: str = "error"


@lru_cache(maxsize=1)
def rec20_units() -> frozenset[str]:
    """UN/ECE Recommendation 20 (with Rec 21 codes prefixed X), from the official Peppol code-list file."""
    from avrop.edi import codelists

    return frozenset(codelists.load("UNECERec20-11e", family="poacc"))


def parse_decimal(value: object) -> Decimal:
    """Read 12,50 / 12.50 / 1 234,50 / 1,234.50; raise ValueError for anything else."""
    if type(value) is str:
        return _parse_text(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return _parse_text(str(value))


def _parse_text(value: str) -> Decimal:
    text = value
    if " " in text or "\u00a0" in text or "\u202f" in text:
        text = _SPACES.sub("", text)
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def canonical(number: Decimal) -> str:
    """Decimal text without exponent or superfluous zeros: 12.50 → 12.5, 1E+2 → 100."""
    text = format(number.normalize(), "f")
    return text


def _text(value: object) -> str:
    if value is None:
        return ""
    if value.__class__ is float:
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def gtin_check_ok(gtin: str) -> bool:
    """The GS1 mod-10 check digit, as ``stdnum.ean`` computes it (a test compares the two); inlined because
    it runs for every row of a million-row price list."""
    body = gtin[-2::-1]
    total = 3 * sum(map(int, body[0::2])) + sum(map(int, body[1::2]))
    return str((10 - total % 10) % 10) == gtin[-1]


def content_hash(values: tuple) -> int:
    joined = "\x1f".join([v if v.__class__ is str else "" if v is None else str(v) for v in values])
    return int.from_bytes(hashlib.blake2b(joined.encode(), digest_size=8).digest(), "big", signed=True)


class RowChecker:
    """Normalises rows given as ``{field: raw value}``; keeps no state between rows except settings."""

    def __init__(self, *, default_currency: str = "SEK", columns: dict[str, str] | None = None) -> None:
        self.units = rec20_units()
        self.default_currency = default_currency
        # The header the file used for each field, so that findings name the supplier's own column.
        self.columns = {key: (columns or {}).get(key) or FIELD_BY_KEY[key].header for key in FIELD_BY_KEY}

    def _finding(self, line: int, key: str, code: str, message: str, article: str) -> Finding:
        return Finding(line, self.columns.get(key, key), code, message, article)

    def check(
        self, line: int, raw: dict[str, object], *, stripped_text: bool = False
    ) -> tuple[tuple | None, list[Finding]]:
        """Normalise one row; ``stripped_text``: every value is already a stripped ``str``."""
        findings: list[Finding] = []
        # Text of every cell once; CSV cells are already str, spreadsheet cells may be numbers.
        t: dict[str, str] = (
            cast("dict[str, str]", raw)
            if stripped_text
            else {k: (v.strip() if type(v) is str else _text(v)) for k, v in raw.items()}
        )
        get = t.get
        article = get("article_number", "")
        if not article:
            findings.append(
                self._finding(
                    line, "article_number", "missing_article_number", _("The article number is missing."), ""
                )
            )
        name = " ".join(get("name", "").split())
        if not name:
            findings.append(self._finding(line, "name", "missing_name", _("The name is missing."), article))
        for key, limit in _LIMIT_ITEMS:
            value = get(key)
            if value and len(value) > limit:
                findings.append(
                    self._finding(
                        line,
                        key,
                        "too_long",
                        _("%(value)s… is longer than %(limit)s characters.")
                        % {"value": value[:20], "limit": limit},
                        article,
                    )
                )

        gtin = get("gtin", "")
        if gtin:
            gtin = gtin.replace(" ", "")
            if not (gtin.isdigit() and len(gtin) in (8, 12, 13, 14) and gtin_check_ok(gtin)):
                findings.append(
                    self._finding(
                        line,
                        "gtin",
                        "invalid_gtin",
                        _("GTIN %(gtin)s has a wrong check digit or length.") % {"gtin": gtin[:20]},
                        article,
                    )
                )

        unit = get("unit", "").upper()
        if not unit:
            findings.append(self._finding(line, "unit", "missing_unit", _("The unit is missing."), article))
        elif unit not in self.units:
            findings.append(
                self._finding(
                    line,
                    "unit",
                    "unknown_unit",
                    _("Unit %(unit)s is not a UN/ECE Recommendation 20 code (e.g. EA, H87, XPK, KGM).")
                    % {"unit": unit[:10]},
                    article,
                )
            )

        price_text = get("price", "")
        price = None
        if not price_text:
            findings.append(
                self._finding(line, "price", "missing_price", _("The price is missing."), article)
            )
        else:
            try:
                raw_price = raw["price"]
                price = parse_decimal(price_text if raw_price.__class__ is str else raw_price)
            except ValueError:
                findings.append(
                    self._finding(
                        line,
                        "price",
                        "invalid_price",
                        _("%(value)s is not a price.") % {"value": price_text[:20]},
                        article,
                    )
                )
            else:
                if price < 0:
                    findings.append(
                        self._finding(line, "price", "negative_price", _("The price is negative."), article)
                    )

        pack = price_qty = vat = lead = None
        if get("pack_size"):
            pack = self._optional_decimal(
                line, "pack_size", raw["pack_size"], findings, article, positive=True
            )
        if get("price_quantity"):
            price_qty = self._optional_decimal(
                line, "price_quantity", raw["price_quantity"], findings, article, positive=True
            )
        if get("vat_rate"):
            vat = self._optional_decimal(line, "vat_rate", raw["vat_rate"], findings, article)
            if vat is not None and not (0 <= vat <= 100):
                findings.append(
                    self._finding(line, "vat_rate", "invalid_vat", _("The VAT rate must be 0–100."), article)
                )
        if get("lead_time_days"):
            lead = self._optional_decimal(line, "lead_time_days", raw["lead_time_days"], findings, article)
            if lead is not None and (lead < 0 or lead != lead.to_integral_value()):
                findings.append(
                    self._finding(
                        line,
                        "lead_time_days",
                        "invalid_lead_time",
                        _("The lead time must be whole days."),
                        article,
                    )
                )
        currency = get("currency", "").upper() or self.default_currency
        if currency != "SEK" and not _CURRENCY.match(currency):
            findings.append(
                self._finding(
                    line,
                    "currency",
                    "invalid_currency",
                    _("%(value)s is not an ISO 4217 currency code.") % {"value": currency[:10]},
                    article,
                )
            )
        tiers = self._tiers(line, get("price_tiers", ""), findings, article) if get("price_tiers") else []

        scheme, code = "", ""
        unspsc = get("unspsc", "")
        if unspsc:
            scheme, code = "unspsc", unspsc.replace(" ", "")
            if not code.isdigit() or len(code) > 8:
                findings.append(
                    self._finding(
                        line,
                        "unspsc",
                        "invalid_unspsc",
                        _("UNSPSC %(code)s is not a code of up to 8 digits.") % {"code": code[:20]},
                        article,
                    )
                )
        elif get("eclass"):
            scheme, code = "eclass", get("eclass", "").replace("-", "")[:40]
        if findings:
            return None, findings

        images = get("image_urls", "")
        image_list = (
            [u for u in images.replace("|", " ").split() if u.startswith(("https://", "http://"))]
            if images
            else []
        )
        eco = get("eco_labels", "")
        values = (
            article,
            gtin,
            name,
            get("description", ""),
            get("brand", ""),
            scheme,
            code,
            get("own_category", ""),
            unit,
            canonical(pack) if pack is not None else None,
            canonical(price),  # type: ignore[arg-type]
            currency,
            canonical(price_qty) if price_qty is not None else "1",
            json.dumps(tiers) if tiers else "[]",
            canonical(vat) if vat is not None else None,
            int(lead) if lead is not None else None,
            json.dumps(image_list) if image_list else "[]",
            get("keywords", ""),
            ",".join(x.strip().upper() for x in eco.replace(";", ",").split(",") if x.strip()) if eco else "",
        )
        return values, findings

    def _optional_decimal(
        self,
        line: int,
        key: str,
        value: object,
        findings: list[Finding],
        article: str,
        *,
        positive: bool = False,
    ) -> Decimal | None:
        if value is None or _text(value) == "":
            return None
        try:
            number = parse_decimal(value)
        except ValueError:
            findings.append(
                self._finding(
                    line,
                    key,
                    f"invalid_{key}",
                    _("%(value)s is not a number.") % {"value": _text(value)[:20]},
                    article,
                )
            )
            return None
        if positive and number <= 0:
            findings.append(
                self._finding(line, key, f"invalid_{key}", _("The number must be above zero."), article)
            )
            return None
        return number

    def _tiers(self, line: int, value: object, findings: list[Finding], article: str) -> list[dict[str, str]]:
        text = _text(value)
        if not text:
            return []
        tiers = []
        for part in text.split(";"):
            if not part.strip():
                continue
            quantity, sep, amount = part.partition(":")
            try:
                if not sep:
                    raise ValueError(part)
                q, a = parse_decimal(quantity), parse_decimal(amount)
                if q <= 0 or a < 0:
                    raise ValueError(part)
            except ValueError:
                findings.append(
                    self._finding(
                        line,
                        "price_tiers",
                        "invalid_price_tiers",
                        _("%(value)s is not a price tier; write quantity:price, e.g. 10:95,50.")
                        % {"value": part[:30]},
                        article,
                    )
                )
                return []
            tiers.append({"min_quantity": canonical(q), "price": canonical(a)})
        return sorted(tiers, key=lambda t: Decimal(t["min_quantity"]))
