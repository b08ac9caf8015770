"""A buyer with departments and people, a connected supplier, and invoices made for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from avrop.core.demo import se_org_number
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    AccountFactory,
    ChartFactory,
    DepartmentFactory,
    DimensionFactory,
    DimensionObjectFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from avrop.payables import samples


@dataclass
class World:
    buyer: Any
    department: Any
    other_department: Any
    clerk: Any
    reviewer: Any
    approver: Any
    admin: Any
    supplier_org: Any
    supplier: Any
    supplier_user: Any
    seller: samples.Party
    buyer_party: samples.Party

    def xml(self, number: str = "F-1001", **kwargs: Any) -> bytes:
        kwargs.setdefault("buyer_reference", "anna.berg")
        return samples.invoice_xml(number=number, seller=self.seller, buyer=self.buyer_party, **kwargs)


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    from avrop.organisations.models import Organisation
    from avrop.suppliers.models import Supplier, SupplierContact

    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    buyer_number = se_org_number("212000777")
    buyer = OrganisationFactory.create(
        name="Testkommun", org_number=buyer_number, peppol_id="0007:" + buyer_number.replace("-", "")
    )
    department = DepartmentFactory.create(organisation=buyer, name="Solgården", code="SOL")
    other = DepartmentFactory.create(organisation=buyer, name="Tekniska", code="TEK")
    clerk = UserFactory.create(username="clerk", first_name="Disa", last_name="Ekonom")
    MembershipFactory.create(user=clerk, organisation=buyer, role=Role.AP_CLERK)
    reviewer = UserFactory.create(username="anna.berg", first_name="Anna", last_name="Berg")
    MembershipFactory.create(
        user=reviewer, organisation=buyer, role=Role.REQUISITIONER, department=department
    )
    approver = UserFactory.create(username="bengt", first_name="Bengt", last_name="Åkesson")
    MembershipFactory.create(user=approver, organisation=buyer, role=Role.APPROVER, department=other)
    admin = UserFactory.create(username="boss", first_name="Stina", last_name="Chef")
    MembershipFactory.create(user=admin, organisation=buyer, role=Role.ADMIN)
    _chart_and_limits(buyer, department, other, reviewer=reviewer, approver=approver)
    supplier_number = se_org_number("556012399")
    supplier_org = OrganisationFactory.create(
        name="Lev AB",
        kind=Organisation.Kind.SUPPLIER,
        org_number=supplier_number,
        peppol_id="0007:" + supplier_number.replace("-", ""),
        email="info@lev.example",
    )
    supplier = Supplier.objects.create(buyer=buyer, organisation=supplier_org, connection="peppol")
    SupplierContact.objects.create(supplier=supplier, topic="orders", name="Order", email="order@lev.example")
    supplier_user = UserFactory.create(username="levuser")
    MembershipFactory.create(user=supplier_user, organisation=supplier_org, role=Role.SUPPLIER_USER)
    return World(
        buyer=buyer,
        department=department,
        other_department=other,
        clerk=clerk,
        reviewer=reviewer,
        approver=approver,
        admin=admin,
        supplier_org=supplier_org,
        supplier=supplier,
        supplier_user=supplier_user,
        seller=samples.Party("Lev AB", supplier_number, email="faktura@lev.example"),
        buyer_party=samples.Party("Testkommun", buyer_number),
    )


def _chart_and_limits(buyer: Any, department: Any, other: Any, *, reviewer: Any, approver: Any) -> None:
    """A chart with the accounts and cost centres the tests code to, and invoice approval limits: the
    reviewer Anna is also an approver, up to 100,000 SEK on SOL and 100; Bengt up to 1,000 SEK anywhere."""
    from avrop.organisations.models import DocumentKind
    from avrop.organisations.services.approval import approval_limit_create

    chart = ChartFactory.create(owner=buyer, name="Testkommunens kontoplan")
    buyer.chart = chart
    buyer.save(update_fields=["chart"])
    for number in ("4010", "5460"):
        AccountFactory.create(chart=chart, number=number)
    dimension = DimensionFactory.create(chart=chart)
    centres = {
        code: DimensionObjectFactory.create(dimension=dimension, code=code) for code in ("SOL", "100", "TEK")
    }
    department.default_cost_centre = centres["SOL"]
    department.save(update_fields=["default_cost_centre"])
    other.default_cost_centre = centres["TEK"]
    other.save(update_fields=["default_cost_centre"])
    MembershipFactory.create(user=reviewer, organisation=buyer, role=Role.APPROVER, department=department)
    approval_limit_create(
        actor=None,
        organisation=buyer,
        approver=reviewer,
        document_kind=DocumentKind.INVOICE,
        amount_limit="100000",
        cost_centres=["SOL", "100"],
    )
    approval_limit_create(
        actor=None,
        organisation=buyer,
        approver=approver,
        document_kind=DocumentKind.INVOICE,
        amount_limit="1000",
        all_cost_centres=True,
    )


@pytest.fixture
def receive(world, django_capture_on_commit_callbacks):
    """Take in one XML invoice the way the Peppol access point delivers it."""
    from avrop.payables.models import Channel
    from avrop.payables.services.intake import Incoming, process

    def run(content: bytes, name: str = "invoice.xml", channel: str = Channel.PEPPOL):
        with django_capture_on_commit_callbacks(execute=True):
            result = process([Incoming(content=content, filename=name, channel=channel)])
        return result.invoices[0] if result.invoices else None

    return run
