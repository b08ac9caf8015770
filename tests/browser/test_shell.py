"""The web shell in a real browser: log in, Swedish by default, switch to English, log out, accessibility."""

import re

import pytest
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_requisitioner_logs_in_switches_language_and_logs_out(page, demo_data):
    login(page, "requisitioner", DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Anna")
    expect(page.get_by_role("heading", name=re.compile("Dina avdelningar"))).to_be_visible()
    expect(page.get_by_role("link", name="Solgårdens äldreboende")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Anna")
    expect(page.get_by_role("heading", name=re.compile("Suppliers you can order from"))).to_be_visible()

    page.get_by_role("button", name=re.compile("Log out")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to avrop")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


def test_wrong_password_is_told_without_detail(page, demo_data):
    login(page, "requisitioner", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Fel användarnamn eller lösenord")
    expect(page.get_by_label("Användarnamn")).to_have_attribute("aria-invalid", "true")


def test_ap_clerk_switches_organisation(page, demo_data):
    login(page, "ap_clerk", DEMO_PASSWORD)
    switcher = page.get_by_label("Organisation")
    expect(switcher).to_be_visible()
    switcher.select_option(label="Myndigheten för kustmiljö")
    page.get_by_role("button", name="Byt").click()
    expect(page.locator(".lead")).to_contain_text("Myndigheten för kustmiljö")


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (None, ["/login/", "/password_reset/"]),
        ("coordinator", ["/", "/organisations/departments/", "/suppliers/", "/agreements/"]),
        ("requisitioner", ["/"]),
        ("auditor", ["/audit/"]),
        ("supplier_user", ["/", "/suppliers/"]),
    ],
)
def test_pages_have_no_serious_accessibility_violations(page, demo_data, username, paths):
    if username:
        login(page, username, DEMO_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    for path in paths:
        page.goto(path)
        assert serious_violations(page) == [], path
    if username == "coordinator":
        page.get_by_role("link", name="Avdelningar").first.click()
        page.get_by_role("link", name="Solgårdens äldreboende").click()
        assert serious_violations(page) == []
        page.goto("/agreements/")
        page.get_by_role("link").filter(has_text="ÖK-2025-002").click()
        assert serious_violations(page) == []


def test_keyboard_user_can_skip_to_content(page, demo_data):
    login(page, "coordinator", DEMO_PASSWORD)
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
