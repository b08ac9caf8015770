"""Payments of approved supplier invoices and their journal entries.

A ``PaymentProposal`` gathers approved invoices by pay date; two different people approve it; releasing it
writes one ISO 20022 pain.001 ``PaymentFile``. Each invoice is a ``PaymentLine`` that remembers the bank
account it is paid to, so that a change of the supplier's bank details after approval is noticed. The bank's
answers (pain.002, camt.054) are ``BankFeedbackFile`` rows, stored raw with their SHA-256.

Accounting: every approved invoice and every payment becomes a balanced ``JournalEntry``; an
``AccountingExport`` (SIE 4, CSV or JSON) marks the entries it carried, so they are never exported twice.
The models are imported into ``avrop.payables.models`` (their app).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.suppliers.banking import format_account


class AccountKind(models.TextChoices):
    BANKGIRO = "bankgiro", _("Bankgiro")
    PLUSGIRO = "plusgiro", _("Plusgiro")
    IBAN = "iban", _("IBAN (with BIC)")


class PaymentSettings(TimeStampedModel):
    """How an organisation pays (its own account at the bank) and books (BAS accounts, voucher series)."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="payment_settings",
    )
    debtor_kind = models.CharField(
        _("our account kind"), max_length=20, choices=AccountKind.choices, default=AccountKind.BANKGIRO
    )
    debtor_account = models.CharField(_("our account"), max_length=40, blank=True)
    debtor_bic = models.CharField(_("our bank's BIC"), max_length=11, blank=True)
    bank_customer_id = models.CharField(
        _("customer id at the bank"),
        max_length=35,
        blank=True,
        help_text=_("The id the bank's payment agreement gives us; the organisation number when empty."),
    )
    liability_account = models.CharField(_("supplier liabilities"), max_length=20, default="2440")
    input_vat_account = models.CharField(_("input VAT"), max_length=20, default="2641")
    reverse_input_vat_account = models.CharField(
        _("input VAT on reverse charge"), max_length=20, default="2645"
    )
    reverse_output_vat_account = models.CharField(
        _("output VAT on reverse charge"), max_length=20, default="2614"
    )
    eu_output_vat_account = models.CharField(_("output VAT on EU purchases"), max_length=20, default="2614")
    rounding_account = models.CharField(_("rounding"), max_length=20, default="3740")
    bank_ledger_account = models.CharField(_("bank account in the ledger"), max_length=20, default="1930")
    cash_discount_account = models.CharField(_("cash discounts received"), max_length=20, default="4731")
    invoice_series = models.CharField(_("voucher series for invoices"), max_length=4, default="L")
    payment_series = models.CharField(_("voucher series for payments"), max_length=4, default="B")

    class Meta:
        verbose_name = _("payment settings")
        verbose_name_plural = _("payment settings")

    def __str__(self) -> str:
        return str(self.organisation)


class SupplierPaymentTerms(TimeStampedModel):
    """A supplier's cash discount: ``discount_percent`` off when paid within ``discount_days`` of the invoice
    date (e.g. 2 % within 10 days)."""

    supplier = models.OneToOneField(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.CASCADE,
        related_name="payment_terms",
    )
    discount_percent = models.DecimalField(_("cash discount (%)"), max_digits=5, decimal_places=2)
    discount_days = models.PositiveSmallIntegerField(_("days for the cash discount"))

    class Meta:
        verbose_name = _("supplier payment terms")
        verbose_name_plural = _("supplier payment terms")

    def __str__(self) -> str:
        return f"{self.discount_percent} % / {self.discount_days}"


class PaymentProposal(TimeStampedModel):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Payment proposal")
        EXPRESS = "express", _("Express payment")

    class Status(models.TextChoices):
        BUILDING = "building", _("Being built")
        FAILED = "failed", _("Could not be built")
        PROPOSED = "proposed", _("Waiting for approval")
        APPROVED = "approved", _("Approved – ready to send")
        RELEASED = "released", _("Payment file made")
        CLOSED = "closed", _("Settled")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="payment_proposals",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BUILDING)
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    pay_until = models.DateField(_("invoices due up to"))
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    # Approvals count within a round; a bank-detail change after approval starts a new round.
    approval_round = models.PositiveIntegerField(default=1)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(_("file made"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total_amount = models.DecimalField(_("total"), max_digits=18, decimal_places=2, default=Decimal(0))
    line_count = models.PositiveIntegerField(_("payments"), default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    failure = models.TextField(_("why it failed"), blank=True)
    # Invoices that were due but left out, each {"invoice": id, "number": ..., "reason": ...}.
    skipped = models.JSONField(_("left out"), default=list, blank=True)
    notice = models.TextField(_("notice"), blank=True)

    class Meta:
        verbose_name = _("payment proposal")
        verbose_name_plural = _("payment proposals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="payables_prop_org_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"BP-{self.pk:06d}" if self.pk else "BP-new"

    @property
    def progress_percent(self) -> int:
        if self.status != self.Status.BUILDING:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class PaymentApproval(models.Model):
    proposal = models.ForeignKey(PaymentProposal, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment approval")
        verbose_name_plural = _("payment approvals")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round", "user"], name="payables_payment_approval_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal} {self.user}"


ACTIVE_LINE_STATUSES = ("proposed", "sent", "accepted", "paid")


class PaymentLine(TimeStampedModel):
    """One invoice in a proposal. While active (proposed, sent, accepted, paid) it is the invoice's only
    payment line."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SENT = "sent", _("In the payment file")
        ACCEPTED = "accepted", _("Accepted by the bank")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected by the bank")
        REMOVED = "removed", _("Taken out of the proposal")

    class Reference(models.TextChoices):
        OCR = "ocr", _("OCR reference")
        TEXT = "text", _("Message")

    proposal = models.ForeignKey(PaymentProposal, on_delete=models.PROTECT, related_name="lines")
    invoice = models.ForeignKey(
        "payables.SupplierInvoice", on_delete=models.PROTECT, related_name="payment_lines"
    )
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    pay_date = models.DateField(_("pay date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    discount_amount = models.DecimalField(
        _("cash discount"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    currency = models.CharField(_("currency"), max_length=3)
    bank_account = models.ForeignKey(
        "suppliers.BankAccount", verbose_name=_("paid to"), on_delete=models.PROTECT, related_name="+"
    )
    account_kind = models.CharField(_("account kind"), max_length=20, choices=AccountKind.choices)
    account_number = models.CharField(_("account"), max_length=40)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    reference_kind = models.CharField(_("reference kind"), max_length=4, choices=Reference.choices)
    reference = models.CharField(_("reference"), max_length=140)
    end_to_end_id = models.CharField(_("payment id"), max_length=35, unique=True)
    payment_info_id = models.CharField(_("payment block in the file"), max_length=35, blank=True)
    bank_status = models.CharField(_("bank status code"), max_length=10, blank=True)
    bank_reason = models.CharField(_("bank's reason"), max_length=500, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    feedback = models.ForeignKey(
        "payables.BankFeedbackFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["pay_date", "id"]
        constraints = [
            # A generated file may be sent twice or a proposal built twice: an invoice is still paid once.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status__in=ACTIVE_LINE_STATUSES),
                name="payables_payment_line_once",
            )
        ]
        indexes = [models.Index(fields=["proposal", "status"], name="payables_payline_status")]

    def __str__(self) -> str:
        return self.end_to_end_id

    @property
    def display_account(self) -> str:
        return format_account(self.account_kind, self.account_number)


class PaymentFile(TimeStampedModel):
    """The pain.001 file of a released proposal, exactly as handed to the bank."""

    proposal = models.OneToOneField(PaymentProposal, on_delete=models.PROTECT, related_name="file")
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    filename = models.CharField(_("file name"), max_length=100)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    transaction_count = models.PositiveIntegerField(_("payments"))
    control_sum = models.DecimalField(_("control sum"), max_digits=18, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    download_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("payment file")
        verbose_name_plural = _("payment files")

    def __str__(self) -> str:
        return self.filename


class BankFeedbackFile(TimeStampedModel):
    """A file from the bank: pain.002 (status of our payments) or camt.054 (debit notification)."""

    class Kind(models.TextChoices):
        STATUS = "pain.002", _("Payment status report (pain.002)")
        DEBIT = "camt.054", _("Debit notification (camt.054)")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="bank_feedback_files"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    receipt_count = models.PositiveIntegerField(_("times read"), default=1)
    # What reading it did: counts and the lines it could not place, in words.
    summary = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("bank feedback file")
        verbose_name_plural = _("bank feedback files")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sha256"], name="payables_feedback_once")
        ]

    def __str__(self) -> str:
        return self.filename or self.sha256[:12]


class AccountingExport(TimeStampedModel):
    class Format(models.TextChoices):
        SIE4 = "sie4", _("SIE 4")
        CSV = "csv", _("CSV")
        JSON = "json", _("JSON")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="accounting_exports"
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    voucher_count = models.PositiveIntegerField(_("vouchers"))
    filename = models.CharField(_("file name"), max_length=100)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("accounting export")
        verbose_name_plural = _("accounting exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class JournalEntry(TimeStampedModel):
    """A voucher (verifikation): balanced lines, numbered per organisation and series."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Supplier invoice")
        PAYMENT = "payment", _("Payment")
        PERIODISATION = "accrual", _("Periodisation")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="journal_entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    series = models.CharField(_("series"), max_length=4)
    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    text = models.CharField(_("text"), max_length=200)
    invoice = models.ForeignKey(
        "payables.SupplierInvoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_line = models.ForeignKey(
        PaymentLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    export = models.ForeignKey(
        AccountingExport, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["date", "series", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "series", "number"], name="payables_voucher_number"
            ),
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(kind="invoice"), name="payables_voucher_per_invoice"
            ),
            models.UniqueConstraint(
                fields=["payment_line"], condition=Q(kind="payment"), name="payables_voucher_per_payment"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "date"], name="payables_voucher_org_date")]

    def __str__(self) -> str:
        return f"{self.series}{self.number}"


class JournalLine(models.Model):
    """One transaction of a voucher; ``amount`` is positive for debit, negative for credit."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines")
    account = models.CharField(_("account"), max_length=20)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    project = models.CharField(_("project"), max_length=40, blank=True)
    vat_code = models.CharField(_("VAT code"), max_length=10, blank=True)
    text = models.CharField(_("text"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"
