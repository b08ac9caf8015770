"""`avrop demo`: load realistic demonstration data, idempotently.

Every app that has demo data provides ``demo.py`` with ``load(stdout)``; they run in INSTALLED_APPS order, so
an app can rely on the data of the apps before it. Data that needs a later app's data goes into an optional
``load_late(stdout)``, run after every ``load``. Each loader finds its objects by natural keys
(organisation number, GLN, user name, agreement reference) and creates only what is missing, so a second
run changes nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import TextIO

from django.apps import apps
from django.db import transaction
from stdnum import ean, luhn
from stdnum.ch import uid

DEMO_PASSWORD = "avrop-demo-2026"  # noqa: S105 (documented demo password)


def se_org_number(nine_digits: str) -> str:
    """A Swedish organisation number NNNNNN-NNNN whose last digit passes the Luhn check."""
    full = nine_digits + luhn.calc_check_digit(nine_digits)
    return f"{full[:6]}-{full[6:]}"


def se_vat(org_number: str) -> str:
    return "SE" + org_number.replace("-", "") + "01"


def gln(twelve_digits: str) -> str:
    return twelve_digits + ean.calc_check_digit(twelve_digits)


def ch_uid(eight_digits: str) -> str:
    full = eight_digits + uid.calc_check_digit(eight_digits)
    return f"CHE-{full[:3]}.{full[3:6]}.{full[6:]}"


def _demo_modules() -> list[object]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("avrop."):
            continue
        try:
            modules.append(import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
    return modules


def load_all(stdout: TextIO) -> None:
    """Run every app's ``load``, then every app's ``load_late`` (for data that needs later apps' data)."""
    modules = _demo_modules()
    with transaction.atomic():
        for phase in ("load", "load_late"):
            for module in modules:
                loader = getattr(module, phase, None)
                if loader is not None:
                    loader(stdout)
