"""Peppol Invoice Response (T111) built with avrop.edi and checked against the T111 rules before it is sent.

A rejection (RE) or query (UQ) carries one status per reason: the OPStatusReason code, the reason in plain
words, and a condition per finding naming the business term (BT-…) and the rule. Then the action asked of the
supplier (OPStatusAction): issue a new invoice (NIN) or provide information (PIN).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from avrop.edi import validation
from avrop.edi.documents import (
    Code,
    Condition,
    DocumentReference,
    DocumentResponse,
    Identifier,
    InvoiceResponse,
    Party,
    PartyLegalEntity,
    Response,
    Status,
    build,
)
from avrop.payables import rules

MAX_CONDITIONS = 20
REASON_TEXTS = {
    "NON": gettext_noop("No issue"),
    "REF": gettext_noop("References incorrect"),
    "LEG": gettext_noop("Legal information incorrect"),
    "REC": gettext_noop("Receiver unknown"),
    "QUA": gettext_noop("Item quality insufficient"),
    "DEL": gettext_noop("Delivery issues"),
    "PRI": gettext_noop("Prices incorrect"),
    "QTY": gettext_noop("Quantity incorrect"),
    "ITM": gettext_noop("Items incorrect"),
    "PAY": gettext_noop("Payment terms incorrect"),
    "UNR": gettext_noop("Not recognized"),
    "FIN": gettext_noop("Finance incorrect"),
    "PPD": gettext_noop("Partially paid"),
    "OTH": gettext_noop("Other"),
}


@dataclass
class Built:
    content: bytes
    document_id: str
    text: str
    valid: bool
    findings: list[dict[str, Any]]


def _party(endpoint: str, name: str) -> Party:
    scheme, sep, value = endpoint.partition(":")
    if not sep:
        scheme, value = "0007", endpoint
    return Party(
        endpoint_id=Identifier(value=value, scheme_id=scheme),
        legal_entities=[PartyLegalEntity(registration_name=name or value)],
    )


def language_for(country: str) -> str:
    """Swedish for Swedish suppliers, English for everyone else."""
    return "sv" if country in {"", "SE"} else "en"


def response_text(*, code: str, findings: list[dict[str, Any]], note: str = "", language: str = "sv") -> str:
    """The plain-language body shared by the T111 and the e-mail: one line per finding."""
    with translation.override(language):
        lines = []
        if note:
            lines.append(note)
        for item in findings:
            if code in {"RE", "UQ"} and not rules.is_fatal(item) and code == "RE":
                continue
            lines.append(f"- {rules.explain(item)} [{item.get('rule')}]")
        return "\n".join(lines)


def build_response(
    *,
    code: str,
    invoice_number: str,
    invoice_kind: str,
    invoice_issue_date: dt.date | None,
    sender_endpoint: str,
    sender_name: str,
    receiver_endpoint: str,
    receiver_name: str,
    findings: list[dict[str, Any]] | None = None,
    note: str = "",
    language: str = "sv",
    today: dt.date | None = None,
) -> Built:
    """Build and validate an Invoice Response; ``findings`` explain an RE or UQ."""
    today = today or dt.date.today()
    document_id = f"IR-{uuid.uuid4().hex}"
    findings = findings or []
    statuses: list[Status] = []
    with translation.override(language):
        reasons: dict[str, list[dict[str, Any]]] = {}
        for item in findings:
            if code == "RE" and not rules.is_fatal(item):
                continue
            reasons.setdefault(rules.reason_code(item), []).append(item)
        for reason, items in reasons.items():
            conditions = [
                Condition(
                    attribute_id=rules.attribute(item) or item.get("rule", "")[:60],
                    descriptions=[f"{rules.explain(item)} [{item.get('rule')}]"[:1000]],
                )
                for item in items[:MAX_CONDITIONS]
            ]
            statuses.append(
                Status(
                    status_reason_code=Code(value=reason, list_id="OPStatusReason"),
                    status_reasons=[
                        _("%(reason)s: %(count)s problem(s) on the invoice.")
                        % {"reason": _(REASON_TEXTS.get(reason, reason)), "count": len(items)}
                    ],
                    conditions=conditions,
                )
            )
        if code == "RE":
            statuses.append(
                Status(
                    status_reason_code=Code(value="NIN", list_id="OPStatusAction"),
                    status_reasons=[note or _("Correct the invoice and send it again as a new invoice.")],
                )
            )
        elif code == "UQ":
            statuses.append(
                Status(
                    status_reason_code=Code(value="PIN", list_id="OPStatusAction"),
                    status_reasons=[note or _("Please answer our question about the invoice.")],
                )
            )
        elif note:
            statuses.append(
                Status(status_reason_code=Code(value="NOA", list_id="OPStatusAction"), status_reasons=[note])
            )
        text = response_text(code=code, findings=findings, note=note, language=language)
    document = InvoiceResponse(
        id=document_id,
        issue_date=today,
        sender_party=_party(sender_endpoint, sender_name),
        receiver_party=_party(receiver_endpoint, receiver_name),
        document_responses=[
            DocumentResponse(
                response=Response(response_code=code, effective_date=today, statuses=statuses),
                document_references=[
                    DocumentReference(
                        id=Identifier(value=invoice_number or "unknown"),
                        issue_date=invoice_issue_date,
                        document_type_code="381" if invoice_kind == "credit_note" else "380",
                    )
                ],
            )
        ],
    )
    content = build(document)
    report = validation.validate(content, transaction="T111")
    return Built(
        content=content,
        document_id=document_id,
        text=text,
        valid=report.valid,
        findings=[f.to_dict() for f in report.findings],
    )
