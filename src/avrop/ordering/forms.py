"""Forms of the ordering pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from avrop.ordering.models import OrderResponse
from avrop.organisations.forms import coding_picker


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class LineForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=12, decimal_places=3)
    delivery_address = forms.TypedChoiceField(label=_("Delivery address"), coerce=int, required=False)
    requested_delivery_date = forms.DateField(
        label=_("Requested delivery date"), required=False, widget=DateInput()
    )
    note_to_supplier = forms.CharField(
        label=_("Note to the supplier"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_consumable = forms.BooleanField(label=_("Consumable for a machine"), required=False)
    machine = forms.TypedChoiceField(
        label=_("Machine from your installed base"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of your organisation's machines.")},
    )
    machine_serial = forms.CharField(label=_("Serial number"), required=False, max_length=60)
    machine_placement = forms.CharField(label=_("Placement"), required=False, max_length=200)
    machine_building = forms.CharField(label=_("Building"), required=False, max_length=100)
    machine_floor = forms.CharField(label=_("Floor"), required=False, max_length=20)
    machine_contact = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    outside_agreement_reason = forms.CharField(
        label=_("Why outside the agreement"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, addresses: list[Any] | None = None, machines: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["delivery_address"]).choices = [("", "–")] + [
            (a.pk, str(a)) for a in addresses or []
        ]
        # The installed base's machines (``ordering.cart_parts``); without any the field is not shown.
        cast(forms.ChoiceField, self.fields["machine"]).choices = [("", _("Not in the list"))] + [
            (m.id, m.label) for m in machines or []
        ]


class CodingRowForm(forms.Form):
    account = forms.CharField(
        label=_("Account"), max_length=20, required=False, widget=coding_picker("account")
    )
    cost_centre = forms.CharField(
        label=_("Cost centre"), max_length=40, required=False, widget=coding_picker("cost_centre")
    )
    project = forms.CharField(
        label=_("Project"), max_length=40, required=False, widget=coding_picker("project")
    )
    percent = forms.DecimalField(label=_("Share (%)"), required=False, max_digits=7, decimal_places=4)
    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=18, decimal_places=2)


CodingFormSet = forms.formset_factory(CodingRowForm, extra=0, min_num=1, max_num=10)


class FreeTextForm(forms.Form):
    supplier = forms.TypedChoiceField(label=_("Supplier"), coerce=int)
    name = forms.CharField(label=_("What do you want to buy?"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=12, decimal_places=3, initial=1
    )
    unit = forms.CharField(label=_("Unit (e.g. EA, HUR for hours)"), max_length=3, initial="EA")
    unit_price = forms.DecimalField(
        label=_("Price per unit (SEK, excl. VAT)"), min_value=0, max_digits=18, decimal_places=4
    )
    agreement = forms.TypedChoiceField(label=_("Agreement"), coerce=int, required=False, empty_value=None)
    outside_agreement_reason = forms.CharField(
        label=_("Why outside an agreement"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when no agreement covers the purchase."),
    )

    def __init__(
        self,
        *args: Any,
        suppliers: list[Any],
        agreements: list[Any],
        questions: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["supplier"]).choices = [("", "–")] + [
            (s.pk, str(s)) for s in suppliers
        ]
        cast(forms.ChoiceField, self.fields["agreement"]).choices = [("", _("None – outside agreements"))] + [
            (a.pk, f"{a.reference} {a.title} ({a.supplier.name})") for a in agreements
        ]
        self.questions = questions or []
        for question in self.questions:
            self.fields[f"q_{question['key']}"] = forms.CharField(
                label=question.get("label", question["key"]),
                required=bool(question.get("required")),
                max_length=1000,
                help_text=question.get("help", ""),
            )

    def answers(self) -> dict[str, str]:
        return {q["key"]: self.cleaned_data.get(f"q_{q['key']}", "") for q in self.questions}


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reject_lines = forms.TypedMultipleChoiceField(
        label=_("Reject these lines (the others are approved)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, lines: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reject_lines"]).choices = [
            (line.pk, f"{line.position}. {line.name}") for line in lines or []
        ]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you cancel?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmationForm(forms.Form):
    code = forms.ChoiceField(
        label=_("The supplier's answer"), choices=OrderResponse.Code.choices, initial="AB"
    )
    promised_delivery_date = forms.DateField(
        label=_("Promised delivery date"), required=False, widget=DateInput()
    )
    text = forms.CharField(
        label=_("The confirmation (paste the e-mail text)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    file = forms.FileField(label=_("File from the supplier (optional)"), required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attach a file"))
    line = forms.TypedChoiceField(label=_("For line"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, lines: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["line"]).choices = [("", _("The whole requisition"))] + [
            (line.pk, f"{line.position}. {line.name}") for line in lines or []
        ]
