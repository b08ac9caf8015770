"""Forms of the fulfilment pages that are more than a few fields: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

WEEKDAY_CHOICES = [(str(number), name) for number, name in sorted(WEEKDAYS.items())]


class DescribedErrorsForm(forms.Form):
    """A field with an error names it in ``aria-describedby`` (``<id>_error``, as the templates render it),
    so that a screen reader reads the error with the field."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_error"


class CentreForm(DescribedErrorsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    gln = forms.CharField(
        label=_("GLN"),
        max_length=20,
        required=False,
        help_text=_("13 digits; the last one is the GS1 check digit."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    street = forms.CharField(label=_("Street"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    building = forms.CharField(label=_("Building"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    is_active = forms.BooleanField(label=_("Active (orders are routed through it)"), required=False)
    suppliers = forms.TypedMultipleChoiceField(
        label=_("Suppliers whose orders go through the centre"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose suppliers your organisation buys from.")},
    )
    category_prefixes = forms.CharField(
        label=_("Categories that go through the centre"),
        max_length=400,
        required=False,
        help_text=_("The first digits of UNSPSC codes, separated by commas (e.g. 50 for food)."),
    )

    def __init__(self, *args: Any, suppliers: list[Any], departments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["suppliers"].choices = [  # type: ignore[attr-defined]
            (s.pk, s.organisation.name) for s in suppliers
        ]
        self.departments = departments
        for department in departments:
            self.fields[f"days_{department.pk}"] = forms.TypedMultipleChoiceField(
                label=department.name,
                choices=WEEKDAY_CHOICES,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"days_{department.pk}"] for department in self.departments]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "gln", "street", "postal_code", "city", "building")]

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("contact_name", "contact_phone")]

    def days(self) -> dict[int, list[int]]:
        return {d.pk: self.cleaned_data.get(f"days_{d.pk}") or [] for d in self.departments}

    def prefixes(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data.get("category_prefixes", "").split(",") if p.strip()]
