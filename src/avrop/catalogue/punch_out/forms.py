"""The coordinator's form for a supplier's punch-out settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from avrop.catalogue.models import PunchOutConfig


class PunchOutConfigForm(forms.Form):
    protocol = forms.ChoiceField(label=_("Protocol"), choices=PunchOutConfig.Protocol.choices)
    setup_url = forms.URLField(label=_("Shop address (setup URL)"), max_length=500, assume_scheme="https")
    order_url = forms.URLField(
        label=_("Order address (cXML OrderRequest)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_(
            "cXML only: orders, changes and cancellations are posted here. Empty: by Peppol or e-mail."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language sent to the shop"), choices=[("sv", "svenska"), ("en", "English")]
    )
    agreement = forms.TypedChoiceField(label=_("Agreement"), coerce=int, required=False, empty_value=None)
    restrict_to_agreement = forms.BooleanField(
        label=_("Only the agreement's assortment"),
        required=False,
        help_text=_("Lines whose article is not on the agreement's price list are refused."),
    )
    allowed_unspsc = forms.CharField(
        label=_("Allowed UNSPSC codes"),
        required=False,
        max_length=300,
        help_text=_("Codes or beginnings of codes separated by commas, e.g. 4412, 14111507. Empty: all."),
    )
    price_tolerance_percent = forms.DecimalField(
        label=_("Price tolerance (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=0,
        help_text=_("How far above the agreement's price a returned price may be."),
    )
    default_account = forms.CharField(
        label=_("Account when no UNSPSC rule matches"),
        required=False,
        max_length=20,
        help_text=_("Lines are coded by the account mapping's UNSPSC rules first."),
    )
    username = forms.CharField(label=_("OCI user name"), required=False, max_length=200)
    password = forms.CharField(
        label=_("OCI password"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )
    token = forms.CharField(
        label=_("OCI token"), required=False, max_length=500, widget=forms.PasswordInput(render_value=False)
    )
    from_identity = forms.CharField(label=_("cXML From identity (buyer)"), required=False, max_length=200)
    from_domain = forms.CharField(label=_("cXML From domain"), required=False, max_length=60)
    to_identity = forms.CharField(label=_("cXML To identity (supplier)"), required=False, max_length=200)
    to_domain = forms.CharField(label=_("cXML To domain"), required=False, max_length=60)
    sender_identity = forms.CharField(label=_("cXML Sender identity"), required=False, max_length=200)
    sender_domain = forms.CharField(label=_("cXML Sender domain"), required=False, max_length=60)
    shared_secret = forms.CharField(
        label=_("cXML shared secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
    )
    clear_credentials = forms.BooleanField(label=_("Remove the stored credentials"), required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(
        self, *args: Any, agreements: list[Any], credentials_set: dict[str, bool], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("No agreement"))] + [(a.pk, f"{a.reference} {a.title}") for a in agreements]
        self.fields["agreement"].choices = choices  # type: ignore[attr-defined]
        for name, is_set in credentials_set.items():
            if is_set:
                self.fields[name].help_text = _("Stored (encrypted). Leave empty to keep it.")
