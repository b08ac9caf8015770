"""A price-list upload in a real browser: the page shows the comparison's progress with counts, updates
itself while the task runs and shows the result when it is done, without anyone reloading."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deferred_tasks(monkeypatch):
    """Tasks wait in the queue as in production (the test then plays the worker), instead of running at
    once."""
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "immediate", False)
    return HUEY


def test_price_list_upload_shows_progress_to_the_end(
    page, live_server, make_member, settings, tmp_path, deferred_tasks
):
    from django.test import Client

    from avrop.catalogue.models import CatalogueVersion
    from avrop.catalogue.services.imports import price_list_stage
    from avrop.catalogue.tests.factories import active_catalogue, csv_bytes, office_rows

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    coordinator, _requisitioner, _buyer, agreement = active_catalogue(make_member, 4)
    client = Client()
    client.force_login(coordinator)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    upload = tmp_path / "prislista.csv"
    upload.write_bytes(csv_bytes(office_rows(7)))

    page.goto("/catalogue/price-lists/upload/")
    page.get_by_label("Prislista").set_input_files(str(upload))
    page.get_by_role("button", name="Ladda upp").click()
    progress = page.locator("#price-list-progress")
    expect(progress).to_contain_text("Filen jämförs med den aktiva prislistan")
    expect(progress).to_contain_text("0 rader jämförda")
    expect(page.get_by_text("Ladda om")).to_have_count(0)

    version = CatalogueVersion.objects.get(agreement=agreement, status=CatalogueVersion.Status.RECEIVED)
    # The worker has read three of the seven rows: the page shows it on its next poll.
    CatalogueVersion.objects.filter(pk=version.pk).update(progress_done=3, progress_total=7)
    expect(progress).to_contain_text("3 av 7 rader jämförda")
    expect(page.locator("#price-list-progress-bar")).to_have_attribute("value", "42")

    price_list_stage(version_id=version.pk)  # the worker finishes
    summary = page.get_by_role("list", name="Sammanfattning")
    expect(summary).to_contain_text("7rader i filen", timeout=10000)
    expect(progress).to_have_count(0)
