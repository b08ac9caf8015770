"""The supplier's catalogue in the portal, in a real browser: Fatima at Lyreco uploads next month's price list
as CSV, sees it checked and waiting for the buyer's review, finds the rejected one with the coordinator's
reason, and adds a keyword in the shop window. axe finds no serious or critical problem on these pages."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue_demo(settings, tmp_path, transactional_db):
    import io

    from avrop.web.demo import load_all

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    load_all(io.StringIO())
    return tmp_path


def _next_month_csv() -> bytes:
    """Lyreco's list with one price 2 % up and a new label printer."""
    from avrop.catalogue.demo import _csv, _rows

    rows = _rows("Lyreco Sverige AB")
    rows[0][9] = f"{Decimal(rows[0][9].replace(',', '.')) * Decimal('1.02'):.2f}".replace(".", ",")
    rows.append(
        [
            "LYR-99001",
            "",
            "Etikettskrivare Dymo LabelManager 160",
            "Etikettskrivare för kontoret.",
            "Dymo",
            "43212100",
            "Kontorsutrustning",
            "EA",
            "",
            "499,00",
            "25",
            "3",
            "etiketter",
            "",
        ]
    )
    return _csv(rows)


def _label(text) -> str:
    from django.utils import translation

    with translation.override("sv"):
        return str(text)


def test_supplier_uploads_a_price_list_and_sees_its_review(page, catalogue_demo):
    from avrop.catalogue.models import CatalogueVersion
    from avrop.portal.demo_catalogue import REJECTION_REASON

    login(page, "supplier_user", DEMO_PASSWORD)
    page.goto("/portal/catalogue/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("ÖK-2025-002")
    assert serious_violations(page) == []

    # The rejected price list with the coordinator's reason.
    page.goto("/portal/catalogue/?status=rejected")
    expect(page.get_by_role("main")).to_contain_text(REJECTION_REASON[:60])
    rejected = CatalogueVersion.objects.get(inbound_file__filename="lyreco-prislista-portal.csv")
    page.goto(f"/portal/catalogue/price-lists/{rejected.pk}/")
    expect(page.get_by_role("alert").filter(has_text=REJECTION_REASON[:40])).to_be_visible()
    assert serious_violations(page) == []

    page.goto("/portal/catalogue/")
    page.get_by_role("link", name=re.compile("Ladda upp en prislista|Upload a price list")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Ladda upp en prislista|Upload a price list")
    )
    assert serious_violations(page) == []
    from avrop.agreements.models import Agreement

    agreement = Agreement.objects.get(reference="ÖK-2025-002", supplier__name="Lyreco Sverige AB")
    page.get_by_label(re.compile("^(Avtal|Agreement)")).select_option(value=str(agreement.pk))
    page.get_by_label(re.compile("^(Prislista|Price list)")).set_input_files(
        files=[{"name": "lyreco-december.csv", "mimeType": "text/csv", "buffer": _next_month_csv()}]
    )
    page.get_by_role("button", name=re.compile("^(Ladda upp|Upload)$")).click()

    version = CatalogueVersion.objects.filter(inbound_file__filename="lyreco-december.csv").get()
    expect(page).to_have_url(re.compile(rf"/portal/catalogue/price-lists/{version.pk}/"))
    waiting = _label(CatalogueVersion.Status.REVIEW.label)
    received = _label(CatalogueVersion.Status.RECEIVED.label)
    # Staging runs after commit; the page shows either state and, once staged, the review result.
    state = page.locator("#review-state")
    expect(state).to_have_text(re.compile(f"{waiting}|{received}"))
    if received in state.inner_text():
        page.reload()
    expect(state).to_contain_text(waiting)
    version.refresh_from_db()
    assert version.status == CatalogueVersion.Status.REVIEW
    assert version.inbound_file.channel == "portal"
    assert (version.added, version.changed) == (1, 1)
    page.get_by_role("link", name=re.compile("Tillagda|Added")).click()
    expect(page.get_by_role("table")).to_contain_text("Etikettskrivare Dymo LabelManager 160")
    assert serious_violations(page) == []

    # The start page lists it as waiting for the buyer.
    page.goto("/")
    expect(page.get_by_role("main")).to_contain_text("ÖK-2025-002")


def test_shop_window_keywords_and_pictures(page, catalogue_demo):
    from avrop.catalogue.models import CatalogueItem

    item = (
        CatalogueItem.objects.filter(supplier__name="Lyreco Sverige AB", name="Kopieringspapper A4 80 g vitt")
        .exclude(image="")
        .exclude(shop_keywords="")
        .order_by("pk")
        .first()
    )
    assert item is not None
    assert item.image and item.shop_keywords  # from the portal's demo data
    login(page, "supplier_user", DEMO_PASSWORD)
    page.goto("/portal/catalogue/items/")
    assert serious_violations(page) == []
    page.goto(f"/portal/catalogue/items/{item.pk}/")
    expect(page.get_by_role("img", name=item.name)).to_be_visible()
    assert serious_violations(page) == []
    field = page.get_by_label(re.compile("Dina extra sökord|Your extra keywords"))
    field.fill(item.shop_keywords + ", kontorspapper")
    page.get_by_role("button", name=re.compile("Spara sökord|Save keywords")).click()
    expect(page.locator("dl.facts")).to_contain_text("kontorspapper")
    item.refresh_from_db()
    assert item.shop_keywords.endswith("kontorspapper")
