"""SIE 4 chart import: a generated PC8 file with accounts, dimensions and objects, through an ImportJob.

Prints the time to read the file, the time of the whole import (read, check, set-based upsert, job and audit
rows), the time of a second import of the same file (nothing changes) and, as the raw baseline measured in
the same run, a plain ``bulk_create`` of the same accounts and objects into an empty chart. The full run
(2,000 accounts and 5,000 objects by default) must import in under 2 s.

    python bench/sie_import.py [--quick] [--size OBJECTS]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _support import Targets, scratch

os.environ.setdefault("AVROP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.test_settings")

LIMIT_SECONDS = 2.0
NAMES = [
    "Livsmedel",
    "Förbrukningsmaterial",
    "Kontorsmaterial",
    "Möbler",
    'Städ "special"',
    "Åkeri & transport",
]


def generate(accounts: int, objects: int) -> bytes:
    """A SIE 4 file as an accounting system writes it: PC8 (code page 437), quoted names with spaces."""
    lines = [
        "#FLAGGA 0",
        '#PROGRAM "Bench" 1.0',
        "#FORMAT PC8",
        "#GEN 20260101",
        "#SIETYP 4",
        '#FNAMN "Österlens kommun"',
        '#DIM 1 "Ansvar"',
        '#DIM 20 "Verksamhet"',
        '#UNDERDIM 21 "Delansvar" 1',
    ]
    for i in range(accounts):
        name = NAMES[i % len(NAMES)].replace('"', '\\"')
        lines.append(f'#KONTO {30000 + i} "{name} {i}"')
        lines.append(f"#KTYP {30000 + i} K")
    dims = [1, 6, 20, 21]
    for i in range(objects):
        dim = dims[i % len(dims)]
        lines.append(f'#OBJEKT {dim} "{dim}-{i:06d}" "Objekt för {NAMES[i % 4]} {i}"')
    return ("\r\n".join(lines) + "\r\n").encode("cp437")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (under 30 s), used by the test suite")
    parser.add_argument(
        "--size",
        type=int,
        default=5000,
        help="dimension objects (default 5,000); accounts are "
        "two fifths of that, at least 2,000 in a full run",
    )
    args = parser.parse_args()
    objects = 1000 if args.quick else max(args.size, 1)
    accounts = 400 if args.quick else max(2000, objects * 2 // 5)

    with scratch("avrop-bench-sie-") as folder:
        return measure(args, str(folder), accounts, objects)


def measure(args: argparse.Namespace, tmp: str, accounts: int, objects: int) -> int:
    # The target is set for the default file: 2,000 accounts and 5,000 objects.
    targets = Targets(checked=not args.quick and (accounts, objects) == (2000, 5000))
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["AVROP_DATA_DIR"] = tmp

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        # A name of its own, so that a benchmark can run beside a test run on the same server.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"avrop_bench_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from avrop.organisations import services
        from avrop.organisations.importing.sie import parse_sie
        from avrop.organisations.models import Account, Chart, DimensionObject, ImportJob, Organisation, User
        from avrop.organisations.roles import Role
        from avrop.organisations.services.chart import chart_bulk_upsert
        from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

        parse_sie(generate(10, 10))  # warm up: imports, translations, compiled patterns
        content = generate(accounts, objects)
        print(f"file_bytes: {len(content)} bytes")
        print(f"file_accounts: {accounts} accounts")
        print(f"file_objects: {objects} objects")

        start = time.perf_counter()
        parsed = parse_sie(content)
        parse_seconds = time.perf_counter() - start
        assert not parsed.errors, parsed.errors[:3]
        print(f"parse_seconds: {parse_seconds:.3f} s")

        def organisation_with_coordinator() -> tuple[Organisation, User]:
            organisation = OrganisationFactory.create(kind=Organisation.Kind.BUYER)
            user = UserFactory.create()
            MembershipFactory.create(user=user, organisation=organisation, role=Role.COORDINATOR)
            return organisation, user

        # Raw baseline: the same rows with a plain bulk_create into an empty chart, nothing else.
        base_org, _user = organisation_with_coordinator()
        base_chart = Chart.objects.create(owner=base_org, name="Baseline")
        with transaction.atomic():
            chart_bulk_upsert(
                chart=base_chart,
                scope=None,
                accounts=[],
                objects=[],
                dimensions=list(parsed.dimensions.values()),
            )
        dims = {d.number: d.pk for d in base_chart.dimensions.all()}
        for number in {o.dimension for o in parsed.objects.values()} - set(dims):
            dims[number] = base_chart.dimensions.create(number=number, code=f"d{number}", name="x").pk
        start = time.perf_counter()
        with transaction.atomic():
            Account.objects.bulk_create(
                [
                    Account(chart=base_chart, number=a.number, name=a.name, kind=a.kind)
                    for a in parsed.accounts.values()
                ],
                batch_size=500,
            )
            DimensionObject.objects.bulk_create(
                [
                    DimensionObject(dimension_id=dims[o.dimension], code=o.code, name=o.name)
                    for o in parsed.objects.values()
                ],
                batch_size=500,
            )
        baseline = time.perf_counter() - start
        print(f"baseline_bulk_create_seconds: {baseline:.3f} s")

        organisation, user = organisation_with_coordinator()

        def run_import() -> tuple[float, ImportJob]:
            start = time.perf_counter()
            job = services.import_job_create(
                actor=user,
                organisation=organisation,
                kind=ImportJob.Kind.CHART_SIE,
                filename="bench.se",
                content=content,
                inline=True,
            )
            # The job runs after the upload's transaction commits, in this thread.
            job.refresh_from_db()
            return time.perf_counter() - start, job

        first_seconds, job = run_import()
        assert job.status == ImportJob.Status.DONE, (job.status, job.failure, job.report[:3])
        assert job.summary["accounts_created"] == accounts and job.summary["objects_created"] == objects
        print(f"import_seconds: {first_seconds:.3f} s")
        print(f"import_rows_per_second: {(accounts + objects) / first_seconds:.0f} rows/s")
        print(f"import_ratio_to_baseline: {first_seconds / baseline:.1f} x")
        again_seconds, job = run_import()
        assert job.summary["accounts_created"] == 0 and job.summary["objects_updated"] == 0, job.summary
        print(f"reimport_unchanged_seconds: {again_seconds:.3f} s")
        print(f"reimport_ratio_to_baseline: {again_seconds / baseline:.1f} x")
        targets.target(
            first_seconds < LIMIT_SECONDS, f"import under {LIMIT_SECONDS} s ({first_seconds:.2f} s)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
