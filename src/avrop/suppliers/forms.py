"""Forms of the supplier pages: they parse input; checks with business meaning live in the services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from avrop.core.errors import DomainError
from avrop.organisations.models import Department, Organisation
from avrop.suppliers.models import BankAccount, NotificationTopic, Supplier, SupplierContact


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's error next to the field it names (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class SupplierRegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=Organisation.Country.choices, initial="SE")
    org_number = forms.CharField(
        label=_("Organisation number"),
        max_length=20,
        help_text=_("Sweden: NNNNNN-NNNN. If the number is known, that supplier is used."),
    )
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=20,
        required=False,
        help_text=_("With country prefix, e.g. SE556012345601."),
    )
    peppol_id = forms.CharField(
        label=_("Peppol participant id"),
        max_length=60,
        required=False,
        help_text=_("scheme:value, e.g. 0007:5560123456"),
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    email = forms.EmailField(label=_("General e-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    connection = forms.ChoiceField(label=_("Connection"), choices=Supplier.Connection.choices)
    order_email = forms.EmailField(
        label=_("E-mail for orders"), required=False, help_text=_("Needed when orders go by e-mail.")
    )


class SupplierEditForm(forms.Form):
    connection = forms.ChoiceField(label=_("Connection"), choices=Supplier.Connection.choices)
    order_email = forms.EmailField(label=_("E-mail for orders"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ContactForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=SupplierContact.Topic.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class CustomerNumbersForm(forms.Form):
    """One text field per department of the buyer; an empty field removes the number."""

    def __init__(
        self, *args: Any, departments: Sequence[Department], numbers: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.departments = departments
        for department in departments:
            self.fields[f"department_{department.pk}"] = forms.CharField(
                label=department.name,
                max_length=60,
                required=False,
                initial=numbers.get(department.pk, ""),
                help_text=f"GLN {department.gln}" if department.gln else "",
            )

    def numbers(self) -> list[tuple[Department, str]]:
        return [(d, self.cleaned_data.get(f"department_{d.pk}", "")) for d in self.departments]

    def rows(self) -> list[tuple[Department, forms.BoundField]]:
        """Each department with its bound field, for a table with one row per department."""
        return [(d, self[f"department_{d.pk}"]) for d in self.departments]


class BankAccountForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BankAccount.Kind.choices)
    number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        help_text=_("Bankgiro NNNN-NNNN, plusgiro NNNNNN-N or IBAN."),
    )
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False, help_text=_("Only with an IBAN."))


class BankVerifyForm(forms.Form):
    note = forms.CharField(
        label=_("How were the details verified?"),
        max_length=300,
        help_text=_("e.g. called the supplier's switchboard on a number we already had"),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person to invite"))


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    username = forms.CharField(
        label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class NotificationChoicesForm(forms.Form):
    """One group of check boxes per contact: the notification topics the contact receives by e-mail."""

    def __init__(self, *args: Any, contacts: list[tuple[SupplierContact, list[str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = [contact for contact, _topics in contacts]
        for contact, topics in contacts:
            self.fields[f"contact_{contact.pk}"] = forms.MultipleChoiceField(
                label=f"{contact.name} ({contact.get_topic_display()})",
                choices=NotificationTopic.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=topics,
                help_text=contact.email or _("No e-mail address: this contact receives nothing."),
            )

    def chosen(self) -> dict[int, list[str]]:
        return {c.pk: list(self.cleaned_data.get(f"contact_{c.pk}", [])) for c in self.contacts}
