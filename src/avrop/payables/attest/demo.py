"""Demo of attest, periodisation and subscriptions at Österlens kommun, through the real services.

An invoice on hold, one disputed with the supplier (Lyreco: Fatima sees the question in the portal), one split
and re-coded (its change is listed on the invoice page), a licence periodised over twelve months, and two
subscriptions: Grönsakshallen's monthly fruit baskets with this month's invoice approved by the rule, and
Procurator's quarterly service fee whose last quarter's invoice never came (flagged on the AP start page).
Each invoice has a fixed number and each subscription a fixed name, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from avrop.core.errors import DomainError
from avrop.organisations.demo import MUNICIPALITY, PARTNER54
from avrop.organisations.models import Organisation, User
from avrop.payables import services
from avrop.payables.attest import services as attest
from avrop.payables.attest.models import AttestSettings
from avrop.payables.models import SupplierInvoice

Status = SupplierInvoice.Status
CENT = Decimal("0.01")


def _sent(
    number: str,
    seller: Organisation,
    buyer: Organisation,
    clerk: User,
    approver: User,
    coding: tuple[str, str],
    **kw: Any,
) -> SupplierInvoice | None:
    """A new invoice coded to ``coding`` (account, cost centre), sent to the approver; None if it exists."""
    from avrop.payables.demo import _invoice

    invoice = _invoice(number, seller, buyer, "SOL", **kw)
    if invoice is None or invoice.status not in {Status.PRECHECK, Status.NEEDS_REFERENCE}:
        return None
    return services.invoice_send_to_review(
        actor=clerk,
        invoice_id=invoice.pk,
        reviewer_id=approver.pk,
        lines=[{"account": coding[0], "cost_centre": coding[1], "amount": invoice.net_amount}],
    )


def _month(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def load(stdout: TextIO) -> None:
    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    clerk = User.objects.get(username="ap_clerk")
    approver = User.objects.get(username="approver")
    by_name = {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER)}
    lyreco, martin = by_name["Lyreco Sverige AB"], by_name["Martin & Servera AB"]
    partner54 = Organisation.objects.get(org_number=PARTNER54)
    today = timezone.localdate()
    AttestSettings.objects.get_or_create(
        organisation=municipality, defaults={"own_purchase_limit": Decimal("5000.00")}
    )
    done: list[str] = []
    try:
        held = _sent("MS-88210", martin, municipality, clerk, approver, ("5410", "1210"), lines=3, seed=41)
        if held is not None:
            attest.invoice_hold(
                actor=clerk,
                invoice_id=held.pk,
                reason="Kreditering av felleverans väntas enligt samtal med Martin & Servera.",
                until=today + dt.timedelta(days=14),
            )
            done.append("hold")
        disputed = _sent(
            "LYR-260300", lyreco, municipality, clerk, approver, ("6110", "1200"), lines=4, seed=42
        )
        if disputed is not None:
            attest.invoice_dispute(
                actor=approver,
                invoice_id=disputed.pk,
                reason="Rad 3 (toner) är fakturerad med 10 st men vi fick 6. Skicka en kreditnota för 4 st.",
            )
            done.append("dispute")
        split = _sent("MS-88220", martin, municipality, clerk, approver, ("5410", "1210"), lines=4, seed=43)
        if split is not None and split.net_amount is not None:
            half = (split.net_amount / 2).quantize(CENT)
            attest.invoice_recode(
                actor=clerk,
                invoice_id=split.pk,
                lines=[
                    {"account": "5410", "cost_centre": "1210", "amount": half},
                    {"account": "5410", "cost_centre": "1200", "amount": split.net_amount - half},
                ],
                reason="Halva leveransen gick till Solgårdens kök, halva till dagverksamheten.",
            )
            done.append("split")
        licence = _sent(
            "P54-2100", partner54, municipality, clerk, approver, ("6410", "1200"), lines=1, seed=44
        )
        if licence is not None:
            from avrop.payables.periodisation.services import coding_line_periodise

            first = today.replace(day=1)
            coding_line_periodise(
                actor=clerk,
                invoice_id=licence.pk,
                coding_line_id=licence.coding_lines.get().pk,
                first_month=first,
                last_month=_month(first, 11),
            )
            done.append("periodisation")
    except DomainError as exc:
        stdout.write(f"payables attest demo: {exc.message}")
    _subscriptions(
        municipality,
        clerk,
        approver,
        by_name["Grönsakshallen Sorunda AB"],
        by_name["Procurator AB"],
        today,
        done,
    )
    if done:
        stdout.write("payables: attest demo – " + ", ".join(done))


def _subscriptions(
    municipality: Organisation,
    clerk: User,
    approver: User,
    greengrocer: Organisation,
    procurator: Organisation,
    today: dt.date,
    done: list[str],
) -> None:
    from avrop.payables.demo import _invoice
    from avrop.payables.subscriptions.models import Subscription
    from avrop.payables.subscriptions.services import (
        invoices_by_subscription,
        subscription_save,
        subscriptions_flag_missing,
    )

    fruit = municipality.supplier_relations.filter(organisation=greengrocer).first()
    hygiene = municipality.supplier_relations.filter(organisation=procurator).first()
    if fruit is None or hygiene is None:
        return
    lease_name = "Fruktkorgar till personalrummen"
    if not Subscription.objects.filter(organisation=municipality, name=lease_name).exists():
        invoice = _invoice("GSH-A-3001", greengrocer, municipality, "SOL", lines=1, seed=45, days_ago=2)
        expected = (
            (invoice.net_amount * Decimal("0.99")).quantize(CENT)
            if invoice is not None and invoice.net_amount
            else Decimal("2400.00")
        )
        subscription_save(
            actor=clerk,
            organisation=municipality,
            data={
                "name": lease_name,
                "supplier": fruit,
                "expected_amount": expected,
                "currency": "SEK",
                "period": "monthly",
                "first_period": today.replace(day=1),
                "tolerance_percent": Decimal("2"),
                "tolerance_amount": Decimal("0"),
                "attestant": approver,
                "coding": [{"account": "5410", "cost_centre": "1210", "amount": expected}],
            },
        )
        if invoice is not None:
            invoices_by_subscription(invoice_ids=[invoice.pk])
        done.append("subscription approved by rule")
    fee_name = "Serviceavgift hygienartiklar (avtalstjänst)"
    if not Subscription.objects.filter(organisation=municipality, name=fee_name).exists():
        quarter = _month(today.replace(day=1), -((today.month - 1) % 3))
        subscription_save(
            actor=clerk,
            organisation=municipality,
            data={
                "name": fee_name,
                "supplier": hygiene,
                "expected_amount": Decimal("1500.00"),
                "currency": "SEK",
                "period": "quarterly",
                "first_period": _month(quarter, -3),
                "tolerance_percent": Decimal("0"),
                "tolerance_amount": Decimal("1.00"),
                "attestant": approver,
                "coding": [{"account": "5410", "cost_centre": "1200", "amount": Decimal("1500.00")}],
            },
        )
        done.append("subscription with a missing invoice")
    subscriptions_flag_missing(today=today)
