"""A supplier invoice is linked to the buyer's purchase order its order reference names: the exact number or
the forms suppliers write, from the invoice's supplier only; the link routes the invoice and suggests the
order's coding."""

from __future__ import annotations

import pytest

from avrop.ordering.selectors import order_number_candidates
from avrop.payables import samples
from avrop.payables.models import Channel, CodingLine, SupplierInvoice
from avrop.payables.selectors import coding_suggestion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("2026-000123", ["2026-000123"]),
        ("2026-123", ["2026-123", "2026-000123"]),
        ("PO 2026-000123", ["PO 2026-000123", "2026-000123"]),
        ("Order no. 2026/123", ["Order no. 2026/123", "2026-000123"]),
        ("2026000123", ["2026000123", "2026-000123"]),
        ("  2026-000123  Anna Berg ", ["2026-000123 Anna Berg", "2026-000123"]),
        ("Anna Berg", ["Anna Berg"]),
        ("2026-0", ["2026-0"]),  # sequence zero is no order number
        ("", []),
    ],
)
def test_order_number_candidates(reference, expected):
    assert order_number_candidates(reference) == expected


@pytest.fixture
def ordered_world(settings, tmp_path, django_capture_on_commit_callbacks):
    from avrop.ordering.tests.factories import build_world
    from avrop.ordering.tests.helpers import ordered

    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol-payables")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build_world()
    world.buyer.module_payables = True
    world.buyer.save()
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, email=1)
    return world, orders


def _peppol_invoice(world, supplier, reference, number, capture):
    from avrop.payables.services.intake import Incoming, process

    seller = samples.Party(supplier.organisation.name, supplier.organisation.org_number)
    buyer = samples.Party(world.buyer.name, world.buyer.org_number)
    content = samples.invoice_xml(
        number=number, seller=seller, buyer=buyer, order_reference=reference, buyer_reference="x"
    )
    with capture(execute=True):
        process([Incoming(content=content, filename=f"{number}.xml", channel=Channel.PEPPOL)])
    return SupplierInvoice.objects.get(number=number)


def test_a_peppol_invoice_quoting_the_orders_id_is_linked_in_every_usual_form(
    ordered_world, django_capture_on_commit_callbacks
):
    world, orders = ordered_world
    order = orders["peppol"]
    year, sequence = order.number.split("-")
    forms = [order.number, f"PO {order.number}", f"{year}-{int(sequence)}", f"{year}{sequence}"]
    for index, reference in enumerate(forms):
        invoice = _peppol_invoice(
            world, world.peppol, reference, f"L-{index}", django_capture_on_commit_callbacks
        )
        assert invoice.purchase_order == order, reference
        assert invoice.department == order.department
        assert invoice.reviewer == world.approver  # who approved the requisition
    suggestion = coding_suggestion(invoice)
    assert suggestion.source == CodingLine.Source.ORDER
    assert order.number in suggestion.explanation
    assert sum(line.amount for line in suggestion.lines) == invoice.net_amount
    expected_accounts = {
        split.account for line in order.lines.all() for split in line.requisition_line.splits.all()
    }
    assert {line.account for line in suggestion.lines} == expected_accounts


def test_no_link_to_another_suppliers_or_an_unknown_order(ordered_world, django_capture_on_commit_callbacks):
    world, orders = ordered_world
    peppol_order = orders["peppol"]
    # The e-mail supplier quotes the Peppol supplier's order: not theirs, so no link.
    wrong = _peppol_invoice(
        world, world.email, peppol_order.number, "W-1", django_capture_on_commit_callbacks
    )
    assert wrong.purchase_order is None
    unknown = _peppol_invoice(world, world.peppol, "2019-999999", "U-1", django_capture_on_commit_callbacks)
    assert unknown.purchase_order is None


def test_the_invoice_page_links_the_order(client, ordered_world, django_capture_on_commit_callbacks):
    from django.urls import reverse

    world, orders = ordered_world
    invoice = _peppol_invoice(
        world, world.peppol, orders["peppol"].number, "P-1", django_capture_on_commit_callbacks
    )
    from avrop.organisations.roles import Role

    client.force_login(world.member(Role.AP_CLERK))
    page = client.get(reverse("payables:invoice", args=[invoice.pk]))
    assert reverse("ordering:order", args=[orders["peppol"].pk]) in page.content.decode()
