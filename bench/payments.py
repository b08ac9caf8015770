"""Supplier payments: a payment proposal of approved invoices built, approved by two people, and its ISO
20022 pain.001.001.09 file written and validated against the official XSD.

    python bench/payments.py              # 10,000 invoices; target: proposal built + file made < 10 s
    python bench/payments.py --quick      # 300 invoices (< 30 s), run by the test suite; no target checked
    python bench/payments.py --size N

Prints one figure per line as ``name: value unit``. A throwaway database (SQLite file in a temporary folder,
or a database of its own on the server of DATABASE_URL) with one buyer, 200 suppliers with verified
bankgiro, plusgiro or IBAN accounts, and N approved invoices due within three weeks (half with an OCR
reference, a tenth with a cash discount).

Figures
    raw_build_and_validate_s   baseline: the same payments as plain objects, ``pain001.build`` + XSD check
    proposal_build_s           the service: choose invoices, pay dates, accounts, references; write lines
    approvals_s                two approvals (each checks the bank details of every line)
    release_s                  the service: the file built, XSD-validated, stored, the lines marked sent
    proposal_and_file_s        proposal_build_s + release_s (the target)
    service_vs_raw             proposal_and_file_s / raw_build_and_validate_s
    file_bytes / payments      what was written (checked exactly)
The machine may be shared with other work; the figures are what this run measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from _support import Targets, scratch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("AVROP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.test_settings")

FULL_SIZE = 10_000
TARGET_SECONDS = 10.0
SUPPLIERS = 200


def _luhn(base: str) -> str:
    from stdnum import luhn

    return base + luhn.calc_check_digit(base)


def build_world(size: int):  # noqa: ANN201 - Django models are imported after setup
    from avrop.core.demo import se_org_number
    from avrop.organisations.models import Membership, Organisation, User
    from avrop.payables.models import (
        InboundDocument,
        PaymentSettings,
        SupplierInvoice,
        SupplierPaymentTerms,
    )
    from avrop.suppliers.models import BankAccount, Supplier

    buyer_number = se_org_number("212000118")
    buyer = Organisation.objects.create(name="Österlens kommun", kind="buyer", org_number=buyer_number)
    clerks = []
    for name in ("clerk-a", "clerk-b"):
        user = User.objects.create(username=name, first_name=name)
        Membership.objects.create(user=user, organisation=buyer, role="ap_clerk")
        clerks.append(user)
    PaymentSettings.objects.create(organisation=buyer, debtor_account=_luhn("5555666"))
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Leverantör {n} AB", kind="supplier", org_number=se_org_number(f"5560{n:05d}"))
            for n in range(SUPPLIERS)
        ]
    )
    suppliers = Supplier.objects.bulk_create(
        [Supplier(buyer=buyer, organisation=o, connection="peppol") for o in organisations]
    )
    accounts = []
    for n, supplier in enumerate(suppliers):
        if n % 10 == 9:
            kind, number, bic = "iban", "SE4550000000058398257466", "ESSESESS"
        elif n % 10 == 8:
            kind, number, bic = "plusgiro", _luhn(f"{4000 + n}"), ""
        else:
            kind, number, bic = "bankgiro", _luhn(f"57{n:05d}"), ""
        accounts.append(BankAccount(supplier=supplier, kind=kind, number=number, bic=bic, status="verified"))
    BankAccount.objects.bulk_create(accounts)
    SupplierPaymentTerms.objects.bulk_create(
        [
            SupplierPaymentTerms(supplier=s, discount_percent=Decimal(2), discount_days=10)
            for s in suppliers[::10]
        ]
    )
    today = dt.date.today()
    documents = InboundDocument.objects.bulk_create(
        [
            InboundDocument(
                sha256=f"{n:064x}",
                channel="peppol",
                size=1000,
                storage_name=f"bench/{n}.xml",
                status="processed",
            )
            for n in range(size)
        ],
        batch_size=2000,
    )
    invoices = []
    for n, document in enumerate(documents):
        supplier = suppliers[n % SUPPLIERS]
        amount = Decimal(1000 + (n * 37) % 90_000) / 4
        invoices.append(
            SupplierInvoice(
                document=document,
                channel="peppol",
                status="approved",
                organisation=buyer,
                supplier=supplier,
                seller_key=f"0007:{supplier.organisation.org_number}",
                seller_name=supplier.organisation.name,
                number=f"B-{n}",
                issue_date=today - dt.timedelta(days=5),
                due_date=today + dt.timedelta(days=n % 21),
                currency="SEK",
                net_amount=(amount * 4 / 5).quantize(Decimal("0.01")),
                tax_amount=(amount / 5).quantize(Decimal("0.01")),
                payable_amount=amount.quantize(Decimal("0.01")),
                payment_reference=_luhn(f"{100000 + n}") if n % 2 else "",
            )
        )
    SupplierInvoice.objects.bulk_create(invoices, batch_size=2000)
    return buyer, clerks


def raw_baseline(size: int) -> float:
    """The same number of payments as plain objects: only the XML and the XSD check, no database."""
    from avrop.payables.payments import pain001

    debtor = pain001.Debtor("Österlens kommun", "212000-1180", "", "bankgiro", _luhn("5555666"), "")
    today = dt.date.today()
    payments = [
        pain001.Payment(
            end_to_end_id=f"BP-000001-{n}",
            instruction_id=f"BP-000001-{n}",
            pay_date=today + dt.timedelta(days=n % 21),
            amount=Decimal(1000 + n % 9000) / 4,
            currency="SEK",
            creditor_name=f"Leverantör {n % SUPPLIERS} AB",
            account_kind="bankgiro",
            account=_luhn(f"57{n % SUPPLIERS:05d}"),
            bic="",
            reference_kind="ocr" if n % 2 else "text",
            reference=_luhn(f"{100000 + n}") if n % 2 else f"Faktura B-{n}",
        )
        for n in range(size)
    ]
    start = time.perf_counter()
    content = pain001.build(
        message_id="RAW", created_at=dt.datetime.now(dt.UTC), debtor=debtor, payments=payments
    )
    assert pain001.problems(content) == []
    return time.perf_counter() - start


def measure(args: argparse.Namespace, tmp: str, size: int) -> int:
    targets = Targets(checked=not args.quick and size == FULL_SIZE)
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["AVROP_DATA_DIR"] = tmp

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"avrop_bench_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from avrop.payables.models import PaymentFile, PaymentLine
        from avrop.payables.payments import pain001, services

        pain001.schema()  # loaded once per process, like in a running worker
        buyer, (first, second) = build_world(size)
        print(f"invoices: {size} invoices")
        raw = raw_baseline(size)
        print(f"raw_build_and_validate_s: {raw:.3f} s")

        start = time.perf_counter()
        proposal = services.proposal_start(
            actor=first, organisation=buyer, pay_until=dt.date.today() + dt.timedelta(days=30)
        )
        proposal.refresh_from_db()  # built by the task after commit (run in-process here)
        build = time.perf_counter() - start
        print(f"proposal_build_s: {build:.3f} s")
        targets.check(
            proposal.line_count == size, f"{proposal.line_count} of {size} invoices in the proposal"
        )

        start = time.perf_counter()
        services.proposal_approve(actor=first, proposal_id=proposal.pk)
        services.proposal_approve(actor=second, proposal_id=proposal.pk)
        print(f"approvals_s: {time.perf_counter() - start:.3f} s")

        start = time.perf_counter()
        payment_file = services.proposal_release(actor=first, proposal_id=proposal.pk)
        release = time.perf_counter() - start
        print(f"release_s: {release:.3f} s")
        total = build + release
        print(f"proposal_and_file_s: {total:.3f} s")
        print(f"service_vs_raw: {total / raw:.2f} x")
        print(f"file_bytes: {payment_file.size} bytes")
        print(f"payments: {payment_file.transaction_count} payments")

        content = bytes(payment_file.content)
        targets.check(pain001.problems(content) == [], "the stored file passes the pain.001.001.09 XSD")
        targets.check(payment_file.transaction_count == size, "every invoice is in the file once")
        again = services.proposal_release(actor=second, proposal_id=proposal.pk)
        targets.check(
            again.pk == payment_file.pk and PaymentFile.objects.count() == 1,
            "making the file again returns the same file",
        )
        targets.check(
            PaymentLine.objects.filter(status="sent").count() == size, "every payment line is marked sent"
        )
        targets.target(
            total < TARGET_SECONDS,
            f"proposal of {FULL_SIZE:,} invoices built, validated and written in under "
            f"{TARGET_SECONDS:.0f} s (measured {total:.2f} s)",
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return targets.exit_code()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (under 30 s), used by the test suite")
    parser.add_argument("--size", type=int, default=FULL_SIZE, help=f"invoices (default {FULL_SIZE:,})")
    args = parser.parse_args()
    size = 300 if args.quick else max(args.size, 1)
    if args.quick:
        print("# quick run: 300 invoices; the 10,000-invoice target is not checked at this size")
    with scratch("avrop-bench-payments-") as folder:
        return measure(args, str(folder), size)


if __name__ == "__main__":
    sys.exit(main())
