import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from avrop.agreements import services
from avrop.agreements.models import AgreementDocument
from avrop.agreements.selectors import (
    agreements_follow_up_due,
    delivery_due_dates,
    follow_up_period,
    new_agreement_checklist,
)
from avrop.agreements.tests.factories import AgreementFactory
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.models import AuditEvent
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, OrganisationFactory
from avrop.suppliers.tests.factories import SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(make_member):
    return make_member(Role.COORDINATOR)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _create(user, owner, **overrides):
    data = {
        "supplier": OrganisationFactory(kind=Organisation.Kind.SUPPLIER),
        "reference": "ÖK-2026-001",
        "title": "Städmaterial",
        "valid_from": dt.date(2026, 1, 1),
        "valid_to": dt.date(2027, 12, 31),
        "delivery_days": 5,
        "consumables_business_days": 3,
        "follow_up_meetings_per_year": 4,
    }
    data.update(overrides)
    return services.agreement_create(actor=user, owner=owner, **data)


def test_create_and_update_are_audited(coordinator):
    user, owner = coordinator
    agreement = _create(user, owner)
    assert list(agreement.parties.values_list("organisation", flat=True)) == [owner.pk]
    services.agreement_update(actor=user, agreement_id=agreement.pk, title="Städ och hygien", delivery_days=3)
    agreement.refresh_from_db()
    assert agreement.title == "Städ och hygien" and agreement.supplier.kind == "supplier"
    event = AuditEvent.objects.get(action="agreement.update")
    assert event.before == {"title": "Städmaterial", "delivery_days": 5}
    assert event.after == {"title": "Städ och hygien", "delivery_days": 3}


def test_dates_out_of_order_and_duplicate_reference_are_field_errors(coordinator):
    user, owner = coordinator
    with pytest.raises(DomainError) as exc:
        _create(user, owner, valid_from=dt.date(2027, 1, 1), valid_to=dt.date(2026, 1, 1))
    assert exc.value.field == "valid_to" and "ends before it starts" in exc.value.message
    first = _create(user, owner)
    with pytest.raises(DomainError) as exc:
        _create(user, owner, reference="ök-2026-001 ")
    assert exc.value.field == "reference" and exc.value.code == "conflict"
    second = _create(user, owner, reference="ÖK-2026-002")
    with pytest.raises(DomainError) as exc:
        services.agreement_update(actor=user, agreement_id=second.pk, reference=first.reference)
    assert exc.value.field == "reference"
    with pytest.raises(DomainError) as exc:
        services.agreement_update(actor=user, agreement_id=second.pk, valid_to=dt.date(2025, 1, 1))
    assert exc.value.field == "valid_to"
    # Another organisation may use the same reference.
    other_user, other_owner = coordinator[0], OrganisationFactory()
    assert services.agreement_create(
        actor=None,
        owner=other_owner,
        supplier=first.supplier,
        reference=first.reference,
        title="x",
        valid_from=first.valid_from,
        valid_to=first.valid_to,
    )
    assert other_user


def test_requisitioners_cannot_register_agreements(make_member):
    user, owner = make_member(Role.REQUISITIONER)
    with pytest.raises(NotAllowed):
        _create(user, owner)


def test_parties_and_department_restriction(coordinator, make_member):
    user, owner = coordinator
    agreement = _create(user, owner)
    served = OrganisationFactory(served_by=owner)
    services.agreement_parties_set(actor=user, agreement_id=agreement.pk, organisations=[served])
    assert set(agreement.parties.values_list("organisation", flat=True)) == {owner.pk, served.pk}
    with pytest.raises(DomainError, match="cannot call off"):
        services.agreement_parties_set(
            actor=user,
            agreement_id=agreement.pk,
            organisations=[OrganisationFactory(kind=Organisation.Kind.SUPPLIER)],
        )
    # The party's own coordinator restricts it to some of its departments.
    party_user, _ = make_member(Role.COORDINATOR, organisation=served)
    party = agreement.parties.get(organisation=served)
    kitchen = DepartmentFactory(organisation=served)
    services.agreement_party_restrict(actor=party_user, party_id=party.pk, departments=[kitchen])
    assert list(party.departments.all()) == [kitchen]
    with pytest.raises(DomainError, match="another organisation"):
        services.agreement_party_restrict(
            actor=party_user, party_id=party.pk, departments=[DepartmentFactory()]
        )
    with pytest.raises(NotFound):  # the owner does not decide the party's departments
        services.agreement_party_restrict(actor=user, party_id=party.pk, departments=[])
    services.agreement_parties_set(actor=user, agreement_id=agreement.pk, organisations=[])
    assert list(agreement.parties.values_list("organisation", flat=True)) == [owner.pk]


def test_introduction_plan_needs_the_suppliers_contact(coordinator):
    user, owner = coordinator
    agreement = _create(user, owner)
    relation = SupplierFactory(buyer=owner, organisation=agreement.supplier)
    contact = SupplierContactFactory(supplier=relation, topic="agreement")
    assert new_agreement_checklist(agreement, document_count=0)[0].status == "todo"
    services.agreement_introduction_plan(
        actor=user,
        agreement_id=agreement.pk,
        contact=contact,
        planned_on=dt.date(2026, 2, 3),
        note="Startmöte på plats",
    )
    agreement.refresh_from_db()
    steps = new_agreement_checklist(agreement, document_count=1)
    assert [s.status for s in steps] == ["done", "done", "later", "later"]
    assert contact.name in steps[0].detail
    with pytest.raises(DomainError) as exc:
        services.agreement_introduction_plan(
            actor=user, agreement_id=agreement.pk, contact=SupplierContactFactory(), planned_on=None, note="x"
        )
    assert exc.value.field == "contact"


def test_document_is_stored_with_its_hash(coordinator, settings):
    user, owner = coordinator
    agreement = _create(user, owner)
    document = services.agreement_document_attach(
        actor=user,
        agreement_id=agreement.pk,
        upload=SimpleUploadedFile("Avtal ÖK.pdf", PDF),
        title="",
    )
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.title == "Avtal ÖK.pdf" and document.content_type == "application/pdf"
    assert document.file.name == f"agreements/{agreement.pk}/{document.sha256}"
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    assert AuditEvent.objects.filter(action="agreement.document_attach").exists()


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("avtal.exe", b"MZ\x90\x00", "not accepted"),
        ("avtal.pdf", b"<html>not a pdf</html>", "not a .pdf file"),
        ("bild.png", PDF, "not a .png file"),
        ("lista.csv", b"\xff\xfe\x00b\x00a\x00d" * 10, "UTF-8"),
        ("tom.pdf", b"", "empty"),
        ("stor.pdf", PDF + b"x" * 2000, "too big"),
    ],
)
def test_uploads_of_wrong_type_or_size_are_refused(coordinator, settings, name, content, text):
    settings.AVROP_MAX_UPLOAD_BYTES = 1000
    user, owner = coordinator
    agreement = _create(user, owner)
    with pytest.raises(DomainError) as exc:
        services.agreement_document_attach(
            actor=user, agreement_id=agreement.pk, upload=SimpleUploadedFile(name, content)
        )
    assert exc.value.field == "file" and text in exc.value.message
    assert not AgreementDocument.objects.exists()


def test_follow_up_meetings_and_the_due_list(coordinator):
    user, owner = coordinator
    agreement = _create(user, owner, valid_from=dt.date(2025, 1, 1))
    half_yearly = _create(
        user, owner, reference="HALV", follow_up_meetings_per_year=2, valid_from=dt.date(2025, 1, 1)
    )
    _create(user, owner, reference="NONE", follow_up_meetings_per_year=0, valid_from=dt.date(2025, 1, 1))
    today = dt.date(2026, 5, 20)
    assert follow_up_period(today, 4) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert follow_up_period(today, 2) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert follow_up_period(dt.date(2026, 12, 31), 4) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert follow_up_period(today, 1) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    due = agreements_follow_up_due(user=user, organisation=owner, today=today)
    assert {a.reference for a in due} == {"ÖK-2026-001", "HALV"}

    services.follow_up_meeting_record(
        actor=user,
        agreement_id=agreement.pk,
        held_on=dt.date(2026, 3, 30),
        attendees="SPOC, samordnare",
        minutes="Q1",
    )
    services.follow_up_meeting_record(
        actor=user,
        agreement_id=half_yearly.pk,
        held_on=dt.date(2026, 2, 2),
        attendees="Leverantör",
        upload=SimpleUploadedFile("protokoll.pdf", PDF),
    )
    due = agreements_follow_up_due(user=user, organisation=owner, today=today)
    assert [a.reference for a in due] == ["ÖK-2026-001"]  # the Q1 meeting does not count for Q2
    meeting = services.follow_up_meeting_record(
        actor=user, agreement_id=agreement.pk, held_on=dt.date(2026, 4, 15), attendees="SPOC"
    )
    assert agreements_follow_up_due(user=user, organisation=owner, today=today) == []
    assert half_yearly.meetings.get().document.kind == AgreementDocument.Kind.MINUTES

    services.follow_up_meeting_update(
        actor=user,
        meeting_id=meeting.pk,
        held_on=dt.date(2026, 4, 16),
        attendees="SPOC, SDM",
        minutes="Genomgång av SLA",
    )
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.attendees) == (dt.date(2026, 4, 16), "SPOC, SDM")
    with pytest.raises(DomainError) as exc:
        services.follow_up_meeting_record(
            actor=user, agreement_id=agreement.pk, held_on=dt.date(2024, 1, 1), attendees="x"
        )
    assert exc.value.field == "held_on"
    with pytest.raises(DomainError) as exc:
        services.follow_up_meeting_record(actor=user, agreement_id=agreement.pk, held_on=today, attendees=" ")
    assert exc.value.field == "attendees"


def test_delivery_due_dates_count_business_days():
    agreement = AgreementFactory.build(delivery_days=21, consumables_business_days=3)
    # Thursday before midsummer: midsummer eve (Fri 19 June 2026) is no business day in Sweden.
    due = delivery_due_dates(agreement, dt.date(2026, 6, 18))
    assert due == {"delivery": dt.date(2026, 7, 9), "consumables": dt.date(2026, 6, 24)}
    assert delivery_due_dates(AgreementFactory.build(), dt.date(2026, 6, 18)) == {}


def test_the_same_file_is_stored_once(coordinator):
    user, owner = coordinator
    agreement = _create(user, owner)
    first = services.agreement_document_attach(
        actor=user, agreement_id=agreement.pk, upload=SimpleUploadedFile("a.pdf", PDF), title="Avtal"
    )
    second = services.agreement_document_attach(
        actor=user, agreement_id=agreement.pk, upload=SimpleUploadedFile("kopia.pdf", PDF), title="Kopia"
    )
    assert first.pk != second.pk and first.file.name == second.file.name
    assert len(list(Path(first.file.path).parent.iterdir())) == 1
