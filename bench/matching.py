"""Matching supplier invoices to their purchase orders, line by line (2-way).

    python bench/matching.py              # 50,000 invoices of 7 lines; target: ≥ 25 % of a set-based SQL join
    python bench/matching.py --quick      # 500 invoices (seconds); no target checked
    python bench/matching.py --size N

Prints one figure per line as ``name: value unit``. A throwaway database (SQLite file in a temporary folder,
or a database of its own on the server of DATABASE_URL) with one buyer, 200 suppliers, N purchase orders of 7
lines and one invoice per order whose lines name their order lines (BT-132): most as ordered, every tenth a
price 5 % over, every twentieth a quantity over the order, every fiftieth with a line no order line has.
The organisation's tolerance is 2 % on price.

Figures
    raw_join_s            baseline: one hand-written SQL statement joining invoice lines to order lines and
                          giving each invoice its worst result (no words, no writes)
    service_s             ``invoices_match``: the same results, the reasons kept per line, written back
    invoices_per_s        invoices matched per second by the service
    raw_vs_service        raw_join_s / service_s (the target: at least 0.25)
The machine may be shared with other work; the figures are what this run measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from _support import Targets, scratch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("AVROP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.test_settings")

FULL_SIZE = 50_000
LINES = 7
SUPPLIERS = 200
TARGET_RATIO = 0.25
RAW = """
SELECT r.worst, COUNT(*) FROM (
  SELECT il.invoice_id AS invoice_id, MAX(CASE
      WHEN pol.id IS NULL THEN 2
      WHEN il.quantity > pol.quantity THEN 2
      WHEN il.unit_price > pol.unit_price
           AND ABS((il.unit_price - pol.unit_price) * il.quantity) > 1
           AND (il.unit_price - pol.unit_price) * 100 > pol.unit_price * 2 THEN 2
      WHEN il.unit_price <> pol.unit_price
           AND ABS((il.unit_price - pol.unit_price) * il.quantity) > 1 THEN 1
      ELSE 0 END) AS worst
  FROM payables_invoiceline il
  JOIN payables_supplierinvoice si ON si.id = il.invoice_id
  LEFT JOIN ordering_purchaseorderline pol
    ON pol.purchase_order_id = si.purchase_order_id
   AND CAST(pol.line_number AS VARCHAR(10)) = il.order_line_reference
  WHERE si.organisation_id = %s
  GROUP BY il.invoice_id
) r GROUP BY r.worst
"""


def build_world(size: int):  # noqa: ANN201 - Django models are imported after setup
    from avrop.core.demo import se_org_number
    from avrop.ordering.models import PurchaseOrder, PurchaseOrderLine, Requisition, RequisitionLine
    from avrop.organisations.models import Department, Organisation, User
    from avrop.payables.models import InboundDocument, InvoiceLine, MatchTolerance, SupplierInvoice
    from avrop.suppliers.models import Supplier

    buyer = Organisation.objects.create(
        name="Österlens kommun", kind="buyer", org_number=se_org_number("212000118")
    )
    department = Department.objects.create(organisation=buyer, name="Skolan")
    user = User.objects.create(username="anna", first_name="Anna")
    MatchTolerance.objects.create(organisation=buyer, price_percent=Decimal(2))
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Leverantör {n} AB", kind="supplier", org_number=se_org_number(f"5560{n:05d}"))
            for n in range(SUPPLIERS)
        ]
    )
    suppliers = Supplier.objects.bulk_create(
        [Supplier(buyer=buyer, organisation=o, connection="peppol") for o in organisations]
    )
    today = dt.date.today()
    requisitions = Requisition.objects.bulk_create(
        [
            Requisition(organisation=buyer, requisitioner=user, department=department, status="approved")
            for _ in range(size)
        ],
        batch_size=2000,
    )
    requisition_lines = RequisitionLine.objects.bulk_create(
        [
            RequisitionLine(
                requisition=r,
                position=p,
                supplier=suppliers[n % SUPPLIERS],
                name=f"Artikel {p}",
                article_number=f"A-{p}",
                quantity=Decimal(p + 1),
                unit_price=Decimal(10 * p + 5),
                line_amount=Decimal(p + 1) * Decimal(10 * p + 5),
            )
            for n, r in enumerate(requisitions)
            for p in range(1, LINES + 1)
        ],
        batch_size=4000,
    )
    orders = PurchaseOrder.objects.bulk_create(
        [
            PurchaseOrder(
                organisation=buyer,
                requisition=r,
                supplier=suppliers[n % SUPPLIERS],
                department=department,
                number=f"2026-{n + 1:06d}",
                channel="peppol",
                status="delivered",
                total_amount=Decimal(0),
                ordered_on=today,
            )
            for n, r in enumerate(requisitions)
        ],
        batch_size=2000,
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                purchase_order=orders[index // LINES],
                requisition_line=line,
                line_number=line.position,
                article_number=line.article_number,
                name=line.name,
                unit="EA",
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_amount=line.quantity * line.unit_price,
            )
            for index, line in enumerate(requisition_lines)
        ],
        batch_size=4000,
    )
    documents = InboundDocument.objects.bulk_create(
        [
            InboundDocument(
                sha256=f"{n:064x}", channel="peppol", size=1000, storage_name=f"b/{n}.xml", status="processed"
            )
            for n in range(size)
        ],
        batch_size=2000,
    )
    invoices = SupplierInvoice.objects.bulk_create(
        [
            SupplierInvoice(
                document=document,
                channel="peppol",
                status="precheck",
                organisation=buyer,
                supplier=orders[n].supplier,
                purchase_order=orders[n],
                seller_key=f"0007:{n % SUPPLIERS}",
                number=f"F-{n}",
                currency="SEK",
            )
            for n, document in enumerate(documents)
        ],
        batch_size=2000,
    )
    lines = []
    for n, invoice in enumerate(invoices):
        for p in range(1, LINES + 1):
            price = Decimal(10 * p + 5)
            quantity = Decimal(p + 1)
            reference = str(p)
            if p == 1 and n % 10 == 3:
                price = price * Decimal("1.05")
            if p == 2 and n % 20 == 7:
                quantity += 2
            if p == 3 and n % 50 == 11:
                reference = "99"
            lines.append(
                InvoiceLine(
                    invoice=invoice,
                    position=p,
                    line_id=str(p),
                    order_line_reference=reference,
                    unit_code="EA",
                    quantity=quantity,
                    unit_price=price,
                    net_amount=(price * quantity).quantize(Decimal("0.01")),
                )
            )
    InvoiceLine.objects.bulk_create(lines, batch_size=4000)
    return buyer, [i.pk for i in invoices]


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
        from avrop.payables.matching.models import InvoiceMatch
        from avrop.payables.matching.services import invoices_match
        from avrop.payables.models import SupplierInvoice

        start = time.perf_counter()
        buyer, ids = build_world(size)
        print(f"# data built in {time.perf_counter() - start:.1f} s on {connection.vendor}")
        print(f"invoices: {size} invoices of {LINES} lines")

        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW, [buyer.pk])
            raw_counts = dict(cursor.fetchall())
        raw = time.perf_counter() - start
        print(f"raw_join_s: {raw:.3f} s")

        start = time.perf_counter()
        matched = invoices_match(invoice_ids=ids)
        service = time.perf_counter() - start
        print(f"service_s: {service:.3f} s")
        print(f"invoices_per_s: {matched / service:.0f} invoices/s")
        print(f"raw_vs_service: {raw / service:.2f}")

        counts = Counter(SupplierInvoice.objects.values_list("match_status", flat=True))
        for status in ("matched", "within_tolerance", "deviation"):
            print(f"invoices_{status}: {counts.get(status, 0)} invoices")
        targets.check(matched == size, f"{matched} of {size} invoices matched")
        expected = {
            InvoiceMatch.MATCHED: raw_counts.get(0, 0),
            InvoiceMatch.WITHIN_TOLERANCE: raw_counts.get(1, 0),
            InvoiceMatch.DEVIATION: raw_counts.get(2, 0),
        }
        targets.check(
            all(counts.get(status, 0) == n for status, n in expected.items()),
            f"the service's results equal the raw join's ({dict(expected)})",
        )
        targets.target(
            raw / service >= TARGET_RATIO,
            f"{FULL_SIZE:,} invoices matched at no less than {TARGET_RATIO:.0%} of the raw join's speed "
            f"(measured {raw / service:.0%})",
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return targets.exit_code()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (seconds), used by the test suite")
    parser.add_argument("--size", type=int, default=FULL_SIZE, help=f"invoices (default {FULL_SIZE:,})")
    args = parser.parse_args()
    size = 500 if args.quick else max(args.size, 1)
    if args.quick:
        print("# quick run: 500 invoices; the 50,000-invoice target is not checked at this size")
    with scratch("avrop-bench-matching-") as folder:
        return measure(args, str(folder), size)


if __name__ == "__main__":
    sys.exit(main())
