"""Intake: store every inbound file raw, then validate, check, route or return it, in batches.

Order of work for a batch (the same for one uploaded file, a batch of one):

1. store: SHA-256 of each file; the bytes go to storage and an ``InboundDocument`` row is committed before
   anything is read. A file whose SHA-256 is known only raises that row's ``receipt_count``.
2. read (no database): hardened XML parse, ``avrop.edi.validation.validate``, header extraction; PDF text.
3. check (reads only): one ``Directory`` per batch answers every lookup in a fixed number of queries.
   Invoice Responses for the returned invoices are built and validated here, outside any transaction.
4. write: one transaction creates the invoices, responses and audit events in bulk and marks the documents
   processed. Should another worker have committed the same invoice number meanwhile (the unique
   constraint fires), the batch is redone one invoice at a time with fresh lookups.
5. the access point forgets the files; the responses are sent by a task after the commit.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from avrop.core.middleware import current_request_id
from avrop.core.models import AuditEvent
from avrop.edi import validation, xmlsafe
from avrop.payables import conf, pdf, rules
from avrop.payables.access_point import AccessPoint, InboundFile, default_access_point
from avrop.payables.checks import Directory, Outcome
from avrop.payables.extract import InvoiceHeader, extract, kind_of
from avrop.payables.models import Channel, InboundDocument, InvoiceMessage, SupplierInvoice

logger = logging.getLogger(__name__)
MAX_FINDINGS = 200
CENT = Decimal("0.01")


@dataclass
class Incoming:
    """One file on its way in."""

    content: bytes
    filename: str
    channel: str
    sha256: str = ""
    actor: Any = None
    buyer_hint: Any = None
    sender_hint: Any = None
    fresh: bool = True  # False for files taken over from a dead worker
    source: InboundFile | None = None
    document: InboundDocument | None = None


@dataclass
class Prepared:
    """The result of reading one stored document (step 2)."""

    document: InboundDocument
    incoming: Incoming
    header: InvoiceHeader | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    is_pdf: bool = False
    pdf_text: str = ""
    fingerprint: str = ""
    outcome: Outcome | None = None
    response: Any = None  # responses.Built for returned invoices
    invoice: SupplierInvoice | None = None


@dataclass
class BatchResult:
    stored: int = 0
    repeated: int = 0
    processed: int = 0
    unreadable: int = 0
    returned: int = 0
    invoices: list[SupplierInvoice] = field(default_factory=list)
    documents: list[InboundDocument] = field(default_factory=list)


# --- 1. store ---------------------------------------------------------------------------------------


def _content_type(content: bytes) -> tuple[str, str]:
    if pdf.is_pdf(content):
        return "application/pdf", "pdf"
    return "application/xml", "xml"


def _storage_name(sha256: str, extension: str) -> str:
    return f"payables/inbound/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def _store_file(item: Incoming) -> str:
    content_type, extension = _content_type(item.content)
    name = _storage_name(item.sha256, extension)
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(item.content))
    return name


def store(items: list[Incoming]) -> list[InboundDocument]:
    """Step 1: every file stored with its SHA-256 and committed; returns one document per item."""
    for item in items:
        item.sha256 = hashlib.sha256(item.content).hexdigest()
    by_sha = {d.sha256: d for d in InboundDocument.objects.filter(sha256__in={i.sha256 for i in items})}
    new: dict[str, InboundDocument] = {}
    repeated: Counter[int] = Counter()
    now = timezone.now()
    for item in items:
        if item.sha256 in by_sha:
            item.document = by_sha[item.sha256]
            if item.fresh:
                repeated[item.document.pk] += 1
            continue
        if item.sha256 in new:
            # The same file twice in one batch: one document, received twice.
            item.document = new[item.sha256]
            if item.fresh:
                item.document.receipt_count += 1
            continue
        content_type, _extension = _content_type(item.content)
        document = InboundDocument(
            sha256=item.sha256,
            channel=item.channel,
            filename=item.filename[:255],
            content_type=content_type,
            size=len(item.content),
            storage_name=_store_file(item),
            received_by=item.actor if getattr(item.actor, "is_authenticated", False) else None,
            buyer_hint=item.buyer_hint,
            sender_hint=item.sender_hint,
            last_received_at=now,
        )
        new[item.sha256] = document
        item.document = document
    try:
        with transaction.atomic():
            InboundDocument.objects.bulk_create(list(new.values()))
            for times in set(repeated.values()):
                InboundDocument.objects.filter(
                    pk__in=[pk for pk, n in repeated.items() if n == times]
                ).update(receipt_count=F("receipt_count") + times, last_received_at=now)
                AuditEvent.objects.bulk_create(
                    _audit_event("inbound_document.received_again", obj=by_sha_doc, organisation=None)
                    for by_sha_doc in by_sha.values()
                    if by_sha_doc.pk in repeated
                )
    except IntegrityError:
        # Another worker stored one of these files at the same moment: store them one by one.
        for item in items:
            with transaction.atomic():
                item.document, _created = InboundDocument.objects.get_or_create(
                    sha256=item.sha256,
                    defaults={
                        "channel": item.channel,
                        "filename": item.filename[:255],
                        "content_type": _content_type(item.content)[0],
                        "size": len(item.content),
                        "storage_name": _store_file(item),
                        "buyer_hint": item.buyer_hint,
                        "sender_hint": item.sender_hint,
                    },
                )
    return [item.document for item in items]  # type: ignore[misc]


# --- 2. read ----------------------------------------------------------------------------------------


def read(document: InboundDocument, item: Incoming) -> Prepared:
    """Step 2 for one document: never raises for bad content, every problem becomes a finding."""
    prepared = Prepared(document=document, incoming=item)
    content = item.content
    if pdf.is_pdf(content):
        prepared.is_pdf = True
        prepared.pdf_text = pdf.text_of(content)
        prepared.fingerprint = pdf.fingerprint(prepared.pdf_text)
        return prepared
    limit = conf.max_document_bytes()
    try:
        tree = xmlsafe.parse_bytes(content, max_bytes=limit)
    except xmlsafe.XmlSafetyError as exc:
        prepared.findings = [
            {
                "rule": str(exc.code),
                "severity": "fatal",
                "layer": "xml",
                "message": str(exc),
                "location": None,
                "params": {},
            }
        ]
        return prepared
    root = tree.getroot()
    if kind_of(root) is None:
        from lxml import etree

        prepared.findings = [rules.finding("AVROP-NOT-AN-INVOICE", root=etree.QName(root).localname)]
        return prepared
    report = validation.validate(content, max_bytes=limit)
    prepared.findings = rules.from_validation(report.findings)
    prepared.header = extract(root)
    return prepared


# --- 3. check ---------------------------------------------------------------------------------------


def check(prepared: list[Prepared]) -> None:
    """Step 3: business checks and routing for the readable invoices, responses built for returned ones."""
    readable = [p for p in prepared if p.header is not None]
    if not readable:
        return
    directory = Directory(
        [p.header for p in readable],  # type: ignore[misc]
        buyer_hints=[p.incoming.buyer_hint for p in readable],
    )
    from avrop.payables.services.messages import build_for

    for item in readable:
        header = item.header
        assert header is not None
        outcome = directory.check(
            header, buyer_hint=item.incoming.buyer_hint, sender_hint=item.incoming.sender_hint
        )
        # Validation findings first: a fatal one returns the invoice whatever the business checks said.
        outcome.findings = item.findings + outcome.findings
        if any(rules.is_fatal(f) for f in item.findings):
            outcome.status = SupplierInvoice.Status.RETURNED
        item.outcome = outcome
        directory.remember(header, outcome, ref=item)
        if outcome.status == SupplierInvoice.Status.RETURNED:
            item.response = build_for(
                header=header,
                organisation=outcome.organisation,
                code="RE",
                findings=outcome.findings,
                channel=item.incoming.channel,
            )


def _invoice(item: Prepared) -> SupplierInvoice:
    header, outcome = item.header, item.outcome
    assert header is not None and outcome is not None
    findings = outcome.findings[:MAX_FINDINGS]
    status = outcome.status
    original = outcome.duplicate_of
    if isinstance(original, Prepared):
        original = original.invoice
    return SupplierInvoice(
        document=item.document,
        channel=item.incoming.channel,
        kind=header.kind,
        status=status,
        organisation=outcome.organisation,
        department=outcome.department,
        reviewer=outcome.reviewer,
        supplier=outcome.supplier,
        seller_key=header.seller_key[:80],
        seller_name=header.seller.name[:300],
        seller_country=header.seller.country[:2],
        seller_email=header.seller.email[:254],
        seller_endpoint=header.seller.endpoint[:80],
        buyer_endpoint=header.buyer.endpoint[:80],
        buyer_name=header.buyer.name[:300],
        number=header.number[:100],
        issue_date=header.issue_date,
        due_date=header.due_date,
        currency=header.currency[:3],
        line_count=header.line_count,
        net_amount=_money(header.tax_exclusive),
        tax_amount=_money(header.tax_total),
        payable_amount=_money(header.payable),
        buyer_reference=header.buyer_reference[:200],
        order_reference=header.order_reference[:200],
        contract_reference=header.contract_reference[:200],
        invoice_references=", ".join(header.invoice_references)[:300],
        payee_account=outcome.payee_account[:80],
        payee_account_kind=outcome.payee_account_kind,
        payment_reference=header.payment_reference[:100],
        findings=findings,
        fatal_count=sum(1 for f in outcome.findings if f["severity"] == "fatal"),
        warning_count=sum(1 for f in outcome.findings if f["severity"] != "fatal"),
        claims_number=status != SupplierInvoice.Status.RETURNED and original is None,
        duplicate_of=original,
        duplicate_reason=outcome.duplicate_reason,
        content_fingerprint=item.fingerprint,
        routing_note=outcome.routing_note[:300],
        returned_at=timezone.now() if status == SupplierInvoice.Status.RETURNED else None,
        return_reason=item.response.text if item.response is not None else "",
    )


def _money(value: Any) -> Any:
    if value is None:
        return None
    try:
        quantized = value.quantize(CENT)
    except ArithmeticError:  # absurd exponents from a hostile file
        return None
    return quantized if abs(quantized) < 10**13 else None


def _pdf_invoice(item: Prepared) -> SupplierInvoice:
    from avrop.payables.services.registration import pdf_supplier_guess

    prefilled = pdf.prefill(item.pdf_text)
    buyer = item.incoming.buyer_hint
    supplier = pdf_supplier_guess(
        buyer=buyer, sender=item.incoming.sender_hint, org_number=prefilled.get("seller_org_number", "")
    )
    original = None
    if item.fingerprint:
        original = (
            SupplierInvoice.objects.filter(content_fingerprint=item.fingerprint)
            .exclude(status=SupplierInvoice.Status.RETURNED)
            .order_by("pk")
            .first()
        )
    findings = []
    if original is not None:
        findings.append(
            rules.finding("AVROP-DUPLICATE-PDF", received=timezone.localdate(original.created_at))
        )
    return SupplierInvoice(
        document=item.document,
        channel=Channel.PDF,
        kind=SupplierInvoice.Kind.INVOICE,
        status=SupplierInvoice.Status.REGISTRATION,
        organisation=buyer,
        supplier=supplier,
        seller_name=supplier.organisation.name if supplier is not None else "",
        seller_key=_seller_key_of(supplier),
        pdf_prefill=prefilled,
        content_fingerprint=item.fingerprint,
        findings=findings,
        warning_count=len(findings),
        claims_number=False,
        duplicate_of=original,
        duplicate_reason="pdf" if original is not None else "",
    )


def _seller_key_of(supplier: Any) -> str:
    if supplier is None:
        return ""
    org = supplier.organisation
    if org.peppol_id:
        return org.peppol_id
    return f"0007:{org.org_number.replace('-', '')}" if org.org_number else ""


# --- 4. write ---------------------------------------------------------------------------------------


def _audit_event(
    action: str, *, obj: Any, organisation: Any, actor: Any = None, after: Any = None
) -> AuditEvent:
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=actor_obj,
        actor_name=(actor_obj.get_full_name() or actor_obj.get_username()) if actor_obj else "system",
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        after=after,
        request_id=current_request_id() or "",
    )


def _write(prepared: list[Prepared]) -> None:
    """Step 4: one transaction for the whole batch."""
    now = timezone.now()
    with transaction.atomic():
        invoices: list[SupplierInvoice] = []
        unreadable: list[InboundDocument] = []
        # Originals before the invoices that point at them as suspected duplicates.
        first = [p for p in prepared if not isinstance(p.outcome and p.outcome.duplicate_of, Prepared)]
        second = [p for p in prepared if p not in first]
        for group in (first, second):
            batch = []
            for item in group:
                if item.is_pdf:
                    item.invoice = _pdf_invoice(item)
                elif item.header is not None:
                    item.invoice = _invoice(item)
                else:
                    item.document.status = InboundDocument.Status.UNREADABLE
                    item.document.findings = item.findings[:MAX_FINDINGS]
                    unreadable.append(item.document)
                    continue
                batch.append(item.invoice)
            SupplierInvoice.objects.bulk_create(batch)
            invoices.extend(batch)
        messages = []
        for item in prepared:
            if item.response is not None and item.invoice is not None:
                messages.append(_message_row(item.invoice, item.response, code="RE"))
        InvoiceMessage.objects.bulk_create(messages)
        processed_ids = [p.document.pk for p in prepared if p.invoice is not None]
        InboundDocument.objects.filter(pk__in=processed_ids).update(
            status=InboundDocument.Status.PROCESSED, processed_at=now
        )
        for item in prepared:
            if item.invoice is not None:
                item.document.status, item.document.processed_at = InboundDocument.Status.PROCESSED, now
        for document in unreadable:
            document.processed_at = now
        InboundDocument.objects.bulk_update(unreadable, ["status", "findings", "processed_at"])
        events = [
            _audit_event(
                "supplier_invoice.receive",
                obj=invoice,
                organisation=invoice.organisation,
                actor=next((p.incoming.actor for p in prepared if p.invoice is invoice), None),
                after={
                    "status": invoice.status,
                    "errors": invoice.fatal_count,
                    "warnings": invoice.warning_count,
                },
            )
            for invoice in invoices
        ]
        events += [
            _audit_event(
                "inbound_document.unreadable",
                obj=d,
                organisation=d.buyer_hint,
                after={"rules": sorted({f["rule"] for f in d.findings})[:20]},
            )
            for d in unreadable
        ]
        AuditEvent.objects.bulk_create(events)
        if messages:
            ids = [m.pk for m in messages]
            from avrop.payables.tasks import invoice_messages_send

            transaction.on_commit(lambda: invoice_messages_send(ids))


def _message_row(invoice: SupplierInvoice, built: Any, *, code: str, actor: Any = None) -> InvoiceMessage:
    from avrop.payables.services.messages import message_row

    return message_row(invoice=invoice, built=built, code=code, actor=actor)


# --- the whole pipeline -----------------------------------------------------------------------------


def process(items: list[Incoming]) -> BatchResult:
    """Store, read, check and write a batch. Safe to call again with the same files."""
    result = BatchResult()
    documents = store(items)
    result.stored = sum(1 for d in documents if d.status == InboundDocument.Status.RECEIVED)
    result.repeated = len(items) - result.stored
    seen: set[int] = set()
    todo: list[Prepared] = []
    for item, document in zip(items, documents, strict=True):
        if document.status != InboundDocument.Status.RECEIVED or document.pk in seen:
            continue
        seen.add(document.pk)
        todo.append(read(document, item))
    if todo:
        check(todo)
        try:
            _write(todo)
        except IntegrityError:
            # A concurrent worker committed an invoice with one of these numbers: redo one at a time.
            for item in todo:
                item.invoice = None
                item.outcome = None
                item.response = None
                _process_one_again(item)
    result.documents = documents
    for item in todo:
        if item.invoice is not None:
            result.processed += 1
            result.invoices.append(item.invoice)
            if item.invoice.status == SupplierInvoice.Status.RETURNED:
                result.returned += 1
        else:
            result.unreadable += 1
    return result


def _process_one_again(item: Prepared) -> None:
    item.document.refresh_from_db()
    if item.document.status != InboundDocument.Status.RECEIVED:
        return
    for _attempt in range(3):
        check([item])
        try:
            _write([item])
            return
        except IntegrityError:
            item.invoice = None
            continue
    raise RuntimeError(f"Inbound document {item.document.pk} could not be written after three attempts.")


def intake_poll(
    *,
    access_point: AccessPoint | None = None,
    max_seconds: float | None = None,
    batch_size: int | None = None,
) -> BatchResult:
    """Process the access point's inbound documents until none is left (or ``max_seconds`` passed)."""
    access_point = access_point or default_access_point()
    size = batch_size or conf.batch_size()
    total = BatchResult()
    started = time.monotonic()
    reclaim = getattr(access_point, "reclaim", None)
    if reclaim is not None:
        reclaim()
    while True:
        claimed = access_point.claim(size)
        if not claimed:
            break
        items = [
            Incoming(
                content=access_point.read(f),
                filename=f.name,
                channel=Channel.PEPPOL,
                fresh=not f.reclaimed,
                source=f,
            )
            for f in claimed
        ]
        result = process(items)
        for f in claimed:
            access_point.done(f)
        total.stored += result.stored
        total.repeated += result.repeated
        total.processed += result.processed
        total.unreadable += result.unreadable
        total.returned += result.returned
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            break
    cleanup = getattr(access_point, "release", None)
    if cleanup is not None:
        cleanup()
    return total


def invoice_receive(
    *,
    content: bytes,
    filename: str,
    channel: str = Channel.PORTAL,
    actor: Any = None,
    buyer: Any = None,
    sender: Any = None,
) -> tuple[InboundDocument, SupplierInvoice | None]:
    """Receive one invoice file (XML or PDF) from the supplier portal, an upload or e-mail.

    ``buyer`` is the organisation it is sent to when known (always for PDFs: a PDF names no Peppol
    buyer), ``sender`` the supplier organisation when the portal knows who is logged in. Returns the stored
    document and the invoice (None for an unreadable file, whose findings are on the document).
    """
    if pdf.is_pdf(content):
        channel = Channel.PDF
    result = process(
        [
            Incoming(
                content=content,
                filename=filename,
                channel=channel,
                actor=actor,
                buyer_hint=buyer,
                sender_hint=sender,
            )
        ]
    )
    document = result.documents[0]
    invoice = SupplierInvoice.objects.filter(document=document).first()
    return document, invoice


def stored_content(document: InboundDocument) -> bytes:
    with default_storage.open(document.storage_name, "rb") as handle:
        return handle.read()  # type: ignore[no-any-return]


def iter_incoming(files: Iterable[tuple[str, bytes]], channel: str = Channel.PEPPOL) -> list[Incoming]:
    return [Incoming(content=c, filename=n, channel=channel) for n, c in files]
