"""Intake findings: the business rules (``AVROP-…``) and plain-language explanations of every finding.

A finding is a dict ``{rule, severity, layer, message, location, params}``; ``message`` is the technical text
(the official rule text for XSD/CEN/Peppol findings), ``params`` fill the plain-language template of a
business rule. ``explain`` gives the sentence a supplier understands, in the active language, and
``reason_code`` / ``attribute`` the Peppol Invoice Response clarification codes for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FATAL = "fatal"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    text: Any  # lazy translatable template with %(name)s placeholders
    reason: str = "OTH"  # OPStatusReason
    attribute: str = ""  # the business term (BT-…) the clarification is about


_RULES = [
    Rule(
        "AVROP-BUYER-UNKNOWN",
        FATAL,
        gettext_lazy(
            "The buyer on the invoice (%(buyer)s) is not one of the organisations that receive invoices "
            "here. Check the buyer's Peppol id, organisation number or GLN."
        ),
        "REC",
        "BT-46",
    ),
    Rule(
        "AVROP-BUYER-NO-PAYABLES",
        FATAL,
        gettext_lazy("%(buyer)s does not receive supplier invoices through this service."),
        "REC",
        "BT-44",
    ),
    Rule(
        "AVROP-REFERENCE-MISSING",
        FATAL,
        gettext_lazy(
            "The invoice has neither a buyer reference nor an order reference. Write the name and "
            "reference code of the person who ordered in the buyer reference field, as agreed, "
            "and send a new invoice."
        ),
        "REF",
        "BT-10",
    ),
    Rule(
        "AVROP-REFERENCE-UNKNOWN",
        WARNING,
        gettext_lazy("The reference %(reference)s does not match any department or person at %(buyer)s."),
        "REF",
        "BT-10",
    ),
    Rule(
        "AVROP-SUPPLIER-UNKNOWN",
        FATAL,
        gettext_lazy(
            "%(seller)s is not registered as a supplier of %(buyer)s. Contact the buyer before invoicing."
        ),
        "UNR",
        "BT-29",
    ),
    Rule(
        "AVROP-SUPPLIER-INACTIVE",
        FATAL,
        gettext_lazy("%(seller)s is no longer an active supplier of %(buyer)s."),
        "UNR",
        "BT-29",
    ),
    Rule(
        "AVROP-SENDER-MISMATCH",
        FATAL,
        gettext_lazy(
            "The seller on the invoice (%(seller)s) is not the organisation that sent it (%(sender)s)."
        ),
        "LEG",
        "BT-29",
    ),
    Rule(
        "AVROP-BANK-MISMATCH",
        WARNING,
        gettext_lazy(
            "The bank account on the invoice (%(account)s) is not the supplier's registered account "
            "(%(registered)s). Do not pay before the change is verified with the supplier."
        ),
        "FIN",
        "BT-84",
    ),
    Rule(
        "AVROP-BANK-UNVERIFIED",
        WARNING,
        gettext_lazy("The bank account on the invoice (%(account)s) is registered but not verified yet."),
        "FIN",
        "BT-84",
    ),
    Rule(
        "AVROP-BANK-NONE",
        WARNING,
        gettext_lazy(
            "No registered account: the supplier has no bank account on record; "
            "the invoice gives %(account)s."
        ),
        "FIN",
        "BT-84",
    ),
    Rule(
        "AVROP-BANK-MISSING", WARNING, gettext_lazy("The invoice gives no account to pay to."), "FIN", "BT-84"
    ),
    Rule(
        "AVROP-AMOUNT-LINES",
        FATAL,
        gettext_lazy("The invoice lines add up to %(lines)s, but the invoice says %(total)s."),
        "PRI",
        "BT-106",
    ),
    Rule("AVROP-AMOUNT-VAT", FATAL, gettext_lazy("The VAT does not add up: %(detail)s."), "FIN", "BT-110"),
    Rule(
        "AVROP-AMOUNT-TOTAL",
        FATAL,
        gettext_lazy("The amount due (%(payable)s) does not follow from the total with VAT (%(total)s)."),
        "FIN",
        "BT-115",
    ),
    Rule(
        "AVROP-AMOUNT-MISSING",
        FATAL,
        gettext_lazy("The amount due is missing or unreadable."),
        "FIN",
        "BT-115",
    ),
    Rule(
        "AVROP-DUE-BEFORE-ISSUE",
        FATAL,
        gettext_lazy("The due date %(due)s is before the invoice date %(issue)s."),
        "PAY",
        "BT-9",
    ),
    Rule(
        "AVROP-DUE-FAR",
        WARNING,
        gettext_lazy("The due date %(due)s is unusually far from the invoice date %(issue)s."),
        "PAY",
        "BT-9",
    ),
    Rule(
        "AVROP-DUE-MISSING",
        WARNING,
        gettext_lazy("The invoice has no due date; the agreed payment terms apply (30 days)."),
        "PAY",
        "BT-9",
    ),
    Rule(
        "AVROP-ISSUE-FUTURE",
        WARNING,
        gettext_lazy("The invoice date %(issue)s is in the future."),
        "OTH",
        "BT-2",
    ),
    Rule(
        "AVROP-ISSUE-OLD",
        WARNING,
        gettext_lazy("The invoice date %(issue)s is more than a year ago."),
        "OTH",
        "BT-2",
    ),
    Rule(
        "AVROP-CURRENCY",
        WARNING,
        gettext_lazy("The invoice is in %(currency)s; invoices to %(buyer)s are normally in SEK."),
        "FIN",
        "BT-5",
    ),
    Rule(
        "AVROP-CREDIT-NO-REFERENCE",
        FATAL,
        gettext_lazy(
            "The credit note does not say which invoice it credits. Give the number of the credited invoice "
            "(preceding invoice reference) and send a new credit note."
        ),
        "REF",
        "BT-25",
    ),
    Rule(
        "AVROP-CREDIT-UNKNOWN-INVOICE",
        WARNING,
        gettext_lazy("The credited invoice %(reference)s has not been received from this supplier."),
        "REF",
        "BT-25",
    ),
    Rule(
        "AVROP-DUPLICATE-NUMBER",
        WARNING,
        gettext_lazy(
            "An invoice with the number %(number)s from this supplier was already received on %(received)s."
        ),
        "UNR",
        "BT-1",
    ),
    Rule(
        "AVROP-DUPLICATE-SIMILAR",
        WARNING,
        gettext_lazy(
            "Invoice %(original)s from this supplier has the same amount and a date within %(days)s days."
        ),
        "UNR",
        "BT-1",
    ),
    Rule(
        "AVROP-DUPLICATE-PDF",
        WARNING,
        gettext_lazy("A PDF with the same content was already received on %(received)s."),
        "UNR",
        "BT-1",
    ),
    Rule("AVROP-UNREADABLE-VALUE", FATAL, gettext_lazy("Some values cannot be read: %(names)s."), "LEG", ""),
    Rule(
        "AVROP-NOT-AN-INVOICE",
        FATAL,
        gettext_lazy("The file is not an invoice or credit note (it is a %(root)s document)."),
        "UNR",
        "",
    ),
    Rule(
        "AVROP-FILE-TOO-LARGE",
        FATAL,
        gettext_lazy(
            "The file is %(size)s, larger than the %(limit)s this service reads. It is kept exactly as "
            "received but was not read: ask the supplier to send the invoice again as a smaller file."
        ),
        "UNR",
        "",
    ),
    Rule(
        "AVROP-PROCESSING-FAILED",
        FATAL,
        gettext_lazy(
            "The invoice service ran into an error while processing this document, so it did not become an "
            "invoice. It is kept exactly as received. Try again; if it is set aside again, ask support for "
            "help and give them document number %(document)s."
        ),
        "OTH",
        "",
    ),
    Rule("AVROP-MANUAL", FATAL, gettext_lazy("%(text)s"), "OTH", ""),
]
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def finding(rule_id: str, **params: Any) -> dict[str, Any]:
    """A business-rule finding with its parameters (shown later in the reader's language)."""
    rule = RULES[rule_id]
    clean = {k: "" if v is None else str(v) for k, v in params.items()}
    with_english = _english(rule, clean)
    return {
        "rule": rule.id,
        "severity": rule.severity,
        "layer": "business",
        "message": with_english,
        "location": None,
        "params": clean,
    }


def _english(rule: Rule, params: dict[str, str]) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(rule.text) % _Defaulting(params)


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return ""


def from_validation(items: Any) -> list[dict[str, Any]]:
    """Findings of ``avrop.edi.validation`` as finding dicts."""
    return [
        {
            "rule": f.rule,
            "severity": f.severity,
            "layer": f.layer,
            "message": f.message,
            "location": f.location,
            "params": {},
        }
        for f in items
    ]


_CATEGORY_TEXTS = [
    # (rule id prefix or exact id, plain text, reason code, business term)
    ("XML-TOO-LARGE", gettext_lazy("The file is too large to be an invoice."), "UNR", ""),
    (
        "XML-DOCTYPE",
        gettext_lazy("The file contains a DOCTYPE declaration, which invoices must not have."),
        "UNR",
        "",
    ),
    ("XML-", gettext_lazy("The file is not readable XML."), "UNR", ""),
    (
        "XSD-CII",
        gettext_lazy("The invoice does not follow the CII format (UN/CEFACT CrossIndustryInvoice D16B)."),
        "LEG",
        "",
    ),
    (
        "SVEFAKTURA-",
        gettext_lazy("The Svefaktura 1.0 invoice lacks required information or has an unreadable value."),
        "LEG",
        "",
    ),
    ("XSD", gettext_lazy("The invoice does not follow the UBL 2.1 format."), "LEG", ""),
    (
        "TRANSACTION-",
        gettext_lazy("The invoice does not say it follows Peppol BIS Billing 3.0."),
        "LEG",
        "BT-24",
    ),
    ("DOCUMENT-TYPE", gettext_lazy("The file is not an invoice or credit note."), "UNR", ""),
    (
        "PEPPOL-EN16931-R003",
        gettext_lazy("The buyer reference or order reference is missing."),
        "REF",
        "BT-10",
    ),
    (
        "PEPPOL-COMMON-R049",
        gettext_lazy("A Swedish organisation number on the invoice is not valid."),
        "LEG",
        "BT-30",
    ),
    (
        "SE-R-",
        gettext_lazy("The invoice breaks a Swedish rule (organisation number, VAT or payment)."),
        "LEG",
        "",
    ),
    ("BR-CO-", gettext_lazy("The amounts or the VAT on the invoice do not add up."), "FIN", ""),
    ("BR-S-", gettext_lazy("The VAT at the standard rate is not stated correctly."), "FIN", "BT-118"),
    ("BR-Z-", gettext_lazy("The zero-rated VAT is not stated correctly."), "FIN", "BT-118"),
    ("BR-E-", gettext_lazy("The VAT exemption is not stated correctly."), "FIN", "BT-118"),
    ("BR-AE-", gettext_lazy("The reverse charge is not stated correctly."), "FIN", "BT-118"),
    ("BR-O-", gettext_lazy("The 'not subject to VAT' category is not stated correctly."), "FIN", "BT-118"),
    ("BR-DEC-", gettext_lazy("An amount has more than two decimals."), "FIN", ""),
    ("BR-", gettext_lazy("Required information is missing or wrong on the invoice."), "LEG", ""),
    ("PEPPOL-", gettext_lazy("The invoice breaks a Peppol rule."), "LEG", ""),
]


def _category(rule_id: str) -> tuple[Any, str, str]:
    for prefix, text, reason, attribute in _CATEGORY_TEXTS:
        if rule_id == prefix or rule_id.startswith(prefix):
            return text, reason, attribute
    return gettext_lazy("The invoice breaks a rule."), "OTH", ""


def explain(item: dict[str, Any]) -> str:
    """The finding in words a supplier understands, in the active language."""
    rule = RULES.get(item.get("rule", ""))
    if rule is not None:
        return str(rule.text) % _Defaulting(item.get("params") or {})
    text, _reason, _attribute = _category(item.get("rule", ""))
    return _("%(plain)s Details: %(message)s") % {"plain": text, "message": item.get("message", "")}


def reason_code(item: dict[str, Any]) -> str:
    rule = RULES.get(item.get("rule", ""))
    return rule.reason if rule is not None else _category(item.get("rule", ""))[1]


def attribute(item: dict[str, Any]) -> str:
    rule = RULES.get(item.get("rule", ""))
    return rule.attribute if rule is not None else _category(item.get("rule", ""))[2]


def is_fatal(item: dict[str, Any]) -> bool:
    return item.get("severity") == FATAL
