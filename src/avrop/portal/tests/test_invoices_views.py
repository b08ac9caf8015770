"""Portal invoice pages: the form shows Peppol findings next to their fields (tied with aria-describedby),
sending through the page, scoping (404 for another supplier, 403 for a buyer), query counts, PDF copy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.payables.models import SupplierInvoice
from avrop.portal.models import InvoiceDraft
from avrop.portal.services import invoicing
from avrop.portal.tests import test_invoices as shared

pytestmark = pytest.mark.django_db
flip = shared.flip  # the fixture
_flip_and_fill = shared._flip_and_fill


def _post_data(draft: InvoiceDraft, action: str, **changes: Any) -> dict[str, Any]:
    lines = changes.pop("lines", draft.lines)
    data = {
        "action": action,
        "number": draft.number,
        "issue_date": draft.issue_date.isoformat() if draft.issue_date else "",
        "due_date": draft.due_date.isoformat() if draft.due_date else "",
        "buyer_reference": draft.buyer_reference,
        "order_reference": draft.order_reference,
        "bank_account": str(draft.bank_account_id or ""),
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        for name in (
            "description",
            "article_number",
            "quantity",
            "unit",
            "unit_price",
            "vat_rate",
            "order_line",
        ):
            data[f"lines-{index}-{name}"] = line.get(name, "")
        data[f"lines-{index}-kind"] = line.get("kind", "free")
    data.update(changes)
    return data


def _login(client, flip):
    client.force_login(flip.supplier_user)
    session = client.session
    session["avrop_organisation_id"] = flip.supplier_org.pk
    session.save()


def test_form_shows_the_finding_next_to_the_field_then_sends_once(client, flip):
    _login(client, flip)
    response = client.post(reverse("portal:invoice_from_order", args=[flip.order.pk]))
    draft = InvoiceDraft.objects.get(purchase_order=flip.order)
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:invoice_draft", args=[draft.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert flip.order.number in page and 'name="lines-0-quantity"' in page

    freight = {"description": "Frakt", "quantity": "1", "unit": "EA", "unit_price": "-95", "vat_rate": "25"}
    draft.number = "F-7001"
    data = _post_data(draft, "send", lines=[*draft.lines, freight])
    response = client.post(reverse("portal:invoice_draft", args=[draft.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    index = len(draft.lines)
    finding_id = f"id_lines-{index}-unit_price_finding"
    assert f'id="{finding_id}"' in page
    price_input = re.search(rf'<input[^>]*name="lines-{index}-unit_price"[^>]*>', page).group(0)
    assert finding_id in price_input and 'aria-invalid="true"' in price_input
    assert "BR-27" in page
    assert not SupplierInvoice.objects.filter(number="F-7001").exists()

    freight["unit_price"] = "95"
    data = _post_data(draft, "send", lines=[*draft.lines, freight])
    response = client.post(reverse("portal:invoice_draft", args=[draft.pk]), data)
    assert response.status_code == 302
    again = client.post(reverse("portal:invoice_draft", args=[draft.pk]), data)
    assert again.status_code == 200
    assert SupplierInvoice.objects.filter(number="F-7001").count() == 1
    invoice = SupplierInvoice.objects.get(number="F-7001")
    assert invoice.status == SupplierInvoice.Status.PRECHECK
    assert invoice.line_count == index + 1


def test_form_error_is_tied_to_its_input(client, flip):
    _login(client, flip)
    draft = invoicing.draft_from_order(
        actor=flip.supplier_user, organisation=flip.supplier_org, order_id=flip.order.pk
    )
    data = _post_data(draft, "save", number="")
    response = client.post(reverse("portal:invoice_draft", args=[draft.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    number_input = re.search(r'<input[^>]*name="number"[^>]*>', page).group(0)
    assert "id_number_error" in number_input and 'id="id_number_error"' in page


def test_another_supplier_gets_404_and_a_buyer_403(client, flip):
    draft = _flip_and_fill(flip)
    sent = invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    rival = OrganisationFactory(kind="supplier", name="Rival AB")
    rival_user = UserFactory()
    MembershipFactory(user=rival_user, organisation=rival, role=Role.SUPPLIER_USER)
    client.force_login(rival_user)
    assert client.get(reverse("portal:invoice_draft", args=[draft.pk])).status_code == 404
    assert client.get(reverse("portal:invoice_draft_pdf", args=[draft.pk])).status_code == 404
    assert client.get(reverse("portal:invoice", args=[sent.sent_invoice_id])).status_code == 404
    assert client.post(reverse("portal:invoice_from_order", args=[flip.order.pk])).status_code == 404
    assert client.post(reverse("portal:invoice_credit", args=[sent.sent_invoice_id])).status_code == 404
    assert "F-2001" not in client.get(reverse("portal:invoices")).content.decode()

    client.force_login(flip.clerk)
    for url in (
        reverse("portal:invoices"),
        reverse("portal:invoice_orders"),
        reverse("portal:invoice", args=[sent.sent_invoice_id]),
        reverse("portal:invoice_draft", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_status_list_query_count_does_not_grow_and_shows_the_buyers_question(
    client, flip, django_assert_max_num_queries
):
    from avrop.payables import services as payables

    _login(client, flip)
    first = invoicing.draft_send(
        actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=_flip_and_fill(flip).pk
    )
    payables.invoice_query(actor=flip.clerk, invoice_id=first.sent_invoice_id, question="Saknar följesedel")
    with django_assert_max_num_queries(12) as one:
        page = client.get(reverse("portal:invoices")).content.decode()
    assert "Saknar följesedel" in page
    for number in ("F-8001", "F-8002", "F-8003"):
        draft = invoicing.draft_create(
            actor=flip.supplier_user, organisation=flip.supplier_org, relation_id=flip.world.peppol.pk
        )
        line = {"description": "Tjänst", "quantity": "1", "unit": "EA", "unit_price": "100", "vat_rate": "25"}
        draft = invoicing.draft_save(
            actor=flip.supplier_user,
            organisation=flip.supplier_org,
            draft_id=draft.pk,
            values={
                "number": number,
                "issue_date": draft.issue_date,
                "due_date": draft.due_date,
                "buyer_reference": flip.order.buyer_reference,
                "bank_account": draft.bank_account,
            },
            lines=[line],
        )
        invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    invoicing.draft_create(
        actor=flip.supplier_user, organisation=flip.supplier_org, relation_id=flip.world.peppol.pk
    )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("portal:invoices")).content.decode()
    assert "F-8003" in page
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("portal:invoices") + "?status=disputed").content.decode()
    assert "F-2001" in page and "F-8001" not in page


def test_detail_shows_the_status_and_offers_pdf_and_credit_note(client, flip):
    _login(client, flip)
    sent = invoicing.draft_send(
        actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=_flip_and_fill(flip).pk
    )
    page = client.get(reverse("portal:invoice", args=[sent.sent_invoice_id])).content.decode()
    assert "F-2001" in page and reverse("portal:invoice_credit", args=[sent.sent_invoice_id]) in page
    pdf = client.get(reverse("portal:invoice_draft_pdf", args=[sent.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xml = client.get(reverse("portal:invoice_draft_xml", args=[sent.pk]))
    assert xml.content == bytes(sent.content)
    response = client.post(reverse("portal:invoice_credit", args=[sent.sent_invoice_id]))
    credit = InvoiceDraft.objects.get(kind=InvoiceDraft.Kind.CREDIT_NOTE)
    assert response["Location"] == reverse("portal:invoice_draft", args=[credit.pk])
    assert credit.credited_invoice_id == sent.sent_invoice_id


def test_start_page_lists_orders_to_invoice_drafts_and_disputes(client, flip):
    _login(client, flip)
    page = client.get(reverse("core:home")).content.decode()
    assert flip.order.number in page
    draft = invoicing.draft_from_order(
        actor=flip.supplier_user, organisation=flip.supplier_org, order_id=flip.order.pk
    )
    assert (
        reverse("portal:invoice_draft", args=[draft.pk]) in client.get(reverse("core:home")).content.decode()
    )


def test_invoice_that_came_over_peppol_is_listed_with_a_pdf_copy(client, flip):
    from avrop.payables import samples
    from avrop.payables.models import Channel
    from avrop.payables.services.intake import Incoming, process

    seller = samples.Party(
        flip.supplier_org.name, flip.supplier_org.org_number, peppol_id=flip.supplier_org.peppol_id
    )
    buyer = samples.Party(flip.world.buyer.name, flip.world.buyer.org_number)
    content = samples.invoice_xml(
        number="PEP-1",
        seller=seller,
        buyer=buyer,
        buyer_reference=flip.order.buyer_reference,
        bankgiro="5050-1055",
    )
    invoice = process([Incoming(content=content, filename="pep-1.xml", channel=Channel.PEPPOL)]).invoices[0]
    _login(client, flip)
    page = client.get(reverse("portal:invoices")).content.decode()
    assert reverse("portal:invoice", args=[invoice.pk]) in page
    pdf = client.get(reverse("portal:invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    rival = OrganisationFactory(kind="supplier")
    rival_user = UserFactory()
    MembershipFactory(user=rival_user, organisation=rival, role=Role.SUPPLIER_USER)
    client.force_login(rival_user)
    assert client.get(reverse("portal:invoice_pdf", args=[invoice.pk])).status_code == 404


def test_orders_to_invoice_page_query_count_does_not_grow(
    client, flip, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from avrop.ordering import services as ordering_services
    from avrop.ordering.tests.helpers import ordered, t76

    _login(client, flip)
    with django_assert_max_num_queries(12) as one:
        page = client.get(reverse("portal:invoice_orders")).content.decode()
    assert reverse("portal:invoice_from_order", args=[flip.order.pk]) in page
    numbers = []
    for index in range(2):
        _requisition, orders = ordered(flip.world, django_capture_on_commit_callbacks, email=0)
        with django_capture_on_commit_callbacks(execute=True):
            ordering_services.order_response_receive(
                content=t76(orders["peppol"], "AP", document_id=f"R-AP-{index}"), filename="r.xml"
            )
        numbers.append(orders["peppol"].pk)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("portal:invoice_orders")).content.decode()
    assert all(reverse("portal:invoice_from_order", args=[pk]) in page for pk in numbers)


def test_free_invoice_from_the_page_and_deleting_a_draft_is_audited(client, flip):
    from avrop.core.models import AuditEvent

    _login(client, flip)
    assert flip.world.buyer.name in client.get(reverse("portal:invoice_new")).content.decode()
    response = client.post(reverse("portal:invoice_new"), {"customer": flip.world.peppol.pk})
    draft = InvoiceDraft.objects.get(kind=InvoiceDraft.Kind.INVOICE, purchase_order=None)
    assert response["Location"] == reverse("portal:invoice_draft", args=[draft.pk])
    assert client.post(reverse("portal:invoice_new"), {"customer": 999999}).status_code == 404
    response = client.post(reverse("portal:invoice_draft", args=[draft.pk]), {"action": "delete"})
    assert response["Location"] == reverse("portal:invoices")
    assert not InvoiceDraft.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="portal.invoice_draft.delete", object_id=str(draft.pk)).exists()
