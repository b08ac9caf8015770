"""Ordering speed: the whole chain in one process, and the web pages under 20 concurrent users.

Part 1, services (one process, one core): N requisitions of 7 lines from two Peppol suppliers are created
(cart), one line split over two cost centres, sent for approval (route from the approval rules, e-mails with
links to the outbox), approved; approval creates one purchase order per supplier, built as a Peppol T01,
validated with the official rules and written to the outbox. Then the outbox delivers them: the orders go
to the access point's folder and the approvers' e-mails to the mail backend. Prints throughput and each
step's share of the time, the SQL statements and the bytes written to disk per requisition (the process's
own writes, from /proc/self/io: database, journal and files), beside a raw baseline measured in the same run:
building and validating the same T01s without any database work.

Part 2, web: gunicorn on 127.0.0.1 (2 workers × 4 threads) on a SQLite file, 20 simulated users (threads of
this process, each with its own session) repeating search → add 3 items → cart → send, each pausing between
requests like a person does (``--think`` seconds on average, uniformly 0.5–1.5 times that; 0 = no pause).
Prints p50/p95 per page and overall, errors, and the /healthz baseline under the same load. Also checks
in-process that the cart page runs the same number of SQL queries with 2 and 20 lines.

    python bench/ordering.py [--quick] [--size N] [--users 20] [--rounds R] [--think 1.0]

Figures are printed as ``name: value unit``; lines starting with # are comments.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

from _support import Targets, scratch

os.environ.setdefault("AVROP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.test_settings")

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "secret-password-1"  # the organisations UserFactory's password


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


class Timer:
    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)

    def wrap(self, module: object, name: str, step: str) -> None:
        original = getattr(module, name)

        def timed(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.total[step] += time.perf_counter() - start

        setattr(module, name, timed)


def services_part(size: int, targets: Targets, profile: str | None = None) -> int:
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from avrop.core.outbox import outbox_deliver_due
    from avrop.ordering import documents, services
    from avrop.ordering.models import PurchaseOrder, Transmission
    from avrop.ordering.services import transmission as transmission_module
    from avrop.ordering.tests.factories import build_world, make_items

    HUEY.immediate = False  # tasks wait in memory: the chain writes to the outbox, a delivery step sends
    world = build_world(items=4)
    world.email.connection = "peppol"
    world.email.save()
    extra = make_items(world.buyer, world.email.organisation, 3, price="50.00")
    item_ids = [i.pk for i in world.items["peppol"]] + [i.pk for i in extra]
    assert len(item_ids) == 7

    timer = Timer()
    timer.wrap(transmission_module, "validate", "validate_t01")
    timer.wrap(documents, "order_xml", "build_t01")

    steps = {"create": 0.0, "split": 0.0, "submit": 0.0, "approve": 0.0, "deliver": 0.0}
    statements = {name: 0 for name in steps}
    current = ["create"]

    def count(execute, sql, params, many, context):  # noqa: ANN001, ANN202 (Django's wrapper signature)
        statements[current[0]] += 1
        return execute(sql, params, many, context)

    counting = connection.execute_wrapper(count)
    counting.__enter__()
    written_before = _written_bytes()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start_all = time.perf_counter()
    start_cpu = time.process_time()
    for n in range(size):
        t0 = time.perf_counter()
        current[0] = "create"
        lines = services.cart_add_items(
            actor=world.requisitioner,
            organisation=world.buyer,
            items=[(i, 1 + (n + k) % 5) for k, i in enumerate(item_ids)],
        )
        t1 = time.perf_counter()
        current[0] = "split"
        services.line_coding_set(
            actor=world.requisitioner,
            line_id=lines[0].pk,
            splits=[
                {"account": "6110", "cost_centre": "1200", "percent": "60"},
                {"account": "6110", "cost_centre": "1300", "percent": "40"},
            ],
        )
        t2 = time.perf_counter()
        current[0] = "submit"
        requisition = services.requisition_submit(
            actor=world.requisitioner, requisition_id=lines[0].requisition_id
        )
        t3 = time.perf_counter()
        current[0] = "approve"
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
        t4 = time.perf_counter()
        steps["create"] += t1 - t0
        steps["split"] += t2 - t1
        steps["submit"] += t3 - t2
        steps["approve"] += t4 - t3
    chain_written = _since(written_before)
    chain_cpu = time.process_time() - start_cpu
    # Deliver what the chain queued, as the worker does: orders to the access point, e-mails to the backend.
    current[0] = "deliver"
    t5 = time.perf_counter()
    delivered = outbox_deliver_due(limit=10**9, batch=100)
    delivered += services.transmissions_dispatch() or 0  # nothing left: orders are outbox rows too
    steps["deliver"] = time.perf_counter() - t5
    elapsed = time.perf_counter() - start_all
    cpu = time.process_time() - start_cpu
    written = _since(written_before)
    counting.__exit__(None, None, None)
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)

    orders = PurchaseOrder.objects.count()
    queued = Transmission.objects.filter(status="sent", document__isnull=False).count()
    failed = Transmission.objects.filter(status="failed").count()
    build = timer.total["build_t01"]
    check = timer.total["validate_t01"]
    steps["approve"] -= build + check  # approval itself, purchase orders and outbox rows
    print(f"# database: {connection.vendor}, requisitions: {size}, lines per requisition: 7")
    print(f"services_requisitions: {size} requisitions")
    print(f"services_orders: {orders} orders")
    print(f"services_orders_sent: {queued} orders")
    print(f"services_outbox_messages_delivered: {delivered} messages")
    print(f"services_orders_failed_validation: {failed} orders")
    print(f"services_elapsed: {elapsed:.1f} s")
    print(f"services_requisitions_per_s: {size / elapsed:.1f} requisitions/s")
    print(f"services_orders_per_s: {orders / elapsed:.1f} orders/s")
    # On a shared machine the wall clock includes waiting for a core; CPU seconds show one core's speed.
    print(f"services_cpu: {cpu:.1f} s")
    print(f"services_orders_per_cpu_s: {orders / cpu:.1f} orders/s")
    # The chain alone (cart to the outbox, with the official validation), as the target is set.
    print(f"services_chain_cpu: {chain_cpu:.1f} s")
    print(f"services_chain_orders_per_cpu_s: {orders / chain_cpu:.1f} orders/s")
    total_statements = sum(statements.values())
    print(f"sql_statements_per_requisition: {total_statements / size:.1f} statements")
    for name, number in statements.items():
        print(f"sql_statements_{name}_per_requisition: {number / size:.1f} statements")
    if written is not None and chain_written is not None:
        print(f"disk_written_per_requisition: {written / size / 1024:.1f} KiB")
        print(f"disk_written_until_outbox_per_requisition: {chain_written / size / 1024:.1f} KiB")
    stored = _stored_document_bytes()
    print(f"stored_documents_per_requisition: {stored / size / 1024:.1f} KiB")
    targets.target(
        orders / chain_cpu >= 25,
        f"at least 25 orders per CPU-second, cart to outbox with validation ({orders / chain_cpu:.1f})",
    )
    targets.target(
        total_statements / size <= 45,
        f"at most 45 SQL statements per requisition end to end ({total_statements / size:.1f})",
    )
    for name, seconds in [*steps.items(), ("build_t01", build), ("validate_t01", check)]:
        print(f"share_{name}: {100 * seconds / elapsed:.1f} %")
        print(f"time_{name}_per_requisition: {1000 * seconds / size:.2f} ms")

    # Raw baseline: the same documents built and validated again, no database.
    from avrop.edi.validation import validate

    sample = list(
        PurchaseOrder.objects.select_related(
            "requisition__requisitioner", "supplier__organisation", "organisation", "department"
        )
        .prefetch_related("lines")
        .order_by("pk")[: min(orders, 400)]
    )
    datas = [
        documents.OrderData(
            order=order,
            lines=list(order.lines.all()),
            buyer=order.organisation,
            supplier=order.supplier.organisation,
            department=order.department,
            requisitioner=order.requisition.requisitioner,
            delivery_address=None,
        )
        for order in sample
    ]
    start = time.perf_counter()
    contents = [documents.build(documents.order_document(d)) for d in datas]
    built = time.perf_counter() - start
    start = time.perf_counter()
    valid = sum(1 for c in contents if validate(c, transaction="T01").valid)
    checked = time.perf_counter() - start
    print(f"baseline_build_validate_orders_per_s: {len(datas) / (built + checked):.1f} orders/s")
    print(f"baseline_validate_ms_per_order: {1000 * checked / len(datas):.2f} ms")
    print(f"baseline_valid_share: {100 * valid / len(datas):.1f} %")
    print(f"services_vs_baseline: {(orders / elapsed) / (len(datas) / (built + checked)):.2f} x")
    if failed or queued != orders:
        print(f"ERROR: {failed} orders failed validation, {orders - queued} not sent", file=sys.stderr)
        return 1
    return 0


def _written_bytes() -> int | None:
    """Bytes this process caused to be written to storage so far (Linux), or None elsewhere."""
    try:
        with open("/proc/self/io") as handle:
            for line in handle:
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _since(before: int | None) -> int | None:
    now = _written_bytes()
    return None if now is None or before is None else now - before


def _stored_document_bytes() -> int:
    """What the stored documents themselves need: the order documents' content and the outbox's text."""
    from django.db.models import Sum
    from django.db.models.functions import Length

    from avrop.core.models import OutboxMessage
    from avrop.ordering.models import OrderDocument

    documents = OrderDocument.objects.aggregate(n=Sum("size"))["n"] or 0
    mails = OutboxMessage.objects.aggregate(n=Sum(Length("body")))["n"] or 0
    return int(documents + mails)


def queries_part() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from avrop.ordering import services
    from avrop.ordering.tests.factories import build_world, make_items

    world = build_world(items=1)
    client = Client()
    client.force_login(world.requisitioner)

    def count() -> int:
        client.get("/ordering/cart/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/ordering/cart/").status_code == 200
        return len(ctx.captured_queries)

    services.cart_add_items(
        actor=world.requisitioner,
        organisation=world.buyer,
        items=[(world.items["peppol"][0].pk, 1), (world.items["email"][0].pk, 1)],
    )
    small = count()
    more = make_items(world.buyer, world.peppol.organisation, 18)
    services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(i.pk, 1) for i in more]
    )
    large = count()
    print(f"cart_page_queries_2_lines: {small} queries")
    print(f"cart_page_queries_20_lines: {large} queries")
    if small != large:
        print(f"ERROR: the cart page's queries grew from {small} to {large}", file=sys.stderr)
        return 1
    return 0


# --- part 2: the web ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def web_setup(users: int) -> list[str]:
    """Requisitioners with passwords, an indexed catalogue and approval rules in the file database."""
    from avrop.catalogue.services.indexing import rebuild_index
    from avrop.ordering.tests.factories import build_world, make_items
    from avrop.organisations.models import Membership
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import UserFactory

    world = build_world(items=30)
    make_items(world.buyer, world.email.organisation, 30, price="20.00")
    names = []
    for n in range(users):
        user = UserFactory.create(username=f"bench{n}", first_name="Bench", last_name=str(n))
        Membership.objects.create(
            user=user, organisation=world.buyer, role=Role.REQUISITIONER, department=world.department
        )
        names.append(user.username)
    rebuild_index()
    return names


class Session:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(
        self, path: str, data: dict[str, str] | None = None, htmx: bool = False
    ) -> tuple[int, str, float]:
        headers = {"Referer": self.base + "/"}
        body = None
        if data is not None:
            headers["X-CSRFToken"] = self.csrf()
            body = urllib.parse.urlencode(data).encode()
        if htmx:
            headers["HX-Request"] = "true"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                text = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as exc:
            text, status = exc.read().decode(errors="replace"), exc.code
        return status, text, (time.perf_counter() - start) * 1000

    def login(self, username: str) -> None:
        self.request("/login/")
        status, text, _ms = self.request("/login/", {"username": username, "password": PASSWORD})
        if "/login/" in text and "password" in text and status == 200 and 'name="username"' in text:
            raise RuntimeError(f"login failed for {username}")


def web_part(
    users: int, rounds: int, data_dir: str, database_url: str, think: float, targets: Targets
) -> int:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AVROP_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "avrop.settings",
        "DATABASE_URL": database_url,
        "AVROP_DATA_DIR": data_dir,
        "LOG_LEVEL": "ERROR",
        # Tasks (approval e-mails) go to a real queue as in production instead of running inside the request.
        "AVROP_TEST_REAL_QUEUE": "true",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "avrop.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            print("ERROR: gunicorn did not start", file=sys.stderr)
            return 1
        return _load(base, users, rounds, think, targets)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _load(base: str, users: int, rounds: int, think: float, targets: Targets) -> int:
    import random

    randomness = random.Random(7)

    def pause() -> None:
        if think:
            time.sleep(randomness.uniform(0.5 * think, 1.5 * think))

    samples: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    terms = ["Artikel 1", "Artikel 2", "Artikel", "Procurator", "Lyreco", "Artikel 3"]
    sessions = []
    for n in range(users):
        session = Session(base)
        session.login(f"bench{n}")
        sessions.append(session)
    barrier = threading.Barrier(users)

    def record(page: str, status: int, ms: float, ok: bool, detail: str = "") -> None:
        with lock:
            samples[page].append(ms)
            if not ok:
                errors.append(f"{page} {status} {detail[:200]}")

    def user(n: int) -> None:
        session = sessions[n]
        barrier.wait()
        for r in range(rounds):
            pause()
            status, text, ms = session.request(
                "/ordering/?q=" + urllib.parse.quote(terms[(n + r) % len(terms)])
            )
            record("search", status, ms, status == 200)
            ids = re.findall(r'name="item" value="(\d+)"', text)[:3]
            if not ids:
                record("search", status, 0, False, "no items found")
                continue
            for item in ids:
                pause()
                status, _text, ms = session.request(
                    "/ordering/cart/add/", {"item": item, "quantity": "2"}, htmx=True
                )
                record("add", status, ms, status == 200)
            pause()
            status, text, ms = session.request("/ordering/cart/")
            record("cart", status, ms, status == 200)
            key = re.search(r'name="submit_key" value="([^"]+)"', text)
            if key is None:
                record(
                    "cart",
                    status,
                    0,
                    False,
                    "cannot send: " + " | ".join(re.findall(r"<li>([^<]{0,120})", text)[:3]),
                )
                continue
            pause()
            status, _text, ms = session.request("/ordering/cart/send/", {"submit_key": key.group(1)})
            record("send", status, ms, status in (200, 302))
            status, _text, ms = session.request("/healthz")
            record("healthz", status, ms, status == 200)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    pages = [p for p in samples if p != "healthz"]
    every = [ms for p in pages for ms in samples[p]]
    print(
        f"# web: {users} users, {rounds} rounds each, think time {think} s, "
        f"gunicorn 2 workers x 4 threads, cpus {os.cpu_count()}"
    )
    print(f"web_requests: {len(every)} requests")
    print(f"web_requests_per_s: {len(every) / elapsed:.1f} requests/s")
    print(f"web_errors: {len(errors)} errors")
    for page in ["search", "add", "cart", "send", "healthz"]:
        if samples.get(page):
            print(f"web_{page}_p50: {statistics.median(samples[page]):.1f} ms")
            print(f"web_{page}_p95: {_p(samples[page], 0.95):.1f} ms")
    p95 = _p(every, 0.95)
    print(f"web_all_p95: {p95:.1f} ms")
    print(f"web_all_p95_vs_healthz_p95: {p95 / max(_p(samples['healthz'], 0.95), 0.001):.1f} x")
    targets.target(p95 < 300, f"web p95 under 300 ms with {users} users ({p95:.0f} ms)")
    for error in errors[:5]:
        print(f"# error: {error}")
    if errors:
        print(f"ERROR: {len(errors)} requests failed", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small run (under 30 s), used by the test suite")
    parser.add_argument("--size", type=int, default=10000, help="requisitions in part 1 (default 10000)")
    parser.add_argument("--users", type=int, default=20, help="concurrent web users (default 20)")
    parser.add_argument("--rounds", type=int, default=10, help="search → cart → send rounds per user")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a user's requests (s)")
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument("--profile", metavar="PATH", help="write cProfile statistics of part 1 here")
    args = parser.parse_args()
    size = 60 if args.quick else args.size
    users = 5 if args.quick else args.users
    rounds = 2 if args.quick else args.rounds

    with scratch("avrop-bench-ordering-") as folder:
        return measure(args, str(folder), size, users, rounds)


def measure(args: argparse.Namespace, tmp: str, size: int, users: int, rounds: int) -> int:
    os.environ["AVROP_DATA_DIR"] = tmp
    os.environ["ORDERING_PEPPOL_DIR"] = str(Path(tmp) / "peppol-ordering")
    database = f"sqlite:///{tmp}/bench.sqlite3"
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = database
    print(f"# cpus: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = "http://127.0.0.1"
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"avrop_bench_{os.getpid()}"
    else:
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{tmp}/bench.sqlite3"
    test_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    code = 0
    # Targets are set for 10,000 requisitions and 20 users; a smaller run prints them as not checked.
    targets = Targets(checked=not args.quick and size >= 10_000 and users >= 20)
    try:
        call_command("createcachetable", verbosity=0)
        code |= services_part(size, targets, args.profile)
        code |= queries_part()
        if not args.skip_web:
            if connection.vendor != "sqlite":
                print("# web part runs on SQLite only (the server needs the same database file)")
            else:
                from huey.contrib.djhuey import HUEY

                HUEY.immediate = True
                web_setup(users)
                connection.close()
                think = 0.05 if args.quick else args.think
                code |= web_part(users, rounds, tmp, f"sqlite:///{test_name}", think, targets)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"# load average at end: {os.getloadavg()[0]:.2f}")
    return code | targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
