"""Actions on agreements: registration, call-off parties, introduction plan, documents, follow-up meetings."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    FollowUpMeeting,
    document_path,
)
from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode
from avrop.core.locking import lock
from avrop.organisations.models import Department, Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role
from avrop.suppliers.models import SupplierContact

AGREEMENT_ROLES = frozenset({Role.COORDINATOR, Role.PROCUREMENT_OFFICER, Role.ADMIN})
EDITABLE_FIELDS = (
    "reference",
    "title",
    "kind",
    "categories",
    "valid_from",
    "valid_to",
    "extension_options",
    "delivery_terms",
    "delivery_days",
    "consumables_business_days",
    "invoicing_terms",
    "payment_days",
    "follow_up_meetings_per_year",
    "max_price_increase_percent",
)
BUYER_KINDS = frozenset({Organisation.Kind.BUYER, Organisation.Kind.SERVICE_CENTRE})


def _guard(actor: User | None, organisation: Organisation, roles: Iterable[str] = AGREEMENT_ROLES) -> None:
    """``actor=None`` is the system itself (demo loader, imports); people need one of ``roles``."""
    if actor is not None:
        require_role(user=actor, organisation=organisation, roles=roles)


def _check_terms(
    *,
    owner: Organisation,
    supplier: Organisation,
    reference: str,
    valid_from: dt.date,
    valid_to: dt.date,
    exclude_pk: int | None = None,
) -> None:
    if not reference.strip():
        raise DomainError(
            ErrorCode.VALIDATION, _("Enter the agreement's reference number."), field="reference"
        )
    if valid_to < valid_from:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The agreement ends before it starts: %(to)s is before %(from)s.")
            % {"to": valid_to.isoformat(), "from": valid_from.isoformat()},
            field="valid_to",
        )
    if supplier.kind not in {Organisation.Kind.SUPPLIER, Organisation.Kind.SERVICE_PARTNER}:
        raise DomainError(
            ErrorCode.VALIDATION, _("%(name)s is not a supplier.") % {"name": supplier.name}, field="supplier"
        )
    # Compared in Python: SQLite folds only ASCII case, and "ÖK-1" and "ök-1" are the same reference.
    same_owner = Agreement.objects.filter(owner=owner)
    if exclude_pk is not None:
        same_owner = same_owner.exclude(pk=exclude_pk)
    others = same_owner.values_list("reference", flat=True)
    if reference.strip().casefold() in {other.casefold() for other in others}:
        raise DomainError(
            ErrorCode.CONFLICT,
            _("Agreement reference %(ref)s is already used.") % {"ref": reference.strip()},
            field="reference",
        )


def _check_parties(parties: Iterable[Organisation]) -> None:
    for party in parties:
        if party.kind not in BUYER_KINDS:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("%(name)s is not a buying organisation and cannot call off.") % {"name": party.name},
                field="parties",
            )


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    owner: Organisation,
    supplier: Organisation,
    reference: str,
    title: str,
    valid_from: dt.date,
    valid_to: dt.date,
    parties: list[Organisation] | None = None,
    **fields: Any,
) -> Agreement:
    _guard(actor, owner)
    _check_terms(
        owner=owner, supplier=supplier, reference=reference, valid_from=valid_from, valid_to=valid_to
    )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"agreement_create() got unknown fields: {sorted(unknown)}")
    _check_parties(parties or [])
    agreement = Agreement.objects.create(
        owner=owner,
        supplier=supplier,
        reference=reference.strip(),
        title=title,
        valid_from=valid_from,
        valid_to=valid_to,
        **fields,
    )
    AgreementParty.objects.bulk_create(
        [AgreementParty(agreement=agreement, organisation=party) for party in {owner, *(parties or [])}]
    )
    audit(
        actor=actor, action="agreement.create", obj=agreement, organisation=owner, after=snapshot(agreement)
    )
    return agreement


@transaction.atomic
def agreement_update(*, actor: User | None, agreement_id: int, **fields: Any) -> Agreement:
    """Change the agreement's data; the supplier and the contracting organisation stay as registered."""
    agreement = lock(Agreement, agreement_id)
    _guard(actor, agreement.owner)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"agreement_update() got unknown fields: {sorted(unknown)}")
    merged = {name: fields.get(name, getattr(agreement, name)) for name in EDITABLE_FIELDS}
    _check_terms(
        owner=agreement.owner,
        supplier=agreement.supplier,
        reference=merged["reference"],
        valid_from=merged["valid_from"],
        valid_to=merged["valid_to"],
        exclude_pk=agreement.pk,
    )
    merged["reference"] = merged["reference"].strip()
    before = snapshot(agreement, list(EDITABLE_FIELDS))
    for name, value in merged.items():
        setattr(agreement, name, value)
    agreement.save()
    after = snapshot(agreement, list(EDITABLE_FIELDS))
    changed = {k for k in after if before.get(k) != after[k]}
    if changed:
        audit(
            actor=actor,
            action="agreement.update",
            obj=agreement,
            organisation=agreement.owner,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return agreement


@transaction.atomic
def agreement_parties_set(
    *, actor: User | None, agreement_id: int, organisations: Iterable[Organisation]
) -> list[AgreementParty]:
    """Set which organisations may call off. The contracting organisation always may."""
    agreement = lock(Agreement, agreement_id)
    _guard(actor, agreement.owner)
    wanted = {agreement.owner, *organisations}
    _check_parties(wanted)
    current = {p.organisation_id: p for p in agreement.parties.all()}
    removed = [p for org_id, p in current.items() if org_id not in {o.pk for o in wanted}]
    added = [o for o in wanted if o.pk not in current]
    for party in removed:
        party.delete()
    AgreementParty.objects.bulk_create([AgreementParty(agreement=agreement, organisation=o) for o in added])
    if removed or added:
        audit(
            actor=actor,
            action="agreement.parties_set",
            obj=agreement,
            organisation=agreement.owner,
            before={"parties": sorted(current)},
            after={"parties": sorted(o.pk for o in wanted)},
        )
    return list(agreement.parties.select_related("organisation"))


@transaction.atomic
def agreement_party_restrict(
    *, actor: User | None, party_id: int, departments: Iterable[Department]
) -> AgreementParty:
    """Let only some departments of a party call off (none chosen: all may). Decided by the party itself."""
    party = lock(AgreementParty, party_id)
    _guard(actor, party.organisation)
    chosen = list(departments)
    if any(d.organisation_id != party.organisation_id for d in chosen):
        raise DomainError(
            ErrorCode.VALIDATION, _("The department belongs to another organisation."), field="departments"
        )
    before = sorted(party.departments.values_list("pk", flat=True))
    party.departments.set(chosen)
    after = sorted(d.pk for d in chosen)
    if before != after:
        audit(
            actor=actor,
            action="agreement.party_restrict",
            obj=party.agreement,
            organisation=party.organisation,
            before={"departments": before},
            after={"departments": after},
        )
    return party


@transaction.atomic
def agreement_introduction_plan(
    *,
    actor: User | None,
    agreement_id: int,
    contact: SupplierContact | None,
    planned_on: dt.date | None,
    note: str,
) -> Agreement:
    """Step 1 of "new agreement": the plan made with the supplier's contact person for introducing it."""
    agreement = lock(Agreement, agreement_id)
    _guard(actor, agreement.owner)
    if contact is not None and (
        contact.supplier.buyer_id != agreement.owner_id
        or contact.supplier.organisation_id != agreement.supplier_id
    ):
        raise DomainError(
            ErrorCode.VALIDATION, _("The contact person works for another supplier."), field="contact"
        )
    if not note.strip() and planned_on is None:
        raise DomainError(
            ErrorCode.VALIDATION, _("Enter the date of the introduction meeting or a plan."), field="note"
        )
    fields = ["introduction_contact", "introduction_planned_on", "introduction_note"]
    before = snapshot(agreement, fields)
    agreement.introduction_contact, agreement.introduction_planned_on = contact, planned_on
    agreement.introduction_note = note.strip()
    agreement.introduction_planned_by, agreement.introduction_planned_at = actor, timezone.now()
    agreement.save(
        update_fields=[*fields, "introduction_planned_by", "introduction_planned_at", "updated_at"]
    )
    audit(
        actor=actor,
        action="agreement.introduction_plan",
        obj=agreement,
        organisation=agreement.owner,
        before=before,
        after=snapshot(agreement, fields),
    )
    return agreement


# --- Documents --------------------------------------------------------------------------------------------

# Extension → (content type, check of the first bytes). Office files are ZIP containers.
_ZIP = (b"PK\x03\x04",)
ALLOWED_DOCUMENTS: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
}


def max_document_bytes() -> int:
    return int(getattr(settings, "AVROP_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Return (content type, SHA-256) or raise a field error naming the limit that was broken."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    limit = max_document_bytes()
    if upload.size is not None and upload.size > limit:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The file is too big: %(size)s; at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            field="file",
        )
    if not upload.size:
        raise DomainError(ErrorCode.VALIDATION, _("The file is empty."), field="file")
    if extension not in ALLOWED_DOCUMENTS:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Files of type %(ext)s are not accepted; allowed: %(allowed)s.")
            % {"ext": extension or _("(none)"), "allowed": ", ".join(sorted(ALLOWED_DOCUMENTS))},
            field="file",
        )
    content_type, signatures = ALLOWED_DOCUMENTS[extension]
    upload.seek(0)
    head = upload.read(2048)
    if signatures is not None and not head.startswith(signatures):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The content of %(name)s is not a %(ext)s file.") % {"name": name, "ext": extension},
            field="file",
        )
    if signatures is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut at the 2 kB boundary is fine
                raise DomainError(
                    ErrorCode.VALIDATION,
                    _("%(name)s is not a UTF-8 text file.") % {"name": name},
                    field="file",
                ) from None
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


@transaction.atomic
def agreement_document_attach(
    *,
    actor: User | None,
    agreement_id: int,
    upload: UploadedFile,
    title: str = "",
    kind: str = AgreementDocument.Kind.CONTRACT,
) -> AgreementDocument:
    agreement = lock(Agreement, agreement_id)
    _guard(actor, agreement.owner)
    if kind not in AgreementDocument.Kind.values:
        raise DomainError(
            ErrorCode.VALIDATION, _("Unknown document kind %(kind)s.") % {"kind": kind}, field="kind"
        )
    content_type, sha256 = _check_upload(upload)
    name = PurePath(upload.name or "").name[:255]
    document = AgreementDocument(
        agreement=agreement,
        kind=kind,
        title=(title.strip() or name)[:200],
        original_name=name,
        content_type=content_type,
        size=upload.size or 0,
        sha256=sha256,
        uploaded_by=actor,
    )
    # The file is written first (named by its hash); should the row not be saved, it is removed again. A
    # rollback of an outer transaction can still leave an unreferenced file behind, which is harmless.
    # Storage is content-addressed: a file already stored under its hash is the same file, so it is reused.
    name = document_path(document, sha256)
    written = not document.file.storage.exists(name)
    if written:
        document.file.save(sha256, upload, save=False)
    else:
        document.file.name = name
    try:
        document.save()
    except Exception:
        if written:
            document.file.delete(save=False)
        raise
    audit(
        actor=actor,
        action="agreement.document_attach",
        obj=agreement,
        organisation=agreement.owner,
        after={"document": document.pk, "title": document.title, "sha256": sha256, "size": document.size},
    )
    return document


# --- Follow-up meetings -----------------------------------------------------------------------------------


@transaction.atomic
def follow_up_meeting_record(
    *,
    actor: User | None,
    agreement_id: int,
    held_on: dt.date,
    attendees: str,
    minutes: str = "",
    upload: UploadedFile | None = None,
) -> FollowUpMeeting:
    agreement = lock(Agreement, agreement_id)
    _guard(actor, agreement.owner)
    _check_meeting(agreement, held_on, attendees)
    document = None
    if upload is not None:
        document = agreement_document_attach(
            actor=actor,
            agreement_id=agreement.pk,
            upload=upload,
            kind=AgreementDocument.Kind.MINUTES,
            title=_("Minutes %(date)s") % {"date": held_on.isoformat()},
        )
    meeting = FollowUpMeeting.objects.create(
        agreement=agreement,
        held_on=held_on,
        attendees=attendees.strip(),
        minutes=minutes.strip(),
        document=document,
        recorded_by=actor,
    )
    audit(
        actor=actor,
        action="agreement.meeting_record",
        obj=agreement,
        organisation=agreement.owner,
        after=snapshot(meeting),
    )
    return meeting


@transaction.atomic
def follow_up_meeting_update(
    *,
    actor: User | None,
    meeting_id: int,
    held_on: dt.date,
    attendees: str,
    minutes: str = "",
    upload: UploadedFile | None = None,
) -> FollowUpMeeting:
    meeting = lock(FollowUpMeeting, meeting_id)
    agreement = meeting.agreement
    _guard(actor, agreement.owner)
    _check_meeting(agreement, held_on, attendees)
    before = snapshot(meeting)
    if upload is not None:
        meeting.document = agreement_document_attach(
            actor=actor,
            agreement_id=agreement.pk,
            upload=upload,
            kind=AgreementDocument.Kind.MINUTES,
            title=_("Minutes %(date)s") % {"date": held_on.isoformat()},
        )
    meeting.held_on, meeting.attendees, meeting.minutes = held_on, attendees.strip(), minutes.strip()
    meeting.save()
    audit(
        actor=actor,
        action="agreement.meeting_update",
        obj=agreement,
        organisation=agreement.owner,
        before=before,
        after=snapshot(meeting),
    )
    return meeting


def _check_meeting(agreement: Agreement, held_on: dt.date, attendees: str) -> None:
    if not attendees.strip():
        raise DomainError(ErrorCode.VALIDATION, _("List who attended."), field="attendees")
    if held_on < agreement.valid_from:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The meeting is before the agreement starts (%(date)s).")
            % {"date": agreement.valid_from.isoformat()},
            field="held_on",
        )
