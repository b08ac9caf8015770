"""Payables pages: the pre-check queue, the invoice page with its actions, upload and PDF registration."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from csp.decorators import csp_replace
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core import lists
from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.payables import forms, inbound_selectors, rules, selectors, services
from avrop.payables.errors import Code
from avrop.payables.lists import InvoiceFilter, InvoiceTable
from avrop.payables.matching.selectors import match_view
from avrop.payables.models import Channel, InvoiceMessage, SupplierInvoice
from avrop.payables.workflows import PRECHECK_QUEUE, TRANSITIONS

Status = SupplierInvoice.Status
AP_ROLES = [Role.AP_CLERK, Role.ADMIN, Role.AUDITOR]
CLERK_ROLES = [Role.AP_CLERK, Role.ADMIN]


@buyer_view(AP_ROLES)
@require_GET
def queue(request: MemberRequest) -> HttpResponseBase:
    # The queue tab and the supplier through the selector; search, overdue, due dates, sorting, paging and
    # export through the list layer (each row's late-payment cost from one reference rate).
    filters = selectors.QueueFilter(
        status=request.GET.get("status", "") if request.GET.get("status") in Status.values else "",
        supplier=request.GET.get("supplier", "") if request.GET.get("supplier", "").isdigit() else "",
    )
    rows = selectors.queue(user=request.user, organisation=request.organisation, filters=filters)
    rate = selectors.reference_rate_on(timezone.localdate())
    listing = lists.listing(
        request,
        rows,
        InvoiceTable,
        filterset_class=InvoiceFilter,
        filename=str(_("supplier-invoices")),
        table_kwargs={"rate": rate},
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    counts = selectors.queue_counts(user=request.user, organisation=request.organisation)
    tabs = [(status, Status(status).label, counts.get(status, 0)) for status in PRECHECK_QUEUE]
    return render(
        request,
        "payables/pages/queue.html",
        {
            "listing": listing,
            "tabs": tabs,
            "filters": filters,
            "rate": rate,
            "open_total": sum(v for k, v in counts.items() if k != Status.RETURNED),
            "can_upload": bool(request.roles & set(CLERK_ROLES)),
            "set_aside_count": inbound_selectors.set_aside_count(
                user=request.user, organisation=request.organisation
            ),
        },
    )


@buyer_view()
@require_GET
def review_list(request: MemberRequest) -> HttpResponse:
    rows = (
        selectors.invoice_list(user=request.user, organisation=request.organisation)
        .filter(reviewer=request.user, status=Status.WAITING_REVIEW)
        .order_by("due_date", "pk")
    )
    return render(request, "payables/pages/review_list.html", {"rows": rows})


def _document_view(invoice: SupplierInvoice) -> Any:
    """The typed invoice for the readable page, or None when the stored file is not a readable invoice."""
    if invoice.channel == Channel.PDF:
        return None
    from avrop.edi import documents

    try:
        return documents.parse(services.stored_content(invoice.document))
    except (ValueError, OSError):
        return None


def _detail_context(request: MemberRequest, invoice: SupplierInvoice, **extra: Any) -> dict[str, Any]:
    roles = request.roles
    is_clerk = bool(roles & set(CLERK_ROLES))
    organisation = request.organisation
    allowed = TRANSITIONS.get(invoice.status, frozenset())
    context: dict[str, Any] = {
        "invoice": invoice,
        "doc": _document_view(invoice),
        "findings": [{**f, "plain": rules.explain(f)} for f in invoice.findings],
        "messages_sent": selectors.messages_of(invoice),
        "coding_lines": invoice.coding_lines.all(),
        "late": selectors.late_cost(invoice),
        "is_clerk": is_clerk,
        "is_reviewer": invoice.reviewer_id == request.user.pk and invoice.status == Status.WAITING_REVIEW,
        "can_return": Status.RETURNED in allowed,
        "can_query": Status.UNDER_QUERY in allowed,
        "original": invoice.duplicate_of,
        "match": match_view(invoice),
        "can_rematch": is_clerk and invoice.status not in {Status.PAID, Status.RETURNED},
    }
    if organisation.is_buyer:
        reviewers = selectors.reviewers_for(organisation=organisation)
        if is_clerk and invoice.status in {Status.PRECHECK, Status.UNDER_QUERY}:
            suggestion = selectors.coding_suggestion(invoice)
            context["suggestion"] = suggestion
            context["coding_formset"] = extra.pop("coding_formset", None) or forms.CodingFormSet(
                prefix="coding",
                initial=[
                    {
                        "account": s.account,
                        "cost_centre": s.cost_centre,
                        "project": s.project,
                        "amount": s.amount,
                    }
                    for s in suggestion.lines
                ],
            )
            context["reviewer_form"] = extra.pop("reviewer_form", None) or forms.ReviewerForm(
                reviewers=reviewers, initial={"reviewer": invoice.reviewer_id, "source": suggestion.source}
            )
        if is_clerk and invoice.status in {Status.NEEDS_REFERENCE, Status.PRECHECK}:
            context["reference_form"] = forms.ReferenceForm(
                prefix="ref",
                departments=organisation.departments.filter(is_active=True).order_by("name"),
                reviewers=reviewers,
                initial={"department": invoice.department_id, "reviewer": invoice.reviewer_id},
            )
        if is_clerk and invoice.status == Status.REGISTRATION:
            context["registration_form"] = extra.pop("registration_form", None) or _registration_form(invoice)
    if organisation.is_buyer:
        from avrop.payables.attest.views import panel_context

        context.update(panel_context(request, invoice))
    context["reason_form"] = forms.ReasonForm()
    context["question_form"] = forms.QuestionForm()
    context["comment_form"] = forms.CommentForm()
    context.update(extra)
    return context


def _registration_form(invoice: SupplierInvoice, data: Any = None) -> forms.RegistrationForm:
    prefilled = invoice.pdf_prefill or {}
    initial = {
        "supplier": invoice.supplier_id,
        "kind": invoice.kind,
        "currency": "SEK",
        **{
            k: prefilled[k]
            for k in (
                "currency",
                "number",
                "issue_date",
                "due_date",
                "payable_amount",
                "tax_amount",
                "buyer_reference",
                "payee_account",
                "payment_reference",
            )
            if k in prefilled
        },
    }
    if "payable_amount" in prefilled and "tax_amount" in prefilled:
        initial["net_amount"] = Decimal(prefilled["payable_amount"]) - Decimal(prefilled["tax_amount"])
    assert invoice.organisation is not None  # the AP clerk's organisation's document
    suppliers = invoice.organisation.supplier_relations.select_related("organisation").order_by(
        "organisation__name"
    )
    return forms.RegistrationForm(data, suppliers=suppliers, initial=initial)


@buyer_view()
@require_GET
def invoice_detail(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    return render(request, "payables/pages/invoice.html", _detail_context(request, invoice))


@buyer_view()
@require_GET
def invoice_original(request: MemberRequest, pk: int) -> HttpResponse:
    """The file exactly as received: XML shown as text, PDF inline (for the registration page)."""
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    return _original_response(invoice)


def _original_response(invoice: SupplierInvoice) -> HttpResponse:
    content = services.stored_content(invoice.document)
    document = invoice.document
    if document.content_type == "application/pdf":
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document.sha256[:16]}.pdf"'
    else:
        response = HttpResponse(content, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{document.sha256[:16]}.xml"'
    return response


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@buyer_view()
@require_GET
def invoice_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    if invoice.document.content_type != "application/pdf":
        raise Http404()
    response = HttpResponse(services.stored_content(invoice.document), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="invoice.pdf"'
    return response


@buyer_view()
@require_GET
def message_content(request: MemberRequest, pk: int, message_id: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    message = invoice.messages.filter(pk=message_id).first()
    if message is None:
        raise Http404()
    content_type = "text/plain; charset=utf-8"
    response = HttpResponse(bytes(message.content), content_type=content_type)
    extension = "xml" if message.via == InvoiceMessage.Via.PEPPOL else "txt"
    response["Content-Disposition"] = f'inline; filename="{message.document_id}.{extension}"'
    return response


@buyer_view()
@require_GET
def attachment(request: MemberRequest, pk: int, index: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    doc = _document_view(invoice)
    attachments = getattr(doc, "attachments", []) if doc is not None else []
    if index >= len(attachments) or attachments[index].attachment.embedded_document is None:
        raise Http404()
    binary = attachments[index].attachment.embedded_document
    # Served as a download, never rendered here: an attachment is content from outside.
    response = HttpResponse(binary.content, content_type="application/octet-stream")
    filename = "".join(c for c in (binary.filename or f"attachment-{index}") if c.isalnum() or c in "._-")
    response["Content-Disposition"] = content_disposition_header(True, filename or "attachment") or ""
    return response


@buyer_view()
@require_GET
# django-csp types the decorated view as taking a plain HttpRequest.
@csp_replace({"style-src": ["'self'", "'unsafe-inline'"], "script-src": ["'none'"]})  # type: ignore[arg-type]
def official_view(request: MemberRequest, pk: int) -> HttpResponse:
    """OpenPeppol's presentation stylesheet; its HTML carries inline styles, so only this page allows them."""
    from avrop.edi.render import RenderError, render_html

    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    try:
        html = render_html(services.stored_content(invoice.document))
    except RenderError as exc:
        return render(
            request, "core/pages/error.html", {"error": DomainError("render", str(exc))}, status=422
        )
    return HttpResponse(html)


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("payables:invoice", args=[pk]))


def _action(request: MemberRequest, pk: int, form: Any, call: Any, done: str) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(invoice.pk)
    try:
        call(invoice, form.cleaned_data)
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
        return _back(invoice.pk)
    messages.success(request, done)
    return _back(invoice.pk)


@buyer_view(CLERK_ROLES)
@require_POST
def rematch(request: MemberRequest, pk: int) -> HttpResponse:
    """Match the invoice again (after the order was answered, changed or received)."""
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    services.invoice_rematch(actor=request.user, invoice_id=invoice.pk)
    messages.success(request, _("The invoice was matched again."))
    return _back(invoice.pk)


@buyer_view(CLERK_ROLES)
@require_POST
def send_to_review(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    formset = forms.CodingFormSet(request.POST, prefix="coding")
    reviewer_form = forms.ReviewerForm(
        request.POST, reviewers=selectors.reviewers_for(organisation=request.organisation)
    )
    if formset.is_valid() and reviewer_form.is_valid():
        source = reviewer_form.cleaned_data.get("source") or "manual"
        lines = [dict(f.cleaned_data, source=source) for f in formset.forms if f.cleaned_data]
        try:
            services.invoice_send_to_review(
                actor=request.user,
                invoice_id=invoice.pk,
                lines=lines,
                reviewer_id=reviewer_form.cleaned_data["reviewer"].pk,
                source=source,
            )
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            placed = exc.code == Code.CODING_INVALID and _coding_errors_in_place(request, invoice, formset)
            if not placed:
                messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Sent to %(name)s for review.")
                % {"name": reviewer_form.cleaned_data["reviewer"].get_full_name()},
            )
            return redirect(reverse("payables:queue"))
    context = _detail_context(request, invoice, coding_formset=formset, reviewer_form=reviewer_form)
    return render(request, "payables/pages/invoice.html", context, status=400)


def _coding_errors_in_place(request: MemberRequest, invoice: Any, formset: Any) -> bool:
    """Show each coding problem at the field of the line it concerns (the service's check, line by line);
    whether any was placed."""
    from avrop.organisations.selectors.chart import coding_check

    placed = False
    for form in formset.forms:
        data = form.cleaned_data
        if not data or not any(data.get(k) for k in ("account", "cost_centre", "project")):
            continue
        coding = {k: str(data[k]).strip() for k in ("account", "cost_centre", "project") if data.get(k)}
        coding.setdefault("account", "")
        result = coding_check(
            user=request.user,
            organisation=request.organisation,
            coding=coding,
            on=invoice.issue_date or timezone.localdate(),
        )
        for problem in result.problems:
            if problem.key in form.fields:
                form.add_error(problem.key, problem.message)
                placed = True
    return placed


@buyer_view(CLERK_ROLES)
@require_POST
def set_reference(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.ReferenceForm(
        request.POST,
        prefix="ref",
        departments=request.organisation.departments.all(),
        reviewers=selectors.reviewers_for(organisation=request.organisation),
    )
    return _action(
        request,
        pk,
        form,
        lambda inv, data: services.invoice_set_reference(
            actor=request.user,
            invoice_id=inv.pk,
            department_id=data["department"].pk if data["department"] else None,
            reviewer_id=data["reviewer"].pk if data["reviewer"] else None,
        ),
        _("Reference set."),
    )


@buyer_view(CLERK_ROLES)
@require_POST
def not_duplicate(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.CommentForm(request.POST)
    return _action(
        request,
        pk,
        form,
        lambda inv, data: services.invoice_not_duplicate(
            actor=request.user, invoice_id=inv.pk, comment=data["comment"]
        ),
        _("Marked as not a duplicate."),
    )


@buyer_view()
@require_POST
def return_invoice(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.ReasonForm(request.POST)
    return _action(
        request,
        pk,
        form,
        lambda inv, data: services.invoice_return(
            actor=request.user, invoice_id=inv.pk, reason=data["reason"]
        ),
        _("The invoice was returned to the supplier."),
    )


@buyer_view()
@require_POST
def query_invoice(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.QuestionForm(request.POST)
    return _action(
        request,
        pk,
        form,
        lambda inv, data: services.invoice_query(
            actor=request.user, invoice_id=inv.pk, question=data["question"]
        ),
        _("The question was sent to the supplier."),
    )


@buyer_view(CLERK_ROLES)
@require_POST
def resume(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.CommentForm(request.POST)
    return _action(
        request,
        pk,
        form,
        lambda inv, data: services.invoice_resume(
            actor=request.user, invoice_id=inv.pk, comment=data["comment"]
        ),
        _("Back in pre-check."),
    )


@buyer_view()
@require_POST
def approve(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.forms.Form(request.POST)
    return _action(
        request,
        pk,
        form,
        lambda inv, data: services.invoice_approve(actor=request.user, invoice_id=inv.pk),
        _("Approved. The supplier is told the invoice is accepted."),
    )


@buyer_view()
@require_POST
def send_back(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.CommentForm(request.POST)
    return _action(
        request,
        pk,
        form,
        lambda inv, data: services.invoice_send_back(
            actor=request.user, invoice_id=inv.pk, comment=data["comment"]
        ),
        _("Sent back to the AP clerk."),
    )


@buyer_view(CLERK_ROLES)
@require_POST
def mark_paid(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.forms.Form(request.POST)
    return _action(
        request,
        pk,
        form,
        lambda inv, data: services.invoice_mark_paid(actor=request.user, invoice_id=inv.pk),
        _("Marked as paid. The supplier is told."),
    )


@buyer_view(CLERK_ROLES)
@require_POST
def register(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    form = _registration_form(invoice, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        supplier = data.pop("supplier")
        try:
            invoice = services.invoice_register(
                actor=request.user, invoice_id=invoice.pk, supplier_id=supplier.pk, **data
            )
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Registered: %(status)s.") % {"status": invoice.get_status_display()})
            return _back(invoice.pk)
    context = _detail_context(request, invoice, registration_form=form)
    return render(request, "payables/pages/invoice.html", context, status=400)


@buyer_view(CLERK_ROLES)
@require_http_methods(["GET", "POST"])
def upload(request: MemberRequest) -> HttpResponse:
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            document, invoice = services.invoice_upload(
                actor=request.user, organisation=request.organisation, content=file.read(), filename=file.name
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
            return render(request, "payables/pages/upload.html", {"form": form}, status=400)
        if invoice is None:
            found = ", ".join(f"{f['rule']}: {f['message']}" for f in document.findings[:3])
            messages.error(
                request,
                _("The file was stored but could not be read as an invoice: %(why)s")
                % {"why": found or _("it was received before")},
            )
            return redirect(reverse("payables:upload"))
        messages.success(request, _("Received: %(status)s.") % {"status": invoice.get_status_display()})
        return _back(invoice.pk)
    return render(request, "payables/pages/upload.html", {"form": form})


@buyer_view(AP_ROLES)
@require_http_methods(["GET", "POST"])
def matching_settings(request: MemberRequest) -> HttpResponse:
    """Tolerances and touchless processing: AP clerks and auditors read them, administrators change them."""
    from avrop.payables.matching import touchless
    from avrop.payables.matching.models import InvoiceAutomation, MatchTolerance, Touchless
    from avrop.payables.matching.services import matching_settings_save

    organisation = request.organisation
    can_edit = Role.ADMIN in request.roles
    automation = InvoiceAutomation.objects.filter(organisation=organisation).first()
    tolerances = list(
        MatchTolerance.objects.filter(organisation=organisation).select_related("supplier__organisation")
    )
    general = next((t for t in tolerances if t.supplier_id is None), None)
    initial: dict[str, Any] = {"touchless": automation.touchless if automation else Touchless.OFF}
    if general is not None:
        initial.update(
            price_percent=general.price_percent,
            quantity_percent=general.quantity_percent,
            amount_absolute=general.amount_absolute,
        )
    form = forms.MatchingSettingsForm(
        request.POST if request.method == "POST" and can_edit else None,
        organisation=organisation,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404()
        if form.is_valid():
            data = form.cleaned_data
            try:
                matching_settings_save(
                    actor=request.user,
                    organisation=organisation,
                    touchless=data["touchless"],
                    supplier_id=data["supplier"].pk if data["supplier"] else None,
                    price_percent=data["price_percent"],
                    quantity_percent=data["quantity_percent"],
                    amount_absolute=data["amount_absolute"],
                )
            except DomainError as exc:
                if exc.http_status == 404:
                    raise
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The matching rules were saved."))
                return redirect(reverse("payables:matching_settings"))
        status = 400
    since = timezone.now() - dt.timedelta(days=30)
    done, received = touchless.touchless_share(organisation=organisation, since=since)
    return render(
        request,
        "payables/pages/matching_settings.html",
        {
            "form": form,
            "can_edit": can_edit,
            "automation": automation,
            "general": general,
            "supplier_tolerances": [t for t in tolerances if t.supplier_id is not None],
            "touchless_done": done,
            "touchless_received": received,
            "touchless_share": (Decimal(done) * 100 / received) if received else None,
        },
        status=status,
    )


@buyer_view(AP_ROLES)
@require_GET
def post_check(request: MemberRequest) -> HttpResponse:
    """The period's post-check sample: AP clerks and administrators draw and check, auditors read."""
    from avrop.payables.postcheck.models import PostCheckSample
    from avrop.payables.postcheck.services import month_of

    today = timezone.localdate()
    default = month_of(today.replace(day=1) - dt.timedelta(days=1))[0]
    try:
        period = (
            dt.date.fromisoformat(request.GET.get("period", "") + "-01")
            if request.GET.get("period")
            else default
        )
    except ValueError:
        period = default
    period = month_of(period)[0]
    samples = list(
        PostCheckSample.objects.filter(organisation=request.organisation, period=period)
        .select_related("invoice", "checked_by", "closed_by")
        .order_by("status", "invoice__number", "pk")
    )
    counts = Counter(s.status for s in samples)
    return render(
        request,
        "payables/pages/post_check.html",
        {
            "period": period,
            "period_value": f"{period:%Y-%m}",
            "samples": samples,
            "counts": counts,
            "can_check": bool(request.roles & set(CLERK_ROLES)),
            "user_id": request.user.pk,
        },
    )


@buyer_view(CLERK_ROLES)
@require_POST
def post_check_draw(request: MemberRequest) -> HttpResponse:
    from avrop.payables.postcheck.services import post_check_draw as draw

    raw = request.POST.get("period", "")
    try:
        period = dt.date.fromisoformat(raw + "-01")
    except ValueError:
        messages.error(request, _("Choose a month."))
        return redirect(reverse("payables:post_check"))
    try:
        drawn = draw(actor=request.user, organisation=request.organisation, period=period)
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(count)s invoices were drawn for post-check.") % {"count": drawn}
            if drawn
            else _("No new invoices to draw for this month."),
        )
    return redirect(reverse("payables:post_check") + f"?period={period:%Y-%m}")


@buyer_view(CLERK_ROLES)
@require_POST
def post_check_result(request: MemberRequest, pk: int) -> HttpResponse:
    from avrop.payables.postcheck.models import PostCheckSample
    from avrop.payables.postcheck.services import post_check_close, post_check_record

    sample = PostCheckSample.objects.filter(pk=pk, organisation=request.organisation).first()
    if sample is None:
        raise Http404()
    action = request.POST.get("action", "")
    try:
        if action == "close":
            post_check_close(
                actor=request.user, sample_id=sample.pk, follow_up=request.POST.get("follow_up", "")
            )
        elif action in {"passed", "finding"}:
            post_check_record(
                actor=request.user,
                sample_id=sample.pk,
                passed=action == "passed",
                finding=request.POST.get("finding", ""),
            )
        else:
            raise Http404()
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("payables:post_check") + f"?period={sample.period:%Y-%m}")


@buyer_view(AP_ROLES)
@require_GET
def key_figures(request: MemberRequest) -> HttpResponse:
    """The AP team's key figures for a month (this month by default)."""
    from avrop.payables.keyfigures import key_figures as figures_for
    from avrop.payables.matching.models import InvoiceMatch
    from avrop.payables.postcheck.services import month_of

    try:
        chosen = dt.date.fromisoformat(request.GET.get("period", "") + "-01")
    except ValueError:
        chosen = timezone.localdate()
    start, end = month_of(chosen)
    figures = figures_for(organisation=request.organisation, start=start, end=end)
    results = [
        (InvoiceMatch(code).label if code in InvoiceMatch.values else _("Not matched yet"), count)
        for code, count in sorted(figures.match_results.items(), key=lambda item: -item[1])
    ]
    return render(
        request,
        "payables/pages/key_figures.html",
        {"figures": figures, "period_value": f"{start:%Y-%m}", "results": results},
    )
