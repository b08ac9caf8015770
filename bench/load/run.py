"""`make load`: the scenario mix of ``locustfile.py`` against the real server, with figures.

1. A throwaway database (a database of its own on the server of --database-url / DATABASE_URL, dropped
   afterwards; a SQLite file without one) gets the demo data plus bulk (``prepare.py``): full size is
   1,000,000 catalogue items, 100,000 orders and 100,000 invoices.
2. The real server starts on a free 127.0.0.1 port as in production: ``avrop serve`` (gunicorn, 2 workers
   x 4 threads) and ``avrop worker`` (the task queue), AVROP_ENV=production over plain HTTP.
3. locust runs headless with N users for a bounded time (default 50 users, 10 minutes).
4. Printed: requests, failures, p50/p95/p99 per scenario and overall, requests/s, and the resident memory
   (RSS) of every server and worker process when the load has warmed up and at its end, with the growth.

Exit code 1 when a request failed, or at full size when the p95 is 300 ms or more (and, for a soak of an
hour or more, when a process grew by more than 10 %). ``--quick`` (small data, 6 users, 40 s; the CI step)
never checks the full-size targets: it says it does not.

    python bench/load/run.py --quick
    python bench/load/run.py --database-url postgres://postgres@127.0.0.1:5432/avrop   # 50 users, 10 min
    python bench/load/run.py --database-url postgres://... --soak 60                    # the memory soak

Figures are printed as ``name: value unit``; lines starting with # are comments.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from _support import Targets, scratch  # noqa: E402

FULL = {"items": 1_000_000, "orders": 100_000, "users": 50, "minutes": 10.0}
QUICK = {"items": 5_000, "orders": 1_000, "users": 6, "minutes": 40 / 60}
P95_TARGET_MS = 300
GROWTH_TARGET = 10.0  # per cent, for a soak of at least an hour
BIN = Path(sys.executable).parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(len(ordered) * q)) - 1))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database(url: str | None, folder: Path, keep: bool) -> Iterator[str]:
    """A new empty database on the server of ``url`` (a SQLite file in ``folder`` without one)."""
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{folder}/load.sqlite3"
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"avrop_load_{os.getpid()}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if keep:
            print(f"# kept database {name}", flush=True)
        else:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def processes(leaders: dict[str, int]) -> dict[int, str]:
    """Every live process of the server's and the worker's process groups, with a short label."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = int(fields[2])
        for name, leader in leaders.items():
            if group == leader:
                pid = int(entry.name)
                found[pid] = f"{name} {'main' if pid == leader else 'child'} {pid}"
    return found


def rss_mb(pid: int) -> tuple[float, float] | None:
    """The resident memory (VmRSS) and its anonymous part (RssAnon: what the process allocated itself,
    without the pages of mapped files such as the search index, which the kernel may drop and reload)."""
    sizes = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in {"VmRSS", "RssAnon"}:
                sizes[key] = int(line.split()[1]) / 1024
    except OSError:
        return None
    if len(sizes) < 2:
        return None
    return sizes["VmRSS"], sizes["RssAnon"]


def snapshot(leaders: dict[str, int]) -> dict[int, tuple[str, tuple[float, float]]]:
    taken = {}
    for pid, label in processes(leaders).items():
        size = rss_mb(pid)
        if size is not None:
            taken[pid] = (label, size)
    return taken


def wait_for(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server)
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small data, 6 users, 40 s (the CI step)")
    parser.add_argument("--users", type=int, help=f"simulated users (default {FULL['users']})")
    parser.add_argument("--minutes", type=float, help=f"how long the load runs (default {FULL['minutes']:g})")
    parser.add_argument("--soak", type=float, metavar="MINUTES", help="a memory soak of this many minutes")
    parser.add_argument("--items", type=int, help=f"catalogue items (default {FULL['items']:,})")
    parser.add_argument(
        "--orders", type=int, help=f"orders, and as many invoices (default {FULL['orders']:,})"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="the PostgreSQL server to make a throwaway database on (default $DATABASE_URL; else SQLite)",
    )
    parser.add_argument(
        "--prepare-timeout", type=float, default=120.0, metavar="MINUTES", help="give up preparing after this"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the data folder")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    users = args.users or int(size["users"])
    minutes = args.soak or args.minutes or float(size["minutes"])
    items = args.items if args.items is not None else int(size["items"])
    orders = args.orders if args.orders is not None else int(size["orders"])
    full = items >= FULL["items"] and orders >= FULL["orders"] and users >= FULL["users"]
    full = full and minutes >= FULL["minutes"] and not args.quick
    targets = Targets(checked=full)
    print(
        f"# load: {users} users for {minutes * 60:.0f} s on {items:,} items, {orders:,} orders and invoices; "
        f"cpus {os.cpu_count()}, load average at start {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    if not full:
        print(
            f"# this is not the full-size run ({FULL['users']} users, {FULL['minutes']:g} min, "
            f"{FULL['items']:,} items, {FULL['orders']:,} orders): it does not test the p95 target "
            f"of {P95_TARGET_MS} ms",
            flush=True,
        )
    with (
        scratch("avrop-load-", keep=args.keep) as folder,
        database(args.database_url, folder, args.keep) as url,
    ):
        return run(args, folder, url, users, minutes, items, orders, targets)


def run(  # noqa: PLR0913, PLR0915 (one linear script)
    args: argparse.Namespace,
    folder: Path,
    url: str,
    users: int,
    minutes: float,
    items: int,
    orders: int,
    targets: Targets,
) -> int:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"HUEY_REDIS_URL", "AVROP_TEST_REAL_QUEUE", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "AVROP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AVROP_HTTPS": "false",
            "DATABASE_URL": url,
            "AVROP_DATA_DIR": str(folder / "data"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "avrop.settings",
        }
    )
    config = folder / "config.json"
    began = time.perf_counter()
    prepared = subprocess.run(
        [
            sys.executable,
            str(HERE / "prepare.py"),
            str(config),
            f"--items={items}",
            f"--orders={orders}",
            f"--users={users}",
        ],
        env=env,
        cwd=ROOT,
        check=False,
        timeout=args.prepare_timeout * 60,
    )
    if prepared.returncode:
        print("ERROR: preparing the database failed", file=sys.stderr)
        return 1
    print(f"prepare_seconds: {time.perf_counter() - began:.0f} s", flush=True)

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    logs = (folder / "server.log").open("wb")
    started = {
        "web": subprocess.Popen(
            [str(BIN / "avrop"), "serve", "--bind", f"127.0.0.1:{port}"],
            env={**env, "AVROP_BASE_URL": host},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=logs,
            start_new_session=True,
        ),
        "worker": subprocess.Popen(
            [str(BIN / "avrop"), "worker"],
            env=env,
            cwd=ROOT,
            stdout=logs,
            stderr=logs,
            start_new_session=True,
        ),
    }
    leaders = {name: process.pid for name, process in started.items()}
    try:
        if not wait_for(host + "/healthz", 90):
            print("ERROR: the server did not answer /healthz", file=sys.stderr)
            return 1
        return load(args, folder, host, leaders, users, minutes, targets)
    finally:
        for process in started.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in started.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        logs.close()
        problems = [
            line
            for line in (folder / "server.log").read_text(errors="replace").splitlines()
            if "Traceback" in line or " ERROR " in line
        ]
        for line in problems[:10]:
            print(f"# server log: {line[:300]}")


def load(  # noqa: PLR0913, PLR0915 (one linear script)
    args: argparse.Namespace,
    folder: Path,
    host: str,
    leaders: dict[str, int],
    users: int,
    minutes: float,
    targets: Targets,
) -> int:
    seconds = max(10, int(minutes * 60))
    warm_after = min(60.0, seconds * 0.2)
    samples_path = folder / "samples.json"
    env = {
        **os.environ,
        "AVROP_LOAD_CONFIG": str(folder / "config.json"),
        "AVROP_LOAD_SAMPLES": str(samples_path),
    }
    memory: dict[str, dict[int, tuple[str, tuple[float, float]]]] = {"start": snapshot(leaders)}
    locust_log = (folder / "locust.log").open("wb")
    began = time.monotonic()
    runner = subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 10)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            host,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
        stdout=locust_log,
        stderr=locust_log,
    )
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(2):
            now = time.monotonic() - began
            if "warm" not in memory and now >= warm_after:
                memory["warm"] = snapshot(leaders)
            if now < seconds:
                memory["end"] = snapshot(leaders)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        runner.wait(timeout=seconds + 180)
    except subprocess.TimeoutExpired:
        runner.kill()
        runner.wait()
        print("ERROR: locust did not stop in time", file=sys.stderr)
    stop.set()
    sampler.join()
    locust_log.close()
    elapsed = time.monotonic() - began
    if not samples_path.exists():
        print((folder / "locust.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        print("ERROR: locust wrote no samples", file=sys.stderr)
        return 1
    data = json.loads(samples_path.read_text())
    by_scenario: dict[str, list[float]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    for scenario, ms, ok in data["samples"]:
        by_scenario[scenario].append(ms)
        if not ok:
            failed[scenario] += 1
    # Each user logs in once, at the start (PBKDF2 is slow on purpose): its own line, apart from "all".
    every = [ms for scenario, values in by_scenario.items() if scenario != "login" for ms in values]
    failures = sum(failed.values())
    print(f"# {users} users, {seconds} s of load, load average at end {os.getloadavg()[0]:.2f}")
    print(f"requests: {len(every)} requests (and {len(by_scenario['login'])} logins)")
    print(f"failures: {failures} requests")
    print(f"requests_per_s: {len(every) / max(elapsed, 1):.1f} requests/s")
    for scenario in sorted(by_scenario):
        values = by_scenario[scenario]
        key = scenario.replace(" ", "_")
        print(
            f"{key}: {len(values)} requests, {failed[scenario]} failed, "
            f"p50 {percentile(values, 0.5):.0f} ms, p95 {percentile(values, 0.95):.0f} ms, "
            f"p99 {percentile(values, 0.99):.0f} ms"
        )
    p95 = percentile(every, 0.95)
    print("# all: every request but the logins")
    print(f"all_p50: {percentile(every, 0.5):.0f} ms")
    print(f"all_p95: {p95:.0f} ms")
    print(f"all_p99: {percentile(every, 0.99):.0f} ms")
    for error in data["errors"][:10]:
        print(f"# error: {error}")

    warm, end = memory.get("warm", memory["start"]), memory.get("end", memory["start"])
    growths = []
    for pid in sorted(set(warm) | set(end)):
        label = (end.get(pid) or warm[pid])[0]
        if pid in warm and pid in end:
            (rss_before, anon_before), (rss_after, anon_after) = warm[pid][1], end[pid][1]
            rss_growth = (rss_after - rss_before) / rss_before * 100
            anon_growth = (anon_after - anon_before) / max(anon_before, 0.1) * 100
            growths.append(max(rss_growth, anon_growth))
            print(
                f"rss {label}: {rss_before:.0f} MB -> {rss_after:.0f} MB ({rss_growth:+.1f} %), "
                f"anonymous {anon_before:.0f} MB -> {anon_after:.0f} MB ({anon_growth:+.1f} %)"
            )
        else:
            what = "ended" if pid not in end else "new"
            print(f"rss {label}: {(warm.get(pid) or end[pid])[1][0]:.0f} MB (process {what} during the load)")
    print(f"# rss 'before' is taken {warm_after:.0f} s into the load (warmed up), 'after' at its end")

    targets.check(failures == 0, f"no failed requests ({failures})")
    targets.check(bool(every), "requests were made")
    missing = {
        "search",
        "cart",
        "send",
        "approve",
        "price list review",
        "invoice review",
        "portal answer",
        "flip",
    }
    missing -= set(by_scenario)
    if users >= 5 and seconds >= 30:
        targets.check(
            not missing,
            "every scenario ran" + (f" (missing: {', '.join(sorted(missing))})" if missing else ""),
        )
    targets.target(p95 < P95_TARGET_MS, f"p95 under {P95_TARGET_MS} ms with {users} users ({p95:.0f} ms)")
    if args.soak:
        most = max(growths, default=0.0)
        text = f"no process grew more than {GROWTH_TARGET:g} % in the soak ({most:+.1f} %)"
        if args.soak >= 60:
            targets.target(most <= GROWTH_TARGET, text)
        else:
            print(f"# target not checked in a soak under 60 min: {text}")
    if failures:
        print("# locust's own summary: " + str(folder / "locust.log"))
        print((folder / "locust.log").read_text(errors="replace")[-4000:])
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
