"""`avrop demo`: load realistic demonstration data, idempotently.

Every app with demo data has ``demo.py`` with ``load(stdout)``; the loaders run in INSTALLED_APPS order, so
an app can rely on the data of the apps before it. Data that needs a later app's data goes into
``load_late(stdout)``, run after every ``load``. Each loader finds its objects by natural keys
(organisation number, GLN, user name, agreement reference) and creates only what is missing, so a second
run changes nothing. ``web/tests/test_composition.py`` fails when an app's loader is missing here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from django.db import transaction

from avrop.agreements import demo as agreements_demo
from avrop.cases import demo as cases_demo
from avrop.catalogue import demo as catalogue_demo
from avrop.fulfilment import demo as fulfilment_demo
from avrop.ordering import demo as ordering_demo
from avrop.organisations import demo as organisations_demo
from avrop.payables import demo as payables_demo
from avrop.portal import demo as portal_demo
from avrop.receivables import demo as receivables_demo
from avrop.reports import demo as reports_demo
from avrop.serviceorders import demo as serviceorders_demo
from avrop.suppliers import demo as suppliers_demo

Loader = Callable[[TextIO], None]

LOADERS: tuple[Loader, ...] = (
    organisations_demo.load,
    suppliers_demo.load,
    agreements_demo.load,
    cases_demo.load,
    catalogue_demo.load,
    payables_demo.load,
    receivables_demo.load,
    ordering_demo.load,
    fulfilment_demo.load,
    reports_demo.load,
)
LATE_LOADERS: tuple[Loader, ...] = (
    organisations_demo.load_late,
    payables_demo.load_late,
    fulfilment_demo.load_late,
    serviceorders_demo.load_late,
    reports_demo.load_late,
    portal_demo.load_late,
)


def load_all(stdout: TextIO) -> None:
    """Run every app's ``load``, then every app's ``load_late`` (for data that needs later apps' data)."""
    with transaction.atomic():
        for loader in (*LOADERS, *LATE_LOADERS):
            loader(stdout)
