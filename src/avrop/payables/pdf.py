"""PDF invoices from suppliers that cannot send e-invoices: the text, and what can be read from it reliably.

pypdf (pure Python, pinned in pyproject.toml and requirements.lock) extracts the text of text-based PDFs.
A value is pre-filled only when a labelled field gives exactly one distinct, well-formed value; anything
ambiguous is left for the clerk. Scanned PDFs have no text, so nothing is pre-filled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum import luhn

logger = logging.getLogger(__name__)

MAX_PAGES = 20
_SPACE = re.compile(r"\s+")


def is_pdf(content: bytes) -> bool:
    return content[:1024].lstrip().startswith(b"%PDF-")


def text_of(content: bytes) -> str:
    """The text of the first pages, or "" when the PDF has none or cannot be read."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return ""
        parts = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
    except Exception:  # a broken PDF must not break intake; pypdf raises many types
        logger.info("PDF text extraction failed", exc_info=True)
        return ""
    return "\n".join(parts)


def fingerprint(text: str) -> str:
    """SHA-256 of the text with whitespace normalised: the same invoice printed twice gives the same value."""
    normalised = _SPACE.sub(" ", text).strip().lower()
    return hashlib.sha256(normalised.encode()).hexdigest() if len(normalised) >= 40 else ""


_DATE = r"(\d{4}-\d{2}-\d{2})"
_AMOUNT = r"(-?\d{1,3}(?:[ \u00a0.]\d{3})*(?:,\d{2})|-?\d+(?:[.,]\d{2}))"
_LABELS: dict[str, list[str]] = {
    "number": [r"(?:fakturanummer|fakturanr|invoice (?:number|no))\.?\s*:?\s*([A-Z0-9][A-Z0-9\-/]{0,30})"],
    "issue_date": [rf"(?:fakturadatum|invoice date)\s*:?\s*{_DATE}"],
    "due_date": [rf"(?:förfallodatum|förfallodag|due date)\s*:?\s*{_DATE}"],
    "payable_amount": [
        rf"(?:att betala|summa att betala|total(?:t)? att betala|amount due)\s*:?\s*(?:SEK\s*)?{_AMOUNT}"
    ],
    "tax_amount": [rf"(?:moms|mervärdesskatt|vat)\s*(?:25\s*%|12\s*%|6\s*%)?\s*:?\s*(?:SEK\s*)?{_AMOUNT}"],
    "bankgiro": [r"(?:bankgiro|bg)\.?\s*:?\s*(\d{3,4}-\d{4})"],
    "plusgiro": [r"(?:plusgiro|pg)\.?\s*:?\s*(\d{1,7}-\d)"],
    "payment_reference": [r"(?:ocr(?:-nummer)?|ocr number)\s*:?\s*(\d{2,25})"],
    "buyer_reference": [r"(?:er referens|ert referensnummer|your reference|referens)\s*:?\s*([^\n]{2,60})"],
    "seller_org_number": [
        r"(?:org\.?\s*nr|organisationsnummer|org(?:anisation)? number)\.?\s*:?\s*(\d{6}-\d{4})"
    ],
}


def _amount(raw: str) -> Decimal | None:
    cleaned = raw.replace("\u00a0", " ").replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return Decimal(cleaned).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def prefill(text: str) -> dict[str, Any]:
    """The values that one labelled field gives unambiguously; JSON-ready (dates and amounts as text)."""
    found: dict[str, Any] = {}
    for name, patterns in _LABELS.items():
        values: set[str] = set()
        for pattern in patterns:
            for match in re.finditer(pattern, text, flags=re.IGNORECASE):
                values.add(match.group(1).strip())
        if len(values) != 1:
            continue
        value = values.pop()
        if name in {"issue_date", "due_date"}:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                continue
        elif name in {"payable_amount", "tax_amount"}:
            amount = _amount(value)
            if amount is None:
                continue
            value = str(amount)
        elif name == "seller_org_number" and not luhn.is_valid(value.replace("-", "")):
            continue
        found[name] = value
    if "bankgiro" in found:
        found["payee_account"] = found.pop("bankgiro")
        found.pop("plusgiro", None)
    elif "plusgiro" in found:
        found["payee_account"] = found.pop("plusgiro")
    return found
