"""Portal onboarding in a real browser: a new supplier accepts the invitation, lands among its customers,
enters a customer number (after a field error), proposes new bank details and chooses notifications; every
page is checked with axe-core. Locators use ids, URLs and data, so the test holds in Swedish and English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from avrop.organisations.models import Department
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, OrganisationFactory
from avrop.suppliers.models import BankChangeProposal, CustomerNumber
from avrop.suppliers.services import portal_invitation_send
from avrop.suppliers.tests.factories import CustomerNumberFactory, SupplierContactFactory, SupplierFactory
from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def _no_violations(page, what: str) -> None:
    assert serious_violations(page) == [], what


def _submit(page) -> None:
    page.locator("main form button[type=submit]").first.click()


def test_new_supplier_onboards_in_the_portal(page, make_member, live_server):
    supplier = OrganisationFactory(kind="supplier", name="Lyreco Sverige AB")
    make_member(Role.SUPPLIER_USER, organisation=supplier, email="olle@lyreco.example")
    buyer = OrganisationFactory(name="Österlens kommun")
    coordinator, _ = make_member(Role.COORDINATOR, organisation=buyer)
    relation = SupplierFactory(buyer=buyer, organisation=supplier)
    old = DepartmentFactory(organisation=buyer, name="Solgårdens kök")
    Department.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=200))
    new = DepartmentFactory(organisation=buyer, name="Fritidsgården Bryggan")
    CustomerNumberFactory(supplier=relation, department=old, number="K-1001")
    SupplierContactFactory(supplier=relation, topic="orders", name="Kundtjänst", email="order@lyreco.example")
    _invitation, key = portal_invitation_send(
        actor=coordinator, supplier=relation, email="ny@lyreco.example", base_url=live_server.url
    )

    page.goto(reverse("suppliers:invitation_accept", args=[key]))
    page.locator("#id_first_name").fill("Nora")
    page.locator("#id_last_name").fill("Lyreco")
    page.locator("#id_username").fill("nora.lyreco")
    page.locator("#id_password1").fill("ett-langt-losenord-42")
    page.locator("#id_password2").fill("ett-langt-losenord-42")
    _submit(page)
    expect(page).to_have_url(live_server.url + reverse("portal:customers"))
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("rowheader", name="Österlens kommun")).to_be_visible()
    _no_violations(page, "customers")

    page.get_by_role("link", name="Österlens kommun", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Österlens kommun")
    expect(page.get_by_role("cell", name="K-1001")).to_be_visible()
    _no_violations(page, "customer")

    numbers_url = reverse("portal:customer_numbers", args=[relation.pk])
    page.locator(f"a[href='{numbers_url}']").first.click()
    field = page.locator(f"#id_department_{new.pk}")
    field.evaluate("el => el.removeAttribute('maxlength')")  # the server checks the length too
    field.fill("9" * 61)
    _submit(page)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#id_department_{new.pk}_error")).to_be_visible()
    _no_violations(page, "customer numbers with an error")
    field.fill("F-2002")
    _submit(page)
    expect(page).to_have_url(live_server.url + reverse("portal:customer", args=[relation.pk]))
    expect(page.get_by_role("cell", name="F-2002")).to_be_visible()
    assert CustomerNumber.objects.get(supplier=relation, department=new).number == "F-2002"

    page.goto(reverse("portal:customer_notifications", args=[relation.pk]))
    expect(page.locator("fieldset legend")).to_have_count(1)
    _no_violations(page, "notifications")
    page.locator("input[type=checkbox][value=payments]").check()
    _submit(page)
    expect(page).to_have_url(live_server.url + reverse("portal:customer", args=[relation.pk]))

    page.goto(reverse("portal:bank_change_propose"))
    page.locator("#id_kind").select_option("bankgiro")
    page.locator("#id_number").fill("5402-9682")
    _submit(page)
    expect(page.locator("#id_number")).to_have_attribute("aria-invalid", "true")
    _no_violations(page, "bank details form with an error")
    page.locator("#id_number").fill("5402-9681")
    _submit(page)
    expect(page).to_have_url(live_server.url + reverse("portal:bank_details"))
    proposal = BankChangeProposal.objects.get()
    assert proposal.status == "pending" and proposal.proposed_by.username == "nora.lyreco"
    # The proposer is offered only withdrawal; a colleague confirms.
    expect(
        page.locator(f"form[action='{reverse('portal:bank_change_confirm', args=[proposal.pk])}']")
    ).to_have_count(0)
    expect(
        page.locator(f"form[action='{reverse('portal:bank_change_withdraw', args=[proposal.pk])}']")
    ).to_have_count(1)
    _no_violations(page, "bank details")
