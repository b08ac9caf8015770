"""Portal invoice pages: status of sent invoices, orders to invoice, the invoice form, credit notes."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.portal.access import customer_relations, portal_view
from avrop.portal.models import InvoiceDraft, line_amount
from avrop.portal.services import findings as finding_places
from avrop.portal.services import invoice_reads, invoicing
from avrop.portal.services.documents import totals
from avrop.suppliers.models import BankAccount

VAT_RATES = [("25", "25 %"), ("12", "12 %"), ("6", "6 %"), ("0", "0 %")]
STATUS_FILTERS = [
    ("received", gettext_lazy("Received")),
    ("in_review", gettext_lazy("In review")),
    ("approved", gettext_lazy("Approved")),
    ("scheduled", gettext_lazy("Scheduled for payment")),
    ("paid", gettext_lazy("Paid")),
    ("disputed", gettext_lazy("Disputed")),
    ("returned", gettext_lazy("Returned")),
]


class BankAccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_kind_display()} {obj.display_number}"


class DraftForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Invoice number"), max_length=100)
    issue_date = forms.DateField(
        label=gettext_lazy("Invoice date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    buyer_reference = forms.CharField(
        label=gettext_lazy("Buyer's reference"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("The person or code that ordered, as the buyer asked you to write it."),
    )
    order_reference = forms.CharField(label=gettext_lazy("Order number"), max_length=200, required=False)
    bank_account = BankAccountChoiceField(
        label=gettext_lazy("Pay to"),
        queryset=BankAccount.objects.none(),
        required=False,
        empty_label=gettext_lazy("– choose –"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the buyer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, accounts: list[Any], credit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["bank_account"])
        field.queryset = BankAccount.objects.filter(pk__in=[a.pk for a in accounts])
        if credit:
            self.fields["number"].label = gettext_lazy("Credit note number")
            self.fields["issue_date"].label = gettext_lazy("Credit note date")


class LineForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)
    article_number = forms.CharField(label=gettext_lazy("Article number"), max_length=60, required=False)
    quantity = forms.DecimalField(label=gettext_lazy("Quantity"), max_digits=12, decimal_places=3)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=3, initial="EA")
    unit_price = forms.DecimalField(label=gettext_lazy("Unit price"), max_digits=18, decimal_places=4)
    vat_rate = forms.ChoiceField(label=gettext_lazy("VAT"), choices=VAT_RATES, initial="25")
    order_line = forms.CharField(required=False, widget=forms.HiddenInput)
    kind = forms.CharField(required=False, widget=forms.HiddenInput)


LineFormSet = forms.formset_factory(LineForm, extra=1, can_delete=True)


def _clean_lines(formset: Any) -> list[dict[str, Any]]:
    lines = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        lines.append(
            {**{k: v for k, v in data.items() if k != "DELETE"}, "kind": data.get("kind") or "extra"}
        )
    return lines


def _describe(field: Any, bound: Any, *, error: bool, finding: bool) -> None:
    ids = []
    if bound.help_text:
        ids.append(f"{bound.auto_id}_helptext")
    if error:
        ids.append(f"{bound.auto_id}_error")
    if finding:
        ids.append(f"{bound.auto_id}_finding")
    if ids:
        field.widget.attrs["aria-describedby"] = " ".join(ids)
    if error or finding:
        field.widget.attrs["aria-invalid"] = "true"


def _annotate(
    form: Any, formset: Any, findings: list[dict[str, Any]], *, credit: bool = False
) -> tuple[list[Any], dict[str, Any]]:
    """Tie every error (form validation and Peppol findings) to its input with aria-describedby; returns
    (findings for no field, {field key: findings})."""
    # A credit note has no due date field (its due date, if any, is in the payment means).
    hidden = frozenset({"due_date"}) if credit else frozenset()
    by_key, general = finding_places.by_field(findings, hidden=hidden)
    for name, field in form.fields.items():
        _describe(field, form[name], error=bool(form.errors.get(name)), finding=bool(by_key.get(name)))
    for index, line_form in enumerate(formset.forms):
        errors = line_form.errors if line_form.is_bound else {}
        for name, field in line_form.fields.items():
            _describe(
                field,
                line_form[name],
                error=bool(errors.get(name)),
                finding=bool(by_key.get(f"lines-{index}-{name}")),
            )
    return general, by_key


def _draft_context(
    request: HttpRequest, draft: InvoiceDraft, form: Any = None, formset: Any = None
) -> dict[str, Any]:
    accounts = invoicing.bank_accounts_of(draft.relation)
    credit = draft.kind == InvoiceDraft.Kind.CREDIT_NOTE
    if form is None:
        form = DraftForm(
            accounts=accounts,
            credit=credit,
            initial={
                "number": draft.number,
                "issue_date": draft.issue_date,
                "due_date": draft.due_date,
                "buyer_reference": draft.buyer_reference,
                "order_reference": draft.order_reference,
                "bank_account": draft.bank_account_id,
                "note": draft.note,
            },
        )
        formset = LineFormSet(prefix="lines", initial=draft.lines)
    findings = draft.findings if not form.is_bound or form.is_valid() else []
    general, by_key = _annotate(form, formset, findings, credit=credit)
    net, _taxable, tax = totals(draft.lines)
    line_rows = []
    for index, line_form in enumerate(formset.forms):
        saved = draft.lines[index] if index < len(draft.lines) else None
        line_rows.append(
            {
                "form": line_form,
                "number": index + 1,
                "amount": line_amount(saved) if saved else None,
                "findings": {
                    name: by_key.get(f"lines-{index}-{name}", []) for name in finding_places.LINE_FIELDS
                },
            }
        )
    return {
        "draft": draft,
        "form": form,
        "formset": formset,
        "line_rows": line_rows,
        "header_findings": {name: by_key.get(name, []) for name in finding_places.HEADER_FIELDS},
        "general_findings": general,
        "fatal_count": sum(1 for f in draft.findings if f.get("severity") == "fatal"),
        "net": net,
        "tax": tax,
        "gross": net + tax,
        "has_accounts": bool(accounts),
        "credit": credit,
    }


# --- pages ------------------------------------------------------------------------------------------------


@portal_view()
@require_GET
def invoice_list(request: MemberRequest) -> HttpResponse:
    """Sent invoices and their status at the buyer, and the supplier's drafts."""
    status = request.GET.get("status", "")
    if status not in {code for code, _label in STATUS_FILTERS}:
        status = ""
    rows = invoice_reads.invoice_rows(request.organisation, status=status)
    drafts = list(invoice_reads.drafts_of(request.organisation).filter(status=InvoiceDraft.Status.DRAFT)[:50])
    return render(
        request,
        "portal/invoices/list.html",
        {"rows": rows, "drafts": drafts, "filters": STATUS_FILTERS, "status": status},
    )


@portal_view()
@require_GET
def invoice_detail(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = invoice_reads.invoice_of(request.organisation, pk)
    draft = InvoiceDraft.objects.filter(sent_invoice=invoice, organisation=request.organisation).first()
    return render(
        request,
        "portal/invoices/detail.html",
        {
            "invoice": invoice,
            "status": invoice_reads.supplier_status(invoice),
            "responses": list(invoice_reads.messages_of(invoice)),
            "draft": draft,
            "can_credit": invoice.kind == invoice.Kind.INVOICE
            and invoice.status != invoice.Status.RETURNED
            and invoice.supplier is not None,
        },
    )


@portal_view()
@require_GET
def orders_to_invoice(request: MemberRequest) -> HttpResponse:
    orders = list(invoice_reads.orders_to_invoice(request.organisation)[:200])
    return render(request, "portal/invoices/orders.html", {"orders": orders})


@portal_view()
@require_POST
def invoice_from_order(request: MemberRequest, pk: int) -> HttpResponse:
    draft = invoicing.draft_from_order(actor=request.user, organisation=request.organisation, order_id=pk)
    return redirect("portal:invoice_draft", pk=draft.pk)


@portal_view()
@require_http_methods(["GET", "POST"])
def invoice_new(request: MemberRequest) -> HttpResponse:
    """A free invoice without an order: choose the customer, then fill the form."""
    customers = list(customer_relations(request.organisation))
    if request.method == "POST":
        draft = invoicing.draft_create(
            actor=request.user, organisation=request.organisation, relation_id=request.POST.get("customer")
        )
        return redirect("portal:invoice_draft", pk=draft.pk)
    return render(request, "portal/invoices/new.html", {"customers": customers})


@portal_view()
@require_POST
def invoice_credit(request: MemberRequest, pk: int) -> HttpResponse:
    draft = invoicing.credit_note_create(actor=request.user, organisation=request.organisation, invoice_id=pk)
    return redirect("portal:invoice_draft", pk=draft.pk)


@portal_view()
@require_http_methods(["GET", "POST"])
def invoice_draft(request: MemberRequest, pk: int) -> HttpResponse:
    """The invoice form. "Save and check" stores and validates; "Send" does the same, then sends if valid."""
    draft = invoice_reads.draft_of(request.organisation, pk)
    if draft.is_sent:
        if request.method == "POST" and request.POST.get("action") == "send":
            messages.info(request, _("The invoice was already sent."))
        return render(request, "portal/invoices/sent.html", {"draft": draft})
    if request.method == "GET":
        return render(request, "portal/invoices/draft.html", _draft_context(request, draft))
    action = request.POST.get("action", "save")
    if action == "delete":
        invoicing.draft_delete(actor=request.user, organisation=request.organisation, draft_id=draft.pk)
        messages.success(request, _("The draft was deleted."))
        return redirect("portal:invoices")
    accounts = invoicing.bank_accounts_of(draft.relation)
    form = DraftForm(request.POST, accounts=accounts, credit=draft.kind == InvoiceDraft.Kind.CREDIT_NOTE)
    formset = LineFormSet(request.POST, prefix="lines")
    if not (form.is_valid() and formset.is_valid()):
        return render(
            request, "portal/invoices/draft.html", _draft_context(request, draft, form, formset), status=400
        )
    lines = _clean_lines(formset)
    try:
        draft = invoicing.draft_save(
            actor=request.user,
            organisation=request.organisation,
            draft_id=draft.pk,
            values=form.cleaned_data,
            lines=lines,
        )
    except DomainError as exc:
        if exc.code == invoicing.Code.DRAFT_SENT:
            # A second click arriving after the first one sent it.
            return redirect("portal:invoice_draft", pk=draft.pk)
        form.add_error(exc.field if exc.field in form.fields else None, ValidationError(exc.message))
        return render(
            request, "portal/invoices/draft.html", _draft_context(request, draft, form, formset), status=400
        )
    if action == "send":
        if not draft.is_valid:
            messages.error(request, _("The invoice was not sent: correct the problems marked on the form."))
            return render(request, "portal/invoices/draft.html", _draft_context(request, draft), status=400)
        try:
            draft = invoicing.draft_send(
                actor=request.user, organisation=request.organisation, draft_id=draft.pk
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(request, "portal/invoices/draft.html", _draft_context(request, draft), status=400)
        messages.success(
            request,
            _("Invoice %(number)s was sent to %(buyer)s.")
            % {"number": draft.number, "buyer": draft.relation.buyer.name},
        )
        return redirect("portal:invoice_draft", pk=draft.pk)
    if draft.is_valid:
        messages.success(request, _("Saved. The invoice passes the Peppol rules and can be sent."))
    else:
        messages.warning(request, _("Saved. Correct the problems marked on the form before sending."))
    return redirect("portal:invoice_draft", pk=draft.pk)


@portal_view()
@require_GET
def invoice_draft_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    draft = invoice_reads.draft_of(request.organisation, pk)
    pdf = invoicing.pdf_copy(draft, actor=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(draft)}.pdf"'
    return response


@portal_view()
@require_GET
def invoice_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    """A PDF copy of any invoice the supplier sent as a Peppol document, whichever way it came in."""
    invoice = invoice_reads.invoice_of(request.organisation, pk)
    pdf = invoicing.invoice_pdf_copy(invoice)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in invoice.number) or str(invoice.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{safe}.pdf"'
    return response


@portal_view()
@require_GET
def invoice_draft_xml(request: MemberRequest, pk: int) -> HttpResponse:
    draft = invoice_reads.draft_of(request.organisation, pk)
    content = bytes(draft.content) if draft.content else invoicing.check(draft, actor=request.user)[0]
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{_filename(draft)}.xml"'
    return response


def _filename(draft: InvoiceDraft) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in draft.number) or str(draft.pk)
    return f"{'credit-note' if draft.kind == InvoiceDraft.Kind.CREDIT_NOTE else 'invoice'}-{safe}"
