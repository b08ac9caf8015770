"""Demo supplier invoices in every state, taken in through the real intake and workflow services.

Each demo invoice has a fixed number; an invoice whose number is already there is left alone, so a second run
changes nothing. The AP clerk (``ap_clerk``) works for both demo buyers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from avrop.core.calendar import add_business_days
from avrop.organisations.demo import AGENCY, MUNICIPALITY, PARTNER54, SUPPLIERS
from avrop.organisations.models import Organisation, User
from avrop.payables import samples, services
from avrop.payables.formats import demo as formats_demo
from avrop.payables.models import Channel, ReferenceRate, SupplierCodingDefault, SupplierInvoice
from avrop.payables.payments import demo as payments_demo
from avrop.payables.services.intake import Incoming, process

Status = SupplierInvoice.Status
DEMO_REFERENCE_RATE = (dt.date(2026, 7, 1), Decimal("2.00"))
# supplier name: (default account, cost centre) per buyer
DEFAULT_CODING = {
    (MUNICIPALITY, "Lyreco Sverige AB"): ("6110", "1200"),
    (MUNICIPALITY, "Martin & Servera AB"): ("5410", "1210"),
    (MUNICIPALITY, "Skånemejerier AB"): ("5410", "1210"),
    (MUNICIPALITY, "Partner54 Kontorsteknik AB"): ("6410", "1300"),
    (AGENCY, "Staples Sverige AB"): ("5511", "100"),
    (AGENCY, "Lyreco Sverige AB"): ("5511", "200"),
}


def _party(organisation: Organisation) -> samples.Party:
    domain = next((d for n, (name, _c, d) in SUPPLIERS.items() if name == organisation.name), "example.se")
    return samples.Party(
        organisation.name,
        organisation.org_number,
        city=organisation.city or "Stockholm",
        peppol_id=organisation.peppol_id,
        email=f"faktura@{domain}",
    )


def _exists(number: str) -> bool:
    return SupplierInvoice.objects.filter(number=number).exists()


def _take_in(content: bytes, name: str) -> SupplierInvoice | None:
    result = process([Incoming(content=content, filename=name, channel=Channel.PEPPOL)])
    return result.invoices[0] if result.invoices else None


def _invoice(
    number: str,
    seller: Organisation,
    buyer: Organisation,
    reference: str,
    *,
    days_ago: int = 3,
    **kwargs: Any,
) -> SupplierInvoice | None:
    if _exists(number):
        return None
    content = samples.invoice_xml(
        number=number,
        seller=_party(seller),
        buyer=samples.Party(buyer.name, buyer.org_number),
        buyer_reference=reference,
        issue_date=timezone.localdate() - dt.timedelta(days=days_ago),
        **kwargs,
    )
    return _take_in(content, f"{number}.xml")


def _code_and_send(invoice: SupplierInvoice | None, clerk: User, reviewer: User) -> SupplierInvoice | None:
    if invoice is None or invoice.status != Status.PRECHECK:
        return invoice
    from avrop.payables.selectors import coding_suggestion

    suggestion = coding_suggestion(invoice)
    lines = [
        {"account": s.account, "cost_centre": s.cost_centre, "project": s.project, "amount": s.amount}
        for s in suggestion.lines
    ]
    return services.invoice_send_to_review(
        actor=clerk, invoice_id=invoice.pk, lines=lines, reviewer_id=reviewer.pk, source=suggestion.source
    )


def _agency_invoice_approver(agency: Organisation, person: User) -> None:
    """At the agency, Erik approves supplier invoices up to 100,000 SEK on every cost centre."""
    from avrop.organisations.models import ApprovalLimit, DocumentKind
    from avrop.organisations.services.approval import approval_limit_create

    if ApprovalLimit.objects.filter(
        organisation=agency, approver=person, document_kind=DocumentKind.INVOICE
    ).exists():
        return
    approval_limit_create(
        actor=None,
        organisation=agency,
        approver=person,
        document_kind=DocumentKind.INVOICE,
        amount_limit="100000",
        all_cost_centres=True,
        title="Ekonomichef",
    )


def load(stdout: TextIO) -> None:
    ReferenceRate.objects.get_or_create(
        valid_from=DEMO_REFERENCE_RATE[0], defaults={"rate": DEMO_REFERENCE_RATE[1]}
    )
    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    agency = Organisation.objects.get(org_number=AGENCY)
    clerk = User.objects.get(username="ap_clerk")
    approver = User.objects.get(username="approver")
    erik = User.objects.get(username="ar_clerk")
    by_name = {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER)}
    lyreco, staples = by_name["Lyreco Sverige AB"], by_name["Staples Sverige AB"]
    martin, mejeri = by_name["Martin & Servera AB"], by_name["Skånemejerier AB"]
    partner54 = Organisation.objects.get(org_number=PARTNER54)
    procurator = by_name["Procurator AB"]

    for (buyer_number, supplier_name), (account, centre) in DEFAULT_CODING.items():
        buyer = municipality if buyer_number == MUNICIPALITY else agency
        supplier = buyer.supplier_relations.filter(organisation__name=supplier_name).first()
        if supplier is not None:
            SupplierCodingDefault.objects.get_or_create(
                supplier=supplier, defaults={"account": account, "cost_centre": centre}
            )

    # Österlens kommun ---------------------------------------------------------------------------------
    _invoice("LYR-260101", lyreco, municipality, "Anna Berg", lines=4, seed=11)  # new, to the orderer
    _invoice("MS-88120", martin, municipality, "SOL", lines=12, seed=12)  # new, to the department
    _invoice("MS-88001", martin, municipality, "SOL", lines=3, seed=13, days_ago=48)  # overdue
    _invoice("SKM-5512", mejeri, municipality, "Köket Kivik", lines=2, seed=14)  # needs a reference
    _invoice("P54-2041", partner54, municipality, "OPS", lines=2, seed=15)
    if not SupplierInvoice.objects.filter(number="P54-2041", status=Status.SUSPECTED_DUPLICATE).exists():
        # The same invoice number again with other content: a suspected duplicate beside its original.
        content = samples.invoice_xml(
            number="P54-2041",
            seller=_party(partner54),
            buyer=samples.Party(municipality.name, municipality.org_number),
            buyer_reference="OPS",
            lines=2,
            seed=16,
            issue_date=timezone.localdate() - dt.timedelta(days=1),
        )
        _take_in(content, "P54-2041-again.xml")
    _invoice("MS-88150", martin, municipality, "SOL", lines=3, seed=17, broken="totals")  # returned, T111
    queried = _invoice("SKM-5530", mejeri, municipality, "SOL", lines=5, seed=18)
    if queried is not None and queried.status == Status.PRECHECK:
        services.invoice_query(
            actor=clerk,
            invoice_id=queried.pk,
            question="Leveransen 12 mars saknas på följesedeln. Stämmer antalet mjölk 1,5 %?",
        )
    waiting = _code_and_send(
        _invoice("LYR-259980", lyreco, municipality, "Anna Berg", lines=6, seed=19, days_ago=15),
        clerk,
        approver,
    )
    if waiting is not None:
        # It has waited past the reminder limit, so the daily reminder task has something to send.
        days = (timezone.localdate() - add_business_days(timezone.localdate(), -7)).days
        SupplierInvoice.objects.filter(pk=waiting.pk).update(
            status_changed_at=timezone.now() - dt.timedelta(days=days)
        )
    approved = _code_and_send(
        _invoice("MS-87900", martin, municipality, "SOL", lines=8, seed=20, days_ago=20), clerk, approver
    )
    if approved is not None and approved.status == Status.WAITING_REVIEW:
        services.invoice_approve(actor=approver, invoice_id=approved.pk)
    paid = _code_and_send(
        _invoice("LYR-259700", lyreco, municipality, "Anna Berg", lines=3, seed=21, days_ago=35),
        clerk,
        approver,
    )
    if paid is not None and paid.status == Status.WAITING_REVIEW:
        services.invoice_approve(actor=approver, invoice_id=paid.pk)
        services.invoice_mark_paid(actor=clerk, invoice_id=paid.pk)
    if not SupplierInvoice.objects.filter(channel=Channel.PDF, organisation=municipality).exists():
        pdf = samples.invoice_pdf(
            number="PRC-7781",
            seller=_party(procurator),
            buyer_reference="Lars Persson",
            amount=Decimal("4800.00"),
            issue_date=timezone.localdate() - dt.timedelta(days=2),
        )
        services.invoice_receive(
            content=pdf,
            filename="Procurator faktura 7781.pdf",
            channel=Channel.PDF,
            actor=clerk,
            buyer=municipality,
        )

    # Myndigheten för kustmiljö --------------------------------------------------------------------------
    _agency_invoice_approver(agency, erik)
    _invoice("STP-40411", staples, agency, "HK", lines=5, seed=31)
    _code_and_send(
        _invoice("STP-40390", staples, agency, "Erik Kund", lines=2, seed=32, days_ago=6), clerk, erik
    )
    _invoice("LYR-260150", lyreco, agency, "HK", lines=150, seed=33)  # a long invoice
    if not _exists("P54-K-118"):
        credit = samples.invoice_xml(
            number="P54-K-118",
            seller=_party(partner54),
            buyer=samples.Party(agency.name, agency.org_number),
            buyer_reference="HK",
            credit_note=True,
            lines=1,
            seed=34,
        )
        _take_in(credit, "P54-K-118.xml")  # a credit note that does not say which invoice it credits

    from avrop.payables.attest import demo as attest_demo

    attest_demo.load(stdout)  # hold, dispute, split and re-coding, periodisation, subscriptions
    formats_demo.load(stdout)  # a CII invoice, a Svefaktura 1.0 invoice and a scanned PDF (OCR-prefilled)

    counts = {s: SupplierInvoice.objects.filter(status=s).count() for s in Status.values}
    stdout.write("payables: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    payments_demo.load(stdout)


def load_late(stdout: TextIO) -> None:
    """Invoices for the demo's orders, matched on arrival: Österlens kommun lets matched invoices go straight
    to attest and allows prices 2 % over the order. Procurator's order that is received and done matches 3-way
    (and goes touchless when the attestant's limit covers it), the partly received one is held, and a Lyreco
    order is invoiced 5 % over its price (a deviation the clerk sees explained line by line)."""
    from avrop.fulfilment.selectors import order_readiness
    from avrop.fulfilment.workflows import DeliveryState
    from avrop.ordering.models import PurchaseOrder
    from avrop.payables.matching.models import InvoiceAutomation, MatchTolerance, Touchless

    municipality = Organisation.objects.filter(org_number=MUNICIPALITY).first()
    if municipality is None:
        return
    InvoiceAutomation.objects.get_or_create(
        organisation=municipality, defaults={"touchless": Touchless.TO_ATTEST}
    )
    MatchTolerance.objects.get_or_create(
        organisation=municipality, supplier=None, defaults={"price_percent": Decimal(2)}
    )
    orders = list(
        PurchaseOrder.objects.filter(organisation=municipality)
        .exclude(status__in=["cancelled", "rejected", "queued"])
        .select_related("supplier__organisation", "requisition__requisitioner")
        .order_by("pk")
    )
    ready: PurchaseOrder | None = None
    partly: PurchaseOrder | None = None
    two_way: PurchaseOrder | None = None
    for order in orders:
        if order.supplier.organisation.name == "Procurator AB" and (ready is None or partly is None):
            state = order_readiness(order).state
            if state == DeliveryState.READY_TO_INVOICE and ready is None:
                ready = order
            elif state == DeliveryState.PARTLY_RECEIVED and partly is None:
                partly = order
        elif order.supplier.organisation.name == "Lyreco Sverige AB" and two_way is None:
            two_way = order
    wanted: list[tuple[PurchaseOrder | None, str, bool]] = [
        (ready, "PRC-8001", False),
        (partly, "PRC-8002", False),
        (two_way, "LYR-260210", True),
    ]
    for chosen, number, over in wanted:
        if chosen is None or _exists(number):
            continue
        order = chosen
        items = [
            {
                "order_line": line.line_number,
                "quantity": line.effective_quantity,
                "price": (
                    line.effective_unit_price * (Decimal("1.05") if over and index == 0 else 1)
                ).quantize(Decimal("0.01")),
                "unit": line.unit,
                "name": line.name,
                "article": line.article_number,
            }
            for index, line in enumerate(order.lines.filter(is_cancelled=False).order_by("line_number"))
        ]
        if not items:
            continue
        requisitioner = order.requisition.requisitioner
        content = samples.invoice_xml(
            number=number,
            seller=_party(order.supplier.organisation),
            buyer=samples.Party(municipality.name, municipality.org_number),
            buyer_reference=requisitioner.get_full_name() or requisitioner.username,
            order_reference=order.number,
            items=items,
            issue_date=timezone.localdate() - dt.timedelta(days=1),
        )
        _take_in(content, f"{number}.xml")
    matched = SupplierInvoice.objects.exclude(match_status="").values_list("match_status", flat=True)
    stdout.write(f"payables: {len(matched)} invoices matched against their orders")
