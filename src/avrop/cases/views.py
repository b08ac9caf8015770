"""Support case pages: the coordinator's case list, opening a case, working it with its checklist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.cases import services
from avrop.cases.forms import CaseForm, MessageForm, ReasonForm, ResolveForm
from avrop.cases.lists import CaseFilter, CaseTable
from avrop.cases.models import Case
from avrop.cases.selectors import case_get, case_list
from avrop.cases.workflows import ACTIVE, TRANSITIONS, Status
from avrop.core import lists
from avrop.core.decorators import org_view
from avrop.core.errors import DomainError
from avrop.organisations.models import User
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors import department_list, member_list
from avrop.suppliers.forms import add_domain_error
from avrop.suppliers.selectors import buyer_supplier_list

FILTERS = {"active": ACTIVE, "all": frozenset(Status.values), **{s: frozenset({s}) for s in Status.values}}


def _buyer_only(request: MemberRequest) -> None:
    if not request.organisation.is_buyer:
        raise Http404("Support cases belong to buying organisations.")


@org_view()
@require_GET
def cases(request: MemberRequest) -> HttpResponseBase:
    _buyer_only(request)
    chosen = request.GET.get("status", "active")
    if chosen not in FILTERS:
        chosen = "active"
    rows = case_list(user=request.user, organisation=request.organisation).filter(status__in=FILTERS[chosen])
    listing = lists.listing(
        request, rows, CaseTable, filterset_class=CaseFilter, filename=str(_("support-cases"))
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    filters = [("active", _("Active")), *Status.choices, ("all", _("All"))]
    return render(
        request,
        "cases/pages/cases.html",
        {
            "listing": listing,
            "chosen": chosen,
            "filters": filters,
            "is_worker": bool(request.roles & services.CASE_WORKER_ROLES),
        },
    )


@org_view()
@require_http_methods(["GET", "POST"])
def case_new(request: MemberRequest) -> HttpResponse:
    _buyer_only(request)
    is_worker = bool(request.roles & services.CASE_WORKER_ROLES)
    requesters = None
    if is_worker:
        member_ids = member_list(user=request.user, organisation=request.organisation).values("user_id")
        requesters = User.objects.filter(pk__in=member_ids).order_by("first_name", "last_name", "username")
    form = CaseForm(
        request.POST or None,
        initial={"case_type": request.GET.get("type"), "order_reference": request.GET.get("order", "")},
        suppliers=buyer_supplier_list(user=request.user, organisation=request.organisation),
        departments=department_list(user=request.user, organisation=request.organisation),
        requesters=requesters,
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                actor=request.user, organisation=request.organisation, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Case #%(number)s is opened.") % {"number": case.pk})
            return redirect("cases:detail", case.pk)
    return render(
        request,
        "suppliers/pages/form.html",
        {
            "form": form,
            "title": _("New support case"),
            "submit": _("Open case"),
            "cancel_url": "/",
            "intro": _("Describe the problem; the e-commerce coordinator takes it from there."),
        },
        status=400 if form.errors else 200,
    )


def _detail(request: MemberRequest, case: Case, status: int = 200, **forms: Any) -> HttpResponse:
    is_worker = bool(request.roles & services.CASE_WORKER_ROLES)
    allowed = TRANSITIONS.get(case.status, frozenset())
    context = {
        "case": case,
        "steps": list(case.steps.all()),
        "thread": list(case.messages.all()),
        "is_worker": is_worker,
        "can_start": is_worker and case.status == Status.OPEN,
        "can_wait": is_worker and Status.WAITING in allowed,
        "can_resume": is_worker and case.status == Status.WAITING,
        "can_resolve": is_worker and Status.RESOLVED in allowed,
        "can_close": Status.CLOSED in allowed,
        "can_reopen": Status.OPEN in allowed and case.status in {Status.RESOLVED, Status.CLOSED},
        "can_tick": is_worker and case.status in ACTIVE,
        "can_write": case.status != Status.CLOSED,
        "wait_form": forms.get("wait_form") or ReasonForm(prefix="wait"),
        "resolve_form": forms.get("resolve_form") or ResolveForm(prefix="resolve"),
        "reopen_form": forms.get("reopen_form") or ReasonForm(prefix="reopen"),
        "message_form": forms.get("message_form") or MessageForm(prefix="message"),
    }
    return render(request, "cases/pages/case_detail.html", context, status=status)


@org_view()
@require_GET
def case_detail(request: MemberRequest, pk: int) -> HttpResponse:
    _buyer_only(request)
    return _detail(request, case_get(user=request.user, organisation=request.organisation, case_id=pk))


@org_view()
@require_POST
def case_action(request: MemberRequest, pk: int, action: str) -> HttpResponse:
    """One POST endpoint per transition; a form error re-renders the case with the message on its field."""
    _buyer_only(request)
    case = case_get(user=request.user, organisation=request.organisation, case_id=pk)
    done = {
        "start": _("You are handling the case."),
        "resume": _("The case is in progress again."),
        "close": _("The case is closed."),
        "wait": _("The case is waiting."),
        "resolve": _("The case is resolved; the requester is told."),
        "reopen": _("The case is open again."),
        "message": _("Message sent."),
    }
    if action not in done:
        raise Http404()
    form: Any = None
    try:
        if action == "start":
            services.case_start(actor=request.user, case_id=case.pk)
        elif action == "resume":
            services.case_resume(actor=request.user, case_id=case.pk)
        elif action == "close":
            services.case_close(actor=request.user, case_id=case.pk)
        elif action in {"wait", "reopen"}:
            form = ReasonForm(request.POST, prefix=action)
            if form.is_valid():
                service = services.case_wait if action == "wait" else services.case_reopen
                service(actor=request.user, case_id=case.pk, reason=form.cleaned_data["reason"])
        elif action == "resolve":
            form = ResolveForm(request.POST, prefix="resolve")
            if form.is_valid():
                services.case_resolve(
                    actor=request.user, case_id=case.pk, resolution=form.cleaned_data["resolution"]
                )
        else:
            form = MessageForm(request.POST, prefix="message")
            if form.is_valid():
                services.case_message_add(actor=request.user, case_id=case.pk, body=form.cleaned_data["body"])
    except DomainError as exc:
        if form is None or exc.field is None:
            raise
        add_domain_error(form, exc)
    if form is not None and form.errors:
        return _detail(request, case, status=400, **{f"{action}_form": form})
    messages.success(request, done[action])
    return redirect("cases:detail", case.pk)


@org_view()
@require_POST
def case_step(request: MemberRequest, pk: int, position: int) -> HttpResponse:
    """Tick or untick a checklist step; with HTMX only the checklist is sent back."""
    _buyer_only(request)
    case = case_get(user=request.user, organisation=request.organisation, case_id=pk)
    services.case_step_set(
        actor=request.user, case_id=case.pk, position=position, done=request.POST.get("done") == "1"
    )
    if getattr(request, "htmx", False):
        case = case_get(user=request.user, organisation=request.organisation, case_id=pk)
        return render(
            request,
            "cases/partials/checklist.html",
            {
                "case": case,
                "steps": list(case.steps.all()),
                "can_tick": True,
            },
        )
    return redirect("cases:detail", case.pk)
