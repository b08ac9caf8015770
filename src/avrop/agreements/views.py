"""Agreement pages: list, expiring, register/edit, parties, introduction plan, documents, meetings."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from avrop.agreements import services
from avrop.agreements.forms import (
    AgreementForm,
    DocumentForm,
    IntroductionForm,
    MeetingForm,
    PartiesForm,
    PartyRestrictForm,
)
from avrop.agreements.selectors import (
    agreement_get,
    agreement_list,
    agreements_expiring,
    delivery_due_dates,
    document_get,
    document_list,
    follow_up_period,
    meeting_get,
    meeting_list,
    new_agreement_checklist,
    owned_agreement_get,
    party_get,
    party_list,
)
from avrop.core.decorators import form_page, org_view
from avrop.core.errors import DomainError
from avrop.organisations.models import Organisation
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors import department_list
from avrop.suppliers.forms import add_domain_error
from avrop.suppliers.models import SupplierContact
from avrop.suppliers.selectors import buyer_supplier_list

FORM_TEMPLATE = "suppliers/pages/form.html"


_form_page = partial(form_page, template=FORM_TEMPLATE)


def _upload_help() -> str:
    return _("At most %(size)s; PDF, Word, Excel, OpenDocument, PNG, JPEG, text or CSV.") % {
        "size": filesizeformat(services.max_document_bytes())
    }


def _supplier_choices(request: MemberRequest) -> Any:
    ids = buyer_supplier_list(user=request.user, organisation=request.organisation).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids).order_by("name")


@org_view()
@require_GET
def agreements(request: MemberRequest) -> HttpResponse:
    rows = agreement_list(user=request.user, organisation=request.organisation)
    can_add = bool(request.organisation.is_buyer and request.roles & services.AGREEMENT_ROLES)
    return render(
        request,
        "agreements/pages/agreements.html",
        {"agreements": rows, "can_add": can_add, "heading": _("Agreements")},
    )


@org_view()
@require_GET
def expiring(request: MemberRequest) -> HttpResponse:
    within = 90 if request.GET.get("within") == "90" else 180
    rows = agreements_expiring(user=request.user, organisation=request.organisation, within_days=within)
    return render(
        request,
        "agreements/pages/agreements.html",
        {
            "agreements": rows,
            "within": within,
            "heading": _("Agreements ending within %(days)s days") % {"days": within},
        },
    )


@org_view(roles=services.AGREEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def agreement_new(request: MemberRequest) -> HttpResponse:
    initial = {"supplier": request.GET.get("supplier"), "payment_days": 30}
    form = AgreementForm(request.POST or None, suppliers=_supplier_choices(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            agreement = services.agreement_create(actor=request.user, owner=request.organisation, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Agreement %(ref)s is registered. Continue with the checklist below.")
                % {"ref": agreement.reference},
            )
            return redirect("agreements:detail", agreement.pk)
    return _form_page(
        request,
        form,
        title=_("New agreement"),
        submit=_("Register agreement"),
        cancel_url=reverse("agreements:list"),
        intro=_(
            "Step 2 of the process: register the agreement's data. The supplier must be "
            "registered with its contacts first."
        ),
    )


@org_view(roles=services.AGREEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def agreement_edit(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement_get(user=request.user, organisation=request.organisation, agreement_id=pk)
    suppliers = Organisation.objects.filter(pk=agreement.supplier_id)
    form = AgreementForm(request.POST or None, instance=agreement, suppliers=suppliers, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "supplier"}
        try:
            services.agreement_update(actor=request.user, agreement_id=agreement.pk, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("agreements:detail", agreement.pk)
    return _form_page(
        request,
        form,
        title=_("Edit %(ref)s") % {"ref": agreement.reference},
        submit=_("Save"),
        cancel_url=reverse("agreements:detail", args=[agreement.pk]),
    )


@org_view()
@require_GET
def agreement_detail(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = agreement_get(user=request.user, organisation=request.organisation, agreement_id=pk)
    is_owner = agreement.owner_id == request.organisation.pk
    can_manage = is_owner and bool(request.roles & services.AGREEMENT_ROLES)
    documents = list(document_list(user=request.user, organisation=request.organisation, agreement_id=pk))
    meetings = list(meeting_list(user=request.user, organisation=request.organisation, agreement_id=pk))
    today = timezone.localdate()
    period_start, period_end = follow_up_period(today, agreement.follow_up_meetings_per_year or 1)
    context = {
        "agreement": agreement,
        "parties": party_list(user=request.user, organisation=request.organisation, agreement_id=pk),
        "documents": documents,
        "meetings": meetings,
        "is_owner": is_owner,
        "can_manage": can_manage,
        "can_restrict": bool(request.roles & services.AGREEMENT_ROLES),
        "due": delivery_due_dates(agreement, today),
        "today": today,
        "meetings_this_year": sum(1 for m in meetings if m.held_on.year == today.year),
        "meeting_this_period": any(period_start <= m.held_on <= period_end for m in meetings),
        "checklist": new_agreement_checklist(agreement, document_count=len(documents)) if can_manage else [],
    }
    return render(request, "agreements/pages/agreement_detail.html", context)


@org_view(roles=services.AGREEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def parties_edit(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement_get(user=request.user, organisation=request.organisation, agreement_id=pk)
    current = agreement.parties.values("organisation_id")
    choices = Organisation.objects.filter(pk__in=current) | Organisation.objects.filter(
        served_by=agreement.owner, kind__in=services.BUYER_KINDS
    )
    choices = choices.exclude(pk=agreement.owner_id).distinct().order_by("name")
    initial = {
        "organisations": list(
            agreement.parties.exclude(organisation=agreement.owner).values_list("organisation_id", flat=True)
        )
    }
    form = PartiesForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_parties_set(
                actor=request.user,
                agreement_id=agreement.pk,
                organisations=form.cleaned_data["organisations"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("agreements:detail", agreement.pk)
    return _form_page(
        request,
        form,
        title=_("Who may call off %(ref)s") % {"ref": agreement.reference},
        submit=_("Save"),
        cancel_url=reverse("agreements:detail", args=[agreement.pk]),
    )


@org_view(roles=services.AGREEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def party_restrict(request: MemberRequest, pk: int) -> HttpResponse:
    party = party_get(user=request.user, organisation=request.organisation, party_id=pk)
    departments = department_list(user=request.user, organisation=request.organisation)
    form = PartyRestrictForm(
        request.POST or None,
        departments=departments,
        initial={"departments": list(party.departments.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_party_restrict(
                actor=request.user, party_id=party.pk, departments=form.cleaned_data["departments"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("agreements:detail", party.agreement_id)
    return _form_page(
        request,
        form,
        title=_("Departments that may call off %(ref)s") % {"ref": party.agreement.reference},
        submit=_("Save"),
        cancel_url=reverse("agreements:detail", args=[party.agreement_id]),
    )


@org_view(roles=services.AGREEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def introduction_plan(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement_get(user=request.user, organisation=request.organisation, agreement_id=pk)
    suppliers = buyer_supplier_list(user=request.user, organisation=request.organisation).filter(
        organisation=agreement.supplier
    )
    contacts = SupplierContact.objects.filter(supplier__in=suppliers).order_by("topic", "name")
    main = contacts.filter(topic=SupplierContact.Topic.AGREEMENT).first()
    initial = {
        "contact": agreement.introduction_contact_id or (main.pk if main else None),
        "planned_on": agreement.introduction_planned_on,
        "note": agreement.introduction_note,
    }
    form = IntroductionForm(request.POST or None, contacts=contacts, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_introduction_plan(
                actor=request.user,
                agreement_id=agreement.pk,
                contact=form.cleaned_data["contact"],
                planned_on=form.cleaned_data["planned_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The introduction plan is saved."))
            return redirect("agreements:detail", agreement.pk)
    return _form_page(
        request,
        form,
        title=_("Plan the introduction of %(ref)s") % {"ref": agreement.reference},
        submit=_("Save plan"),
        cancel_url=reverse("agreements:detail", args=[agreement.pk]),
        intro=_(
            "Step 1: contact the supplier's contact person (normally the agreement's main contact) to plan "
            "how the agreement is introduced in e-commerce."
        ),
    )


@org_view(roles=services.AGREEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def document_add(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement_get(user=request.user, organisation=request.organisation, agreement_id=pk)
    form = DocumentForm(request.POST or None, request.FILES or None, help_text=_upload_help())
    if request.method == "POST" and form.is_valid():
        try:
            document = services.agreement_document_attach(
                actor=request.user,
                agreement_id=agreement.pk,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(title)s is attached.") % {"title": document.title})
            return redirect("agreements:detail", agreement.pk)
    return _form_page(
        request,
        form,
        title=_("Attach a document to %(ref)s") % {"ref": agreement.reference},
        submit=_("Attach"),
        cancel_url=reverse("agreements:detail", args=[agreement.pk]),
    )


@org_view()
@require_GET
def document_download(request: MemberRequest, pk: int) -> HttpResponseBase:
    document = document_get(user=request.user, organisation=request.organisation, document_id=pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@org_view(roles=services.AGREEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def meeting_add(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement_get(user=request.user, organisation=request.organisation, agreement_id=pk)
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        help_text=_upload_help(),
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.follow_up_meeting_record(
                actor=request.user,
                agreement_id=agreement.pk,
                held_on=data["held_on"],
                attendees=data["attendees"],
                minutes=data["minutes"],
                upload=data["file"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The follow-up meeting is recorded."))
            return redirect("agreements:detail", agreement.pk)
    return _form_page(
        request,
        form,
        title=_("Follow-up meeting for %(ref)s") % {"ref": agreement.reference},
        submit=_("Record meeting"),
        cancel_url=reverse("agreements:detail", args=[agreement.pk]),
    )


@org_view(roles=services.AGREEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def meeting_edit(request: MemberRequest, pk: int) -> HttpResponse:
    meeting = meeting_get(user=request.user, organisation=request.organisation, meeting_id=pk)
    owned_agreement_get(
        user=request.user, organisation=request.organisation, agreement_id=meeting.agreement_id
    )
    initial = {"held_on": meeting.held_on, "attendees": meeting.attendees, "minutes": meeting.minutes}
    form = MeetingForm(request.POST or None, request.FILES or None, help_text=_upload_help(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.follow_up_meeting_update(
                actor=request.user,
                meeting_id=meeting.pk,
                held_on=data["held_on"],
                attendees=data["attendees"],
                minutes=data["minutes"],
                upload=data["file"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("agreements:detail", meeting.agreement_id)
    return _form_page(
        request,
        form,
        title=_("Follow-up meeting %(date)s") % {"date": meeting.held_on.isoformat()},
        submit=_("Save"),
        cancel_url=reverse("agreements:detail", args=[meeting.agreement_id]),
    )
