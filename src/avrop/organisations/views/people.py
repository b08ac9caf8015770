"""People: list, add, import, move, roles, deactivate."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core import lists
from avrop.core.decorators import org_view
from avrop.organisations import services
from avrop.organisations.forms import ImportForm, MoveForm, PersonForm, RoleForm
from avrop.organisations.importing.users import ALIASES, REQUIRED
from avrop.organisations.lists import PersonFilter, PersonTable
from avrop.organisations.models import ImportJob
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors import (
    department_list,
    member_history,
    membership_get,
    person_get,
    person_list,
)
from avrop.organisations.views._helpers import MASTER, act, invalid_form, submit

PAGE_SIZE = 50


def _departments(request: MemberRequest):  # noqa: ANN202
    return department_list(user=request.user, organisation=request.organisation).filter(is_active=True)


@org_view(roles=MASTER)
@require_GET
def people(request: MemberRequest) -> HttpResponseBase:
    former = request.GET.get("former") == "1"
    persons = person_list(user=request.user, organisation=request.organisation, include_former=former)
    active_roles = member_history(user=request.user, organisation=request.organisation).filter(is_active=True)
    # Each person's roles in this organisation come with the page (or the export) in one more query.
    persons = persons.prefetch_related(Prefetch("memberships", queryset=active_roles, to_attr="active_roles"))
    listing = lists.listing(
        request,
        persons,
        PersonTable,
        filterset_class=PersonFilter,
        filename=str(_("people")),
        per_page=PAGE_SIZE,
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    return render(request, "organisations/pages/people.html", {"listing": listing, "former": former})


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def person_new(request: MemberRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, departments=_departments(request))
    if request.method == "POST":
        data = {**form.cleaned_data} if form.is_valid() else {}
        membership = submit(
            form, lambda: services.member_add(actor=request.user, organisation=request.organisation, **data)
        )
        if membership is not None:
            return redirect("organisations:person_detail", membership.user_id)
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "title": _("New person"),
            "lead": _("The person sets a password with the “forgot password” link on the login page."),
            "back": reverse("organisations:people"),
        },
    )


@org_view(roles=MASTER)
@require_GET
def person_detail(request: MemberRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, organisation=request.organisation, person_id=pk)
    history = list(member_history(user=request.user, organisation=request.organisation).filter(user=person))
    departments = list(_departments(request))
    return render(
        request,
        "organisations/pages/person.html",
        {
            "person": person,
            "history": history,
            "active": [
                (
                    m,
                    MoveForm(initial={"membership": m.pk}, departments=departments, prefix=f"m{m.pk}")
                    if m.department_id
                    else None,
                )
                for m in history
                if m.is_active
            ],
            "role_form": RoleForm(departments=departments),
            "is_self": person.pk == request.user.pk,
        },
    )


@org_view(roles=MASTER)
@require_POST
def person_move(request: MemberRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = membership_get(
        user=request.user, organisation=request.organisation, membership_id=membership_pk
    )
    form = MoveForm(request.POST, departments=_departments(request), prefix=f"m{membership.pk}")
    target = reverse("organisations:person_detail", args=[pk])
    if not form.is_valid():
        return invalid_form(request, form, target)
    return act(
        request,
        lambda: services.member_move(
            actor=request.user,
            membership_id=membership.pk,
            department_id=form.cleaned_data["department_id"],
            on=form.cleaned_data["on"],
        ),
        _("Moved. The earlier placement is kept in the history."),
        target,
    )


@org_view(roles=MASTER)
@require_POST
def person_role_add(request: MemberRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, organisation=request.organisation, person_id=pk)
    form = RoleForm(request.POST, departments=_departments(request))
    target = reverse("organisations:person_detail", args=[person.pk])
    if not form.is_valid():
        return invalid_form(request, form, target)
    return act(
        request,
        lambda: services.member_role_grant(
            actor=request.user, organisation=request.organisation, user_id=person.pk, **form.cleaned_data
        ),
        _("Role added."),
        target,
    )


@org_view(roles=MASTER)
@require_POST
def membership_end(request: MemberRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = membership_get(
        user=request.user, organisation=request.organisation, membership_id=membership_pk
    )
    return act(
        request,
        lambda: services.membership_end(
            actor=request.user, membership_id=membership.pk, reason=request.POST.get("reason", "")
        ),
        _("The role has ended."),
        reverse("organisations:person_detail", args=[pk]),
    )


@org_view(roles=MASTER)
@require_POST
def person_deactivate(request: MemberRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, organisation=request.organisation, person_id=pk)
    return act(
        request,
        lambda: services.user_deactivate(
            actor=request.user,
            organisation=request.organisation,
            user_id=person.pk,
            reason=request.POST.get("reason", ""),
        ),
        _("Deactivated. The person keeps their history."),
        reverse("organisations:person_detail", args=[pk]),
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def people_import(request: MemberRequest) -> HttpResponse:
    columns = ", ".join(REQUIRED + [k for k in ALIASES if k not in REQUIRED])
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        accept=".csv,.xlsx,.xls,.ods",
        help_text=_("CSV (; or ,) or XLSX with the columns %(columns)s.") % {"columns": columns},
    )
    if request.method == "POST":
        job = submit(
            form,
            lambda: services.import_job_create(
                actor=request.user,
                organisation=request.organisation,
                kind=ImportJob.Kind.USERS,
                filename=form.cleaned_data["file"].name,
                content=form.cleaned_data["file"].read(),
            ),
        )
        if job is not None:
            return redirect("organisations:import_detail", job.pk)
    return render(
        request,
        "organisations/pages/import_upload.html",
        {
            "form": form,
            "title": _("Import people"),
            "back": reverse("organisations:people"),
            "columns": ["username", "first_name", "last_name", "email", "role", "department", "phone"],
            "example": "username;first_name;last_name;email;role;department;phone\n"
            "sara.lind;Sara;Lind;sara.lind@kommun.example;beställare;SOL;0414-81 92 00",
        },
    )
