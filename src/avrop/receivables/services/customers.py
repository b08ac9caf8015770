"""Customers and articles: checked identifiers, how the customer gets invoices, what an article costs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError
from avrop.organisations.validators import normalise_org_number, normalise_vat_number, validate_peppol_id
from avrop.receivables.document import buyer_endpoint
from avrop.receivables.errors import Code
from avrop.receivables.models import Article, Customer, Delivery, ReceivablesSettings, VatCategory
from avrop.receivables.services._common import require_clerk

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
CURRENCIES = ("SEK", "EUR", "NOK", "DKK", "USD", "GBP", "CHF")


@dataclass
class CustomerData:
    name: str
    country: str = "SE"
    org_number: str = ""
    vat_number: str = ""
    peppol_id: str = ""
    delivery: str = Delivery.PEPPOL
    email: str = ""
    payment_days: int = 30
    language: str = "sv"
    currency: str = "SEK"
    is_business: bool = True
    street: str = ""
    postal_code: str = ""
    city: str = ""
    number: str = ""


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(Code.CUSTOMER_INVALID, message, field=field)


def checked_customer(data: CustomerData) -> CustomerData:
    """The data with identifiers checked and normalised (python-stdnum through the organisations
    validators); a Swedish e-invoice customer without a Peppol id gets its organisation number's (0007)."""
    name = data.name.strip()
    if not name:
        raise _invalid(_("The customer needs a name."), "name")
    country = data.country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise _invalid(_("The country is a two-letter code such as SE or DE."), "country")
    org_number = data.org_number.strip()
    try:
        if org_number and country == "SE":
            org_number = normalise_org_number(org_number, "SE")
    except ValidationError as exc:
        raise _invalid(" ".join(exc.messages), "org_number") from None
    try:
        vat_number = normalise_vat_number(data.vat_number) if data.vat_number.strip() else ""
    except ValidationError as exc:
        raise _invalid(" ".join(exc.messages), "vat_number") from None
    if vat_number and country in EU_COUNTRIES and not vat_number.startswith(country.replace("GR", "EL")):
        raise _invalid(
            _("The VAT number %(vat)s is not from %(country)s.") % {"vat": vat_number, "country": country},
            "vat_number",
        )
    peppol_id = data.peppol_id.strip()
    if not peppol_id and data.delivery == Delivery.PEPPOL and country == "SE" and org_number:
        peppol_id = "0007:" + org_number.replace("-", "")
    if peppol_id:
        try:
            peppol_id = validate_peppol_id(peppol_id)
        except ValidationError as exc:
            raise _invalid(" ".join(exc.messages), "peppol_id") from None
    if data.delivery == Delivery.PEPPOL and not peppol_id:
        raise _invalid(_("An e-invoice customer needs a Peppol participant id."), "peppol_id")
    if data.delivery == Delivery.EMAIL and not data.email.strip():
        raise _invalid(_("A customer who gets PDF invoices needs an e-mail address."), "email")
    if (
        buyer_endpoint(
            CustomerData(
                **{
                    **data.__dict__,
                    "peppol_id": peppol_id,
                    "vat_number": vat_number,
                    "org_number": org_number,
                    "country": country,
                }
            )
        )
        is None
    ):
        raise _invalid(
            _(
                "Give the customer's VAT number or organisation number: an invoice names the customer's "
                "electronic address by one of them."
            ),
            "vat_number",
        )
    if data.delivery not in Delivery.values:
        raise _invalid(_("Choose e-invoice or PDF by e-mail."), "delivery")
    if data.currency not in CURRENCIES:
        raise _invalid(
            _("Choose one of the currencies %(list)s.") % {"list": ", ".join(CURRENCIES)}, "currency"
        )
    if not 0 <= int(data.payment_days) <= 120:
        raise _invalid(_("Payment terms are 0–120 days."), "payment_days")
    return CustomerData(
        **{
            **data.__dict__,
            "name": name,
            "country": country,
            "org_number": org_number,
            "vat_number": vat_number,
            "peppol_id": peppol_id,
            "email": data.email.strip(),
        }
    )


def _next_customer_number(organisation: Any) -> str:
    numbers = Customer.objects.filter(organisation=organisation).values_list("number", flat=True)
    highest = max((int(n) for n in numbers if n.isdigit()), default=1000)
    return str(highest + 1)


@transaction.atomic
def customer_create(*, actor: Any, organisation: Any, data: CustomerData) -> Customer:
    require_clerk(actor, organisation)
    data = checked_customer(data)
    number = data.number.strip() or _next_customer_number(organisation)
    if Customer.objects.filter(organisation=organisation, number=number).exists():
        raise _invalid(_("Customer number %(n)s is taken.") % {"n": number}, "number")
    fields = {k: v for k, v in data.__dict__.items() if k != "number"}
    customer = Customer.objects.create(organisation=organisation, number=number, **fields)
    audit(actor=actor, action="receivables.customer.create", obj=customer, after=snapshot(customer))
    return customer


@dataclass
class ArticleData:
    number: str
    name: str
    unit_price: Decimal | str
    revenue_account: str
    unit: str = "EA"
    vat_category: str = VatCategory.STANDARD
    vat_rate: Decimal | str = Decimal("25")
    exemption_reason: str = ""
    is_goods: bool = False


SWEDISH_RATES = frozenset({Decimal("25"), Decimal("12"), Decimal("6")})


@transaction.atomic
def article_create(*, actor: Any, organisation: Any, data: ArticleData) -> Article:
    require_clerk(actor, organisation)
    try:
        price = Decimal(str(data.unit_price)).quantize(Decimal("0.01"))
        rate = Decimal(str(data.vat_rate))
    except InvalidOperation:
        raise DomainError(
            Code.INVOICE_INVALID, _("Price and VAT rate are numbers."), field="unit_price"
        ) from None
    if data.vat_category not in VatCategory.values:
        raise DomainError(Code.INVOICE_INVALID, _("Choose a VAT category."), field="vat_category")
    if data.vat_category == VatCategory.STANDARD and rate not in SWEDISH_RATES:
        raise DomainError(
            Code.INVOICE_INVALID, _("Swedish VAT rates are 25, 12 and 6 percent."), field="vat_rate"
        )
    if data.vat_category != VatCategory.STANDARD:
        rate = Decimal("0")
    if data.vat_category == VatCategory.EXEMPT and not data.exemption_reason.strip():
        raise DomainError(
            Code.INVOICE_INVALID,
            _("An article exempt from VAT names the reason (e.g. the section of the VAT act)."),
            field="exemption_reason",
        )
    if not data.revenue_account.strip().isdigit():
        raise DomainError(
            Code.INVOICE_INVALID, _("The revenue account is a number."), field="revenue_account"
        )
    article = Article.objects.create(
        organisation=organisation,
        number=data.number.strip(),
        name=data.name.strip(),
        unit=data.unit.strip().upper() or "EA",
        unit_price=price,
        vat_category=data.vat_category,
        vat_rate=rate,
        exemption_reason=data.exemption_reason.strip(),
        is_goods=data.is_goods,
        revenue_account=data.revenue_account.strip(),
    )
    audit(actor=actor, action="receivables.article.create", obj=article, after=snapshot(article))
    return article


@transaction.atomic
def settings_save(
    *, actor: Any, organisation: Any, bankgiro: str, ocr_check: str = "hard"
) -> ReceivablesSettings:
    require_clerk(actor, organisation)
    digits = "".join(c for c in bankgiro if c.isdigit())
    if len(digits) not in {7, 8}:
        raise DomainError(Code.NOT_SET_UP, _("A bankgiro number has 7 or 8 digits."), field="bankgiro")
    found, _created = ReceivablesSettings.objects.update_or_create(
        organisation=organisation, defaults={"bankgiro": bankgiro.strip(), "ocr_check": ocr_check}
    )
    audit(
        actor=actor,
        action="receivables.settings.save",
        obj=found,
        organisation=organisation,
        after={"bankgiro": found.bankgiro, "ocr_check": ocr_check},
    )
    return found


def vat_treatment(article: Any, customer: Any) -> tuple[str, str]:
    """(VAT category, exemption reason) of selling ``article`` to ``customer``: Swedish VAT at home; to an
    EU business with a VAT number goods are an intra-community supply (K), services reverse charge (AE);
    outside the EU an export (G). Exempt and zero-rated articles stay as they are."""
    if article.vat_category != VatCategory.STANDARD or customer.country == "SE":
        return article.vat_category, article.exemption_reason
    if customer.country in EU_COUNTRIES:
        if not customer.vat_number:
            return article.vat_category, ""  # a consumer in the EU pays Swedish VAT (distance rules aside)
        return (VatCategory.INTRA_COMMUNITY if article.is_goods else VatCategory.REVERSE_CHARGE), ""
    return VatCategory.EXPORT, ""
