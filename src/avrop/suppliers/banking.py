"""Checks for Swedish payment accounts: bankgiro, plusgiro, IBAN and BIC.

python-stdnum has IBAN and BIC but no bankgiro or plusgiro module; both are plain Luhn (mod 10) numbers over
all digits: a bankgiro number has 7 or 8 digits (shown NNN-NNNN / NNNN-NNNN), a plusgiro number 2 to 8 digits
(shown with a dash before the check digit). Messages name the check that failed, for the field error.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

_SEPARATORS = re.compile(r"[\s\-.]")


def _reason(exc: StdnumError) -> str:
    if isinstance(exc, InvalidChecksum):
        return _("the check digit is wrong")
    if isinstance(exc, InvalidLength):
        return _("the number has the wrong length")
    if isinstance(exc, InvalidComponent):
        return _("the country or bank code is unknown")
    if isinstance(exc, InvalidFormat):
        return _("the number has the wrong format")
    return str(exc)


def _giro(value: str, lengths: range, label: str, code: str) -> str:
    compact = _SEPARATORS.sub("", value)
    try:
        if not compact.isdigit():
            raise InvalidFormat()
        if len(compact) not in lengths:
            raise InvalidLength()
        luhn.validate(compact)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "%(label)s number %(value)s is not valid: %(reason)s "
                "(Luhn mod-10 check, %(min)s–%(max)s digits)."
            )
            % {
                "label": label,
                "value": value,
                "reason": _reason(exc),
                "min": lengths.start,
                "max": lengths[-1],
            },
            code=code,
        ) from None
    return compact


def normalise_bankgiro(value: str) -> str:
    return _giro(value, range(7, 9), _("Bankgiro"), "bankgiro")


def normalise_plusgiro(value: str) -> str:
    return _giro(value, range(2, 9), _("Plusgiro"), "plusgiro")


def normalise_iban(value: str) -> str:
    try:
        return stdnum_iban.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("IBAN %(value)s is not valid: %(reason)s (ISO 13616 mod-97 check and country format).")
            % {"value": value, "reason": _reason(exc)},
            code="iban",
        ) from None


def normalise_bic(value: str) -> str:
    try:
        return stdnum_bic.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("BIC %(value)s is not valid: %(reason)s (ISO 9362: 8 or 11 characters).")
            % {"value": value, "reason": _reason(exc)},
            code="bic",
        ) from None


def format_account(kind: str, number: str) -> str:
    if kind == "bankgiro":
        return f"{number[:-4]}-{number[-4:]}"
    if kind == "plusgiro":
        return f"{number[:-1]}-{number[-1:]}"
    if kind == "iban":
        return stdnum_iban.format(number)
    return number
