"""Tenant isolation, generated: every URL pattern and every JSON API route that takes an id, requested by a
user of another organisation with ids of objects that organisation does not own, answers 404 (or 403, 405, a
redirect) – never 200 with another organisation's data, never 500.

The patterns are read at test time from ``django.urls.get_resolver()``, so a new page is covered the day it is
added. The world is the demo (``avrop.web.demo.load_all``: many organisations, objects of every kind) plus one
new buyer organisation whose user holds every buyer role and owns nothing, so every id it tries belongs to
somebody else. The ids are real: for a pattern in app X, the primary keys of X's models, those whose name
matches the URL's words first. Supplier users against buyer pages and supplier against supplier on the portal
are covered by ``avrop/portal/tests/test_security.py``; this test does not repeat them.

State-changing requests are probed the same way: the outsider POSTs a form-like payload to every pattern
with an id, and sends a body built from the OpenAPI schema to every API write route (POST/PUT/PATCH/DELETE)
with an id. Each must be refused, and must write nothing: the SQL of each request is captured and any
INSERT/UPDATE/DELETE on a business table fails the test, and the row count of every model is the same
before and after all of them.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
POSTS_PER_PATTERN = 2
# Tables any request may write without being a business action: the session, the login throttle's log, the
# shared cache, and the API token's "last used" time.
NOT_BUSINESS = {
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "avrop_cache",
    "core_apitoken",
}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# A form-like payload that a careless view would act on: a decision, a state, a quantity, a text.
FORM_PAYLOAD = {
    "action": "approve",
    "decision": "approve",
    "transition": "approve",
    "state": "approved",
    "status": "approved",
    "confirm": "1",
    "quantity": "1",
    "comment": "outsider",
    "text": "outsider",
    "name": "outsider",
    "reason": "outsider",
}
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


def _writes(queries: list[dict[str, Any]]) -> set[str]:
    """Business tables that the captured SQL wrote."""
    return {m.group(1).lower() for q in queries if (m := WRITE.match(q["sql"]))} - NOT_BUSINESS


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.db_table not in NOT_BUSINESS and model._meta.managed and not model._meta.proxy
    }


def _example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A value that satisfies the (OpenAPI 3) schema, so that the request gets past validation to the view."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components, depth + 1)
    for combined in ("anyOf", "oneOf", "allOf"):
        if schema.get(combined):
            options = [o for o in schema[combined] if o.get("type") != "null"] or schema[combined]
            return _example(options[0], components, depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {k: _example(v, components, depth + 1) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [] if depth > 4 else [_example(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return "1.00" if schema.get("format") == "decimal" else 1
    if kind == "boolean":
        return True
    formats = {"date": "2026-01-15", "date-time": "2026-01-15T10:00:00Z", "email": "outsider@example.com"}
    return formats.get(schema.get("format", ""), "outsider")


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
    # State-changing POSTs to the same patterns: refused, and nothing written.
    before = _row_counts()
    posted = 0
    for name, route, pattern, app_label in _patterns():
        if name in PUBLIC_BY_DESIGN:
            continue
        for value in _candidate_ids(app_label, route)[:POSTS_PER_PATTERN]:
            path = _path(route, pattern, value)
            with CaptureQueriesContext(connection) as ctx:
                response = client.post(path, FORM_PAYLOAD)
            posted += 1
            written = _writes(ctx.captured_queries)
            if response.status_code not in REFUSED or written:
                failures.append(f"POST {path} ({name}) → {response.status_code}, wrote {sorted(written)}")
                break
    assert not failures, "\n".join(failures)
    assert posted > 300
    assert _row_counts() == before
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
    # Every write route that takes an id, with a body valid for its schema, so that the view itself decides.
    components = schema.get("components", {}).get("schemas", {})
    before = _row_counts()
    writes, refused_by_view = 0, 0
    for route, operations in schema["paths"].items():
        if not re.findall(r"{(\w+)}", route):
            continue
        for method in ("post", "put", "patch", "delete"):
            if method not in operations:
                continue
            content = operations[method].get("requestBody", {}).get("content", {})
            body = _example(content["application/json"]["schema"], components) if content else None
            for value in _candidate_ids(route.split("/")[2], route)[:POSTS_PER_PATTERN]:
                path = re.sub(r"{\w+}", str(value), route)
                with CaptureQueriesContext(connection) as ctx:
                    response = getattr(client, method)(
                        path, body, content_type="application/json", headers=headers
                    )
                writes += 1
                refused_by_view += response.status_code in {403, 404}
                written = _writes(ctx.captured_queries)
                if response.status_code not in REFUSED or written:
                    failures.append(
                        f"{method.upper()} {path} → {response.status_code}, wrote {sorted(written)}"
                    )
    assert not failures, "\n".join(failures)
    assert writes >= 10
    # Most bodies passed validation, so the refusals come from the ownership checks, not from the schema.
    assert refused_by_view >= writes // 2, (
        f"only {refused_by_view} of {writes} refused as not found/forbidden"
    )
    assert _row_counts() == before
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
