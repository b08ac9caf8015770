from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the invoice is held"), widget=forms.Textarea(attrs={"rows": 2}), max_length=900
    )
    until = forms.DateField(label=_("Look at it again on"), widget=forms.DateInput(attrs={"type": "date"}))


class ReleaseForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=900
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("What is disputed, in words the supplier understands"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=900,
    )


class RecodeReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the coding changes"), widget=forms.Textarea(attrs={"rows": 2}), max_length=900
    )


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (an ``<input type="month">``), as the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        try:
            return dt.date.fromisoformat(str(value).strip()[:7] + "-01")
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid") from None


class PeriodiseForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    first_month = MonthField(label=_("First month"))
    last_month = MonthField(label=_("Last month"))
