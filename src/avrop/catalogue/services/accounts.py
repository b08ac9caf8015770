"""Account mapping: rules from category or supplier to an account, applied at import and to open work.

A rule maps the new items of waiting price lists and the active items without an account at once, so the
coordinator maps a whole group with one decision. Items mapped by hand keep their account.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from avrop.catalogue.models import AccountRule, CatalogueItem, CatalogueVersion, StagedItem
from avrop.core.audit import audit
from avrop.core.errors import DomainError, ErrorCode, NotFound
from avrop.organisations.models import Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role

MAP_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


def _clean_account(
    account_code: str, *, actor: User | None = None, organisation: Organisation | None = None
) -> str:
    """A plausible account number; when the organisation has a chart of accounts, one of its accounts."""
    code = account_code.strip()
    if not code or len(code) > 20 or not code.replace("-", "").isalnum():
        raise DomainError(
            ErrorCode.VALIDATION, _("Give an account number such as 6110."), field="account_code"
        )
    if actor is not None and organisation is not None and organisation.chart_id is not None:
        from avrop.organisations.selectors.chart import account_list

        if not account_list(user=actor, organisation=organisation).filter(number=code).exists():
            raise DomainError(
                ErrorCode.VALIDATION,
                _("Account %(code)s is not in the chart of accounts.") % {"code": code},
                field="account_code",
            )
    return code


def _rule_filter(rule: AccountRule, prefix: str = "") -> Q:
    if rule.kind == AccountRule.Kind.UNSPSC:
        condition = Q(
            **{f"{prefix}category_scheme": "unspsc", f"{prefix}category_code__startswith": rule.value}
        )
    elif rule.kind == AccountRule.Kind.CATEGORY:
        condition = Q(**{f"{prefix}own_category__iexact": rule.value})
    else:
        condition = Q()
    return condition


@transaction.atomic
def account_rule_create(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    value: str = "",
    supplier: Organisation | None = None,
    account_code: str,
) -> AccountRule:
    """Create a rule and apply it to unmapped staged and active items of the organisation."""
    if actor is not None:
        require_role(user=actor, organisation=organisation, roles=MAP_ROLES)
    account_code = _clean_account(account_code, actor=actor, organisation=organisation)
    value = value.strip()
    if kind == AccountRule.Kind.UNSPSC and not (value.isdigit() and 2 <= len(value) <= 8):
        raise DomainError(ErrorCode.VALIDATION, _("A UNSPSC rule needs 2 to 8 digits."), field="value")
    if kind == AccountRule.Kind.CATEGORY and not value:
        raise DomainError(ErrorCode.VALIDATION, _("Name the category."), field="value")
    if kind == AccountRule.Kind.SUPPLIER and supplier is None:
        raise DomainError(ErrorCode.VALIDATION, _("Choose the supplier."), field="supplier")
    if kind == AccountRule.Kind.SUPPLIER:
        value = ""
    rule, created = AccountRule.objects.update_or_create(
        organisation=organisation,
        kind=kind,
        value=value,
        supplier=supplier,
        defaults={"account_code": account_code, "created_by": actor},
    )
    condition = _rule_filter(rule)
    items = CatalogueItem.objects.filter(organisation=organisation, account_code="").filter(condition)
    staged = StagedItem.objects.filter(
        version__organisation=organisation,
        version__status=CatalogueVersion.Status.REVIEW,
        change=StagedItem.Change.ADDED,
        account_code="",
    ).filter(condition)
    if supplier is not None:
        items = items.filter(supplier=supplier)
        staged = staged.filter(version__supplier=supplier)
    mapped_items = items.update(account_code=account_code, account_source=CatalogueItem.AccountSource.RULE)
    version_ids = list(staged.values_list("version_id", flat=True).distinct())
    mapped_staged = staged.update(account_code=account_code)
    _recount_unmapped(version_ids)
    audit(
        actor=actor,
        action="account_rule.create" if created else "account_rule.update",
        obj=rule,
        organisation=organisation,
        after={
            "kind": kind,
            "value": value,
            "account": account_code,
            "items": mapped_items,
            "staged": mapped_staged,
        },
    )
    return rule


def _recount_unmapped(version_ids: list[int]) -> None:
    for version_id in version_ids:
        CatalogueVersion.objects.filter(pk=version_id).update(
            unmapped=StagedItem.objects.filter(
                version_id=version_id, change=StagedItem.Change.ADDED, account_code=""
            ).count()
        )


@transaction.atomic
def account_rule_delete(*, actor: User, organisation: Organisation, rule_id: int) -> None:
    require_role(user=actor, organisation=organisation, roles=MAP_ROLES)
    rule = AccountRule.objects.filter(organisation=organisation, pk=rule_id).first()
    if rule is None:
        raise NotFound()
    audit(
        actor=actor,
        action="account_rule.delete",
        obj=rule,
        organisation=organisation,
        before={"kind": rule.kind, "value": rule.value, "account": rule.account_code},
    )
    rule.delete()


@transaction.atomic
def staged_item_map(
    *, actor: User, organisation: Organisation, staged_id: int, account_code: str
) -> StagedItem:
    """Map one new item of a waiting price list by hand."""
    require_role(user=actor, organisation=organisation, roles=MAP_ROLES)
    account_code = _clean_account(account_code, actor=actor, organisation=organisation)
    staged = (
        StagedItem.objects.select_related("version")
        .filter(
            pk=staged_id, version__organisation=organisation, version__status=CatalogueVersion.Status.REVIEW
        )
        .first()
    )
    if staged is None:
        raise NotFound()
    staged.account_code = account_code
    staged.save(update_fields=["account_code"])
    _recount_unmapped([staged.version_id])
    audit(
        actor=actor,
        action="staged_item.map",
        obj=staged.version,
        organisation=organisation,
        after={"article": staged.article_number, "account": account_code},
    )
    return staged


@transaction.atomic
def item_map(*, actor: User, organisation: Organisation, item_id: int, account_code: str) -> CatalogueItem:
    """Map an active item by hand; later price lists keep this account."""
    require_role(user=actor, organisation=organisation, roles=MAP_ROLES)
    account_code = _clean_account(account_code, actor=actor, organisation=organisation)
    item = CatalogueItem.objects.select_for_update().filter(pk=item_id, organisation=organisation).first()
    if item is None:
        raise NotFound()
    before = item.account_code
    item.account_code = account_code
    item.account_source = CatalogueItem.AccountSource.MANUAL
    item.save(update_fields=["account_code", "account_source"])
    audit(
        actor=actor,
        action="catalogue_item.map",
        obj=item,
        organisation=organisation,
        before={"account": before},
        after={"account": account_code},
    )
    return item


@transaction.atomic
def item_image_upload(*, actor: User, organisation: Organisation, item_id: int, upload) -> CatalogueItem:  # noqa: ANN001
    """Store a picture for an item (JPEG, PNG or WebP up to 5 MB, checked by decoding it)."""
    from django.core.files.base import ContentFile

    from avrop.catalogue.services.shop_window import checked_picture

    require_role(user=actor, organisation=organisation, roles=MAP_ROLES)
    item = CatalogueItem.objects.select_for_update().filter(pk=item_id, organisation=organisation).first()
    if item is None:
        raise NotFound()
    data, extension = checked_picture(upload)
    item.image.save(f"{item.pk}.{extension}", ContentFile(data), save=False)
    item.save(update_fields=["image"])
    audit(
        actor=actor,
        action="catalogue_item.image",
        obj=item,
        organisation=organisation,
        after={"image": item.image.name},
    )
    return item
