"""Who may do what with a supplier invoice."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from avrop.core.errors import NotAllowed, NotFound
from avrop.organisations.roles import Role
from avrop.payables.errors import Code

AP_ROLES = frozenset({Role.AP_CLERK, Role.ADMIN})


def roles_of(actor: Any, organisation: Any) -> frozenset[str]:
    from avrop.organisations.selectors import roles_in

    if actor is None or organisation is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    return roles_in(user=actor, organisation=organisation)


def require_ap_clerk(actor: Any, organisation: Any) -> None:
    roles = roles_of(actor, organisation)
    if not roles:
        raise NotFound()
    if not roles & AP_ROLES:
        raise NotAllowed(_("Only an accounts payable clerk may do this."), Code.NOT_AP_CLERK)


def require_reviewer(actor: Any, invoice: Any) -> None:
    if not roles_of(actor, invoice.organisation):
        raise NotFound()
    if invoice.reviewer_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the invoice's reviewer may do this."), Code.NOT_REVIEWER)
    # Segregation of duties: nobody approves an invoice they registered or sent for review.
    if actor.pk in {invoice.registered_by_id, invoice.sent_to_review_by_id}:
        raise NotAllowed(_("You prepared this invoice, so someone else must approve it."), Code.SAME_PERSON)
