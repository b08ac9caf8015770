"""Portal-wide security: supplier users against buyer pages, two suppliers guessing each other's ids on every
portal route, login throttling, and an audit event for every portal POST that changes anything.

The routes are read at test time (``avrop.portal.urls.urlpatterns`` and the buyer apps' url modules), and the
ids are the real ones of the demo data, found by following the links and forms of the pages as their owner
sees them. A route with an id that no page links to is probed with ids until its owner's object answers; a
route for which neither supplier has any object fails the test by name, so nothing is skipped silently.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter

from avrop.edi.tests._standards import STANDARDS
from avrop.organisations.models import Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BUYER_NAMESPACES = ("ordering", "payables", "catalogue", "organisations", "agreements", "cases", "suppliers")
BUYER_USERS = ("coordinator", "requisitioner", "approver", "ap_clerk", "procurement_officer", "admin")
PORTAL_ROLES = (Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN)
# Tables a request may write without being a business action.
NOT_BUSINESS = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
AUDIT_TABLE = "core_auditevent"
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
MAX_PROBE_ID = 80


# --- reading pages --------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Links and forms of one page; a form's fields with the values it would submit untouched."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        if (tag == "a" and a.get("href")) or (tag == "img" and a.get("src")):
            self.links.append(a.get("href") or a["src"])
        elif tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("file", "submit", "image", "reset"):
                return
            self._form["fields"].setdefault(a["name"], a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._form["fields"].setdefault(a["name"], a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            fields = self._form["fields"]
            if self._select not in fields or "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _route(path: str) -> tuple[str, dict] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if not match.namespace:
        return None
    return f"{match.namespace}:{match.url_name}", match.kwargs


@dataclass
class Crawl:
    """What a user reaches from the pages of some namespaces: route → paths (GET) and posted forms."""

    gets: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    posts: dict[str, list[tuple[str, dict]]] = field(default_factory=lambda: defaultdict(list))

    def paths(self) -> set[str]:
        return {p for paths in self.gets.values() for p in paths} | {
            p for forms in self.posts.values() for p, _ in forms
        }


def crawl(
    client, user, namespaces: tuple[str, ...], *, max_pages: int = 400, per_route: int = 2, visits: int = 8
) -> Crawl:
    """Follow links (with their query: tabs and pages count) breadth-first, at most ``visits`` per route."""
    client.force_login(user)
    result = Crawl()
    queue = [path for path, _name in _plain_routes(namespaces)]
    seen: set[str] = set()
    queued: dict[str, int] = defaultdict(int)
    while queue and len(seen) < max_pages:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = _Page()
        page.feed(response.content.decode())
        for href in page.links:
            full = urljoin(url, href).split("#")[0]
            parts = urlsplit(full)
            if parts.netloc and parts.netloc != "testserver":
                continue
            target = parts.path
            found = _route(target)
            if found is None or found[0].split(":")[0] not in namespaces:
                continue
            name = found[0]
            if target not in result.gets[name] and len(result.gets[name]) < per_route:
                result.gets[name].append(target)
            local = target + (f"?{parts.query}" if parts.query else "")
            if local not in seen and queued[name] < visits:
                queued[name] += 1
                queue.append(local)
        for form in page.forms:
            if form["method"] != "post":
                continue
            target = urlsplit(urljoin(path, form["action"] or path)).path
            found = _route(target)
            if found is None or found[0].split(":")[0] not in namespaces:
                continue
            posted = result.posts[found[0]]
            if len(posted) < per_route and all(t != target for t, _ in posted):
                posted.append((target, form["fields"]))
    return result


# --- routes ---------------------------------------------------------------------------------------------


def _patterns(namespace: str) -> list[URLPattern]:
    resolver = get_resolver()
    prefix, sub = resolver.namespace_dict[namespace]
    result = []

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif p.name:
                result.append(p)

    walk(sub.url_patterns)
    return result


def _portal_patterns() -> list[URLPattern]:
    from avrop.portal import urls

    return [p for p in urls.urlpatterns if isinstance(p, URLPattern) and p.name]


def _converters(pattern: URLPattern) -> dict:
    return getattr(pattern.pattern, "converters", {})


def _plain_routes(namespaces: tuple[str, ...]) -> list[tuple[str, str]]:
    """Paths of the routes without arguments."""
    routes = []
    for namespace in namespaces:
        for pattern in _patterns(namespace):
            if not _converters(pattern) and not pattern.pattern.regex.groups:
                routes.append((reverse(f"{namespace}:{pattern.name}"), f"{namespace}:{pattern.name}"))
    return routes


def _with_id(namespace: str, pattern: URLPattern, value: int) -> str:
    kwargs = {
        key: value if isinstance(conv, IntConverter) else "csv" for key, conv in _converters(pattern).items()
    }
    return reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)


def _open(client, path: str, method: str = "", data: dict | None = None):
    """GET, or POST when asked or when the route answers GET with 405."""
    if method != "post":
        response = client.get(path)
        if response.status_code != 405:
            return response, "get"
    return client.post(path, data or {}), "post"


# --- the world -------------------------------------------------------------------------------------------


@pytest.fixture
def demo(settings, tmp_path):
    from avrop.web.demo import load_all

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    load_all(io.StringIO())


def _portal_user(organisation: Organisation, username: str) -> User:
    """A user holding every portal role in the supplier organisation, so no role check hides a scoping bug."""
    user = User.objects.filter(username=username).first() or UserFactory.create(username=username)
    for role in PORTAL_ROLES:
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user


T19_EXAMPLE = STANDARDS / "peppol-poacc" / "examples" / "bis" / "Catalogue_Example.xml"


@pytest.fixture
def two_suppliers(demo):
    lyreco = Organisation.objects.get(name="Lyreco Sverige AB")
    staples = Organisation.objects.get(name="Staples Sverige AB")
    staples_user = _portal_user(staples, "staples_portal")
    _send_failing_peppol_catalogue(staples_user, staples)
    return (_portal_user(lyreco, "supplier_user"), lyreco), (staples_user, staples)


def _send_failing_peppol_catalogue(user: User, supplier: Organisation) -> None:
    """A Peppol Catalogue without issue date: it fails validation and gets a Catalogue Response."""
    from avrop.agreements.models import Agreement
    from avrop.catalogue.services import imports

    data = T19_EXAMPLE.read_bytes().replace(b"<cbc:IssueDate>2016-08-01</cbc:IssueDate>", b"")
    agreement = Agreement.objects.filter(supplier=supplier).order_by("pk").first()
    assert agreement is not None
    version = imports.price_list_receive(
        actor=user,
        organisation=supplier,
        agreement_id=agreement.pk,
        source=io.BytesIO(data),
        filename="t19.xml",
        channel="portal",
        size=len(data),
    )
    version = imports.price_list_stage(version_id=version.pk)
    assert version.status == "failed" and version.response_xml


# --- a supplier user against the buyer pages ------------------------------------------------------------


def _foreign_markers(organisation: Organisation) -> list[str]:
    """Texts only others' data contains: names of organisations the supplier does no business with,
    numbers of orders to and invoices from other suppliers (as they appear in HTML)."""
    from django.utils.html import escape

    from avrop.agreements.models import Agreement
    from avrop.ordering.models import PurchaseOrder
    from avrop.payables.models import SupplierInvoice
    from avrop.suppliers.models import Supplier

    related = {organisation.pk}
    related |= set(Supplier.objects.filter(organisation=organisation).values_list("buyer_id", flat=True))
    related |= set(Agreement.objects.filter(supplier=organisation).values_list("owner_id", flat=True))
    # A supplier can buy too (Partner54 has a service partner): its own suppliers are its business.
    related |= set(Supplier.objects.filter(buyer=organisation).values_list("organisation_id", flat=True))
    related |= set(Agreement.objects.filter(owner=organisation).values_list("supplier_id", flat=True))
    texts = [o.name for o in Organisation.objects.exclude(pk__in=related)]
    texts += PurchaseOrder.objects.exclude(supplier__organisation=organisation).values_list(
        "number", flat=True
    )
    texts += SupplierInvoice.objects.exclude(supplier__organisation=organisation).values_list(
        "number", flat=True
    )
    return sorted({escape(t) for t in texts if len(t) >= 6})


def _body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode(errors="replace")


def test_supplier_users_are_refused_every_buyer_page(client, demo):
    """A supplier user (and a SPOC) on every route of the buyer apps, with the ids the buyers' own pages use:
    refused (403/404 or another 4xx), or, where a buyer app deliberately shows a supplier its own orders and
    invoices, nothing of anyone else's; and no POST changes anything."""
    buyers = Crawl()
    for username in BUYER_USERS:
        found = crawl(client, User.objects.get(username=username), BUYER_NAMESPACES, max_pages=250)
        for name, paths in found.gets.items():
            buyers.gets[name].extend(p for p in paths if p not in buyers.gets[name])
        for name, forms in found.posts.items():
            buyers.posts[name].extend(forms)
    tried: set[str] = set()
    failures: list[str] = []
    for username in ("supplier_user", "spoc"):
        user = User.objects.get(username=username)
        organisation = (
            Membership.objects.filter(user=user).select_related("organisation").first().organisation
        )
        assert organisation.kind == Organisation.Kind.SUPPLIER
        markers = _foreign_markers(organisation)
        client.force_login(user)
        for namespace in BUYER_NAMESPACES:
            for pattern in _patterns(namespace):
                name = f"{namespace}:{pattern.name}"
                attempts = [(p, "get", None) for p in buyers.gets.get(name, [])]
                attempts += [(p, "post", data) for p, data in buyers.posts.get(name, [])[:2]]
                if _converters(pattern):
                    attempts.append((_with_id(namespace, pattern, 1), "", None))
                else:
                    attempts.append((reverse(name), "", None))
                for path, method, data in attempts:
                    with CaptureQueriesContext(connection) as ctx:
                        response, used = _open(client, path, method, data)
                    tried.add(name)
                    where = f"{username} {used.upper()} {path} ({name}) → {response.status_code}"
                    writes = _written_tables(ctx.captured_queries) - NOT_BUSINESS - {AUDIT_TABLE}
                    if writes:
                        failures.append(f"{where} wrote {sorted(writes)}")
                    if response.status_code in (403, 404):
                        continue
                    leaked = [m for m in markers if m in _body(response)]
                    if leaked:
                        failures.append(f"{where} shows {leaked[:5]}")
    assert not failures, "\n".join(failures)
    assert tried == {f"{ns}:{p.name}" for ns in BUYER_NAMESPACES for p in _patterns(ns)}
    # The buyers' pages were really reached with real ids, so the refusals above mean something.
    assert sum(1 for name, paths in buyers.gets.items() if any(resolve(p).kwargs for p in paths)) > 20


# --- two suppliers guessing each other's ids --------------------------------------------------------------


def _owned_by_probe(client, user, pattern: URLPattern) -> list[tuple[str, str]]:
    """Paths of the route that ``user`` can open (anything but 404), found by trying ids."""
    client.force_login(user)
    found = []
    for value in range(1, MAX_PROBE_ID):
        path = _with_id("portal", pattern, value)
        response, used = _open(client, path)
        if response.status_code != 404:
            found.append((path, used))
            if len(found) == 2:
                break
    return found


def test_two_suppliers_cannot_open_each_others_objects(client, two_suppliers):
    (user_a, _org_a), (user_b, _org_b) = two_suppliers
    # Every order and invoice page of the demo suppliers, whatever order the database lists them in.
    crawls = {user: crawl(client, user, ("portal",), visits=40) for user in (user_a, user_b)}
    with_ids = {f"portal:{p.name}": p for p in _portal_patterns() if _converters(p) or p.pattern.regex.groups}
    owned: dict[User, dict[str, list[tuple[str, str]]]] = {user_a: {}, user_b: {}}
    for user, found in crawls.items():
        for name in with_ids:
            entries = [(p, "get") for p in found.gets.get(name, [])]
            entries += [(p, "post") for p, _data in found.posts.get(name, [])]
            if entries:
                owned[user][name] = entries
    unreached = [n for n in with_ids if n not in owned[user_a] and n not in owned[user_b]]
    # A progress view ("<page>_progress") is linked only while its job runs: it takes its page's ids.
    for name in [n for n in unreached if n.endswith("_progress") and n.removesuffix("_progress") in with_ids]:
        for user in (user_a, user_b):
            pages = owned[user].get(name.removesuffix("_progress"), [])
            ids = [resolve(path).kwargs for path, _method in pages]
            if ids:
                owned[user][name] = [(reverse(name, kwargs=kwargs), "get") for kwargs in ids[:2]]
    unreached = [n for n in with_ids if n not in owned[user_a] and n not in owned[user_b]]
    for name in unreached:
        for user in (user_a, user_b):
            entries = _owned_by_probe(client, user, with_ids[name])
            if entries:
                owned[user][name] = entries
    nobody = [n for n in with_ids if n not in owned[user_a] and n not in owned[user_b]]
    assert not nobody, (
        f"no supplier in the demo has an object for {nobody}: extend the demo data or this test"
    )

    failures = []
    posted = 0
    for owner, guesser in ((user_a, user_b), (user_b, user_a)):
        client.force_login(guesser)
        for name, entries in owned[owner].items():
            # Each path as the owner used it, and a POST to it as well: a write to the other supplier's object
            # is refused and writes nothing, whatever the route answers a GET with.
            for path, method in list(dict.fromkeys([*entries, *((p, "post") for p, _m in entries)])):
                with CaptureQueriesContext(connection) as ctx:
                    response, used = _open(client, path, method)
                posted += used == "post"
                writes = _written_tables(ctx.captured_queries) - NOT_BUSINESS
                # 405: a route that only reads answers a POST so before it looks at the id, for anyone.
                refused = {404, 405} if used == "post" else {404}
                if response.status_code not in refused or writes:
                    failures.append(
                        f"{guesser.username} {used.upper()} {path} ({name}) → {response.status_code}"
                        + (f", wrote {sorted(writes)}" if writes else "")
                    )
    assert not failures, "\n".join(failures)
    assert posted >= len(with_ids)  # every route with an id got at least one POST from the other supplier
    shared = crawls[user_a].paths() & crawls[user_b].paths()
    assert not {p for p in shared if resolve(p).kwargs}, "both suppliers reach the same object"


# --- login throttling -------------------------------------------------------------------------------------


def test_supplier_login_is_rate_limited(client, make_member, settings):
    from avrop.organisations.tests.factories import OrganisationFactory

    supplier = OrganisationFactory.create(kind=Organisation.Kind.SUPPLIER)
    user, _ = make_member(Role.SUPPLIER_USER, organisation=supplier)
    colleague, _ = make_member(Role.SUPPLIER_USER, organisation=supplier)
    statuses = [
        client.post(reverse("login"), {"username": user.username, "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [200] * (
        settings.AXES_FAILURE_LIMIT - 1
    )  # the form again, with a generic message
    refused = client.post(reverse("login"), {"username": user.username, "password": "secret-password-1"})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:start")).status_code == 302
    # Only that user name is locked: a colleague from the same address still logs in.
    ok = client.post(reverse("login"), {"username": colleague.username, "password": "secret-password-1"})
    assert ok.status_code == 302
    assert client.get(reverse("portal:start")).status_code == 200


# --- every portal POST is audited --------------------------------------------------------------------------


def _written_tables(queries: list[dict]) -> set[str]:
    return {m.group(1).lower() for q in queries if (m := WRITE.match(q["sql"]))}


def test_every_portal_post_that_changes_something_is_audited(client, two_suppliers):
    posted: set[str] = set()
    changed: set[str] = set()
    failures: list[str] = []
    for user, _org in two_suppliers:
        found = crawl(client, user, ("portal",))
        forms = [(name, path, data) for name, entries in found.posts.items() for path, data in entries]
        for pattern in _portal_patterns():
            name = f"portal:{pattern.name}"
            if name in found.posts:
                continue
            # No page offered this user a form for the route: post empty data to it (its own objects).
            if not _converters(pattern):
                paths = [reverse(name)]
            else:
                paths = found.gets.get(name) or [p for p, _used in _owned_by_probe(client, user, pattern)]
            forms += [(name, p, {}) for p in paths]
        client.force_login(user)
        for name, path, data in forms:
            with CaptureQueriesContext(connection) as ctx:
                response = client.post(path, data)
            if response.status_code != 405:
                posted.add(name)
            tables = _written_tables(ctx.captured_queries) - NOT_BUSINESS
            if not tables:
                continue
            changed.add(name)
            if AUDIT_TABLE not in tables:
                failures.append(
                    f"{user.username} POST {path} ({name}, {response.status_code}) wrote {sorted(tables)}"
                )
    assert not failures, "POSTs without an audit event:\n" + "\n".join(failures)
    # The POSTs above really changed things (and were audited), so the check is not vacuous.
    assert {"portal:catalogue_item_picture_remove"} <= changed, sorted(changed)
    assert len(changed) >= 3, sorted(changed)
    assert {"portal:catalogue_item_keywords", "portal:catalogue_upload"} <= posted
