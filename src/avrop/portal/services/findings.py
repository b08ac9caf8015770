"""Validation findings of a draft in plain words, placed next to the form field they concern.

A finding of ``avrop.edi.validate`` names a rule and the XPath of the offending node. The XPath tells which
line and which element; where it is not precise enough (a rule fires on the whole line), the rule id does.
Findings about things the form does not hold (the supplier's organisation number, VAT number, address)
have no field and are shown at the top of the form with their rule id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from avrop.payables import rules as payables_rules

HEADER_FIELDS = ("number", "issue_date", "due_date", "buyer_reference", "order_reference", "bank_account")
LINE_FIELDS = ("description", "article_number", "quantity", "unit", "unit_price", "vat_rate")

_NAMESPACE = re.compile(r"\[namespace-uri\(\)='[^']*'\]")
_PREFIX = re.compile(r"(?:\*|cac|cbc|ns\d*):")
_LINE = re.compile(r"^(?:InvoiceLine|CreditNoteLine)(?:\[(\d+)\])?$")
_STEP = re.compile(r"^([A-Za-z]+)")

# Elements of the document and the field that fills them.
_HEADER_ELEMENTS = {
    "ID": "number",
    "IssueDate": "issue_date",
    "DueDate": "due_date",
    "BuyerReference": "buyer_reference",
    "OrderReference": "order_reference",
    "PaymentMeans": "bank_account",
    "PaymentTerms": "due_date",
}
_LINE_ELEMENTS = {
    "Price": "unit_price",
    "PriceAmount": "unit_price",
    "InvoicedQuantity": "quantity",
    "CreditedQuantity": "quantity",
    "LineExtensionAmount": "quantity",
    "Name": "description",
    "SellersItemIdentification": "article_number",
    "ClassifiedTaxCategory": "vat_rate",
    "Percent": "vat_rate",
}
# Rules whose context is the whole line or document, by what they are about.
_RULE_FIELDS = {
    "BR-02": "number",
    "BR-03": "issue_date",
    "BR-CO-25": "due_date",
    "PEPPOL-EN16931-R003": "buyer_reference",
    "BR-61": "bank_account",
    "BR-49": "bank_account",
    "BR-50": "bank_account",
    "BR-55": "credited",
    "BR-21": "description",
    "BR-22": "quantity",
    "BR-23": "unit",
    "BR-24": "quantity",
    "BR-25": "description",
    "BR-26": "unit_price",
    "BR-27": "unit_price",
    "BR-28": "unit_price",
    "BR-CO-04": "vat_rate",
    "BR-S-05": "vat_rate",
    "BR-Z-05": "vat_rate",
    "BR-CL-23": "unit",
}
_PREFIX_FIELDS = (("SE-R-010", "bank_account"), ("SE-R-011", "bank_account"), ("BR-DEC-", "unit_price"))

# Plain words for the rules a supplier meets in this form; others fall back to payables' explanations.
_PLAIN = {
    "BR-02": gettext_lazy("Give the invoice a number."),
    "BR-03": gettext_lazy("Give the invoice date."),
    "BR-CO-25": gettext_lazy("An invoice with an amount to pay needs a due date."),
    "PEPPOL-EN16931-R003": gettext_lazy(
        "Give the buyer's reference (the person or code who ordered) or an order number."
    ),
    "BR-61": gettext_lazy("Choose the bank account the buyer pays to."),
    "BR-25": gettext_lazy("Every line needs a description."),
    "BR-26": gettext_lazy("Every line needs a price."),
    "BR-27": gettext_lazy(
        "A price cannot be negative. For a discount or a returned item, enter a negative quantity "
        "with a positive price."
    ),
    "BR-22": gettext_lazy("Every line needs a quantity."),
    "BR-CL-23": gettext_lazy("The unit is not a known unit code (use e.g. EA for pieces, HUR for hours)."),
    "BR-CO-04": gettext_lazy("Every line needs a VAT rate."),
    "BR-S-05": gettext_lazy("A line at the standard VAT category needs a VAT rate above zero."),
    "BR-55": gettext_lazy("A credit note must name the invoice it credits."),
    "PORTAL-DUPLICATE-NUMBER": gettext_lazy(
        "You have already sent an invoice with number %(number)s to %(buyer)s. Use a new invoice number."
    ),
}


@dataclass
class Placed:
    rule: str
    severity: str
    text: str
    field: str  # "" when the finding belongs to no field of the form
    line: int | None  # 0-based line index for line fields

    @property
    def is_fatal(self) -> bool:
        return self.severity == "fatal"

    @property
    def key(self) -> str:
        """The form field's name: ``number`` or ``lines-<n>-unit_price``."""
        if self.line is not None:
            return f"lines-{self.line}-{self.field}"
        return self.field


def _steps(location: str) -> list[str]:
    clean = _PREFIX.sub("", _NAMESPACE.sub("", location or ""))
    return [step for step in clean.split("/") if step]


def place(finding: dict[str, Any]) -> tuple[str, int | None]:
    """(field, line index) a finding concerns; ("", None) when it concerns nothing on the form."""
    rule = finding.get("rule", "")
    steps = _steps(finding.get("location") or "")
    line: int | None = None
    field = ""
    for index, step in enumerate(steps):
        match = _LINE.match(step)
        if match:
            line = int(match.group(1) or 1) - 1
            rest = [_STEP.match(s).group(1) for s in steps[index + 1 :] if _STEP.match(s)]  # type: ignore[union-attr]
            field = next((_LINE_ELEMENTS[name] for name in reversed(rest) if name in _LINE_ELEMENTS), "")
            if "InvoicedQuantity" in rest or "CreditedQuantity" in rest:
                field = "unit" if rule.startswith("BR-CL-23") else "quantity"
            break
    if line is None and len(steps) >= 2:
        top = _STEP.match(steps[1])
        name = top.group(1) if top else ""
        if name in {"AccountingSupplierParty", "AccountingCustomerParty"}:
            return "", None
        field = _HEADER_ELEMENTS.get(name, "")
    if not field:
        field = _RULE_FIELDS.get(rule, "")
        if not field:
            field = next((f for prefix, f in _PREFIX_FIELDS if rule.startswith(prefix)), "")
    if line is None and field in LINE_FIELDS:
        return "", None
    if line is not None and field not in LINE_FIELDS:
        return "", line
    return field, line


def plain(finding: dict[str, Any]) -> str:
    rule = finding.get("rule", "")
    if rule in _PLAIN:
        return (
            str(_PLAIN[rule]) % (finding.get("params") or {}) if finding.get("params") else str(_PLAIN[rule])
        )
    if rule.startswith("PORTAL-"):
        return finding.get("message", "")
    return payables_rules.explain(finding)


def placed(findings: list[dict[str, Any]]) -> list[Placed]:
    result = []
    for item in findings:
        field, line = place(item)
        text = plain(item)
        if line is not None and not field:
            # A problem with a line as a whole: shown at the top, saying which line.
            text = _("Line %(n)s: %(text)s") % {"n": line + 1, "text": text}
            line = None
        result.append(Placed(item.get("rule", ""), item.get("severity", "fatal"), text, field, line))
    return result


def by_field(
    findings: list[dict[str, Any]], *, hidden: frozenset[str] = frozenset()
) -> tuple[dict[str, list[Placed]], list[Placed]]:
    """({form field name: findings}, findings for no field or for a field the form does not show)."""
    fields: dict[str, list[Placed]] = {}
    general: list[Placed] = []
    for item in placed(findings):
        if (item.field in HEADER_FIELDS or item.field in LINE_FIELDS) and item.field not in hidden:
            fields.setdefault(item.key, []).append(item)
        else:
            general.append(item)
    return fields, general


def duplicate_finding(*, number: str, buyer: str) -> dict[str, Any]:
    return {
        "rule": "PORTAL-DUPLICATE-NUMBER",
        "severity": "fatal",
        "layer": "portal",
        "message": _("Invoice number %(number)s has already been sent to %(buyer)s.")
        % {"number": number, "buyer": buyer},
        "location": "/Invoice/ID",
        "params": {"number": number, "buyer": buyer},
    }
