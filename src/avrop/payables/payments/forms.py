"""Forms of the payment and accounting pages: they only parse input for one service call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avrop.payables.payments.models import AccountingExport, PaymentSettings
from avrop.payables.payments.services import MAX_FEEDBACK_BYTES
from avrop.payables.payments.settings import EDITABLE


def _in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


class ProposalForm(forms.Form):
    pay_until = forms.DateField(
        label=_("Invoices due up to"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Invoices with a cash discount that ends by then are taken too, paid on its last day."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=[("SEK", "SEK"), ("EUR", "EUR")], initial="SEK")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pay_until"].initial = _in_days(14)


class FeedbackForm(forms.Form):
    file = forms.FileField(
        label=_("File from the bank"),
        help_text=_("A payment status report (pain.002) or a debit notification (camt.054)."),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_FEEDBACK_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return file


class ExportForm(forms.Form):
    period_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(label=_("Format"), choices=AccountingExport.Format.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_from"].initial = today.replace(day=1)
        self.fields["period_to"].initial = today


class SettingsForm(forms.ModelForm):
    """Parses the settings; the service checks the account numbers and saves."""

    class Meta:
        model = PaymentSettings
        fields = EDITABLE
