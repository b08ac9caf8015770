"""Subscription pages: the list (with the periods missing an invoice), register or change, and the detail
with the invoices it matched."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.payables import forms as payables_forms
from avrop.payables import selectors
from avrop.payables.subscriptions import forms, services
from avrop.payables.subscriptions.models import Subscription, SubscriptionInvoice

READ_ROLES = [Role.AP_CLERK, Role.ADMIN, Role.AUDITOR]
CLERK_ROLES = [Role.AP_CLERK, Role.ADMIN]


def _subscription(request: MemberRequest, pk: int) -> Subscription:
    subscription = (
        Subscription.objects.filter(pk=pk, organisation=request.organisation)
        .select_related("supplier__organisation", "attestant")
        .first()
    )
    if subscription is None:
        raise Http404()
    return subscription


@buyer_view(READ_ROLES)
@require_GET
def subscription_list(request: MemberRequest) -> HttpResponse:
    rows = (
        Subscription.objects.filter(organisation=request.organisation)
        .select_related("supplier__organisation", "attestant")
        .annotate(
            matched=Count("matches", distinct=True),
            missing=Count("misses", filter=Q(misses__resolved_at__isnull=True), distinct=True),
        )
        .order_by("-is_active", "name", "pk")
    )
    return render(
        request,
        "payables/subscriptions/list.html",
        {
            "rows": rows,
            "missing": services.missing_for(user=request.user, organisation=request.organisation),
            "can_edit": bool(request.roles & set(CLERK_ROLES)),
        },
    )


def _form(
    request: MemberRequest, data: Any = None, initial: dict[str, Any] | None = None
) -> forms.SubscriptionForm:
    organisation = request.organisation
    return forms.SubscriptionForm(
        data,
        suppliers=organisation.supplier_relations.select_related("organisation").order_by(
            "organisation__name"
        ),
        attestants=selectors.reviewers_for(organisation=organisation),
        initial=initial,
    )


@buyer_view(CLERK_ROLES)
@require_http_methods(["GET", "POST"])
def subscription_edit(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    subscription = _subscription(request, pk) if pk is not None else None
    error = ""
    if request.method == "POST":
        form = _form(request, request.POST)
        formset = payables_forms.CodingFormSet(request.POST, prefix="coding")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            data["coding"] = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                saved = services.subscription_save(
                    actor=request.user,
                    organisation=request.organisation,
                    data=data,
                    subscription_id=subscription.pk if subscription else None,
                )
            except DomainError as exc:
                if exc.http_status == 404:
                    raise
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    error = exc.message
            else:
                messages.success(request, _("The subscription was saved."))
                return redirect(reverse("payables:subscription", args=[saved.pk]))
        status = 400
    else:
        initial: dict[str, Any] = {}
        coding: list[dict[str, Any]] = []
        if subscription is not None:
            initial = {
                "name": subscription.name,
                "supplier": subscription.supplier_id,
                "expected_amount": subscription.expected_amount,
                "currency": subscription.currency,
                "period": subscription.period,
                "first_period": subscription.first_period.strftime("%Y-%m"),
                "tolerance_percent": subscription.tolerance_percent,
                "tolerance_amount": subscription.tolerance_amount,
                "attestant": subscription.attestant_id,
                "is_active": subscription.is_active,
            }
            coding = list(subscription.coding)
        form = _form(request, initial=initial or None)
        formset = payables_forms.CodingFormSet(prefix="coding", initial=coding)
        status = 200
    return render(
        request,
        "payables/subscriptions/edit.html",
        {"form": form, "formset": formset, "subscription": subscription, "error": error},
        status=status,
    )


@buyer_view(READ_ROLES)
@require_GET
def subscription_detail(request: MemberRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    matches = (
        SubscriptionInvoice.objects.filter(subscription=subscription)
        .select_related("invoice")
        .order_by("-period_start", "-pk")
    )
    return render(
        request,
        "payables/subscriptions/detail.html",
        {
            "subscription": subscription,
            "matches": matches,
            "misses": subscription.misses.order_by("-period_start"),
            "tolerance": services.tolerance_of(subscription),
            "can_edit": bool(request.roles & set(CLERK_ROLES)),
        },
    )
