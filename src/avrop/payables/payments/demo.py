"""Demo payments: the municipality's own bankgiro, a cash discount from one supplier, and a payment proposal
of its approved invoices with the AP clerk's approval, waiting for a second person (the administrator).
A second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from django.utils import timezone
from stdnum import luhn

from avrop.organisations.demo import MUNICIPALITY
from avrop.organisations.models import Organisation, User
from avrop.payables.payments import accounting, services
from avrop.payables.payments.models import PaymentProposal, PaymentSettings, SupplierPaymentTerms

OWN_BANKGIRO = "5050105"


def load(stdout: TextIO) -> None:
    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    clerk = User.objects.get(username="ap_clerk")
    PaymentSettings.objects.get_or_create(
        organisation=municipality,
        defaults={"debtor_account": OWN_BANKGIRO + luhn.calc_check_digit(OWN_BANKGIRO)},
    )
    martin = municipality.supplier_relations.filter(organisation__name="Martin & Servera AB").first()
    if martin is not None:
        SupplierPaymentTerms.objects.get_or_create(
            supplier=martin, defaults={"discount_percent": Decimal(2), "discount_days": 10}
        )
    if not PaymentProposal.objects.filter(organisation=municipality).exists():
        proposal = services.proposal_start(
            actor=clerk, organisation=municipality, pay_until=timezone.localdate() + dt.timedelta(days=30)
        )
        # Built here rather than by the worker, so the demo has it at once (the queued task then finds it
        # built and leaves it alone).
        proposal = services.proposal_build(proposal_id=proposal.pk)
        if proposal.status == PaymentProposal.Status.PROPOSED:
            services.proposal_approve(actor=clerk, proposal_id=proposal.pk)
    booked = accounting.journal_book(organisation=municipality)
    proposals = PaymentProposal.objects.filter(organisation=municipality)
    stdout.write(
        f"payments: {proposals.count()} proposals "
        f"({', '.join(p.get_status_display() for p in proposals)}), {booked} vouchers booked"
    )
