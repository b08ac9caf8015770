"""An ERP follows supplier invoices: the JSON API (scoped like every page) and signed webhooks delivered
through the outbox to a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from avrop.core import webhooks
from avrop.core.models import OutboxMessage
from avrop.core.outbox import outbox_deliver_due
from avrop.core.tokens import api_token_create
from avrop.organisations.services.webhooks import webhook_create, webhook_delete
from avrop.payables.tests.payments_fixtures import approved

pytestmark = pytest.mark.django_db


def _auth(user, organisation):
    _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="erp")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_erp_reads_invoices_with_coding_and_attest(world, receive, client, make_member):
    invoice = approved(world, receive, "API-1", seed=901)
    receive(world.xml("API-2", seed=902))
    headers = _auth(world.clerk, world.buyer)
    listed = client.get("/api/payables/invoices?status=approved", **headers).json()
    assert [i["number"] for i in listed] == ["API-1"]
    detail = client.get(f"/api/payables/invoices/{invoice.pk}", **headers).json()
    assert detail["status"] == "approved" and detail["reviewer"]
    assert [c["account"] for c in detail["coding"]] == ["4010"]
    assert len(detail["lines"]) == invoice.line_count
    # Another organisation's token sees nothing of it.
    stranger, other = make_member("ap_clerk")
    assert client.get(f"/api/payables/invoices/{invoice.pk}", **_auth(stranger, other)).status_code == 404
    assert client.get("/api/payables/invoices", **_auth(stranger, other)).json() == []


class _Receiver(BaseHTTPRequestHandler):
    answers: list[int] = []
    seen: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.seen.append((dict(self.headers), body))
        code = _Receiver.answers.pop(0) if _Receiver.answers else 200
        self.send_response(code)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.answers, _Receiver.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_webhook_gets_each_invoice_event_signed_and_retried(
    world, receive, receiver, django_capture_on_commit_callbacks
):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    with django_capture_on_commit_callbacks(execute=True):
        endpoint = webhook_create(
            actor=world.admin, organisation=world.buyer, url=url, events=["supplier_invoice"]
        )
    _Receiver.answers = [503]  # the ERP is down at first
    invoice = receive(world.xml("HOOK-1", seed=911))
    rows = OutboxMessage.objects.filter(channel=webhooks.CHANNEL, object_id=str(endpoint.pk))
    assert rows.count() == 1 and rows.get().subject == "supplier_invoice.receive"
    outbox_deliver_due(channels=[webhooks.CHANNEL])
    row = rows.get()
    assert row.status == "queued" and row.attempts == 1 and "503" in row.last_error
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    outbox_deliver_due(channels=[webhooks.CHANNEL])
    assert rows.get().status == "sent"
    headers, body = _Receiver.seen[-1]
    expected = hmac.new(
        endpoint.secret.encode(), headers["X-Avrop-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Avrop-Signature"] == f"sha256={expected}"
    event = json.loads(body)
    assert event["event"] == "supplier_invoice.receive" and event["object"]["id"] == str(invoice.pk)


def test_events_of_other_families_and_organisations_are_not_sent(world, receive, receiver, make_member):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    webhook_create(actor=world.admin, organisation=world.buyer, url=url, events=["payment"])
    receive(world.xml("HOOK-2", seed=912))
    assert not OutboxMessage.objects.filter(channel=webhooks.CHANNEL).exists()
    stranger, other = make_member("admin")
    with pytest.raises(Exception):  # noqa: B017 - NotFound: another organisation's endpoint
        webhook_delete(actor=stranger, organisation=other, endpoint_id=1)


def test_only_an_administrator_makes_webhooks_and_the_address_is_checked(world):
    from avrop.core.errors import DomainError, NotAllowed

    with pytest.raises(NotAllowed):
        webhook_create(
            actor=world.clerk, organisation=world.buyer, url="https://erp.example/x", events=["payment"]
        )
    with pytest.raises(DomainError):
        webhook_create(actor=world.admin, organisation=world.buyer, url="ftp://x", events=["payment"])
    with pytest.raises(DomainError):
        webhook_create(actor=world.admin, organisation=world.buyer, url="https://erp.example/x", events=[])


def test_the_administrator_adds_a_webhook_on_its_page_and_sees_the_secret_once(world, client, make_member):
    from avrop.core.models import WebhookEndpoint

    client.force_login(world.admin)
    page = client.post(
        "/organisations/webhooks/",
        {"url": "https://erp.example/avrop", "events": ["supplier_invoice", "payment"]},
    )
    assert page.status_code == 200
    endpoint = WebhookEndpoint.objects.get(organisation=world.buyer)
    assert endpoint.secret in page.content.decode()
    assert endpoint.secret not in client.get("/organisations/webhooks/").content.decode()
    client.force_login(world.clerk)
    assert client.get("/organisations/webhooks/").status_code == 403
    stranger, _other = make_member("admin")
    client.force_login(stranger)
    assert client.post(f"/organisations/webhooks/{endpoint.pk}/remove/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    client.force_login(world.admin)
    assert client.post(f"/organisations/webhooks/{endpoint.pk}/remove/").status_code == 302
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
