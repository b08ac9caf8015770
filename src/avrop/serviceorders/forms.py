"""Forms of the service-order pages: thin, they only parse input for one service call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from avrop.organisations.models import Organisation
from avrop.serviceorders.models import CHECKLIST, PartnerInvoice, checklist_label


class DateInput(forms.DateInput):
    input_type = "date"


class ChecklistForm(forms.Form):
    check_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in CHECKLIST:
            self.fields[name] = forms.BooleanField(label=checklist_label(name), required=False)
        self.order_fields([*CHECKLIST, "check_note"])


class AppointmentForm(forms.Form):
    on = forms.DateField(label=_("Appointment date"), widget=DateInput())
    time = forms.CharField(label=_("Time"), max_length=40, required=False, help_text=_("e.g. 08:00–10:00"))


class ExecutionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ShipForm(forms.Form):
    arrival_on = forms.DateField(label=_("Goods arrive on"), required=False, widget=DateInput())


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ServiceOrderForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Service partner"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.SERVICE_PARTNER, is_active=True),
        empty_label=_("Choose a service partner"),
    )
    sales_order_ref = forms.CharField(label=_("Sales order"), max_length=60)
    sp_id = forms.CharField(
        label=_("SP-ID"),
        max_length=20,
        required=False,
        help_text=_("Given by the sales order; a new one when empty."),
    )
    product = forms.CharField(label=_("Product"), max_length=200)
    service = forms.CharField(label=_("Service"), max_length=200)
    customer_name = forms.CharField(label=_("Customer"), max_length=200)
    customer_street = forms.CharField(label=_("Street"), max_length=200, required=False)
    customer_postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    customer_city = forms.CharField(label=_("City"), max_length=100, required=False)
    customer_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    customer_email = forms.EmailField(label=_("E-mail"), required=False)
    amount = forms.DecimalField(
        label=_("Amount for the service, excl. VAT"), max_digits=12, decimal_places=2, min_value=0
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("CHF", "CHF"), ("SEK", "SEK"), ("EUR", "EUR")]
    )
    prepaid = forms.BooleanField(label=_("Prepaid: hand over when the payment arrives"), required=False)


class InvoiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerInvoice.Kind.choices, widget=forms.RadioSelect)
    file = forms.FileField(label=_("Invoice file"))
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60, required=False)
    billing_id = forms.CharField(label=_("Billing id on the invoice"), max_length=60, required=False)
    sp_ids = forms.CharField(
        label=_("SP-IDs as listed on the invoice, one line each"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    total = forms.DecimalField(label=_("Total excl. VAT"), max_digits=14, decimal_places=2, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)

    MAX_BYTES = 10 * 1024 * 1024

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and upload.size > self.MAX_BYTES:
            self.add_error("file", _("The file is larger than 10 MB."))
        if data.get("kind") == PartnerInvoice.Kind.PDF:
            for name in ("billing_id", "sp_ids", "total"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Enter this figure from the PDF."))
        return data
