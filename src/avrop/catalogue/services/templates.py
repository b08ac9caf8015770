"""Templates (mallar): named lists of items with default quantities, personal or shared."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from avrop.catalogue.models import CatalogueItem, Template, TemplateLine
from avrop.catalogue.selectors import callable_agreement_ids, template_get
from avrop.core import spreadsheets
from avrop.core.audit import audit
from avrop.core.errors import DomainError, ErrorCode, NotAllowed, NotFound
from avrop.organisations.models import Department, Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role

SHARE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
USE_ROLES = frozenset({Role.REQUISITIONER, Role.COORDINATOR, Role.ADMIN, Role.APPROVER})


def _check_sharing(
    actor: User, organisation: Organisation, sharing: str, department: Department | None
) -> None:
    roles = require_role(user=actor, organisation=organisation, roles=USE_ROLES)
    if (
        sharing in (Template.Sharing.ORGANISATION, Template.Sharing.REQUISITIONERS)
        and not roles & SHARE_ROLES
    ):
        raise NotAllowed(_("Only the e-commerce coordinator shares templates with the whole organisation."))
    if sharing == Template.Sharing.DEPARTMENT and (
        department is None or department.organisation_id != organisation.pk
    ):
        raise DomainError(ErrorCode.VALIDATION, _("Choose the department to share with."), field="department")


def _editable(actor: User, organisation: Organisation, template_id: int) -> Template:
    template = template_get(user=actor, organisation=organisation, template_id=template_id)
    roles = require_role(user=actor, organisation=organisation, roles=USE_ROLES)
    if template.owner_id != actor.pk and not roles & SHARE_ROLES:
        raise NotAllowed(_("Only the owner or the coordinator changes a shared template."))
    return Template.objects.select_for_update().get(pk=template.pk)


@transaction.atomic
def template_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    sharing: str = Template.Sharing.PERSONAL,
    department: Department | None = None,
    description: str = "",
) -> Template:
    name = name.strip()
    if not name:
        raise DomainError(ErrorCode.VALIDATION, _("Give the template a name."), field="name")
    _check_sharing(actor, organisation, sharing, department)
    if Template.objects.filter(organisation=organisation, owner=actor, name=name).exists():
        raise DomainError(
            ErrorCode.CONFLICT,
            _("You already have a template called %(name)s.") % {"name": name},
            field="name",
        )
    template = Template.objects.create(
        organisation=organisation,
        owner=actor,
        name=name,
        sharing=sharing,
        description=description,
        department=department if sharing == Template.Sharing.DEPARTMENT else None,
    )
    audit(
        actor=actor,
        action="template.create",
        obj=template,
        organisation=organisation,
        after={"name": name, "sharing": sharing},
    )
    return template


@transaction.atomic
def template_share(
    *,
    actor: User,
    organisation: Organisation,
    template_id: int,
    sharing: str,
    department: Department | None = None,
) -> Template:
    template = _editable(actor, organisation, template_id)
    _check_sharing(actor, organisation, sharing, department)
    before = template.sharing
    template.sharing = sharing
    template.department = department if sharing == Template.Sharing.DEPARTMENT else None
    template.save(update_fields=["sharing", "department", "updated_at"])
    audit(
        actor=actor,
        action="template.share",
        obj=template,
        organisation=organisation,
        before={"sharing": before},
        after={"sharing": sharing},
    )
    return template


def _quantity(value: object) -> Decimal:
    from avrop.catalogue.imports.rows import parse_decimal

    try:
        quantity = parse_decimal(value)
    except ValueError:
        raise DomainError(
            ErrorCode.VALIDATION, _("%(value)s is not a quantity.") % {"value": value}, field="quantity"
        ) from None
    if quantity <= 0:
        raise DomainError(ErrorCode.VALIDATION, _("The quantity must be above zero."), field="quantity")
    return quantity


@transaction.atomic
def template_add_items(
    *, actor: User, organisation: Organisation, template_id: int, items: Sequence[tuple[int, object]]
) -> int:
    """Add (item id, quantity) pairs; an item already in the template gets the new quantity."""
    template = _editable(actor, organisation, template_id)
    allowed = callable_agreement_ids(organisation=organisation)
    ids = [item_id for item_id, _q in items]
    found = set(
        CatalogueItem.objects.filter(pk__in=ids, is_active=True, agreement_id__in=allowed).values_list(
            "pk", flat=True
        )
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound()
    position = (template.lines.aggregate(p=Max("position"))["p"] or 0) + 1
    added = 0
    for offset, (item_id, quantity) in enumerate(items):
        _line, created = TemplateLine.objects.update_or_create(
            template=template,
            item_id=item_id,
            defaults={"quantity": _quantity(quantity), "position": position + offset},
        )
        added += created
    template.save(update_fields=["updated_at"])
    audit(
        actor=actor,
        action="template.add_items",
        obj=template,
        organisation=organisation,
        after={"items": ids},
    )
    return added


@transaction.atomic
def template_remove_item(*, actor: User, organisation: Organisation, template_id: int, line_id: int) -> None:
    template = _editable(actor, organisation, template_id)
    deleted, _rows = TemplateLine.objects.filter(template=template, pk=line_id).delete()
    if not deleted:
        raise NotFound()
    audit(
        actor=actor,
        action="template.remove_item",
        obj=template,
        organisation=organisation,
        after={"line": line_id},
    )


@transaction.atomic
def template_delete(*, actor: User, organisation: Organisation, template_id: int) -> None:
    template = _editable(actor, organisation, template_id)
    audit(
        actor=actor,
        action="template.delete",
        obj=template,
        organisation=organisation,
        before={"name": template.name},
    )
    template.lines.all().delete()
    template.delete()


def template_import_rows(
    *, path: Path | None = None, stream: IO[bytes] | None = None, filename: str = ""
) -> list[tuple[str, str, int]]:
    """Read (article number, quantity, row) from a spreadsheet or CSV with columns Artikelnummer and Antal."""
    import tempfile

    from avrop.catalogue.imports.fields import header_key
    from avrop.catalogue.imports.readers import SourceError, detect_encoding, sniff_format

    if path is None:
        assert stream is not None
        handle = tempfile.NamedTemporaryFile(suffix=Path(filename).suffix, delete=False)  # noqa: SIM115
        with handle:
            handle.write(stream.read(5 * 1024 * 1024 + 1))
        path = Path(handle.name)
    try:
        if path.stat().st_size > 5 * 1024 * 1024:
            raise DomainError(ErrorCode.VALIDATION, _("A template file may be at most 5 MB."), field="file")
        if sniff_format(path) == "xlsx":
            try:
                with spreadsheets.reading():
                    rows = [list(r) for r in spreadsheets.read_sheet(path).iter_rows()]
            except spreadsheets.SpreadsheetRefused as exc:
                raise DomainError(ErrorCode.VALIDATION, exc.message, field="file") from None
        else:
            import csv

            try:
                encoding = detect_encoding(path)
            except SourceError as exc:
                raise DomainError(ErrorCode.VALIDATION, exc.message, field="file") from None
            with path.open(encoding=encoding, newline="") as text:
                sample = text.readline()
                text.seek(0)
                delimiter = ";" if sample.count(";") >= sample.count(",") else ","
                rows = list(csv.reader(text, delimiter=delimiter))
    finally:
        if stream is not None:
            path.unlink(missing_ok=True)
    if not rows:
        raise DomainError(ErrorCode.VALIDATION, _("The file is empty."), field="file")
    header = [header_key(str(h)) for h in rows[0]]
    article_col = next(
        (i for i, h in enumerate(header) if h in {"artikelnummer", "artnr", "articlenumber"}), None
    )
    quantity_col = next((i for i, h in enumerate(header) if h in {"antal", "quantity", "kvantitet"}), None)
    if article_col is None:
        raise DomainError(
            ErrorCode.VALIDATION, _("The file needs a column Artikelnummer (and Antal)."), field="file"
        )
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if article_col >= len(row) or not str(row[article_col]).strip():
            continue
        article = str(row[article_col]).strip()
        if article.endswith(".0"):
            article = article[:-2]
        quantity = (
            str(row[quantity_col]).strip() if quantity_col is not None and quantity_col < len(row) else "1"
        )
        result.append((article, quantity or "1", number))
    return result


@transaction.atomic
def template_create_from_rows(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    rows: list[tuple[str, str, int]],
    sharing: str = Template.Sharing.PERSONAL,
    department: Department | None = None,
) -> tuple[Template, list[str]]:
    """Build a template from (article number, quantity, row) rows; returns it with the rows not found."""
    template = template_create(
        actor=actor, organisation=organisation, name=name, sharing=sharing, department=department
    )
    allowed = callable_agreement_ids(organisation=organisation)
    articles = {a for a, _q, _n in rows}
    by_article: dict[str, int] = {}
    for item_id, article in (
        CatalogueItem.objects.filter(article_number__in=articles, agreement_id__in=allowed, is_active=True)
        .order_by("pk")
        .values_list("pk", "article_number")
    ):
        by_article.setdefault(article, item_id)
    problems = []
    pairs = []
    for article, quantity, number in rows:
        if article not in by_article:
            problems.append(
                _("Row %(row)s: article %(article)s is not in your catalogue.")
                % {"row": number, "article": article}
            )
            continue
        pairs.append((by_article[article], quantity))
    if pairs:
        template_add_items(actor=actor, organisation=organisation, template_id=template.pk, items=pairs)
    return template, problems
