"""Intake: store every inbound file raw, then validate, check, route or return it, in batches.

Order of work for a batch (the same for one uploaded file, a batch of one):

1. store: each file is read in chunks for its SHA-256 and copied to storage in chunks (never held whole);
   an ``InboundDocument`` row is committed before anything is parsed. A file whose SHA-256 is known only
   raises that row's ``receipt_count``. A file that cannot be stored stays with the access point.
2. read (no database), one file at a time: only files up to ``conf.max_document_bytes()`` are loaded, and
   only while they are read; hardened XML parse, ``avrop.edi.validation.validate``, header extraction; PDF
   text. A larger file is unreadable with a plain reason, unread.
3. check (reads only): one ``Directory`` per batch answers every lookup in a fixed number of queries.
   Invoice Responses for the returned invoices are built and validated here, outside any transaction.
4. write: one transaction creates the invoices, responses and audit events in bulk and marks the documents
   processed. Should it fail (another worker committed the same invoice number, or anything else), the batch
   is written again one document at a time, each in its own transaction with fresh lookups.
5. the access point forgets the files; the responses are sent by a task after the commit.

No error of one document ends a batch or a poll: an exception while reading, checking or writing a document
sets that document aside (status ``set_aside``, a plain reason for the AP clerk, the error for support) and
the others go on. A document left "received" (its worker was killed) is taken by the sweep, which runs at
the start of each poll and as a periodic task, and which claims each document for one worker only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from avrop.core.middleware import current_request_id
from avrop.core.models import AuditEvent
from avrop.edi import validation, xmlsafe
from avrop.organisations.models import Organisation
from avrop.payables import conf, pdf, rules
from avrop.payables.access_point import AccessPoint, InboundFile, default_access_point
from avrop.payables.checks import Directory, Outcome, organisation_keys, party_keys
from avrop.payables.extract import InvoiceHeader, extract, kind_of
from avrop.payables.matching.services import invoices_match, lines_from_header
from avrop.payables.models import Channel, InboundDocument, InvoiceLine, InvoiceMessage, SupplierInvoice

logger = logging.getLogger(__name__)
MAX_FINDINGS = 200
CENT = Decimal("0.01")
CHUNK = 1024 * 1024  # files are hashed in pieces of this size
HEAD = 1024  # the first bytes tell a PDF from XML
WRITE_ATTEMPTS = 3
Status = InboundDocument.Status


@dataclass
class Incoming:
    """One file on its way in: bytes already in memory (an upload), or a file opened when it is read."""

    filename: str = ""
    channel: str = Channel.PEPPOL
    content: bytes | None = None
    opener: Callable[[], IO[bytes]] | None = None  # used when ``content`` is None
    sha256: str = ""
    size: int = 0
    head: bytes = b""
    actor: Any = None
    buyer_hint: Any = None
    sender_hint: Any = None
    fresh: bool = True  # False for files taken over from a dead worker
    source: InboundFile | None = None
    document: InboundDocument | None = None
    error: Exception | None = None  # why the file could not be stored

    def open(self) -> IO[bytes]:
        if self.content is not None:
            return io.BytesIO(self.content)
        if self.opener is None:
            raise ValueError(f"No content and no file for {self.filename!r}.")
        return self.opener()

    @classmethod
    def of_stored(cls, document: InboundDocument) -> Incoming:
        """A document already stored (left "received", or tried again): read back from storage."""
        return cls(
            filename=document.filename,
            channel=document.channel,
            opener=lambda: default_storage.open(document.storage_name, "rb"),
            sha256=document.sha256,
            size=document.size,
            actor=document.received_by,
            buyer_hint=document.buyer_hint,
            sender_hint=document.sender_hint,
            fresh=False,
            document=document,
        )


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
    failure: str = ""  # what went wrong on our side (for support): the document is set aside
    buyer: Any = None  # the buyer of a set-aside document, when known
    done_elsewhere: bool = False  # another worker finished the document first


@dataclass
class BatchResult:
    stored: int = 0
    repeated: int = 0
    processed: int = 0
    unreadable: int = 0
    returned: int = 0
    set_aside: int = 0
    not_stored: int = 0
    swept: int = 0
    invoices: list[SupplierInvoice] = field(default_factory=list)
    documents: list[InboundDocument | None] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        for name in (
            "stored",
            "repeated",
            "processed",
            "unreadable",
            "returned",
            "set_aside",
            "not_stored",
            "swept",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.invoices += other.invoices

    def count(self, prepared: Iterable[Prepared]) -> None:
        for item in prepared:
            if item.done_elsewhere:
                continue
            if item.invoice is not None:
                self.processed += 1
                self.invoices.append(item.invoice)
                if item.invoice.status == SupplierInvoice.Status.RETURNED:
                    self.returned += 1
            elif item.failure:
                self.set_aside += 1
            else:
                self.unreadable += 1


# --- 1. store ---------------------------------------------------------------------------------------


def _content_type(head: bytes) -> tuple[str, str]:
    if pdf.is_pdf(head):
        return "application/pdf", "pdf"
    return "application/xml", "xml"


def _storage_name(sha256: str, extension: str) -> str:
    return f"payables/inbound/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def _measure(item: Incoming) -> None:
    """SHA-256, size and first bytes of the file, read in chunks."""
    if item.content is not None:
        item.sha256, item.size = hashlib.sha256(item.content).hexdigest(), len(item.content)
        item.head = item.content[:HEAD]
        return
    digest, size, head = hashlib.sha256(), 0, b""
    with item.open() as handle:
        while chunk := handle.read(CHUNK):
            if len(head) < HEAD:
                head += chunk[: HEAD - len(head)]
            digest.update(chunk)
            size += len(chunk)
    item.sha256, item.size, item.head = digest.hexdigest(), size, head


def _store_file(item: Incoming) -> str:
    """Copy the file to storage in chunks (``File.chunks``); the same bytes are stored once.

    A file of that name with another size is a copy cut short (the disk filled up, the process was killed:
    the file system storage leaves what it wrote) and is written again; a copy that fails is removed, so that
    nothing half written is ever taken for the stored document."""
    _mime, extension = _content_type(item.head)
    name = _storage_name(item.sha256, extension)
    if default_storage.exists(name):
        if default_storage.size(name) == item.size:
            return name
        logger.warning("Stored file %s is incomplete; it is written again.", name)
        default_storage.delete(name)
    try:
        with item.open() as handle:
            return default_storage.save(name, File(handle, name=name))
    except Exception:
        with contextlib.suppress(Exception):
            if default_storage.exists(name) and default_storage.size(name) != item.size:
                default_storage.delete(name)
        raise


def _new_document(item: Incoming, storage_name: str, now: Any) -> InboundDocument:
    return InboundDocument(
        sha256=item.sha256,
        channel=item.channel,
        filename=item.filename[:255],
        content_type=_content_type(item.head)[0],
        size=item.size,
        storage_name=storage_name,
        received_by=item.actor if getattr(item.actor, "is_authenticated", False) else None,
        buyer_hint=item.buyer_hint,
        sender_hint=item.sender_hint,
        organisation=item.buyer_hint,
        last_received_at=now,
        claimed_at=now,
    )


def _not_stored(item: Incoming, exc: Exception) -> None:
    logger.error(
        "Inbound file %r could not be stored; it stays with the access point.", item.filename, exc_info=exc
    )
    item.error, item.document = exc, None


def store(items: list[Incoming]) -> list[InboundDocument | None]:
    """Step 1: every file stored with its SHA-256 and committed; returns one document per item (None for a
    file that could not be read or copied to storage: it stays where it came from)."""
    for item in items:
        try:
            _measure(item)
        except Exception as exc:  # an unreadable source file is that file's problem only
            _not_stored(item, exc)
    readable = [item for item in items if item.error is None]
    by_sha = {d.sha256: d for d in InboundDocument.objects.filter(sha256__in={i.sha256 for i in readable})}
    new: dict[str, InboundDocument] = {}
    repeated: Counter[int] = Counter()
    now = timezone.now()
    for item in readable:
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
        try:
            storage_name = _store_file(item)
        except Exception as exc:  # storage refused this file (e.g. its name): the others go on
            _not_stored(item, exc)
            continue
        new[item.sha256] = item.document = _new_document(item, storage_name, now)
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
            if item.error is not None:
                continue
            document = new.get(item.sha256) or item.document
            assert document is not None
            defaults = {
                f.attname: getattr(document, f.attname) for f in InboundDocument._meta.concrete_fields
            }
            for name in ("id", "sha256", "created_at", "updated_at"):
                defaults.pop(name, None)
            with transaction.atomic():
                item.document, _created = InboundDocument.objects.get_or_create(
                    sha256=item.sha256, defaults=defaults
                )
    return [item.document for item in items]


# --- 2. read ----------------------------------------------------------------------------------------


def read(document: InboundDocument, item: Incoming) -> Prepared:
    """Step 2 for one document: bad content becomes findings; an error of ours sets the document aside."""
    prepared = Prepared(document=document, incoming=item)
    try:
        _read_into(prepared)
    except Exception as exc:  # whatever one document does to the readers stays with that document
        _fail(prepared, exc, step="read")
    return prepared


def _too_large(size: int, limit: int) -> dict[str, Any]:
    return rules.finding("AVROP-FILE-TOO-LARGE", size=filesizeformat(size), limit=filesizeformat(limit))


def _load(item: Incoming, limit: int) -> bytes:
    """The file's bytes for parsing: never more than ``limit`` + 1 of them."""
    if item.content is not None:
        return item.content
    with item.open() as handle:
        return handle.read(limit + 1)


def _read_into(prepared: Prepared) -> None:
    limit = conf.max_document_bytes()
    if prepared.document.size > limit:
        prepared.findings = [_too_large(prepared.document.size, limit)]
        return
    content = _load(prepared.incoming, limit)
    if len(content) > limit:
        prepared.findings = [_too_large(len(content), limit)]
        return
    if pdf.is_pdf(content):
        prepared.is_pdf = True
        from avrop.payables.scanning import reading

        prepared.pdf_text = reading.text_of(content)  # pages separated by form feeds; "" for a scan
        prepared.fingerprint = pdf.fingerprint(prepared.pdf_text)
        return
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
        return
    root = tree.getroot()
    if kind_of(root) is None:
        from lxml import etree

        from avrop.payables import formats

        other = formats.read(root, content, max_bytes=limit)  # EN 16931 CII, Svefaktura 1.0
        if other is not None:
            prepared.header, prepared.findings = other
            return

        prepared.findings = [rules.finding("AVROP-NOT-AN-INVOICE", root=etree.QName(root).localname)]
        return
    # The header first: should validation fail on our side, it still tells whose document this is.
    prepared.header = extract(root)
    report = validation.validate(content, max_bytes=limit)
    prepared.findings = rules.from_validation(report.findings)


def _fail(item: Prepared, exc: BaseException, *, step: str) -> None:
    """Set the document aside: the error is logged and kept for support, the clerk gets a plain reason."""
    logger.error(
        "Inbound document %s set aside: %s failed (%s).",
        item.document.pk,
        step,
        type(exc).__name__,
        exc_info=exc,
    )
    item.failure = _printable(f"{step}: {type(exc).__name__}: {exc}")[:4000]
    item.buyer = item.outcome.organisation if item.outcome is not None else None
    item.buyer = item.buyer or _buyer_named(item)
    item.outcome = item.response = item.invoice = None


def _printable(text: str) -> str:
    # PostgreSQL refuses NUL in text and JSON, and an error may quote the bytes of a hostile file.
    return text.replace("\x00", "")


def _buyer_named(item: Prepared) -> Any:
    """The buyer the document is for: the one it was uploaded to, else one of ours named in its header."""
    if item.incoming.buyer_hint is not None:
        return item.incoming.buyer_hint
    header = item.header
    if header is None:
        return None
    try:
        buyer = header.buyer
        keys = set(
            party_keys(
                endpoint=buyer.endpoint,
                legal_id=buyer.legal_id,
                legal_scheme=buyer.legal_scheme,
                vat_id=buyer.vat_id,
                identifiers=buyer.identifiers,
            )
        )
        organisations = Organisation.objects.filter(
            kind__in=[Organisation.Kind.BUYER, Organisation.Kind.SERVICE_CENTRE]
        ).order_by("pk")
        return next((org for org in organisations if keys & set(organisation_keys(org))), None)
    except Exception:  # the buyer only decides who sees the set-aside document; operators see all of them
        logger.warning("No buyer found for set-aside document %s.", item.document.pk, exc_info=True)
        return None


# --- 3. check ---------------------------------------------------------------------------------------


def check(prepared: list[Prepared]) -> None:
    """Step 3: business checks and routing for the readable invoices, responses built for returned ones."""
    readable = [p for p in prepared if p.header is not None and not p.failure]
    if not readable:
        return
    directory: Directory | None
    try:
        directory = Directory(
            [p.header for p in readable],  # type: ignore[misc]
            buyer_hints=[p.incoming.buyer_hint for p in readable],
        )
    except Exception:  # one odd header must not stop the batch: each document gets its own directory
        logger.warning(
            "The batch directory could not be built; checking one document at a time.", exc_info=True
        )
        directory = None
    for item in readable:
        try:
            assert item.header is not None
            _check_one(item, directory or Directory([item.header], buyer_hints=[item.incoming.buyer_hint]))
        except Exception as exc:
            _fail(item, exc, step="check")


def _check_one(item: Prepared, directory: Directory) -> None:
    from avrop.payables.services.messages import build_for

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
    if outcome.status == SupplierInvoice.Status.RETURNED:
        item.response = build_for(
            header=header,
            organisation=outcome.organisation,
            code="RE",
            findings=outcome.findings,
            channel=item.incoming.channel,
        )
    # Only a fully checked invoice is seen by the duplicate checks of the ones after it.
    directory.remember(header, outcome, ref=item)


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
        purchase_order=outcome.purchase_order,
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
    from avrop.payables.scanning.services import prefill_from_text

    buyer = item.incoming.buyer_hint
    # Each value with its source; the supplier by org.no or bankgiro from the register (scans: OCR later).
    prefilled, supplier = prefill_from_text(item.pdf_text, buyer=buyer, sender=item.incoming.sender_hint)
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
    """Step 4: one transaction for the whole batch. Documents another worker finished meanwhile are left out
    (their rows are locked first, so each document is written once)."""
    now = timezone.now()
    with transaction.atomic():
        pending = set(
            InboundDocument.objects.select_for_update()
            .filter(pk__in=[p.document.pk for p in prepared], status=Status.RECEIVED)
            .values_list("pk", flat=True)
        )
        for item in prepared:
            item.done_elsewhere = item.document.pk not in pending
        prepared = [p for p in prepared if not p.done_elsewhere]
        invoices: list[SupplierInvoice] = []
        unreadable: list[InboundDocument] = []
        set_aside: list[InboundDocument] = []
        # Originals before the invoices that point at them as suspected duplicates.
        for group in _originals_first(prepared):
            batch = []
            for item in group:
                document = item.document
                if item.failure:
                    document.status = Status.SET_ASIDE
                    document.findings = [rules.finding("AVROP-PROCESSING-FAILED", document=document.pk)]
                    document.error_detail = item.failure
                    document.organisation = item.buyer
                    set_aside.append(document)
                    continue
                if item.is_pdf:
                    item.invoice = _pdf_invoice(item)
                elif item.header is not None:
                    item.invoice = _invoice(item)
                else:
                    document.status = Status.UNREADABLE
                    document.findings = _printable_findings(item.findings[:MAX_FINDINGS])
                    document.organisation = item.incoming.buyer_hint
                    unreadable.append(document)
                    continue
                batch.append(item.invoice)
            SupplierInvoice.objects.bulk_create(batch)
            invoices.extend(batch)
        InvoiceLine.objects.bulk_create(
            [
                line
                for item in prepared
                if item.invoice is not None and item.header is not None and not item.is_pdf
                for line in lines_from_header(item.invoice, item.header)
            ],
            batch_size=1000,
        )
        _match_on_arrival(invoices)
        messages = []
        for item in prepared:
            if item.response is not None and item.invoice is not None:
                messages.append(_message_row(item.invoice, item.response, code="RE"))
        InvoiceMessage.objects.bulk_create(messages)
        processed_ids = [p.document.pk for p in prepared if p.invoice is not None]
        InboundDocument.objects.filter(pk__in=processed_ids).update(status=Status.PROCESSED, processed_at=now)
        for item in prepared:
            if item.invoice is not None:
                item.document.status, item.document.processed_at = Status.PROCESSED, now
        for document in unreadable + set_aside:
            document.processed_at = now
        InboundDocument.objects.bulk_update(
            unreadable + set_aside, ["status", "findings", "processed_at", "organisation", "error_detail"]
        )
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
                organisation=d.organisation,
                after={"rules": sorted({f["rule"] for f in d.findings})[:20]},
            )
            for d in unreadable
        ]
        events += [
            _audit_event("inbound_document.set_aside", obj=d, organisation=d.organisation) for d in set_aside
        ]
        AuditEvent.objects.bulk_create(events)
        if messages:
            from avrop.payables import outbox

            outbox.queue(messages)


def _match_on_arrival(invoices: list[SupplierInvoice]) -> None:
    """Match what can be matched: invoices naming one of our orders, and credit notes."""
    ids = [
        i.pk
        for i in invoices
        if i.status != SupplierInvoice.Status.RETURNED
        and (i.purchase_order_id or i.kind == SupplierInvoice.Kind.CREDIT_NOTE)
    ]
    if ids:
        invoices_match(invoice_ids=ids)
        transaction.on_commit(lambda: _touchless_later(ids))


def _touchless_later(ids: list[int]) -> None:
    from avrop.payables.tasks import invoices_touchless_task

    invoices_touchless_task(ids)


def _originals_first(prepared: list[Prepared]) -> tuple[list[Prepared], list[Prepared]]:
    first = [p for p in prepared if not isinstance(p.outcome and p.outcome.duplicate_of, Prepared)]
    return first, [p for p in prepared if p not in first]


def _printable_findings(value: Any) -> Any:
    if isinstance(value, str):
        return _printable(value)
    if isinstance(value, dict):
        return {k: _printable_findings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable_findings(v) for v in value]
    return value


def _write_all(prepared: list[Prepared]) -> None:
    """Write the batch in one transaction; should that fail, each document in its own."""
    try:
        _write(prepared)
    except Exception:
        logger.warning("Intake batch write failed; writing its documents one at a time.", exc_info=True)
        first, second = _originals_first(prepared)
        for item in first + second:
            _write_alone(item)


def _write_alone(item: Prepared) -> None:
    """Write one document in its own transaction; whatever goes wrong stays with this document."""
    item.invoice = None
    error: Exception | None = None
    for _attempt in range(WRITE_ATTEMPTS):
        try:
            _write([item])
            return
        except IntegrityError as exc:
            # Most likely another worker committed this invoice number meanwhile: check again, fresh.
            error = exc
            item.invoice = item.outcome = item.response = None
            check([item])
            if item.failure:
                break
        except Exception as exc:
            error = exc
            break
    if not item.failure:
        assert error is not None
        _fail(item, error, step="write")
    try:
        _write([item])
    except Exception:
        # Not even the set-aside status could be written: the document stays "received" for the sweep.
        logger.exception(
            "Inbound document %s could not be set aside; the sweep will take it.", item.document.pk
        )
        item.done_elsewhere = True


def _message_row(invoice: SupplierInvoice, built: Any, *, code: str, actor: Any = None) -> InvoiceMessage:
    from avrop.payables.services.messages import message_row

    return message_row(invoice=invoice, built=built, code=code, actor=actor)


# --- the whole pipeline -----------------------------------------------------------------------------


def process(items: list[Incoming]) -> BatchResult:
    """Store, read, check and write a batch. Safe to call again with the same files."""
    result = BatchResult()
    documents = store(items)
    result.documents = documents
    stored = [(i, d) for i, d in zip(items, documents, strict=True) if d is not None]
    result.not_stored = len(items) - len(stored)
    result.stored = sum(1 for _item, d in stored if d.status == Status.RECEIVED)
    result.repeated = len(stored) - result.stored
    seen: set[int] = set()
    todo: list[tuple[Incoming, InboundDocument]] = []
    for item, document in stored:
        if document.status != Status.RECEIVED or document.pk in seen:
            continue
        seen.add(document.pk)
        todo.append((item, document))
    result.count(_take_in(todo))
    return result


def process_stored(documents: list[InboundDocument]) -> BatchResult:
    """Read, check and write documents already stored and still "received" (the sweep, a clerk's retry)."""
    result = BatchResult()
    result.count(_take_in([(Incoming.of_stored(d), d) for d in documents]))
    return result


def _take_in(todo: list[tuple[Incoming, InboundDocument]]) -> list[Prepared]:
    # One file at a time in memory: ``read`` loads a file's bytes and lets them go.
    prepared = [read(document, item) for item, document in todo]
    if prepared:
        check(prepared)
        _write_all(prepared)
        scans = [p.invoice for p in prepared if p.is_pdf and p.invoice is not None and not p.pdf_text.strip()]
        if scans:
            from avrop.payables.scanning.services import readings_start

            readings_start(scans)  # OCR as a task, after the commit
    return prepared


def intake_poll(
    *,
    access_point: AccessPoint | None = None,
    max_seconds: float | None = None,
    batch_size: int | None = None,
) -> BatchResult:
    """Process the access point's inbound documents until none is left (or ``max_seconds`` passed).

    Documents left "received" by a killed worker are swept first. Files are read one at a time, in chunks;
    a file is forgotten by the access point once its document is stored (the sweep finishes any document
    whose processing did not), and a file that cannot be stored is put aside by the access point."""
    access_point = access_point or default_access_point()
    size = batch_size or conf.batch_size()
    total = BatchResult()
    started = time.monotonic()
    try:
        total.add(inbound_documents_sweep())
    except DatabaseError:
        raise
    except Exception:  # the sweep must never keep new files from coming in
        logger.exception("The sweep of documents left received failed; the poll goes on.")
    reclaim = getattr(access_point, "reclaim", None)
    if reclaim is not None:
        reclaim()
    put_aside = getattr(access_point, "put_aside", None)
    held: set[str] = set()  # files that could not be stored and that the access point cannot put aside
    while True:
        claimed = [f for f in access_point.claim(size) if str(f.path) not in held]
        if not claimed:
            break
        items = [
            Incoming(
                filename=f.name,
                channel=Channel.PEPPOL,
                opener=_opener(access_point, f),
                fresh=not f.reclaimed,
                source=f,
            )
            for f in claimed
        ]
        total.add(_process_batch(items))
        for item in items:
            assert item.source is not None
            if item.document is not None:
                access_point.done(item.source)
            elif put_aside is not None:
                put_aside(item.source)
            else:
                held.add(str(item.source.path))
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            break
    cleanup = getattr(access_point, "release", None)
    if cleanup is not None:
        cleanup()
    return total


def _opener(access_point: AccessPoint, item: InboundFile) -> Callable[[], IO[bytes]]:
    open_file = getattr(access_point, "open", None)
    if open_file is not None:
        return lambda: open_file(item)
    return lambda: io.BytesIO(access_point.read(item))


def _process_batch(items: list[Incoming]) -> BatchResult:
    """``process``, and should it fail after all, each file on its own: one file never stops the others.
    A database error is the database's, not a file's: it ends the poll and the files stay claimed."""
    try:
        return process(items)
    except DatabaseError:
        raise
    except Exception:
        logger.exception("An intake batch failed; taking its files in one at a time.")
    result = BatchResult()
    for item in items:
        item.document, item.error = None, None
        try:
            result.add(process([item]))
        except DatabaseError:
            raise
        except Exception as exc:
            logger.exception("Inbound file %r could not be taken in; it is put aside.", item.filename)
            item.document, item.error = None, exc
            result.not_stored += 1
    return result


# --- the sweep --------------------------------------------------------------------------------------


def inbound_documents_sweep(*, older_than_seconds: int | None = None, limit: int = 500) -> BatchResult:
    """Process documents left "received" longer than ``older_than_seconds`` (a worker or web process was
    killed between storing and writing them). Each is claimed by one sweep only, however many run at once;
    one whose processing the sweep had to take over too often is set aside instead."""
    seconds = conf.sweep_after_seconds() if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - dt.timedelta(seconds=seconds)
    total = BatchResult()
    while total.swept < limit:
        documents = _claim_stale(cutoff=cutoff, limit=min(conf.batch_size(), limit - total.swept))
        if not documents:
            break
        total.swept += len(documents)
        worn = [d for d in documents if d.attempts > conf.MAX_PROCESSING_ATTEMPTS]
        if worn:
            given_up = [
                Prepared(
                    document=d,
                    incoming=Incoming.of_stored(d),
                    failure=f"Processing was taken over {d.attempts - 1} times and never finished.",
                    buyer=d.buyer_hint,
                )
                for d in worn
            ]
            _write(given_up)
            total.count(given_up)
        total.add(process_stored([d for d in documents if d.attempts <= conf.MAX_PROCESSING_ATTEMPTS]))
    if total.swept:
        logger.warning("The sweep took %s document(s) left received.", total.swept)
    return total


def _claim_stale(*, cutoff: dt.datetime, limit: int) -> list[InboundDocument]:
    stale = Q(status=Status.RECEIVED) & (
        Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, created_at__lt=cutoff)
    )
    now = timezone.now()
    claim = {"claimed_at": now, "attempts": F("attempts") + 1}
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: rows another sweep is claiming are skipped, not waited for.
        with transaction.atomic():
            ids = list(
                InboundDocument.objects.select_for_update(skip_locked=True)
                .filter(stale)
                .order_by("pk")
                .values_list("pk", flat=True)[:limit]
            )
            InboundDocument.objects.filter(pk__in=ids).update(**claim)
    else:
        # SQLite: one conditional UPDATE per document; only the sweep whose UPDATE changed the row has it.
        candidates = list(
            InboundDocument.objects.filter(stale).order_by("pk").values_list("pk", flat=True)[:limit]
        )
        ids = [pk for pk in candidates if InboundDocument.objects.filter(stale, pk=pk).update(**claim)]
    return list(
        InboundDocument.objects.filter(pk__in=ids)
        .select_related("received_by", "buyer_hint", "sender_hint")
        .order_by("pk")
    )


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
    item = Incoming(
        content=content, filename=filename, channel=channel, actor=actor, buyer_hint=buyer, sender_hint=sender
    )
    document = process([item]).documents[0]
    if document is None:
        assert item.error is not None
        raise item.error  # storage failed: the upload is not received, and says so
    invoice = SupplierInvoice.objects.filter(document=document).first()
    return document, invoice


def stored_content(document: InboundDocument) -> bytes:
    with default_storage.open(document.storage_name, "rb") as handle:
        return handle.read()


def iter_incoming(files: Iterable[tuple[str, bytes]], channel: str = Channel.PEPPOL) -> list[Incoming]:
    return [Incoming(content=c, filename=n, channel=channel) for n, c in files]
