"""The search log and "I cannot find it" reports."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.catalogue.models import MissingItemReport, SearchLog
from avrop.catalogue.selectors import missing_report_get
from avrop.core.audit import audit
from avrop.core.errors import DomainError, ErrorCode
from avrop.organisations.models import Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower())[:200]


def search_log_record(
    *, user: User | None, organisation: Organisation, query: str, hits: int
) -> SearchLog | None:
    """Log one search; the coordinator's list of searches without hits is built from these."""
    normalised = normalise(query)
    if not normalised:
        return None
    return SearchLog.objects.create(
        organisation=organisation, user=user, query=query.strip()[:200], normalised=normalised, hits=hits
    )


@transaction.atomic
def missing_report_create(
    *, actor: User, organisation: Organisation, description: str, search_terms: str = "", quantity: str = ""
) -> MissingItemReport:
    require_role(
        user=actor,
        organisation=organisation,
        roles={Role.REQUISITIONER, Role.COORDINATOR, Role.APPROVER, Role.ADMIN},
    )
    if not description.strip():
        raise DomainError(ErrorCode.VALIDATION, _("Describe what you need."), field="description")
    report = MissingItemReport.objects.create(
        organisation=organisation,
        reported_by=actor,
        description=description.strip(),
        search_terms=search_terms.strip()[:200],
        quantity=quantity.strip()[:100],
    )
    if apps.is_installed("avrop.cases"):
        report.case_id = _open_case(actor=actor, organisation=organisation, report=report)
        report.save(update_fields=["case_id"])
    audit(
        actor=actor,
        action="missing_item.report",
        obj=report,
        organisation=organisation,
        after={"search_terms": report.search_terms},
    )
    return report


def _open_case(*, actor: User, organisation: Organisation, report: MissingItemReport) -> int | None:
    from importlib import import_module

    services = import_module("avrop.cases.services")
    create = getattr(services, "case_create", None)
    if create is None:
        return None
    case = create(
        actor=actor,
        organisation=organisation,
        subject=_("Item not found: %(terms)s") % {"terms": report.search_terms or report.description[:60]},
        description=report.description,
    )
    return case.pk


@transaction.atomic
def missing_report_answer(
    *, actor: User, organisation: Organisation, report_id: int, answer: str
) -> MissingItemReport:
    require_role(user=actor, organisation=organisation, roles={Role.COORDINATOR, Role.ADMIN})
    report = missing_report_get(user=actor, organisation=organisation, report_id=report_id)
    if not answer.strip():
        raise DomainError(ErrorCode.VALIDATION, _("Write an answer."), field="answer")
    report.answer = answer.strip()
    report.status = MissingItemReport.Status.ANSWERED
    report.answered_by = actor
    report.answered_at = timezone.now()
    report.save()
    audit(actor=actor, action="missing_item.answer", obj=report, organisation=organisation)
    return report
