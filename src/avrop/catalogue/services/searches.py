"""The search log and "I cannot find it" reports."""

from __future__ import annotations

import datetime as dt
import re

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


# Searches of one person this close together are one search being typed, refined or sent again (a search
# box sends while typing, on change and on submit): the log keeps its last form.
SETTLE_SECONDS = 60


def search_log_record(
    *, user: User | None, organisation: Organisation, query: str, hits: int
) -> SearchLog | None:
    """Log one search; the coordinator's list of searches without hits is built from these.

    Every search box calls this for the first page of each search. The same person's search a moment
    after one it extends or shortens ("pap", "papp", "papper"), or repeats, updates that row instead of
    adding one, so a search is logged once however many requests it took."""
    normalised = normalise(query)
    if not normalised:
        return None
    now = timezone.now()
    if user is not None:
        latest = (
            SearchLog.objects.filter(
                organisation=organisation,
                user=user,
                searched_at__gte=now - dt.timedelta(seconds=SETTLE_SECONDS),
            )
            .order_by("-searched_at", "-id")
            .first()
        )
        if latest is not None and (
            normalised.startswith(latest.normalised) or latest.normalised.startswith(normalised)
        ):
            SearchLog.objects.filter(pk=latest.pk).update(
                query=query.strip()[:200], normalised=normalised, hits=hits, searched_at=now
            )
            latest.refresh_from_db()
            return latest
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
    # seed 001, "Beställare hittar inte varor": the coordinator works it as a support case with its checklist.
    from avrop.cases.checklists import CaseType
    from avrop.cases.services import case_open

    terms = report.search_terms or report.description[:60]
    details = [report.description]
    if report.search_terms:
        details.append(_("Searched for: %(terms)s") % {"terms": report.search_terms})
    if report.quantity:
        details.append(_("Quantity: %(quantity)s") % {"quantity": report.quantity})
    case = case_open(
        actor=actor,
        organisation=organisation,
        case_type=CaseType.CANNOT_FIND_ITEMS,
        subject=(_("Item not found: %(terms)s") % {"terms": terms})[:200],
        description="\n".join(details),
    )
    report.case_id = case.pk
    report.save(update_fields=["case_id"])
    audit(
        actor=actor,
        action="missing_item.report",
        obj=report,
        organisation=organisation,
        after={"search_terms": report.search_terms},
    )
    return report


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
