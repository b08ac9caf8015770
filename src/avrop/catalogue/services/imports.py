"""Price-list imports: receive a file, stage it against the active catalogue, approve or reject it.

The Monday routine runs by itself: files dropped in a supplier's folder (or uploaded, or received over
Peppol) are stored raw with their SHA-256, staged by a task and wait for the coordinator, who reviews the
difference, maps new items to accounts and approves. Nothing of a price list reaches requisitioners before
approval, and a failed or rejected import never touches the active catalogue.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.agreements.models import Agreement
from avrop.catalogue.errors import CatalogueError
from avrop.catalogue.imports import readers, staging
from avrop.catalogue.imports.rows import RowChecker
from avrop.catalogue.models import CatalogueVersion, ColumnMapping, ImportFinding, InboundFile, StagedItem
from avrop.catalogue.selectors import staged_rows_lost
from avrop.catalogue.workflows import VERSION_TRANSITIONS
from avrop.core.audit import audit
from avrop.core.errors import DomainError, ErrorCode, NotFound
from avrop.core.locking import lock
from avrop.core.workflows import assert_transition
from avrop.organisations.models import Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role

MANAGE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
UPLOAD_ROLES = MANAGE_ROLES | {Role.SUPPLIER_USER}
Status = CatalogueVersion.Status
_COPY_CHUNK = 1024 * 1024
logger = logging.getLogger(__name__)


def max_file_bytes() -> int:
    return int(
        getattr(settings, "CATALOGUE_MAX_FILE_BYTES", 0)
        or os.environ.get("AVROP_CATALOGUE_MAX_BYTES")
        or 512 * 1024 * 1024
    )


def archive_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "catalogue" / "inbound"


def inbound_root() -> Path:
    """The suppliers' watched folders: ``CATALOGUE_INBOUND_DIR`` (setting or environment), else under
    ``AVROP_DATA_DIR``. With several nodes, shared storage that every worker sees."""
    configured = getattr(settings, "CATALOGUE_INBOUND_DIR", None) or os.environ.get("CATALOGUE_INBOUND_DIR")
    return Path(configured or settings.DATA_DIR / "inbound" / "catalogue")


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def _too_large(size: int) -> DomainError:
    return DomainError(
        CatalogueError.FILE_TOO_LARGE,
        _("The file is %(size)s; price lists may be at most %(limit)s. Split it or send it as CSV.")
        % {"size": _human(size), "limit": _human(max_file_bytes())},
        field="file",
    )


def _agreement_for(*, actor: User | None, organisation: Organisation | None, agreement_id: int) -> Agreement:
    """The agreement the acting organisation may load price lists for: as its owner or as its supplier."""
    agreement = Agreement.objects.select_related("owner", "supplier").filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound()
    if actor is None:
        return agreement
    if organisation is None or organisation.pk not in (agreement.owner_id, agreement.supplier_id):
        raise NotFound()
    roles = MANAGE_ROLES if organisation.pk == agreement.owner_id else UPLOAD_ROLES
    require_role(user=actor, organisation=organisation, roles=roles)
    return agreement


def _store(source: IO[bytes]) -> tuple[Path, str, int]:
    """Copy to the archive folder while hashing; refuse as soon as the size limit is passed."""
    limit = max_file_bytes()
    folder = archive_dir()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, tmp_name = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := source.read(_COPY_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large(size)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Path(tmp_name), digest.hexdigest(), size


def price_list_receive(
    *,
    actor: User | None,
    organisation: Organisation | None,
    agreement_id: int,
    source: IO[bytes],
    filename: str,
    channel: str,
    size: int | None = None,
    valid_from: dt.date | None = None,
) -> CatalogueVersion:
    """Store an inbound price-list file and queue its staging. The same file twice is refused."""
    agreement = _agreement_for(actor=actor, organisation=organisation, agreement_id=agreement_id)
    if size is not None and size > max_file_bytes():
        raise _too_large(size)
    tmp, sha256, size = _store(source)
    try:
        earlier = (
            InboundFile.objects.filter(
                organisation=agreement.owner, supplier=agreement.supplier, sha256=sha256
            )
            .prefetch_related("versions")
            .first()
        )
        if earlier is not None:
            version = earlier.versions.first()
            raise DomainError(
                CatalogueError.DUPLICATE_FILE,
                _("This file was already received on %(date)s (%(name)s, price list %(version)s).")
                % {
                    "date": timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M"),
                    "name": earlier.filename,
                    "version": version.number if version else "–",
                },
                field="file",
            )
        final = archive_dir() / sha256[:2] / sha256
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    fmt = readers.sniff_format(final)
    with transaction.atomic():
        inbound = InboundFile.objects.create(
            organisation=agreement.owner,
            supplier=agreement.supplier,
            channel=channel,
            filename=filename[:255],
            size=size,
            sha256=sha256,
            path=str(final.relative_to(settings.MEDIA_ROOT)),
            received_by=actor,
        )
        number = (
            CatalogueVersion.objects.filter(agreement=agreement).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        version = CatalogueVersion.objects.create(
            organisation=agreement.owner,
            agreement=agreement,
            supplier=agreement.supplier,
            number=number,
            format=fmt,
            inbound_file=inbound,
            valid_from=valid_from or timezone.localdate(),
            valid_to=agreement.valid_to,
        )
        audit(
            actor=actor,
            action="price_list.receive",
            obj=version,
            organisation=agreement.owner,
            after={"file": filename, "sha256": sha256, "size": size, "channel": channel},
        )
        from avrop.catalogue.tasks import catalogue_stage

        transaction.on_commit(lambda: catalogue_stage(version.pk))
    return version


def _findings_from_validation(version: CatalogueVersion, findings: list[Any]) -> None:
    ImportFinding.objects.bulk_create(
        ImportFinding(
            version=version,
            line=f.line,
            column=(f.location or "")[:120],
            code=f.rule[:60],
            severity=ImportFinding.Severity.ERROR if f.fatal else ImportFinding.Severity.WARNING,
            message=f.message,
        )
        for f in findings[: staging.MAX_STORED_FINDINGS]
    )


def _fail(version: CatalogueVersion, exc: readers.SourceError) -> CatalogueVersion:
    where = version.inbound_file.filename
    if exc.line:
        where += ", " + _("row %(line)s") % {"line": exc.line}
    if exc.column:
        where += ", " + _("column %(column)s") % {"column": exc.column}
    with transaction.atomic():
        version = lock(CatalogueVersion, version.pk)
        StagedItem.objects.filter(version=version).delete()
        ImportFinding.objects.filter(version=version).delete()
        ImportFinding.objects.create(
            version=version,
            line=exc.line,
            column=exc.column[:120],
            code=exc.code[:60],
            severity=ImportFinding.Severity.ERROR,
            message=exc.message,
        )
        _findings_from_validation(version, exc.findings)
        assert_transition(version, to=Status.FAILED, transitions=VERSION_TRANSITIONS)
        version.status = Status.FAILED
        version.failure = f"{where}: {exc.message}"
        version.document_id = version.document_id or exc.document_id
        if version.format == CatalogueVersion.Format.PEPPOL and version.document_id:
            reasons = [f"{f.rule}: {f.message}" for f in exc.findings if f.fatal][:20] or [exc.message]
            _respond(version, accepted=False, reason=exc.message, details=reasons)
        version.save()
        audit(actor=None, action="price_list.fail", obj=version, after={"failure": version.failure})
    return version


def _respond(
    version: CatalogueVersion,
    *,
    accepted: bool,
    reason: str = "",
    details: list[str] | None = None,
) -> None:
    from avrop.catalogue.responses import catalogue_response

    version.response_xml, version.response_sha256 = catalogue_response(
        version=version, accepted=accepted, reason=reason, details=details
    )


def active_version(agreement_id: int) -> CatalogueVersion | None:
    return CatalogueVersion.objects.filter(agreement_id=agreement_id, status=Status.ACTIVE).first()


def _rows_estimate(path: Path, file_format: str) -> int:
    """Rows of a CSV file (its lines less the header) for the progress bar; 0 (unknown) for other formats,
    where counting would cost as much as reading."""
    if file_format != "csv":
        return 0
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(0, lines - 1)


def price_list_stage(*, version_id: int) -> CatalogueVersion:
    """Read the stored file and stage its differences from the active version (idempotent)."""
    version = CatalogueVersion.objects.select_related(
        "agreement", "inbound_file", "organisation", "supplier"
    ).get(pk=version_id)
    if version.status not in (Status.RECEIVED, Status.REVIEW):
        return version
    StagedItem.objects.filter(version=version).delete()
    ImportFinding.objects.filter(version=version).delete()
    base = active_version(version.agreement_id)
    path = Path(settings.MEDIA_ROOT) / version.inbound_file.path
    saved = ColumnMapping.objects.filter(organisation=version.organisation, supplier=version.supplier).first()
    try:
        if path.stat().st_size == 0:
            raise readers.SourceError("empty", _("The file is empty."), line=1)
        # A spreadsheet is read in a thread while the items it is compared with are loaded here.
        opening = readers.Opening(path, version.format, saved=saved.columns if saved else None)
        rules = staging.AccountRules(organisation_id=version.organisation_id, supplier_id=version.supplier_id)
        existing = staging.existing_items(version.agreement_id)
        source = opening.source()
        if source.format == "peppol":
            _apply_peppol_header(version, source)
        checker = RowChecker(columns=source.columns)
        CatalogueVersion.objects.filter(pk=version.pk).update(
            progress_done=0, progress_total=_rows_estimate(path, source.format)
        )

        def progress(rows: int) -> None:
            # Autocommitted on its own, so the page polling the price list sees it at once.
            CatalogueVersion.objects.filter(pk=version_id).update(progress_done=rows)

        result = staging.stage(
            version=version, source=source, checker=checker, rules=rules, existing=existing, progress=progress
        )
        del existing
        if result.rows == 0:
            raise readers.SourceError("no_rows", _("The file has a header but no items."), line=2)
        if result.error_rows == result.rows:
            raise readers.SourceError(
                "no_valid_rows",
                _("None of the %(rows)s rows can be imported; see the first errors of the file.")
                % {"rows": result.rows},
                line=2,
            )
    except readers.SourceError as exc:
        return _fail(version, exc)
    except Exception:
        # Record why before the task queue reports it, so the coordinator does not wait for a review.
        logger.exception("Staging price list %s failed", version.pk)
        _fail(
            version,
            readers.SourceError(
                "internal", _("The import failed unexpectedly; the administrators were told.")
            ),
        )
        raise
    organisation = version.organisation  # loaded above; the locked copy below would fetch it again
    with transaction.atomic():
        version = lock(CatalogueVersion, version.pk)
        assert_transition(version, to=Status.REVIEW, transitions=VERSION_TRANSITIONS)
        for name in (
            "rows",
            "added",
            "changed",
            "removed",
            "unchanged",
            "error_rows",
            "price_increases",
            "over_limit",
            "unmapped",
        ):
            setattr(version, name, getattr(result, name))
        version.progress_done = version.progress_total = result.rows
        version.base = base
        version.status = Status.REVIEW
        version.staged_at = timezone.now()
        version.save()
        audit(
            actor=None,
            action="price_list.stage",
            obj=version,
            organisation=organisation,
            after={
                "added": result.added,
                "changed": result.changed,
                "removed": result.removed,
                "errors": result.error_rows,
                "over_limit": result.over_limit,
            },
        )
    return version


def _apply_peppol_header(version: CatalogueVersion, source: readers.Source) -> None:
    meta = source.meta
    fields = ["document_id"]
    version.document_id = (meta.get("document_id") or "")[:100]
    if meta.get("valid_from"):
        version.valid_from = meta["valid_from"]
        fields.append("valid_from")
    if meta.get("valid_to"):
        version.valid_to = meta["valid_to"]
        fields.append("valid_to")
    CatalogueVersion.objects.filter(pk=version.pk).update(**{f: getattr(version, f) for f in fields})
    contract = meta.get("contract")
    if contract and contract != version.agreement.reference:
        ImportFinding.objects.create(
            version=version,
            code="contract_reference",
            severity=ImportFinding.Severity.WARNING,
            column="ReferencedContract/ID",
            message=_("The catalogue refers to contract %(found)s; the agreement is %(expected)s.")
            % {"found": contract, "expected": version.agreement.reference},
        )


def _version_for_decision(*, actor: User, organisation: Organisation, version_id: int) -> CatalogueVersion:
    require_role(user=actor, organisation=organisation, roles=MANAGE_ROLES)
    try:
        version = lock(CatalogueVersion, version_id)
    except (CatalogueVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if version.organisation_id != organisation.pk:
        raise NotFound()
    return version


def _activate(version: CatalogueVersion, *, now: dt.datetime, previous: CatalogueVersion | None) -> None:
    """``previous``: the agreement's active version, as ``_check_base`` found it in this transaction."""
    staging.activate(version=version, now=now)
    if previous is not None:
        assert_transition(previous, to=Status.REPLACED, transitions=VERSION_TRANSITIONS)
        previous.status = Status.REPLACED
        previous.replaced_at = now
        previous.save(update_fields=["status", "replaced_at", "updated_at"])
    assert_transition(version, to=Status.ACTIVE, transitions=VERSION_TRANSITIONS)
    version.status = Status.ACTIVE
    version.activated_at = now
    from avrop.catalogue.services.feed import publish_version
    from avrop.catalogue.tasks import catalogue_index_version

    # Published in this transaction for every node's index; the task indexes it on the worker's node now.
    publish_version(version_id=version.pk)
    transaction.on_commit(lambda: catalogue_index_version(version.pk))


def _check_staged(version: CatalogueVersion) -> None:
    """The staged rows the comparison counted must still be there.

    On PostgreSQL they are kept in an unlogged table (derived data, not worth the write-ahead log), which
    a crash or a fail-over to a standby leaves empty; the price list is then compared again from its stored
    file."""
    if staged_rows_lost(version=version):
        raise DomainError(
            CatalogueError.STAGED_ROWS_LOST,
            _(
                "The comparison of this price list was lost when the database restarted; "
                "compare it again before deciding."
            ),
        )


def _check_base(version: CatalogueVersion) -> CatalogueVersion | None:
    """The agreement's active version, which must still be the one the price list was compared with."""
    current = active_version(version.agreement_id)
    if (current.pk if current else None) != version.base_id:
        raise DomainError(
            CatalogueError.STALE_REVIEW,
            _(
                "Another price list became active after this one was compared; "
                "compare it again before deciding."
            ),
        )
    return current


@transaction.atomic
def price_list_approve(
    *,
    actor: User,
    organisation: Organisation,
    version_id: int,
    acknowledge_over_limit: bool = False,
    comment: str = "",
) -> CatalogueVersion:
    """Approve a reviewed price list: active at once, or on its start date when that lies ahead."""
    version = _version_for_decision(actor=actor, organisation=organisation, version_id=version_id)
    now = timezone.now()
    starts_later = version.valid_from > timezone.localdate()
    assert_transition(
        version, to=Status.APPROVED if starts_later else Status.ACTIVE, transitions=VERSION_TRANSITIONS
    )
    current = _check_base(version)
    _check_staged(version)
    if version.over_limit and not acknowledge_over_limit:
        raise DomainError(
            CatalogueError.LIMIT_NOT_ACKNOWLEDGED,
            _("%(count)s prices rise more than the agreement allows; confirm that you accept them.")
            % {"count": version.over_limit},
            field="acknowledge_over_limit",
        )
    version.decided_by = actor
    version.decided_at = now
    version.decision_comment = comment
    if starts_later:
        version.status = Status.APPROVED
    else:
        _activate(version, now=now, previous=current)
    if version.format == CatalogueVersion.Format.PEPPOL:
        _respond(version, accepted=True, reason=comment)
    version.save()
    audit(
        actor=actor,
        action="price_list.approve",
        obj=version,
        organisation=organisation,
        comment=comment,
        after={"status": version.status, "over_limit_accepted": version.over_limit},
    )
    return version


@transaction.atomic
def price_list_reject(
    *, actor: User, organisation: Organisation, version_id: int, reason: str
) -> CatalogueVersion:
    if not reason.strip():
        raise DomainError(ErrorCode.VALIDATION, _("Say why the price list is rejected."), field="reason")
    version = _version_for_decision(actor=actor, organisation=organisation, version_id=version_id)
    assert_transition(version, to=Status.REJECTED, transitions=VERSION_TRANSITIONS)
    version.status = Status.REJECTED
    version.decided_by = actor
    version.decided_at = timezone.now()
    version.decision_comment = reason
    if version.format == CatalogueVersion.Format.PEPPOL:
        errors = ImportFinding.objects.filter(version=version, severity=ImportFinding.Severity.ERROR)[:200]
        _respond(
            version,
            accepted=False,
            reason=reason,
            details=[f"{f.article_number or f.line}: {f.message}" for f in errors],
        )
    version.save()
    StagedItem.objects.filter(version=version).delete()
    audit(actor=actor, action="price_list.reject", obj=version, comment=reason)
    return version


def price_list_restage(*, actor: User, organisation: Organisation, version_id: int) -> CatalogueVersion:
    """Compare a waiting price list again, e.g. after another one became active."""
    with transaction.atomic():
        version = _version_for_decision(actor=actor, organisation=organisation, version_id=version_id)
        assert_transition(version, to=Status.REVIEW, transitions=VERSION_TRANSITIONS)
        version.status = Status.REVIEW
        version.save(update_fields=["status", "updated_at"])
        audit(actor=actor, action="price_list.restage", obj=version)
    return price_list_stage(version_id=version.pk)


STAGE_SWEEP_AFTER = dt.timedelta(minutes=10)
STAGE_MAX_RESUMES = 3


def price_lists_stage_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Price lists left "received" (their staging task lost with a worker that was killed or restarted)
    are staged again; one whose staging was resumed ``STAGE_MAX_RESUMES`` times already fails with a reason
    the coordinator and supplier can act on, so that a file that stops the reader cannot loop for ever.
    Returns the ids handed to the staging task."""
    from avrop.core.models import AuditEvent

    cutoff = (now or timezone.now()) - STAGE_SWEEP_AFTER
    stale = list(
        CatalogueVersion.objects.filter(status=Status.RECEIVED, created_at__lt=cutoff)
        .select_related("inbound_file", "organisation")
        .order_by("pk")[:50]
    )
    if not stale:
        return []
    resumed: dict[str, int] = {}
    for object_id in AuditEvent.objects.filter(
        action="price_list.stage_resumed",
        object_type=CatalogueVersion._meta.label_lower,
        object_id__in=[str(v.pk) for v in stale],
    ).values_list("object_id", flat=True):
        resumed[object_id] = resumed.get(object_id, 0) + 1
    again = []
    for version in stale:
        if resumed.get(str(version.pk), 0) >= STAGE_MAX_RESUMES:
            _fail(
                version,
                readers.SourceError(
                    "interrupted",
                    _(
                        "Reading the file was interrupted %(times)s times, so it is not tried again. Check "
                        "that the file opens in a spreadsheet program, or send it again."
                    )
                    % {"times": STAGE_MAX_RESUMES},
                ),
            )
            continue
        audit(actor=None, action="price_list.stage_resumed", obj=version, organisation=version.organisation)
        again.append(version.pk)
    if again:
        from avrop.catalogue.tasks import catalogue_stage

        for version_id in again:
            transaction.on_commit(functools.partial(catalogue_stage, version_id))
    return again


def price_lists_activate_due(*, today: dt.date | None = None) -> int:
    """Activate approved price lists whose start date has come; stale ones go back to review."""
    today = today or timezone.localdate()
    done = 0
    for version_id in CatalogueVersion.objects.filter(
        status=Status.APPROVED, valid_from__lte=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            version = lock(CatalogueVersion, version_id)
            if version.status != Status.APPROVED:
                continue
            try:
                current = _check_base(version)
                _check_staged(version)
            except DomainError:
                version.status = Status.REVIEW
                version.save(update_fields=["status", "updated_at"])
                audit(actor=None, action="price_list.stale", obj=version)
                transaction.on_commit(functools.partial(_restage_later, version.pk))
                continue
            _activate(version, now=timezone.now(), previous=current)
            version.save()
            audit(actor=None, action="price_list.activate", obj=version)
            done += 1
    return done


def _restage_later(version_id: int) -> None:
    from avrop.catalogue.tasks import catalogue_stage

    catalogue_stage(version_id)


def column_mapping_save(
    *, actor: User, organisation: Organisation, supplier: Organisation, columns: dict[str, str]
) -> ColumnMapping:
    require_role(user=actor, organisation=organisation, roles=MANAGE_ROLES)
    from avrop.catalogue.imports.fields import FIELD_BY_KEY

    clean = {k: v.strip() for k, v in columns.items() if k in FIELD_BY_KEY and v and v.strip()}
    with transaction.atomic():
        mapping, _created = ColumnMapping.objects.update_or_create(
            organisation=organisation, supplier=supplier, defaults={"columns": clean}
        )
        audit(actor=actor, action="column_mapping.save", obj=mapping, organisation=organisation, after=clean)
    return mapping


# --- the watched folder -------------------------------------------------------------------------------


def _settled(path: Path, *, min_age: float) -> bool:
    """A file still being written (recent modification) is left for the next scan."""
    try:
        return (timezone.now().timestamp() - path.stat().st_mtime) >= min_age
    except FileNotFoundError:
        return False


def _move(path: Path, folder: str, note: str = "") -> None:
    target = path.parent / folder
    target.mkdir(exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    destination = target / f"{stamp}-{path.name}"
    shutil.move(str(path), destination)
    if note:
        destination.with_name(destination.name + ".error.txt").write_text(note, encoding="utf-8")


def inbound_folder_scan(*, root: Path | None = None, min_age: float = 30.0) -> list[CatalogueVersion]:
    """Pick up files in ``inbound/catalogue/<supplier org.no>/`` (or ``…/<agreement reference>/``).

    A file directly in the supplier's folder belongs to the supplier's one current agreement; a supplier
    with several current agreements gets one subfolder per agreement reference. Processed files move to
    ``processed/``, refused ones to ``rejected/`` with the reason beside them.
    """
    root = root or inbound_root()
    received: list[CatalogueVersion] = []
    if not root.exists():
        return received
    today = timezone.localdate()
    for supplier_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        digits = supplier_dir.name.replace("-", "")
        supplier = next(
            (
                o
                for o in Organisation.objects.filter(
                    kind__in=[Organisation.Kind.SUPPLIER, Organisation.Kind.SERVICE_PARTNER]
                )
                if o.org_number.replace("-", "") == digits
            ),
            None,
        )
        current = (
            list(Agreement.objects.filter(supplier=supplier, valid_from__lte=today, valid_to__gte=today))
            if supplier
            else []
        )
        candidates: list[tuple[Path, Agreement | None, str]] = []
        for entry in sorted(supplier_dir.iterdir()):
            if entry.name.startswith(".") or entry.name.endswith((".part", ".tmp", ".error.txt")):
                continue
            if entry.is_file():
                if len(current) == 1:
                    candidates.append((entry, current[0], ""))
                elif not current:
                    candidates.append(
                        (
                            entry,
                            None,
                            _("No current agreement with supplier %(org)s.") % {"org": supplier_dir.name},
                        )
                    )
                else:
                    candidates.append(
                        (
                            entry,
                            None,
                            _(
                                "The supplier has several current agreements (%(refs)s): "
                                "put the file in the folder named after the agreement reference."
                            )
                            % {"refs": ", ".join(a.reference for a in current)},
                        )
                    )
            elif entry.is_dir() and entry.name not in ("processed", "rejected"):
                agreement = next((a for a in current if a.reference == entry.name), None)
                for file in sorted(f for f in entry.iterdir() if f.is_file() and not f.name.startswith(".")):
                    if file.name.endswith((".part", ".tmp", ".error.txt")):
                        continue
                    candidates.append(
                        (
                            file,
                            agreement,
                            ""
                            if agreement
                            else _("No current agreement %(ref)s with this supplier.") % {"ref": entry.name},
                        )
                    )
        for path, agreement, problem in candidates:
            if not _settled(path, min_age=min_age):
                continue
            if agreement is None:
                _move(path, "rejected", problem)
                continue
            try:
                size = path.stat().st_size
                with path.open("rb") as handle:
                    version = price_list_receive(
                        actor=None,
                        organisation=None,
                        agreement_id=agreement.pk,
                        source=handle,
                        filename=path.name,
                        channel=InboundFile.Channel.FOLDER,
                        size=size,
                    )
            except DomainError as exc:
                _move(path, "rejected", exc.message)
            else:
                _move(path, "processed")
                received.append(version)
    return received
