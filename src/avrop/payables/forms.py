"""Forms of the payables pages: thin, they only parse input for one service call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from avrop.organisations.forms import coding_picker
from avrop.organisations.models import Department, User
from avrop.payables.models import SupplierInvoice
from avrop.suppliers.models import Supplier


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Invoice file (Peppol XML or PDF)"),
        help_text=_("An e-invoice in Peppol BIS Billing 3 (UBL) or a PDF invoice to register by hand."),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > settings.AVROP_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        if file.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return file


class CodingLineForm(forms.Form):
    account = forms.CharField(
        label=_("Account"), max_length=20, required=False, widget=coding_picker("account")
    )
    cost_centre = forms.CharField(
        label=_("Cost centre"), max_length=40, required=False, widget=coding_picker("cost_centre")
    )
    project = forms.CharField(
        label=_("Project"), max_length=40, required=False, widget=coding_picker("project")
    )
    amount = forms.DecimalField(label=_("Amount excl. VAT"), max_digits=16, decimal_places=2, required=False)


CodingFormSet = forms.formset_factory(CodingLineForm, extra=1, max_num=20)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.organisation.name


class ReviewerForm(forms.Form):
    reviewer = PersonChoiceField(label=_("Reviewer"), queryset=User.objects.none(), required=True)
    source = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["reviewer"]).queryset = reviewers


class ReferenceForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    reviewer = PersonChoiceField(label=_("Reviewer"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, departments: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = departments
        cast(forms.ModelChoiceField, self.fields["reviewer"]).queryset = reviewers


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, in words the supplier understands"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=900,
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Question to the supplier"), widget=forms.Textarea(attrs={"rows": 3}), max_length=900
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=900)


class RegistrationForm(forms.Form):
    """What a PDF invoice says, typed in by the AP clerk (pre-filled with what the PDF text gave)."""

    supplier = SupplierChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=SupplierInvoice.Kind.choices)
    number = forms.CharField(label=_("Invoice number"), max_length=100)
    issue_date = forms.DateField(label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="SEK")
    net_amount = forms.DecimalField(label=_("Amount excl. VAT"), max_digits=16, decimal_places=2)
    tax_amount = forms.DecimalField(label=_("VAT"), max_digits=16, decimal_places=2, initial=Decimal("0.00"))
    payable_amount = forms.DecimalField(label=_("Amount due"), max_digits=16, decimal_places=2)
    buyer_reference = forms.CharField(
        label=_("Buyer reference (name and reference code)"), max_length=200, required=False
    )
    order_reference = forms.CharField(label=_("Order reference"), max_length=200, required=False)
    invoice_reference = forms.CharField(
        label=_("Credited invoice (for credit notes)"), max_length=100, required=False
    )
    payee_account = forms.CharField(label=_("Bankgiro, plusgiro or IBAN"), max_length=40, required=False)
    payment_reference = forms.CharField(label=_("Payment reference (OCR)"), max_length=100, required=False)

    def __init__(self, *args: Any, suppliers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["supplier"]).queryset = suppliers
        self.fields["currency"].widget.attrs["size"] = 4


class MatchingSettingsForm(forms.Form):
    """The organisation's (or one supplier's) matching tolerances and what happens to matched invoices."""

    touchless = forms.ChoiceField(label=_("Matched invoices"), choices=())
    supplier = SupplierChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.none(),
        required=False,
        empty_label=_("Every supplier"),
        help_text=_("Choose a supplier to give it tolerances of its own."),
    )
    price_percent = forms.DecimalField(
        label=_("Price tolerance (%)"), min_value=0, max_value=100, decimal_places=2, initial=Decimal(0)
    )
    quantity_percent = forms.DecimalField(
        label=_("Quantity tolerance (%)"), min_value=0, max_value=100, decimal_places=2, initial=Decimal(0)
    )
    amount_absolute = forms.DecimalField(
        label=_("Rounding per line (SEK)"), min_value=0, max_value=10000, decimal_places=2, initial=Decimal(1)
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        from avrop.payables.matching.models import Touchless

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["touchless"]).choices = Touchless.choices
        cast(forms.ModelChoiceField, self.fields["supplier"]).queryset = Supplier.objects.filter(
            buyer=organisation
        ).select_related("organisation")
