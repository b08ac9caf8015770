"""Actions on supplier relations: registration, contacts, customer numbers, bank details, invitations."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.core.outbox import outbox_email
from avrop.core.workflows import assert_transition
from avrop.organisations import services as organisation_services
from avrop.organisations.models import Department, Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role
from avrop.organisations.validators import normalise_org_number
from avrop.suppliers.banking import normalise_bankgiro, normalise_bic, normalise_iban, normalise_plusgiro
from avrop.suppliers.models import BankAccount, CustomerNumber, PortalInvitation, Supplier, SupplierContact
from avrop.suppliers.workflows import BANK_ACCOUNT_TRANSITIONS, INVITATION_TRANSITIONS

# Who keeps the buyer's supplier register, who keeps bank details, who invites to the portal.
SUPPLIER_ROLES = frozenset({Role.COORDINATOR, Role.PROCUREMENT_OFFICER, Role.ADMIN})
BANK_ROLES = frozenset({Role.COORDINATOR, Role.AP_CLERK, Role.ADMIN})
INVITE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


class SupplierError(StrEnum):
    ALREADY_CONNECTED = "supplier_already_connected"
    SAME_PERSON = "bank_account_same_person"
    INVITATION_USED = "invitation_used"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_REVOKED = "invitation_revoked"


def _guard(actor: User | None, organisation: Organisation, roles: Iterable[str]) -> None:
    """``actor=None`` is the system itself (demo loader, imports); people need one of ``roles``."""
    if actor is not None:
        require_role(user=actor, organisation=organisation, roles=roles)


def _validated(fn: Callable[[str], str], value: str, field: str) -> str:
    try:
        return fn(value)
    except ValidationError as exc:
        raise DomainError(ErrorCode.VALIDATION, exc.messages[0], field=field) from None


# --- Supplier relation ------------------------------------------------------------------------------------


@transaction.atomic
def supplier_connect(
    *,
    actor: User | None,
    buyer: Organisation,
    organisation: Organisation,
    connection: str,
    order_email: str = "",
) -> Supplier:
    _guard(actor, buyer, SUPPLIER_ROLES)
    if organisation.kind not in {Organisation.Kind.SUPPLIER, Organisation.Kind.SERVICE_PARTNER}:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(name)s is not a supplier.") % {"name": organisation.name},
            field="organisation",
        )
    _check_connection(organisation, connection, order_email)
    if Supplier.objects.filter(buyer=buyer, organisation=organisation).exists():
        raise DomainError(
            SupplierError.ALREADY_CONNECTED,
            _("%(name)s is already one of your suppliers.") % {"name": organisation.name},
            field="org_number",
        )
    supplier = Supplier.objects.create(
        buyer=buyer, organisation=organisation, connection=connection, order_email=order_email
    )
    audit(actor=actor, action="supplier.connect", obj=supplier, organisation=buyer, after=snapshot(supplier))
    return supplier


def _check_connection(organisation: Organisation, connection: str, order_email: str) -> None:
    if connection == Supplier.Connection.PEPPOL and not organisation.peppol_id:
        raise DomainError(
            ErrorCode.VALIDATION, _("A Peppol connection needs the supplier's Peppol id."), field="connection"
        )
    if connection == Supplier.Connection.EMAIL and not order_email:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("An e-mail connection needs an e-mail address for orders."),
            field="order_email",
        )


@transaction.atomic
def supplier_register(
    *,
    actor: User | None,
    buyer: Organisation,
    name: str,
    org_number: str,
    connection: str,
    country: str = "SE",
    vat_number: str = "",
    peppol_id: str = "",
    order_email: str = "",
    **organisation_fields: Any,
) -> Supplier:
    """The coordinator's "new supplier": reuse the supplier organisation if its number is known, else
    create it (org.no, VAT and Peppol id are checked), then connect it to the buyer."""
    _guard(actor, buyer, SUPPLIER_ROLES)
    number = _validated(lambda v: normalise_org_number(v, country), org_number, "org_number")
    organisation = Organisation.objects.filter(country=country, org_number=number).first()
    if organisation is None:
        organisation = organisation_services.organisation_create(
            actor=actor,
            name=name,
            kind=Organisation.Kind.SUPPLIER,
            org_number=number,
            country=country,
            vat_number=vat_number,
            peppol_id=peppol_id,
            **organisation_fields,
        )
    elif organisation.kind not in {Organisation.Kind.SUPPLIER, Organisation.Kind.SERVICE_PARTNER}:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Organisation number %(number)s belongs to %(name)s, which is not a supplier.")
            % {"number": number, "name": organisation.name},
            field="org_number",
        )
    return supplier_connect(
        actor=actor, buyer=buyer, organisation=organisation, connection=connection, order_email=order_email
    )


@transaction.atomic
def supplier_update(
    *, actor: User | None, supplier_id: int, connection: str, order_email: str = "", is_active: bool = True
) -> Supplier:
    supplier = lock(Supplier, supplier_id)
    _guard(actor, supplier.buyer, SUPPLIER_ROLES)
    _check_connection(supplier.organisation, connection, order_email)
    before = snapshot(supplier)
    supplier.connection, supplier.order_email, supplier.is_active = connection, order_email, is_active
    supplier.save(update_fields=["connection", "order_email", "is_active", "updated_at"])
    audit(
        actor=actor,
        action="supplier.update",
        obj=supplier,
        organisation=supplier.buyer,
        before=before,
        after=snapshot(supplier),
    )
    return supplier


# --- Contacts and customer numbers ------------------------------------------------------------------------


def _check_contact(topic: str, name: str, email: str) -> None:
    if topic not in SupplierContact.Topic.values:
        raise DomainError(
            ErrorCode.VALIDATION, _("Unknown contact topic %(topic)s.") % {"topic": topic}, field="topic"
        )
    if not name.strip():
        raise DomainError(ErrorCode.VALIDATION, _("Enter the contact's name."), field="name")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("%(email)s is not an e-mail address.") % {"email": email},
                field="email",
            ) from None


@transaction.atomic
def supplier_contact_add(
    *, actor: User | None, supplier: Supplier, topic: str, name: str, email: str = "", phone: str = ""
) -> SupplierContact:
    _guard(actor, supplier.buyer, SUPPLIER_ROLES)
    return _contact_create(actor, supplier, topic, name, email, phone)


def _contact_create(
    actor: User | None, supplier: Supplier, topic: str, name: str, email: str, phone: str
) -> SupplierContact:
    _check_contact(topic, name, email)
    contact = SupplierContact.objects.create(
        supplier=supplier, topic=topic, name=name, email=email, phone=phone
    )
    audit(
        actor=actor,
        action="supplier_contact.add",
        obj=contact,
        organisation=supplier.buyer,
        after=snapshot(contact),
    )
    return contact


@transaction.atomic
def supplier_contact_update(
    *, actor: User | None, contact_id: int, topic: str, name: str, email: str = "", phone: str = ""
) -> SupplierContact:
    contact = lock(SupplierContact, contact_id)
    _guard(actor, contact.supplier.buyer, SUPPLIER_ROLES)
    return _contact_change(actor, contact, topic, name, email, phone)


def _contact_change(
    actor: User | None, contact: SupplierContact, topic: str, name: str, email: str, phone: str
) -> SupplierContact:
    buyer = contact.supplier.buyer
    _check_contact(topic, name, email)
    before = snapshot(contact)
    contact.topic, contact.name, contact.email, contact.phone = topic, name, email, phone
    contact.save(update_fields=["topic", "name", "email", "phone", "updated_at"])
    audit(
        actor=actor,
        action="supplier_contact.update",
        obj=contact,
        organisation=buyer,
        before=before,
        after=snapshot(contact),
    )
    return contact


@transaction.atomic
def supplier_contact_remove(*, actor: User | None, contact_id: int) -> None:
    contact = lock(SupplierContact, contact_id)
    _guard(actor, contact.supplier.buyer, SUPPLIER_ROLES)
    _contact_delete(actor, contact)


def _contact_delete(actor: User | None, contact: SupplierContact) -> None:
    buyer = contact.supplier.buyer
    audit(
        actor=actor,
        action="supplier_contact.remove",
        obj=contact,
        organisation=buyer,
        before=snapshot(contact),
    )
    contact.delete()


@transaction.atomic
def customer_number_set(
    *, actor: User | None, supplier: Supplier, department: Department, number: str
) -> CustomerNumber | None:
    """Set the supplier's number for a department; an empty number removes it."""
    _guard(actor, supplier.buyer, SUPPLIER_ROLES)
    return _customer_number_write(actor, supplier, department, number)


def _customer_number_write(
    actor: User | None, supplier: Supplier, department: Department, number: str
) -> CustomerNumber | None:
    if department.organisation_id != supplier.buyer_id:
        raise DomainError(
            ErrorCode.VALIDATION, _("The department belongs to another organisation."), field="department"
        )
    number = number.strip()
    existing = (
        CustomerNumber.objects.select_for_update().filter(supplier=supplier, department=department).first()
    )
    before = snapshot(existing) if existing else None
    if not number:
        if existing is not None:
            audit(
                actor=actor,
                action="customer_number.remove",
                obj=existing,
                organisation=supplier.buyer,
                before=before,
            )
            existing.delete()
        return None
    if existing is not None and existing.number == number:
        return existing
    record, _created = CustomerNumber.objects.update_or_create(
        supplier=supplier, department=department, defaults={"number": number}
    )
    audit(
        actor=actor,
        action="customer_number.set",
        obj=record,
        organisation=supplier.buyer,
        before=before,
        after=snapshot(record),
    )
    return record


# --- Bank details -----------------------------------------------------------------------------------------

_NORMALISERS: dict[str, Callable[[str], str]] = {
    BankAccount.Kind.BANKGIRO: normalise_bankgiro,
    BankAccount.Kind.PLUSGIRO: normalise_plusgiro,
    BankAccount.Kind.IBAN: normalise_iban,
}


@transaction.atomic
def bank_account_register(
    *, actor: User | None, supplier: Supplier, kind: str, number: str, bic: str = ""
) -> BankAccount:
    """Register new bank details of one kind; the current account of that kind is retired, never overwritten.

    The new account is UNVERIFIED and the change is audited as ``bank_account.change``: it shows on the start
    page of coordinators and AP clerks until someone else verifies it.
    """
    _guard(actor, supplier.buyer, BANK_ROLES)
    number, bic = bank_details_checked(kind=kind, number=number, bic=bic)
    return _bank_account_write(actor, supplier, kind, number, bic)


def bank_details_checked(*, kind: str, number: str, bic: str = "") -> tuple[str, str]:
    """The account number and BIC in their compact form, or the ``DomainError`` naming the field."""
    if kind not in _NORMALISERS:
        raise DomainError(
            ErrorCode.VALIDATION, _("Unknown account kind %(kind)s.") % {"kind": kind}, field="kind"
        )
    number = _validated(_NORMALISERS[kind], number, "number")
    if kind == BankAccount.Kind.IBAN:
        if not bic:
            raise DomainError(ErrorCode.VALIDATION, _("An IBAN needs the bank's BIC."), field="bic")
        bic = _validated(normalise_bic, bic, "bic")
    elif bic:
        raise DomainError(ErrorCode.VALIDATION, _("A BIC belongs only with an IBAN."), field="bic")
    return number, bic


def _bank_account_write(
    actor: User | None, supplier: Supplier, kind: str, number: str, bic: str, comment: str = ""
) -> BankAccount:
    Supplier.objects.select_for_update().filter(pk=supplier.pk).first()  # serialise changes per supplier
    current = BankAccount.objects.filter(supplier=supplier, kind=kind).exclude(
        status=BankAccount.Status.RETIRED
    )
    previous = current.first()
    if previous is not None and previous.number == number and previous.bic == bic:
        return previous
    before = snapshot(previous, ["kind", "number", "bic", "status"]) if previous else None
    if previous is not None:
        _retire(actor, previous)
    account = BankAccount.objects.create(
        supplier=supplier, kind=kind, number=number, bic=bic, registered_by=actor
    )
    audit(
        actor=actor,
        action="bank_account.change",
        obj=account,
        organisation=supplier.buyer,
        before=before,
        after=snapshot(account, ["kind", "number", "bic", "status"]),
        comment=comment
        or "Bank details changed: verify with the supplier on a known phone number before paying.",
    )
    return account


def _retire(actor: User | None, account: BankAccount) -> None:
    assert_transition(account, to=str(BankAccount.Status.RETIRED), transitions=BANK_ACCOUNT_TRANSITIONS)
    account.status = BankAccount.Status.RETIRED
    account.retired_by, account.retired_at = actor, timezone.now()
    account.save(update_fields=["status", "retired_by", "retired_at", "updated_at"])


@transaction.atomic
def bank_account_verify(*, actor: User, account_id: int, note: str) -> BankAccount:
    """Confirm new bank details. Segregation of duties: not by the person who registered them."""
    account = lock(BankAccount, account_id)
    _guard(actor, account.supplier.buyer, BANK_ROLES)
    assert_transition(account, to=str(BankAccount.Status.VERIFIED), transitions=BANK_ACCOUNT_TRANSITIONS)
    if account.registered_by_id is not None and account.registered_by_id == actor.pk:
        raise NotAllowed(
            _("Someone other than the person who registered the bank details must verify them."),
            code=SupplierError.SAME_PERSON,
        )
    if not note.strip():
        raise DomainError(
            ErrorCode.VALIDATION, _("Say how the details were verified, e.g. whom you called."), field="note"
        )
    account.status = BankAccount.Status.VERIFIED
    account.verified_by, account.verified_at, account.verification_note = actor, timezone.now(), note.strip()
    account.save(update_fields=["status", "verified_by", "verified_at", "verification_note", "updated_at"])
    audit(
        actor=actor,
        action="bank_account.verify",
        obj=account,
        organisation=account.supplier.buyer,
        after={"status": account.status},
        comment=account.verification_note,
    )
    return account


@transaction.atomic
def bank_account_retire(*, actor: User | None, account_id: int) -> BankAccount:
    account = lock(BankAccount, account_id)
    _guard(actor, account.supplier.buyer, BANK_ROLES)
    before = snapshot(account, ["status"])
    _retire(actor, account)
    audit(
        actor=actor,
        action="bank_account.retire",
        obj=account,
        organisation=account.supplier.buyer,
        before=before,
        after={"status": account.status},
    )
    return account


# --- Supplier portal invitations --------------------------------------------------------------------------


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def invitation_valid_days() -> int:
    return int(getattr(settings, "AVROP_INVITATION_VALID_DAYS", 14))


@transaction.atomic
def portal_invitation_send(
    *, actor: User | None, supplier: Supplier, email: str, base_url: str
) -> tuple[PortalInvitation, str]:
    """Invite a person at the supplier to the portal; returns the invitation and its key (sent, never stored).

    ``base_url`` is the site's address as the inviting user sees it, e.g. ``https://avrop.example/``.
    """
    _guard(actor, supplier.buyer, INVITE_ROLES)
    email = email.strip()
    if not email:
        raise DomainError(
            ErrorCode.VALIDATION, _("Enter the e-mail address of the person to invite."), field="email"
        )
    key = secrets.token_urlsafe(32)
    invitation = PortalInvitation.objects.create(
        supplier=supplier,
        email=email,
        token_hash=_token_hash(key),
        invited_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=invitation_valid_days()),
    )
    url = base_url.rstrip("/") + reverse("suppliers:invitation_accept", args=[key])
    inviter = (actor.get_full_name() or actor.username) if actor else supplier.buyer.name
    expires = date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
    body = _(
        "%(buyer)s invites %(supplier)s to the avrop supplier portal, where you receive orders and send "
        "order responses and invoices.\n\nOpen this link to choose your user name and password:\n%(url)s\n\n"
        "The link works once and expires on %(expires)s. If you did not expect this e-mail, ignore it.\n\n"
        "%(inviter)s, %(buyer)s"
    ) % {
        "buyer": supplier.buyer.name,
        "supplier": supplier.organisation.name,
        "url": url,
        "expires": expires,
        "inviter": inviter,
    }
    outbox_email(
        recipient=email,
        organisation=supplier.buyer,
        obj=invitation,
        body=body,
        subject=_("Invitation to the supplier portal of %(buyer)s") % {"buyer": supplier.buyer.name},
    )
    audit(
        actor=actor,
        action="portal_invitation.send",
        obj=invitation,
        organisation=supplier.buyer,
        after={"email": email, "supplier": supplier.organisation.name, "expires_at": invitation.expires_at},
    )
    return invitation, key


def portal_invitation_check(invitation: PortalInvitation) -> None:
    """Raise the domain error that says why an invitation link no longer works."""
    if invitation.status == PortalInvitation.Status.ACCEPTED:
        raise DomainError(
            SupplierError.INVITATION_USED,
            _("This invitation link has already been used. Log in with the user name you chose."),
        )
    if invitation.status == PortalInvitation.Status.REVOKED:
        raise DomainError(SupplierError.INVITATION_REVOKED, _("This invitation has been withdrawn."))
    if invitation.is_expired:
        raise DomainError(
            SupplierError.INVITATION_EXPIRED,
            _("This invitation link has expired. Ask your customer for a new invitation."),
        )


def portal_invitation_by_key(*, key: str) -> PortalInvitation:
    """The invitation a link carries; ``NotFound`` for an unknown key, the reason for a used or old one."""
    invitation = (
        PortalInvitation.objects.select_related("supplier__buyer", "supplier__organisation")
        .filter(token_hash=_token_hash(key))
        .first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    portal_invitation_check(invitation)
    return invitation


@transaction.atomic
def portal_invitation_accept(
    *, key: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create the supplier person's account with the portal role; the link cannot be used again."""
    found = portal_invitation_by_key(key=key)
    invitation = lock(PortalInvitation, found.pk)
    portal_invitation_check(invitation)  # again under the lock: two tabs may race
    assert_transition(
        invitation, to=str(PortalInvitation.Status.ACCEPTED), transitions=INVITATION_TRANSITIONS
    )
    username = username.strip()
    if not username:
        raise DomainError(ErrorCode.VALIDATION, _("Choose a user name."), field="username")
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=invitation.email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise DomainError(ErrorCode.VALIDATION, " ".join(exc.messages), field="password1") from None
    user = organisation_services.user_create(
        actor=None,
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=invitation.email,
    )
    organisation = found.supplier.organisation
    role = (
        Role.SERVICE_PARTNER if organisation.kind == Organisation.Kind.SERVICE_PARTNER else Role.SUPPLIER_USER
    )
    organisation_services.membership_grant(actor=user, user=user, organisation=organisation, role=role)
    invitation.status = PortalInvitation.Status.ACCEPTED
    invitation.accepted_by, invitation.accepted_at = user, timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at", "updated_at"])
    audit(
        actor=user,
        action="portal_invitation.accept",
        obj=invitation,
        organisation=found.supplier.buyer,
        after={"user": user.username, "role": role},
    )
    return user


@transaction.atomic
def portal_invitation_revoke(*, actor: User | None, invitation_id: int) -> PortalInvitation:
    invitation = lock(PortalInvitation, invitation_id)
    buyer = invitation.supplier.buyer
    _guard(actor, buyer, INVITE_ROLES)
    assert_transition(invitation, to=str(PortalInvitation.Status.REVOKED), transitions=INVITATION_TRANSITIONS)
    invitation.status = PortalInvitation.Status.REVOKED
    invitation.revoked_by, invitation.revoked_at = actor, timezone.now()
    invitation.save(update_fields=["status", "revoked_by", "revoked_at", "updated_at"])
    audit(
        actor=actor,
        action="portal_invitation.revoke",
        obj=invitation,
        organisation=buyer,
        after={"status": invitation.status},
    )
    return invitation
