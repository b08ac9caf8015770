"""Field validators for identifiers, with messages that name the check that failed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.ch import uid as ch_uid
from stdnum.ch import vat as ch_vat
from stdnum.dk import cvr as dk_cvr
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import ytunnus as fi_ytunnus
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr
from stdnum.se import vat as se_vat


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


# Peppol participant id schemes (ISO 6523 ICD / EAS codes) whose value has a check the stdnum library knows.
_PARTICIPANT_CHECKS = {
    "0007": ("Swedish organisation number", se_orgnr),
    "0088": ("GLN", ean),
    "9955": ("Swedish VAT number", se_vat),
    "0192": ("Norwegian organisation number", no_orgnr),
    "0184": ("Danish CVR number", dk_cvr),
    "0037": ("Finnish business id", fi_ytunnus),
    "0183": ("Swiss UID", ch_uid),
}


def validate_peppol_id(value: str) -> str:
    """Validate a Peppol participant id ``scheme:value`` including the identifier's own check digits."""
    scheme, sep, ident = value.strip().partition(":")
    if not sep or not scheme.isdigit() or len(scheme) != 4 or not ident:
        raise ValidationError(
            _("Peppol id %(value)s must look like scheme:value, e.g. 0007:5560123456.") % {"value": value},
            code="peppol_id",
        )
    check = _PARTICIPANT_CHECKS.get(scheme)
    if check is not None:
        label, module = check
        try:
            module.validate(ident)
        except StdnumError as exc:
            raise ValidationError(
                _("Peppol id %(value)s: the %(label)s is not valid: %(reason)s.")
                % {"value": value, "label": label, "reason": _reason(exc)},
                code="peppol_id",
            ) from None
    return f"{scheme}:{ident.strip()}"
