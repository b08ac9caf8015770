"""Coding a cart line with the picker in a real browser: typing part of a name offers the matching accounts
and cost centres by number and name, a chosen one is saved, and an unknown account is shown at its part."""

import re

import pytest
from playwright.sync_api import expect

from avrop.ordering import services
from avrop.ordering.tests.factories import build_world
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-password-1"  # the organisations UserFactory's password


def test_coding_a_line_with_the_picker(page, live_server, settings, tmp_path):
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build_world(items=1)
    item = world.items["peppol"][0]
    services.cart_add_items(actor=world.requisitioner, organisation=world.buyer, items=[(item.pk, 2)])
    line = services.cart_get(user=world.requisitioner, organisation=world.buyer).lines.get()

    login(page, world.requisitioner.username, PASSWORD)
    page.goto(f"/ordering/cart/lines/{line.pk}/coding/")
    account = page.locator('input[name="split-0-account"]')
    account.fill("")
    account.press_sequentially("livs", delay=50)
    options = page.locator("#coding-picker-account option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "5410")
    expect(options.first).to_have_text("5410 Livsmedel")
    account.fill("5410")

    centre = page.locator('input[name="split-0-cost_centre"]')
    centre.fill("")
    centre.press_sequentially("13", delay=50)
    expect(page.locator("#coding-picker-cost_centre option")).to_have_count(1)
    expect(page.locator("#coding-picker-cost_centre option").first).to_have_text("1300 Skola")
    centre.fill("1300")

    # A second part with an account that does not exist: the error is shown at that part's field.
    page.locator("#new-account").fill("9999")
    page.locator("#new-cc").fill("1300")
    page.locator('input[name="split-0-percent"]').fill("50")
    page.locator("#new-percent").fill("50")
    page.get_by_role("button", name=re.compile("Spara konteringen")).click()
    expect(page.locator("fieldset.split-row")).to_have_count(3)  # two parts and the new one, no empty part
    second = page.locator("fieldset.split-row").nth(1)
    expect(second.locator(".error")).to_contain_text("9999")
    expect(page.locator("fieldset.split-row").first.locator(".error")).to_have_count(0)

    second.locator('input[name$="-account"]').fill("6110")
    page.get_by_role("button", name=re.compile("Spara konteringen")).click()
    expect(page).to_have_url(re.compile("/ordering/cart/$"))
    assert sorted(line.splits.values_list("account", "cost_centre")) == [("5410", "1300"), ("6110", "1300")]
