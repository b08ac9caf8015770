"""The load test's database: the demo data with bulk on top, as the demo users see it.

Run by ``bench/load/run.py`` in a child process whose environment names the database and the data folder
(DATABASE_URL, AVROP_DATA_DIR, AVROP_ENV, SECRET_KEY). Steps:

1. migrate, cache table, static files (``avrop setup``);
2. the demo data (``avrop demo``);
3. N purchase orders of 7 lines with one supplier invoice each and its 7 lines (``bench/matching.py``'s
   ``build_world``, bulk inserts) for a second buyer with 200 suppliers of its own: the tables are as
   large as 100k orders make them, while the demo users' own lists stay the demo's (one tenant's orders
   cannot name another tenant's supplier relations);
4. M catalogue items spread over the municipality's active price lists, named from ``bench/catalogue.py``'s
   generated vocabulary, written with COPY on PostgreSQL (one prepared INSERT on SQLite), then the search
   index rebuilt;
5. one requisitioner per simulated user (``load-req-N``, a copy of the demo's ``requisitioner`` with the
   same memberships and password), as each needs a cart of their own;
6. ANALYZE, and a JSON file with what the locustfile needs (search words, how many users of each role).

    python bench/load/prepare.py CONFIG_JSON --items N --orders N --users N
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
sys.path[:0] = [str(HERE), str(BENCH), str(BENCH.parent / "src")]

from load.roles import role_counts  # noqa: E402

REQUISITIONER = "requisitioner"
MUNICIPALITY = "212000118"  # the demo's Österlens kommun (avrop.organisations.demo)
BULK_BUYER = "212000999"
ITEM_COLUMNS = (
    "organisation_id",
    "agreement_id",
    "supplier_id",
    "version_id",
    "is_active",
    "article_number",
    "gtin",
    "name",
    "description",
    "brand",
    "category_scheme",
    "category_code",
    "own_category",
    "unit",
    "price_amount",
    "currency",
    "price_quantity",
    "price_tiers",
    "vat_rate",
    "image_urls",
    "image",
    "keywords",
    "shop_keywords",
    "eco_labels",
    "content_hash",
    "raw_hash",
    "account_code",
    "account_source",
    "first_seen_at",
    "updated_at",
)


def say(text: str, began: float) -> None:
    print(f"# prepare: {text} ({time.perf_counter() - began:.0f} s)", flush=True)


def write_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, one prepared INSERT on SQLite (as ``bench/catalogue.py``'s raw baseline)."""
    from django.db import connection

    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, rows)


def bulk_catalogue(buyer: Any, count: int, began: float) -> list[str]:
    """``count`` items over the buyer's active price lists; returns common words to search for."""
    import catalogue as catalogue_bench
    from django.db import transaction
    from django.utils import timezone

    from avrop.catalogue.models import CatalogueItem, CatalogueVersion

    versions = list(
        CatalogueVersion.objects.filter(organisation=buyer, status=CatalogueVersion.Status.ACTIVE).order_by(
            "pk"
        )
    )
    templates = []
    for version in versions:
        item = CatalogueItem.objects.filter(agreement_id=version.agreement_id, is_active=True).first()
        if item is not None:
            templates.append((version, item))
    if not templates:
        raise SystemExit("prepare: the demo has no active price list to add items to")
    generator = catalogue_bench.Generator(pool=min(3_000_000, max(200_000, count * 3)))
    now = timezone.now()
    table = CatalogueItem._meta.db_table
    batch: list[tuple[Any, ...]] = []
    with transaction.atomic():
        for n in range(count):
            version, item = templates[n % len(templates)]
            row = generator.row(n % 100, n)
            batch.append(
                (
                    item.organisation_id,
                    item.agreement_id,
                    item.supplier_id,
                    version.pk,
                    True,
                    f"LOAD-{n:07d}",
                    row[1],
                    row[2][:300],
                    row[3],
                    row[4],
                    "unspsc",
                    row[5],
                    row[6],
                    item.unit,
                    row[8].replace(",", "."),
                    item.currency,
                    1,
                    "[]",
                    row[9],
                    "[]",
                    "",
                    row[10],
                    "",
                    "",
                    0,
                    0,
                    item.account_code,
                    item.account_source,
                    now,
                    now,
                )
            )
            if len(batch) >= 20_000:
                write_rows(table, ITEM_COLUMNS, batch)
                batch = []
        write_rows(table, ITEM_COLUMNS, batch)
    say(f"{count} catalogue items over {len(templates)} price lists", began)
    return generator.words[:40]


def requisitioners(users: int) -> int:
    """One copy of the demo requisitioner per simulated requisitioner: a cart is one person's."""
    from avrop.organisations.models import Membership, User

    model = User.objects.get(username=REQUISITIONER)
    memberships = list(Membership.objects.filter(user=model))
    made = 0
    for n in range(users):
        user, created = User.objects.get_or_create(
            username=f"load-req-{n}",
            defaults={
                "first_name": model.first_name,
                "last_name": f"{model.last_name} {n}",
                "email": f"load-req-{n}@example.invalid",
                "password": model.password,
            },
        )
        if created:
            made += 1
            for membership in memberships:
                membership.pk = None
                membership.user = user
                membership.save()
    return made


@contextmanager
def bulk_buyer_number() -> Iterator[None]:
    """``build_world`` names its buyer with the demo municipality's organisation number; the bulk gets a
    buyer of its own (orders and invoices of one tenant must not name another tenant's suppliers)."""
    from avrop.core import demo

    real = demo.se_org_number
    with mock.patch.object(
        demo, "se_org_number", lambda nine: real(BULK_BUYER if nine == MUNICIPALITY else nine)
    ):
        yield


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("config", type=Path, help="where to write the locustfile's settings (JSON)")
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--orders", type=int, required=True, help="orders, and as many invoices")
    parser.add_argument("--users", type=int, required=True)
    args = parser.parse_args()
    began = time.perf_counter()

    from avrop.cli import setup

    setup()
    say("migrated", began)

    import django
    from django.db import connection, transaction

    django.setup()
    import matching as matching_bench

    from avrop.catalogue.services.indexing import rebuild_index
    from avrop.core.demo import se_org_number
    from avrop.organisations.models import Organisation
    from avrop.web.demo import load_all

    class Quiet:
        def write(self, text: str) -> int:
            return len(text)

    load_all(Quiet())  # type: ignore[arg-type]
    say("demo data", began)
    demo_buyer = Organisation.objects.get(org_number=se_org_number(MUNICIPALITY))
    with transaction.atomic(), bulk_buyer_number():
        matching_bench.build_world(args.orders)
    say(f"{args.orders} orders of {matching_bench.LINES} lines and {args.orders} invoices", began)
    words = bulk_catalogue(demo_buyer, args.items, began)
    counts = role_counts(args.users)
    requisitioners(counts["requisitioner"])
    indexed = rebuild_index()
    say(f"search index rebuilt ({indexed} items)", began)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    args.config.write_text(
        json.dumps(
            {
                "terms": ["papper", "toner", "kaffe", "penna", "pärm", *words[:20]],
                "roles": counts,
                "prepared_on": dt.date.today().isoformat(),
            }
        )
    )
    say("ready", began)
    return 0


if __name__ == "__main__":
    sys.exit(main())
