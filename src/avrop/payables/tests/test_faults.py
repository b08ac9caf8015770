"""Bad input and faults: malformed XML, XXE, oversized files, unknown buyers, credit notes without a
reference, a worker killed mid-batch, two workers on one folder, a concurrent insert of one invoice number."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from avrop.payables.access_point import HEARTBEAT, FileAccessPoint
from avrop.payables.models import Channel, InboundDocument, InvoiceMessage, SupplierInvoice
from avrop.payables.services import intake

Status = SupplierInvoice.Status

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>"""


def _drop(folder, name: str, content: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)


@pytest.fixture
def ap(world, settings, tmp_path):
    return FileAccessPoint(tmp_path / "peppol", worker="test-worker")


def _poll(ap, **kwargs):
    return intake.intake_poll(access_point=ap, **kwargs)


def test_bad_files_are_stored_as_received_and_flagged(world, ap, settings):
    settings.PAYABLES_MAX_DOCUMENT_BYTES = 50_000
    _drop(ap.inbound, "broken.xml", b"<Invoice><unclosed></Invoice>")
    _drop(ap.inbound, "xxe.xml", XXE)
    _drop(ap.inbound, "huge.xml", b"<a>" + b"x" * 60_000 + b"</a>")
    _drop(ap.inbound, "order.xml", b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    _drop(ap.inbound, "empty.xml", b"")
    result = _poll(ap)
    assert result.unreadable == 5 and result.processed == 0
    documents = {d.filename: d for d in InboundDocument.objects.all()}
    assert set(documents) == {"broken.xml", "xxe.xml", "huge.xml", "order.xml", "empty.xml"}
    rules = {name: {f["rule"] for f in d.findings} for name, d in documents.items()}
    assert rules["broken.xml"] == {"XML-WELLFORMED"}
    assert rules["xxe.xml"] == {"XML-DOCTYPE"}
    assert rules["huge.xml"] == {"AVROP-FILE-TOO-LARGE"}
    assert rules["order.xml"] == {"AVROP-NOT-AN-INVOICE"}
    assert all(d.status == InboundDocument.Status.UNREADABLE for d in documents.values())
    from avrop.payables.services import stored_content

    assert stored_content(documents["xxe.xml"]) == XXE  # stored exactly as received
    assert stored_content(documents["huge.xml"]).startswith(b"<a>xxxx")
    assert not list(ap.inbound.iterdir())


def test_invoice_to_an_unknown_buyer_is_returned(world, receive):
    from avrop.core.demo import se_org_number
    from avrop.payables.samples import Party, invoice_xml

    stranger = Party("Okänd kommun", se_org_number("212000014"))
    invoice = receive(invoice_xml(number="U-1", seller=world.seller, buyer=stranger, buyer_reference="x"))
    assert invoice.status == Status.RETURNED
    assert invoice.organisation is None
    assert "AVROP-BUYER-UNKNOWN" in {f["rule"] for f in invoice.findings}
    message = invoice.messages.get()
    assert message.code == "RE" and message.valid


def test_credit_note_without_invoice_reference_is_returned(world, receive):
    credit = receive(world.xml("CN-1", credit_note=True))
    assert credit.status == Status.RETURNED
    assert "AVROP-CREDIT-NO-REFERENCE" in {f["rule"] for f in credit.findings}
    receive(world.xml("INV-9"))
    good = receive(world.xml("CN-2", credit_note=True, credited_invoice="INV-9"))
    assert good.status == Status.PRECHECK, good.findings
    assert good.kind == SupplierInvoice.Kind.CREDIT_NOTE


def test_same_file_twice_is_recognised_not_processed_twice(world, receive):
    content = world.xml("S-1")
    first = receive(content)
    assert receive(content) is None
    assert SupplierInvoice.objects.count() == 1
    document = InboundDocument.objects.get()
    assert document.receipt_count == 2 and first.document == document


def test_same_number_other_content_is_a_suspected_duplicate_side_by_side(world, receive, client):
    from django.urls import reverse

    original = receive(world.xml("D-1"))
    again = receive(world.xml("D-1", seed=5))
    assert again.status == Status.SUSPECTED_DUPLICATE
    assert again.duplicate_of == original and not again.claims_number
    similar = receive(world.xml("D-2"))  # same amount and date, other number
    assert similar.status == Status.SUSPECTED_DUPLICATE and similar.duplicate_reason == "similar"
    client.force_login(world.clerk)
    page = client.get(reverse("payables:invoice", args=[again.pk])).content.decode()
    assert reverse("payables:invoice", args=[original.pk]) in page


def test_the_same_file_twice_in_one_batch_is_one_document_received_twice(world):
    content = world.xml("SB-1")
    items = [intake.Incoming(content=content, filename=n, channel=Channel.PEPPOL) for n in ("a.xml", "b.xml")]
    result = intake.process(items)
    assert result.processed == 1
    assert InboundDocument.objects.get().receipt_count == 2
    intake.process([intake.Incoming(content=content, filename="c.xml", channel=Channel.PEPPOL)] * 2)
    assert InboundDocument.objects.get().receipt_count == 4


def test_duplicates_within_one_batch_are_caught(world):
    items = [
        intake.Incoming(content=world.xml("B-1", seed=s), filename=f"{s}.xml", channel=Channel.PEPPOL)
        for s in (1, 2)
    ]
    result = intake.process(items)
    statuses = sorted(i.status for i in result.invoices)
    assert statuses == [Status.PRECHECK, Status.SUSPECTED_DUPLICATE]
    duplicate = next(i for i in result.invoices if i.status == Status.SUSPECTED_DUPLICATE)
    assert duplicate.duplicate_of_id == next(i.pk for i in result.invoices if i is not duplicate)


def test_corrected_invoice_may_reuse_the_number_of_a_returned_one(world, receive):
    returned = receive(world.xml("RE-1", broken="totals"))
    assert returned.status == Status.RETURNED
    corrected = receive(world.xml("RE-1"))
    assert corrected.status == Status.PRECHECK


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_worker_killed_mid_batch_each_file_processed_exactly_once(world, tmp_path):
    root = tmp_path / "peppol"
    dead = FileAccessPoint(root, worker="dead-worker")
    for n in range(6):
        _drop(dead.inbound, f"{n}.xml", world.xml(f"K-{n}", seed=n))
    claimed = dead.claim(6)
    assert len(claimed) == 6
    # The dead worker had committed two invoices but not yet removed their files, and had stored (but not
    # processed) a third when it was killed.
    items = [intake.Incoming(content=dead.read(f), filename=f.name, channel=Channel.PEPPOL) for f in claimed]
    intake.process(items[:2])
    intake.store([items[2]])
    (dead.own / HEARTBEAT).write_text(f"{dead.host} {_dead_pid()} 0")

    survivor = FileAccessPoint(root, worker="survivor")
    result = _poll(survivor)
    assert result.processed == 4  # the stored-only one and the three untouched ones
    assert SupplierInvoice.objects.count() == 6
    assert sorted(SupplierInvoice.objects.values_list("number", flat=True)) == [f"K-{n}" for n in range(6)]
    assert set(InboundDocument.objects.values_list("receipt_count", flat=True)) == {1}
    assert not (root / "processing" / "dead-worker").exists()
    assert (
        not any(f for f in survivor.own.iterdir() if f.name != HEARTBEAT) if survivor.own.exists() else True
    )
    assert _poll(FileAccessPoint(root, worker="third")).processed == 0


def test_a_live_workers_folder_is_not_taken_over(world, tmp_path):
    root = tmp_path / "peppol"
    busy = FileAccessPoint(root, worker="busy")
    _drop(busy.inbound, "a.xml", world.xml("L-1"))
    assert len(busy.claim(5)) == 1
    other = FileAccessPoint(root, worker="other")
    assert other.reclaim() == 0
    assert _poll(other).processed == 0


def test_two_workers_polling_the_same_folder_claim_each_file_once(world, tmp_path):
    root = tmp_path / "peppol"
    first, second = FileAccessPoint(root, worker="w1"), FileAccessPoint(root, worker="w2")
    for n in range(60):
        _drop(first.inbound, f"{n:03d}.xml", b"<x/>")
    claims: dict[str, list[str]] = {"w1": [], "w2": []}

    def run(ap):
        while batch := ap.claim(3):
            claims[ap.worker].extend(f.name for f in batch)
            for f in batch:
                ap.done(f)

    threads = [threading.Thread(target=run, args=(ap,)) for ap in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claims["w1"] + claims["w2"]) == [f"{n:03d}.xml" for n in range(60)]
    assert not set(claims["w1"]) & set(claims["w2"])


def test_two_workers_interleaved_process_every_invoice_once(world, tmp_path):
    root = tmp_path / "peppol"
    first, second = FileAccessPoint(root, worker="w1"), FileAccessPoint(root, worker="w2")
    for n in range(10):
        _drop(first.inbound, f"{n}.xml", world.xml(f"W-{n}", seed=n))
    _drop(first.inbound, "copy.xml", world.xml("W-0", seed=0))  # the same file once more
    while True:
        done = _poll(first, batch_size=2).processed + _poll(second, batch_size=3).processed
        if not done and not first.pending_count():
            break
    assert SupplierInvoice.objects.count() == 10
    assert InboundDocument.objects.get(invoice__number="W-0").receipt_count == 2


def test_concurrent_insert_of_the_same_number_falls_back_to_duplicate(world, monkeypatch):
    """Another worker commits the same invoice number between our checks and our write."""
    original_write = intake._write
    calls = {"n": 0}

    def racing_write(prepared):
        calls["n"] += 1
        if calls["n"] == 1:
            intake.process(
                [
                    intake.Incoming(
                        content=world.xml("X-1", seed=9), filename="other.xml", channel=Channel.PEPPOL
                    )
                ]
            )
        return original_write(prepared)

    monkeypatch.setattr(intake, "_write", racing_write)
    result = intake.process(
        [intake.Incoming(content=world.xml("X-1"), filename="mine.xml", channel=Channel.PEPPOL)]
    )
    assert result.processed == 1
    assert sorted(SupplierInvoice.objects.values_list("status", flat=True)) == [
        Status.PRECHECK,
        Status.SUSPECTED_DUPLICATE,
    ]


def test_invalid_t111_is_not_sent(world, receive):
    from avrop.payables.samples import Party, invoice_xml

    bad_seller = Party("Dummy AB", "556677-8890")  # fails the Luhn check: the invoice and a T111 to it
    content = invoice_xml(
        number="Z-1", seller=bad_seller, buyer=world.buyer_party, buyer_reference="anna.berg"
    )
    invoice = receive(content)
    assert invoice.status == Status.RETURNED
    message = invoice.messages.get()
    assert not message.valid and message.status == InvoiceMessage.Status.FAILED
