import pytest

from avrop.agreements.tests.factories import AgreementFactory
from avrop.core.models import ApiToken
from avrop.core.tokens import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_for(two_tenants):
    def make(user, organisation):
        _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="ERP")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


def test_api_needs_a_token(client):
    assert client.get("/api/agreements/").status_code == 401
    assert client.get("/api/agreements/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_api_is_scoped_like_the_pages(client, two_tenants, token_for):
    (user_a, org_a), (_user_b, org_b) = two_tenants
    own = AgreementFactory(owner=org_a)
    foreign = AgreementFactory(owner=org_b)
    headers = token_for(user_a, org_a)
    listed = client.get("/api/agreements/", **headers).json()
    assert [a["reference"] for a in listed] == [own.reference]
    assert client.get(f"/api/agreements/{own.pk}", **headers).status_code == 200
    response = client.get(f"/api/agreements/{foreign.pk}", **headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_only_the_hash_is_stored_and_revocation_works(client, two_tenants, token_for):
    (user_a, org_a), _ = two_tenants
    headers = token_for(user_a, org_a)
    key = headers["HTTP_AUTHORIZATION"].split()[1]
    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.prefix) and token.prefix == key[:8]
    assert client.get("/api/agreements/", **headers).status_code == 200
    token.revoked_at = token.created_at
    token.save()
    assert client.get("/api/agreements/", **headers).status_code == 401


def test_token_stops_working_when_membership_ends(client, two_tenants, token_for):
    (user_a, org_a), _ = two_tenants
    headers = token_for(user_a, org_a)
    user_a.memberships.update(is_active=False)
    assert client.get("/api/agreements/", **headers).status_code == 401


def test_openapi_docs_are_served(client):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/agreements/" in schema["paths"]


def test_every_api_schema_has_its_own_name():
    """The OpenAPI document names a schema by its class name only, so two classes of one name in two apps
    would share one definition and one of them would be documented wrong."""
    from ninja import Schema

    import avrop.web.api  # noqa: F401  (imports every router and with it every schema)

    seen: dict[str, str] = {}
    duplicates = []
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("avrop."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if seen.setdefault(cls.__name__, where) != where:
            duplicates.append((seen[cls.__name__], where))
    assert not duplicates
