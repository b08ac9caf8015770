"""Supplier invoices in: the raw inbound documents, the invoices they carry, our responses, coding, reminders.

Every inbound file becomes an ``InboundDocument`` (raw bytes in storage, SHA-256 unique) before anything
else happens; the invoice read from it is a ``SupplierInvoice``. Responses we send (Peppol Invoice
Response T111, or an e-mail to a supplier without Peppol) are ``InvoiceMessage`` rows, stored raw as well.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.payables.matching.models import InvoiceMatch


class Channel(models.TextChoices):
    PEPPOL = "peppol", _("Peppol")
    UPLOAD = "upload", _("Uploaded XML")
    PORTAL = "portal", _("Supplier portal")
    PDF = "pdf", _("PDF")


class InboundDocument(TimeStampedModel):
    """One inbound file exactly as received. The same bytes twice are the same row (``receipt_count`` 2).

    A document that is not an invoice we can read is ``unreadable`` (its findings say why); one whose
    processing failed on our side is ``set_aside`` (``error_detail`` says what failed, for support). Both stay
    stored and are listed for the buyer's AP clerks when the buyer is known (``organisation``).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Stored, not yet processed")
        PROCESSED = "processed", _("Processed")
        UNREADABLE = "unreadable", _("Unreadable – flagged")
        SET_ASIDE = "set_aside", _("Set aside – could not be processed")

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    storage_name = models.CharField(_("stored as"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    findings = models.JSONField(_("findings"), default=list, blank=True)
    receipt_count = models.PositiveIntegerField(_("times received"), default=1)
    last_received_at = models.DateTimeField(_("last received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # For uploads and the portal the receiving or sending organisation is known before the file is read.
    buyer_hint = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender_hint = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The buyer the document is for, when known: from the upload, or read from the file. Its AP clerks see
    # the document when it could not become an invoice.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("buyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # When processing last started: by the worker that stored the document, or by the sweep that takes over
    # a document left "received" (a killed worker). ``attempts`` counts the sweep's takeovers.
    claimed_at = models.DateTimeField(_("processing started"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    error_detail = models.TextField(_("error detail for support"), blank=True)

    class Meta:
        verbose_name = _("inbound document")
        verbose_name_plural = _("inbound documents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="payables_inbound_status")]

    def __str__(self) -> str:
        return f"{self.filename or self.sha256[:12]} ({self.get_channel_display()})"


class SupplierInvoice(TimeStampedModel):
    """An invoice or credit note from a supplier to one of our buyer organisations."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        REGISTRATION = "registration", _("PDF waiting for registration")
        PRECHECK = "precheck", _("New – pre-check")
        NEEDS_REFERENCE = "needs_reference", _("Needs reference")
        SUSPECTED_DUPLICATE = "suspected_duplicate", _("Suspected duplicate")
        UNDER_QUERY = "under_query", _("Under query")
        WAITING_REVIEW = "waiting_review", _("Waiting for reviewer")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        RETURNED = "returned", _("Returned to the supplier")

    document = models.OneToOneField(
        InboundDocument, verbose_name=_("inbound document"), on_delete=models.PROTECT, related_name="invoice"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("buyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier_invoices",
    )
    department = models.ForeignKey(
        "organisations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder",
        verbose_name=_("purchase order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier_invoices",
        help_text=_("The buyer's order that the invoice's order reference names."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices_to_review",
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    # The seller as written on the invoice (kept even when it matches no supplier).
    seller_key = models.CharField(_("seller id"), max_length=80, blank=True, db_index=True)
    seller_name = models.CharField(_("seller"), max_length=300, blank=True)
    seller_country = models.CharField(_("seller country"), max_length=2, blank=True)
    seller_email = models.CharField(_("seller e-mail"), max_length=254, blank=True)
    seller_endpoint = models.CharField(_("seller Peppol id"), max_length=80, blank=True)
    buyer_endpoint = models.CharField(_("buyer Peppol id"), max_length=80, blank=True)
    buyer_name = models.CharField(_("buyer as written"), max_length=300, blank=True)
    number = models.CharField(_("invoice number"), max_length=100, blank=True)
    issue_date = models.DateField(_("invoice date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    net_amount = models.DecimalField(
        _("amount excl. VAT"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    tax_amount = models.DecimalField(_("VAT"), max_digits=16, decimal_places=2, null=True, blank=True)
    payable_amount = models.DecimalField(
        _("amount due"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    buyer_reference = models.CharField(_("buyer reference"), max_length=200, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=200, blank=True)
    contract_reference = models.CharField(_("contract reference"), max_length=200, blank=True)
    invoice_references = models.CharField(
        _("credited invoices"),
        max_length=300,
        blank=True,
        help_text=_("For credit notes: the invoices credited."),
    )
    payee_account = models.CharField(_("bank account on the invoice"), max_length=80, blank=True)
    payee_account_kind = models.CharField(_("account kind"), max_length=20, blank=True)
    payment_reference = models.CharField(_("payment reference (OCR)"), max_length=100, blank=True)
    findings = models.JSONField(_("findings"), default=list, blank=True)
    fatal_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    # The record that holds the supplier's invoice number: unique per seller and kind. Duplicates and
    # returned invoices give it up, so a corrected invoice may reuse the number of a returned one.
    claims_number = models.BooleanField(default=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("suspected original"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suspected_duplicates",
    )
    duplicate_reason = models.CharField(_("why a duplicate is suspected"), max_length=300, blank=True)
    content_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    pdf_prefill = models.JSONField(_("read from the PDF"), default=dict, blank=True)
    routing_note = models.CharField(_("routing"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(null=True, blank=True)
    sent_to_review_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_to_review_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("reason for the return"), blank=True)
    queried_at = models.DateTimeField(null=True, blank=True)
    query_text = models.TextField(_("question to the supplier"), blank=True)
    # Matching against the order and its goods receipts (``payables.matching``); blank until matched.
    match_status = models.CharField(_("match"), max_length=20, choices=InvoiceMatch.choices, blank=True)
    match_reasons = models.JSONField(_("why"), default=list, blank=True)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    # Went from intake to attest (or payment) by the organisation's rule, untouched by a person.
    touchless = models.BooleanField(_("touchless"), default=False)

    class Meta:
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller_key", "kind", "number"],
                condition=Q(claims_number=True) & ~Q(number="") & ~Q(seller_key=""),
                name="payables_invoice_unique_number",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="payables_inv_org_status"),
            models.Index(fields=["supplier", "payable_amount", "issue_date"], name="payables_inv_fuzzy"),
            models.Index(fields=["status", "status_changed_at"], name="payables_inv_waiting"),
            models.Index(fields=["seller_key", "number"], name="payables_inv_seller_number"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or '–'} {self.seller_name}".strip()

    @property
    def is_pdf(self) -> bool:
        return self.channel == Channel.PDF

    @property
    def signed_payable(self) -> Decimal | None:
        if self.payable_amount is None:
            return None
        return -self.payable_amount if self.kind == self.Kind.CREDIT_NOTE else self.payable_amount

    def days_to_due(self, today: dt.date | None = None) -> int | None:
        if self.due_date is None:
            return None
        return (self.due_date - (today or timezone.localdate())).days


class InvoiceMessage(TimeStampedModel):
    """A status message to the supplier: a Peppol Invoice Response (T111) or an e-mail, stored raw."""

    class Code(models.TextChoices):
        # UNCL4343 subset of the Peppol Invoice Response.
        RECEIVED = "AB", _("Received")
        IN_PROCESS = "IP", _("In process")
        UNDER_QUERY = "UQ", _("Under query")
        CONDITIONALLY_ACCEPTED = "CA", _("Conditionally accepted")
        REJECTED = "RE", _("Rejected")
        ACCEPTED = "AP", _("Accepted")
        PAID = "PD", _("Paid")

    class Via(models.TextChoices):
        PEPPOL = "peppol", _("Peppol access point")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.PROTECT, related_name="messages")
    code = models.CharField(_("response"), max_length=2, choices=Code.choices)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    document_id = models.CharField(_("document id"), max_length=100, unique=True)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    text = models.TextField(_("text for the supplier"), blank=True)
    valid = models.BooleanField(_("passes the Peppol rules"), default=True)
    validation_findings = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice response")
        verbose_name_plural = _("invoice responses")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="payables_msg_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.document_id}"


class CodingLine(TimeStampedModel):
    """One line of the accepted coding (kontering) of an invoice."""

    class Source(models.TextChoices):
        ORDER = "order", _("From the linked order")
        HISTORY = "history", _("From this supplier's earlier invoices to the department")
        SUPPLIER_DEFAULT = "supplier_default", _("From the supplier's default account")
        MANUAL = "manual", _("Entered by hand")

    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="coding_lines")
    account = models.CharField(_("account"), max_length=20)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    project = models.CharField(_("project"), max_length=40, blank=True)
    amount = models.DecimalField(_("amount excl. VAT"), max_digits=16, decimal_places=2)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = _("coding line")
        verbose_name_plural = _("coding lines")
        ordering = ["invoice", "id"]

    def __str__(self) -> str:
        return f"{self.account} {self.cost_centre} {self.amount}"


class SupplierCodingDefault(TimeStampedModel):
    """The account (and cost centre) a buyer codes a supplier's invoices to when nothing better is known."""

    supplier = models.OneToOneField(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.CASCADE,
        related_name="coding_default",
    )
    account = models.CharField(_("default account"), max_length=20)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("supplier default coding")
        verbose_name_plural = _("supplier default codings")

    def __str__(self) -> str:
        return f"{self.supplier}: {self.account}"


class ReferenceRate(models.Model):
    """The Riksbank reference rate (referensränta) from a date; late-payment interest is it plus 8 points."""

    valid_from = models.DateField(_("valid from"), unique=True)
    rate = models.DecimalField(_("reference rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("reference rate")
        verbose_name_plural = _("reference rates")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.rate} % from {self.valid_from}"


class Reminder(models.Model):
    """A reminder about an invoice waiting for review; one per level and waiting period."""

    class Level(models.TextChoices):
        REVIEWER = "reviewer", _("Reminder to the reviewer")
        MANAGER = "manager", _("Escalation to the manager")

    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="reminders")
    level = models.CharField(max_length=10, choices=Level.choices)
    waiting_since = models.DateTimeField()
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "level", "waiting_since"], name="payables_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} → {self.recipient}"


# Matching, payments and accounting live in their own modules; Django finds models through this one.
from avrop.payables.attest.models import (  # noqa: E402, F401
    AttestSettings,
    CodingRevision,
    InvoiceDispute,
    InvoiceHold,
)
from avrop.payables.matching.models import (  # noqa: E402, F401
    InvoiceAutomation,
    InvoiceLine,
    LineMatch,
    MatchTolerance,
)
from avrop.payables.payments.models import (  # noqa: E402, F401
    AccountingExport,
    BankFeedbackFile,
    JournalEntry,
    JournalLine,
    PaymentApproval,
    PaymentFile,
    PaymentLine,
    PaymentProposal,
    PaymentSettings,
    SupplierPaymentTerms,
)
from avrop.payables.periodisation.models import Periodisation, PeriodisationRelease  # noqa: E402, F401
from avrop.payables.postcheck.models import PostCheckSample, PostCheckSettings  # noqa: E402, F401
from avrop.payables.scanning.models import PdfReading  # noqa: E402, F401
from avrop.payables.subscriptions.models import (  # noqa: E402, F401
    Subscription,
    SubscriptionInvoice,
    SubscriptionMiss,
)
