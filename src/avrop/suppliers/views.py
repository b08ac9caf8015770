"""Supplier pages: the register, contacts, customer numbers, bank details and portal invitations."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core import lists
from avrop.core.decorators import form_page, org_view
from avrop.core.errors import DomainError, NotFound
from avrop.organisations.middleware import SESSION_KEY as ACTIVE_ORGANISATION_KEY
from avrop.organisations.models import Organisation
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.organisations.selectors import department_list
from avrop.suppliers import services
from avrop.suppliers.forms import (
    BankAccountForm,
    BankVerifyForm,
    ContactForm,
    CustomerNumbersForm,
    InvitationAcceptForm,
    InvitationForm,
    SupplierEditForm,
    SupplierRegisterForm,
    add_domain_error,
)
from avrop.suppliers.lists import SupplierFilter, SupplierTable
from avrop.suppliers.models import SupplierContact
from avrop.suppliers.selectors import (
    bank_account_get,
    bank_account_list,
    buyer_supplier_get,
    contact_get,
    contact_table,
    invitation_get,
    invitation_list,
    supplier_get,
    supplier_list,
)

BANK_VIEW_ROLES = frozenset(
    {Role.COORDINATOR, Role.PROCUREMENT_OFFICER, Role.AP_CLERK, Role.ADMIN, Role.AUDITOR}
)


_form_page = partial(form_page, template="suppliers/pages/form.html")


@org_view()
@require_GET
def suppliers(request: MemberRequest) -> HttpResponseBase:
    rows = supplier_list(user=request.user, organisation=request.organisation)
    filename = _("suppliers") if request.organisation.is_buyer else _("customers")
    listing = lists.listing(
        request, rows, SupplierTable, filterset_class=SupplierFilter, filename=str(filename)
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    can_add = bool(request.organisation.is_buyer and request.roles & services.SUPPLIER_ROLES)
    return render(request, "suppliers/pages/suppliers.html", {"listing": listing, "can_add": can_add})


@org_view(roles=services.SUPPLIER_ROLES)
@require_GET
def contacts(request: MemberRequest) -> HttpResponse:
    """The coordinator's contact table of seed 001: one row per supplier, one column per topic."""
    rows = []
    for supplier in contact_table(user=request.user, organisation=request.organisation):
        by_topic: dict[str, list[SupplierContact]] = {t: [] for t in SupplierContact.Topic.values}
        for contact in supplier.contacts.all():
            by_topic[contact.topic].append(contact)
        rows.append((supplier, [by_topic[t] for t in SupplierContact.Topic.values]))
    return render(
        request, "suppliers/pages/contacts.html", {"rows": rows, "topics": SupplierContact.Topic.choices}
    )


@org_view(roles=services.SUPPLIER_ROLES)
@require_http_methods(["GET", "POST"])
def supplier_new(request: MemberRequest) -> HttpResponse:
    form = SupplierRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supplier = services.supplier_register(
                actor=request.user,
                buyer=request.organisation,
                name=data["name"],
                org_number=data["org_number"],
                country=data["country"],
                vat_number=data["vat_number"],
                peppol_id=data["peppol_id"],
                connection=data["connection"],
                order_email=data["order_email"],
                city=data["city"],
                email=data["email"],
                phone=data["phone"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered as your supplier. Add its contacts next.")
                % {"name": supplier.organisation.name},
            )
            return redirect("suppliers:detail", supplier.pk)
    return _form_page(
        request,
        form,
        title=_("New supplier"),
        submit=_("Register supplier"),
        cancel_url=reverse("suppliers:list"),
        intro=_("Organisation number, VAT number and Peppol id are checked with their check digits."),
        status=400 if form.errors else 200,
    )


@org_view()
@require_GET
def supplier_detail(request: MemberRequest, pk: int) -> HttpResponse:
    supplier = supplier_get(user=request.user, organisation=request.organisation, supplier_id=pk)
    is_buyer_side = supplier.buyer_id == request.organisation.pk
    context: dict[str, Any] = {
        "supplier": supplier,
        "contacts": supplier.contacts.order_by("topic", "name"),
        "customer_numbers": supplier.customer_numbers.select_related("department").order_by(
            "department__name"
        ),
        "is_buyer_side": is_buyer_side,
        "can_manage": is_buyer_side and bool(request.roles & services.SUPPLIER_ROLES),
        "can_bank": is_buyer_side and bool(request.roles & services.BANK_ROLES),
        "can_invite": is_buyer_side and bool(request.roles & services.INVITE_ROLES),
    }
    if is_buyer_side and request.roles & BANK_VIEW_ROLES:
        context["bank_accounts"] = bank_account_list(
            user=request.user, organisation=request.organisation, supplier_id=pk, include_retired=True
        )
    if context["can_invite"]:
        context["invitations"] = invitation_list(
            user=request.user, organisation=request.organisation, supplier_id=pk
        )
    return render(request, "suppliers/pages/supplier_detail.html", context)


@org_view(roles=services.SUPPLIER_ROLES)
@require_http_methods(["GET", "POST"])
def supplier_edit(request: MemberRequest, pk: int) -> HttpResponse:
    supplier = buyer_supplier_get(user=request.user, organisation=request.organisation, supplier_id=pk)
    initial = {
        "connection": supplier.connection,
        "order_email": supplier.order_email,
        "is_active": supplier.is_active,
    }
    form = SupplierEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(actor=request.user, supplier_id=supplier.pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("suppliers:detail", supplier.pk)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": supplier.organisation.name},
        submit=_("Save"),
        cancel_url=reverse("suppliers:detail", args=[supplier.pk]),
        status=400 if form.errors else 200,
    )


@org_view(roles=services.SUPPLIER_ROLES)
@require_http_methods(["GET", "POST"])
def contact_add(request: MemberRequest, pk: int) -> HttpResponse:
    supplier = buyer_supplier_get(user=request.user, organisation=request.organisation, supplier_id=pk)
    form = ContactForm(request.POST or None, initial={"topic": request.GET.get("topic")})
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_contact_add(actor=request.user, supplier=supplier, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Contact added."))
            if "add_another" in request.POST:
                return redirect("suppliers:contact_add", supplier.pk)
            return redirect("suppliers:detail", supplier.pk)
    return _form_page(
        request,
        form,
        title=_("New contact at %(name)s") % {"name": supplier.organisation.name},
        submit=_("Add contact"),
        cancel_url=reverse("suppliers:detail", args=[supplier.pk]),
        add_another=_("Add and add another"),
        status=400 if form.errors else 200,
    )


@org_view(roles=services.SUPPLIER_ROLES)
@require_http_methods(["GET", "POST"])
def contact_edit(request: MemberRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, organisation=request.organisation, contact_id=pk)
    initial = {"topic": contact.topic, "name": contact.name, "email": contact.email, "phone": contact.phone}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_contact_update(actor=request.user, contact_id=contact.pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("suppliers:detail", contact.supplier_id)
    return _form_page(
        request,
        form,
        title=_("Edit contact %(name)s") % {"name": contact.name},
        submit=_("Save"),
        cancel_url=reverse("suppliers:detail", args=[contact.supplier_id]),
        status=400 if form.errors else 200,
    )


@org_view(roles=services.SUPPLIER_ROLES)
@require_http_methods(["GET", "POST"])
def contact_remove(request: MemberRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, organisation=request.organisation, contact_id=pk)
    if request.method == "POST":
        services.supplier_contact_remove(actor=request.user, contact_id=contact.pk)
        messages.success(request, _("Contact %(name)s removed.") % {"name": contact.name})
        return redirect("suppliers:detail", contact.supplier_id)
    return render(
        request,
        "suppliers/pages/confirm.html",
        {
            "title": _("Remove contact %(name)s?") % {"name": contact.name},
            "text": _("%(name)s (%(topic)s) will no longer be listed for %(supplier)s.")
            % {
                "name": contact.name,
                "topic": contact.get_topic_display(),
                "supplier": contact.supplier.organisation.name,
            },
            "submit": _("Remove contact"),
            "cancel_url": reverse("suppliers:detail", args=[contact.supplier_id]),
        },
    )


@org_view(roles=services.SUPPLIER_ROLES)
@require_http_methods(["GET", "POST"])
def customer_numbers(request: MemberRequest, pk: int) -> HttpResponse:
    supplier = buyer_supplier_get(user=request.user, organisation=request.organisation, supplier_id=pk)
    departments = list(department_list(user=request.user, organisation=request.organisation))
    numbers = dict(supplier.customer_numbers.values_list("department_id", "number"))
    form = CustomerNumbersForm(request.POST or None, departments=departments, numbers=numbers)
    if request.method == "POST" and form.is_valid():
        try:
            for department, number in form.numbers():
                services.customer_number_set(
                    actor=request.user, supplier=supplier, department=department, number=number
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Customer numbers saved."))
            return redirect("suppliers:detail", supplier.pk)
    return _form_page(
        request,
        form,
        title=_("Customer numbers at %(name)s") % {"name": supplier.organisation.name},
        submit=_("Save customer numbers"),
        cancel_url=reverse("suppliers:detail", args=[supplier.pk]),
        intro=_(
            "The number under which the supplier knows each department. Leave a field empty to remove it."
        ),
        status=400 if form.errors else 200,
    )


@org_view(roles=services.BANK_ROLES)
@require_http_methods(["GET", "POST"])
def bank_account_add(request: MemberRequest, pk: int) -> HttpResponse:
    supplier = buyer_supplier_get(user=request.user, organisation=request.organisation, supplier_id=pk)
    form = BankAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_account_register(actor=request.user, supplier=supplier, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.warning(
                request,
                _(
                    "Bank details registered. They must be verified by a colleague before "
                    "payments may use them."
                ),
            )
            return redirect("suppliers:detail", supplier.pk)
    return _form_page(
        request,
        form,
        title=_("Bank details for %(name)s") % {"name": supplier.organisation.name},
        submit=_("Register bank details"),
        cancel_url=reverse("suppliers:detail", args=[supplier.pk]),
        intro=_(
            "Changed bank details are the most common invoice fraud. Only register details you have "
            "confirmed with the supplier on a phone number you already had – never one from the letter or "
            "e-mail announcing the change."
        ),
        status=400 if form.errors else 200,
    )


@org_view(roles=services.BANK_ROLES)
@require_http_methods(["GET", "POST"])
def bank_account_verify(request: MemberRequest, pk: int) -> HttpResponse:
    account = bank_account_get(user=request.user, organisation=request.organisation, account_id=pk)
    form = BankVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_account_verify(
                actor=request.user, account_id=account.pk, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Bank details verified."))
            return redirect("suppliers:detail", account.supplier_id)
    return _form_page(
        request,
        form,
        title=_("Verify %(account)s") % {"account": account},
        submit=_("Mark as verified"),
        cancel_url=reverse("suppliers:detail", args=[account.supplier_id]),
        intro=_("Registered by %(who)s on %(when)s.")
        % {"who": account.registered_by or _("the system"), "when": account.created_at.date().isoformat()},
        status=400 if form.errors else 200,
    )


@org_view(roles=services.BANK_ROLES)
@require_POST
def bank_account_retire(request: MemberRequest, pk: int) -> HttpResponse:
    account = bank_account_get(user=request.user, organisation=request.organisation, account_id=pk)
    services.bank_account_retire(actor=request.user, account_id=account.pk)
    messages.success(request, _("%(account)s is no longer used.") % {"account": account})
    return redirect("suppliers:detail", account.supplier_id)


@org_view(roles=services.INVITE_ROLES)
@require_http_methods(["GET", "POST"])
def invitation_send(request: MemberRequest, pk: int) -> HttpResponse:
    supplier = buyer_supplier_get(user=request.user, organisation=request.organisation, supplier_id=pk)
    suggested = supplier.contacts.filter(topic=SupplierContact.Topic.ECOMMERCE).exclude(email="").first()
    form = InvitationForm(request.POST or None, initial={"email": suggested.email if suggested else ""})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _key = services.portal_invitation_send(
                actor=request.user,
                supplier=supplier,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("The invitation is on its way to %(email)s.") % {"email": invitation.email}
            )
            return redirect("suppliers:detail", supplier.pk)
    return _form_page(
        request,
        form,
        title=_("Invite %(name)s to the supplier portal") % {"name": supplier.organisation.name},
        submit=_("Send invitation"),
        cancel_url=reverse("suppliers:detail", args=[supplier.pk]),
        intro=_("The person gets an e-mail with a link that works once and expires after %(days)s days.")
        % {"days": services.invitation_valid_days()},
        status=400 if form.errors else 200,
    )


@org_view(roles=services.INVITE_ROLES)
@require_POST
def invitation_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = invitation_get(user=request.user, organisation=request.organisation, invitation_id=pk)
    services.portal_invitation_revoke(actor=request.user, invitation_id=invitation.pk)
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("suppliers:detail", invitation.supplier_id)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    """Public page behind the e-mailed link: the supplier's person chooses a user name and password."""
    try:
        invitation = services.portal_invitation_by_key(key=key)
    except NotFound as exc:
        return render(request, "suppliers/pages/invitation_invalid.html", {"error": exc}, status=404)
    except DomainError as exc:
        return render(request, "suppliers/pages/invitation_invalid.html", {"error": exc}, status=410)
    form = InvitationAcceptForm(request.POST or None, initial={"username": invitation.email})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.portal_invitation_accept(
                key=key,
                username=data["username"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except DomainError as exc:
            if exc.field is None:
                return render(request, "suppliers/pages/invitation_invalid.html", {"error": exc}, status=410)
            add_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            organisation = invitation.supplier.organisation
            request.session[ACTIVE_ORGANISATION_KEY] = organisation.pk
            messages.success(
                request,
                _("Welcome! Your account at %(supplier)s is ready.") % {"supplier": organisation.name},
            )
            # A supplier lands in the portal, where its customers, departments and customer numbers are.
            if organisation.kind == Organisation.Kind.SUPPLIER:
                return redirect("portal:customers")
            return redirect("core:home")
    return render(
        request,
        "suppliers/pages/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )
