"""Reads about support cases: coordinators see all of the organisation's cases, others their own."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from avrop.cases.models import Case, CaseMessage, CaseStep
from avrop.cases.services import CASE_WORKER_ROLES
from avrop.cases.workflows import ACTIVE
from avrop.core.errors import NotFound
from avrop.organisations.models import Organisation, User
from avrop.organisations.selectors import organisation_get, roles_in


def case_list(*, user: User, organisation: Organisation) -> QuerySet[Case]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    cases = Case.objects.filter(organisation=organisation)
    if not roles_in(user=user, organisation=organisation) & CASE_WORKER_ROLES:
        cases = cases.filter(requester=user)
    return (
        cases.select_related("requester", "assignee", "supplier__organisation", "department")
        .annotate(
            steps_total=Count("steps", distinct=True),
            steps_done=Count("steps", filter=Q(steps__done_at__isnull=False), distinct=True),
        )
        .order_by("-updated_at", "-pk")
    )


def cases_active(*, user: User, organisation: Organisation) -> QuerySet[Case]:
    return case_list(user=user, organisation=organisation).filter(status__in=ACTIVE)


def case_get(*, user: User, organisation: Organisation, case_id: int) -> Case:
    """One case with its checklist and thread (two extra queries, whatever their length)."""
    try:
        return (
            case_list(user=user, organisation=organisation)
            .prefetch_related(
                Prefetch("steps", queryset=CaseStep.objects.select_related("done_by").order_by("position")),
                Prefetch(
                    "messages",
                    queryset=CaseMessage.objects.select_related("author").order_by("created_at", "pk"),
                ),
            )
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
