"""Reads about catalogues, always scoped by the acting user and organisation.

Requisitioners see active items of agreements their organisation may call off today (a call-off party and
inside the agreement's validity). Coordinators of the contracting organisation see its price lists, staged
imports and every item of its agreements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from avrop.agreements.models import Agreement
from avrop.catalogue.models import (
    AccountRule,
    CatalogueItem,
    CatalogueVersion,
    ImportFinding,
    MissingItemReport,
    SearchLog,
    StagedItem,
    Template,
    TemplateLine,
)
from avrop.catalogue.search import SearchQuery, get_engine
from avrop.catalogue.services import feed
from avrop.core.errors import NotFound
from avrop.organisations.models import Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import organisation_get, roles_in

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class TemplateCounts(TypedDict):
    line_count: int


MANAGE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN, Role.PROCUREMENT_OFFICER})


def callable_agreements(*, organisation: Organisation, today: dt.date | None = None) -> QuerySet[Agreement]:
    """The agreements the organisation may call off today: it is a party and the agreement is valid. The one
    statement of that rule: every other read of callable agreements (ids, items, the checks of a cart) goes
    through this queryset."""
    today = today or timezone.localdate()
    return Agreement.objects.filter(
        parties__organisation=organisation, valid_from__lte=today, valid_to__gte=today
    )


def callable_agreement_ids(*, organisation: Organisation, today: dt.date | None = None) -> frozenset[int]:
    """The ids of ``callable_agreements``."""
    return frozenset(callable_agreements(organisation=organisation, today=today).values_list("pk", flat=True))


def _scoped(user: User, organisation: Organisation) -> Organisation:
    return organisation_get(user=user, organisation_id=organisation.pk)


# --- price lists -----------------------------------------------------------------------------------------


def price_list_list(*, user: User, organisation: Organisation) -> QuerySet[CatalogueVersion]:
    """The contracting organisation's price lists, or for a supplier the ones it sent."""
    organisation = _scoped(user, organisation)
    return (
        CatalogueVersion.objects.filter(Q(organisation=organisation) | Q(supplier=organisation))
        .select_related("agreement", "supplier", "inbound_file", "decided_by")
        .order_by("-created_at", "-id")
    )


def price_list_get(*, user: User, organisation: Organisation, version_id: int) -> CatalogueVersion:
    try:
        return price_list_list(user=user, organisation=organisation).get(pk=version_id)
    except (CatalogueVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def price_lists_waiting(*, user: User, organisation: Organisation) -> QuerySet[CatalogueVersion]:
    return price_list_list(user=user, organisation=organisation).filter(
        organisation=organisation, status=CatalogueVersion.Status.REVIEW
    )


def staged_items(
    *, version: CatalogueVersion, change: str = "", over_limit: bool = False, unmapped: bool = False
) -> QuerySet[StagedItem]:
    rows = StagedItem.objects.filter(version=version)
    if change:
        rows = rows.filter(change=change)
    if over_limit:
        rows = rows.filter(over_limit=True)
    if unmapped:
        rows = rows.filter(change=StagedItem.Change.ADDED, account_code="")
    return rows.order_by("line", "id")


def staged_rows_lost(*, version: CatalogueVersion) -> bool:
    """Whether the staged rows the comparison counted are gone (PostgreSQL empties its unlogged staging
    table after a crash; such a loss takes all rows, so looking for one is enough)."""
    if not (version.added or version.changed or version.removed):
        return False
    return not StagedItem.objects.filter(version=version).exists()


def staged_price_changes(*, version: CatalogueVersion) -> QuerySet[StagedItem]:
    return StagedItem.objects.filter(
        version=version, change=StagedItem.Change.CHANGED, price_change_percent__isnull=False
    ).order_by("-over_limit", "-price_change_percent", "line")


def unmapped_groups(*, version: CatalogueVersion) -> list[dict]:
    """New items without an account, grouped by category so one rule maps a whole group."""
    return list(
        StagedItem.objects.filter(version=version, change=StagedItem.Change.ADDED, account_code="")
        .values("category_scheme", "category_code", "own_category")
        .annotate(items=Count("id"), example=Max("name"))
        .order_by("-items", "category_code", "own_category")[:100]
    )


def finding_list(*, version: CatalogueVersion) -> QuerySet[ImportFinding]:
    return ImportFinding.objects.filter(version=version).order_by("line", "id")


def finding_summary(*, version: CatalogueVersion) -> list[dict]:
    return list(
        ImportFinding.objects.filter(version=version)
        .values("code", "severity")
        .annotate(n=Count("id"))
        .order_by("-n")
    )


# --- items ----------------------------------------------------------------------------------------------


def _item_scope(organisation: Organisation, roles: frozenset[str]) -> Q:
    visible = Q(agreement_id__in=callable_agreement_ids(organisation=organisation), is_active=True)
    if roles & MANAGE_ROLES:
        visible |= Q(organisation=organisation)
    return visible


def item_get(*, user: User, organisation: Organisation, item_id: int) -> CatalogueItem:
    organisation = _scoped(user, organisation)
    roles = roles_in(user=user, organisation=organisation)
    try:
        return (
            CatalogueItem.objects.filter(_item_scope(organisation, roles))
            .select_related("agreement", "supplier")
            .get(pk=item_id)
        )
    except (CatalogueItem.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def items_for_ids(*, user: User, organisation: Organisation, item_ids: list[int]) -> list[CatalogueItem]:
    """Items to order, in the order asked, with their supplier: those the user may order now (active, of an
    agreement the organisation may call off today). The user's membership (an active member of the active
    organisation) is checked first: a user outside the organisation gets ``NotFound``, as from
    ``organisation_get``."""
    organisation = _scoped(user, organisation)
    ids = sorted({int(i) for i in item_ids})
    if not ids:
        return []
    callable_ids = callable_agreements(organisation=organisation).values("pk")
    found = CatalogueItem.objects.filter(
        pk__in=ids, is_active=True, agreement_id__in=callable_ids
    ).select_related("supplier")
    by_id = {item.pk: item for item in found}
    return [by_id[int(i)] for i in item_ids if int(i) in by_id]


# Raw hits read at least for one page: up to this many, the number of articles found is exact. A word in
# thousands of items gets an estimate (the share of distinct articles among the hits read).
EXACT_WINDOW = 200
MAX_WINDOW = 2000

ArticleKey = tuple[int, str]


def _article_key(item_supplier_id: int, article_number: str) -> ArticleKey:
    return (item_supplier_id, article_number)


def _offer_order(item: CatalogueItem, organisation: Organisation) -> tuple[bool, Decimal, int]:
    """Which agreement an article is offered under: the buyer's own customer-specific agreement before a
    shared one (or another organisation's), then the lowest unit price, then the older agreement."""
    own = (
        item.agreement.kind == Agreement.Kind.CUSTOMER_SPECIFIC and item.agreement.owner_id == organisation.pk
    )
    return (not own, item.unit_price, item.agreement_id)


def _offers(
    keys: list[ArticleKey], allowed: frozenset[int], organisation: Organisation
) -> dict[ArticleKey, list[CatalogueItem]]:
    """Every orderable item of each article (the same supplier article under several agreements), best
    first; one query, through the (agreement, article number) index."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = CatalogueItem.objects.filter(
        agreement_id__in=allowed,
        is_active=True,
        supplier_id__in={supplier for supplier, _article in keys},
        article_number__in={article for _supplier, article in keys},
    ).select_related("supplier", "agreement")
    grouped: dict[ArticleKey, list[CatalogueItem]] = {}
    for item in rows:
        key = _article_key(item.supplier_id, item.article_number)
        if key in wanted:
            grouped.setdefault(key, []).append(item)
    for items in grouped.values():
        items.sort(key=lambda item: _offer_order(item, organisation))
    return grouped


def item_offers(*, user: User, organisation: Organisation, item: CatalogueItem) -> list[CatalogueItem]:
    """The same supplier article under every agreement the organisation may call off today, best first
    (the item itself among them when it is orderable)."""
    organisation = _scoped(user, organisation)
    allowed = callable_agreement_ids(organisation=organisation)
    key = _article_key(item.supplier_id, item.article_number)
    return _offers([key], allowed, organisation).get(key, [])


@dataclass
class SearchPage:
    """One hit per article: ``items`` are the best offers (each with ``other_offers``, how many more
    agreements offer it); ``total`` counts articles, exactly unless ``total_is_estimate``."""

    items: list[CatalogueItem]
    total: int
    query: SearchQuery
    has_more: bool = False
    total_is_estimate: bool = False


def search_items(
    *,
    user: User,
    organisation: Organisation,
    text: str,
    supplier_id: int | None = None,
    category: str = "",
    eco_label: str = "",
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Articles matching ``text`` and the filters, by relevance, ``limit`` of them from ``offset``.

    The index ranks items; an article reachable through several agreements is one hit, offered under the
    agreement ``_offer_order`` chooses. Hits the database no longer allows (a price list that ended a
    moment ago) are dropped before counting."""
    organisation = _scoped(user, organisation)
    allowed = callable_agreement_ids(organisation=organisation)
    query = SearchQuery(
        text=text.strip()[:200],
        agreement_ids=allowed,
        excluded_agreement_ids=frozenset(
            CatalogueVersion.objects.filter(status=CatalogueVersion.Status.ACTIVE)
            .exclude(agreement_id__in=allowed)
            .values_list("agreement_id", flat=True)
        ),
        supplier_ids=frozenset([supplier_id]) if supplier_id else frozenset(),
        category=category,
        eco_label=eco_label,
        price_min=price_min,
        price_max=price_max,
        limit=limit,
        offset=offset,
    )
    wanted = offset + limit
    window = max(EXACT_WINDOW, wanted * 2)
    engine = get_engine()
    feed.check_before_search()  # this node's index follows the database (a query every few seconds)
    while True:
        result = engine.search(replace(query, limit=window, offset=0))
        # Looked up by primary key alone, the scope checked here: beside a long list of ids, SQLite would
        # rather walk the (agreement, article) index through every item of the allowed agreements.
        known = {
            pk: _article_key(supplier, article)
            for pk, supplier, article, agreement, active in CatalogueItem.objects.filter(
                pk__in=result.ids
            ).values_list("pk", "supplier_id", "article_number", "agreement_id", "is_active")
            if active and agreement in allowed
        }
        keys = list(dict.fromkeys(known[pk] for pk in result.ids if pk in known))
        read_all = len(result.ids) >= result.total
        if read_all or len(keys) > wanted or window >= MAX_WINDOW:
            break
        window = min(MAX_WINDOW, window * 4)
    page_keys = keys[offset:wanted]
    offers = _offers(page_keys, allowed, organisation)
    items = []
    for key in page_keys:
        found = offers.get(key)
        if found:
            best = found[0]
            best.other_offers = len(found) - 1
            items.append(best)
    if read_all:
        total = len(keys)
    else:
        total = max(len(keys), round(result.total * len(keys) / max(1, len(result.ids))))
    return SearchPage(
        items=items,
        total=total,
        query=query,
        has_more=len(keys) > wanted,
        total_is_estimate=not read_all,
    )


def search_facets(*, user: User, organisation: Organisation) -> dict[str, list]:
    """Choices for the filters: suppliers, own categories and labels of the callable agreements."""
    organisation = _scoped(user, organisation)
    allowed = callable_agreement_ids(organisation=organisation)
    agreements = (
        Agreement.objects.filter(pk__in=allowed).select_related("supplier").order_by("supplier__name")
    )
    suppliers = {a.supplier_id: a.supplier.name for a in agreements}
    categories = list(
        CatalogueItem.objects.filter(agreement_id__in=allowed, is_active=True)
        .exclude(own_category="")
        .values_list("own_category", flat=True)
        .distinct()
        .order_by("own_category")[:200]
    )
    return {"suppliers": sorted(suppliers.items(), key=lambda s: s[1]), "categories": categories}


def unmapped_items(*, user: User, organisation: Organisation) -> QuerySet[CatalogueItem]:
    organisation = _scoped(user, organisation)
    return (
        CatalogueItem.objects.filter(organisation=organisation, is_active=True, account_code="")
        .select_related("agreement", "supplier")
        .order_by("supplier__name", "own_category", "name")
    )


def account_rule_list(*, user: User, organisation: Organisation) -> QuerySet[AccountRule]:
    organisation = _scoped(user, organisation)
    return (
        AccountRule.objects.filter(organisation=organisation)
        .select_related("supplier")
        .order_by("kind", "value")
    )


def supplier_default_account(*, organisation: Organisation, supplier_id: int) -> str:
    """The account the organisation codes a supplier's lines to when no item says otherwise: its rule for
    the whole supplier ('' without one). Lines a supplier registers on the customer's behalf (a SPOC's
    free-text lines, items of an agreement the organisation only calls off) are coded with it."""
    rule = (
        AccountRule.objects.filter(
            organisation=organisation, kind=AccountRule.Kind.SUPPLIER, supplier_id=supplier_id
        )
        .order_by("-pk")
        .first()
    )
    return rule.account_code if rule is not None else ""


def mapping_suppliers(*, user: User, organisation: Organisation) -> list[tuple[int, str]]:
    """Suppliers the organisation can map to accounts: those of the agreements it owns and of those it may
    call off today (a shared agreement of a service centre or a state framework)."""
    organisation = _scoped(user, organisation)
    rows = (
        Agreement.objects.filter(
            Q(owner=organisation) | Q(pk__in=callable_agreements(organisation=organisation).values("pk"))
        )
        .select_related("supplier")
        .order_by("supplier__name")
    )
    return sorted({(a.supplier_id, a.supplier.name) for a in rows}, key=lambda s: s[1])


def default_account_for(item: CatalogueItem) -> str:
    """The account number an order line for ``item`` is coded to by default ('' when not mapped).

    The mapping is kept on the item (set by the rules at import or by hand), so this costs no query.
    """
    return item.account_code


# --- templates -----------------------------------------------------------------------------------------


def template_list(
    *, user: User, organisation: Organisation
) -> QuerySet[WithAnnotations[Template, TemplateCounts]]:
    """Own templates and those shared with the user's department, organisation or all requisitioners."""
    organisation = _scoped(user, organisation)
    memberships = Membership.objects.filter(user=user, organisation=organisation, is_active=True)
    departments = [d for d in memberships.values_list("department_id", flat=True) if d]
    is_requisitioner = memberships.filter(role=Role.REQUISITIONER).exists()
    visible = Q(owner=user) | Q(sharing=Template.Sharing.ORGANISATION)
    if departments:
        visible |= Q(sharing=Template.Sharing.DEPARTMENT, department_id__in=departments)
    if is_requisitioner or roles_in(user=user, organisation=organisation) & MANAGE_ROLES:
        visible |= Q(sharing=Template.Sharing.REQUISITIONERS)
    served_by = organisation.served_by_id
    scope = Q(organisation=organisation)
    if served_by and is_requisitioner:
        scope |= Q(organisation_id=served_by, sharing=Template.Sharing.REQUISITIONERS)
    return (
        Template.objects.filter(scope)
        .filter(visible)
        .select_related("owner", "department")
        .annotate(line_count=Count("lines"))
        .order_by("name")
    )


def template_get(*, user: User, organisation: Organisation, template_id: int) -> Template:
    try:
        return template_list(user=user, organisation=organisation).get(pk=template_id)
    except (Template.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def template_lines(*, template: Template, organisation: Organisation) -> list[TemplateLine]:
    """Lines with their items; ``line.available`` is False when the item left the catalogue or the
    organisation may no longer call off its agreement."""
    allowed = callable_agreement_ids(organisation=organisation)
    lines = list(template.lines.select_related("item", "item__supplier", "item__agreement"))
    for line in lines:
        line.available = line.item.is_active and line.item.agreement_id in allowed
    return lines


# --- searches and missing items ------------------------------------------------------------------------


def zero_result_searches(
    *, user: User, organisation: Organisation, days: int = 30, limit: int = 20
) -> list[dict]:
    """The most common searches that found nothing, so the coordinator knows what to ask suppliers for."""
    organisation = _scoped(user, organisation)
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        SearchLog.objects.filter(organisation=organisation, hits=0, searched_at__gte=since)
        .values("normalised")
        .annotate(times=Count("id"), users=Count("user", distinct=True), last=Max("searched_at"))
        .order_by("-times", "normalised")[:limit]
    )


def missing_report_list(*, user: User, organisation: Organisation) -> QuerySet[MissingItemReport]:
    organisation = _scoped(user, organisation)
    reports = MissingItemReport.objects.filter(organisation=organisation).select_related(
        "reported_by", "answered_by"
    )
    if not roles_in(user=user, organisation=organisation) & MANAGE_ROLES:
        reports = reports.filter(reported_by=user)
    return reports.order_by("status", "-created_at")


def missing_report_get(*, user: User, organisation: Organisation, report_id: int) -> MissingItemReport:
    try:
        return missing_report_list(user=user, organisation=organisation).get(pk=report_id)
    except (MissingItemReport.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- the supplier's side (portal) ---------------------------------------------------------------------


def _supplier_scope(user: User, organisation: Organisation) -> Organisation:
    organisation = _scoped(user, organisation)
    if organisation.kind != Organisation.Kind.SUPPLIER:
        raise NotFound()
    return organisation


def supplier_agreements(*, user: User, organisation: Organisation) -> QuerySet[Agreement]:
    """The agreements under which the supplier organisation sends price lists, with their buyers."""
    organisation = _supplier_scope(user, organisation)
    return (
        Agreement.objects.filter(supplier=organisation)
        .select_related("owner")
        .order_by("owner__name", "reference")
    )


def supplier_price_lists(
    *, user: User, organisation: Organisation, statuses: frozenset[str] | None = None
) -> QuerySet[CatalogueVersion]:
    """The price lists the supplier organisation sent, newest first (by any channel)."""
    organisation = _supplier_scope(user, organisation)
    rows = CatalogueVersion.objects.filter(supplier=organisation).select_related(
        "agreement", "organisation", "inbound_file"
    )
    if statuses:
        rows = rows.filter(status__in=statuses)
    return rows.order_by("-created_at", "-id")


def supplier_price_list_get(*, user: User, organisation: Organisation, version_id: int) -> CatalogueVersion:
    try:
        return supplier_price_lists(user=user, organisation=organisation).get(pk=version_id)
    except (CatalogueVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def supplier_price_lists_to_fix(*, user: User, organisation: Organisation) -> QuerySet[CatalogueVersion]:
    """Rejected or failed price lists not yet followed by a newer one on the same agreement."""
    from django.db.models import Exists, OuterRef

    newer = CatalogueVersion.objects.filter(
        agreement_id=OuterRef("agreement_id"), number__gt=OuterRef("number")
    )
    return supplier_price_lists(
        user=user,
        organisation=organisation,
        statuses=frozenset({CatalogueVersion.Status.REJECTED, CatalogueVersion.Status.FAILED}),
    ).filter(~Exists(newer))


def shop_window_items(
    *, user: User, organisation: Organisation, text: str = "", agreement_id: int | None = None
) -> QuerySet[CatalogueItem]:
    """The supplier's active items in its buyers' catalogues, by article number or name."""
    organisation = _supplier_scope(user, organisation)
    rows = CatalogueItem.objects.filter(supplier=organisation, is_active=True)
    if agreement_id:
        rows = rows.filter(agreement_id=agreement_id)
    text = text.strip()
    if text:
        rows = rows.filter(Q(article_number__istartswith=text) | Q(gtin=text) | Q(name__icontains=text))
    return rows.select_related("agreement", "organisation").order_by("agreement__reference", "article_number")


def shop_window_item_get(*, user: User, organisation: Organisation, item_id: int) -> CatalogueItem:
    """One of the supplier's own items (also one that left the catalogue); another's is ``NotFound``."""
    organisation = _supplier_scope(user, organisation)
    try:
        return CatalogueItem.objects.select_related("agreement", "organisation", "version").get(
            pk=item_id, supplier=organisation
        )
    except (CatalogueItem.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
