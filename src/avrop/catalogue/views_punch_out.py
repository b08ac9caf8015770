"""Punch-out pages of the catalogue: the coordinator's shop settings per supplier, the way to the shop, the
return from it, and (in demo and development) the demo shop itself under /demo-shop/.

The return (hook) URL is posted to by the shop's page in the user's browser, from another site: it carries no
CSRF token and, with SameSite=Lax session cookies, no session either. It is therefore exempt from CSRF and
needs no login; the one-time token in its URL finds the session, the check runs, and the browser is sent on
(303, a top-level GET that carries the session cookie) to the review page, which requires the same user and
browser session.
"""

from __future__ import annotations

import os
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from avrop.catalogue.punch_out import demo_shop, protocols
from avrop.catalogue.punch_out.forms import PunchOutConfigForm
from avrop.catalogue.services import punch_out as service
from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.suppliers.models import Supplier


@buyer_view(service.CONFIG_ROLES)
@require_http_methods(["GET", "POST"])
def settings_page(request: MemberRequest, supplier_id: int) -> HttpResponse:
    config = service.punch_out_config_get(
        user=request.user, organisation=request.organisation, supplier_id=supplier_id
    )
    supplier = Supplier.objects.select_related("organisation").get(pk=supplier_id)
    agreements = service.punch_out_agreements(organisation=request.organisation, supplier_id=supplier_id)
    credentials_set = service.punch_out_credentials_set(config=config) if config else {}
    initial: dict[str, Any] = {"restrict_to_agreement": True, "is_active": True, "language": "sv"}
    if config is not None:
        initial = {
            "protocol": config.protocol,
            "setup_url": config.setup_url,
            "order_url": config.order_url,
            "language": config.language,
            "agreement": config.agreement_id,
            "restrict_to_agreement": config.restrict_to_agreement,
            "allowed_unspsc": config.allowed_unspsc,
            "price_tolerance_percent": config.price_tolerance_percent,
            "default_account": config.default_account,
            "is_active": config.is_active,
        }
    form = PunchOutConfigForm(
        request.POST or None, initial=initial, agreements=agreements, credentials_set=credentials_set
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.punch_out_config_save(
                actor=request.user,
                organisation=request.organisation,
                supplier_id=supplier_id,
                protocol=data["protocol"],
                setup_url=data["setup_url"],
                order_url=data["order_url"],
                language=data["language"],
                agreement_id=data["agreement"],
                restrict_to_agreement=data["restrict_to_agreement"],
                allowed_unspsc=data["allowed_unspsc"],
                price_tolerance_percent=data["price_tolerance_percent"],
                default_account=data["default_account"],
                credentials={name: data[name] for name in service.CREDENTIAL_FIELDS},
                clear_credentials=data["clear_credentials"],
                is_active=data["is_active"],
            )
        except DomainError as exc:
            if exc.code == "not_found":
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The punch-out settings are saved."))
            return redirect("suppliers:detail", pk=supplier_id)
    return render(
        request,
        "catalogue/pages/punch_out_settings.html",
        {"form": form, "supplier": supplier, "config": config},
        status=400 if form.errors else 200,
    )


@buyer_view(service.SHOP_ROLES)
@require_POST
def start(request: MemberRequest, supplier_id: int) -> HttpResponse:
    try:
        departure = service.punch_out_start(
            actor=request.user,
            organisation=request.organisation,
            supplier_id=supplier_id,
            session_key=request.session.session_key,
            hook_url=lambda token: request.build_absolute_uri(
                reverse("catalogue:punch_out_return", args=[token])
            ),
        )
    except DomainError as exc:
        if exc.code == "not_found":
            raise
        messages.error(request, exc.message)
        return redirect("ordering:shop")
    response = render(request, "catalogue/pages/punch_out_go.html", {"departure": departure})
    parts = urlsplit(departure.url)
    # The page's one form goes to the shop: allow exactly that origin as a form target.
    response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response


def _return_fields(request: HttpRequest) -> dict[str, str]:
    """The return's form fields. An OCI cart sends a dozen fields per line, so a cart of a hundred lines is
    past Django's DATA_UPLOAD_MAX_NUMBER_FIELDS; url-encoded returns are read here with a limit of their
    own (the size limit still applies to the body)."""
    if request.content_type == "application/x-www-form-urlencoded":
        text = request.body.decode(request.encoding or "utf-8", "replace")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=protocols.MAX_LINES * 40)
        return dict(pairs)
    return {name: request.POST.get(name, "") for name in request.POST}


@csrf_exempt
@require_POST
def return_from_shop(request: HttpRequest, token: str) -> HttpResponse:
    content_type = request.content_type or ""
    try:
        body = request.body  # first: a multipart body read as form fields cannot be read raw afterwards
    except RawPostDataException:
        body = b""
    try:
        form = {} if "xml" in content_type else _return_fields(request)
    except ValueError:
        form = {}
    try:
        service.punch_out_receive(token=token, form=form, body=body, content_type=content_type)
    except DomainError as exc:
        status = 409 if exc.code == service.PunchOutError.ALREADY_RETURNED else 404
        return render(request, "catalogue/pages/punch_out_refused.html", {"error": exc}, status=status)
    response = HttpResponseRedirect(reverse("ordering:punch_out_review", args=[token]))
    response.status_code = 303  # see other: the browser follows with a GET
    return response


_SHOP = demo_shop.DemoShop()


def demo_shop_enabled() -> bool:
    """On in development and when ``AVROP_DEMO_SHOP`` is true (``avrop run`` sets it: the demo data's
    punch-out supplier uses it); never otherwise, so production has no shop at /catalogue/demo-shop/."""
    return bool(settings.DEBUG) or os.environ.get("AVROP_DEMO_SHOP", "").strip().lower() in {
        "1",
        "true",
        "yes",
    }


@csrf_exempt
def demo_shop_view(request: HttpRequest, path: str = "") -> HttpResponse:
    """The demo shop mounted under /catalogue/demo-shop/ (see ``demo_shop_enabled``)."""
    if not demo_shop_enabled():
        raise Http404()
    environ = dict(request.META)
    environ["SCRIPT_NAME"] = request.path[: len(request.path) - len(path) - 1].rstrip("/")
    environ["PATH_INFO"] = "/" + path
    environ["wsgi.input"] = BytesIO(request.body)
    environ["CONTENT_LENGTH"] = str(len(request.body))
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"], captured["headers"] = status, headers

    body = b"".join(_SHOP(environ, start_response))
    response = HttpResponse(body, status=int(captured["status"].split()[0]))
    for name, value in captured["headers"]:
        if name.lower() != "content-length":
            response[name] = value
    # The shop's page posts the cart back with a small inline script, as real shops do.
    response._csp_replace = {"script-src": ["'self'", "'unsafe-inline'"]}  # type: ignore[attr-defined]
    return response
