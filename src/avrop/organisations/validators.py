"""Field validators for identifiers, with messages that name the check that failed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.ch import uid as ch_uid
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr as se_orgnr

from avrop.edi.identifiers import IdentifierError, parse_participant_id


def _reason(exc: StdnumError) -> str:
    if isinstance(exc, InvalidChecksum):
        return _("the check digit is wrong")
    if isinstance(exc, InvalidLength):
        return _("the number has the wrong length")
    if isinstance(exc, InvalidFormat):
        return _("the number has the wrong format")
    return str(exc)


def normalise_org_number(value: str, country: str) -> str:
    """Validate and format an organisation number (SE: NNNNNN-NNNN, CH: CHE-NNN.NNN.NNN)."""
    try:
        if country == "SE":
            return se_orgnr.format(se_orgnr.validate(value))
        if country == "CH":
            return ch_uid.format(ch_uid.validate(value))
    except StdnumError as exc:
        raise ValidationError(
            _("Organisation number %(value)s is not valid: %(reason)s (Luhn/UID check).")
            % {"value": value, "reason": _reason(exc)},
            code="org_number",
        ) from None
    return value.strip()


def normalise_vat_number(value: str) -> str:
    """Validate an EU or Swiss VAT number (country prefix required, e.g. SE556677889901)."""
    compact = value.replace(" ", "").upper()
    try:
        if compact.startswith("CHE"):
            return ch_vat.compact(ch_vat.validate(compact))
        return eu_vat.compact(eu_vat.validate(compact))
    except StdnumError as exc:
        raise ValidationError(
            _("VAT number %(value)s is not valid: %(reason)s.") % {"value": value, "reason": _reason(exc)},
            code="vat_number",
        ) from None


def normalise_gln(value: str) -> str:
    """Validate a 13-digit Global Location Number (GS1 mod-10 check digit)."""
    compact = value.replace(" ", "")
    try:
        if len(compact) != 13:
            raise InvalidLength()
        return ean.validate(compact)
    except StdnumError as exc:
        raise ValidationError(
            _("GLN %(value)s is not valid: %(reason)s (GS1 check digit, 13 digits).")
            % {"value": value, "reason": _reason(exc)},
            code="gln",
        ) from None


def validate_peppol_id(value: str) -> str:
    """Validate a Peppol participant id ``scheme:value``: an EAS scheme and the value's own check digits."""
    try:
        return str(parse_participant_id(value))
    except IdentifierError as exc:
        raise ValidationError(
            _("Peppol id %(value)s is not valid: %(reason)s") % {"value": value, "reason": exc.message},
            code="peppol_id",
        ) from None
