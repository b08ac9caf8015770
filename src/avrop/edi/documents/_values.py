"""Leaf values of the typed model (identifiers, codes, amounts, quantities, files) and their XML form.

Each Python type a field may have maps to a :class:`Leaf`: how to read it from an element, how to write it,
which attributes it models, and how the writer would spell a source text (to keep non-canonical spellings
such as ``0`` for false or ``+0.10``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

__all__ = [
    "LEAVES",
    "NO_ATTRIBUTES",
    "Amount",
    "BinaryObject",
    "Code",
    "DocumentError",
    "Identifier",
    "Leaf",
    "Measure",
    "Quantity",
    "text_of",
]


class DocumentError(ValueError):
    """A document cannot be read into (or written from) the typed model.

    ``path`` is an XPath-like location (``cac:InvoiceLine[3]/cbc:InvoicedQuantity``) when known.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)

    def at(self, step: str) -> DocumentError:
        """The same error, located one level further up (``step`` is the element it happened in)."""
        return type(self)(self.message, path=f"{step}/{self.path}" if self.path else step)


# --- values ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier with its scheme (``cbc:EndpointID schemeID="0007"``)."""

    value: str
    scheme_id: str | None = None
    scheme_agency_id: str | None = None

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Code:
    """A code with the code list it comes from (``cbc:ItemClassificationCode listID="MP"``)."""

    value: str
    list_id: str | None = None
    list_agency_id: str | None = None
    list_version_id: str | None = None
    name: str | None = None

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Amount:
    """A monetary amount; UBL requires the ISO 4217 currency on every amount."""

    value: Decimal
    currency_id: str


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity with its UN/ECE Rec 20 unit (``unitCode="EA"``)."""

    value: Decimal
    unit_code: str | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure (weight, volume, lead time) with its UN/ECE Rec 20 unit."""

    value: Decimal
    unit_code: str | None = None


@dataclass(frozen=True, slots=True)
class BinaryObject:
    """An embedded file (``cbc:EmbeddedDocumentBinaryObject``), kept as the decoded bytes."""

    content: bytes
    mime_code: str
    filename: str | None = None

    def __repr__(self) -> str:
        # The content can be megabytes; show its size instead.
        size = len(self.content)
        return f"BinaryObject(<{size} bytes>, mime_code={self.mime_code!r}, filename={self.filename!r})"


# --- leaf readers and writers ------------------------------------------------------------------------

NO_ATTRIBUTES: frozenset[str] = frozenset()


def text_of(element: etree._Element) -> str:
    if len(element):  # only comments or processing instructions reach here (see parse_node)
        return "".join(str(text) for text in element.itertext())
    return element.text or ""


def _decimal(element: etree._Element) -> Decimal:
    text = text_of(element).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DocumentError(f"not a decimal number: {text!r}") from None
    if not value.is_finite():
        raise DocumentError(f"not a decimal number: {text!r}")
    return value


def _format_decimal(value: Decimal) -> str:
    if not isinstance(value, Decimal):
        # A float would write its binary approximation ("0.1" as 0.1000000000000000055…); money is Decimal.
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        else:
            raise DocumentError(f"expected a Decimal, not {type(value).__name__} {value!r}")
    # "f" never uses exponent notation, which xs:decimal does not allow.
    return format(value, "f")


def _read_str(element: etree._Element) -> str:
    return text_of(element)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _read_date(element: etree._Element) -> date:
    text = text_of(element).strip()
    try:
        # fromisoformat alone would also take ISO week dates and the basic format, which xs:date does not.
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise DocumentError(f"not a date (YYYY-MM-DD): {text!r}")


def _read_time(element: etree._Element) -> time:
    text = text_of(element).strip()
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise DocumentError(f"not a time (hh:mm:ss): {text!r}") from None


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _read_bool(element: etree._Element) -> bool:
    text = text_of(element).strip()
    try:
        return _BOOLEANS[text]
    except KeyError:
        raise DocumentError(f"not a boolean (true/false): {text!r}") from None


def _read_identifier(element: etree._Element) -> Identifier:
    return Identifier(text_of(element), element.get("schemeID"), element.get("schemeAgencyID"))


def _read_code(element: etree._Element) -> Code:
    get = element.get
    return Code(text_of(element), get("listID"), get("listAgencyID"), get("listVersionID"), get("name"))


def _read_amount(element: etree._Element) -> Amount:
    currency = element.get("currencyID")
    if currency is None:
        raise DocumentError("amount without currencyID")
    return Amount(_decimal(element), currency)


def _read_quantity(element: etree._Element) -> Quantity:
    return Quantity(_decimal(element), element.get("unitCode"))


def _read_measure(element: etree._Element) -> Measure:
    return Measure(_decimal(element), element.get("unitCode"))


def _read_binary(element: etree._Element) -> BinaryObject:
    mime_code = element.get("mimeCode")
    if mime_code is None:
        raise DocumentError("binary object without mimeCode")
    try:
        content = base64.b64decode(text_of(element), validate=False)
    except binascii.Error as exc:
        raise DocumentError(f"invalid base64 content: {exc}") from None
    return BinaryObject(content, mime_code, element.get("filename"))


def _set(element: etree._Element, name: str, value: str | None) -> None:
    if value is not None:
        element.set(name, value)


def _write_str(element: etree._Element, value: str) -> None:
    if value:
        element.text = value


def _write_decimal(element: etree._Element, value: Decimal) -> None:
    element.text = _format_decimal(value)


def _write_date(element: etree._Element, value: date) -> None:
    element.text = value.isoformat()


def _write_time(element: etree._Element, value: time) -> None:
    element.text = value.isoformat()


def _write_bool(element: etree._Element, value: bool) -> None:
    element.text = "true" if value else "false"


def _write_identifier(element: etree._Element, value: Identifier) -> None:
    _set(element, "schemeID", value.scheme_id)
    _set(element, "schemeAgencyID", value.scheme_agency_id)
    _write_str(element, value.value)


def _write_code(element: etree._Element, value: Code) -> None:
    _set(element, "listID", value.list_id)
    _set(element, "listAgencyID", value.list_agency_id)
    _set(element, "listVersionID", value.list_version_id)
    _set(element, "name", value.name)
    _write_str(element, value.value)


def _write_amount(element: etree._Element, value: Amount) -> None:
    element.set("currencyID", value.currency_id)
    element.text = _format_decimal(value.value)


def _write_quantity(element: etree._Element, value: Quantity | Measure) -> None:
    _set(element, "unitCode", value.unit_code)
    element.text = _format_decimal(value.value)


def _write_binary(element: etree._Element, value: BinaryObject) -> None:
    element.set("mimeCode", value.mime_code)
    _set(element, "filename", value.filename)
    element.text = base64.b64encode(value.content).decode("ascii")


def _normalize_decimal(text: str) -> str:
    return _format_decimal(Decimal(text.strip()))


def _normalize_bool(text: str) -> str:
    return "true" if _BOOLEANS[text.strip()] else "false"


def _normalize_date(text: str) -> str:
    return text.strip()


def _normalize_time(text: str) -> str:
    return time.fromisoformat(text.strip()).isoformat()


@dataclass(frozen=True, slots=True)
class Leaf:
    read: Callable[[etree._Element], Any]
    write: Callable[[etree._Element, Any], None]
    attributes: frozenset[str]
    # Text → the text the writer produces for the same value; None where text is kept as it is.
    normalize: Callable[[str], str] | None = None


LEAVES: dict[Any, Leaf] = {
    str: Leaf(_read_str, _write_str, NO_ATTRIBUTES),
    Decimal: Leaf(_decimal, _write_decimal, NO_ATTRIBUTES, _normalize_decimal),
    date: Leaf(_read_date, _write_date, NO_ATTRIBUTES, _normalize_date),
    time: Leaf(_read_time, _write_time, NO_ATTRIBUTES, _normalize_time),
    bool: Leaf(_read_bool, _write_bool, NO_ATTRIBUTES, _normalize_bool),
    Identifier: Leaf(_read_identifier, _write_identifier, frozenset({"schemeID", "schemeAgencyID"})),
    Code: Leaf(_read_code, _write_code, frozenset({"listID", "listAgencyID", "listVersionID", "name"})),
    Amount: Leaf(_read_amount, _write_amount, frozenset({"currencyID"}), _normalize_decimal),
    Quantity: Leaf(_read_quantity, _write_quantity, frozenset({"unitCode"}), _normalize_decimal),
    Measure: Leaf(_read_measure, _write_quantity, frozenset({"unitCode"}), _normalize_decimal),
    BinaryObject: Leaf(_read_binary, _write_binary, frozenset({"mimeCode", "filename"})),
}
