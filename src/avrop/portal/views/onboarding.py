"""Portal onboarding: the buyers a supplier serves, their departments and customer numbers, contacts by topic,
notification choices and bank details (proposed by one supplier user, confirmed by another)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.decorators import form_page
from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.portal.access import portal_view
from avrop.suppliers.forms import (
    BankAccountForm,
    ContactForm,
    CustomerNumbersForm,
    NotificationChoicesForm,
    add_domain_error,
)
from avrop.suppliers.models import NotificationTopic
from avrop.suppliers.selectors import (
    RECENT_DEPARTMENT_DAYS,
    bank_change_get,
    bank_change_list,
    notification_choices,
    portal_bank_accounts,
    portal_colleague_count,
    portal_contact_get,
    portal_customer_get,
    portal_customer_list,
    portal_department_list,
)
from avrop.suppliers.services import portal as services

TEMPLATES = "portal/onboarding/"


_form_page = partial(form_page, template=TEMPLATES + "form.html")


@portal_view()
@require_GET
def customers(request: MemberRequest) -> HttpResponse:
    """The buyers served, with how many of their departments still lack a customer number or are new."""
    rows = list(portal_customer_list(user=request.user, organisation=request.organisation))
    return render(
        request, TEMPLATES + "customers.html", {"customers": rows, "recent_days": RECENT_DEPARTMENT_DAYS}
    )


@portal_view()
@require_GET
def customer(request: MemberRequest, pk: int) -> HttpResponse:
    relation = portal_customer_get(user=request.user, organisation=request.organisation, relation_id=pk)
    topic_labels = dict(NotificationTopic.choices)
    contacts = [
        (contact, [topic_labels[t] for t in topics])
        for contact, topics in notification_choices(relation=relation)
    ]
    return render(
        request,
        TEMPLATES + "customer.html",
        {
            "relation": relation,
            "departments": list(portal_department_list(relation=relation)),
            "contacts": contacts,
            "recent_days": RECENT_DEPARTMENT_DAYS,
        },
    )


@portal_view()
@require_http_methods(["GET", "POST"])
def customer_numbers(request: MemberRequest, pk: int) -> HttpResponse:
    relation = portal_customer_get(user=request.user, organisation=request.organisation, relation_id=pk)
    departments = list(portal_department_list(relation=relation))
    current = {d.pk: d.customer_number for d in departments}
    form = CustomerNumbersForm(request.POST or None, departments=departments, numbers=current)
    if request.method == "POST" and form.is_valid():
        changed = [(d, number.strip()) for d, number in form.numbers() if number.strip() != current[d.pk]]
        try:
            services.relation_customer_numbers_set(actor=request.user, relation=relation, numbers=changed)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Customer numbers saved."))
            return redirect("portal:customer", relation.pk)
    return render(
        request,
        TEMPLATES + "customer_numbers.html",
        {"relation": relation, "form": form, "recent_days": RECENT_DEPARTMENT_DAYS},
        status=400 if form.errors else 200,
    )


@portal_view()
@require_http_methods(["GET", "POST"])
def contact_add(request: MemberRequest, pk: int) -> HttpResponse:
    relation = portal_customer_get(user=request.user, organisation=request.organisation, relation_id=pk)
    form = ContactForm(request.POST or None, initial={"topic": request.GET.get("topic")})
    if request.method == "POST" and form.is_valid():
        try:
            services.relation_contact_add(actor=request.user, relation=relation, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect("portal:customer", relation.pk)
    return _form_page(
        request,
        form,
        title=_("New contact for %(buyer)s") % {"buyer": relation.buyer.name},
        submit=_("Add contact"),
        cancel_url=reverse("portal:customer", args=[relation.pk]),
        intro=_("Whom %(buyer)s should contact at your company about this topic.")
        % {"buyer": relation.buyer.name},
    )


@portal_view()
@require_http_methods(["GET", "POST"])
def contact_edit(request: MemberRequest, pk: int) -> HttpResponse:
    contact = portal_contact_get(user=request.user, organisation=request.organisation, contact_id=pk)
    initial = {"topic": contact.topic, "name": contact.name, "email": contact.email, "phone": contact.phone}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.relation_contact_update(actor=request.user, contact_id=contact.pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("portal:customer", contact.supplier_id)
    return _form_page(
        request,
        form,
        title=_("Edit contact %(name)s") % {"name": contact.name},
        submit=_("Save"),
        cancel_url=reverse("portal:customer", args=[contact.supplier_id]),
    )


@portal_view()
@require_http_methods(["GET", "POST"])
def contact_remove(request: MemberRequest, pk: int) -> HttpResponse:
    contact = portal_contact_get(user=request.user, organisation=request.organisation, contact_id=pk)
    if request.method == "POST":
        services.relation_contact_remove(actor=request.user, contact_id=contact.pk)
        messages.success(request, _("Contact %(name)s removed.") % {"name": contact.name})
        return redirect("portal:customer", contact.supplier_id)
    return render(
        request,
        TEMPLATES + "confirm.html",
        {
            "title": _("Remove contact %(name)s?") % {"name": contact.name},
            "text": _("%(buyer)s will no longer see %(name)s as your contact for: %(topic)s.")
            % {
                "buyer": contact.supplier.buyer.name,
                "name": contact.name,
                "topic": contact.get_topic_display(),
            },
            "submit": _("Remove contact"),
            "cancel_url": reverse("portal:customer", args=[contact.supplier_id]),
        },
    )


@portal_view()
@require_http_methods(["GET", "POST"])
def notifications(request: MemberRequest, pk: int) -> HttpResponse:
    relation = portal_customer_get(user=request.user, organisation=request.organisation, relation_id=pk)
    form = NotificationChoicesForm(request.POST or None, contacts=notification_choices(relation=relation))
    if request.method == "POST" and form.is_valid():
        try:
            services.relation_notifications_set(actor=request.user, relation=relation, chosen=form.chosen())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Notification choices saved."))
            return redirect("portal:customer", relation.pk)
    return _form_page(
        request,
        form,
        title=_("E-mail notifications for %(buyer)s") % {"buyer": relation.buyer.name},
        submit=_("Save choices"),
        cancel_url=reverse("portal:customer", args=[relation.pk]),
        intro=_(
            "Choose which of your contacts receive an e-mail when %(buyer)s sends a new order, changes or "
            "cancels one, disputes an invoice or pays."
        )
        % {"buyer": relation.buyer.name},
        no_fields_text=_("Add a contact first."),
    )


@portal_view()
@require_GET
def bank_details(request: MemberRequest) -> HttpResponse:
    """The bank details each customer has on record, and the change waiting for a second person, if any."""
    changes = list(bank_change_list(user=request.user, organisation=request.organisation)[:10])
    pending = next((c for c in changes if c.status == c.Status.PENDING), None)
    return render(
        request,
        TEMPLATES + "bank_details.html",
        {
            "accounts": list(portal_bank_accounts(user=request.user, organisation=request.organisation)),
            "pending": pending,
            "can_confirm": pending is not None and pending.proposed_by_id != request.user.pk,
            "colleagues": portal_colleague_count(user=request.user, organisation=request.organisation)
            if pending is not None
            else None,
            "changes": [c for c in changes if c is not pending],
        },
    )


@portal_view()
@require_http_methods(["GET", "POST"])
def bank_change_propose(request: MemberRequest) -> HttpResponse:
    form = BankAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_change_propose(
                actor=request.user,
                organisation=request.organisation,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.warning(
                request,
                _(
                    "The new bank details are proposed. They take effect when a colleague with access to the "
                    "portal confirms them."
                ),
            )
            return redirect("portal:bank_details")
    return _form_page(
        request,
        form,
        title=_("New bank details"),
        submit=_("Propose new bank details"),
        cancel_url=reverse("portal:bank_details"),
        intro=_(
            "The new details are sent to all your customers once a second person at your company has "
            "confirmed them. Your customers then verify the change with you by phone before they pay to it."
        ),
    )


def _decide(request: MemberRequest, pk: int, action: Callable[..., Any], done: str) -> HttpResponse:
    """Confirm or withdraw a proposal; a refused step (e.g. confirming one's own) is shown as a message."""
    proposal = bank_change_get(user=request.user, organisation=request.organisation, proposal_id=pk)
    try:
        action(proposal)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("portal:bank_details")


@portal_view()
@require_POST
def bank_change_confirm(request: MemberRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda proposal: services.bank_change_confirm(
            actor=request.user, proposal_id=proposal.pk, base_url=request.build_absolute_uri("/")
        ),
        _("The new bank details are confirmed and sent to your customers for verification."),
    )


@portal_view()
@require_POST
def bank_change_withdraw(request: MemberRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda proposal: services.bank_change_withdraw(actor=request.user, proposal_id=proposal.pk),
        _("The proposed bank details are withdrawn."),
    )
