"""The XML and upload attack corpus through every channel that takes a file from outside.

The corpus is generated here (nothing large is committed): billion laughs, quadratic blow-up, external
entities to a local file and to a URL, an external DTD, 50,000 nested elements, bytes that are not in the
declared encoding, an unknown encoding, a file beyond the channel's size limit, a zip bomb in an xlsx, a PNG
that decodes to 400 million pixels, and PDFs with a deflate bomb, a page tree that points at itself and a page
count of a billion.

Each channel is called at its service, as its view, its folder poller or its access point calls it, and must
refuse the file with a message that says what is wrong (an exception carrying the message, or the stored file
set aside with its reason), store no business object half-written, and finish within a few seconds without the
process growing by hundreds of megabytes. Nothing of a local file (``/etc/passwd``) or the laughs' expansion
may appear in the message.

Channels: supplier-invoice upload (the page; the JSON API has no upload route), the Peppol/inbound folder
intake of invoices, scanned-PDF page counting, customer payment files (camt.054 / BGMax), bank feedback
(pain.002 / camt.054), price-list import (Peppol catalogue, xlsx, CSV; also what the supplier portal upload
and the inbound catalogue folder call), item-template import, master-data imports (users, chart of accounts
SIE 4 and table), order responses (T76), despatch advices (T16), punch-out returns (cXML, OCI with
~xmlDocument, T77), service-partner invoices and item pictures (buyer page and supplier portal share
``checked_picture``).
"""

from __future__ import annotations

import base64
import functools
import io
import resource
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from avrop.core.errors import DomainError
from avrop.core.tests.spreadsheet_files import hostile_xlsx, png_bomb
from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db

SECONDS = 10  # per file, on a loaded 2-core machine; most take a few milliseconds
GROWTH_MB = 300  # peak resident size may grow by at most this much over the whole corpus of one channel
SECRET_MARKERS = ("root:x:", "lollollol", "AAAAAAAAAAAAAAAA")

# --- the corpus ------------------------------------------------------------------------------------------

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"


def _doc(root: str, ns: str, doctype: str = "", body: str = "x", *, encoding: str = "UTF-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?>'
    return f'{head}{doctype}<{root} xmlns="{ns}"><Note>{body}</Note></{root}>'.encode()


def laughs(root: str, ns: str) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    return _doc(root, ns, f"<!DOCTYPE {root} [{entities}]>", "&lol9;")


def quadratic(root: str, ns: str) -> bytes:
    big = "A" * 100_000
    return _doc(root, ns, f'<!DOCTYPE {root} [<!ENTITY a "{big}">]>', "&a;" * 20_000)


def xxe_file(root: str, ns: str) -> bytes:
    return _doc(root, ns, f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;")


def xxe_http(root: str, ns: str) -> bytes:
    return _doc(root, ns, f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">]>', "&x;")


def external_dtd(root: str, ns: str) -> bytes:
    return _doc(root, ns, f'<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/evil.dtd">', "x")


def deep(root: str, ns: str) -> bytes:
    depth = 50_000
    return _doc(root, ns, body="<a>" * depth + "x" + "</a>" * depth)


def wrong_encoding(root: str, ns: str) -> bytes:
    return _doc(root, ns, body="Malm\u00f6").replace("Malm\u00f6".encode(), b"Malm\xf6\xff\xfe")


def unknown_encoding(root: str, ns: str) -> bytes:
    return _doc(root, ns, encoding="x-no-such-encoding")


XML_ATTACKS: dict[str, Callable[[str, str], bytes]] = {
    "laughs": laughs,
    "quadratic": quadratic,
    "xxe_file": xxe_file,
    "xxe_http": xxe_http,
    "external_dtd": external_dtd,
    "deep": deep,
    "wrong_encoding": wrong_encoding,
    "unknown_encoding": unknown_encoding,
}


@cache
def zip_bomb_xlsx() -> bytes:
    """A valid-looking xlsx whose one sheet unpacks to 1 GB of spaces (about 1 MB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument'
            '.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship'
            ' Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
            ' Target="worksheets/sheet1.xml"/></Relationships>',
        )
        # Written in chunks so that building the bomb does not itself hold a gigabyte.
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            chunk = b" " * (1024 * 1024)
            for _ in range(1024):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@cache
def pdf_deflate_bomb() -> bytes:
    """One page whose content stream inflates to 256 MB (pypdf stops at 75 MB, pdfminer has no limit)."""
    packer = zlib.compressobj(1)
    packed = b"".join(packer.compress(b"0" * (1024 * 1024)) for _ in range(256)) + packer.flush()
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        ]
    )


def pdf_page_loop() -> bytes:
    """A page tree whose Kids point back at the tree itself."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
        ]
    )


def pdf_huge_count() -> bytes:
    """A page tree claiming a billion pages and a page of 14 400 × 14 400 inches."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1036800 1036800] >>",
        ]
    )


PDF_ATTACKS = {
    "pdf_deflate_bomb": pdf_deflate_bomb,
    "pdf_page_loop": pdf_page_loop,
    "pdf_huge_count": pdf_huge_count,
}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call a service and run what it queued for after commit (staging, the import), as the worker would."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call


# --- measuring one file ----------------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and header declaring ``width`` × ``height`` pixels, and a truncated image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))


@dataclass
class Outcome:
    message: str  # what the person is told
    stored_half: list[str]  # business objects that should not exist


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(call: Callable[[], Outcome | None], refusals: tuple[type[BaseException], ...]) -> Outcome:
    """Call the channel; an exception of ``refusals`` with a message is a refusal. Time is bounded."""
    started = time.monotonic()
    try:
        with translation.override("sv"):
            outcome = call()
    except refusals as exc:
        message = str(getattr(exc, "message", "") or exc)
        outcome = Outcome(message=message, stored_half=[])
    elapsed = time.monotonic() - started
    assert outcome is not None, "the channel accepted the file"
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert outcome.message.strip(), "refused without saying what is wrong"
    assert not any(m in outcome.message for m in SECRET_MARKERS), outcome.message[:300]
    assert not outcome.stored_half, outcome.stored_half
    return outcome


def _corpus_through(
    channel: Callable[[str, bytes], Outcome | None], cases: dict[str, bytes], refusals
) -> None:
    peak = _peak_mb()
    failures = []
    for name, data in cases.items():
        try:
            _run(functools.partial(channel, name, data), refusals)
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)
    assert _peak_mb() - peak < GROWTH_MB, f"peak memory grew by {_peak_mb() - peak:.0f} MB"


def _xml_cases(root: str, ns: str, *, too_large: bytes | None = None) -> dict[str, bytes]:
    cases = {name: make(root, ns) for name, make in XML_ATTACKS.items()}
    if too_large is not None:
        cases["too_large"] = too_large
    return cases


def _too_large_xml(root: str, ns: str, size: int) -> bytes:
    return _doc(root, ns, body="<Line>1</Line>" * (size // 14 + 1))


# --- the channels ----------------------------------------------------------------------------------------


def test_supplier_invoice_upload_and_inbound_intake(make_member, settings, tmp_path):
    """The AP clerk's upload page and the Peppol/folder intake: every attack is stored as evidence and
    flagged unreadable with findings that say why; no supplier invoice is made."""
    from avrop.payables.models import InboundDocument, SupplierInvoice
    from avrop.payables.services.intake import iter_incoming, process
    from avrop.payables.services.upload import invoice_upload

    settings.MEDIA_ROOT = str(tmp_path)
    settings.PAYABLES_MAX_DOCUMENT_BYTES = 256 * 1024
    clerk, buyer = make_member(Role.AP_CLERK)

    def flagged(document: InboundDocument) -> Outcome:
        document.refresh_from_db()
        words = " ".join(str(f.get("message", "")) for f in document.findings if isinstance(f, dict))
        ok = document.status in {InboundDocument.Status.UNREADABLE, InboundDocument.Status.SET_ASIDE}
        return Outcome(
            message=words if ok else "",
            stored_half=[str(i) for i in SupplierInvoice.objects.filter(document=document)],
        )

    def upload(name: str, data: bytes) -> Outcome:
        document, _invoice = invoice_upload(
            actor=clerk, organisation=buyer, content=data, filename=f"{name}.xml"
        )
        return flagged(document)

    def intake(name: str, data: bytes) -> Outcome:
        process(iter_incoming([(f"in-{name}.xml", data + b"<!-- intake -->")]))
        return flagged(InboundDocument.objects.get(filename=f"in-{name}.xml"))

    cases = _xml_cases("Invoice", UBL_INVOICE, too_large=_too_large_xml("Invoice", UBL_INVOICE, 300 * 1024))
    _corpus_through(upload, cases, (DomainError,))
    _corpus_through(intake, cases, (DomainError,))
    assert SupplierInvoice.objects.count() == 0


def test_scanned_pdf_reading_counts_pages_of_hostile_pdfs():
    """The PDF reading counts pages and reads the text layer: a hostile PDF has none, found quickly."""
    from avrop.payables.scanning import reading

    peak = _peak_mb()
    for name, make in PDF_ATTACKS.items():
        data = make()
        started = time.monotonic()
        pages = reading.page_count(data)
        # The text layer is read at intake, in the request: pdfplumber inflated the deflate bomb's gigabyte
        # (minutes, gigabytes of memory) until the decoded size was bounded first.
        text = reading.text_pages(data)
        assert time.monotonic() - started < SECONDS, name
        assert pages in (0, 1), f"{name}: {pages} pages"
        assert not any(t.strip() for t in text), f"{name}: {text!r:.100}"
    assert _peak_mb() - peak < GROWTH_MB


def test_pdf_invoice_upload_of_hostile_pdfs(make_member, settings, tmp_path):
    """A PDF invoice is registered by hand, so it is accepted; a hostile one must not break that: it is
    stored, no 500, bounded time, and nothing tries to render a billion pages."""
    from avrop.payables.models import InboundDocument
    from avrop.payables.services.upload import invoice_upload

    settings.MEDIA_ROOT = str(tmp_path)
    clerk, buyer = make_member(Role.AP_CLERK)
    peak = _peak_mb()
    for name, make in PDF_ATTACKS.items():
        data = make()
        started = time.monotonic()
        with translation.override("sv"):
            try:
                document, _invoice = invoice_upload(
                    actor=clerk, organisation=buyer, content=data, filename=f"{name}.pdf"
                )
            except DomainError as exc:
                assert exc.message
                continue
        assert time.monotonic() - started < SECONDS, name
        assert document.status != InboundDocument.Status.RECEIVED, name
    assert _peak_mb() - peak < GROWTH_MB


def test_customer_payment_files(make_member):
    from avrop.receivables.models import Payment, PaymentFile
    from avrop.receivables.services.payments import payment_file_import

    clerk, seller = make_member(Role.AR_CLERK)

    def payment_file(name: str, data: bytes) -> Outcome:
        payment_file_import(actor=clerk, organisation=seller, name=f"{name}.xml", content=data)
        return Outcome(message="", stored_half=["accepted"])

    cases = _xml_cases("Document", "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02")
    cases["bgmax_wrong_encoding"] = b"01BGMAX               0120\xff\xfe\x00" + b"\n" * 3
    cases["bgmax_huge_line"] = b"01BGMAX" + b"9" * 5_000_000
    _corpus_through(payment_file, cases, (DomainError,))
    assert Payment.objects.count() == 0
    assert PaymentFile.objects.count() == 0


def test_bank_feedback_files():
    from avrop.payables.payments import bankfiles

    for ns in (
        "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03",
        "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02",
    ):
        _corpus_through(
            lambda _n, d: bankfiles.parse(d) and None, _xml_cases("Document", ns), (bankfiles.BankFileError,)
        )


def test_price_list_import(make_member, committed, settings, tmp_path):
    """Upload page, supplier portal and inbound folder all call ``price_list_receive``: the version ends
    FAILED with the reason, and no catalogue item is made."""
    from avrop.catalogue.models import CatalogueItem, CatalogueVersion
    from avrop.catalogue.services import imports
    from avrop.catalogue.tests.factories import setup_agreement

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    settings.CATALOGUE_MAX_FILE_BYTES = 512 * 1024
    coordinator, _requisitioner, buyer, agreement = setup_agreement(make_member)

    def receive(name: str, data: bytes, suffix: str) -> Outcome:
        version = committed(
            imports.price_list_receive,
            actor=coordinator,
            organisation=buyer,
            agreement_id=agreement.pk,
            source=io.BytesIO(data),
            filename=f"{name}.{suffix}",
            channel="upload",
            size=len(data),
        )
        version.refresh_from_db()
        return Outcome(
            message=version.failure if version.status == CatalogueVersion.Status.FAILED else "",
            stored_half=[str(i) for i in CatalogueItem.objects.filter(agreement=agreement)[:3]],
        )

    peppol = _xml_cases("Catalogue", "urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2")
    _corpus_through(lambda n, d: receive(n, d, "xml"), peppol, (DomainError,))
    sheets = {
        "zip_bomb": zip_bomb_xlsx(),
        "hostile_dimension": hostile_xlsx(headers=("Artikelnummer", "Benämning", "Pris")),
        "not_a_zip": b"PK\x03\x04" + b"\x00" * 200,
        "too_large": b"PK\x03\x04" + b"\x00" * (600 * 1024),
    }
    _corpus_through(lambda n, d: receive(n, d, "xlsx"), sheets, (DomainError,))
    texts = {
        "csv_wrong_encoding": b"Artikelnummer;Ben\xe4mning;Pris\n1;\xff\xfe\x00\x81;1\n",
        "csv_binary": bytes(range(256)) * 50,
        "csv_one_huge_line": b"Artikelnummer;Ben\xc3\xa4mning;Pris\n" + b"x" * (400 * 1024) + b"\n",
    }
    _corpus_through(lambda n, d: receive(n, d, "csv"), texts, (DomainError,))


def test_item_template_import():
    from avrop.catalogue.services import templates

    cases = {"zip_bomb": zip_bomb_xlsx(), "hostile_dimension": hostile_xlsx(), "garbage": b"PK\x03\x04broken"}
    _corpus_through(
        lambda n, d: templates.template_import_rows(stream=io.BytesIO(d), filename=f"{n}.xlsx") and None,
        cases,
        (DomainError,),
    )


@pytest.mark.parametrize("kind", ["users", "chart_table", "chart_sie"])
def test_master_data_imports(make_member, committed, kind):
    """Users, accounts and dimension objects (CSV/XLSX) and the chart of accounts in SIE 4."""
    from avrop.organisations.models import ImportJob, User

    admin, organisation = make_member(Role.ADMIN)
    users_before = User.objects.count()
    from avrop.organisations.services.imports import import_job_create

    def create(name: str, data: bytes, suffix: str) -> Outcome:
        job = committed(
            import_job_create,
            actor=admin,
            organisation=organisation,
            kind=kind,
            filename=f"{name}.{suffix}",
            content=data,
            inline=True,
        )
        job.refresh_from_db()
        refused = job.status in {ImportJob.Status.FAILED, ImportJob.Status.REJECTED}
        text = job.failure or " ".join(
            str(r.get("message", r)) if isinstance(r, dict) else str(r) for r in job.report
        )
        return Outcome(message=text, stored_half=[] if refused else [f"{job.status}: {job.summary}"])

    if kind == "chart_sie":
        cases = {
            "sie_binary": bytes(range(256)) * 100,
            "sie_huge_line": b"#FLAGGA 0\n#KONTO 1910 " + b'"' + b"x" * 2_000_000 + b'"\n',
        }
        _corpus_through(lambda n, d: create(n, d, "se"), cases, (DomainError,))
        # PC8 (CP437) gives every byte a character, so SIE has no wrong encoding: the account is imported,
        # with its control characters (a NUL broke the save on PostgreSQL) shown as U+FFFD.
        odd = create("sie_odd_bytes", b'#FLAGGA 0\n#SIETYP 4\n#KONTO 1910 "Kassa \xff\xfe\x00"\n', "se")
        assert odd.stored_half and odd.stored_half[0].startswith("done"), odd
        from avrop.organisations.models import Account

        names = list(Account.objects.filter(number="1910").values_list("name", flat=True))
        assert names and not any("\x00" in name for name in names), names
    else:
        sheets = {
            "zip_bomb": zip_bomb_xlsx(),
            "hostile_dimension": hostile_xlsx(),
            "garbage": b"PK\x03\x04broken",
        }
        _corpus_through(lambda n, d: create(n, d, "xlsx"), sheets, (DomainError,))
        texts = {"csv_wrong_encoding": b"a;b\n\xff\xfe\x00\x81;1\n", "csv_binary": bytes(range(256)) * 50}
        _corpus_through(lambda n, d: create(n, d, "csv"), texts, (DomainError,))
    assert User.objects.count() == users_before


def test_order_responses_and_despatch_advices(settings, tmp_path):
    from avrop.fulfilment.models import InboundDespatch
    from avrop.fulfilment.services.despatch import despatch_advice_receive
    from avrop.ordering.models import OrderResponse
    from avrop.ordering.services.responses import order_response_receive

    settings.MEDIA_ROOT = str(tmp_path)

    def response(name: str, data: bytes) -> Outcome:
        answer = order_response_receive(content=data, filename=f"{name}.xml")
        refused = answer.outcome == OrderResponse.Outcome.INVALID
        return Outcome(message=answer.reason if refused else "", stored_half=[] if refused else [str(answer)])

    def despatch(name: str, data: bytes) -> Outcome:
        inbound = despatch_advice_receive(content=data, filename=f"{name}.xml")
        refused = inbound.outcome == InboundDespatch.Outcome.INVALID
        return Outcome(
            message=inbound.reason if refused else "", stored_half=[] if refused else [str(inbound)]
        )

    _corpus_through(
        response,
        _xml_cases("OrderResponse", "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"),
        (),
    )
    _corpus_through(
        despatch,
        _xml_cases("DespatchAdvice", "urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2"),
        (),
    )


def test_punch_out_returns():
    from avrop.catalogue.punch_out import protocols

    refusals = (protocols.ReturnError,)
    cxml = _xml_cases("cXML", "")
    _corpus_through(lambda _n, d: protocols.cxml_order_message_parse(d) and None, cxml, refusals)
    oci = {
        name: {"~xmlDocument": base64.b64encode(data).decode(), "~xml-type": "ESAPO-V1.0"}
        for name, data in cxml.items()
    }
    oci["not_base64"] = {"~xmlDocument": "%%%not base64%%%"}
    _corpus_through(
        lambda _n, form: protocols.cxml_order_message_parse(protocols.cxml_form_document(form)) and None,
        oci,
        refusals,
    )
    t77 = _xml_cases("Order", "urn:oasis:names:specification:ubl:schema:xsd:Order-2")
    _corpus_through(lambda _n, d: protocols.t77_parse(d) and None, t77, refusals)


def test_service_partner_invoice_files():
    from avrop.serviceorders import checks

    _corpus_through(
        lambda _n, d: checks.read_peppol(d) and None, _xml_cases("Invoice", UBL_INVOICE), (checks.Unreadable,)
    )


def test_item_pictures():
    """The buyer's item page and the supplier portal's item picture both use ``checked_picture``."""
    from avrop.catalogue.services.shop_window import checked_picture

    cases = {
        "png_bomb": png_bomb(),
        "png_header_only": png_header(100_000, 100_000),
        "svg_with_entities": laughs("svg", "http://www.w3.org/2000/svg"),
        "pdf_bomb": pdf_deflate_bomb(),
        "too_large": b"\x89PNG\r\n\x1a\n" + b"\x00" * (6 * 1024 * 1024),
    }
    _corpus_through(
        lambda n, d: checked_picture(SimpleUploadedFile(f"{n}.png", d)) and None, cases, (DomainError,)
    )
