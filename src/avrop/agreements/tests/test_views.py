import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.agreements import services
from avrop.agreements.models import Agreement, AgreementDocument, FollowUpMeeting
from avrop.agreements.tests.factories import AgreementFactory
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from avrop.suppliers.tests.factories import SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def coordinator_client(client, make_member):
    user, organisation = make_member(Role.COORDINATOR)
    client.force_login(user)
    client.user, client.organisation = user, organisation
    return client


def _form(supplier, **overrides):
    data = {
        "supplier": supplier.pk,
        "reference": "ÖK-2026-009",
        "title": "Frukt",
        "kind": "customer_specific",
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
        "payment_days": "30",
        "follow_up_meetings_per_year": "4",
        "delivery_days": "2",
        "consumables_business_days": "",
    }
    data.update(overrides)
    return data


def test_new_agreement_flow(coordinator_client):
    relation = SupplierFactory(buyer=coordinator_client.organisation)
    contact = SupplierContactFactory(supplier=relation, topic="agreement", name="Maria Avtal")
    url = reverse("agreements:new")
    assert relation.organisation.name in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url, _form(relation.organisation, valid_to="2025-01-01"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_valid_to_error"' in html and 'aria-describedby="id_valid_to_error"' in html
    response = coordinator_client.post(url, _form(relation.organisation))
    agreement = Agreement.objects.get()
    assert response["Location"] == reverse("agreements:detail", args=[agreement.pk])
    response = coordinator_client.post(url, _form(relation.organisation))
    assert response.status_code == 400 and 'id="id_reference_error"' in response.content.decode()

    detail = coordinator_client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert reverse("agreements:introduction", args=[agreement.pk]) in detail

    intro = reverse("agreements:introduction", args=[agreement.pk])
    assert f'value="{contact.pk}" selected' in coordinator_client.get(intro).content.decode()
    coordinator_client.post(intro, {"contact": contact.pk, "planned_on": "2026-01-15", "note": "Startmöte"})
    agreement.refresh_from_db()
    assert agreement.introduction_contact == contact

    coordinator_client.post(
        reverse("agreements:document_add", args=[agreement.pk]),
        {"file": SimpleUploadedFile("avtal.pdf", PDF), "title": "Avtalet", "kind": "contract"},
    )
    document = AgreementDocument.objects.get()
    download = coordinator_client.get(reverse("agreements:document", args=[document.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]

    response = coordinator_client.post(
        reverse("agreements:edit", args=[agreement.pk]), _form(relation.organisation, title="Frukt och grönt")
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Frukt och grönt"


def test_upload_errors_show_on_the_field(coordinator_client, settings):
    settings.AVROP_MAX_UPLOAD_BYTES = 100
    agreement = AgreementFactory(owner=coordinator_client.organisation)
    url = reverse("agreements:document_add", args=[agreement.pk])
    response = coordinator_client.post(
        url, {"file": SimpleUploadedFile("x.pdf", PDF * 20), "kind": "contract"}
    )
    assert response.status_code == 400 and 'id="id_file_error"' in response.content.decode()
    response = coordinator_client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ"), "kind": "contract"})
    assert response.status_code == 400 and ".exe" in response.content.decode()


def test_meeting_screens(coordinator_client):
    agreement = AgreementFactory(owner=coordinator_client.organisation, follow_up_meetings_per_year=4)
    url = reverse("agreements:meeting_add", args=[agreement.pk])
    coordinator_client.post(
        url,
        {
            "held_on": dt.date.today().isoformat(),
            "attendees": "SPOC, samordnare",
            "minutes": "Leveranstider följs upp.",
            "file": SimpleUploadedFile("protokoll.pdf", PDF),
        },
    )
    meeting = FollowUpMeeting.objects.get()
    assert meeting.document is not None
    html = coordinator_client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Leveranstider följs upp." in html
    coordinator_client.post(
        reverse("agreements:meeting_edit", args=[meeting.pk]),
        {"held_on": meeting.held_on.isoformat(), "attendees": "SPOC", "minutes": "Ändrat"},
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Ändrat"


def test_parties_and_department_restriction_screens(coordinator_client):
    owner = coordinator_client.organisation
    served = OrganisationFactory(served_by=owner, name="Betjänad myndighet")
    agreement = AgreementFactory(owner=owner)
    url = reverse("agreements:parties", args=[agreement.pk])
    assert "Betjänad myndighet" in coordinator_client.get(url).content.decode()
    coordinator_client.post(url, {"organisations": [served.pk]})
    assert agreement.parties.count() == 2
    own_party = agreement.parties.get(organisation=owner)
    kitchen = DepartmentFactory(organisation=owner, name="Köket")
    coordinator_client.post(
        reverse("agreements:party_restrict", args=[own_party.pk]), {"departments": [kitchen.pk]}
    )
    assert list(own_party.departments.all()) == [kitchen]
    other_party = agreement.parties.get(organisation=served)
    assert (
        coordinator_client.get(reverse("agreements:party_restrict", args=[other_party.pk])).status_code == 404
    )


def test_expiring_pages(coordinator_client):
    today = dt.date.today()
    soon = AgreementFactory(owner=coordinator_client.organisation, valid_to=today + dt.timedelta(days=60))
    later = AgreementFactory(owner=coordinator_client.organisation, valid_to=today + dt.timedelta(days=150))
    html90 = coordinator_client.get(reverse("agreements:expiring") + "?within=90").content.decode()
    html180 = coordinator_client.get(reverse("agreements:expiring") + "?within=180").content.decode()
    assert soon.reference in html90 and later.reference not in html90
    assert soon.reference in html180 and later.reference in html180


def test_foreign_and_party_agreements_cannot_be_changed(client, two_tenants):
    (user_a, org_a), (user_b, org_b) = two_tenants
    foreign = AgreementFactory(owner=org_b)
    shared = AgreementFactory(owner=org_b, parties=[org_a])
    document = services.agreement_document_attach(
        actor=user_b, agreement_id=foreign.pk, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    meeting = services.follow_up_meeting_record(
        actor=user_b, agreement_id=foreign.pk, held_on=foreign.valid_from, attendees="x"
    )
    client.force_login(user_a)
    for name in ["detail", "edit", "parties", "introduction", "document_add", "meeting_add"]:
        assert client.get(reverse(f"agreements:{name}", args=[foreign.pk])).status_code == 404, name
    assert client.get(reverse("agreements:document", args=[document.pk])).status_code == 404
    assert client.get(reverse("agreements:meeting_edit", args=[meeting.pk])).status_code == 404
    # A party reads the shared agreement but does not change it.
    assert client.get(reverse("agreements:detail", args=[shared.pk])).status_code == 200
    for name in ["edit", "parties", "document_add", "meeting_add"]:
        assert client.get(reverse(f"agreements:{name}", args=[shared.pk])).status_code == 404, name


def test_supplier_user_cannot_reach_buyer_pages(client):
    agreement = AgreementFactory()
    person = UserFactory()
    MembershipFactory(user=person, organisation=agreement.supplier, role=Role.SUPPLIER_USER)
    client.force_login(person)
    assert client.get(reverse("agreements:detail", args=[agreement.pk])).status_code == 200
    for name in ["edit", "document_add", "meeting_add", "introduction"]:
        assert client.get(reverse(f"agreements:{name}", args=[agreement.pk])).status_code == 403, name
    assert client.get(reverse("agreements:new")).status_code == 403


def test_list_pages_query_count_does_not_grow(coordinator_client):
    organisation = coordinator_client.organisation

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert coordinator_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add():
        agreement = AgreementFactory(owner=organisation, valid_to=dt.date.today() + dt.timedelta(days=30))
        services.follow_up_meeting_record(
            actor=None, agreement_id=agreement.pk, held_on=agreement.valid_from, attendees="x"
        )

    add()
    urls = [reverse("agreements:list"), reverse("agreements:expiring"), "/"]
    for url in urls:
        count(url)
    few = [count(url) for url in urls]
    for _ in range(12):
        add()
    assert [count(url) for url in urls] == few
