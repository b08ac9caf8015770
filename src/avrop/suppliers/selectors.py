"""Reads about suppliers, scoped by the acting user's organisation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from avrop.core.errors import NotFound
from avrop.organisations.models import Department, DepartmentRequestSupplier, Membership, Organisation, User
from avrop.organisations.roles import SUPPLIER_ROLES as PORTAL_ROLES
from avrop.organisations.selectors import organisation_get
from avrop.organisations.workflows import DepartmentRequestStatus
from avrop.suppliers.models import (
    BankAccount,
    BankChangeProposal,
    CustomerNumber,
    NotificationTopic,
    PortalInvitation,
    Supplier,
    SupplierContact,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def supplier_list(*, user: User, organisation: Organisation) -> QuerySet[Supplier]:
    """For a buyer: its suppliers. For a supplier organisation: its relations with buyers."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return (
        Supplier.objects.filter(Q(buyer=organisation) | Q(organisation=organisation))
        .select_related("organisation", "buyer")
        .order_by("organisation__name", "buyer__name")
    )


def supplier_get(*, user: User, organisation: Organisation, supplier_id: int) -> Supplier:
    try:
        return supplier_list(user=user, organisation=organisation).get(pk=supplier_id)
    except (Supplier.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def buyer_supplier_list(*, user: User, organisation: Organisation) -> QuerySet[Supplier]:
    """Only the suppliers the organisation buys from: what the buyer's own register pages may change."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return supplier_list(user=user, organisation=organisation).filter(buyer=organisation)


def buyer_supplier_get(*, user: User, organisation: Organisation, supplier_id: int) -> Supplier:
    try:
        return buyer_supplier_list(user=user, organisation=organisation).get(pk=supplier_id)
    except (Supplier.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def contact_table(*, user: User, organisation: Organisation) -> QuerySet[Supplier]:
    """The coordinator's contact table: every supplier with its contacts (one query for all contacts)."""
    return buyer_supplier_list(user=user, organisation=organisation).prefetch_related(
        Prefetch("contacts", queryset=SupplierContact.objects.order_by("topic", "name"))
    )


def contact_list(*, user: User, organisation: Organisation, supplier_id: int) -> QuerySet[SupplierContact]:
    supplier = supplier_get(user=user, organisation=organisation, supplier_id=supplier_id)
    return supplier.contacts.order_by("topic", "name")


def contact_get(*, user: User, organisation: Organisation, contact_id: int) -> SupplierContact:
    suppliers = buyer_supplier_list(user=user, organisation=organisation)
    try:
        return SupplierContact.objects.select_related("supplier__organisation").get(
            pk=contact_id, supplier__in=suppliers
        )
    except (SupplierContact.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def customer_number_list(
    *, user: User, organisation: Organisation, supplier_id: int
) -> QuerySet[CustomerNumber]:
    supplier = supplier_get(user=user, organisation=organisation, supplier_id=supplier_id)
    return supplier.customer_numbers.select_related("department").order_by("department__name")


def bank_account_list(
    *, user: User, organisation: Organisation, supplier_id: int, include_retired: bool = False
) -> QuerySet[BankAccount]:
    """The buyer's payment details for a supplier; the supplier's own users do not read them here."""
    supplier = buyer_supplier_get(user=user, organisation=organisation, supplier_id=supplier_id)
    accounts = BankAccount.objects.filter(supplier=supplier).select_related(
        "registered_by", "verified_by", "retired_by"
    )
    if not include_retired:
        accounts = accounts.exclude(status=BankAccount.Status.RETIRED)
    return accounts.order_by("kind", "-created_at")


def bank_account_get(*, user: User, organisation: Organisation, account_id: int) -> BankAccount:
    suppliers = buyer_supplier_list(user=user, organisation=organisation)
    try:
        return BankAccount.objects.select_related("supplier__organisation").get(
            pk=account_id, supplier__in=suppliers
        )
    except (BankAccount.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def bank_accounts_unverified(*, user: User, organisation: Organisation) -> QuerySet[BankAccount]:
    suppliers = buyer_supplier_list(user=user, organisation=organisation)
    return (
        BankAccount.objects.filter(supplier__in=suppliers, status=BankAccount.Status.UNVERIFIED)
        .select_related("supplier__organisation")
        .order_by("-created_at")
    )


def invitation_list(
    *, user: User, organisation: Organisation, supplier_id: int | None = None
) -> QuerySet[PortalInvitation]:
    suppliers = buyer_supplier_list(user=user, organisation=organisation)
    invitations = PortalInvitation.objects.filter(supplier__in=suppliers).select_related(
        "supplier__organisation", "invited_by", "accepted_by"
    )
    if supplier_id is not None:
        invitations = invitations.filter(supplier_id=supplier_id)
    return invitations.order_by("-created_at")


def invitation_get(*, user: User, organisation: Organisation, invitation_id: int) -> PortalInvitation:
    try:
        return invitation_list(user=user, organisation=organisation).get(pk=invitation_id)
    except (PortalInvitation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def invitations_pending(*, user: User, organisation: Organisation) -> QuerySet[PortalInvitation]:
    return invitation_list(user=user, organisation=organisation).filter(
        status=PortalInvitation.Status.PENDING, expires_at__gt=timezone.now()
    )


# --- The supplier's own side (supplier portal) ------------------------------------------------------------

# A department created this many days ago or later is shown as new: suppliers need to learn of new
# departments and give them a customer number (seed 001).
RECENT_DEPARTMENT_DAYS = 30


def recent_since() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=RECENT_DEPARTMENT_DAYS)


def _announced(suppliers: Q) -> Exists:
    """A department still inactive whose new-department request told these suppliers about it and now waits
    for their customer numbers: suppliers must see it before it opens for ordering (seed 001)."""
    return Exists(
        DepartmentRequestSupplier.objects.filter(
            suppliers,
            request__department=OuterRef("pk"),
            request__status=DepartmentRequestStatus.SUPPLIERS_NOTIFIED,
        )
    )


def _count(queryset: QuerySet, group: str) -> Coalesce:
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def portal_customer_list(*, user: User, organisation: Organisation) -> QuerySet[Supplier]:
    """The buyers the supplier organisation serves (active relations), each with counts of the buyer's
    active departments, of those without this supplier's customer number, of new ones and of contacts."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    departments = Department.objects.filter(organisation=OuterRef("buyer_id")).filter(
        Q(is_active=True) | _announced(Q(supplier=OuterRef(OuterRef("pk"))))
    )
    numbered = CustomerNumber.objects.filter(supplier=OuterRef(OuterRef("pk")), department=OuterRef("pk"))
    return (
        Supplier.objects.filter(organisation=organisation, is_active=True)
        .select_related("buyer", "organisation")
        .annotate(
            department_count=_count(departments, "organisation"),
            missing_count=_count(departments.filter(~Exists(numbered)), "organisation"),
            new_count=_count(departments.filter(created_at__gte=recent_since()), "organisation"),
            contact_count=_count(SupplierContact.objects.filter(supplier=OuterRef("pk")), "supplier"),
        )
        .order_by("buyer__name")
    )


def portal_customer_get(*, user: User, organisation: Organisation, relation_id: int) -> Supplier:
    """One of the supplier's own customer relations; another supplier's id is ``NotFound``."""
    try:
        return portal_customer_list(user=user, organisation=organisation).get(pk=relation_id)
    except (Supplier.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


class PortalDepartment(TypedDict):
    customer_number: str
    is_new: bool
    is_announced: bool


def portal_department_list(*, relation: Supplier) -> QuerySet[WithAnnotations[Department, PortalDepartment]]:
    """The buyer's active departments and those announced to this supplier, with the supplier's customer
    number (``""`` if none), ``is_new`` and ``is_announced`` (not yet open for ordering)."""
    number = CustomerNumber.objects.filter(supplier=relation, department=OuterRef("pk")).values("number")[:1]
    return (
        Department.objects.filter(organisation_id=relation.buyer_id)
        .filter(Q(is_active=True) | _announced(Q(supplier=relation)))
        .annotate(
            is_announced=ExpressionWrapper(Q(is_active=False), output_field=BooleanField()),
            customer_number=Coalesce(Subquery(number), Value("")),
            is_new=ExpressionWrapper(Q(created_at__gte=recent_since()), output_field=BooleanField()),
        )
        .order_by("name")
    )


class MissingNumber(TypedDict):
    relation_id: int
    is_new: bool
    is_announced: bool


def departments_missing_numbers(
    *, user: User, organisation: Organisation
) -> QuerySet[WithAnnotations[Department, MissingNumber]]:
    """Departments of the supplier's customers that have no customer number from it, newest first; each
    carries ``relation_id`` for the link to the page where the number is entered. Departments announced by
    a new-department request count too (see ``portal_department_list``)."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    relations = Supplier.objects.filter(organisation=organisation, is_active=True)
    numbered = CustomerNumber.objects.filter(department=OuterRef("pk"), supplier__organisation=organisation)
    relation = relations.filter(buyer=OuterRef("organisation_id")).values("pk")[:1]
    announced = _announced(Q(supplier__organisation=organisation, supplier__is_active=True))
    return (
        Department.objects.filter(organisation__in=relations.values("buyer"))
        .filter(Q(is_active=True) | announced)
        .exclude(Exists(numbered))
        .annotate(
            relation_id=Subquery(relation),
            is_announced=ExpressionWrapper(Q(is_active=False), output_field=BooleanField()),
            is_new=ExpressionWrapper(Q(created_at__gte=recent_since()), output_field=BooleanField()),
        )
        .select_related("organisation")
        .order_by("-created_at", "name")
    )


def portal_contact_get(*, user: User, organisation: Organisation, contact_id: int) -> SupplierContact:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    try:
        return SupplierContact.objects.select_related("supplier__buyer", "supplier__organisation").get(
            pk=contact_id, supplier__organisation=organisation, supplier__is_active=True
        )
    except (SupplierContact.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def portal_bank_accounts(*, user: User, organisation: Organisation) -> QuerySet[BankAccount]:
    """The bank details each customer has on record for the supplier (current ones, with their status)."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return (
        BankAccount.objects.filter(supplier__organisation=organisation, supplier__is_active=True)
        .exclude(status=BankAccount.Status.RETIRED)
        .select_related("supplier__buyer")
        .order_by("supplier__buyer__name", "kind")
    )


def bank_change_list(*, user: User, organisation: Organisation) -> QuerySet[BankChangeProposal]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return BankChangeProposal.objects.filter(organisation=organisation).select_related(
        "proposed_by", "decided_by"
    )


def bank_change_pending(*, user: User, organisation: Organisation) -> BankChangeProposal | None:
    return (
        bank_change_list(user=user, organisation=organisation)
        .filter(status=BankChangeProposal.Status.PENDING)
        .first()
    )


def bank_change_get(*, user: User, organisation: Organisation, proposal_id: int) -> BankChangeProposal:
    try:
        return bank_change_list(user=user, organisation=organisation).get(pk=proposal_id)
    except (BankChangeProposal.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def portal_colleague_count(*, user: User, organisation: Organisation) -> int:
    """How many other people hold a portal role in the organisation (who could confirm a bank change)."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return (
        Membership.objects.filter(
            organisation=organisation, role__in=PORTAL_ROLES, is_active=True, user__is_active=True
        )
        .exclude(user=user)
        .values("user")
        .distinct()
        .count()
    )


# --- Notification choices ---------------------------------------------------------------------------------

# Until a contact chooses otherwise, a notification topic goes to the contacts of this kind.
NOTIFICATION_DEFAULTS: dict[str, str] = {
    NotificationTopic.NEW_ORDERS: SupplierContact.Topic.ORDERS,
    NotificationTopic.ORDER_CHANGES: SupplierContact.Topic.ORDERS,
    NotificationTopic.DISPUTES: SupplierContact.Topic.AGREEMENT,
    NotificationTopic.PAYMENTS: SupplierContact.Topic.AGREEMENT,
}


def contact_topics(contact: SupplierContact) -> list[str]:
    """The topics the contact receives: its explicit choices, else the defaults for its kind of contact.
    Reads ``contact.notification_choices.all()``, so prefetch it for many contacts."""
    explicit = {choice.topic: choice.enabled for choice in contact.notification_choices.all()}
    return [
        topic
        for topic in NotificationTopic.values
        if explicit.get(topic, NOTIFICATION_DEFAULTS[topic] == contact.topic)
    ]


def notification_choices(*, relation: Supplier) -> list[tuple[SupplierContact, list[str]]]:
    """Every contact of the relation with the topics it receives (two queries)."""
    contacts = relation.contacts.order_by("topic", "name", "pk").prefetch_related("notification_choices")
    return [(contact, contact_topics(contact)) for contact in contacts]


def notification_recipients(*, relation: Supplier, topic: str) -> list[str]:
    """The addresses that receive ``topic`` for the relation (deduplicated, sorted).

    Order topics fall back to the relation's order e-mail when no contact has an address for them, unless a
    contact has made an explicit choice about the topic (then the supplier has decided who gets it)."""
    rows = notification_choices(relation=relation)
    addresses = {c.email.strip().lower() for c, topics in rows if topic in topics and c.email.strip()}
    decided = any(choice.topic == topic for c, _topics in rows for choice in c.notification_choices.all())
    order_topics = {NotificationTopic.NEW_ORDERS, NotificationTopic.ORDER_CHANGES}
    # An e-mailed order is itself the news of a new order at the order address: no second notice there.
    order_mail_is_the_notice = (
        topic == NotificationTopic.NEW_ORDERS and relation.connection == Supplier.Connection.EMAIL
    )
    if (
        not addresses
        and not decided
        and relation.order_email.strip()
        and topic in order_topics
        and not order_mail_is_the_notice
    ):
        addresses.add(relation.order_email.strip().lower())
    return sorted(addresses)
