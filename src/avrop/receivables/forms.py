"""Forms of the receivables pages: thin, they only parse input for one service call."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from avrop.receivables.models import Article, Customer, Delivery
from avrop.receivables.services.customers import CURRENCIES


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.CharField(label=_("Country (two letters)"), max_length=2, initial="SE")
    org_number = forms.CharField(label=_("Organisation number"), max_length=20, required=False)
    vat_number = forms.CharField(
        label=_("VAT number"), max_length=20, required=False, help_text=_("With the country prefix, e.g. DE…")
    )
    delivery = forms.ChoiceField(label=_("Invoice by"), choices=Delivery.choices)
    peppol_id = forms.CharField(
        label=_("Peppol participant id"),
        max_length=60,
        required=False,
        help_text=_("scheme:value; a Swedish customer's organisation number is used when left empty."),
    )
    email = forms.EmailField(label=_("Invoice e-mail"), required=False)
    payment_days = forms.IntegerField(label=_("Payment terms (days)"), min_value=0, max_value=120, initial=30)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="sv")
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES], initial="SEK")
    is_business = forms.BooleanField(label=_("Business customer"), required=False, initial=True)
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.name}"


class ArticleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.name} ({obj.unit_price})"


class InvoiceForm(forms.Form):
    customer = CustomerChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    issue_date = forms.DateField(
        label=_("Invoice date"), required=False, help_text=_("Today when left empty.")
    )
    buyer_reference = forms.CharField(label=_("Your reference"), max_length=100, required=False)
    order_reference = forms.CharField(label=_("Order number"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, customers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = customers


class LineForm(forms.Form):
    article = ArticleChoiceField(label=_("Article"), queryset=Article.objects.none(), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, required=False)
    unit_price = forms.DecimalField(
        label=_("Unit price (empty: the article's)"), max_digits=14, decimal_places=2, required=False
    )
    description = forms.CharField(label=_("Text (empty: the article's)"), max_length=300, required=False)

    def __init__(self, *args: Any, articles: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if articles is not None:
            cast(forms.ModelChoiceField, self.fields["article"]).queryset = articles


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=50)


class PaymentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Payment file"), help_text=_("Bankgirot BgMax or an ISO 20022 camt.054 credit notification.")
    )


class AllocateForm(forms.Form):
    invoice = forms.IntegerField(widget=forms.HiddenInput)
