"""The supplier's shop window: pictures and extra keywords of its own items, maintained in the portal.

The supplier edits only what the price list does not carry, so the next import keeps it: the picture lives
in ``CatalogueItem.image`` and the extra keywords in ``CatalogueItem.shop_keywords``, both left alone when a
price list is approved. Each change re-indexes the item after commit through the same task as any item
edit, and is audited with the buyer organisation whose catalogue it changes.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from avrop.catalogue.models import CatalogueItem
from avrop.core.audit import audit
from avrop.core.errors import DomainError, ErrorCode, NotFound
from avrop.organisations.models import Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role

SHOP_WINDOW_ROLES = frozenset({Role.SUPPLIER_USER, Role.ADMIN})
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# A shop-window picture never needs more; a phone photo of 5 MB has about 20 million.
MAX_IMAGE_PIXELS = 25_000_000
IMAGE_KINDS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
MAX_KEYWORDS_LENGTH = 500
MAX_KEYWORD_LENGTH = 40


def _too_many_pixels(pixels: int | None) -> DomainError:
    limit = number_format(MAX_IMAGE_PIXELS, force_grouping=True)
    if pixels is None:
        message = _(
            "The picture has more pixels than the %(limit)s a picture may have. Use a smaller picture."
        ) % {"limit": limit}
    else:
        message = _(
            "The picture has %(pixels)s pixels; a picture may have at most %(limit)s (for example "
            "5000 × 5000). Use a smaller picture."
        ) % {"pixels": number_format(pixels, force_grouping=True), "limit": limit}
    return DomainError(ErrorCode.VALIDATION, message, field="image")


def checked_picture(upload: Any) -> tuple[bytes, str]:
    """The picture's bytes and file extension; refuses anything but a JPEG, PNG or WebP of at most 5 MB and
    ``MAX_IMAGE_PIXELS`` pixels.

    The content is decoded, not trusted by its name or content type, so a script named ``bild.png`` is no
    picture. A few kilobytes of PNG can declare 20000 × 20000 pixels (a decompression bomb); the size is read
    from the header and refused before any pixel is decoded.
    """
    from PIL import Image

    data = upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise DomainError(ErrorCode.VALIDATION, _("The picture may be at most 5 MB."), field="image")
    if not data:
        raise DomainError(ErrorCode.VALIDATION, _("The file is empty."), field="image")
    try:
        # Pillow warns from Image.MAX_IMAGE_PIXELS on (far above the limit here, so such a picture is
        # refused below) and raises from twice that, before the size can be asked for.
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width * height)
            picture.verify()
            kind = (picture.format or "").lower()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # (The warning arrives as an exception where warnings are errors.) Pillow names the size in its
        # message: "Image size (400000000 pixels) exceeds limit ...".
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(int(found.group(1)) if found else None) from None
    except DomainError:
        raise
    except Exception:  # any file Pillow cannot make sense of, whatever it raises for it
        raise DomainError(ErrorCode.VALIDATION, _("The file is not a picture."), field="image") from None
    if kind not in IMAGE_KINDS:
        raise DomainError(ErrorCode.VALIDATION, _("Use a JPEG, PNG or WebP picture."), field="image")
    return data, IMAGE_KINDS[kind]


def clean_keywords(text: str) -> str:
    """Comma-separated keywords, trimmed, without duplicates (case-insensitive), in the order given."""
    seen: set[str] = set()
    words: list[str] = []
    for part in re.split(r"[,;\n]", text or ""):
        word = " ".join(part.split())
        if not word:
            continue
        if len(word) > MAX_KEYWORD_LENGTH:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("“%(word)s” is too long for a keyword: at most %(n)s characters each.")
                % {"word": word[:MAX_KEYWORD_LENGTH] + "…", "n": MAX_KEYWORD_LENGTH},
                field="keywords",
            )
        if word.lower() not in seen:
            seen.add(word.lower())
            words.append(word)
    joined = ", ".join(words)
    if len(joined) > MAX_KEYWORDS_LENGTH:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The keywords may be at most %(n)s characters together.") % {"n": MAX_KEYWORDS_LENGTH},
            field="keywords",
        )
    return joined


def _own_item(*, actor: User, organisation: Organisation, item_id: int) -> CatalogueItem:
    """Lock one of the supplier organisation's items; another supplier's item is ``NotFound``."""
    require_role(user=actor, organisation=organisation, roles=SHOP_WINDOW_ROLES)
    if organisation.kind != Organisation.Kind.SUPPLIER:
        raise NotFound()
    try:
        item = (
            CatalogueItem.objects.select_for_update()
            .select_related("organisation")
            .get(pk=item_id, supplier=organisation)
        )
    except (CatalogueItem.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    return item


def _reindex_after_commit(item_id: int) -> None:
    from avrop.catalogue.services.feed import publish_items
    from avrop.catalogue.tasks import catalogue_index_items

    publish_items(item_ids=[item_id])  # for every node's index
    transaction.on_commit(lambda: catalogue_index_items([item_id]))


@transaction.atomic
def item_keywords_set(
    *, actor: User, organisation: Organisation, item_id: int, keywords: str
) -> CatalogueItem:
    """Replace the supplier's extra keywords of one of its items."""
    item = _own_item(actor=actor, organisation=organisation, item_id=item_id)
    clean = clean_keywords(keywords)
    before = item.shop_keywords
    if clean == before:
        return item
    item.shop_keywords = clean
    item.save(update_fields=["shop_keywords"])
    audit(
        actor=actor,
        action="catalogue_item.keywords",
        obj=item,
        organisation=item.organisation,
        before={"shop_keywords": before, "supplier": organisation.pk},
        after={"shop_keywords": clean},
    )
    _reindex_after_commit(item.pk)
    return item


@transaction.atomic
def item_picture_set(*, actor: User, organisation: Organisation, item_id: int, upload: Any) -> CatalogueItem:
    """Store the supplier's picture of one of its items (replaces an earlier one)."""
    item = _own_item(actor=actor, organisation=organisation, item_id=item_id)
    data, extension = checked_picture(upload)
    before = item.image.name
    if before:
        item.image.delete(save=False)
    item.image.save(f"{item.pk}.{extension}", ContentFile(data), save=False)
    item.save(update_fields=["image"])
    audit(
        actor=actor,
        action="catalogue_item.image",
        obj=item,
        organisation=item.organisation,
        before={"image": before, "supplier": organisation.pk},
        after={"image": item.image.name, "bytes": len(data)},
    )
    _reindex_after_commit(item.pk)
    return item


@transaction.atomic
def item_picture_remove(*, actor: User, organisation: Organisation, item_id: int) -> CatalogueItem:
    item = _own_item(actor=actor, organisation=organisation, item_id=item_id)
    before = item.image.name
    if not before:
        return item
    item.image.delete(save=False)
    item.save(update_fields=["image"])
    audit(
        actor=actor,
        action="catalogue_item.image_remove",
        obj=item,
        organisation=item.organisation,
        before={"image": before, "supplier": organisation.pk},
    )
    _reindex_after_commit(item.pk)
    return item
