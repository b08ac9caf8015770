"""Customers, articles, customer invoices and credit notes, incoming payments and the rates they use.

Money is Decimal in the invoice's currency (``*_amount``) with the SEK value for the books (``*_sek``) at
the exchange rate of the invoice date. Every incoming payment file is kept raw with its SHA-256.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel

ORGANISATION = "organisations.Organisation"
ZERO = Decimal("0.00")


class VatCategory(models.TextChoices):
    """UNCL5305 VAT categories a Swedish seller uses (EN 16931 BT-151)."""

    STANDARD = "S", _("Standard rate")
    ZERO = "Z", _("Zero rated")
    EXEMPT = "E", _("Exempt from VAT")
    REVERSE_CHARGE = "AE", _("Reverse charge (EU)")
    INTRA_COMMUNITY = "K", _("Intra-community supply of goods")
    EXPORT = "G", _("Export outside the EU")


class Delivery(models.TextChoices):
    PEPPOL = "peppol", _("E-invoice (Peppol)")
    EMAIL = "email", _("PDF by e-mail")


class ReceivablesSettings(TimeStampedModel):
    """How an organisation invoices: the bankgiro its customers pay to and its OCR rules."""

    class OcrCheck(models.TextChoices):
        HARD = "hard", _("Hard check (length digit and check digit)")
        SOFT = "soft", _("Soft check (check digit)")

    organisation = models.OneToOneField(
        ORGANISATION, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    bankgiro = models.CharField(_("bankgiro number"), max_length=10, help_text=_("e.g. 5050-1055"))
    ocr_check = models.CharField(
        _("OCR check"), max_length=10, choices=OcrCheck.choices, default=OcrCheck.HARD
    )
    payment_days = models.PositiveSmallIntegerField(_("default payment terms (days)"), default=30)
    reminder_fee = models.DecimalField(_("reminder fee (SEK)"), max_digits=8, decimal_places=2, default=60)

    class Meta:
        verbose_name = _("receivables settings")
        verbose_name_plural = _("receivables settings")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.bankgiro}"

    @property
    def bankgiro_digits(self) -> str:
        return "".join(c for c in self.bankgiro if c.isdigit())


class Customer(TimeStampedModel):
    organisation = models.ForeignKey(
        ORGANISATION, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    number = models.CharField(_("customer number"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="SE")
    org_number = models.CharField(_("organisation number"), max_length=20, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    peppol_id = models.CharField(_("Peppol participant id"), max_length=60, blank=True)
    delivery = models.CharField(_("invoice by"), max_length=10, choices=Delivery.choices)
    email = models.EmailField(_("invoice e-mail"), blank=True)
    payment_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="sv")
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    is_business = models.BooleanField(
        _("business customer"),
        default=True,
        help_text=_("Late-payment compensation of 450 SEK applies to business customers only."),
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="receivables_customer_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Article(TimeStampedModel):
    organisation = models.ForeignKey(
        ORGANISATION, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    number = models.CharField(_("article number"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=3, default="EA", help_text=_("UN/ECE Rec 20, e.g. EA, HUR"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    vat_category = models.CharField(
        _("VAT category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("25"))
    exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    is_goods = models.BooleanField(
        _("goods"),
        default=False,
        help_text=_("Goods, not a service: sold to the EU as an intra-community supply."),
    )
    revenue_account = models.CharField(_("revenue account"), max_length=10)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="receivables_article_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ExchangeRate(models.Model):
    """SEK per unit of ``currency`` on ``day`` (e.g. the Riksbank's daily rates), imported from a file."""

    currency = models.CharField(_("currency"), max_length=3)
    day = models.DateField(_("date"))
    rate = models.DecimalField(_("SEK per unit"), max_digits=14, decimal_places=6)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-day"]
        constraints = [models.UniqueConstraint(fields=["currency", "day"], name="receivables_rate_day")]

    def __str__(self) -> str:
        return f"{self.currency} {self.day}: {self.rate}"


class InvoiceNumberSeries(models.Model):
    """The gap-free number series of one organisation's customer invoices and credit notes."""

    organisation = models.OneToOneField(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number series")
        verbose_name_plural = _("invoice number series")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.last_number}"


class CustomerInvoice(TimeStampedModel):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        CREDITED = "credited", _("Credited")
        CANCELLED = "cancelled", _("Cancelled")
        HANDED_OVER = "handed_over", _("Handed over to collection")
        WRITTEN_OFF = "written_off", _("Written off")

    organisation = models.ForeignKey(
        ORGANISATION, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(_("number"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    credited_invoice = models.ForeignKey(
        "self",
        verbose_name=_("credits invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    exchange_rate = models.DecimalField(_("SEK per unit"), max_digits=14, decimal_places=6, default=1)
    buyer_reference = models.CharField(_("your reference"), max_length=100, blank=True)
    order_reference = models.CharField(_("order number"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    net_amount = models.DecimalField(_("net amount"), max_digits=14, decimal_places=2, default=ZERO)
    vat_amount = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=ZERO)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=ZERO)
    total_sek = models.DecimalField(_("total in SEK"), max_digits=14, decimal_places=2, default=ZERO)
    paid_amount = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=ZERO)
    credited_amount = models.DecimalField(_("credited"), max_digits=14, decimal_places=2, default=ZERO)
    ocr_reference = models.CharField(_("OCR reference"), max_length=25, blank=True, db_index=True)
    via = models.CharField(_("sent as"), max_length=10, choices=Delivery.choices, blank=True)
    document = models.BinaryField(_("document"), blank=True, default=b"")
    document_sha256 = models.CharField(max_length=64, blank=True)
    findings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    interest_for = models.ForeignKey(
        "self",
        verbose_name=_("interest on invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interest_invoices",
    )
    interest_until = models.DateField(_("interest up to and including"), null=True, blank=True)
    flat_compensation = models.DecimalField(
        _("late-payment compensation"), max_digits=8, decimal_places=2, default=ZERO
    )

    class Meta:
        verbose_name = _("customer invoice")
        verbose_name_plural = _("customer invoices")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], condition=~Q(number=""), name="receivables_invoice_number"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "due_date"], name="receivables_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or '–'}"

    @property
    def open_amount(self) -> Decimal:
        if self.kind == self.Kind.CREDIT_NOTE:
            return ZERO
        return self.total_amount - self.paid_amount - self.credited_amount


class CustomerInvoiceLine(models.Model):
    invoice = models.ForeignKey(CustomerInvoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=3, default="EA")
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    vat_category = models.CharField(_("VAT category"), max_length=2, choices=VatCategory.choices)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    revenue_account = models.CharField(_("revenue account"), max_length=10)
    net_amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    period_start = models.DateField(_("service period from"), null=True, blank=True)
    period_end = models.DateField(_("service period to"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="receivables_line_position"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.position} {self.description}"


class PaymentFile(TimeStampedModel):
    """A bank file of incoming payments, stored as received; read once per organisation."""

    class Format(models.TextChoices):
        BGMAX = "bgmax", _("Bankgirot BgMax")
        CAMT054 = "camt054", _("ISO 20022 camt.054")

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    payment_count = models.PositiveIntegerField(_("payments"), default=0)
    total_amount = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=ZERO)
    matched_count = models.PositiveIntegerField(_("matched"), default=0)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("payment file")
        verbose_name_plural = _("payment files")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sha256"], name="receivables_file_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Payment(TimeStampedModel):
    """One incoming payment. Matched to one invoice or waiting in the queue; any amount beyond the
    invoice's open amount stays as the customer's credit balance (``unapplied_amount``)."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("Unmatched")

    class MatchedBy(models.TextChoices):
        OCR = "ocr", _("OCR reference")
        AMOUNT_CUSTOMER = "amount_customer", _("Amount and customer")
        CLERK = "clerk", _("By the clerk")

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey(PaymentFile, on_delete=models.PROTECT, related_name="payments")
    line = models.PositiveIntegerField(_("line in file"))
    payment_date = models.DateField(_("payment date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    payer_name = models.CharField(_("payer"), max_length=140, blank=True)
    payer_org_number = models.CharField(_("payer's organisation number"), max_length=20, blank=True)
    bank_reference = models.CharField(_("bank's reference"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UNMATCHED)
    matched_by = models.CharField(_("matched by"), max_length=20, choices=MatchedBy.choices, blank=True)
    invoice = models.ForeignKey(
        CustomerInvoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    applied_amount = models.DecimalField(_("applied"), max_digits=14, decimal_places=2, default=ZERO)
    unapplied_amount = models.DecimalField(_("credit balance"), max_digits=14, decimal_places=2, default=ZERO)
    note = models.CharField(_("why it is in the queue"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["payment_date", "pk"]
        indexes = [models.Index(fields=["organisation", "status"], name="receivables_payment_status")]

    def __str__(self) -> str:
        return f"{self.payment_date} {self.amount} {self.currency} {self.reference}"


class ReferenceRate(models.Model):
    """The Riksbank reference rate set for a calendar half-year (räntelagen 9 §), from its first day."""

    valid_from = models.DateField(_("valid from"), unique=True)
    rate = models.DecimalField(_("reference rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("reference rate")
        verbose_name_plural = _("reference rates")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.rate} % from {self.valid_from}"


class Reminder(TimeStampedModel):
    """A payment reminder for an overdue invoice, with what the law allows to add to it."""

    invoice = models.ForeignKey(CustomerInvoice, on_delete=models.PROTECT, related_name="reminders")
    level = models.PositiveSmallIntegerField(_("reminder number"))
    sent_on = models.DateField(_("date"))
    open_amount = models.DecimalField(_("open amount"), max_digits=14, decimal_places=2)
    interest_amount = models.DecimalField(_("interest so far"), max_digits=14, decimal_places=2)
    reminder_fee = models.DecimalField(_("reminder fee"), max_digits=8, decimal_places=2)
    flat_compensation = models.DecimalField(_("late-payment compensation"), max_digits=8, decimal_places=2)
    sent_to = models.CharField(_("sent to"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(
        "ReminderRun", null=True, blank=True, on_delete=models.PROTECT, related_name="reminders"
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["invoice", "level"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "level"], name="receivables_reminder_level")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.level}"


class CollectionHandover(TimeStampedModel):
    """A file of overdue invoices handed over to a collection agency, kept as sent."""

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    agency = models.CharField(_("collection agency"), max_length=200)
    handed_over_on = models.DateField(_("date"))
    content = models.BinaryField(_("file"))
    sha256 = models.CharField(max_length=64)
    invoice_count = models.PositiveIntegerField(_("invoices"), default=0)
    total_claimed = models.DecimalField(_("claimed"), max_digits=16, decimal_places=2, default=ZERO)
    invoices = models.ManyToManyField(CustomerInvoice, related_name="handovers", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("hand-over to collection")
        verbose_name_plural = _("hand-overs to collection")
        ordering = ["-handed_over_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.handed_over_on}"


class LedgerExport(TimeStampedModel):
    """A SIE 4 file of sales-ledger vouchers not exported before; kept to be downloaded again."""

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    voucher_count = models.PositiveIntegerField(_("vouchers"))
    filename = models.CharField(_("file name"), max_length=100)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("sales-ledger export")
        verbose_name_plural = _("sales-ledger exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename


class LedgerVoucher(TimeStampedModel):
    """A voucher of the sales ledger (series K): an invoice or credit note, a payment file's payments, a
    clerk's allocation, a month's release of deferred income, a write-off, a value adjustment or a refund.
    ``lines`` is a list of ``[account, amount]``, debit positive and credit negative; it always balances."""

    class Source(models.TextChoices):
        INVOICE = "invoice", _("Customer invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")
        PAYMENTS = "payments", _("Incoming payments")
        ALLOCATION = "allocation", _("Payment booked from the queue")
        RELEASE = "release", _("Deferred income released")
        WRITE_OFF = "write_off", _("Write-off")
        VALUE_ADJUSTMENT = "value_adjustment", _("Value adjustment")
        REFUND = "refund", _("Refund")

    SERIES = "K"

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("voucher number"))
    date = models.DateField(_("date"))
    text = models.CharField(_("text"), max_length=200)
    source = models.CharField(_("kind"), max_length=20, choices=Source.choices)
    lines = models.JSONField(default=list)
    invoice = models.ForeignKey(
        CustomerInvoice, null=True, blank=True, on_delete=models.PROTECT, related_name="vouchers"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    payment_file = models.ForeignKey(
        PaymentFile, null=True, blank=True, on_delete=models.PROTECT, related_name="vouchers"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="vouchers"
    )
    export = models.ForeignKey(
        LedgerExport, null=True, blank=True, on_delete=models.PROTECT, related_name="vouchers"
    )

    class Meta:
        verbose_name = _("sales-ledger voucher")
        verbose_name_plural = _("sales-ledger vouchers")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="receivables_voucher_number"),
            # one voucher per invoice or credit note, per payment file and date, per month's release
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(source__in=["invoice", "credit_note"]),
                name="receivables_voucher_invoice_once",
            ),
            models.UniqueConstraint(
                fields=["payment_file", "date"],
                condition=Q(source="payments"),
                name="receivables_voucher_file_once",
            ),
            models.UniqueConstraint(
                fields=["invoice", "date"], condition=Q(source="release"), name="receivables_release_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.SERIES}{self.number}"


class ReminderRun(TimeStampedModel):
    """One reminder run of an organisation on one day, sent in the background: started once (a second
    start the same day finds this row and does nothing), with its progress and result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Sent")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    run_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    invoice_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(_("reminders sent"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failure = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        ordering = ["-run_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "run_on"], name="receivables_reminder_run_day")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.run_on}"


class Refund(TimeStampedModel):
    """Money paid back to a customer from its credit balance; a second person approves it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    account = models.CharField(_("pay to (bank account or bankgiro)"), max_length=60)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    voucher = models.OneToOneField(
        LedgerVoucher, null=True, blank=True, on_delete=models.PROTECT, related_name="refund"
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.amount}"
