"""The SPOC flow on the demo data: Partner54's items are under the service centre's shared agreement, which
Österlens kommun only calls off. Without a mapping the phoned-in order cannot be coded; the municipality's
coordinator maps the supplier on the account-mapping page, and the order reaches the approver."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from avrop.catalogue.models import AccountRule
from avrop.core.demo import DEMO_PASSWORD
from avrop.organisations.models import Organisation
from avrop.suppliers.models import Supplier
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def spoc_demo(settings, tmp_path, transactional_db):
    """The demo, with its search index and pictures in this test's own folders."""
    import io

    from avrop.web.demo import load_all

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    load_all(io.StringIO())


def _phone_order(page, relation: Supplier, requisitioner_id: int) -> None:
    page.goto(f"/portal/orders/on-behalf/?customer={relation.pk}")
    page.locator("#requisitioner").select_option(str(requisitioner_id))
    page.locator("#origin-phone").check()
    page.locator("#note").fill("Anna Berg ringde: toner till skrivaren på avdelning 2.")
    page.locator("#free-1-name").fill("Toner HP 207X svart")
    page.locator("#free-1-quantity").fill("2")
    page.locator("#free-1-unit_price").fill("1149")
    page.get_by_role("button", name=re.compile("(Registrera och skicka|Register and send)")).click()


def test_spoc_phone_order_reaches_the_approver_once_the_customer_maps_the_supplier(
    browser, page, live_server, spoc_demo
):
    from avrop.organisations.models import User

    municipality = Organisation.objects.get(name="Österlens kommun")
    relation = Supplier.objects.get(buyer=municipality, organisation__name__startswith="Partner54")
    anna = User.objects.get(username="requisitioner")
    # As the issue found it: no account for Partner54 anywhere in the municipality.
    AccountRule.objects.filter(organisation=municipality, supplier=relation.organisation).delete()

    login(page, "spoc", DEMO_PASSWORD)
    _phone_order(page, relation, anna.pk)
    expect(page.locator("body")).to_contain_text(re.compile("(har ännu inte kopplat|has not mapped)"))

    coordinator = browser.new_context(base_url=live_server.url, locale="sv-SE")
    desk = coordinator.new_page()
    login(desk, "coordinator", DEMO_PASSWORD)
    desk.goto("/catalogue/accounts/")
    desk.locator("#id_kind").select_option(AccountRule.Kind.SUPPLIER)
    desk.locator("#id_supplier").select_option(str(relation.organisation_id))
    desk.locator("#id_account_code").fill("6110")
    desk.locator("#id_account_code").press("Enter")
    expect(desk.locator("table").first).to_contain_text(relation.organisation.name)
    coordinator.close()

    _phone_order(page, relation, anna.pk)
    expect(page.get_by_role("status")).to_contain_text(anna.get_full_name())

    approver_context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    approver = approver_context.new_page()
    login(approver, "approver", DEMO_PASSWORD)
    approver.goto("/ordering/approvals/")
    expect(approver.locator("body")).to_contain_text(
        re.compile("(registrerad av leverantören|registered by the supplier)")
    )
    expect(approver.locator("body")).to_contain_text(anna.get_full_name())
    approver_context.close()
