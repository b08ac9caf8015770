"""The automatic check of a partner's invoice against its billing statement.

What the seed asks of the invoice: the billing id (Verrechnungs-ID) of the statement and every SP-ID listed.
Read here: from a Peppol BIS Billing 3 invoice, every text of the document for the billing id (buyer
reference, order reference, a note or a document reference may carry it) and the SP-IDs of each invoice line
(its id, order-line reference, name, description or note); from a PDF, the figures the person entered.
A finding is stored as a code with its values and shown in words in the reader's language."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from avrop.core.formatting import amount
from avrop.edi.xmlsafe import XmlSafetyError, parse_bytes
from avrop.serviceorders.models import ServiceOrder

SP_ID = re.compile(r"\bSP-\d{4,12}\b")
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"cbc": UBL_CBC, "cac": UBL_CAC}


class Unreadable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Line:
    sp_ids: list[str]
    amount: Decimal | None = None


@dataclass
class Figures:
    invoice_number: str = ""
    billing_id: str | None = None
    texts: str = ""
    lines: list[Line] = field(default_factory=list)
    total: Decimal | None = None
    currency: str = ""


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None


def read_peppol(content: bytes) -> Figures:
    try:
        tree = parse_bytes(content)
    except XmlSafetyError:
        raise Unreadable(_("The file is not a readable XML invoice.")) from None
    root = tree.getroot()
    tag = str(root.tag)
    if not tag.endswith("}Invoice") and not tag.endswith("}CreditNote"):
        raise Unreadable(_("The file is not a Peppol invoice (UBL Invoice)."))
    lines = []
    for line in root.findall("cac:InvoiceLine", NS):
        texts = " ".join(t for t in line.itertext())
        ids = list(dict.fromkeys(SP_ID.findall(texts)))  # one SP-ID once per line, however often it is named
        lines.append(
            Line(sp_ids=ids, amount=_decimal(line.findtext("cbc:LineExtensionAmount", namespaces=NS)))
        )
    # Outside the lines: the SP-IDs named in the header count as listed too (e.g. a note listing them).
    header_texts = " ".join(
        t for child in root if child.tag != f"{{{UBL_CAC}}}InvoiceLine" for t in child.itertext()
    )
    header_ids = list(dict.fromkeys(SP_ID.findall(header_texts)))
    listed = {sp for line_ in lines for sp in line_.sp_ids}
    extra = [sp for sp in header_ids if sp not in listed]
    if extra:
        lines.append(Line(sp_ids=extra))
    total = root.find("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", NS)
    return Figures(
        invoice_number=(root.findtext("cbc:ID", default="", namespaces=NS) or "").strip(),
        billing_id=None,
        texts=" ".join(root.itertext()),
        lines=lines,
        total=_decimal(total.text if total is not None else None),
        currency=(total.get("currencyID", "") if total is not None else "")
        or (root.findtext("cbc:DocumentCurrencyCode", default="", namespaces=NS) or ""),
    )


def entered(
    *, invoice_number: str, billing_id: str, sp_ids_text: str, total: Decimal | None, currency: str
) -> Figures:
    """The figures a person typed from a PDF invoice: one SP-ID per line as the invoice lists them."""
    lines = [Line(sp_ids=SP_ID.findall(row)) for row in sp_ids_text.splitlines() if SP_ID.search(row)]
    return Figures(
        invoice_number=invoice_number.strip(),
        billing_id=billing_id.strip(),
        texts=billing_id,
        lines=lines,
        total=total,
        currency=currency.strip().upper(),
    )


def check(*, statement: Any, figures: Figures) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    number = statement.number
    quoted = (
        figures.billing_id if figures.billing_id is not None else (number if number in figures.texts else "")
    )
    if quoted != number:
        findings.append({"code": "billing_id_missing", "number": number, "quoted": quoted or ""})
    orders = {o.sp_id: o for o in ServiceOrder.objects.filter(statement=statement).only("sp_id", "amount")}
    counts = Counter(sp for line in figures.lines for sp in line.sp_ids)
    for sp_id, n in sorted(counts.items()):
        if n > 1:
            findings.append({"code": "sp_id_twice", "sp_id": sp_id, "times": n})
    for sp_id in sorted(set(orders) - set(counts)):
        findings.append({"code": "sp_id_missing", "sp_id": sp_id})
    foreign = sorted(set(counts) - set(orders))
    if foreign:
        elsewhere = dict(
            ServiceOrder.objects.filter(
                sp_id__in=foreign, statement__isnull=False, partner_id=statement.partner_id
            ).values_list("sp_id", "statement__number")
        )
        for sp_id in foreign:
            if sp_id in elsewhere:
                findings.append({"code": "sp_id_other_statement", "sp_id": sp_id, "other": elsewhere[sp_id]})
            else:
                findings.append({"code": "sp_id_unknown", "sp_id": sp_id})
    for line in figures.lines:
        if len(line.sp_ids) == 1 and line.amount is not None and line.sp_ids[0] in orders:
            expected = orders[line.sp_ids[0]].amount
            if line.amount != expected:
                findings.append(
                    {
                        "code": "line_amount",
                        "sp_id": line.sp_ids[0],
                        "invoice": str(line.amount),
                        "statement": str(expected),
                    }
                )
    if figures.currency and figures.currency != statement.currency:
        findings.append({"code": "currency", "invoice": figures.currency, "statement": statement.currency})
    if figures.total is None or figures.total != statement.total_amount:
        findings.append(
            {
                "code": "total",
                "invoice": "" if figures.total is None else str(figures.total),
                "statement": str(statement.total_amount),
                "currency": statement.currency,
            }
        )
    return findings


def finding_text(finding: dict[str, Any]) -> str:
    """A finding in words, for the supplier's clerk and the partner."""
    code = finding.get("code")
    if code == "billing_id_missing":
        if finding.get("quoted"):
            return _("The invoice quotes billing id %(quoted)s instead of %(number)s.") % finding
        return _("The invoice does not quote the billing id %(number)s.") % finding
    if code == "sp_id_twice":
        return _("SP-ID %(sp_id)s is listed %(times)s times; each order is billed once.") % finding
    if code == "sp_id_missing":
        return _("SP-ID %(sp_id)s of the statement is not listed on the invoice.") % finding
    if code == "sp_id_other_statement":
        return _("SP-ID %(sp_id)s belongs to another statement (%(other)s).") % finding
    if code == "sp_id_unknown":
        return _("SP-ID %(sp_id)s is on no statement of this partner.") % finding
    if code == "line_amount":
        return _("The line for %(sp_id)s says %(invoice)s; the statement says %(statement)s.") % {
            "sp_id": finding["sp_id"],
            "invoice": amount(Decimal(finding["invoice"])),
            "statement": amount(Decimal(finding["statement"])),
        }
    if code == "currency":
        return _("The invoice is in %(invoice)s; the statement in %(statement)s.") % finding
    if code == "total":
        if not finding.get("invoice"):
            return _(
                "The invoice has no total excluding VAT; the statement's total is %(statement)s %(currency)s."
            ) % {
                "statement": amount(Decimal(finding["statement"])),
                "currency": finding["currency"],
            }
        return _(
            "The invoice's total excluding VAT is %(invoice)s %(currency)s; "
            "the statement's is %(statement)s %(currency)s."
        ) % {
            "invoice": amount(Decimal(finding["invoice"])),
            "statement": amount(Decimal(finding["statement"])),
            "currency": finding["currency"],
        }
    return str(code)
