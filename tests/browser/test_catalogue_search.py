"""Search worth using, in a real browser on the demo: the Katalog page finds copy paper despite a typo, shows
pictures, pages with "show more" and adds to the cart in place."""

import re

import pytest
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def search_demo(settings, tmp_path, transactional_db):
    import io

    from avrop.web.demo import load_all

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    load_all(io.StringIO())


def test_search_with_a_typo_shows_more_and_adds_to_the_cart_from_the_katalog_page(page, search_demo):
    login(page, "requisitioner", DEMO_PASSWORD)
    page.get_by_role("link", name="Katalog", exact=True).click()
    page.get_by_role("searchbox", name="Sök i katalogen").fill("pappr")  # a typo, no Enter: HTMX
    results = page.locator("#results")
    first = results.locator("li.result").first
    expect(first).to_contain_text("Kopieringspapper")
    expect(first.locator("img.thumb")).to_be_visible()
    assert serious_violations(page) == []

    before = results.locator("li.result").count()
    assert before == 20
    results.get_by_role("link", name="Visa fler").click()
    expect(results.locator("li.result")).not_to_have_count(before)
    assert results.locator("li.result").count() > before

    first.get_by_role("button", name=re.compile("Lägg .* i varukorgen")).click()
    expect(first.get_by_role("status")).to_contain_text(re.compile("Tillagd|Lagt till|i varukorgen"))
    page.goto("/ordering/cart/")
    expect(page.locator("main")).to_contain_text("Kopieringspapper")
