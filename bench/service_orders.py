"""Service-partner orders: the partner's work queue and the SLA report over 100,000 orders.

    python bench/service_orders.py             # 100,000 orders of one partner (and 10,000 of another),
                                               # 1,000,000 purchase-order lines
    python bench/service_orders.py --quick     # 3,000 orders; no target checked
    python bench/service_orders.py --size N

Prints one figure per line as ``name: value unit``. A throwaway database (SQLite file in a temporary folder,
or a database of its own on the server of DATABASE_URL) with one supplier, a Swiss service partner holding N
orders spread over every section (most of them billed long ago, as after a few years of work) with their
clocked steps, and a second partner with N/10 orders that must not show. Each of the partner's service orders
comes on a buyer's purchase order of ten lines (N × 10 order lines: 1,000,000 at full size), linked by
``ServiceOrder.purchase_order`` as a despatch advice finds them.

Figures (each a median and 95th percentile over the repetitions)
    queue_*            ``selectors.work_queue``: the six sections' counts and the first rows of each
    queue_page_*       the work-queue page through the Django test client (middleware, template and all)
    section_page_*     one section's page with 200 rows
    sla_partner_*      ``selectors.sla_report`` for the partner over a year (per step: done, on time, p50/p95)
    sla_supplier_*     the same for the supplier over all its partners
    raw_queue_*        baseline in the same run: the same counts and rows by hand-written SQL
    raw_sla_*          baseline: the same per-step histogram by raw SQL grouping every step of the year
    raw_sla_days_*     the same by hand-written SQL over the daily histogram the report reads
    queue_vs_raw, sla_vs_raw, sla_vs_raw_days   p95 of the ORM path / p95 of the raw SQL
Targets (full size only): the queue and the SLA report each under 200 ms p95. The machine may be shared with
other work; the figures are what this run measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from _support import Targets, scratch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("AVROP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.test_settings")

FULL_SIZE = 100_000
LINES_PER_ORDER = 10
TARGET_MS = 200.0
# Share of the orders in each state (the rest are billed).
OPEN_SHARES = {
    "new": 0.004,
    "requirements_check": 0.006,
    "requirements_met": 0.004,
    "appointment_to_set": 0.006,
    "execution_to_confirm": 0.006,
    "completed": 0.02,
    "cancelled": 0.01,
}
STEPS_DONE = {
    "new": 0,
    "requirements_check": 1,
    "requirements_met": 2,
    "appointment_to_set": 2,
    "execution_to_confirm": 3,
    "completed": 4,
    "billed": 4,
    "cancelled": 1,
}
STEP_NAMES = ["accept", "contact", "appointment", "execution"]


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return statistics.median(times), p95, result


def build(size: int) -> tuple[Any, Any, Any, Any]:  # Django models are imported after setup
    from avrop.organisations.models import Membership, Organisation, User
    from avrop.organisations.roles import Role
    from avrop.serviceorders import clocks
    from avrop.serviceorders.models import ServiceOrder, ServiceOrderStep

    supplier = Organisation.objects.create(name="Bench Handel AG", kind="supplier", org_number="556000-0001")
    partner = Organisation.objects.create(
        name="Bench Montage GmbH", kind="service_partner", country="CH", org_number="CHE-100.000.001"
    )
    other = Organisation.objects.create(
        name="Andere Montage AG", kind="service_partner", country="CH", org_number="CHE-100.000.002"
    )
    fitter = User.objects.create(username="bench-fitter")
    Membership.objects.create(user=fitter, organisation=partner, role=Role.SERVICE_PARTNER)
    clerk = User.objects.create(username="bench-clerk")
    Membership.objects.create(user=clerk, organisation=supplier, role=Role.SUPPLIER_USER)
    rng = random.Random(3)
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    number = 0
    for owner, count in ((partner, size), (other, size // 10)):
        states: list[str] = []
        for state, share in OPEN_SHARES.items():
            states += [state] * int(count * share)
        states += ["billed"] * (count - len(states))
        rng.shuffle(states)
        for start in range(0, count, 5000):
            orders = []
            for state in states[start : start + 5000]:
                number += 1
                age = rng.randint(0, 3 * 365) if state in {"billed", "cancelled"} else rng.randint(0, 20)
                ordered = now - dt.timedelta(days=age, minutes=rng.randint(0, 600))
                orders.append(
                    ServiceOrder(
                        sp_id=f"SP-{number:07d}",
                        supplier=supplier,
                        partner=owner,
                        status=state,
                        sales_order_ref=f"VK-{number}",
                        product="TV",
                        service="Wandmontage",
                        customer_name=f"Kunde {number}",
                        customer_city="Winterthur",
                        amount=Decimal("180.00"),
                        currency="CHF",
                        ordered_at=ordered,
                        handed_over_at=ordered + dt.timedelta(minutes=35),
                        due_on=(today + dt.timedelta(days=rng.randint(-3, 4)))
                        if state not in {"requirements_met", "completed", "billed", "cancelled"}
                        else None,
                    )
                )
            orders = ServiceOrder.objects.bulk_create(orders, batch_size=2000)
            steps = []
            for order in orders:
                assert order.handed_over_at is not None  # set above for every order
                started: dt.datetime = order.handed_over_at
                done = STEPS_DONE[order.status]
                for index, name in enumerate(
                    STEP_NAMES[
                        : done
                        + (
                            0
                            if order.status in {"completed", "billed", "requirements_met", "cancelled"}
                            else 1
                        )
                    ]
                ):
                    days = rng.choices([0, 1, 2, 3, 4, 6], weights=[30, 35, 15, 10, 6, 4])[0]
                    allowed = (
                        clocks.ACCEPT_DAYS
                        if name == "accept"
                        else clocks.CONTACT_DAYS
                        if name == "contact"
                        else 3
                    )
                    is_done = index < done
                    ended = started + dt.timedelta(days=days * 7 // 5)
                    steps.append(
                        ServiceOrderStep(
                            order=order,
                            partner_id=order.partner_id,
                            supplier_id=order.supplier_id,
                            step=name,
                            started_at=started,
                            due_on=(started + dt.timedelta(days=allowed)).date(),
                            done_at=ended if is_done else None,
                            done_on=ended.date() if is_done else None,
                            business_days=days if is_done else None,
                            on_time=(days <= allowed) if is_done else None,
                        )
                    )
                    started = ended
            ServiceOrderStep.objects.bulk_create(steps, batch_size=2000)
    return supplier, partner, fitter, clerk


def _clone(table: str, columns: list[str], template_id: int, count: int, overrides: dict[str, str]) -> None:
    """``count`` copies of one row of ``table`` written by one INSERT … SELECT over a counter 0 … count-1
    (``n``); ``overrides`` give SQL expressions in ``n`` for some columns (ids, numbers, links)."""
    from django.db import connection

    names = ", ".join(columns)
    values = ", ".join(overrides.get(c, c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
            f"INSERT INTO {table} ({names}) SELECT {values} FROM {table}, seq WHERE id = %s",
            [count - 1, template_id],
        )


def build_order_lines(size: int, supplier_org: Any, partner: Any) -> int:
    """A buyer with ``size`` purchase orders of ``LINES_PER_ORDER`` lines each (and their requisitions),
    each linked from one of the partner's service orders: one order is made through the ORM and copied by
    ``INSERT … SELECT`` (two million rows through the ORM took an hour on the shared machine). Returns the
    number of order lines."""
    from django.db import connection

    from avrop.ordering.models import PurchaseOrder, PurchaseOrderLine, Requisition, RequisitionLine
    from avrop.organisations.models import Department, Organisation, User
    from avrop.serviceorders.models import ServiceOrder
    from avrop.suppliers.models import Supplier

    buyer = Organisation.objects.create(name="Bench kommun", kind="buyer", org_number="212000-0001")
    department = Department.objects.create(organisation=buyer, name="Bench förvaltning")
    requisitioner = User.objects.create(username="bench-requisitioner")
    relation = Supplier.objects.create(buyer=buyer, organisation=supplier_org)
    requisition = Requisition.objects.create(
        organisation=buyer, requisitioner=requisitioner, department=department, status="ordered"
    )
    order = PurchaseOrder.objects.create(
        organisation=buyer,
        requisition=requisition,
        supplier=relation,
        department=department,
        number="PO-T",
        channel="peppol",
        status="delivered",
        total_amount=Decimal("1800.00"),
        ordered_on=dt.date.today(),
    )
    source = RequisitionLine.objects.create(
        requisition=requisition,
        position=1,
        supplier=relation,
        name="Artikel",
        quantity=Decimal("2"),
        unit_price=Decimal("90"),
        line_amount=Decimal("180"),
    )
    line = PurchaseOrderLine.objects.create(
        purchase_order=order,
        requisition_line=source,
        line_number=1,
        name="Artikel",
        unit="EA",
        quantity=Decimal("2"),
        unit_price=Decimal("90"),
        line_amount=Decimal("180"),
    )
    count = size * LINES_PER_ORDER
    base = 10_000_000  # ids of the copies, past anything the template rows took

    def columns(model: Any) -> list[str]:
        return [f.column for f in model._meta.concrete_fields]

    _clone(Requisition._meta.db_table, columns(Requisition), requisition.pk, size, {"id": f"{base} + n"})
    _clone(
        PurchaseOrder._meta.db_table,
        columns(PurchaseOrder),
        order.pk,
        size,
        {"id": f"{base} + n", "requisition_id": f"{base} + n", "number": "'PO-' || n"},
    )
    _clone(
        RequisitionLine._meta.db_table,
        columns(RequisitionLine),
        source.pk,
        count,
        {
            "id": f"{base} + n",
            "requisition_id": f"{base} + n / {LINES_PER_ORDER}",
            "position": f"1 + n %% {LINES_PER_ORDER}",
        },
    )
    _clone(
        PurchaseOrderLine._meta.db_table,
        columns(PurchaseOrderLine),
        line.pk,
        count,
        {
            "id": f"{base} + n",
            "purchase_order_id": f"{base} + n / {LINES_PER_ORDER}",
            "requisition_line_id": f"{base} + n",
            "line_number": f"1 + n %% {LINES_PER_ORDER}",
        },
    )
    PurchaseOrderLine.objects.filter(pk=line.pk).delete()
    RequisitionLine.objects.filter(pk=source.pk).delete()
    PurchaseOrder.objects.filter(pk=order.pk).delete()
    Requisition.objects.filter(pk=requisition.pk).delete()
    first = ServiceOrder.objects.filter(partner=partner).order_by("id").values_list("id", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE serviceorders_serviceorder SET purchase_order_id = %s + id - %s WHERE partner_id = %s",
            [base, first, partner.pk],
        )
    return count


RAW_COUNTS = (
    "SELECT status, COUNT(*) FROM serviceorders_serviceorder WHERE partner_id = %s AND status IN ('new', "
    "'requirements_check', 'requirements_met', 'appointment_to_set', 'execution_to_confirm', 'completed') "
    "GROUP BY status"
)
RAW_ROWS = (
    "SELECT o.id, o.sp_id, o.status, o.service, o.product, o.customer_name, o.customer_city, o.due_on, "
    "o.appointment_on, o.goods_arrival_on, o.amount, o.currency, s.name FROM serviceorders_serviceorder o "
    "JOIN organisations_organisation s ON s.id = o.supplier_id WHERE o.partner_id = %s AND o.status = %s "
    "ORDER BY o.due_on, o.id LIMIT 8"
)
RAW_SLA = (
    "SELECT step, business_days, on_time, COUNT(*) FROM serviceorders_serviceorderstep "
    "WHERE {column} = %s AND done_on >= %s AND done_on <= %s GROUP BY step, business_days, on_time"
)
RAW_DAYS = (
    "SELECT step, business_days, on_time, SUM(count) FROM serviceorders_serviceorderstepday "
    "WHERE {column} = %s AND day >= %s AND day <= %s GROUP BY step, business_days, on_time"
)
RAW_LATE = (
    "SELECT step, COUNT(*) FROM serviceorders_serviceorderstep WHERE {column} = %s AND done_on IS NULL "
    "AND due_on < %s GROUP BY step"
)
SECTIONS = [
    "new",
    "requirements_check",
    "requirements_met",
    "appointment_to_set",
    "execution_to_confirm",
    "completed",
]


def raw_queue(partner_id: int) -> tuple[dict[str, int], int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(RAW_COUNTS, [partner_id])
        counts = dict(cursor.fetchall())
        rows = 0
        for status in SECTIONS:
            if counts.get(status):
                cursor.execute(RAW_ROWS, [partner_id, status])
                rows += len(cursor.fetchall())
    return counts, rows


def raw_sla(column: str, owner_id: int, since: dt.date, until: dt.date, query: str = RAW_SLA) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query.format(column=column), [owner_id, since, until])
        done = sum(row[3] for row in cursor.fetchall())
        cursor.execute(RAW_LATE.format(column=column), [owner_id, until])
        cursor.fetchall()
    return done


def measure(args: argparse.Namespace, tmp: str, size: int) -> int:
    targets = Targets(checked=not args.quick and size == FULL_SIZE)
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["AVROP_DATA_DIR"] = tmp

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"avrop_bench_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from django.urls import reverse
        from django.utils import timezone

        from avrop.serviceorders import selectors, services

        start = time.perf_counter()
        supplier, partner, fitter, clerk = build(size)
        print(f"build_s: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        build_order_lines(size, supplier, partner)
        print(f"build_order_lines_s: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        day_rows = services.sla_days_rebuild()
        print(f"sla_days_rebuild_s: {time.perf_counter() - start:.1f} s")
        print(f"sla_day_rows: {day_rows} rows")
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM serviceorders_serviceorder")
            print(f"orders: {cursor.fetchone()[0]} orders")
            cursor.execute("SELECT COUNT(*) FROM serviceorders_serviceorderstep")
            print(f"steps: {cursor.fetchone()[0]} steps")
            cursor.execute("SELECT COUNT(*) FROM ordering_purchaseorderline")
            order_lines = cursor.fetchone()[0]
            print(f"order_lines: {order_lines} lines")
            if connection.vendor == "sqlite":
                cursor.execute("ANALYZE")
            else:
                cursor.execute("ANALYZE serviceorders_serviceorder")
                cursor.execute("ANALYZE serviceorders_serviceorderstep")
                cursor.execute("ANALYZE ordering_purchaseorderline")
        targets.check(order_lines == size * LINES_PER_ORDER, "every order line was written")
        repeat = args.repeat
        until = timezone.localdate()
        since = until - dt.timedelta(days=365)

        # One call each first: the holiday calendar, translations and statements are warm for people too.
        selectors.work_queue(user=fitter, organisation=partner)
        raw_queue(partner.pk)
        median, p95, sections = timed(lambda: selectors.work_queue(user=fitter, organisation=partner), repeat)
        print(f"queue_median_ms: {median:.1f} ms")
        print(f"queue_p95_ms: {p95:.1f} ms")
        raw_median, raw_p95, (counts, rows) = timed(lambda: raw_queue(partner.pk), repeat)
        print(f"raw_queue_median_ms: {raw_median:.1f} ms")
        print(f"raw_queue_p95_ms: {raw_p95:.1f} ms")
        print(f"queue_vs_raw: {p95 / raw_p95:.2f}")
        queue_p95 = p95
        targets.check(
            {s.status: s.count for s in sections} == {s: counts.get(s, 0) for s in SECTIONS},
            "the queue's counts equal the raw SQL's",
        )
        targets.check(sum(len(s.rows) for s in sections) == rows, "the queue's rows equal the raw SQL's")

        client = Client()
        client.force_login(fitter)
        url = reverse("serviceorders:queue")
        client.get(url)
        client.get(url + "?section=completed")
        median, p95, response = timed(lambda: client.get(url), repeat)
        print(f"queue_page_median_ms: {median:.1f} ms")
        print(f"queue_page_p95_ms: {p95:.1f} ms")
        targets.check(response.status_code == 200, "the queue page answers 200")
        median, p95, response = timed(lambda: client.get(url + "?section=completed"), repeat)
        print(f"section_page_median_ms: {median:.1f} ms")
        print(f"section_page_p95_ms: {p95:.1f} ms")

        median, p95, figures = timed(
            lambda: selectors.sla_report(user=fitter, organisation=partner, since=since, until=until), repeat
        )
        print(f"sla_partner_median_ms: {median:.1f} ms")
        print(f"sla_partner_p95_ms: {p95:.1f} ms")
        sla_p95 = p95
        raw_median, raw_p95, done = timed(lambda: raw_sla("partner_id", partner.pk, since, until), repeat)
        print(f"raw_sla_median_ms: {raw_median:.1f} ms")
        print(f"raw_sla_p95_ms: {raw_p95:.1f} ms")
        print(f"sla_vs_raw: {sla_p95 / raw_p95:.2f}")
        targets.check(sum(f.done for f in figures) == done, "the SLA report's counts equal the raw SQL's")
        raw_median, raw_p95, done_days = timed(
            lambda: raw_sla("partner_id", partner.pk, since, until, RAW_DAYS), repeat
        )
        print(f"raw_sla_days_median_ms: {raw_median:.1f} ms")
        print(f"raw_sla_days_p95_ms: {raw_p95:.1f} ms")
        print(f"sla_vs_raw_days: {sla_p95 / raw_p95:.2f}")
        targets.check(done_days == done, "the daily histogram counts the same steps as the steps themselves")
        median, p95, _figures = timed(
            lambda: selectors.sla_report(user=clerk, organisation=supplier, since=since, until=until), repeat
        )
        print(f"sla_supplier_median_ms: {median:.1f} ms")
        print(f"sla_supplier_p95_ms: {p95:.1f} ms")
        for f in figures:
            share = f"{f.share_on_time:.0%}" if f.share_on_time is not None else "-"
            print(f"# {f.step}: done {f.done}, on time {share}, median {f.median} bd, p95 {f.p95} bd")

        targets.target(
            queue_p95 < TARGET_MS, f"the work queue under {TARGET_MS:.0f} ms p95 ({queue_p95:.1f} ms)"
        )
        targets.target(sla_p95 < TARGET_MS, f"the SLA report under {TARGET_MS:.0f} ms p95 ({sla_p95:.1f} ms)")
        targets.target(
            max(p95, sla_p95) < TARGET_MS,
            f"the supplier's SLA report under {TARGET_MS:.0f} ms p95 ({p95:.1f} ms)",
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
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    size = args.size or (3_000 if args.quick else FULL_SIZE)
    if args.quick:
        args.repeat = min(args.repeat, 10)
    with scratch("avrop-bench-serviceorders-", keep=args.keep) as tmp:
        return measure(args, str(tmp), size)


if __name__ == "__main__":
    raise SystemExit(main())
