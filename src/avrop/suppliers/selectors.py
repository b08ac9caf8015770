"""Reads about suppliers, scoped by the acting user's organisation."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from avrop.core.errors import NotFound
from avrop.organisations.models import Organisation, User
from avrop.organisations.selectors import organisation_get
from avrop.suppliers.models import BankAccount, CustomerNumber, PortalInvitation, Supplier, SupplierContact


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
