"""Read a PDF invoice: its text layer page by page (pdfplumber), or a scan by OCR (OCRmyPDF with Tesseract,
Swedish and English), and the registration values that one labelled field gives unambiguously, each with
its source.

Prefilled values are stored on ``SupplierInvoice.pdf_prefill`` as before (field name → text), with one more
key, ``_sources``: field name → ``{"how": "text" | "ocr" | "register", "page": n}``, which the registration
page shows beside the form ("read from the text layer, page 1", "read by OCR, page 2", "from the supplier
register"). The recognisers are those of :mod:`avrop.payables.pdf`; this module adds pages and sources.

OCR needs the Debian packages ``ocrmypdf``, ``tesseract-ocr`` and ``tesseract-ocr-swe`` (installed by
``.ci/run``). It runs one page at a time, so that a task can report its progress; a page takes a few seconds.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from avrop.payables import pdf

logger = logging.getLogger(__name__)

MAX_PAGES = pdf.MAX_PAGES
MAX_OCR_PAGES = 10  # an invoice; a 300-page scan is not one, and only its first pages are read
OCR_LANGUAGES = "swe+eng"
OCR_PAGE_SECONDS = 180
PAGE_BREAK = "\f"
SOURCES = "_sources"
# What a prefilled value may be: the registration form's fields and the supplier's identifiers.
FIELDS = (
    "number",
    "issue_date",
    "due_date",
    "payable_amount",
    "tax_amount",
    "buyer_reference",
    "payee_account",
    "payment_reference",
    "currency",
    "seller_org_number",
)
MIN_RECOGNISED_CHARACTERS = 20
# The decoded page content of the pages read, at most. An invoice page needs a few hundred kilobytes; a
# deflate bomb of a megabyte inflates to gigabytes, and pdfminer (under pdfplumber) has no limit of its own.
MAX_CONTENT_BYTES = 8 * 1024 * 1024


class OcrUnavailable(RuntimeError):
    """OCRmyPDF, Tesseract or its Swedish language data is not installed."""


class OcrFailed(RuntimeError):
    """OCRmyPDF could not process the file (broken or encrypted PDF, a page too large, a timeout)."""


def _within_limits(content: bytes) -> bool:
    """Whether the content streams of the pages read decode to at most ``MAX_CONTENT_BYTES``, measured by
    pypdf with its decompression limits lowered to that size, before pdfplumber inflates anything."""
    try:
        from pypdf import PdfReader, apply_configuration

        with apply_configuration(
            zlib_maximum_output_length=MAX_CONTENT_BYTES,
            lzw_maximum_output_length=MAX_CONTENT_BYTES,
            run_length_maximum_output_length=MAX_CONTENT_BYTES,
            brotli_maximum_output_length=MAX_CONTENT_BYTES,
            array_based_stream_maximum_output_length=MAX_CONTENT_BYTES,
        ):
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                return True  # pdfplumber reads only what it can decrypt with an empty password
            total = 0
            for page in reader.pages[:MAX_PAGES]:
                contents = page.get_contents()
                total += len(contents.get_data()) if contents is not None else 0
                if total > MAX_CONTENT_BYTES:
                    return False
    except Exception:  # pypdf raises many types, LimitReachedError among them
        logger.info("PDF refused before text extraction", exc_info=True)
        return False
    return True


def text_pages(content: bytes) -> list[str]:
    """The text layer of the first pages, one string per page; [] when the PDF has none or cannot be read,
    or when its pages would decode to more than ``MAX_CONTENT_BYTES`` (a decompression bomb)."""
    if not _within_limits(content):
        return []
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(content)) as document:
            return [page.extract_text() or "" for page in document.pages[:MAX_PAGES]]
    except Exception:  # a broken PDF must not break intake; pdfminer raises many types
        logger.info("PDF text extraction failed", exc_info=True)
        return []


def text_of(content: bytes) -> str:
    """The text layer with the pages separated by form feeds ("" for a scan)."""
    pages = text_pages(content)
    return PAGE_BREAK.join(pages) if any(p.strip() for p in pages) else ""


# OCR sometimes loses the Swedish letters of a label ("Forfallodatum"); the labels are put right before the
# recognisers of ``pdf`` look for them. Only labels are touched, never the values after them.
_OCR_LABELS = [
    (re.compile(r"\bf[o0]rfallo(datum|dag)\b", re.IGNORECASE), r"förfallo\1"),
    (re.compile(r"\bmervardesskatt\b", re.IGNORECASE), "mervärdesskatt"),
    (re.compile(r"\bOCR[- ]?nr\b", re.IGNORECASE), "OCR-nummer"),
]


def _repair_ocr_labels(text: str) -> str:
    for pattern, replacement in _OCR_LABELS:
        text = pattern.sub(replacement, text)
    return text


def prefill(pages: list[str], *, how: str) -> dict[str, Any]:
    """The values the pages give unambiguously (see ``pdf.prefill``), with the page each was read from."""
    if how == "ocr":
        pages = [_repair_ocr_labels(page) for page in pages]
    found = _with_currency(pdf.prefill("\n".join(pages)), "\n".join(pages))
    sources: dict[str, dict[str, Any]] = {}
    per_page = [_with_currency(pdf.prefill(page), page) for page in pages]
    for name, value in found.items():
        page = next((i for i, values in enumerate(per_page, start=1) if values.get(name) == value), None)
        sources[name] = {"how": how, "page": page}
    return {**found, SOURCES: sources}


_CURRENCY = re.compile(r"\b(SEK|EUR|NOK|DKK|USD|GBP)\b")


def _with_currency(found: dict[str, Any], text: str) -> dict[str, Any]:
    """The currency, when the text names exactly one ISO code (an invoice in kronor says SEK)."""
    codes = set(_CURRENCY.findall(text))
    return {**found, "currency": codes.pop()} if len(codes) == 1 else found


def with_supplier(prefilled: dict[str, Any], *, buyer: Any, sender: Any = None) -> tuple[dict[str, Any], Any]:
    """The supplier relation of the buyer that the PDF names: the portal's sender, else the organisation
    number, else the bankgiro or plusgiro printed on it, looked up in the supplier register."""
    from avrop.suppliers.models import BankAccount, Supplier

    if buyer is None:
        return prefilled, None
    suppliers = Supplier.objects.filter(buyer=buyer).select_related("organisation")
    supplier, via = None, ""
    if sender is not None:
        supplier, via = suppliers.filter(organisation=sender).first(), "sender"
    org_number = prefilled.get("seller_org_number", "")
    if supplier is None and org_number:
        supplier, via = suppliers.filter(organisation__org_number=org_number).first(), "org_number"
    account = prefilled.get("payee_account", "")
    if supplier is None and account:
        digits = account.replace("-", "").replace(" ", "")
        match = (
            BankAccount.objects.filter(supplier__buyer=buyer, number__in={account, digits})
            .exclude(status=BankAccount.Status.RETIRED)
            .select_related("supplier__organisation")
            .order_by("pk")
            .first()
        )
        supplier, via = (match.supplier, "payee_account") if match is not None else (None, "")
    if supplier is not None:
        prefilled = {
            **prefilled,
            SOURCES: {**prefilled.get(SOURCES, {}), "supplier": {"how": "register", "via": via}},
        }
    return prefilled, supplier


# --- OCR --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tools:
    ocrmypdf: str
    tesseract: str


def ocr_tools() -> Tools:
    """The OCR programs, or OcrUnavailable naming the Debian package that is missing."""
    ocrmypdf, tesseract = shutil.which("ocrmypdf"), shutil.which("tesseract")
    if ocrmypdf is None:
        raise OcrUnavailable("ocrmypdf is not installed (Debian package ocrmypdf).")
    if tesseract is None:
        raise OcrUnavailable("tesseract is not installed (Debian package tesseract-ocr).")
    languages = subprocess.run(
        [tesseract, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.split()
    if "swe" not in languages:
        raise OcrUnavailable("Tesseract has no Swedish (Debian package tesseract-ocr-swe).")
    return Tools(ocrmypdf, tesseract)


def page_count(content: bytes) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(content), strict=False).pages)
    except Exception:
        logger.info("PDF page count failed", exc_info=True)
        return 0


def ocr_pages(content: bytes, *, on_page: Callable[[int, int], None] | None = None) -> list[str]:
    """OCR of the first pages, one string per page; ``on_page(done, total)`` after each page.

    Raises OcrUnavailable without the programs, OcrFailed when OCRmyPDF refuses the file."""
    tools = ocr_tools()
    total = min(page_count(content), MAX_OCR_PAGES)
    if total == 0:
        raise OcrFailed("The PDF has no pages that can be read (it is broken or encrypted).")
    pages: list[str] = []
    with tempfile.TemporaryDirectory(prefix="avrop-ocr-") as work:
        source = Path(work) / "in.pdf"
        source.write_bytes(content)
        for number in range(1, total + 1):
            sidecar = Path(work) / f"page-{number}.txt"
            command = [
                tools.ocrmypdf,
                "-l",
                OCR_LANGUAGES,
                "--force-ocr",
                "--pages",
                str(number),
                "--jobs",
                "1",
                "--quiet",
                "--output-type",
                "none",
                "--sidecar",
                str(sidecar),
                str(source),
                "-",
            ]
            try:
                run = subprocess.run(
                    command, capture_output=True, timeout=OCR_PAGE_SECONDS, check=False, cwd=work
                )
            except subprocess.TimeoutExpired as exc:
                raise OcrFailed(f"OCR of page {number} took longer than {OCR_PAGE_SECONDS} s.") from exc
            if run.returncode != 0:
                error = run.stderr.decode("utf-8", "replace").strip()[-1500:]
                raise OcrFailed(f"OCRmyPDF exit code {run.returncode} on page {number}: {error}")
            text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
            parts = text.split(PAGE_BREAK)
            # The sidecar has one part per page of the document; pages not asked for say "OCR skipped".
            pages.append(parts[number - 1] if len(parts) >= number else text)
            if on_page is not None:
                on_page(number, total)
    return pages


def recognised(pages: list[str]) -> bool:
    """Whether OCR found any words at all (a blank or unreadable scan gives none)."""
    return sum(ch.isalnum() for page in pages for ch in page) >= MIN_RECOGNISED_CHARACTERS
