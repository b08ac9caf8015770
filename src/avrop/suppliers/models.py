"""A supplier as a buyer organisation knows it: how it is connected, whom to contact, customer numbers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class Supplier(TimeStampedModel):
    """The relation between one buyer organisation and one supplier organisation.

    Identity (org.no, VAT, Peppol id) lives on the supplier's Organisation, shared by all buyers; what differs
    per buyer (channel, contacts, customer numbers) lives here. Supplier users see the rows of their own
    organisation, buyer users those of theirs.
    """

    class Connection(models.TextChoices):
        PEPPOL = "peppol", _("Peppol (integrated)")
        EMAIL = "email", _("E-mail and spreadsheet catalogue")
        PORTAL = "portal", _("Supplier portal")
        PUNCH_OUT = "punch_out", _("Punch-out")

    buyer = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="supplier_relations",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("supplier organisation"),
        on_delete=models.PROTECT,
        related_name="customer_relations",
    )
    connection = models.CharField(
        _("connection"), max_length=20, choices=Connection.choices, default=Connection.EMAIL
    )
    order_email = models.EmailField(_("e-mail for orders"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "organisation"], name="supplier_unique_per_buyer"),
        ]

    def __str__(self) -> str:
        return self.organisation.name


class SupplierContact(TimeStampedModel):
    """Contacts by topic, the three columns of the coordinator's contact table (seed 001)."""

    class Topic(models.TextChoices):
        ORDERS = "orders", _("Questions about orders, delivery, deviations and the like")
        ECOMMERCE = (
            "ecommerce",
            _("E-commerce questions (setting up a new department, questions about price lists)"),
        )
        AGREEMENT = "agreement", _("Contact person (the agreement's main contact)")

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="contacts"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("supplier contact")
        verbose_name_plural = _("supplier contacts")
        ordering = ["supplier", "topic", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_topic_display()})"


class CustomerNumber(TimeStampedModel):
    """The number under which a supplier knows one of the buyer's departments."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="customer_numbers"
    )
    department = models.ForeignKey(
        "organisations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="customer_numbers",
    )
    number = models.CharField(_("customer number"), max_length=60)

    class Meta:
        verbose_name = _("customer number")
        verbose_name_plural = _("customer numbers")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "department"], name="customer_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class BankAccount(TimeStampedModel):
    """Where the buyer pays the supplier. Never edited in place: a change retires the old row, adds a new one.

    Changed bank details are the classic invoice-fraud vector (a forged letter "we have a new bankgiro"), so a
    new account starts UNVERIFIED and someone other than the person who entered it confirms it with the
    supplier on a known phone number before payments may use it.
    """

    class Kind(models.TextChoices):
        BANKGIRO = "bankgiro", _("Bankgiro")
        PLUSGIRO = "plusgiro", _("Plusgiro")
        IBAN = "iban", _("IBAN (with BIC)")

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("Changed – not verified")
        VERIFIED = "verified", _("Verified")
        RETIRED = "retired", _("Retired")

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="bank_accounts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("account number"), max_length=40)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNVERIFIED)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verification_note = models.CharField(_("how it was verified"), max_length=300, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retired by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["supplier", "kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "kind"],
                condition=~Q(status="retired"),
                name="bank_account_one_current_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_number}"

    @property
    def display_number(self) -> str:
        from avrop.suppliers.banking import format_account

        return format_account(self.kind, self.number)


class PortalInvitation(TimeStampedModel):
    """An e-mailed invitation to the supplier portal. Only the SHA-256 of the token is stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.supplier}"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()

    def get_display_status(self) -> str:
        return str(_("Expired")) if self.is_expired else self.get_status_display()


class BankChangeProposal(TimeStampedModel):
    """New bank details proposed by a supplier user in the portal, waiting for a second person's confirmation.

    A hijacked or careless account must not be enough to redirect a supplier's payments: the proposal takes
    effect only when a different user of the same supplier organisation confirms it. Then it is registered
    for every active customer relation as an UNVERIFIED ``BankAccount``, which the buyer's accounts-payable
    clerks still verify before paying.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("supplier organisation"),
        on_delete=models.PROTECT,
        related_name="bank_change_proposals",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BankAccount.Kind.choices)
    number = models.CharField(_("account number"), max_length=40)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed or withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("confirmed or withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank details change")
        verbose_name_plural = _("bank details changes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status="pending"),
                name="bank_change_one_pending_per_supplier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_number}"

    @property
    def display_number(self) -> str:
        from avrop.suppliers.banking import format_account

        return format_account(self.kind, self.number)


class NotificationTopic(models.TextChoices):
    """What the supplier portal e-mails about (``avrop.suppliers.notifications.Topic``)."""

    NEW_ORDERS = "new_orders", _("New orders")
    ORDER_CHANGES = "order_changes", _("Order changes and cancellations")
    DISPUTES = "disputes", _("Disputed invoices")
    PAYMENTS = "payments", _("Payments")


class ContactNotification(TimeStampedModel):
    """A contact's own choice for one notification topic; without a row the topic's default applies."""

    contact = models.ForeignKey(
        SupplierContact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="notification_choices",
    )
    topic = models.CharField(_("topic"), max_length=20, choices=NotificationTopic.choices)
    enabled = models.BooleanField(_("send e-mail"), default=True)

    class Meta:
        verbose_name = _("notification choice")
        verbose_name_plural = _("notification choices")
        constraints = [
            models.UniqueConstraint(fields=["contact", "topic"], name="contact_notification_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact.name}: {self.get_topic_display()} {'✓' if self.enabled else '✗'}"
