"""Reads for the attest panel of the invoice page: who can attest, and why (the approval engine that explains
requisition approval, asked per cost centre and account of the coding), holds, disputes, coding revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from avrop.core.errors import DomainError
from avrop.payables.attest.models import CodingRevision, InvoiceDispute, InvoiceHold
from avrop.payables.models import SupplierInvoice
from avrop.payables.services.guards import approval_amount


@dataclass
class Person:
    name: str
    why: str


@dataclass
class RouteRow:
    cost_centre: str
    account: str
    eligible: list[Person] = field(default_factory=list)
    excluded: list[Person] = field(default_factory=list)
    problem: str = ""


@dataclass
class AttestPanel:
    rows: list[RouteRow]
    hold: InvoiceHold | None
    holds: list[InvoiceHold]
    disputes: list[InvoiceDispute]
    revisions: list[CodingRevision]
    category: str = ""


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def _category(invoice: SupplierInvoice) -> str:
    """The purchasing category of the invoice when all its lines share one (category rules then apply)."""
    categories = {c for c in invoice.lines.values_list("classification", flat=True) if c}
    return categories.pop() if len(categories) == 1 else ""


def attest_route(*, user: Any, invoice: SupplierInvoice) -> list[RouteRow]:
    """For every (cost centre, account) of the coding: who may attest and on what ground, and who was
    considered and why not, including segregation of duties (the registrant and the one who sent it on; the
    requisitioner of the purchase above the organisation's limit)."""
    from avrop.organisations.models import DocumentKind
    from avrop.organisations.selectors.approval import approval_authority
    from avrop.payables.attest.services import own_purchase_gap

    organisation = invoice.organisation
    if organisation is None:
        return []
    fallback = getattr(getattr(invoice.department, "default_cost_centre", None), "code", "")
    pairs = sorted({(c.cost_centre or fallback, c.account) for c in invoice.coding_lines.all()})
    if not pairs and fallback:
        pairs = [(fallback, "")]
    if not pairs:
        return [
            RouteRow(
                "",
                "",
                problem=_("No coding and no department yet: the route follows once the invoice is coded."),
            )
        ]
    category = _category(invoice)
    amount = approval_amount(invoice)
    currency = invoice.currency or "SEK"
    preparers = {invoice.registered_by_id, invoice.sent_to_review_by_id} - {None}
    try:
        authority = approval_authority(
            user=user,
            organisation=organisation,
            document_kind=DocumentKind.INVOICE,
            cost_centres=[centre for centre, _a in pairs if centre],
        )
    except DomainError as exc:
        return [RouteRow("", "", problem=exc.message)]
    rows = []
    for centre, account in pairs:
        row = RouteRow(centre, account)
        rows.append(row)
        if not centre:
            row.problem = _("A coding line has no cost centre: approval limits are set per cost centre.")
            continue
        try:
            answer = authority.answer(cost_centre=centre, amount=amount, account=account, category=category)
        except DomainError as exc:
            row.problem = exc.message
            continue
        seen: set[int] = set()
        for candidate in answer.eligible:
            person = candidate.user
            if candidate.rule.currency != currency:
                row.excluded.append(
                    Person(
                        _name(person),
                        _("The limit is in %(currency)s.") % {"currency": candidate.rule.currency},
                    )
                )
                continue
            if person.pk in preparers:
                row.excluded.append(
                    Person(
                        _name(person),
                        _("Segregation of duties: registered or pre-checked this invoice.")
                        + " "
                        + candidate.explanation,
                    )
                )
                continue
            gap = own_purchase_gap(person, invoice)
            if gap:
                row.excluded.append(Person(_name(person), gap))
                continue
            if person.pk in seen:
                continue
            seen.add(person.pk)
            row.eligible.append(Person(_name(person), candidate.explanation))
        row.excluded += [Person(_name(e.user), e.explanation) for e in answer.excluded]
        if not row.eligible:
            row.problem = _("Nobody may attest %(amount)s %(currency)s on cost centre %(centre)s.") % {
                "amount": f"{amount:.2f}",
                "currency": currency,
                "centre": centre,
            }
    return rows


def attest_panel(*, user: Any, invoice: SupplierInvoice) -> AttestPanel:
    holds = list(InvoiceHold.objects.filter(invoice=invoice).select_related("held_by", "released_by"))
    return AttestPanel(
        rows=attest_route(user=user, invoice=invoice),
        hold=next((h for h in holds if h.released_at is None), None),
        holds=holds,
        disputes=list(
            InvoiceDispute.objects.filter(invoice=invoice).select_related(
                "opened_by", "answered_by", "credit_note"
            )
        ),
        revisions=list(CodingRevision.objects.filter(invoice=invoice).select_related("changed_by")),
        category=_category(invoice),
    )
