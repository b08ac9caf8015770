"""Forms of the case pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from avrop.cases.checklists import CaseType
from avrop.organisations.models import Department
from avrop.suppliers.models import Supplier


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.organisation.name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class CaseForm(forms.Form):
    case_type = forms.ChoiceField(label=_("What is the problem?"), choices=CaseType.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    order_reference = forms.CharField(label=_("Order number"), max_length=60, required=False)
    supplier = SupplierChoiceField(label=_("Supplier"), queryset=Supplier.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, suppliers: Any, departments: Any, requesters: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["supplier"]).queryset = suppliers
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = departments
        if requesters is not None:
            self.fields["requester"] = UserChoiceField(
                label=_("Requester"),
                queryset=requesters,
                required=False,
                help_text=_("When someone called or e-mailed: the person who has the problem. Empty: you."),
            )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4}))


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
