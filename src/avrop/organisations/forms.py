"""Forms: parse and show input only. Rules live in the services; their errors come back onto the fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from avrop.core.errors import DomainError
from avrop.organisations.models import (
    Account,
    DeliveryAddress,
    Department,
    DepartmentRequest,
    DocumentKind,
    ImportJob,
)
from avrop.organisations.roles import BUYER_ROLES, Role
from avrop.organisations.validators import normalise_gln

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def coding_picker(key: str) -> forms.TextInput:
    """A coding field with type-ahead: typing asks ``organisations:coding_picker`` for matching accounts or
    dimension objects (by number or name) and fills the page's datalist for ``key``
    (``organisations/partials/coding_datalists.html``); what is chosen is the number or code alone."""
    return forms.TextInput(
        attrs={
            "list": f"coding-picker-{key}",
            "autocomplete": "off",
            "hx-get": reverse_lazy("organisations:coding_picker", args=[key]),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#coding-picker-{key}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
    )


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Put a service's error on the field it names, else on the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _cost_centre_choices(cost_centres: Any) -> list[tuple[str, str]]:
    return [("", "–")] + [(str(o.pk), f"{o.code} {o.name}") for o in cost_centres]


def _gln_field(required: bool = False) -> forms.CharField:
    return forms.CharField(
        label="GLN",
        max_length=20,
        required=required,
        help_text=_("13 digits; the last one is the GS1 check digit."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class _GlnCleanMixin:
    def clean_gln(self) -> str:
        value = self.cleaned_data.get("gln", "")  # type: ignore[attr-defined]
        if not value:
            return ""
        try:
            return normalise_gln(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None


class DepartmentRequestForm(forms.ModelForm):
    default_cost_centre_id = forms.TypedChoiceField(
        label=_("Default cost centre"), required=False, coerce=int, empty_value=None
    )

    class Meta:
        model = DepartmentRequest
        fields = [
            "name",
            "code",
            "town",
            "invoice_street",
            "invoice_postal_code",
            "invoice_city",
            "orders_food",
            "address_label",
            "street",
            "postal_code",
            "city",
            "building",
            "floor",
            "room",
            "contact_name",
            "contact_phone",
            "delivery_days",
            "opening_hours",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, cost_centres: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["default_cost_centre_id"]).choices = _cost_centre_choices(
            cost_centres
        )
        self.fields["contact_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["delivery_days"].help_text = _("From the distribution centre, e.g. Tue, Fri")
        # The department's town and the delivery address's city must not share a label.
        self.fields["town"].label = _("Town of the department")
        self.fields["street"].label = _("Delivery street address")
        self.fields["postal_code"].label = _("Delivery postal code")
        self.fields["city"].label = _("Delivery city")


class DepartmentForm(_GlnCleanMixin, forms.ModelForm):
    gln = _gln_field()
    default_cost_centre_id = forms.TypedChoiceField(
        label=_("Default cost centre"), required=False, coerce=int, empty_value=None
    )

    class Meta:
        model = Department
        fields = ["name", "code", "town", "invoice_street", "invoice_postal_code", "invoice_city"]

    def __init__(self, *args: Any, cost_centres: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["default_cost_centre_id"]).choices = _cost_centre_choices(
            cost_centres
        )
        if self.instance.pk:
            self.initial.setdefault("gln", self.instance.gln)
            self.initial.setdefault("default_cost_centre_id", self.instance.default_cost_centre_id)


class DeliveryAddressForm(_GlnCleanMixin, forms.ModelForm):
    gln = _gln_field()

    class Meta:
        model = DeliveryAddress
        fields = [
            "label",
            "street",
            "postal_code",
            "city",
            "building",
            "floor",
            "room",
            "contact_name",
            "contact_phone",
            "delivery_days",
            "opening_hours",
            "is_default",
        ]


class GlnForm(_GlnCleanMixin, forms.Form):
    gln = _gln_field(required=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CustomerNumberForm(forms.Form):
    supplier = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.CharField(label=_("Customer number"), max_length=60)


# --- People -----------------------------------------------------------------------------------------


def role_choices() -> list[tuple[str, StrOrPromise]]:
    return [(value, label) for value, label in Role.choices if value in BUYER_ROLES]


class PersonForm(forms.Form):
    username = forms.CharField(
        label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    role = forms.ChoiceField(label=_("Role"))
    department_id = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = role_choices()
        cast(forms.ChoiceField, self.fields["department_id"]).choices = [("", "–")] + [
            (str(d.pk), d.name) for d in departments
        ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    department_id = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = role_choices()
        cast(forms.ChoiceField, self.fields["department_id"]).choices = [("", "–")] + [
            (str(d.pk), d.name) for d in departments
        ]


class MoveForm(forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    department_id = forms.TypedChoiceField(label=_("New department"), coerce=int)
    on = forms.DateField(label=_("From"), required=False, widget=DateInput())

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department_id"]).choices = [
            (str(d.pk), d.name) for d in departments
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, accept: str = ".csv,.xlsx", help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = accept
        self.fields["file"].help_text = help_text


class ChartImportForm(ImportForm):
    kind = forms.ChoiceField(
        label=_("Format"),
        choices=[
            (ImportJob.Kind.CHART_SIE, _("SIE 4 (#KONTO, #DIM, #OBJEKT)")),
            (ImportJob.Kind.CHART_TABLE, _("CSV or XLSX: type, code, name, valid_from, valid_to")),
        ],
        widget=forms.RadioSelect,
    )
    field_order = ["kind", "file"]


# --- Approval authority -----------------------------------------------------------------------------


class _PeopleChoices:
    fields: dict[str, forms.Field]

    def _people(self, field: str, people: Any) -> None:
        cast(forms.ChoiceField, self.fields[field]).choices = [("", "–")] + [
            (str(u.pk), f"{u.get_full_name() or u.username} ({u.username})") for u in people
        ]


class ApprovalLimitForm(_PeopleChoices, forms.Form):
    approver = forms.TypedChoiceField(label=_("Approver"), coerce=int)
    title = forms.CharField(
        label=_("Title"), max_length=100, required=False, help_text=_("E.g. department head")
    )
    level = forms.IntegerField(label=_("Level"), min_value=1, max_value=9, initial=1)
    document_kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    amount_limit = forms.DecimalField(
        label=_("Up to amount (SEK)"), max_digits=14, decimal_places=2, min_value=0
    )
    cost_centres = forms.CharField(
        label=_("Cost centres"),
        required=False,
        max_length=2000,
        help_text=_("Codes separated by commas, e.g. 1200, 1300"),
    )
    all_cost_centres = forms.BooleanField(label=_("All cost centres"), required=False)
    account = forms.CharField(label=_("Only for account"), required=False, max_length=20)
    category = forms.CharField(label=_("Only for category"), required=False, max_length=60)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._people("approver", people)

    def codes(self) -> list[str]:
        return _cost_centre_codes(self.cleaned_data)


def _cost_centre_codes(cleaned_data: dict[str, Any]) -> list[str]:
    return [c.strip() for c in cleaned_data.get("cost_centres", "").replace(";", ",").split(",") if c.strip()]


class ApprovalLimitEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    level = forms.IntegerField(label=_("Level"), min_value=1, max_value=9)
    amount_limit = forms.DecimalField(
        label=_("Up to amount (SEK)"), max_digits=14, decimal_places=2, min_value=0
    )
    cost_centres = forms.CharField(
        label=_("Cost centres"),
        required=False,
        max_length=2000,
        help_text=_("Codes separated by commas, e.g. 1200, 1300"),
    )
    all_cost_centres = forms.BooleanField(label=_("All cost centres"), required=False)
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())

    def codes(self) -> list[str]:
        return _cost_centre_codes(self.cleaned_data)


class DelegationForm(_PeopleChoices, forms.Form):
    principal = forms.TypedChoiceField(label=_("On behalf of"), coerce=int)
    deputy = forms.TypedChoiceField(label=_("Deputy"), coerce=int)
    valid_from = forms.DateField(label=_("From"), widget=DateInput())
    valid_to = forms.DateField(label=_("Until"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, people: Any = (), principals: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._people("principal", principals)
        self._people("deputy", people)


class WhoCanApproveForm(_PeopleChoices, forms.Form):
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=40)
    amount = forms.DecimalField(label=_("Amount (SEK)"), max_digits=14, decimal_places=2, min_value=0)
    document_kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    account = forms.CharField(label=_("Account"), required=False, max_length=20)
    category = forms.CharField(label=_("Category"), required=False, max_length=60)
    requester = forms.TypedChoiceField(label=_("Requester"), coerce=int, required=False, empty_value=None)
    on = forms.DateField(label=_("On"), required=False, widget=DateInput())

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._people("requester", people)


# --- Chart ------------------------------------------------------------------------------------------


class ChartCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    is_shared = forms.BooleanField(label=_("Shared with the organisations we serve"), required=False)


class ChartUseForm(forms.Form):
    chart = forms.TypedChoiceField(label=_("Chart"), coerce=int)

    def __init__(self, *args: Any, charts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["chart"]).choices = [
            (str(c.pk), f"{c.name} ({c.owner.name})") for c in charts
        ]


class AccountForm(forms.Form):
    number = forms.CharField(label=_("Account"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", "–"), *Account.Kind.choices])
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class DimensionObjectForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Dimension"))
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, dimensions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["dimension"]).choices = [
            (d.code, f"{d.number} {d.name}") for d in dimensions
        ]


class CodingForm(forms.Form):
    coding = forms.CharField(
        label=_("Coding"),
        max_length=500,
        help_text=_("key=value separated by semicolons, e.g. account=5410;cost_centre=1200"),
    )
    on = forms.DateField(label=_("On"), required=False, widget=DateInput())
