"""The start page: the sections every app contributes (``avrop.core.home``), for the user's roles.

The contributing apps are listed here, in INSTALLED_APPS order, so that the page's dependencies are plain
imports; ``web/tests/test_composition.py`` fails when an app with a ``home.py`` is missing from the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from avrop.agreements import home as agreements_home
from avrop.cases import home as cases_home
from avrop.catalogue import home as catalogue_home
from avrop.core import formatting
from avrop.core.home import Section
from avrop.fulfilment import home as fulfilment_home
from avrop.ordering import home as ordering_home
from avrop.ordering import selectors as ordering_selectors
from avrop.organisations import home as organisations_home
from avrop.organisations.roles import Role
from avrop.payables import home as payables_home
from avrop.portal import home as portal_home
from avrop.receivables import home as receivables_home
from avrop.reports import home as reports_home
from avrop.reports.charts import Chart, Series
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
    """Every app's sections: first those with work waiting for the user, then the rest, each in its order."""
    if organisation is None:
        return []
    sections: list[Section] = []
    for contribute in CONTRIBUTORS:
        sections.extend(contribute(user=user, organisation=organisation, roles=roles))
    return sorted(sections, key=lambda s: (not s.needs_action, s.order))


# Who sees the orders and spend per month on their start page.
CHART_ROLES = frozenset({Role.COORDINATOR, Role.PROCUREMENT_OFFICER})


@dataclass
class MonthChart:
    chart: Chart
    caption: str
    rows: list[tuple[str, str]]


def month_charts(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[MonthChart]:
    """Orders and spend (the value of the orders) per month over the last year, as SVG charts each with the
    same figures as a table for screen readers; one query."""
    if organisation is None or not organisation.is_buyer or not roles & CHART_ROLES:
        return []
    months = ordering_selectors.orders_per_month(user=user, organisation=organisation)
    labels = [formatting.month(m) for m, _n, _v in months]
    counts = Chart(
        title=gettext("Orders per month"),
        description=gettext("Purchase orders of %(org)s per month over the last twelve months.")
        % {"org": organisation.name},
        labels=labels,
        series=[Series(gettext("Orders"), [Decimal(n) for _m, n, _v in months])],
        element_id="chart-orders",
        value_text=formatting.qty,
    )
    spend = Chart(
        title=gettext("Spend per month"),
        description=gettext("The value of the purchase orders per month (SEK) over the last twelve months."),
        labels=labels,
        series=[Series(gettext("Ordered value"), [v for _m, _n, v in months])],
        element_id="chart-spend",
    )
    count_rows = [(label, formatting.qty(n)) for label, (_m, n, _v) in zip(labels, months, strict=True)]
    spend_rows = [(label, formatting.money(v)) for label, (_m, _n, v) in zip(labels, months, strict=True)]
    return [
        MonthChart(counts, gettext("Orders per month"), count_rows),
        MonthChart(spend, gettext("Spend per month"), spend_rows),
    ]
