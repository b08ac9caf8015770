"""Supplier invoice intake: Peppol invoices dropped into the inbound folder of the access point, taken in.

    python bench/invoice_intake.py              # 20,000 invoices (several minutes)
    python bench/invoice_intake.py --quick      # 100 invoices (< 30 s), run by the test suite
    python bench/invoice_intake.py --size N

Prints one figure per line as ``name: value unit``. A throwaway database (SQLite file in a temporary folder,
or a database of its own on the server of DATABASE_URL) with two buyers, their departments and people, and
twenty suppliers. The corpus: invoices with 1–200 lines (mostly few, about 7 on average), 5 % invalid
(wrong totals, no reference, broken structure), 1 % duplicates (the same file again, or the same invoice
number with other content).

Figures
    validate_docs_per_s         bare ``avrop.edi.validation.validate`` on a sample of this corpus, one core
    intake_1_worker_per_s       store + validate + check + route/return + T111, one worker process
    intake_2_workers_per_s      the same with two worker processes polling the same folder
    intake_vs_validate          intake per core divided by bare validation per core
    *_per_cpu_s                 the same per CPU second the process(es) used: comparable on a shared machine
    stored / processed / returned / suspected_duplicates / repeated_files   what happened (checked exactly)
    kill_recovery_exactly_once  1 when a worker killed (SIGKILL) mid-batch and a second worker left every file
                                processed exactly once
The machine may be shared with other work; the figures are what this run measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import signal
import sys
import time
from pathlib import Path

from _support import scratch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("AVROP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.test_settings")

BUYERS = [
    ("Österlens kommun", "212000118", ["KLK", "SOL", "OPS", "TEK"]),
    ("Myndigheten för kustmiljö", "202100999", ["HK", "LAB"]),
]


def _org_number(nine: str) -> str:
    from stdnum import luhn

    full = nine + luhn.calc_check_digit(nine)
    return f"{full[:6]}-{full[6:]}"


def _line_count(rng: random.Random) -> int:
    if rng.random() < 0.02:
        return rng.randint(20, 200)
    return min(200, 1 + int(rng.expovariate(1 / 4.0)))


def build_world() -> tuple[list, list]:
    """Buyers with departments and reference people, and 20 suppliers connected to both."""
    from avrop.organisations.models import Department, Membership, Organisation, User
    from avrop.payables import samples
    from avrop.suppliers.models import Supplier

    buyers, sellers = [], []
    for name, nine, codes in BUYERS:
        number = _org_number(nine)
        org = Organisation.objects.create(
            name=name, kind="buyer", org_number=number, peppol_id="0007:" + number.replace("-", "")
        )
        for code in codes:
            department = Department.objects.create(organisation=org, name=f"Avdelning {code}", code=code)
            user = User.objects.create(
                username=f"ref-{code.lower()}-{nine}", first_name="Ref", last_name=code
            )
            Membership.objects.create(user=user, organisation=org, role="approver", department=department)
        buyers.append((org, samples.Party(name, number), codes))
    for index in range(20):
        number = _org_number(f"5561{index:05d}")
        org = Organisation.objects.create(
            name=f"Leverantör {index} AB",
            kind="supplier",
            org_number=number,
            peppol_id="0007:" + number.replace("-", ""),
        )
        for buyer, _party, _codes in buyers:
            Supplier.objects.create(buyer=buyer, organisation=org, connection="peppol")
        sellers.append(samples.Party(org.name, number))
    return buyers, sellers


def write_corpus(folder: Path, size: int, buyers: list, sellers: list, seed: int = 7) -> dict[str, int]:
    """Write ``size`` invoice files; returns what they are made of."""
    from avrop.payables import samples

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    made: list[tuple[str, bytes]] = []
    seller_of: dict[int, samples.Party] = {}
    lines_total = invalid = 0
    for index in range(size):
        _buyer, party, codes = buyers[index % len(buyers)]
        seller = sellers[rng.randrange(len(sellers))]
        lines = _line_count(rng)
        lines_total += lines
        seller_of[index] = seller
        broken = ""
        if rng.random() < 0.05:
            broken = rng.choice(["totals", "reference", "xsd"])
            invalid += 1
        content = samples.invoice_xml(
            number=f"B{index:06d}",
            seller=seller,
            buyer=party,
            buyer_reference=rng.choice(codes),
            lines=lines,
            issue_date=today - dt.timedelta(days=rng.randrange(60)),
            seed=index,
            broken=broken,
        )
        made.append((f"inv-{index:06d}.xml", content))
    duplicates = max(1, size // 100)
    for n in range(duplicates):
        name, content = made[rng.randrange(size)]
        if n % 2:
            made.append((f"resend-{n}-{name}", content))  # the very same file again
        else:
            number = name.removeprefix("inv-").removesuffix(".xml")
            _buyer, party, codes = buyers[int(number) % len(buyers)]
            made.append(
                (
                    f"again-{n}-{name}",
                    samples.invoice_xml(
                        number=f"B{number}",
                        seller=seller_of[int(number)],
                        buyer=party,
                        buyer_reference=codes[0],
                        seed=size + n,
                    ),
                )
            )
    rng.shuffle(made)
    for name, content in made:
        (folder / name).write_bytes(content)
    return {
        "files": len(made),
        "lines_total": lines_total,
        "invoices": size,
        "invalid": invalid,
        "duplicates": duplicates,
    }


# --- worker processes ----------------------------------------------------------------------------------


def _worker(root: str, ready, go, cpu=None) -> None:  # noqa: ANN001
    from django.db import connections

    connections.close_all()
    from avrop.edi import validation
    from avrop.payables.access_point import FileAccessPoint
    from avrop.payables.services.intake import intake_poll

    validation.warm_up(["billing", "T111"])
    ready.set()
    go.wait()
    started = time.process_time()
    intake_poll(access_point=FileAccessPoint(Path(root)))
    if cpu is not None:
        cpu.put(time.process_time() - started)


def run_workers(root: Path, staging: Path, count: int) -> tuple[float, float]:
    """Start ``count`` warmed-up workers, move the staged files into the inbound folder, time until done.

    Returns the wall-clock seconds and the CPU seconds the workers spent (robust on a shared machine)."""
    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's database connection
    context = multiprocessing.get_context("fork")
    go = context.Event()
    cpu = context.Queue()
    workers = []
    for _ in range(count):
        ready = context.Event()
        process = context.Process(target=_worker, args=(str(root), ready, go, cpu))
        process.start()
        ready.wait(120)
        workers.append(process)
    inbound = root / "inbound"
    inbound.mkdir(parents=True, exist_ok=True)
    for file in staging.iterdir():
        os.rename(file, inbound / file.name)
    started = time.perf_counter()
    go.set()
    cpu_seconds = 0.0
    for _ in workers:
        cpu_seconds += cpu.get(timeout=3600)
    for process in workers:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a worker failed with exit code {process.exitcode}")
    return time.perf_counter() - started, cpu_seconds


def _validate_sample(paths: list[str], queue) -> None:  # noqa: ANN001
    from avrop.edi import validation

    validation.warm_up(["billing"])
    data = [Path(p).read_bytes() for p in paths]
    started, cpu = time.perf_counter(), time.process_time()
    for content in data:
        validation.validate(content)
    queue.put((len(data) / (time.perf_counter() - started), len(data) / (time.process_time() - cpu)))


def bare_validation_rate(files: list[Path]) -> tuple[float, float]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_validate_sample, args=([str(f) for f in files], queue))
    process.start()
    rate = queue.get(timeout=600)
    process.join()
    return rate


def kill_recovery(root: Path, buyers: list, sellers: list, size: int) -> bool:
    """A worker is killed mid-batch; a fresh worker finishes; every file must be processed exactly once."""
    from avrop.payables.models import InboundDocument, SupplierInvoice

    before_docs = InboundDocument.objects.count()
    before_invoices = SupplierInvoice.objects.count()
    staging = root.parent / "kill-staging"
    from avrop.payables import samples

    staging.mkdir()
    _buyer, party, codes = buyers[0]
    for n in range(size):
        (staging / f"k{n:04d}.xml").write_bytes(
            samples.invoice_xml(
                number=f"K{n:05d}",
                seller=sellers[n % len(sellers)],
                buyer=party,
                buyer_reference=codes[0],
                lines=3,
                seed=900_000 + n,
            )
        )
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    go, ready = context.Event(), context.Event()
    victim = context.Process(target=_worker, args=(str(root), ready, go))
    victim.start()
    ready.wait(120)
    inbound = root / "inbound"
    for file in staging.iterdir():
        os.rename(file, inbound / file.name)
    go.set()
    deadline = time.monotonic() + 120
    while SupplierInvoice.objects.count() < before_invoices + 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert victim.pid is not None
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    run_workers(root, staging, 1)  # staging is empty now: the new worker takes over what the victim left
    docs = InboundDocument.objects.count() - before_docs
    invoices = SupplierInvoice.objects.count() - before_invoices
    leftovers = [f for f in (root / "processing").rglob("*") if f.is_file() and f.name != ".heartbeat"]
    numbers = SupplierInvoice.objects.filter(number__startswith="K").values_list("number", flat=True)
    return docs == size and invoices == size and len(set(numbers)) == size and not leftovers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (under 30 s), used by the test suite")
    parser.add_argument("--size", type=int, default=20_000, help="number of invoices (default 20,000)")
    args = parser.parse_args()
    size = 100 if args.quick else args.size

    with scratch("avrop-intake-bench-") as tmp:
        return measure(args, size, tmp)


def measure(args: argparse.Namespace, size: int, tmp: Path) -> int:
    os.environ["AVROP_DATA_DIR"] = str(tmp)
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["PAYABLES_PEPPOL_DIR"] = str(tmp / "peppol")
    sqlite = "DATABASE_URL" not in os.environ
    if sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"

    import django

    django.setup()
    from django.db import connection, connections

    old_name = connection.settings_dict["NAME"]
    # The schema as the migrations make it (the audit trail's triggers and, on PostgreSQL, its chain function
    # come from them): a file, so that workers share it.
    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = str(tmp / "bench.sqlite3") if sqlite else f"avrop_bench_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from avrop.payables.models import InboundDocument, InvoiceMessage, SupplierInvoice

        buyers, sellers = build_world()
        corpus = tmp / "corpus"
        made = write_corpus(corpus, size, buyers, sellers)
        files = sorted(corpus.iterdir())
        print(f"corpus_files: {made['files']} files")
        print(f"corpus_mean_lines: {made['lines_total'] / made['invoices']:.1f} lines")
        print(f"corpus_invalid: {made['invalid']} invoices")
        print(f"corpus_duplicates: {made['duplicates']} files")

        sample = random.Random(3).sample(files, min(len(files), 25 if args.quick else 400))
        validate_rate, validate_cpu_rate = bare_validation_rate(sample)
        print(f"validate_docs_per_s: {validate_rate:.1f} docs/s")
        print(f"validate_docs_per_cpu_s: {validate_cpu_rate:.1f} docs/cpu-s")

        connections.close_all()
        root = tmp / "peppol"
        one, two = tmp / "stage-1", tmp / "stage-2"
        one.mkdir()
        two.mkdir()
        share = len(files) // 3
        for index, file in enumerate(files):
            os.rename(file, (one if index < share else two) / file.name)
        first_count, second_count = share, len(files) - share
        seconds_1, cpu_1 = run_workers(root, one, 1)
        rate_1 = first_count / seconds_1
        print(f"intake_1_worker_per_s: {rate_1:.1f} invoices/s")
        print(f"intake_per_cpu_s: {first_count / cpu_1:.1f} invoices/cpu-s")
        seconds_2, cpu_2 = run_workers(root, two, 2)
        rate_2 = second_count / seconds_2
        print(f"intake_2_workers_per_s: {rate_2:.1f} invoices/s")
        print(f"intake_2_workers_per_cpu_s: {second_count / cpu_2:.1f} invoices/cpu-s")
        print(f"intake_2_workers_speedup: {rate_2 / rate_1:.2f} x")
        print(f"intake_vs_validate: {rate_1 / validate_rate:.2f} x")
        print(f"intake_vs_validate_cpu: {(first_count / cpu_1) / validate_cpu_rate:.2f} x")

        documents = InboundDocument.objects.count()
        left = InboundDocument.objects.filter(status=InboundDocument.Status.RECEIVED).count()
        invoices = SupplierInvoice.objects.count()
        returned = SupplierInvoice.objects.filter(status=SupplierInvoice.Status.RETURNED).count()
        duplicates = SupplierInvoice.objects.filter(status=SupplierInvoice.Status.SUSPECTED_DUPLICATE).count()
        repeated = sum(InboundDocument.objects.values_list("receipt_count", flat=True)) - documents
        responses = InvoiceMessage.objects.filter(code="RE", status=InvoiceMessage.Status.SENT).count()
        print(f"stored: {documents} documents")
        print(f"processed: {invoices} invoices")
        print(f"returned: {returned} invoices")
        print(f"t111_sent: {responses} responses")
        print(f"suspected_duplicates: {duplicates} invoices")
        print(f"repeated_files: {repeated} files")
        problems = []
        if left:
            problems.append(f"{left} documents stored but not processed")
        if documents + repeated != made["files"]:
            problems.append(f"{made['files']} files but {documents} documents + {repeated} repeats")
        if invoices != documents:
            problems.append(f"{documents} documents but {invoices} invoices")
        if returned < made["invalid"]:
            problems.append(f"{made['invalid']} invalid invoices but only {returned} returned")
        if list((root / "inbound").iterdir()):
            problems.append("files left in the inbound folder")

        ok = kill_recovery(root, buyers, sellers, 12 if args.quick else 60)
        print(f"kill_recovery_exactly_once: {int(ok)} bool")
        if not ok:
            problems.append("kill recovery did not process every file exactly once")
        for problem in problems:
            print(f"ERROR: {problem}", file=sys.stderr)
        return 1 if problems else 0
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    raise SystemExit(main())
