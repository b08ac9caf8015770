"""Tenant isolation, generated: every URL pattern and every JSON API route that takes an id, requested by a
user of another organisation with ids of objects that organisation does not own, answers 404 (or 403, 405, a
redirect) – never 200 with another organisation's data, never 500.

The patterns are read at test time from ``django.urls.get_resolver()``, so a new page is covered the day it is
added. The world is the demo (``avrop.web.demo.load_all``: many organisations, objects of every kind) plus one
new buyer organisation whose user holds every buyer role and owns nothing, so every id it tries belongs to
somebody else. The ids are real: for a pattern in app X, the primary keys of X's models, those whose name
matches the URL's words first. Supplier users against buyer pages and supplier against supplier on the portal
are covered by ``avrop/portal/tests/test_security.py``; this test does not repeat them.
"""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from avrop.core.tokens import api_token_create
from avrop.organisations.models import Membership, Organisation
from avrop.organisations.roles import BUYER_ROLES
from avrop.organisations.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# Namespaces not probed here: the operator admin (staff only, by design all tenants), the supplier portal
# (its own generated test), and the JSON API (probed below with a token).
SKIPPED_NAMESPACES = {"admin", "portal", "api"}

# Patterns public by design, each with the reason.
PUBLIC_BY_DESIGN = {
    "password_reset_confirm": "the uid and token are checked by Django; a wrong pair shows 'link invalid'",
    "suppliers:invitation_accept": "the invitation's secret key from the e-mail is the credential",
    "catalogue:punch_out_return": "the supplier's shop posts back with the session's secret punch-out token",
    "catalogue:demo_shop": "the demo punch-out shop's static pages: no tenant data",
    "ordering:approve_link": "a one-time signed approval link from the e-mail; the token is the credential",
    "ordering:punch_out_review": "the cart of the user's own punch-out session, found by its secret token",
    "organisations:coding_picker": "the key names a coding dimension (a fixed list), not an object",
    "web:set_language": "no object",
}
# Status codes that show nothing of the object.
REFUSED = {301, 302, 303, 400, 403, 404, 405, 410, 422}
IDS_PER_PATTERN = 6
# String arguments that are not ids: a format or a kind from a fixed list.
STRING_VALUES = {"fmt": "csv", "kind": "order", "action": "approve", "key": "x", "token": "x"}


def _patterns() -> list[tuple[str, str, URLPattern, str]]:
    """(name, route template, pattern, app label) of every named pattern with an argument."""
    found = []

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or namespace
                if inner in SKIPPED_NAMESPACES:
                    continue
                walk(entry, prefix + str(entry.pattern), inner)
            elif entry.name and getattr(entry.pattern, "converters", {}):
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.append((name, prefix + str(entry.pattern), entry, (namespace or "").split(":")[0]))

    walk(get_resolver(), "/", None)
    return found


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _candidate_ids(app_label: str, route: str) -> list[int]:
    """Primary keys of existing objects of the app's models, models named like the route's words first."""
    words = {_stem(w) for w in re.split(r"[/_\-<>:]+", route) if w and not w.startswith(("int", "str"))}
    try:
        models = list(apps.get_app_config(app_label).get_models())
    except LookupError:
        models = []
    models.sort(key=lambda m: not any(w and w in m.__name__.lower() for w in words))
    ids: list[int] = []
    for model in models:
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:2]:
            if isinstance(pk, int) and pk not in ids:
                ids.append(pk)
        if len(ids) >= IDS_PER_PATTERN:
            break
    return ids[:IDS_PER_PATTERN] or [1, 2, 3]


def _path(route: str, pattern: URLPattern, value: int) -> str:
    converters = pattern.pattern.converters
    path = route
    for key, converter in converters.items():
        text = str(value) if isinstance(converter, IntConverter) else STRING_VALUES.get(key, str(value))
        path = re.sub(rf"<(?:\w+:)?{key}>", text, path)
    return path


@pytest.fixture
def outsider(settings, tmp_path):
    """The demo world, and a user of a new buyer organisation holding every buyer role, owning nothing."""
    from avrop.web.demo import load_all

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    load_all(io.StringIO())
    organisation = OrganisationFactory(name="Outsider kommun", kind=Organisation.Kind.BUYER)
    user = UserFactory(username="outsider")
    for role in BUYER_ROLES:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user, organisation


def _owner():
    """A demo buyer user with every buyer role in its own organisation: sees what the outsider may not."""
    memberships = Membership.objects.select_related("user", "organisation")
    owner = memberships.filter(user__username="coordinator").first()
    assert owner is not None
    for role in BUYER_ROLES:
        Membership.objects.get_or_create(user=owner.user, organisation=owner.organisation, role=role)
    return owner.user, owner.organisation


def test_another_organisation_gets_no_object_of_any_page(client, outsider):
    user, _organisation = outsider
    client.force_login(user)
    failures, probed = [], set()
    for name, route, pattern, app_label in _patterns():
        if name in PUBLIC_BY_DESIGN:
            continue
        probed.add(name)
        for value in _candidate_ids(app_label, route):
            path = _path(route, pattern, value)
            response = client.get(path)
            if response.status_code not in REFUSED:
                failures.append(f"GET {path} ({name}) → {response.status_code}")
                break
    assert not failures, "\n".join(failures)
    assert len(probed) > 150  # the walk really found the application's pages
    # The paths are real: the objects' owner opens many of them, so the refusals above mean something.
    owner, _owner_organisation = _owner()
    client.force_login(owner)
    opened = set()
    for name, route, pattern, app_label in _patterns():
        if name in probed and len(opened) < 25:
            for value in _candidate_ids(app_label, route):
                if client.get(_path(route, pattern, value)).status_code == 200:
                    opened.add(name)
                    break
    assert len(opened) >= 25, sorted(opened)


def test_another_organisation_gets_no_object_through_the_api(client, outsider):
    user, organisation = outsider
    _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="outsider")
    headers = {"Authorization": f"Bearer {key}"}
    schema = client.get("/api/openapi.json", headers=headers).json()
    failures, probed = [], 0
    for route, operations in schema["paths"].items():
        arguments = re.findall(r"{(\w+)}", route)
        if not arguments or "get" not in operations:
            continue
        app_label = route.split("/")[2]
        probed += 1
        for value in _candidate_ids(app_label, route):
            path = re.sub(r"{\w+}", str(value), route)
            response = client.get(path, headers=headers)
            if response.status_code not in REFUSED:
                failures.append(f"GET {path} → {response.status_code}")
                break
    assert not failures, "\n".join(failures)
    assert probed >= 10
    owner, owner_organisation = _owner()
    _token, owner_key = api_token_create(
        actor=owner, user=owner, organisation=owner_organisation, name="owner"
    )
    opened = 0
    for route, operations in schema["paths"].items():
        if re.findall(r"{(\w+)}", route) and "get" in operations:
            for value in _candidate_ids(route.split("/")[2], route):
                path = re.sub(r"{\w+}", str(value), route)
                if client.get(path, headers={"Authorization": f"Bearer {owner_key}"}).status_code == 200:
                    opened += 1
                    break
    assert opened >= 5, f"the owner opened only {opened} API routes with the probed ids"
