"""Actions a supplier's own users take in the supplier portal: customer numbers, contacts, notification
choices, and bank details that one user proposes and a second user confirms.

The same rows as the buyer's register pages change (through the same helpers, with the same audit events),
only the guard differs: the actor must hold a portal role in the supplier organisation of the relation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, ErrorCode, NotAllowed
from avrop.core.locking import lock
from avrop.core.outbox import outbox_email
from avrop.core.workflows import assert_transition
from avrop.organisations.models import Department, Membership, Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role
from avrop.organisations.services import department_request_steps_answer
from avrop.suppliers.models import (
    BankAccount,
    BankChangeProposal,
    ContactNotification,
    CustomerNumber,
    NotificationTopic,
    Supplier,
    SupplierContact,
)
from avrop.suppliers.selectors import notification_choices, portal_department_list
from avrop.suppliers.services import (
    _bank_account_write,
    _contact_change,
    _contact_create,
    _contact_delete,
    _customer_number_write,
    bank_details_checked,
)
from avrop.suppliers.workflows import BANK_CHANGE_TRANSITIONS

PORTAL_ROLES = frozenset({Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN})
# Who at the buyer hears of changed bank details; the first group that has anyone is told.
BANK_ALERT_ROLES = ((Role.AP_CLERK,), (Role.COORDINATOR, Role.ADMIN))


class PortalError(StrEnum):
    CHANGE_PENDING = "bank_change_pending"
    SAME_PERSON = "bank_change_same_person"
    NO_CUSTOMERS = "bank_change_no_customers"
    INACTIVE_DEPARTMENT = "department_inactive"


def _guard(actor: User, organisation: Organisation) -> None:
    """A person with a portal role in the supplier organisation; others get ``NotFound`` or ``NotAllowed``."""
    require_role(user=actor, organisation=organisation, roles=PORTAL_ROLES)


def _active_relation(relation: Supplier) -> None:
    if not relation.is_active:
        raise NotAllowed(_("%(buyer)s no longer buys from you.") % {"buyer": relation.buyer.name})


# --- Customer numbers -------------------------------------------------------------------------------------


@transaction.atomic
def relation_customer_numbers_set(
    *, actor: User, relation: Supplier, numbers: Iterable[tuple[Department, str]]
) -> list[CustomerNumber | None]:
    """The supplier enters or corrects its numbers for the buyer's departments (active ones and those a
    new-department request announced to it); an empty number removes one.

    Audited as ``customer_number.set``/``.remove`` in the buyer's trail, like the buyer's own edits."""
    _guard(actor, relation.organisation)
    _active_relation(relation)
    open_to_supplier = set(portal_department_list(relation=relation).values_list("pk", flat=True))
    result = []
    for department, number in numbers:
        if department.pk not in open_to_supplier and number.strip():
            raise DomainError(
                PortalError.INACTIVE_DEPARTMENT,
                _("%(department)s is no longer an ordering department.") % {"department": department.name},
                field=f"department_{department.pk}",
            )
        result.append(_customer_number_write(actor, relation, department, number))
        # A new-department request waiting for this number counts it as the supplier's answer.
        department_request_steps_answer(actor=actor, supplier=relation, department=department, number=number)
    return result


# --- Contacts ---------------------------------------------------------------------------------------------


@transaction.atomic
def relation_contact_add(
    *, actor: User, relation: Supplier, topic: str, name: str, email: str = "", phone: str = ""
) -> SupplierContact:
    _guard(actor, relation.organisation)
    _active_relation(relation)
    return _contact_create(actor, relation, topic, name.strip(), email.strip(), phone.strip())


@transaction.atomic
def relation_contact_update(
    *, actor: User, contact_id: int, topic: str, name: str, email: str = "", phone: str = ""
) -> SupplierContact:
    contact = lock(SupplierContact, contact_id)
    _guard(actor, contact.supplier.organisation)
    _active_relation(contact.supplier)
    return _contact_change(actor, contact, topic, name.strip(), email.strip(), phone.strip())


@transaction.atomic
def relation_contact_remove(*, actor: User, contact_id: int) -> None:
    contact = lock(SupplierContact, contact_id)
    _guard(actor, contact.supplier.organisation)
    _active_relation(contact.supplier)
    _contact_delete(actor, contact)


# --- Notification choices ---------------------------------------------------------------------------------


@transaction.atomic
def relation_notifications_set(
    *, actor: User, relation: Supplier, chosen: Mapping[int, Iterable[str]]
) -> dict[int, list[str]]:
    """Record, for every contact of the relation, which topics it receives by e-mail (``chosen``: contact id
    to topics; a contact left out receives none). Every choice becomes explicit, so later changes of the
    defaults do not silently change what a supplier has chosen. Returns the new choices."""
    _guard(actor, relation.organisation)
    Supplier.objects.select_for_update().filter(pk=relation.pk).first()  # serialise edits per relation
    contacts = list(relation.contacts.order_by("pk"))
    unknown = {str(t) for topics in chosen.values() for t in topics} - set(NotificationTopic.values)
    if unknown:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Unknown notification topic %(topic)s.") % {"topic": ", ".join(sorted(unknown))},
        )
    if set(chosen) - {c.pk for c in contacts}:
        raise DomainError(ErrorCode.VALIDATION, _("The contact belongs to another customer relation."))
    before = {c.pk: topics for c, topics in notification_choices(relation=relation)}
    existing = {
        (row.contact_id, row.topic): row
        for row in ContactNotification.objects.filter(contact__supplier=relation)
    }
    after: dict[int, list[str]] = {}
    written = False
    for contact in contacts:
        wanted = {str(t) for t in chosen.get(contact.pk, ())}
        for topic in NotificationTopic.values:
            row = existing.get((contact.pk, topic))
            enabled = topic in wanted
            if row is None:
                ContactNotification.objects.create(contact=contact, topic=topic, enabled=enabled)
                written = True
            elif row.enabled != enabled:
                row.enabled = enabled
                row.save(update_fields=["enabled", "updated_at"])
                written = True
        after[contact.pk] = [t for t in NotificationTopic.values if t in wanted]
    # Also when only defaults became explicit: every write is audited.
    if written:
        audit(
            actor=actor,
            action="contact_notification.set",
            obj=relation,
            organisation=relation.organisation,
            before={str(k): v for k, v in before.items()},
            after={str(k): v for k, v in after.items()},
        )
    return after


# --- Bank details: proposed by one supplier user, confirmed by another ------------------------------------


def _portal_people(organisation: Organisation) -> list[User]:
    memberships = Membership.objects.filter(
        organisation=organisation, role__in=PORTAL_ROLES, is_active=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in memberships.order_by("user_id")}.values())


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def bank_change_propose(
    *, actor: User, organisation: Organisation, kind: str, number: str, bic: str = "", base_url: str = ""
) -> BankChangeProposal:
    """Propose new bank details for all customers; nothing changes until a colleague confirms.

    The colleagues are e-mailed, so that a proposal nobody at the supplier expected (a hijacked account) is
    noticed and withdrawn. ``base_url`` is the site's address for the link in that e-mail."""
    _guard(actor, organisation)
    number, bic = bank_details_checked(kind=kind, number=number, bic=bic)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # one proposal at a time
    if not Supplier.objects.filter(organisation=organisation, is_active=True).exists():
        raise DomainError(
            PortalError.NO_CUSTOMERS, _("You have no customers yet to register bank details with.")
        )
    if BankChangeProposal.objects.filter(
        organisation=organisation, status=BankChangeProposal.Status.PENDING
    ).exists():
        raise DomainError(
            PortalError.CHANGE_PENDING,
            _("A change of bank details is already waiting for confirmation. Confirm or withdraw it first."),
        )
    proposal = BankChangeProposal.objects.create(
        organisation=organisation, kind=kind, number=number, bic=bic, proposed_by=actor
    )
    audit(
        actor=actor,
        action="bank_change.propose",
        obj=proposal,
        organisation=organisation,
        after={"kind": kind, "number": number, "bic": bic},
    )
    url = base_url.rstrip("/") + reverse("portal:bank_details")
    for person in _portal_people(organisation):
        if person.pk == actor.pk or not person.email:
            continue
        outbox_email(
            recipient=person.email,
            organisation=organisation,
            obj=proposal,
            subject=_("New bank details for %(supplier)s need your confirmation")
            % {"supplier": organisation.name},
            body=_(
                "%(who)s has proposed new bank details for %(supplier)s in the avrop supplier portal: "
                "%(account)s.\n\nThey reach your customers only when a second person confirms them. If you "
                "know of this change, confirm it here; if not, withdraw it and tell your colleagues:\n%(url)s"
            )
            % {"who": _name(actor), "supplier": organisation.name, "account": proposal, "url": url},
        )
    return proposal


@transaction.atomic
def bank_change_confirm(*, actor: User, proposal_id: int, base_url: str = "") -> BankChangeProposal:
    """The second person confirms: the details are registered with every active customer (UNVERIFIED, the old
    account of that kind retired, audited as ``bank_account.change``) and the customers' accounts-payable
    clerks are e-mailed to verify them before paying."""
    proposal = lock(BankChangeProposal, proposal_id)
    _guard(actor, proposal.organisation)
    assert_transition(
        proposal, to=str(BankChangeProposal.Status.CONFIRMED), transitions=BANK_CHANGE_TRANSITIONS
    )
    if proposal.proposed_by_id == actor.pk:
        raise NotAllowed(
            _("Someone other than the person who proposed the new bank details must confirm them."),
            code=PortalError.SAME_PERSON,
        )
    proposal.status = BankChangeProposal.Status.CONFIRMED
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    relations = list(
        Supplier.objects.filter(organisation=proposal.organisation, is_active=True)
        .select_related("buyer", "organisation")
        .order_by("pk")
    )
    comment = (
        f"Changed by the supplier in the portal: proposed by {_name(proposal.proposed_by)}, "
        f"confirmed by {_name(actor)}. Verify with the supplier on a known phone number before paying."
    )
    for relation in relations:
        unchanged = (
            BankAccount.objects.filter(
                supplier=relation, kind=proposal.kind, number=proposal.number, bic=proposal.bic
            )
            .exclude(status=BankAccount.Status.RETIRED)
            .exists()
        )
        _bank_account_write(actor, relation, proposal.kind, proposal.number, proposal.bic, comment=comment)
        if not unchanged:
            _alert_buyer(relation, proposal, base_url=base_url)
    audit(
        actor=actor,
        action="bank_change.confirm",
        obj=proposal,
        organisation=proposal.organisation,
        after={
            "status": proposal.status,
            "proposed_by": proposal.proposed_by_id,
            "customers": [r.buyer_id for r in relations],
        },
    )
    return proposal


def _buyer_alert_addresses(buyer: Organisation) -> list[str]:
    for roles in BANK_ALERT_ROLES:
        addresses = sorted(
            {
                email.strip().lower()
                for email in Membership.objects.filter(
                    organisation=buyer, role__in=roles, is_active=True, user__is_active=True
                ).values_list("user__email", flat=True)
                if email and email.strip()
            }
        )
        if addresses:
            return addresses
    return []


def _alert_buyer(relation: Supplier, proposal: BankChangeProposal, *, base_url: str) -> None:
    url = base_url.rstrip("/") + reverse("suppliers:detail", args=[relation.pk])
    for address in _buyer_alert_addresses(relation.buyer):
        outbox_email(
            recipient=address,
            organisation=relation.buyer,
            obj=relation,
            subject=_("Changed bank details: %(supplier)s") % {"supplier": relation.organisation.name},
            body=_(
                "%(supplier)s has registered new bank details in the supplier portal: %(account)s.\n\n"
                "Changed bank details are the most common invoice fraud. Verify the change with the supplier "
                "on a phone number you already had – never one from the message announcing the change – "
                "before payments use it:\n%(url)s"
            )
            % {"supplier": relation.organisation.name, "account": proposal, "url": url},
        )


@transaction.atomic
def bank_change_withdraw(*, actor: User, proposal_id: int) -> BankChangeProposal:
    """The proposer or a colleague withdraws a proposal; nothing reaches the customers."""
    proposal = lock(BankChangeProposal, proposal_id)
    _guard(actor, proposal.organisation)
    assert_transition(
        proposal, to=str(BankChangeProposal.Status.WITHDRAWN), transitions=BANK_CHANGE_TRANSITIONS
    )
    proposal.status = BankChangeProposal.Status.WITHDRAWN
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit(
        actor=actor,
        action="bank_change.withdraw",
        obj=proposal,
        organisation=proposal.organisation,
        after={"status": proposal.status, "proposed_by": proposal.proposed_by_id},
    )
    return proposal
