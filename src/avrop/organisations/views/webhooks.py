"""The organisation's webhooks: its administrator adds and removes them and sees the latest deliveries."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from avrop.core.decorators import org_view
from avrop.core.errors import DomainError
from avrop.core.models import WebhookEndpoint
from avrop.core.webhooks import FAMILIES, deliveries
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.organisations.services.webhooks import webhook_create, webhook_delete


class WebhookForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Address of your system"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events to send"),
        choices=[(key, label) for key, (_prefixes, label) in FAMILIES.items()],
        widget=forms.CheckboxSelectMultiple,
    )


@org_view([Role.ADMIN])
@require_http_methods(["GET", "POST"])
def webhooks(request: MemberRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = webhook_create(
                    actor=request.user,
                    organisation=request.organisation,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 400
            else:
                form = WebhookForm()
        else:
            status = 400
    endpoints = [
        (endpoint, [str(FAMILIES[e][1]) for e in endpoint.events if e in FAMILIES], deliveries(endpoint, 5))
        for endpoint in WebhookEndpoint.objects.filter(organisation=request.organisation).order_by("pk")
    ]
    return render(
        request,
        "organisations/pages/webhooks.html",
        {"form": form, "endpoints": endpoints, "created": created},
        status=status,
    )


@org_view([Role.ADMIN])
@require_POST
def webhook_remove(request: MemberRequest, pk: int) -> HttpResponse:
    webhook_delete(actor=request.user, organisation=request.organisation, endpoint_id=pk)
    messages.success(request, _("The webhook was removed."))
    return redirect(reverse("organisations:webhooks"))
