import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.agreements.tests.factories import AgreementFactory
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_swedish_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Logga in" in html


def test_wrong_password_gets_a_generic_message(client, make_member):
    user, _org = make_member(Role.REQUISITIONER)
    for username in (user.username, "nobody-by-that-name"):
        response = client.post(reverse("login"), {"username": username, "password": "wrong"})
        assert response.status_code == 200
        assert "Fel användarnamn eller lösenord" in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, make_member, settings):
    user, _org = make_member(Role.REQUISITIONER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    # Even the right password is refused while locked out.
    response = client.post(reverse("login"), {"username": user.username, "password": "secret-password-1"})
    assert response.status_code == 429
    assert "För många" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_leads_to_the_start_page(client, make_member):
    user, organisation = make_member(Role.REQUISITIONER)
    response = client.post(
        reverse("login"), {"username": user.username, "password": "secret-password-1"}, follow=True
    )
    assert response.status_code == 200
    assert organisation.name in response.content.decode()


def test_english_is_selectable(client, make_member):
    user, _org = make_member(Role.REQUISITIONER)
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Welcome" in html


def test_start_page_lists_the_roles_work(client, make_member):
    user, organisation = make_member(Role.COORDINATOR)
    DepartmentFactory(organisation=organisation, name="Köket på Solgården")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Köket på Solgården" in html
    assert "Avdelningar" in html


def test_start_page_query_count_does_not_grow_with_rows(client, make_member):
    user, organisation = make_member(Role.COORDINATOR)
    MembershipFactory(user=user, organisation=organisation, role=Role.REQUISITIONER)
    MembershipFactory(user=user, organisation=organisation, role=Role.PROCUREMENT_OFFICER)
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    DepartmentFactory(organisation=organisation)
    AgreementFactory(owner=organisation)
    count()  # the first request also writes the session
    few = count()
    for _ in range(25):
        DepartmentFactory(organisation=organisation)
        AgreementFactory(owner=organisation)
    assert count() == few


def test_switching_to_a_foreign_organisation_is_404(client, make_member):
    user, _org = make_member(Role.REQUISITIONER)
    foreign = OrganisationFactory()
    client.force_login(user)
    assert client.post(reverse("organisations:switch"), {"organisation": foreign.pk}).status_code == 404
    assert client.post(reverse("organisations:switch"), {"organisation": "not-a-number"}).status_code == 404


def test_switching_between_own_organisations(client, make_member):
    user, first = make_member(Role.REQUISITIONER)
    second = OrganisationFactory(name="Zeta kommun")
    MembershipFactory(user=user, organisation=second, role=Role.APPROVER)
    client.force_login(user)
    response = client.post(
        reverse("organisations:switch"), {"organisation": second.pk, "next": "/"}, follow=True
    )
    assert response.context["active_organisation"] == second
    assert response.context["active_roles"] == frozenset({Role.APPROVER})
    # An off-site "next" is ignored.
    response = client.post(
        reverse("organisations:switch"), {"organisation": first.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_pages_need_login(client):
    for url in [
        "/",
        reverse("organisations:departments"),
        reverse("agreements:list"),
        reverse("suppliers:list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_audit_log_needs_the_auditor_role(client, make_member):
    user, organisation = make_member(Role.REQUISITIONER)
    client.force_login(user)
    assert client.get(reverse("core:audit_log")).status_code == 403
    MembershipFactory(user=user, organisation=organisation, role=Role.AUDITOR)
    assert client.get(reverse("core:audit_log")).status_code == 200


def test_every_response_carries_a_request_id_and_security_headers(client):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="abc-12345678")
    assert response["X-Request-ID"] == "abc-12345678"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    bad = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>")
    assert bad["X-Request-ID"] != "<script>" and len(bad["X-Request-ID"]) == 32


def test_healthz(client, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        assert client.get("/healthz").json() == {"status": "ok"}
    assert "django_migrations" in captured.captured_queries[0]["sql"]


def test_healthz_fails_on_a_database_without_its_schema(client):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE django_migrations RENAME TO django_migrations_elsewhere")
    with pytest.raises(DatabaseError):
        client.get("/healthz")


def test_start_page_names_the_roles_in_this_organisation_without_a_trailing_comma(client):
    """A person with roles in two organisations: the start page names this organisation's roles only,
    each once, joined by commas (a membership of another organisation listed last left a dangling comma)."""
    from django.utils import translation

    from avrop.organisations.middleware import SESSION_KEY
    from avrop.organisations.tests.factories import UserFactory

    user = UserFactory()
    here, elsewhere = OrganisationFactory(), OrganisationFactory()
    MembershipFactory(user=user, organisation=here, role=Role.AP_CLERK)
    MembershipFactory(user=user, organisation=here, role=Role.AUDITOR)
    MembershipFactory(user=user, organisation=elsewhere, role=Role.COORDINATOR)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = here.pk
    session.save()
    with translation.override("en"):
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    lead = page[page.index('<p class="lead">') : page.index("</p>", page.index('<p class="lead">'))]
    assert here.name in lead and elsewhere.name not in lead
    assert not lead.rstrip().endswith(","), lead
    assert lead.count(",") == 1, lead
