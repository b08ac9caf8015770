from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from avrop.organisations.models import User
from avrop.payables.attest.forms import MonthField
from avrop.payables.forms import PersonChoiceField, SupplierChoiceField
from avrop.payables.subscriptions.models import Period
from avrop.suppliers.models import Supplier


class SubscriptionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("E.g. rent Storgatan 4, electricity.")
    )
    supplier = SupplierChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    expected_amount = forms.DecimalField(
        label=_("Expected amount excl. VAT"), max_digits=16, decimal_places=2, min_value=0
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="SEK")
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    first_period = MonthField(label=_("First period starts (month)"))
    tolerance_percent = forms.DecimalField(
        label=_("Tolerance (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, initial=0
    )
    tolerance_amount = forms.DecimalField(
        label=_("Tolerance (amount)"), max_digits=16, decimal_places=2, min_value=0, initial=0
    )
    attestant = PersonChoiceField(
        label=_("Attestant for invoices outside the tolerance"), queryset=User.objects.none()
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, suppliers: Any, attestants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["supplier"]).queryset = suppliers
        cast(forms.ModelChoiceField, self.fields["attestant"]).queryset = attestants
