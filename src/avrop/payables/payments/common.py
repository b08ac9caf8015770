"""What the payment services share: status names, the settings, the proposal transition helper (lock is
the caller's; assert, set, audit) and the choice of a supplier's verified bank account."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.payables.models import SupplierInvoice
from avrop.payables.payments.models import (
    PaymentLine,
    PaymentProposal,
    PaymentSettings,
)
from avrop.payables.payments.workflows import assert_proposal_transition
from avrop.suppliers.models import BankAccount

Proposal = PaymentProposal.Status
Line = PaymentLine.Status
Invoice = SupplierInvoice.Status
CENT = Decimal("0.01")
BATCH = 2000
# Bankgiro before plusgiro before IBAN: the domestic clearing is cheapest and carries the OCR reference.
ACCOUNT_ORDER = (BankAccount.Kind.BANKGIRO, BankAccount.Kind.PLUSGIRO, BankAccount.Kind.IBAN)


def settings_for(organisation: Any) -> PaymentSettings:
    """The organisation's payment settings; the BAS defaults when none are saved."""
    found = PaymentSettings.objects.filter(organisation=organisation).first()
    return found or PaymentSettings(organisation=organisation)


def move_proposal(
    proposal: PaymentProposal, to: str, *, actor: Any, action: str, fields: Iterable[str] = ()
) -> None:
    before = proposal.status
    assert_proposal_transition(proposal, to=to)
    proposal.status = to
    proposal.status_changed_at = timezone.now()
    proposal.save(update_fields=["status", "status_changed_at", "updated_at", *fields])
    audit(
        actor=actor,
        action=action,
        obj=proposal,
        organisation=proposal.organisation,
        before={"status": before},
        after={"status": to},
    )


def verified_accounts(supplier_ids: Iterable[int]) -> dict[int, dict[str, BankAccount]]:
    accounts: dict[int, dict[str, BankAccount]] = defaultdict(dict)
    for account in BankAccount.objects.filter(
        supplier_id__in=set(supplier_ids), status=BankAccount.Status.VERIFIED
    ):
        accounts[account.supplier_id][account.kind] = account
    return accounts


def pick_account(accounts: dict[str, BankAccount], currency: str) -> BankAccount | None:
    if currency != "SEK":
        return accounts.get(BankAccount.Kind.IBAN)
    return next((accounts[k] for k in ACCOUNT_ORDER if k in accounts), None)


def no_account_reason(supplier_id: int | None) -> str:
    if supplier_id is None:
        return _("The invoice is not linked to a known supplier.")
    if BankAccount.objects.filter(supplier_id=supplier_id, status=BankAccount.Status.UNVERIFIED).exists():
        return _("The supplier's new bank details are not verified yet.")
    return _("The supplier has no verified bank account for this currency.")
