"""Forms of the agreement pages: they parse input; business checks live in the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from avrop.agreements.models import Agreement, AgreementDocument
from avrop.organisations.models import Department, Organisation
from avrop.suppliers.models import SupplierContact


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AgreementForm(forms.ModelForm):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Organisation.objects.none(),
        help_text=_("A supplier missing here is registered under Suppliers first."),
    )

    class Meta:
        model = Agreement
        fields = [
            "supplier",
            "reference",
            "title",
            "kind",
            "categories",
            "valid_from",
            "valid_to",
            "extension_options",
            "delivery_days",
            "consumables_business_days",
            "delivery_terms",
            "invoicing_terms",
            "payment_days",
            "follow_up_meetings_per_year",
            "max_price_increase_percent",
        ]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "delivery_terms": forms.Textarea(attrs={"rows": 3}),
            "invoicing_terms": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, suppliers: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["supplier"]).queryset = suppliers
        if editing:
            self.fields["supplier"].disabled = True
            self.fields["supplier"].help_text = ""

    def _post_clean(self) -> None:
        # Business checks (dates in order, unique reference) belong to the service, not to model validation.
        pass


class PartiesForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations that may call off"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The contracting organisation always may."),
    )

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisations"]).queryset = choices


class PartyRestrictForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments that may call off"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to let every department call off."),
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["departments"]).queryset = departments


class IntroductionForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("Supplier's contact person"), queryset=SupplierContact.objects.none(), required=False
    )
    planned_on = forms.DateField(label=_("Introduction meeting"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Plan for the introduction"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, contacts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = contacts


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty to use the file name.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementDocument.Kind.choices)

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = help_text


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    attendees = forms.CharField(label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = help_text
