"""The onboarding demo gives Fatima Lyreco something to do, and loading it twice adds nothing."""

import io

import pytest
from django.apps import apps
from django.urls import reverse

from avrop.organisations.models import User
from avrop.suppliers.models import BankChangeProposal, ContactNotification, CustomerNumber
from avrop.web.demo import load_all

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"organisations", "suppliers"}
    }


def test_demo_supplier_has_work_waiting_and_a_second_load_adds_nothing(client):
    load_all(io.StringIO())
    first = _counts()
    load_all(io.StringIO())
    assert _counts() == first

    proposal = BankChangeProposal.objects.get(organisation__name="Lyreco Sverige AB")
    assert proposal.status == "pending" and proposal.proposed_by.username == "lyreco.ekonomi"
    assert not CustomerNumber.objects.filter(department__name="Fritidsgården Bryggan").exists()
    assert ContactNotification.objects.filter(
        contact__supplier__organisation__name="Lyreco Sverige AB"
    ).exists()

    client.force_login(User.objects.get(username="supplier_user"))
    html = client.get(reverse("core:home")).content.decode()
    assert "Österlens kommun: Fritidsgården Bryggan" in html
    assert reverse("portal:bank_details") in html
    page = client.get(reverse("portal:bank_details"))
    assert page.context["pending"] == proposal and page.context["can_confirm"] is True
