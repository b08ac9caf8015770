"""Who may do what with a supplier invoice."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from avrop.core.errors import DomainError, NotAllowed, NotFound
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
    """``actor`` is the reviewer the invoice waits for (to send it back, return it or ask the supplier)."""
    if not roles_of(actor, invoice.organisation):
        raise NotFound()
    if invoice.reviewer_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the invoice's reviewer may do this."), Code.NOT_REVIEWER)
    # Segregation of duties: nobody approves an invoice they registered or sent for review.
    if actor.pk in {invoice.registered_by_id, invoice.sent_to_review_by_id}:
        raise NotAllowed(_("You prepared this invoice, so someone else must approve it."), Code.SAME_PERSON)


def require_approver(actor: Any, invoice: Any) -> None:
    """``actor`` may approve (attest) ``invoice``: its reviewer, not its preparer, holding the approver role
    (never an auditor) and an approval limit for invoices that covers the invoice's amount on every cost
    centre of its coding, their own or as a deputy."""
    require_reviewer(actor, invoice)
    gaps = authority_gaps(
        asker=actor,
        approver=actor,
        invoice=invoice,
        coding=[(line.cost_centre, line.account) for line in invoice.coding_lines.all()],
    )
    if gaps:
        raise NotAllowed(" ".join(gaps), Code.NO_AUTHORITY)


def approval_amount(invoice: Any) -> Decimal:
    """The amount an approval limit must cover: what the invoice asks to be paid, VAT included (a credit
    note's amount as a positive figure)."""
    amount = invoice.payable_amount
    if amount is None:
        amount = invoice.net_amount or Decimal(0)
    return abs(amount)


def authority_gaps(
    *, asker: Any, approver: Any, invoice: Any, coding: Iterable[tuple[str, str]]
) -> list[str]:
    """Why ``approver`` may not approve ``invoice`` coded as ``coding`` ((cost centre, account) pairs), in
    words; empty when they may. ``asker`` is the member asking (the approver, or the AP clerk choosing one).

    A line without a cost centre counts on the invoice's department's default cost centre."""
    from avrop.organisations.models import DocumentKind
    from avrop.organisations.selectors.approval import approval_authority

    organisation = invoice.organisation
    name = approver.get_full_name() or approver.username
    roles = roles_of(approver, organisation)
    if Role.AUDITOR in roles:
        return [_("%(name)s is an auditor, and an auditor never approves invoices.") % {"name": name}]
    if Role.APPROVER not in roles:
        return [
            _("%(name)s is not an approver (attestant) in %(organisation)s.")
            % {"name": name, "organisation": organisation.name}
        ]
    department = invoice.department
    fallback = getattr(getattr(department, "default_cost_centre", None), "code", "")
    pairs = sorted({(centre or fallback, account) for centre, account in coding})
    if not pairs or any(not centre for centre, _account in pairs):
        return [_("Every coding line needs a cost centre: approval limits are set per cost centre.")]
    amount = approval_amount(invoice)
    currency = invoice.currency or "SEK"
    try:
        authority = approval_authority(
            user=asker,
            organisation=organisation,
            document_kind=DocumentKind.INVOICE,
            cost_centres=[centre for centre, _account in pairs],
        )
        gaps = []
        for centre, account in pairs:
            answer = authority.answer(cost_centre=centre, amount=amount, account=account)
            # A limit is in a currency; an invoice in another currency is not covered by it.
            eligible = [c for c in answer.eligible if c.rule.currency == currency]
            if any(c.user.pk == approver.pk for c in eligible):
                continue
            text = _(
                "%(name)s has no approval limit for invoices of %(amount)s %(currency)s on cost centre "
                "%(centre)s."
            ) % {
                "name": name,
                "amount": number_format(amount, 2, force_grouping=True),
                "currency": currency,
                "centre": centre,
            }
            others = list({c.user.pk: c.user for c in eligible}.values())[:3]
            if others:
                text += " " + _("Approvers who may: %(names)s.") % {
                    "names": ", ".join(u.get_full_name() or u.username for u in others)
                }
            gaps.append(text)
    except DomainError as exc:
        return [exc.message]
    return gaps
