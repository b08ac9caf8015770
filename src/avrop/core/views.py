"""Web shell views: start page, health check, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from avrop.core.decorators import org_view
from avrop.core.home import collect_sections
from avrop.core.selectors import audit_event_list
from avrop.organisations.roles import Role


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    sections = collect_sections(user=request.user, organisation=request.organisation, roles=request.roles)
    return render(request, "core/pages/home.html", {"sections": sections})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers and `make run`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


@org_view(roles=[Role.AUDITOR, Role.ADMIN])
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    events = audit_event_list(user=request.user, organisation=request.organisation)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/pages/audit_log.html", {"page": page})
