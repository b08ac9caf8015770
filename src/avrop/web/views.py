"""Web shell views: start page, audit trail, health check, password reset."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.db import DatabaseError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from avrop.core import lists, ratelimit
from avrop.core.decorators import org_view
from avrop.core.selectors import audit_event_list
from avrop.organisations.requests import MemberRequest, SignedInRequest
from avrop.organisations.roles import Role
from avrop.web.home import collect_sections, month_charts
from avrop.web.lists import AuditFilter, AuditTable
from avrop.web.outage import RETRY_AFTER_SECONDS, drop_broken_connections, is_outage


@login_required
@require_GET
def home(request: SignedInRequest) -> HttpResponse:
    sections = collect_sections(user=request.user, organisation=request.organisation, roles=request.roles)
    charts = month_charts(user=request.user, organisation=request.organisation, roles=request.roles)
    attention = [s for s in sections if s.needs_action]
    return render(
        request,
        "web/pages/home.html",
        {"sections": sections, "attention": attention, "charts": charts},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers and `make run`: one small read of the migrations table,
    so the answer also says that the database has its schema (a missing schema answers 500). A database that
    cannot be reached answers 503 with Retry-After (``avrop.web.outage``), and ok again once it is back."""
    try:
        MigrationRecorder(connection).migration_qs.exists()
    except DatabaseError as exc:
        if not is_outage(exc):
            raise
        drop_broken_connections()
        response = JsonResponse({"status": "database unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok"})


@org_view(roles=[Role.AUDITOR, Role.ADMIN])
@require_GET
def audit_log(request: MemberRequest) -> HttpResponseBase:
    events = audit_event_list(user=request.user, organisation=request.organisation)
    listing = lists.listing(
        request, events, AuditTable, filterset_class=AuditFilter, filename=str(_("audit-trail"))
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    return render(request, "web/pages/audit_log.html", {"listing": listing})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per e-mail address and per client address so that the form cannot
    be used to flood someone's mailbox or the outgoing mail server. The answer does not tell whether the
    address belongs to an account."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        window = settings.AVROP_PASSWORD_RESET_WINDOW
        address = self.request.META.get("REMOTE_ADDR", "")
        allowed = ratelimit.allow(
            "password-reset-ip", address, limit=settings.AVROP_PASSWORD_RESET_PER_CLIENT, window=window
        ) and ratelimit.allow(
            "password-reset-email",
            form.cleaned_data["email"],
            limit=settings.AVROP_PASSWORD_RESET_PER_EMAIL,
            window=window,
        )
        if not allowed:
            return render(
                self.request,
                "registration/password_reset_limited.html",
                {"minutes": window // 60},
                status=429,
            )
        return super().form_valid(form)
