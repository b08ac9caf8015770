"""Incoming payments: a BgMax file read and matched against open customer invoices.

    python bench/receivables_match.py             # 100,000 payments against 200,000 open invoices
    python bench/receivables_match.py --quick     # 2,000 against 4,000; no target checked
    python bench/receivables_match.py --size N    # N payments against 2·N invoices

Prints one figure per line as ``name: value unit``. A throwaway database (SQLite file in a temporary folder,
or a database of its own on the server of DATABASE_URL) with one organisation, 1,000 customers and 2·N
sent invoices with OCR references. The file pays half of them: 90 % by a valid OCR reference, 5 % with a
wrong check digit (must go to the queue), 5 % without reference but with the payer's organisation number and
the exact amount (matched by amount and customer).

Figures
    raw_match_s          baseline in the same run: the same file parsed, its payments loaded into a staging
                         table and booked with one set-based UPDATE … FROM (OCR matches only)
    service_s            ``payment_file_import``: checks, stores the raw file, books, matches, audits
    payments_per_s       service throughput
    raw_payments_per_s   baseline throughput
    service_vs_raw       service throughput / baseline throughput (target: at least 25 %)
    peak_rss_mb          the process's peak resident memory after the run
The machine may be shared with other work; the figures are what this run measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

from _support import Targets, scratch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("AVROP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.test_settings")

FULL_SIZE = 100_000
CUSTOMERS = 1_000
TARGET_RATIO = 0.25
BANKGIRO = "5050-1055"
AMOUNT = Decimal("1250.00")


def build_world(size: int):  # noqa: ANN201 - Django models are imported after setup
    from avrop.core.demo import se_org_number
    from avrop.organisations.models import Membership, Organisation, User
    from avrop.organisations.roles import Role
    from avrop.receivables import ocr
    from avrop.receivables.models import Customer, CustomerInvoice, ReceivablesSettings

    seller_number = se_org_number("202100321")
    seller = Organisation.objects.create(name="Bench-myndigheten", kind="buyer", org_number=seller_number)
    clerk = User.objects.create(username="bench-clerk")
    Membership.objects.create(user=clerk, organisation=seller, role=Role.AR_CLERK)
    ReceivablesSettings.objects.create(organisation=seller, bankgiro=BANKGIRO)
    customers = Customer.objects.bulk_create(
        Customer(
            organisation=seller,
            number=str(1000 + n),
            name=f"Kund {n}",
            org_number=se_org_number(f"55{n:07d}"),
            delivery="email",
            email=f"kund{n}@example.se",
        )
        for n in range(CUSTOMERS)
    )
    day = dt.date(2026, 11, 2)
    invoices = []
    for n in range(2 * size):
        number = str(10001 + n)
        # Amounts differ per customer and invoice so that an amount match is unique.
        total = AMOUNT + Decimal(n) / 100
        invoices.append(
            CustomerInvoice(
                organisation=seller,
                number=number,
                status="sent",
                customer=customers[n % CUSTOMERS],
                issue_date=day,
                due_date=day + dt.timedelta(days=30),
                net_amount=total,
                total_amount=total,
                total_sek=total,
                ocr_reference=ocr.make(number),
                via="email",
                created_by=clerk,
            )
        )
    CustomerInvoice.objects.bulk_create(invoices, batch_size=5000)
    return seller, clerk, invoices, customers


def payment_file(size: int, invoices: list, customers: list) -> bytes:
    from avrop.receivables import samples

    payments = []
    for n in range(size):
        invoice = invoices[2 * n]
        kind = n % 20
        if kind == 0:  # a wrong check digit: to the queue
            wrong = invoice.ocr_reference[:-1] + str((int(invoice.ocr_reference[-1]) + 1) % 10)
            payments.append(
                samples.SamplePayment(amount=invoice.total_amount, reference=wrong, ocr_checked=False)
            )
        elif kind == 1:  # no reference: amount and customer
            payments.append(
                samples.SamplePayment(
                    amount=invoice.total_amount,
                    payer_org_number=customers[(2 * n) % CUSTOMERS].org_number,
                    ocr_checked=False,
                )
            )
        else:
            payments.append(
                samples.SamplePayment(amount=invoice.total_amount, reference=invoice.ocr_reference)
            )
    return samples.bgmax(payments, bankgiro=BANKGIRO, day=dt.date(2026, 11, 25))


def raw_baseline(content: bytes, organisation_id: int) -> tuple[float, int]:
    """Parse, stage and book the OCR payments with one set-based UPDATE; rolled back afterwards."""
    from django.db import connection, transaction

    from avrop.receivables import bankfiles
    from avrop.receivables.models import CustomerInvoice

    table = CustomerInvoice._meta.db_table
    start = time.perf_counter()
    with transaction.atomic():
        parsed = bankfiles.parse(content, account=BANKGIRO)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_staging (reference varchar(25), amount numeric(14,2))"
            )
            cursor.executemany(
                "INSERT INTO bench_staging (reference, amount) VALUES (%s, %s)",
                [(p.reference, p.amount) for p in parsed.payments if p.reference_is_ocr],
            )
            cursor.execute("CREATE INDEX bench_staging_reference ON bench_staging (reference)")
            cursor.execute(
                f"UPDATE {table} SET paid_amount = paid_amount + s.amount, status = 'paid' "  # noqa: S608
                f"FROM bench_staging s WHERE {table}.organisation_id = %s "
                f"AND {table}.ocr_reference = s.reference AND {table}.status IN ('sent', 'partly_paid')",
                [organisation_id],
            )
            booked = cursor.rowcount
            cursor.execute("DROP TABLE bench_staging")
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed, booked


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
        from avrop.receivables import services
        from avrop.receivables.models import CustomerInvoice, Payment

        seller, clerk, invoices, customers = build_world(size)
        content = payment_file(size, invoices, customers)
        print(f"invoices: {len(invoices)} invoices")
        print(f"payments: {size} payments")
        print(f"file_bytes: {len(content)} bytes")

        raw, booked = raw_baseline(content, seller.pk)
        print(f"raw_match_s: {raw:.3f} s")
        print(f"raw_payments_per_s: {size / raw:.0f} payments/s")

        start = time.perf_counter()
        result = services.payment_file_import(
            actor=clerk, organisation=seller, name="bench.txt", content=content
        )
        service = time.perf_counter() - start
        print(f"service_s: {service:.3f} s")
        print(f"payments_per_s: {size / service:.0f} payments/s")
        ratio = raw / service
        print(f"service_vs_raw: {ratio:.2f}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak_rss_mb: {peak:.0f} MB")

        wrong, by_amount = size // 20 + (1 if size % 20 else 0), len(range(1, size, 20))
        targets.check(booked == size - wrong - by_amount, f"the baseline booked {booked} OCR payments")
        targets.check(
            len(result.unmatched) == wrong, f"{len(result.unmatched)} wrong check digits in the queue"
        )
        targets.check(len(result.matched) == size - wrong, f"{len(result.matched)} payments matched")
        targets.check(
            Payment.objects.filter(matched_by="amount_customer").count() == by_amount,
            "the payments without reference matched by amount and customer",
        )
        targets.check(CustomerInvoice.objects.filter(status="paid").count() == size - wrong, "each paid once")
        again = services.payment_file_import(
            actor=clerk, organisation=seller, name="again.txt", content=content
        )
        targets.check(
            not again.created and Payment.objects.count() == size, "the same file again books nothing"
        )
        targets.target(
            ratio >= TARGET_RATIO,
            f"the service reaches at least {TARGET_RATIO:.0%} of the set-based baseline's throughput "
            f"(measured {ratio:.0%})",
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return targets.exit_code()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--size", type=int)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    size = args.size or (2_000 if args.quick else FULL_SIZE)
    with scratch("avrop-bench-ar-", keep=args.keep) as tmp:
        return measure(args, str(tmp), size)


if __name__ == "__main__":
    raise SystemExit(main())
