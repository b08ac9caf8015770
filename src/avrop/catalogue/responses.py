"""The Peppol Catalogue Response (T58) that tells a Peppol supplier whether its catalogue was accepted."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone

from avrop.edi import validation
from avrop.edi.documents import (
    CatalogueResponse,
    DocumentReference,
    DocumentResponse,
    Identifier,
    Party,
    PartyLegalEntity,
    Response,
    build,
)

ACCEPTED = "AP"
REJECTED = "RE"
MAX_DETAILS = 50


class ResponseInvalid(RuntimeError):
    """Our own response failed the official rules: a bug, never sent."""


def _party(organisation: Any) -> Party:
    scheme, _, value = (organisation.peppol_id or "").partition(":")
    if not value:
        scheme, value = "0007", organisation.org_number.replace("-", "")
    return Party(
        endpoint_id=Identifier(value=value, scheme_id=scheme),
        legal_entities=[PartyLegalEntity(registration_name=organisation.name)],
    )


def catalogue_response(
    *, version: Any, accepted: bool, reason: str = "", details: list[str] | None = None
) -> tuple[bytes, str]:
    """Build and validate the T58 for ``version``; return the XML and its SHA-256.

    The T58 data model carries only the response code and a note, so the reason and the rule findings
    (``details``) go into the note.
    """
    now = timezone.localtime()
    note = "\n".join(part for part in [reason, *(details or [])[:MAX_DETAILS]] if part)[:4000]
    response = CatalogueResponse(
        id=f"CR-{version.pk}-{ACCEPTED if accepted else REJECTED}",
        issue_date=now.date(),
        issue_time=now.time().replace(microsecond=0, tzinfo=None),
        notes=[note] if note else [],
        sender_party=_party(version.organisation),
        receiver_party=_party(version.supplier),
        document_responses=[
            DocumentResponse(
                response=Response(response_code=ACCEPTED if accepted else REJECTED),
                document_references=[
                    DocumentReference(id=Identifier(value=version.document_id or str(version.pk)))
                ],
            )
        ],
    )
    data = build(response)
    report = validation.validate(data)
    if not report.valid:
        raise ResponseInvalid("; ".join(f"{f.rule}: {f.message}" for f in report.fatal))
    return data, hashlib.sha256(data).hexdigest()
