"""Start page speed with demo data, through the Django test client.

Prints median and p95 over N requests for the start page of each demo role, the number of SQL queries per
page (with the demo data and again with 10× the rows, which must be equal), and the ratio against a raw
baseline measured in the same run: the health-check view, which passes the same middleware and runs one query.

    python bench/start_page.py [--quick] [--size N]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time

from _support import scratch

os.environ.setdefault("AVROP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.test_settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (under 30 s), used by the test suite")
    parser.add_argument("--size", type=int, default=200, help="requests per page (default 200)")
    args = parser.parse_args()
    requests = 20 if args.quick else args.size

    with scratch("avrop-bench-start-page-") as folder:
        return measure(str(folder), requests)


def measure(tmp: str, requests: int) -> int:
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["AVROP_DATA_DIR"] = tmp

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        # A name of its own, so that a benchmark can run beside a test run on the same server.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"avrop_bench_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        call_command("createcachetable", verbosity=0)
        from avrop.web.demo import load_all

        load_all(io.StringIO())
        from avrop.organisations.models import User

        client = Client()

        def timed(path: str, n: int) -> list[float]:
            samples = []
            for _ in range(n):
                start = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            return samples

        def queries(path: str) -> int:
            with CaptureQueriesContext(connection) as ctx:
                client.get(path)
            return len(ctx.captured_queries)

        baseline = timed("/healthz", requests)
        base_median = statistics.median(baseline)
        print(f"baseline_healthz_median: {base_median:.2f} ms")
        results = {}
        for username in ("requisitioner", "coordinator", "ap_clerk", "supplier_user"):
            client.force_login(User.objects.get(username=username))
            timed("/", 3)
            samples = sorted(timed("/", requests))
            p95 = samples[int(len(samples) * 0.95) - 1]
            median = statistics.median(samples)
            results[username] = queries("/")
            print(f"start_page_{username}_median: {median:.2f} ms")
            print(f"start_page_{username}_p95: {p95:.2f} ms")
            print(f"start_page_{username}_ratio_to_baseline: {median / base_median:.1f} x")
            print(f"start_page_{username}_queries: {results[username]} queries")

        _grow_rows(10)
        for username in ("coordinator", "requisitioner"):
            client.force_login(User.objects.get(username=username))
            client.get("/")
            grown = queries("/")
            print(f"start_page_{username}_queries_with_10x_rows: {grown} queries")
            if grown != results[username]:
                print(f"ERROR: query count grew from {results[username]} to {grown}", file=sys.stderr)
                return 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


def _grow_rows(factor: int) -> None:
    """Multiply departments and agreements of the demo municipality."""
    import datetime as dt

    from avrop.agreements.models import Agreement, AgreementParty
    from avrop.organisations.demo import MUNICIPALITY
    from avrop.organisations.models import Department, Organisation

    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    supplier = Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER).first()
    count = Department.objects.filter(organisation=municipality).count()
    Department.objects.bulk_create(
        Department(organisation=municipality, name=f"Extra avdelning {i}", town="Ystad")
        for i in range(count * factor)
    )
    today = dt.date.today()
    agreements = Agreement.objects.bulk_create(
        Agreement(
            owner=municipality,
            supplier=supplier,
            reference=f"X-{i}",
            title="Extra",
            valid_from=today,
            valid_to=today + dt.timedelta(days=30 + i),
        )
        for i in range(10 * factor)
    )
    AgreementParty.objects.bulk_create(
        AgreementParty(agreement=a, organisation=municipality) for a in agreements
    )


if __name__ == "__main__":
    sys.exit(main())
