"""Every official billing example goes through intake with the expected routing or return.

The examples are the official ones kept in ``avrop/edi/tests/standards`` (see SOURCE.md there). For each one
the buyer on the invoice is set up as one of our organisations, with a department whose code is the
invoice's buyer reference, and the seller as its registered supplier; then the file is taken in.
The Swedish SFTI test files use dummy organisation numbers and GLNs that fail their check digits
(PEPPOL-COMMON-R049 / SE-R-013, PEPPOL-COMMON-R040); that is not what they are about, so their numbers are
given valid check digits first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from stdnum import ean, luhn

from avrop.edi.tests._standards import STANDARDS
from avrop.organisations.models import Organisation
from avrop.organisations.tests.factories import DepartmentFactory
from avrop.payables.extract import extract
from avrop.payables.models import Channel, SupplierInvoice
from avrop.payables.services.intake import Incoming, process

PEPPOL_EXAMPLES = STANDARDS / "peppol-billing" / "examples"
SWEDISH_EXAMPLES = STANDARDS / "en16931" / "examples" / "testfiles"
Status = SupplierInvoice.Status
ROUTED = {Status.PRECHECK, Status.NEEDS_REFERENCE, Status.SUSPECTED_DUPLICATE}

# Files that are returned, and the rule that returns them; every other example is routed.
RETURNED = {
    # CEN 1.3.16 requires the seller's legal registration name; this Greek example has none (README).
    "GR-base-example-TaxRepresentative.xml": "BR-06",
    # UBL 2.1 element order: the Greek examples fail the XSD (README).
    "GR-base-example-correct.xml": "XSD",
    # A CEN test file (Norwegian seller) that is not a Peppol BIS document: wrong specification identifier.
    "ubl-tc434-test-1.xml": "PEPPOL-EN16931-R004",
    # Credit notes that do not say which invoice they credit.
    "CreditNote-Min_content_with_VAT.xml": "AVROP-CREDIT-NO-REFERENCE",
    "CreditNote-Min_content_without_VAT.xml": "AVROP-CREDIT-NO-REFERENCE",
}


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xml")) if folder.is_dir() else []


def _fix_org_numbers(text: str) -> str:
    """Give every Swedish organisation number (scheme 0007, and inside SE VAT numbers) and every GLN (scheme
    0088) a valid check digit."""
    numbers = set(re.findall(r'schemeID="0007"\s*>\s*(\d{10})\s*<', text))
    numbers |= set(re.findall(r"SE(\d{10})01", text))
    for number in numbers:
        text = text.replace(number, number[:9] + luhn.calc_check_digit(number[:9]))
    for gln in set(re.findall(r'schemeID="0088"\s*>\s*(\d{13})\s*<', text)):
        text = text.replace(gln, gln[:12] + ean.calc_check_digit(gln[:12]))
    return text


def _example_params() -> list:
    params = [
        pytest.param(p, False, id=f"peppol/{p.relative_to(PEPPOL_EXAMPLES)}") for p in _files(PEPPOL_EXAMPLES)
    ]
    params += [pytest.param(p, True, id=f"sfti/{p.name}") for p in _files(SWEDISH_EXAMPLES)]
    return params


def _set_up_parties(content: bytes) -> None:
    from avrop.suppliers.models import Supplier

    header = extract(etree.fromstring(content))
    assert header is not None
    buyer_endpoint = header.buyer.endpoint or f"0007:{header.buyer.legal_id}"
    buyer = Organisation.objects.create(
        name=header.buyer.name or "Buyer",
        kind=Organisation.Kind.BUYER,
        peppol_id=buyer_endpoint,
        org_number=header.buyer.legal_id or buyer_endpoint.partition(":")[2],
        country="SE",
    )
    if header.buyer_reference:
        DepartmentFactory(organisation=buyer, name="Department", code=header.buyer_reference, gln="")
    seller_endpoint = header.seller.endpoint or f"0007:{header.seller.legal_id}"
    seller = Organisation.objects.create(
        name=header.seller.name or "Seller",
        kind=Organisation.Kind.SUPPLIER,
        peppol_id=seller_endpoint,
        org_number=(header.seller.legal_id or seller_endpoint)[:20],
        country="CH",
    )
    Supplier.objects.create(buyer=buyer, organisation=seller, connection="peppol")


@pytest.mark.parametrize(("path", "swedish"), _example_params())
def test_official_example_is_routed_or_returned(
    db, settings, tmp_path, path, swedish, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    content = path.read_bytes()
    if swedish:
        content = _fix_org_numbers(content.decode("utf-8")).encode("utf-8")
    _set_up_parties(content)
    with django_capture_on_commit_callbacks(execute=True):
        result = process([Incoming(content=content, filename=path.name, channel=Channel.PEPPOL)])
    [invoice] = result.invoices
    fatal = sorted({f["rule"] for f in invoice.findings if f["severity"] == "fatal"})
    if path.name in RETURNED:
        assert invoice.status == Status.RETURNED, invoice.findings
        assert RETURNED[path.name] in fatal
        message = invoice.messages.get()
        assert message.code == "RE"
        if message.via == "peppol" and message.valid:
            assert message.status == "sent"
    else:
        assert invoice.status in ROUTED, fatal
        assert invoice.organisation is not None and invoice.supplier is not None
        if extract(etree.fromstring(content)).buyer_reference:
            assert invoice.department is not None, invoice.findings
        else:
            # Only an order reference, and no ordering module to resolve it yet: the AP clerk picks one.
            assert invoice.status == Status.NEEDS_REFERENCE
