"""The organisation's payment settings: its own account at the bank (checked like suppliers' accounts:
bankgiro and plusgiro by Luhn, IBAN by mod 97, BIC by ISO 9362, with python-stdnum) and its BAS accounts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode
from avrop.payables.payments.guards import require_payer
from avrop.payables.payments.models import AccountKind, PaymentSettings
from avrop.suppliers.banking import normalise_bankgiro, normalise_bic, normalise_iban

EDITABLE = [
    "debtor_kind",
    "debtor_account",
    "debtor_bic",
    "bank_customer_id",
    "liability_account",
    "input_vat_account",
    "reverse_input_vat_account",
    "reverse_output_vat_account",
    "eu_output_vat_account",
    "bank_ledger_account",
    "cash_discount_account",
    "rounding_account",
    "invoice_series",
    "payment_series",
]


def _checked(function: Any, value: str, field: str) -> str:
    try:
        return str(function(value))
    except ValidationError as exc:
        raise DomainError(ErrorCode.VALIDATION, " ".join(exc.messages), field=field) from None


@transaction.atomic
def payment_settings_update(*, actor: Any, organisation: Any, data: dict[str, Any]) -> PaymentSettings:
    """Save the settings; our account is checked by its kind, and an IBAN needs its bank's BIC."""
    require_payer(actor, organisation)
    settings, _created = PaymentSettings.objects.select_for_update().get_or_create(organisation=organisation)
    before = snapshot(settings, EDITABLE)
    values = {key: str(data.get(key, getattr(settings, key)) or "").strip() for key in EDITABLE}
    if values["debtor_kind"] not in {AccountKind.BANKGIRO, AccountKind.IBAN}:
        raise DomainError(
            ErrorCode.VALIDATION, _("Our account is a bankgiro or an IBAN."), field="debtor_kind"
        )
    if values["debtor_kind"] == AccountKind.BANKGIRO:
        values["debtor_account"] = _checked(normalise_bankgiro, values["debtor_account"], "debtor_account")
        if values["debtor_bic"]:
            values["debtor_bic"] = _checked(normalise_bic, values["debtor_bic"], "debtor_bic")
    else:
        values["debtor_account"] = _checked(normalise_iban, values["debtor_account"], "debtor_account")
        if not values["debtor_bic"]:
            raise DomainError(ErrorCode.VALIDATION, _("An IBAN needs the bank's BIC."), field="debtor_bic")
        values["debtor_bic"] = _checked(normalise_bic, values["debtor_bic"], "debtor_bic")
    for key in EDITABLE[4:]:
        if not values[key]:
            raise DomainError(ErrorCode.VALIDATION, _("Fill in every account and series."), field=key)
    for key, value in values.items():
        setattr(settings, key, value)
    settings.save()
    audit(
        actor=actor,
        action="accounting.change",
        obj=settings,
        organisation=organisation,
        before=before,
        after=snapshot(settings, EDITABLE),
    )
    return settings
