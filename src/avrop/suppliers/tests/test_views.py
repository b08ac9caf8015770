import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.core.models import OutboxMessage
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from avrop.suppliers import services
from avrop.suppliers.models import BankAccount, PortalInvitation, Supplier, SupplierContact
from avrop.suppliers.tests.factories import SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, make_member):
    user, organisation = make_member(Role.COORDINATOR)
    client.force_login(user)
    client.user, client.organisation = user, organisation
    return client


def test_new_supplier_screen_shows_field_errors(coordinator_client):
    url = reverse("suppliers:new")
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(
        url, {"name": "Fel AB", "country": "SE", "org_number": "556012-3457", "connection": "portal"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_org_number_helptext id_org_number_error"' in html
    assert 'aria-invalid="true"' in html
    assert "kontrollsiffran stämmer inte" in html and "Luhn" in html


def test_new_supplier_then_contacts_and_customer_numbers(coordinator_client):
    department = DepartmentFactory(organisation=coordinator_client.organisation, name="Köket")
    response = coordinator_client.post(
        reverse("suppliers:new"),
        {
            "name": "Nya Städ AB",
            "country": "SE",
            "org_number": "5560123456",
            "vat_number": "SE556012345601",
            "peppol_id": "",
            "connection": "email",
            "order_email": "order@nyastad.example",
        },
    )
    supplier = Supplier.objects.get(buyer=coordinator_client.organisation)
    assert response["Location"] == reverse("suppliers:detail", args=[supplier.pk])

    response = coordinator_client.post(
        reverse("suppliers:contact_add", args=[supplier.pk]),
        {"topic": "agreement", "name": "Maria Avtal", "email": "maria@nyastad.example", "add_another": "1"},
    )
    assert response["Location"] == reverse("suppliers:contact_add", args=[supplier.pk])
    contact = SupplierContact.objects.get()
    coordinator_client.post(
        reverse("suppliers:contact_edit", args=[contact.pk]), {"topic": "orders", "name": "Maria Order"}
    )
    contact.refresh_from_db()
    assert contact.name == "Maria Order"

    url = reverse("suppliers:customer_numbers", args=[supplier.pk])
    assert "Köket" in coordinator_client.get(url).content.decode()
    coordinator_client.post(url, {f"department_{department.pk}": "K-77"})
    assert supplier.customer_numbers.get().number == "K-77"

    html = coordinator_client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert "Maria Order" in html and "K-77" in html
    assert coordinator_client.get(reverse("suppliers:contacts")).status_code == 200

    coordinator_client.post(reverse("suppliers:contact_remove", args=[contact.pk]))
    assert not SupplierContact.objects.exists()


def test_bank_details_screen(coordinator_client, make_member):
    supplier = SupplierFactory(buyer=coordinator_client.organisation)
    url = reverse("suppliers:bank_account_add", args=[supplier.pk])
    response = coordinator_client.post(url, {"kind": "bankgiro", "number": "5050-1056"})
    assert response.status_code == 400 and "Luhn" in response.content.decode()
    coordinator_client.post(url, {"kind": "bankgiro", "number": "5050-1055"})
    account = BankAccount.objects.get()
    html = coordinator_client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert "5050-1055" in html and "⚠" in html
    assert f"{supplier.organisation.name}: Bankgiro 5050-1055" in coordinator_client.get("/").content.decode()
    # The person who entered them cannot verify them.
    response = coordinator_client.post(
        reverse("suppliers:bank_account_verify", args=[account.pk]), {"note": "x"}
    )
    assert response.status_code == 400
    clerk, _ = make_member(Role.AP_CLERK, organisation=coordinator_client.organisation)
    coordinator_client.force_login(clerk)
    coordinator_client.post(
        reverse("suppliers:bank_account_verify", args=[account.pk]), {"note": "Ringde växeln"}
    )
    account.refresh_from_db()
    assert account.status == "verified"


def test_invitation_screens_and_accept_page(
    coordinator_client, client, mailoutbox, django_capture_on_commit_callbacks
):
    supplier = SupplierFactory(buyer=coordinator_client.organisation)
    SupplierContactFactory(supplier=supplier, topic="ecommerce", email="ehandel@lev.example")
    url = reverse("suppliers:invitation_send", args=[supplier.pk])
    assert "ehandel@lev.example" in coordinator_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, {"email": "ehandel@lev.example"})
    assert OutboxMessage.objects.get().status == "sent"
    link = next(line for line in mailoutbox[0].body.splitlines() if "/suppliers/invitation/" in line)
    path = link.split("testserver", 1)[1]
    assert "ehandel@lev.example" in coordinator_client.get("/").content.decode()

    coordinator_client.logout()
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {
            "first_name": "Lev",
            "last_name": "Person",
            "username": "levperson",
            "password1": "ett-langt-losenord-9",
            "password2": "ett-annat-losenord-9",
        },
    )
    assert response.status_code == 400
    response = client.post(
        path,
        {
            "first_name": "Lev",
            "last_name": "Person",
            "username": "levperson",
            "password1": "ett-langt-losenord-9",
            "password2": "ett-langt-losenord-9",
        },
        follow=True,
    )
    assert response.context["user"].username == "levperson"
    assert response.context["active_organisation"] == supplier.organisation
    client.logout()
    used = client.get(path)
    assert used.status_code == 410 and "invitation_used" in used.content.decode()
    assert client.get("/suppliers/invitation/made-up-key/").status_code == 404
    assert PortalInvitation.objects.get().status == "accepted"


def test_guessed_ids_of_another_buyer_are_404(client, two_tenants):
    (user_a, _org_a), (user_b, org_b) = two_tenants
    theirs = SupplierFactory(buyer=org_b)
    contact = SupplierContactFactory(supplier=theirs)
    account = services.bank_account_register(
        actor=user_b, supplier=theirs, kind="bankgiro", number="5050-1055"
    )
    invitation, _key = services.portal_invitation_send(
        actor=user_b, supplier=theirs, email="x@y.example", base_url="http://t/"
    )
    client.force_login(user_a)
    for name, pk in [
        ("detail", theirs.pk),
        ("edit", theirs.pk),
        ("contact_add", theirs.pk),
        ("customer_numbers", theirs.pk),
        ("bank_account_add", theirs.pk),
        ("invitation_send", theirs.pk),
        ("contact_edit", contact.pk),
        ("contact_remove", contact.pk),
        ("bank_account_verify", account.pk),
    ]:
        assert client.get(reverse(f"suppliers:{name}", args=[pk])).status_code == 404, name
    for name, pk in [("bank_account_retire", account.pk), ("invitation_revoke", invitation.pk)]:
        assert client.post(reverse(f"suppliers:{name}", args=[pk])).status_code == 404, name


def test_supplier_user_cannot_reach_buyer_pages(client):
    relation = SupplierFactory()
    services.bank_account_register(actor=None, supplier=relation, kind="bankgiro", number="5050-1055")
    person = UserFactory()
    MembershipFactory(user=person, organisation=relation.organisation, role=Role.SUPPLIER_USER)
    client.force_login(person)
    html = client.get(reverse("suppliers:detail", args=[relation.pk])).content.decode()
    assert "5050-1055" not in html
    for name in ["edit", "contact_add", "customer_numbers", "bank_account_add", "invitation_send"]:
        assert client.get(reverse(f"suppliers:{name}", args=[relation.pk])).status_code == 403, name
    assert client.get(reverse("suppliers:new")).status_code == 403


def test_list_pages_query_count_does_not_grow(coordinator_client):
    organisation = coordinator_client.organisation

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert coordinator_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    SupplierContactFactory(supplier=SupplierFactory(buyer=organisation))
    urls = [reverse("suppliers:list"), reverse("suppliers:contacts")]
    for url in urls:
        count(url)
    few = [count(url) for url in urls]
    for _ in range(15):
        supplier = SupplierFactory(buyer=organisation)
        SupplierContactFactory(supplier=supplier, topic="ecommerce")
        SupplierContactFactory(supplier=supplier, topic="agreement")
    assert [count(url) for url in urls] == few


def test_expired_and_revoked_links_say_why(client, coordinator_client):
    import datetime as dt

    from django.utils import timezone

    supplier = SupplierFactory(buyer=coordinator_client.organisation)
    old, old_key = services.portal_invitation_send(
        actor=None, supplier=supplier, email="a@b.example", base_url="http://t/"
    )
    PortalInvitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    withdrawn, withdrawn_key = services.portal_invitation_send(
        actor=None, supplier=supplier, email="c@d.example", base_url="http://t/"
    )
    coordinator_client.post(reverse("suppliers:invitation_revoke", args=[withdrawn.pk]))
    coordinator_client.logout()
    expired = client.get(reverse("suppliers:invitation_accept", args=[old_key]))
    assert expired.status_code == 410 and "invitation_expired" in expired.content.decode()
    response = client.post(
        reverse("suppliers:invitation_accept", args=[old_key]),
        {
            "first_name": "A",
            "last_name": "B",
            "username": "ab",
            "password1": "ett-langt-losenord-9",
            "password2": "ett-langt-losenord-9",
        },
    )
    assert response.status_code == 410
    revoked = client.get(reverse("suppliers:invitation_accept", args=[withdrawn_key]))
    assert revoked.status_code == 410 and "invitation_revoked" in revoked.content.decode()


@pytest.mark.parametrize(
    ("kind", "landing"), [("supplier", "portal:customers"), ("service_partner", "core:home")]
)
def test_accepted_invitation_lands_where_the_organisation_works(client, make_member, kind, landing):
    from avrop.organisations.middleware import SESSION_KEY
    from avrop.organisations.tests.factories import OrganisationFactory

    relation = SupplierFactory(organisation=OrganisationFactory(kind=kind))
    _invitation, key = services.portal_invitation_send(
        actor=None, supplier=relation, email="ny@lev.example", base_url="http://t/"
    )
    response = client.post(
        reverse("suppliers:invitation_accept", args=[key]),
        {
            "first_name": "Ny",
            "last_name": "Person",
            "username": "ny.person",
            "password1": "ett-langt-losenord-9",
            "password2": "ett-langt-losenord-9",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(landing)
    assert client.session[SESSION_KEY] == relation.organisation.pk
