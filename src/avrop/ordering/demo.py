"""Demo ordering: the municipality's chart and approval authority when nobody set them up yet, free-text
forms, and requisitions and orders in every state for Anna Berg (requisitioner) and Bengt Åkesson (approver).

Everything goes through the services (the supplier side too: responses are real T76 documents taken in by
the intake). Idempotent: the orders are made only when Anna has no requisition yet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from avrop.catalogue.models import CatalogueItem
from avrop.core.demo import DEMO_PASSWORD
from avrop.ordering import services
from avrop.ordering.documents import order_response_xml
from avrop.ordering.models import FreeTextForm, PurchaseOrder, Requisition, Transmission
from avrop.organisations import services as organisation_services
from avrop.organisations.demo import MUNICIPALITY
from avrop.organisations.models import ApprovalLimit, Department, DimensionObject, Organisation, User
from avrop.organisations.roles import Role
from avrop.suppliers.models import Supplier

ACCOUNTS = [
    ("5410", "Livsmedel"),
    ("5420", "Programvaror"),
    ("5460", "Förbrukningsmaterial"),
    ("6110", "Kontorsmaterial"),
    ("6420", "Städmaterial"),
    ("6550", "Konsultarvoden"),
]
# department name → cost centre (code, name)
COST_CENTRES = {
    "Kommunledningskontoret Simrishamn": ("1100", "Kommunledning"),
    "Solgårdens äldreboende": ("1210", "Solgårdens äldreboende"),
    "Österportskolan Ystad": ("1300", "Österportskolan"),
    "Tekniska förvaltningen Ystad": ("1400", "Tekniska förvaltningen"),
}
FORMS = [
    (
        "Konsulttjänst",
        "Konsulttjänster",
        FreeTextForm.Kind.SERVICES,
        "6550",
        "Beskriv uppdraget, perioden och vem som är kontaktperson.",
        [
            {"key": "uppdrag", "label": "Uppdrag", "required": True},
            {"key": "period", "label": "Period", "required": True},
            {"key": "kontakt", "label": "Kontaktperson hos oss", "required": False},
        ],
    ),
    (
        "Möbler och inredning",
        "Möbler",
        FreeTextForm.Kind.GOODS,
        "5460",
        "Ange mått och färg; bifoga gärna en skiss.",
        [
            {"key": "matt", "label": "Mått", "required": True},
            {"key": "farg", "label": "Färg", "required": False},
        ],
    ),
]


def _master_data(municipality: Organisation, approver: User) -> None:
    """Chart, cost centres per department and approval authority, if the municipality has none yet."""
    if municipality.chart_id is None:
        organisation_services.chart_create(
            actor=None, organisation=municipality, name="Österlen kontoplan 2026"
        )
        municipality.refresh_from_db()
        organisation_services.dimension_create(
            actor=None,
            organisation=municipality,
            number=1,
            name="Kostnadsställe",
            code="cost_centre",
            kind="cost_centre",
            is_required=True,
            required_from_account="3000",
            required_to_account="8999",
        )
        organisation_services.dimension_create(
            actor=None, organisation=municipality, number=6, name="Projekt", code="project", kind="project"
        )
        for number, name in ACCOUNTS:
            organisation_services.account_save(
                actor=None, organisation=municipality, number=number, name=name, kind="K"
            )
        for code, name in COST_CENTRES.values():
            organisation_services.dimension_object_save(
                actor=None, organisation=municipality, dimension="cost_centre", code=code, name=name
            )
        organisation_services.dimension_object_save(
            actor=None, organisation=municipality, dimension="project", code="P-2026-01", name="Ombyggnad kök"
        )
    for department in Department.objects.filter(organisation=municipality, default_cost_centre__isnull=True):
        wanted = COST_CENTRES.get(department.name, (None, None))[0]
        centre = DimensionObject.objects.filter(dimension__chart=municipality.chart_id, code=wanted).first()
        if centre is not None:
            organisation_services.department_update(
                actor=None, department_id=department.pk, default_cost_centre_id=centre.pk
            )
    if not ApprovalLimit.objects.filter(organisation=municipality, document_kind="order").exists():
        organisation_services.approval_limit_create(
            actor=None,
            organisation=municipality,
            approver=approver,
            document_kind="order",
            amount_limit="25000",
            all_cost_centres=True,
            title="Enhetschef",
        )
        chief = User.objects.filter(username="forvaltningschef").first()
        if chief is None:
            chief = organisation_services.user_create(
                actor=None,
                username="forvaltningschef",
                password=DEMO_PASSWORD,
                first_name="Maria",
                last_name="Lund",
                email="forvaltningschef@demo.avrop.example",
            )
        organisation_services.membership_grant(
            actor=None, user=chief, organisation=municipality, role=Role.APPROVER
        )
        organisation_services.approval_limit_create(
            actor=None,
            organisation=municipality,
            approver=chief,
            document_kind="order",
            amount_limit="500000",
            all_cost_centres=True,
            title="Förvaltningschef",
            level=2,
        )
    for name, category, kind, account, instructions, fields in FORMS:
        FreeTextForm.objects.get_or_create(
            organisation=municipality,
            name=name,
            defaults={
                "category": category,
                "kind": kind,
                "account_code": account,
                "instructions": instructions,
                "fields": fields,
            },
        )


class Demo:
    def __init__(self, municipality: Organisation, anna: User, bengt: User) -> None:
        self.municipality = municipality
        self.anna = anna
        self.bengt = bengt
        self.suppliers = {
            s.organisation.name: s
            for s in Supplier.objects.filter(buyer=municipality).select_related("organisation")
        }

    def items(self, supplier: str, count: int) -> list[CatalogueItem]:
        organisation = self.suppliers[supplier].organisation
        return list(
            CatalogueItem.objects.filter(
                organisation=self.municipality, supplier=organisation, is_active=True
            ).order_by("article_number")[:count]
        )

    def cart(self, supplier_lines: list[tuple[str, int]]) -> Requisition:
        """Add ``count`` catalogue items of each supplier; without a catalogue, free-text lines on the
        supplier's agreement."""
        from avrop.agreements.models import Agreement

        for supplier, count in supplier_lines:
            items = self.items(supplier, count)
            if items:
                services.cart_add_items(
                    actor=self.anna,
                    organisation=self.municipality,
                    items=[(item.pk, 1 + index) for index, item in enumerate(items)],
                )
                continue
            relation = self.suppliers[supplier]
            agreement = Agreement.objects.filter(
                owner=self.municipality, supplier=relation.organisation
            ).first()
            for index in range(count):
                services.cart_add_free_text(
                    actor=self.anna,
                    organisation=self.municipality,
                    supplier_id=relation.pk,
                    name=f"Artikel {index + 1} enligt avtal",
                    quantity=2 + index,
                    unit="EA",
                    unit_price=Decimal("120.00") + 10 * index,
                    agreement_id=agreement.pk if agreement else None,
                    outside_agreement_reason="" if agreement else "Demo: inget avtal",
                    account="6110",
                )
        cart = services.cart_get(user=self.anna, organisation=self.municipality)
        assert cart is not None
        return cart

    def submit(self, cart: Requisition) -> Requisition:
        return services.requisition_submit(actor=self.anna, requisition_id=cart.pk)

    def approve(self, requisition: Requisition) -> dict[str, PurchaseOrder]:
        services.requisition_decide(requisition_id=requisition.pk, approver=self.bengt, approve=True)
        return {
            o.supplier.organisation.name: o for o in PurchaseOrder.objects.filter(requisition=requisition)
        }

    def send(self, order: PurchaseOrder) -> PurchaseOrder:
        services.transmissions_send_for_supplier(supplier_id=order.supplier_id)
        order.refresh_from_db()
        return order

    def respond(self, order: PurchaseOrder, code: str, number: int, **kwargs: Any) -> None:
        content = order_response_xml(
            order=order,
            code=code,
            issue_date=timezone.localdate(),
            document_id=f"OR-{order.number}-{number}",
            **kwargs,
        )
        services.order_response_receive(content=content, filename=f"demo-{order.number}-{code}.xml")


def load(stdout: TextIO) -> None:
    municipality = Organisation.objects.filter(org_number=MUNICIPALITY).first()
    anna = User.objects.filter(username="requisitioner").first()
    bengt = User.objects.filter(username="approver").first()
    if municipality is None or anna is None or bengt is None:
        return
    _master_data(municipality, bengt)
    if Requisition.objects.filter(organisation=municipality, requisitioner=anna).exists():
        stdout.write(f"ordering: {PurchaseOrder.objects.count()} purchase orders (already loaded)")
        return
    demo = Demo(municipality, anna, bengt)
    needed = {"Lyreco Sverige AB", "Procurator AB", "Martin & Servera AB", "Staples Sverige AB"}
    if not needed <= set(demo.suppliers):
        return
    today = timezone.localdate()

    # Sent via Peppol and via e-mail, from one cart with two suppliers; Lyreco acknowledges.
    both = demo.approve(demo.submit(demo.cart([("Lyreco Sverige AB", 2), ("Procurator AB", 2)])))
    demo.send(both["Procurator AB"])
    acknowledged = demo.send(both["Lyreco Sverige AB"])
    demo.respond(acknowledged, "AB", 1)

    # Sent via Peppol, no answer yet.
    demo.send(demo.approve(demo.submit(demo.cart([("Lyreco Sverige AB", 3)])))["Lyreco Sverige AB"])

    # Accepted with changes: one line fewer, a later date and a substitute.
    changed = demo.send(demo.approve(demo.submit(demo.cart([("Lyreco Sverige AB", 3)])))["Lyreco Sverige AB"])
    lines = list(changed.lines.order_by("line_number"))
    demo.respond(
        changed,
        "CA",
        1,
        lines=[
            {"line_id": 1, "status": "5", "quantity": lines[0].quantity, "price": lines[0].unit_price},
            {
                "line_id": 2,
                "status": "3",
                "quantity": max(lines[1].quantity - 1, Decimal("1")),
                "price": lines[1].unit_price,
                "date": today + dt.timedelta(days=10),
            },
            {
                "line_id": 3,
                "status": "3",
                "quantity": lines[2].quantity,
                "price": lines[2].unit_price,
                "substitute": (f"{lines[2].article_number}-B", f"{lines[2].name} (likvärdig)"),
            },
        ],
        promised=today + dt.timedelta(days=10),
        note="Rad 2 levereras delvis senare, rad 3 ersätts med likvärdig artikel.",
    )

    # The supplier raised a price beyond the tolerance: back with Bengt for approval.
    raised = demo.send(demo.approve(demo.submit(demo.cart([("Lyreco Sverige AB", 1)])))["Lyreco Sverige AB"])
    first = raised.lines.get()
    demo.respond(
        raised,
        "CA",
        1,
        lines=[
            {
                "line_id": 1,
                "status": "3",
                "quantity": first.quantity,
                "price": first.unit_price * Decimal("1.15"),
            }
        ],
        note="Nytt pris från tillverkaren.",
    )

    # Overdue: accepted with a promised date that has passed.
    overdue = demo.send(demo.approve(demo.submit(demo.cart([("Procurator AB", 1)])))["Procurator AB"])
    services.order_confirmation_register(
        actor=anna,
        order_id=overdue.pk,
        code="AP",
        text="Vi bekräftar er order. Leverans senast " + (today - dt.timedelta(days=2)).isoformat() + ".",
        promised_delivery_date=today - dt.timedelta(days=2),
    )

    # Failed transmission: the access point reported it could not deliver.
    failed = demo.approve(demo.submit(demo.cart([("Martin & Servera AB", 2)])))["Martin & Servera AB"]
    services.transmission_failed(
        transmission_id=Transmission.objects.get(purchase_order=failed).pk,
        error="Access point: HTTP 503 Service Unavailable from ap.martinservera.example "
        "(receiver not reachable)",
    )

    # Portal order, visible in Staples' portal inbox.
    demo.send(demo.approve(demo.submit(demo.cart([("Staples Sverige AB", 2)])))["Staples Sverige AB"])

    # Cancelled: sent by e-mail, then cancelled and confirmed by the supplier.
    cancelled = demo.send(demo.approve(demo.submit(demo.cart([("Procurator AB", 1)])))["Procurator AB"])
    services.purchase_order_cancel(actor=anna, order_id=cancelled.pk, reason="Beställt dubbelt av misstag.")
    services.transmissions_send_for_supplier(supplier_id=cancelled.supplier_id)
    services.purchase_order_cancellation_register(
        actor=anna, order_id=cancelled.pk, note="Bekräftat per e-post."
    )

    # Approved but not sent yet (the worker sends it once it runs).
    demo.approve(demo.submit(demo.cart([("Procurator AB", 1)])))

    # Rejected by the approver.
    rejected = demo.submit(demo.cart([("Lyreco Sverige AB", 1)]))
    services.requisition_decide(
        requisition_id=rejected.pk, approver=bengt, approve=False, comment="Inte i budget detta kvartal."
    )

    # Waiting for approval.
    demo.submit(demo.cart([("Lyreco Sverige AB", 2), ("Procurator AB", 1)]))

    # A draft cart.
    demo.cart([("Lyreco Sverige AB", 1)])
    stdout.write(
        f"ordering: {Requisition.objects.filter(organisation=municipality).count()} requisitions, "
        f"{PurchaseOrder.objects.filter(organisation=municipality).count()} purchase orders"
    )
