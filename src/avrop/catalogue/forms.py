"""Forms of the catalogue pages: parsing only; the services decide."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from avrop.catalogue.imports.fields import FIELDS
from avrop.catalogue.models import AccountRule, Template


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the catalogue"), max_length=200, required=False)
    supplier = forms.TypedChoiceField(label=_("Supplier"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False)
    eco = forms.ChoiceField(
        label=_("Environmental label"),
        required=False,
        choices=[
            ("", _("Any")),
            ("SVANEN", "Svanen"),
            ("EU_ECOLABEL", _("EU Ecolabel")),
            ("KRAV", "KRAV"),
            ("FSC", "FSC"),
            ("BRA_MILJOVAL", "Bra Miljöval"),
        ],
    )
    price_min = forms.DecimalField(label=_("Price from"), required=False, min_value=0, decimal_places=2)
    price_max = forms.DecimalField(label=_("Price to"), required=False, min_value=0, decimal_places=2)

    def __init__(self, *args, facets: dict, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["supplier"]).choices = [
            ("", _("All suppliers")),
            *facets["suppliers"],
        ]
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("All categories"))] + [
            (f"own:{c.lower()}", c) for c in facets["categories"]
        ]


class UploadForm(forms.Form):
    agreement = forms.TypedChoiceField(label=_("Agreement"), coerce=int)
    file = forms.FileField(
        label=_("Price list"),
        help_text=_("Peppol Catalogue (XML), spreadsheet (XLSX) or CSV (UTF-8 or Windows-1252, ; or ,)."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        help_text=_("Empty: from approval. Format 2026-01-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, agreements, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agreement"]).choices = [
            (a.pk, f"{a.reference} {a.title} – {a.supplier.name}") for a in agreements
        ]


class ApproveForm(forms.Form):
    acknowledge_over_limit = forms.BooleanField(
        label=_("I accept the price increases above the agreement's limit"), required=False
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the price list rejected?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The supplier is told this reason."),
    )


class AccountRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rule"), choices=AccountRule.Kind.choices)
    value = forms.CharField(label=_("UNSPSC prefix or category"), max_length=120, required=False)
    supplier = forms.TypedChoiceField(label=_("Supplier"), required=False, coerce=int, empty_value=None)
    account_code = forms.CharField(label=_("Account"), max_length=20)

    def __init__(self, *args, suppliers, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["supplier"]).choices = [("", _("Any supplier")), *suppliers]


class MapForm(forms.Form):
    account_code = forms.CharField(label=_("Account"), max_length=20)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    sharing = forms.ChoiceField(label=_("Shared with"), choices=Template.Sharing.choices)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    file = forms.FileField(
        label=_("Items from a spreadsheet (optional)"),
        required=False,
        help_text=_("XLSX or CSV with the columns Artikelnummer and Antal."),
    )

    def __init__(self, *args, departments, can_share: bool, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", "–"),
            *[(d.pk, d.name) for d in departments],
        ]
        if not can_share:
            cast(forms.ChoiceField, self.fields["sharing"]).choices = [
                c
                for c in Template.Sharing.choices
                if c[0] in (Template.Sharing.PERSONAL, Template.Sharing.DEPARTMENT)
            ]


class AddToTemplateForm(forms.Form):
    template = forms.TypedChoiceField(label=_("Template"), coerce=int)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, initial=1, decimal_places=3)

    def __init__(self, *args, templates, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["template"]).choices = [(t.pk, t.name) for t in templates]


class MissingItemForm(forms.Form):
    search_terms = forms.CharField(label=_("What you searched for"), max_length=200, required=False)
    description = forms.CharField(
        label=_("What do you need?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Name, brand, size, article number if you know it."),
    )
    quantity = forms.CharField(label=_("How many, how often"), max_length=100, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the article number to order, or what the supplier said."),
    )


class ColumnMappingForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for field in FIELDS:
            self.fields[field.key] = forms.CharField(
                label=field.label,
                required=False,
                max_length=120,
                help_text=_("Default header: %(header)s") % {"header": field.header},
            )
