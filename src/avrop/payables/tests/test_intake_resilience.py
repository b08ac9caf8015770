"""One document never stops the intake: unique response ids, bad documents set aside while the rest of the
batch goes on, the sweep of documents left "received", files streamed instead of read whole."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from avrop.core.demo import se_org_number
from avrop.core.errors import InvalidTransition
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.payables import conf, workflows
from avrop.payables.access_point import FileAccessPoint
from avrop.payables.models import Channel, InboundDocument, InvoiceMessage, SupplierInvoice
from avrop.payables.samples import Party, invoice_xml
from avrop.payables.services import intake, stored_content
from avrop.payables.services.inbound import inbound_document_retry

Doc = InboundDocument.Status


@pytest.fixture
def ap(world, tmp_path):
    return FileAccessPoint(tmp_path / "peppol", worker="test-worker")


def _drop(ap, name: str, content: bytes) -> None:
    (ap.inbound / name).write_bytes(content)


def _returned_pair(world) -> list[bytes]:
    """Two suppliers' invoices with the same number, both returned: the sellers' ids fail their check digit,
    so no valid Invoice Response can go to them and both responses go by e-mail with the same text."""
    sellers = [Party("Seller Company", n, email="ap@seller.example") for n in ("556677-8890", "556677-8892")]
    return [
        invoice_xml(number="TOSL108", seller=s, buyer=world.buyer_party, buyer_reference="anna.berg")
        for s in sellers
    ]


def test_two_suppliers_returned_invoices_with_the_same_number_get_their_own_response_ids(world):
    items = [
        intake.Incoming(content=c, filename=f"{n}.xml", channel=Channel.PEPPOL)
        for n, c in enumerate(_returned_pair(world))
    ]
    result = intake.process(items)
    assert result.processed == 2 and result.returned == 2 and result.set_aside == 0
    ids = list(InvoiceMessage.objects.values_list("document_id", flat=True))
    assert len(ids) == 2 and len(set(ids)) == 2
    assert set(InvoiceMessage.objects.values_list("via", flat=True)) == {InvoiceMessage.Via.EMAIL}


def _break_one(monkeypatch, step: str, number: str) -> None:
    """Make one step raise for the invoice ``number`` only."""
    if step == "read":
        original_validate = intake.validation.validate

        def validate(content, **kwargs):
            if f">{number}<".encode() in content:
                raise ValueError("validator crashed \x00 on this file")
            return original_validate(content, **kwargs)

        monkeypatch.setattr(intake.validation, "validate", validate)
    elif step == "check":
        original_check = intake.Directory.check

        def check(self, header, **kwargs):
            if header.number == number:
                raise KeyError("routing table broken")
            return original_check(self, header, **kwargs)

        monkeypatch.setattr(intake.Directory, "check", check)
    else:
        original_invoice = intake._invoice

        def invoice(item):
            if item.header.number == number:
                raise ZeroDivisionError("write step broken")
            return original_invoice(item)

        monkeypatch.setattr(intake, "_invoice", invoice)


@pytest.mark.parametrize("step", ["read", "check", "write"])
def test_a_batch_with_bad_documents_processes_every_other_one(world, ap, client, monkeypatch, step):
    _break_one(monkeypatch, step, "BOOM-1")
    good = [f"G-{n}" for n in range(5)]
    for n, number in enumerate(good):
        _drop(ap, f"good-{n}.xml", world.xml(number, seed=n))
    for n, content in enumerate(_returned_pair(world)):
        _drop(ap, f"returned-{n}.xml", content)
    _drop(ap, "malformed.xml", b"<Invoice><unclosed></Invoice>")
    boom = world.xml("BOOM-1", seed=42)
    _drop(ap, "boom.xml", boom)

    result = intake.intake_poll(access_point=ap, batch_size=50)

    assert result.processed == 7 and result.returned == 2
    assert result.unreadable == 1 and result.set_aside == 1
    assert not list(ap.inbound.iterdir())
    assert not InboundDocument.objects.filter(status=Doc.RECEIVED).exists()
    numbers = sorted(SupplierInvoice.objects.values_list("number", flat=True))
    assert numbers == sorted([*good, "TOSL108", "TOSL108"])
    malformed = InboundDocument.objects.get(filename="malformed.xml")
    assert malformed.status == Doc.UNREADABLE
    assert [f["rule"] for f in malformed.findings] == ["XML-WELLFORMED"]
    aside = InboundDocument.objects.get(filename="boom.xml")
    assert aside.status == Doc.SET_ASIDE
    assert [f["rule"] for f in aside.findings] == ["AVROP-PROCESSING-FAILED"]
    assert step in aside.error_detail and "\x00" not in aside.error_detail
    assert aside.organisation == world.buyer  # read from the file: its clerks see it
    assert stored_content(aside) == boom  # kept exactly as received

    client.force_login(world.clerk)
    page = client.get(reverse("payables:set_aside")).content.decode()
    assert "boom.xml" in page
    assert f"document {aside.pk}" in page or f"dokument {aside.pk}" in page
    for internal in ("broken", "crashed", "ValueError", "KeyError", "ZeroDivisionError", "Traceback"):
        assert internal not in page  # nothing internal reaches the clerk
    assert "malformed.xml" not in page  # a Peppol file naming no buyer is for operators only
    queue = client.get(reverse("payables:queue")).content.decode()
    assert reverse("payables:set_aside") in queue


def test_one_write_failing_for_good_sets_the_document_aside_after_three_attempts(world, monkeypatch):
    """The old intake gave up the whole poll here with a RuntimeError."""
    original_write = intake._write
    calls = {"n": 0}

    def write(prepared):
        if any(p.header is not None and p.header.number == "R-2" and not p.failure for p in prepared):
            calls["n"] += 1
            raise intake.IntegrityError("UNIQUE constraint failed (simulated)")
        return original_write(prepared)

    monkeypatch.setattr(intake, "_write", write)
    items = [
        intake.Incoming(content=world.xml(n, seed=s), filename=f"{n}.xml", channel=Channel.PEPPOL)
        for s, n in enumerate(["R-1", "R-2", "R-3"])
    ]
    result = intake.process(items)
    assert result.processed == 2 and result.set_aside == 1
    assert calls["n"] == 1 + intake.WRITE_ATTEMPTS  # the batch, then three times alone
    assert InboundDocument.objects.get(filename="R-2.xml").status == Doc.SET_ASIDE


def test_a_file_that_cannot_be_stored_is_put_aside_and_the_others_go_on(world, ap, monkeypatch):
    original = intake._store_file

    def store_file(item):
        if item.filename == "bad.xml":
            raise OSError("disk refused this one")
        return original(item)

    monkeypatch.setattr(intake, "_store_file", store_file)
    _drop(ap, "ok.xml", world.xml("ST-1"))
    content = world.xml("ST-2")
    _drop(ap, "bad.xml", content)
    result = intake.intake_poll(access_point=ap)
    assert result.processed == 1 and result.not_stored == 1
    assert not list(ap.inbound.iterdir())
    [kept] = list(ap.failed.iterdir())
    assert kept.name.endswith("bad.xml") and kept.read_bytes() == content


# --- the sweep -------------------------------------------------------------------------------------


def _left_received(world, number: str, *, minutes_ago: int = 10, **kwargs) -> InboundDocument:
    """What a killed worker or web process leaves behind: stored and committed, never processed."""
    item = intake.Incoming(content=world.xml(number), filename=f"{number}.xml", **kwargs)
    [document] = intake.store([item])
    assert document is not None
    InboundDocument.objects.filter(pk=document.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return document


def test_sweep_processes_a_document_left_received_once(world):
    killed_upload = _left_received(
        world, "SW-1", channel=Channel.UPLOAD, actor=world.clerk, buyer_hint=world.buyer
    )
    recent = _left_received(world, "SW-2", minutes_ago=1)  # its worker may still be at it
    result = intake.inbound_documents_sweep()
    assert result.swept == 1 and result.processed == 1
    invoice = SupplierInvoice.objects.get(document=killed_upload)
    assert invoice.number == "SW-1" and invoice.channel == Channel.UPLOAD
    assert invoice.organisation == world.buyer
    recent.refresh_from_db()
    assert recent.status == Doc.RECEIVED
    assert intake.inbound_documents_sweep().swept == 0  # nothing is taken twice


def test_each_poll_sweeps_first(world, ap):
    document = _left_received(world, "SW-3")
    result = intake.intake_poll(access_point=ap)
    assert result.swept == 1 and result.processed == 1
    document.refresh_from_db()
    assert document.status == Doc.PROCESSED


def test_a_document_whose_processing_never_finishes_is_set_aside(world):
    document = _left_received(world, "SW-4")
    InboundDocument.objects.filter(pk=document.pk).update(attempts=conf.MAX_PROCESSING_ATTEMPTS)
    result = intake.inbound_documents_sweep()
    assert result.swept == 1 and result.set_aside == 1
    document.refresh_from_db()
    assert document.status == Doc.SET_ASIDE and "never finished" in document.error_detail
    assert not SupplierInvoice.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the conditional UPDATE claim is SQLite's")
def test_two_sweeps_at_once_claim_each_document_once_sqlite(world, monkeypatch):
    documents = [_left_received(world, f"SQ-{n}") for n in range(3)]
    cutoff = timezone.now() - dt.timedelta(minutes=5)
    original = intake.InboundDocument.objects.filter
    other: list[InboundDocument] = []

    def interleaved(*args, **kwargs):
        # The other sweep claims everything between this sweep's listing and its claims.
        queryset = original(*args, **kwargs)
        if not other and "pk" in kwargs:
            monkeypatch.setattr(intake.InboundDocument.objects, "filter", original)
            other.extend(intake._claim_stale(cutoff=cutoff, limit=10))
        return queryset

    monkeypatch.setattr(intake.InboundDocument.objects, "filter", interleaved)
    mine = intake._claim_stale(cutoff=cutoff, limit=10)
    assert sorted(d.pk for d in other) == sorted(d.pk for d in documents)
    assert mine == []


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_in_parallel_threads_process_each_document_once(world):
    if connection.vendor == "sqlite":
        pytest.skip(reason="SQLite in-memory test databases are not shared between threads")
    documents = [_left_received(world, f"PT-{n}") for n in range(6)]
    barrier = threading.Barrier(2)
    swept: list[int] = []

    def sweep():
        try:
            barrier.wait()
            swept.append(intake.inbound_documents_sweep().swept)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(swept) == len(documents)
    assert SupplierInvoice.objects.count() == len(documents)
    assert set(InboundDocument.objects.values_list("status", flat=True)) == {Doc.PROCESSED}


# --- memory -------------------------------------------------------------------------------------------


def test_a_large_file_is_streamed_not_read_whole(world, ap, monkeypatch):
    size = 50 * 1024 * 1024
    path = ap.inbound / "huge.xml"
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        block = b"<a>" + b"x" * (1024 * 1024 - 3)
        for _ in range(size // len(block)):
            handle.write(block)
            digest.update(block)

    def read_whole(self, item):
        raise AssertionError("the whole file was read into memory")

    monkeypatch.setattr(FileAccessPoint, "read", read_whole)
    tracemalloc.start()
    try:
        result = intake.intake_poll(access_point=ap)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"
    assert result.unreadable == 1
    document = InboundDocument.objects.get()
    assert document.status == Doc.UNREADABLE and document.size == size
    assert [f["rule"] for f in document.findings] == ["AVROP-FILE-TOO-LARGE"]
    assert document.sha256 == digest.hexdigest()
    stored = hashlib.sha256()
    with intake.default_storage.open(document.storage_name, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            stored.update(chunk)
    assert stored.hexdigest() == digest.hexdigest()  # the raw bytes are kept


def test_a_file_within_the_limit_is_read_once_with_a_size(world, ap, monkeypatch, settings):
    settings.PAYABLES_MAX_DOCUMENT_BYTES = 100_000
    _drop(ap, "ok.xml", world.xml("SZ-1"))
    sizes: list[int] = []
    original_open = FileAccessPoint.open

    class SizedReads:
        def __init__(self, handle):
            self.handle = handle

        def read(self, n=-1):
            sizes.append(n)
            return self.handle.read(n)

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    def spying_open(self, item):
        return SizedReads(original_open(self, item))

    monkeypatch.setattr(FileAccessPoint, "open", spying_open)
    assert intake.intake_poll(access_point=ap).processed == 1
    assert sizes and all(n is not None and n > 0 for n in sizes)  # never read() without a size


# --- the AP clerk's list ------------------------------------------------------------------------------


def _set_aside_upload(world, monkeypatch, number: str = "UP-1") -> InboundDocument:
    _break_one(monkeypatch, "check", number)
    document, invoice = intake.invoice_receive(
        content=world.xml(number), filename=f"{number}.xml", channel=Channel.UPLOAD, buyer=world.buyer
    )
    assert invoice is None and document.status == Doc.SET_ASIDE
    return document


def test_the_set_aside_list_is_scoped_to_the_buyers_ap_staff(world, client, monkeypatch):
    document = _set_aside_upload(world, monkeypatch)
    malformed, _none = intake.invoice_receive(
        content=b"<Invoice>", filename="half.xml", channel=Channel.UPLOAD, buyer=world.buyer
    )
    assert malformed.status == Doc.UNREADABLE
    client.force_login(world.clerk)
    url = reverse("payables:set_aside")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert "UP-1.xml" in page and "half.xml" in page
    intake.invoice_receive(content=b"<x", filename="more.xml", channel=Channel.UPLOAD, buyer=world.buyer)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    assert len(two) == len(one)
    original = client.get(reverse("payables:set_aside_original", args=[document.pk]))
    assert original["Content-Disposition"].startswith("attachment")
    assert b"".join(original.streaming_content) == stored_content(document)

    other_number = se_org_number("212000555")
    other = OrganisationFactory(name="Annan kommun", org_number=other_number)
    stranger = UserFactory(username="other-clerk")
    MembershipFactory(user=stranger, organisation=other, role=Role.AP_CLERK)
    client.force_login(stranger)
    assert "UP-1.xml" not in client.get(url).content.decode()
    assert client.get(reverse("payables:set_aside_original", args=[document.pk])).status_code == 404
    assert client.post(reverse("payables:set_aside_retry", args=[document.pk])).status_code == 404
    client.force_login(world.reviewer)  # a member, not AP staff
    assert client.get(url).status_code == 403
    client.force_login(world.supplier_user)
    assert client.get(url).status_code in (403, 404)


def test_the_clerk_tries_a_set_aside_document_again(world, client, monkeypatch):
    document = _set_aside_upload(world, monkeypatch)
    client.force_login(world.clerk)
    retry = reverse("payables:set_aside_retry", args=[document.pk])
    still_broken = client.post(retry, follow=True)
    document.refresh_from_db()
    assert document.status == Doc.SET_ASIDE
    assert "UP-1.xml" in still_broken.content.decode()
    monkeypatch.undo()  # the error is fixed
    response = client.post(retry)
    invoice = SupplierInvoice.objects.get(document=document)
    assert response.status_code == 302 and response["Location"] == reverse(
        "payables:invoice", args=[invoice.pk]
    )
    document.refresh_from_db()
    assert document.status == Doc.PROCESSED
    again = client.post(retry, follow=True)  # no longer set aside: refused with a message, not an error
    assert again.status_code == 200
    with pytest.raises(InvalidTransition):
        inbound_document_retry(actor=world.clerk, organisation=world.buyer, document_id=document.pk)


def test_inbound_transitions_outside_the_table_are_refused():
    statuses = list(Doc.values)
    for source in statuses:
        for target in statuses:
            document = InboundDocument(status=source)
            if target in workflows.INBOUND_TRANSITIONS[source]:
                workflows.assert_inbound_transition(document, to=target)
            else:
                with pytest.raises(InvalidTransition):
                    workflows.assert_inbound_transition(document, to=target)


def test_a_copy_cut_short_earlier_is_not_taken_for_the_stored_file(world):
    """A full disk (or a killed process) left part of a file under the storage name: when the file arrives
    again, the part must not count as the stored document (it did, because a file of that name existed)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    content = world.xml("FULL-1")
    item = intake.Incoming(content=content, filename="full.xml", channel=Channel.PEPPOL)
    sha256 = hashlib.sha256(content).hexdigest()
    default_storage.save(intake._storage_name(sha256, "xml"), ContentFile(content[:100]))

    [document] = intake.store([item])
    assert document is not None
    assert stored_content(document) == content
    assert hashlib.sha256(stored_content(document)).hexdigest() == document.sha256
