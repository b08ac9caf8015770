"""Approval authority: rules, deputies and the "who can approve this?" tool."""

from __future__ import annotations

from typing import overload

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.decorators import org_view
from avrop.core.errors import DomainError, NotFound
from avrop.organisations import services
from avrop.organisations.forms import (
    ApprovalLimitEditForm,
    ApprovalLimitForm,
    DelegationForm,
    WhoCanApproveForm,
    add_domain_error,
)
from avrop.organisations.models import User
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors import person_list
from avrop.organisations.selectors.approval import (
    approval_limit_get,
    approval_limit_list,
    delegation_get,
    delegation_list,
    who_can_approve,
)
from avrop.organisations.views._helpers import MASTER, act, submit


def _people(request: MemberRequest):  # noqa: ANN202
    return person_list(user=request.user, organisation=request.organisation).filter(is_active=True)


@overload
def _person(request: MemberRequest, pk: int) -> User: ...
@overload
def _person(request: MemberRequest, pk: None) -> None: ...
def _person(request: MemberRequest, pk: int | None) -> User | None:
    if pk is None:
        return None
    found = _people(request).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


@org_view(roles=MASTER)
@require_GET
def overview(request: MemberRequest) -> HttpResponse:
    ended = request.GET.get("ended") == "1"
    return render(
        request,
        "organisations/pages/approval.html",
        {
            "limits": approval_limit_list(
                user=request.user, organisation=request.organisation, include_ended=ended
            ),
            "delegations": delegation_list(
                user=request.user, organisation=request.organisation, include_ended=ended
            ),
            "ended": ended,
            "today": timezone.localdate(),
        },
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def limit_new(request: MemberRequest) -> HttpResponse:
    form = ApprovalLimitForm(request.POST or None, people=_people(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rule = submit(
            form,
            lambda: services.approval_limit_create(
                actor=request.user,
                organisation=request.organisation,
                approver=_person(request, data["approver"]),
                document_kind=data["document_kind"],
                amount_limit=data["amount_limit"],
                cost_centres=form.codes(),
                all_cost_centres=data["all_cost_centres"],
                account=data["account"],
                category=data["category"],
                title=data["title"],
                level=data["level"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
            ),
        )
        if rule is not None:
            return redirect("organisations:approval")
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "title": _("New approval rule"),
            "back": reverse("organisations:approval"),
            "lead": _("You cannot give yourself a rule; another coordinator or administrator does that."),
        },
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def limit_edit(request: MemberRequest, pk: int) -> HttpResponse:
    rule = approval_limit_get(user=request.user, organisation=request.organisation, limit_id=pk)
    initial = {
        "title": rule.title,
        "level": rule.level,
        "amount_limit": rule.amount_limit,
        "cost_centres": ", ".join(c.code for c in rule.cost_centres.all()),
        "all_cost_centres": rule.all_cost_centres,
        "valid_to": rule.valid_to,
    }
    form = ApprovalLimitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = submit(
            form,
            lambda: services.approval_limit_update(
                actor=request.user,
                limit_id=rule.pk,
                amount_limit=data["amount_limit"],
                cost_centres=form.codes(),
                all_cost_centres=data["all_cost_centres"],
                valid_to=data["valid_to"],
                title=data["title"],
                level=data["level"],
            ),
        )
        if done is not None:
            return redirect("organisations:approval")
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "back": reverse("organisations:approval"),
            "title": _("Approval rule of %(user)s") % {"user": rule.approver},
        },
    )


@org_view(roles=MASTER)
@require_POST
def limit_end(request: MemberRequest, pk: int) -> HttpResponse:
    rule = approval_limit_get(user=request.user, organisation=request.organisation, limit_id=pk)
    return act(
        request,
        lambda: services.approval_limit_end(actor=request.user, limit_id=rule.pk),
        _("The rule has ended."),
        reverse("organisations:approval"),
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def delegation_new(request: MemberRequest) -> HttpResponse:
    people = _people(request)
    principals = people.filter(
        approval_limits__organisation=request.organisation, approval_limits__is_active=True
    ).distinct()
    today = timezone.localdate()
    form = DelegationForm(
        request.POST or None,
        people=people,
        principals=principals,
        initial={"valid_from": today, "valid_to": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = submit(
            form,
            lambda: services.delegation_create(
                actor=request.user,
                organisation=request.organisation,
                principal=_person(request, data["principal"]),
                deputy=_person(request, data["deputy"]),
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                reason=data["reason"],
            ),
        )
        if done is not None:
            return redirect("organisations:approval")
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "title": _("New deputy"),
            "back": reverse("organisations:approval"),
            "lead": _(
                "The deputy approves with the rules of the person they stand in for, within the dates."
            ),
        },
    )


@org_view(roles=MASTER)
@require_POST
def delegation_end(request: MemberRequest, pk: int) -> HttpResponse:
    delegation = delegation_get(user=request.user, organisation=request.organisation, delegation_id=pk)
    return act(
        request,
        lambda: services.delegation_end(actor=request.user, delegation_id=delegation.pk),
        _("The delegation has ended."),
        reverse("organisations:approval"),
    )


@org_view(roles=MASTER)
@require_GET
def who(request: MemberRequest) -> HttpResponse:
    form = WhoCanApproveForm(request.GET or None, people=_people(request))
    answer = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            answer = who_can_approve(
                user=request.user,
                organisation=request.organisation,
                cost_centre=data["cost_centre"],
                amount=data["amount"],
                document_kind=data["document_kind"],
                account=data["account"],
                category=data["category"],
                requester=_person(request, data["requester"]),
                on=data["on"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "organisations/pages/who_can_approve.html", {"form": form, "answer": answer})
