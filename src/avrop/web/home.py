"""The start page: the sections every app contributes (``avrop.core.home``), for the user's roles.

The contributing apps are listed here, in INSTALLED_APPS order, so that the page's dependencies are plain
imports; ``web/tests/test_composition.py`` fails when an app with a ``home.py`` is missing from the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from avrop.agreements import home as agreements_home
from avrop.cases import home as cases_home
from avrop.catalogue import home as catalogue_home
from avrop.core.home import Section
from avrop.fulfilment import home as fulfilment_home
from avrop.ordering import home as ordering_home
from avrop.organisations import home as organisations_home
from avrop.payables import home as payables_home
from avrop.portal import home as portal_home
from avrop.receivables import home as receivables_home
from avrop.reports import home as reports_home
from avrop.serviceorders import home as serviceorders_home
from avrop.suppliers import home as suppliers_home

CONTRIBUTORS: tuple[Callable[..., list[Section]], ...] = (
    organisations_home.sections,
    suppliers_home.sections,
    agreements_home.sections,
    cases_home.sections,
    catalogue_home.sections,
    payables_home.sections,
    receivables_home.sections,
    ordering_home.sections,
    fulfilment_home.sections,
    serviceorders_home.sections,
    reports_home.sections,
    portal_home.sections,
)


def collect_sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if organisation is None:
        return []
    sections: list[Section] = []
    for contribute in CONTRIBUTORS:
        sections.extend(contribute(user=user, organisation=organisation, roles=roles))
    return sorted(sections, key=lambda s: s.order)
