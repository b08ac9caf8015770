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
    LineReference,
    LineResponse,
    Party,
    PartyLegalEntity,
    Response,
    build,
)

ACCEPTED = "AP"
REJECTED = "RE"
MAX_LINE_RESPONSES = 200


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
    *, version: Any, accepted: bool, reason: str = "", line_findings: list[tuple[str, str]] | None = None
) -> tuple[bytes, str]:
    """Build and validate the T58 for ``version``; return the XML and its SHA-256.

    ``line_findings`` are (catalogue line id, message) pairs reported as rejected lines.
    """
    now = timezone.localtime()
    lines = [
        LineResponse(
            line_reference=LineReference(line_id=line_id),
            responses=[Response(response_code=REJECTED, descriptions=[message[:500]])],
        )
        for line_id, message in (line_findings or [])[:MAX_LINE_RESPONSES]
    ]
    response = CatalogueResponse(
        id=f"CR-{version.pk}-{'AP' if accepted else 'RE'}",
        issue_date=now.date(),
        issue_time=now.time().replace(microsecond=0, tzinfo=None),
        sender_party=_party(version.organisation),
        receiver_party=_party(version.supplier),
        document_responses=[
            DocumentResponse(
                response=Response(
                    response_code=ACCEPTED if accepted else REJECTED,
                    descriptions=[reason[:1000]] if reason else [],
                ),
                document_references=[
                    DocumentReference(id=Identifier(value=version.document_id or str(version.pk)))
                ],
                line_responses=lines,
            )
        ],
    )
    data = build(response)
    report = validation.validate(data)
    if not report.valid:
        raise ResponseInvalid("; ".join(f"{f.rule}: {f.message}" for f in report.fatal))
    return data, hashlib.sha256(data).hexdigest()
