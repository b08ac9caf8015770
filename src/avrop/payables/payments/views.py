"""Payment and accounting pages: thin views that parse, call one service and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from avrop.core import formatting
from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError
from avrop.core.progress import Progress, progress_response
from avrop.organisations.requests import MemberRequest
from avrop.payables.payments import accounting, forms, selectors, services
from avrop.payables.payments.guards import PAY_ROLES, VIEW_ROLES
from avrop.payables.payments.models import PaymentProposal, PaymentSettings
from avrop.payables.payments.settings import payment_settings_update

LIST_LIMIT = 50
LINE_LIMIT = 500


def _act(request: MemberRequest, call: Callable[[], Any], done: str, back: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(back)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


@buyer_view(VIEW_ROLES)
@require_GET
def payments(request: MemberRequest) -> HttpResponse:
    user, organisation = request.user, request.organisation
    proposals = list(selectors.proposal_list(user=user, organisation=organisation)[:LIST_LIMIT])
    rejected = list(selectors.rejected_queue(user=user, organisation=organisation)[:LIST_LIMIT])
    payable = list(selectors.payable_invoices(user=user, organisation=organisation)[:LIST_LIMIT])
    return render(
        request,
        "payables/payments/list.html",
        {
            "proposals": proposals,
            "rejected": rejected,
            "payable": payable,
            "form": forms.ProposalForm(),
            "can_pay": bool(request.roles & PAY_ROLES),
        },
    )


@buyer_view(PAY_ROLES)
@require_POST
def proposal_start(request: MemberRequest) -> HttpResponse:
    form = forms.ProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("payables:payments")
    try:
        proposal = services.proposal_start(
            actor=request.user,
            organisation=request.organisation,
            pay_until=form.cleaned_data["pay_until"],
            currency=form.cleaned_data["currency"],
        )
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
        return redirect("payables:payments")
    messages.success(request, _("The proposal is being built."))
    return redirect("payables:payment_proposal", pk=proposal.pk)


@buyer_view(VIEW_ROLES)
@require_GET
def proposal_detail(request: MemberRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, organisation=request.organisation, proposal_id=pk)
    if request.htmx:
        # Built: the whole page changes (lines, approvals, actions), so the partial asks for a reload.
        return progress_response(request, _build_progress(proposal))
    lines = list(selectors.proposal_lines(proposal=proposal)[:LINE_LIMIT])
    approvals = list(proposal.approvals.select_related("user").filter(round=proposal.approval_round))
    return render(
        request,
        "payables/payments/proposal.html",
        {
            "proposal": proposal,
            "lines": lines,
            "more_lines": max(proposal.line_count - len(lines), 0),
            "approvals": approvals,
            "file": getattr(proposal, "file", None) if proposal.status in {"released", "closed"} else None,
            "can_pay": bool(request.roles & PAY_ROLES),
            "approved_by_me": any(a.user_id == request.user.pk for a in approvals),
            "progress": _build_progress(proposal)
            if proposal.status == PaymentProposal.Status.BUILDING
            else None,
        },
    )


def _build_progress(proposal: PaymentProposal) -> Progress:
    """How far the building of a proposal has come (the task counts the invoices it has checked)."""
    done, total = proposal.progress_done, proposal.progress_total
    return Progress(
        element_id="proposal-building",
        url=reverse("payables:payment_proposal", args=[proposal.pk]),
        label=_("%(done)s of %(total)s invoices checked")
        % {"done": formatting.qty(done), "total": formatting.qty(total)},
        done=done,
        total=total,
        finished=proposal.status != PaymentProposal.Status.BUILDING,
        result_url=reverse("payables:payment_proposal", args=[proposal.pk]),
        reload_when_finished=True,
    )


def _proposal_back(pk: int) -> str:
    return reverse("payables:payment_proposal", args=[pk])


@buyer_view(PAY_ROLES)
@require_POST
def proposal_approve(request: MemberRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, organisation=request.organisation, proposal_id=pk)
    return _act(
        request,
        lambda: services.proposal_approve(actor=request.user, proposal_id=proposal.pk),
        _("Your approval is recorded."),
        _proposal_back(proposal.pk),
    )


@buyer_view(PAY_ROLES)
@require_POST
def proposal_release(request: MemberRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, organisation=request.organisation, proposal_id=pk)
    return _act(
        request,
        lambda: services.proposal_release(actor=request.user, proposal_id=proposal.pk),
        _("The payment file is made and passes the ISO 20022 schema. Download it for the bank."),
        _proposal_back(proposal.pk),
    )


@buyer_view(PAY_ROLES)
@require_POST
def proposal_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, organisation=request.organisation, proposal_id=pk)
    return _act(
        request,
        lambda: services.proposal_cancel(actor=request.user, proposal_id=proposal.pk),
        _("The proposal is cancelled; its invoices can be paid in another one."),
        _proposal_back(proposal.pk),
    )


@buyer_view(PAY_ROLES)
@require_GET
def payment_file(request: MemberRequest, pk: int) -> HttpResponse:
    found = selectors.payment_file_get(user=request.user, organisation=request.organisation, proposal_id=pk)
    services.payment_file_downloaded(actor=request.user, file_id=found.pk)
    return _download(bytes(found.content), found.filename, "application/xml")


@buyer_view(PAY_ROLES)
@require_POST
def express(request: MemberRequest, invoice_pk: int) -> HttpResponse:
    try:
        proposal = services.payment_express(actor=request.user, invoice_id=invoice_pk)
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
        return redirect("payables:payments")
    messages.success(request, _("Express payment proposed. Two people approve it before the file is made."))
    return redirect("payables:payment_proposal", pk=proposal.pk)


@buyer_view(VIEW_ROLES)
def feedback(request: MemberRequest) -> HttpResponse:
    form = forms.FeedbackForm()
    if request.method == "POST":
        if not request.roles & PAY_ROLES:
            return render(request, "403.html", {"needed_roles": sorted(PAY_ROLES)}, status=403)
        form = forms.FeedbackForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.feedback_read(
                    actor=request.user,
                    organisation=request.organisation,
                    content=upload.read(),
                    filename=upload.name or "",
                )
            except DomainError as exc:
                if exc.http_status == 404:
                    raise
                form.add_error("file", exc.message)
            else:
                if result.again:
                    messages.info(request, _("This file was read before; nothing was changed."))
                else:
                    messages.success(request, _("The bank's file is read."))
                return redirect("payables:payment_feedback")
    files = list(selectors.feedback_list(user=request.user, organisation=request.organisation)[:LIST_LIMIT])
    return render(
        request,
        "payables/payments/feedback.html",
        {"form": form, "files": files, "can_pay": bool(request.roles & PAY_ROLES)},
    )


@buyer_view(VIEW_ROLES)
def exports(request: MemberRequest) -> HttpResponse:
    form = forms.ExportForm()
    if request.method == "POST":
        if not request.roles & PAY_ROLES:
            return render(request, "403.html", {"needed_roles": sorted(PAY_ROLES)}, status=403)
        form = forms.ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = accounting.accounting_export(
                    actor=request.user,
                    organisation=request.organisation,
                    period_from=data["period_from"],
                    period_to=data["period_to"],
                    fmt=data["format"],
                )
            except DomainError as exc:
                if exc.http_status == 404:
                    raise
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("%(count)s vouchers exported.") % {"count": batch.voucher_count})
                return redirect("payables:accounting")
    batches = list(selectors.export_list(user=request.user, organisation=request.organisation)[:LIST_LIMIT])
    return render(
        request,
        "payables/payments/accounting.html",
        {"form": form, "batches": batches, "can_pay": bool(request.roles & PAY_ROLES)},
    )


@buyer_view(VIEW_ROLES)
@require_GET
def export_download(request: MemberRequest, pk: int) -> HttpResponse:
    batch = selectors.export_get(user=request.user, organisation=request.organisation, export_id=pk)
    content_type = {"sie4": "text/plain; charset=IBM437", "csv": "text/csv", "json": "application/json"}
    return _download(bytes(batch.content), batch.filename, content_type[batch.format])


@buyer_view(VIEW_ROLES)
def payment_settings(request: MemberRequest) -> HttpResponse:
    current = services.settings_for(request.organisation)
    form = forms.SettingsForm(instance=current)
    if request.method == "POST":
        if not request.roles & PAY_ROLES:
            return render(request, "403.html", {"needed_roles": sorted(PAY_ROLES)}, status=403)
        form = forms.SettingsForm(request.POST, instance=PaymentSettings(organisation=request.organisation))
        if form.is_valid():
            try:
                payment_settings_update(
                    actor=request.user, organisation=request.organisation, data=form.cleaned_data
                )
            except DomainError as exc:
                if exc.http_status == 404:
                    raise
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The payment settings are saved."))
                return redirect("payables:payment_settings")
    return render(
        request,
        "payables/payments/settings.html",
        {"form": form, "can_pay": bool(request.roles & PAY_ROLES)},
    )
