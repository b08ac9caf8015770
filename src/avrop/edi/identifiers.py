"""Peppol participant identifiers and the organisation numbers inside them.

A Peppol participant identifier is ``<scheme>:<value>``, for example ``0007:5567321707`` (Swedish
organisation number), ``0088:7300010000001`` (GLN) or ``0192:987654325`` (Norwegian organisation
number); the full URI form ``iso6523-actorid-upis::0007:5567321707`` is accepted too. The scheme is an
Electronic Address Scheme (EAS) code; party identifiers and legal registration ids use the ISO 6523 ICD
codes. Both lists are read from the official code-list files (:mod:`avrop.edi.codelists`).

Values are checked with python-stdnum where a check exists for the scheme (check digits, lengths,
formats). Every failure raises :class:`IdentifierError` whose ``check`` says which check failed
(``syntax``, ``scheme``, ``format``, ``length``, ``checksum``, ``component``) and whose message says it
in words, naming the scheme.

Formats follow the Peppol rules where they are stricter than stdnum: ``0007`` is exactly 10 digits
without a hyphen (PEPPOL-COMMON-R049), ``0184`` is ``DK`` + 8 digits (R042), ``0208`` is 10 digits
(R043). A GLN (``0088``) must be a 13-digit GTIN-13 with a valid GS1 check digit; the Peppol rule
PEPPOL-COMMON-R040 only checks the check digit, so it also accepts other lengths.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Literal, Protocol

from stdnum import ean, get_cc_module
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from avrop.edi import codelists

__all__ = [
    "SCHEMES",
    "IdentifierError",
    "ParticipantId",
    "Scheme",
    "check_participant_id",
    "gln_check_digit",
    "is_valid_gln",
    "parse_participant_id",
    "validate_identifier",
]

Check = Literal["syntax", "scheme", "format", "length", "checksum", "component"]

PARTICIPANT_URI_PREFIX = "iso6523-actorid-upis::"
MAX_VALUE_LENGTH = 50
"""Peppol Policy for use of Identifiers: a participant identifier value has at most 50 characters."""


class IdentifierError(ValueError):
    """An identifier failed a check. ``check`` names which one; the message says it in words."""

    def __init__(self, check: Check, message: str) -> None:
        self.check = check
        self.message = message
        super().__init__(message)


class _Validator(Protocol):
    """A python-stdnum module, or anything with the same ``validate``."""

    def validate(self, number: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Scheme:
    """How values of one scheme are checked: a format (regular expression) and/or a stdnum module."""

    code: str
    what: str
    pattern: str | None = None
    module: _Validator | None = None
    prefix: str | None = None  # country prefix of VAT numbers that may precede the national number

    def validate(self, value: str) -> str:
        """Return the value unchanged if it passes, else raise :class:`IdentifierError`."""
        shown = f"{self.code}:{value}"
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise IdentifierError(
                "format",
                f"{shown} is not a valid {self.what}: the value must match {self.pattern} "
                f"(the format Peppol requires for scheme {self.code}).",
            )
        if self.module is None:
            return value
        number = value
        if self.prefix and not number.upper().startswith(self.prefix) and re.match(r"^[A-Za-z]{2}", number):
            raise IdentifierError(
                "format",
                f"{shown} is not a valid {self.what}: it starts with {number[:2]!r}, not the country "
                f"prefix {self.prefix!r}.",
            )
        try:
            self.module.validate(number)
        except InvalidChecksum:
            raise IdentifierError(
                "checksum", f"{shown} is not a valid {self.what}: the check digit is wrong."
            ) from None
        except InvalidLength:
            raise IdentifierError(
                "length", f"{shown} is not a valid {self.what}: it has the wrong number of characters."
            ) from None
        except InvalidFormat:
            raise IdentifierError(
                "format", f"{shown} is not a valid {self.what}: it contains characters that are not allowed."
            ) from None
        except InvalidComponent:
            raise IdentifierError(
                "component",
                f"{shown} is not a valid {self.what}: a part of it (such as a country or register code) "
                "is not valid.",
            ) from None
        except ValidationError as exc:
            raise IdentifierError("format", f"{shown} is not a valid {self.what}: {exc}.") from None
        return value


def _module(dotted: str) -> _Validator:
    module: _Validator = importlib.import_module(f"stdnum.{dotted}")
    return module


def _vat(code: str, country: str, module_cc: str | None = None, prefix: str | None = None) -> Scheme:
    module: _Validator | None = get_cc_module(module_cc or country.lower(), "vat")
    if module is None:
        raise LookupError(f"python-stdnum has no VAT module for {country}")
    return Scheme(code, f"{country} VAT number", module=module, prefix=prefix or country)


class _GlnModule:
    """GLN (GTIN-13) check via stdnum.ean, which on its own also accepts 8, 12 and 14 digits."""

    def validate(self, number: str) -> str:
        if len(number) != 13:
            raise InvalidLength()
        return str(ean.validate(number))


SCHEMES: dict[str, Scheme] = {
    s.code: s
    for s in (
        Scheme("0002", "French SIREN number", r"\d{9}", _module("fr.siren")),
        Scheme("0007", "Swedish organisation number", r"\d{10}", _module("se.orgnr")),
        Scheme("0009", "French SIRET number", r"\d{14}", _module("fr.siret")),
        Scheme("0037", "Finnish business id (Y-tunnus)", r"\d{7}-?\d", _module("fi.ytunnus")),
        Scheme("0060", "DUNS number", r"\d{9}"),
        Scheme("0088", "GLN (GS1 Global Location Number)", r"\d{13}", _GlnModule()),
        Scheme("0096", "Danish P number", r"\d{10}"),
        Scheme("0106", "Dutch Chamber of Commerce (KvK) number", r"\d{8}"),
        Scheme("0151", "Australian Business Number", r"\d{11}", _module("au.abn")),
        Scheme("0183", "Swiss enterprise id (UID)", None, _module("ch.uid")),
        Scheme("0184", "Danish CVR number", r"DK\d{8}", _module("dk.cvr"), prefix="DK"),
        Scheme("0190", "Dutch OIN", r"\d{20}"),
        Scheme("0192", "Norwegian organisation number", r"\d{9}", _module("no.orgnr")),
        Scheme("0195", "Singapore UEN", None, _module("sg.uen")),
        Scheme("0196", "Icelandic kennitala", r"\d{10}", _module("is_.kennitala")),
        Scheme("0199", "Legal Entity Identifier (LEI)", r"[0-9A-Z]{20}", _module("lei")),
        Scheme("0204", "German Leitweg-ID", None, _module("de.leitweg")),
        Scheme("0208", "Belgian enterprise number", r"\d{10}", _module("be.vat")),
        Scheme("0210", "Italian codice fiscale", None, _module("it.codicefiscale")),
        Scheme("0211", "Italian partita IVA", r"(IT)?\d{11}", _module("it.iva"), prefix="IT"),
        Scheme("0213", "Finnish VAT number", None, _module("fi.alv"), prefix="FI"),
        _vat("9910", "HU"),
        _vat("9914", "AT"),
        _vat("9920", "ES"),
        _vat("9922", "AD"),
        _vat("9923", "AL"),
        _vat("9925", "BE"),
        _vat("9926", "BG"),
        _vat("9927", "CH", prefix="CHE"),
        _vat("9928", "CY"),
        _vat("9929", "CZ"),
        _vat("9930", "DE"),
        _vat("9931", "EE"),
        _vat("9932", "GB"),
        _vat("9933", "GR", prefix="EL"),
        _vat("9934", "HR"),
        _vat("9935", "IE"),
        _vat("9937", "LT"),
        _vat("9938", "LU"),
        _vat("9939", "LV"),
        _vat("9940", "MC", prefix="FR"),
        _vat("9941", "ME"),
        _vat("9942", "MK"),
        _vat("9943", "MT"),
        _vat("9944", "NL"),
        _vat("9945", "PL"),
        _vat("9946", "PT"),
        _vat("9947", "RO"),
        _vat("9948", "RS"),
        _vat("9949", "SI"),
        _vat("9950", "SK"),
        _vat("9951", "SM"),
        _vat("9952", "TR"),
        # 9955 (Swedish VAT) is no longer in the EAS list; kept so that old identifiers can be checked.
        Scheme("9955", "Swedish VAT number", r"SE\d{12}", _module("se.vat"), prefix="SE"),
        _vat("9957", "FR"),
        Scheme("9959", "US Employer Identification Number", r"\d{2}-?\d{7}", _module("us.ein")),
    )
}


@dataclass(frozen=True, slots=True)
class ParticipantId:
    """A checked participant identifier. ``check`` names the value check applied (None: format only)."""

    scheme: str
    value: str
    scheme_name: str | None = None
    check: str | None = None

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"

    @property
    def uri(self) -> str:
        """The form used in Peppol SMP/SML lookups and AS4 headers."""
        return f"{PARTICIPANT_URI_PREFIX}{self}"

    @property
    def in_eas(self) -> bool:
        """True if the scheme is in the current EAS list, i.e. usable as a Peppol ``EndpointID``."""
        return self.scheme in codelists.eas()


def validate_identifier(scheme: str, value: str) -> str | None:
    """Check ``value`` against the rules of ``scheme``; return what was checked, or raise.

    Returns the name of the check applied (``"Swedish organisation number"``), or ``None`` when no
    value check is known for the scheme (the value is then accepted as it is).
    """
    rule = SCHEMES.get(scheme)
    if rule is None:
        return None
    rule.validate(value)
    return rule.what


_SCHEME = re.compile(r"\d{4}")


def parse_participant_id(text: str, *, require_eas: bool = True) -> ParticipantId:
    """Parse and check ``scheme:value``; raise :class:`IdentifierError` naming the failed check.

    With ``require_eas`` (the default) the scheme must be in the current EAS code list, as Peppol
    requires for ``EndpointID`` and participant lookups. Without it, ICD codes and retired schemes
    such as 9955 are accepted too, as long as their value passes its check.
    """
    raw = text.strip()
    if raw.lower().startswith(PARTICIPANT_URI_PREFIX):
        raw = raw[len(PARTICIPANT_URI_PREFIX) :]
    scheme, sep, value = raw.partition(":")
    scheme, value = scheme.strip(), value.strip()
    if not sep or not value:
        raise IdentifierError(
            "syntax",
            f"{text!r} is not a participant identifier: expected 'scheme:value', e.g. '0007:5567321707'.",
        )
    if not _SCHEME.fullmatch(scheme):
        raise IdentifierError(
            "syntax",
            f"{text!r} is not a participant identifier: the scheme {scheme!r} is not a 4-digit code.",
        )
    if len(value) > MAX_VALUE_LENGTH:
        raise IdentifierError(
            "length",
            f"{scheme}:{value[:20]}… is too long: a participant identifier value has at most "
            f"{MAX_VALUE_LENGTH} characters.",
        )
    eas = codelists.eas()
    name = eas.name_of(scheme)
    if name is None:
        icd_name = codelists.icd().name_of(scheme)
        retired = SCHEMES[scheme].what if scheme in SCHEMES else None
        if icd_name is not None:
            hint, name = f" (ISO 6523 ICD {icd_name!r}, not an electronic address scheme)", icd_name
        elif retired is not None:
            hint, name = f" ({retired}; no longer an electronic address scheme)", retired
        else:
            hint = ""
        if require_eas or name is None:
            raise IdentifierError(
                "scheme",
                f"{scheme}:{value} uses scheme {scheme}{hint}, which is not in the Peppol EAS code list "
                f"({eas.title}, {len(eas)} codes).",
            )
    return ParticipantId(scheme, value, name, validate_identifier(scheme, value))


def check_participant_id(text: str, *, require_eas: bool = True) -> str | None:
    """``None`` when ``text`` is a valid participant identifier, else the reason (for forms and imports)."""
    try:
        parse_participant_id(text, require_eas=require_eas)
    except IdentifierError as exc:
        return exc.message
    return None


def gln_check_digit(first_12_digits: str) -> str:
    """The GS1 check digit that completes a 12-digit GLN stem (weights 3 and 1 from the right)."""
    if not re.fullmatch(r"\d{12}", first_12_digits):
        raise IdentifierError(
            "format", f"{first_12_digits!r} is not 12 digits, so no GLN check digit applies."
        )
    return str(ean.calc_check_digit(first_12_digits))


def is_valid_gln(value: str) -> bool:
    """True for a 13-digit GLN whose last digit is its GS1 check digit."""
    return bool(re.fullmatch(r"\d{13}", value)) and gln_check_digit(value[:12]) == value[12]
