"""Portal orders: the inbox with its tabs, an order with its answer and despatch advices, the buyer's
cancellations to confirm, and orders a SPOC registers on a customer's behalf.

Thin views over the ordering services: what the supplier does here has the same effect as the Peppol
documents a connected supplier would send (T76 order response, T16 despatch advice).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.errors import DomainError, NotFound
from avrop.fulfilment import selectors as fulfilment_selectors
from avrop.fulfilment import services as fulfilment_services
from avrop.fulfilment.services import despatch
from avrop.ordering import display, selectors, services
from avrop.ordering.models import OrderResponse, Requisition
from avrop.ordering.services import portal as portal_services
from avrop.ordering.services.responses import PORTAL_ANSWERABLE_CHANNELS, PORTAL_RESPONDABLE
from avrop.organisations.models import DeliveryAddress, Department
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.portal.access import customer_relation, customer_relations, portal_view


def _tabs() -> list[tuple[str, str]]:
    return [
        ("new", _("New")),
        ("to_answer", _("To answer")),
        ("to_deliver", _("To deliver")),
        ("delivered", _("Delivered")),
        ("cancellation", _("Cancellations to confirm")),
        ("closed", _("Cancelled or rejected")),
        ("all", _("All")),
    ]


def _customer_id(request: MemberRequest) -> int | None:
    raw = request.GET.get("customer", "").strip()
    if not raw:
        return None
    return customer_relation(request.organisation, raw).pk


@portal_view()
@require_GET
def orders(request: MemberRequest) -> HttpResponse:
    tabs = _tabs()
    tab = request.GET.get("tab", "")
    if tab not in dict(tabs):
        tab = "all"
    customer_id = _customer_id(request)
    counts = selectors.portal_order_counts(
        user=request.user, organisation=request.organisation, customer_id=customer_id
    )
    rows = selectors.portal_order_list(
        user=request.user, organisation=request.organisation, tab=tab, customer_id=customer_id
    )[:200]
    return render(
        request,
        "portal/orders/list.html",
        {
            "tabs": [(key, label, counts.get(key, 0)) for key, label in tabs],
            "tab": tab,
            "tab_label": dict(tabs)[tab],
            "orders": list(rows),
            "customers": list(customer_relations(request.organisation)),
            "customer_id": customer_id,
            "answerable_channels": PORTAL_ANSWERABLE_CHANNELS,
        },
    )


def _line_values(order: Any, lines: list[Any], posted: Any) -> None:
    """Fill each line's form values: what was posted, else the order's current values."""
    for line in lines:
        n = line.line_number
        if posted is not None:
            line.form = {
                "quantity": posted.get(f"quantity-{n}", ""),
                "unit_price": posted.get(f"price-{n}", ""),
                "delivery_date": posted.get(f"date-{n}", ""),
                "substitute_article_number": posted.get(f"substitute-article-{n}", ""),
                "substitute_name": posted.get(f"substitute-name-{n}", ""),
                "reject": posted.get(f"reject-{n}") == "1",
            }
        else:
            date = line.confirmed_delivery_date or line.requested_delivery_date
            line.form = {
                "quantity": f"{line.effective_quantity.normalize():f}",
                "unit_price": f"{line.effective_unit_price.normalize():f}",
                "delivery_date": date.isoformat() if date else "",
                "substitute_article_number": line.substitute_article_number,
                "substitute_name": line.substitute_name,
                "reject": False,
            }


def _order_context(
    request: HttpRequest, order: Any, *, posted: Any = None, error: str = ""
) -> dict[str, Any]:
    lines = selectors.order_lines(order)
    _line_values(order, lines, posted)
    despatches = fulfilment_selectors.order_despatches(order)
    shipped = despatch.shipped_by_line(order) if despatches else {}
    for line in lines:
        line.shipped = shipped.get(line.pk)
    answerable = order.channel in PORTAL_ANSWERABLE_CHANNELS
    return {
        "order": order,
        "lines": lines,
        "confirmed_total": display.confirmed_total(lines) if order.response_code else None,
        "responses": selectors.order_responses(order),
        "despatches": despatches,
        "delivery": fulfilment_selectors.portal_delivery(order),
        "read_only": not answerable,
        "can_respond": answerable and order.status in PORTAL_RESPONDABLE,
        "can_despatch": answerable and order.status in despatch.DESPATCHABLE,
        "can_confirm_cancellation": answerable and order.status == "cancellation_requested",
        "submit_key": (posted.get("submit_key") if posted is not None else "") or uuid.uuid4(),
        "posted": posted,
        "error": error,
        "codes": [
            (OrderResponse.Code.AP, _("Accept the order as it is")),
            (OrderResponse.Code.CA, _("Accept with changes (fill in the changes per line below)")),
            (OrderResponse.Code.RE, _("Reject the order (say why)")),
        ],
    }


@portal_view()
@require_GET
def order(request: MemberRequest, pk: int) -> HttpResponse:
    order = selectors.portal_order_get(user=request.user, organisation=request.organisation, order_id=pk)
    if order.channel in PORTAL_ANSWERABLE_CHANNELS and order.portal_opened_at is None:
        services.portal_order_open(actor=request.user, organisation=request.organisation, order_id=order.pk)
        order.refresh_from_db(fields=["portal_opened_at", "transmission_status"])
    return render(request, "portal/orders/detail.html", _order_context(request, order))


def _response_lines(request: HttpRequest, lines: list[Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for line in lines:
        n = line.line_number
        if request.POST.get(f"reject-{n}") == "1":
            result[str(n)] = {"status_code": "7"}
            continue
        result[str(n)] = {
            "quantity": request.POST.get(f"quantity-{n}", "").strip(),
            "unit_price": request.POST.get(f"price-{n}", "").strip(),
            "delivery_date": request.POST.get(f"date-{n}", "").strip() or None,
            "substitute_article_number": request.POST.get(f"substitute-article-{n}", "").strip()[:60],
            "substitute_name": request.POST.get(f"substitute-name-{n}", "").strip()[:300],
        }
    return result


@portal_view()
@require_POST
def order_respond(request: MemberRequest, pk: int) -> HttpResponse:
    order = selectors.portal_order_get(user=request.user, organisation=request.organisation, order_id=pk)
    code = request.POST.get("code", "")
    promised = request.POST.get("promised_delivery_date", "").strip()
    try:
        promised_date = dt.date.fromisoformat(promised) if promised else None
    except ValueError:
        return render(
            request,
            "portal/orders/detail.html",
            _order_context(
                request, order, posted=request.POST, error=_("%(value)s is not a date.") % {"value": promised}
            ),
            status=400,
        )
    lines = selectors.order_lines(order) if code == OrderResponse.Code.CA else []
    try:
        services.portal_order_respond(
            actor=request.user,
            organisation=request.organisation,
            order_id=order.pk,
            code=code,
            lines=_response_lines(request, lines) if lines else None,
            note=request.POST.get("note", "")[:4000],
            promised_delivery_date=promised_date,
            submit_key=request.POST.get("submit_key", ""),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        order.refresh_from_db()
        return render(
            request,
            "portal/orders/detail.html",
            _order_context(request, order, posted=request.POST, error=exc.message),
            status=exc.http_status,
        )
    messages.success(
        request, _("Your answer to order %(number)s was sent to the customer.") % {"number": order.number}
    )
    return redirect("portal:order", order.pk)


@portal_view()
@require_POST
def order_cancellation_confirm(request: MemberRequest, pk: int) -> HttpResponse:
    order = selectors.portal_order_get(user=request.user, organisation=request.organisation, order_id=pk)
    try:
        services.portal_cancellation_confirm(
            actor=request.user, organisation=request.organisation, order_id=order.pk
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("You confirmed the cancellation of order %(number)s.") % {"number": order.number}
        )
    return redirect("portal:order", order.pk)


@portal_view()
@require_http_methods(["GET", "POST"])
def order_despatch(request: MemberRequest, pk: int) -> HttpResponse:
    order = selectors.portal_order_get(user=request.user, organisation=request.organisation, order_id=pk)
    lines = selectors.order_lines(order)
    remaining = despatch.remaining_by_line(order, lines)
    shipped = despatch.shipped_by_line(order)
    posted = request.POST if request.method == "POST" else None
    error = ""
    error_field = ""
    if posted is not None:
        try:
            advice = fulfilment_services.despatch_advice_register(
                actor=request.user,
                organisation=request.organisation,
                order_id=order.pk,
                lines={
                    str(line.line_number): posted.get(f"quantity-{line.line_number}", "").strip()
                    for line in lines
                },
                despatched_on=posted.get("despatched_on", "").strip() or None,
                expected_on=posted.get("expected_on", "").strip() or None,
                carrier=posted.get("carrier", "")[:200],
                tracking_number=posted.get("tracking_number", "")[:100],
                note=posted.get("note", "")[:4000],
                submit_key=posted.get("submit_key") or None,
            )
        except (DomainError, ValueError) as exc:
            if isinstance(exc, NotFound):
                raise
            error = getattr(exc, "message", "") or _("The form could not be read; check the values.")
            error_field = getattr(exc, "field", "") or ""
        else:
            messages.success(
                request,
                _("Despatch advice %(number)s was registered and shown to the customer.")
                % {"number": advice.number},
            )
            return redirect("portal:order", order.pk)
    for line in lines:
        line.remaining = remaining.get(line.pk)
        line.shipped = shipped.get(line.pk)
        key = f"quantity-{line.line_number}"
        line.field_name = key
        line.value = (
            posted.get(key, "")
            if posted is not None
            else (f"{line.remaining.normalize():f}" if line.remaining else "")
        )
        line.has_error = error_field == key
    return render(
        request,
        "portal/orders/despatch.html",
        {
            "order": order,
            "lines": lines,
            "can_despatch": order.channel in PORTAL_ANSWERABLE_CHANNELS
            and order.status in despatch.DESPATCHABLE,
            "error": error,
            "error_field": error_field,
            "posted": posted,
            "today": timezone.localdate().isoformat(),
            "submit_key": (posted.get("submit_key") if posted is not None else "") or uuid.uuid4(),
        },
        status=400 if error else 200,
    )


# --- orders on behalf of a customer (SPOC) ----------------------------------------------------------------


def _on_behalf_context(request: HttpRequest, relation: Any, posted: Any) -> dict[str, Any]:
    text = request.GET.get("q", "").strip()[:100]
    members = portal_services.on_behalf_requisitioners(relation)
    departments = list(
        Department.objects.filter(organisation=relation.buyer, is_active=True).order_by("name")
    )
    addresses = list(
        DeliveryAddress.objects.filter(department__in=departments)
        .select_related("department")
        .order_by("department__name", "-is_default", "label")
    )
    items = portal_services.on_behalf_items(relation, text=text)
    for item in items:
        item.value = posted.get(f"item-{item.pk}", "") if posted is not None else ""
    free_lines = [
        {
            "n": n,
            "name": posted.get(f"free-{n}-name", "") if posted is not None else "",
            "article_number": posted.get(f"free-{n}-article", "") if posted is not None else "",
            "quantity": posted.get(f"free-{n}-quantity", "") if posted is not None else "",
            "unit_price": posted.get(f"free-{n}-unit_price", "") if posted is not None else "",
            "unit": posted.get(f"free-{n}-unit", "EA") if posted is not None else "EA",
        }
        for n in (1, 2, 3)
    ]
    return {
        "relation": relation,
        "members": members,
        "departments": departments,
        "addresses": addresses,
        "items": items,
        "q": text,
        "free_lines": free_lines,
        "origins": [(Requisition.Origin.PHONE, _("By phone")), (Requisition.Origin.EMAIL, _("By e-mail"))],
    }


@portal_view(roles=[Role.SPOC])
@require_http_methods(["GET", "POST"])
def on_behalf(request: MemberRequest) -> HttpResponse:
    relations = list(customer_relations(request.organisation))
    allowed_ids = portal_services.on_behalf_allowed_ids([r.pk for r in relations])
    raw = request.POST.get("customer") if request.method == "POST" else request.GET.get("customer")
    relation = customer_relation(request.organisation, raw) if raw else None
    posted = request.POST if request.method == "POST" else None
    error = ""
    error_field = ""
    status = 200
    if relation is not None and relation.pk not in allowed_ids:
        error = portal_services.no_permission_message(relation)
        status = 403
        relation_context: dict[str, Any] = {}
    elif relation is not None and posted is not None:
        try:
            requisition = services.requisition_register_on_behalf(
                actor=request.user,
                organisation=request.organisation,
                relation_id=relation.pk,
                requisitioner_id=posted.get("requisitioner", ""),
                origin=posted.get("origin", ""),
                note=posted.get("note", "")[:4000],
                department_id=posted.get("department") or None,
                delivery_address_id=posted.get("delivery_address") or None,
                requested_delivery_date=posted.get("requested_delivery_date", "").strip() or None,
                items=[
                    (key.removeprefix("item-"), posted.get(key, "").strip())
                    for key in posted
                    if key.startswith("item-") and posted.get(key, "").strip()
                ],
                free_lines=[
                    {
                        "name": posted.get(f"free-{n}-name", ""),
                        "article_number": posted.get(f"free-{n}-article", ""),
                        "quantity": posted.get(f"free-{n}-quantity", ""),
                        "unit_price": posted.get(f"free-{n}-unit_price", ""),
                        "unit": posted.get(f"free-{n}-unit", "EA"),
                    }
                    for n in (1, 2, 3)
                ],
                submit_key=posted.get("submit_key") or None,
            )
        except (DomainError, ValueError) as exc:
            if isinstance(exc, NotFound):
                raise
            error = getattr(exc, "message", "") or _("The form could not be read; check the values.")
            error_field = getattr(exc, "field", "") or ""
            status = getattr(exc, "http_status", 400)
        else:
            messages.success(
                request,
                _(
                    "Requisition %(number)s was registered for %(name)s at %(buyer)s and sent to the "
                    "customer's approval."
                )
                % {
                    "number": requisition.number,
                    "name": requisition.requisitioner.get_full_name(),
                    "buyer": relation.buyer.name,
                },
            )
            return redirect("portal:order_on_behalf")
        relation_context = _on_behalf_context(request, relation, posted)
    else:
        relation_context = _on_behalf_context(request, relation, posted) if relation is not None else {}
    registered = list(
        Requisition.objects.filter(registered_for__organisation=request.organisation)
        .select_related("organisation", "requisitioner")
        .order_by("-created_at", "-id")[:20]
    )
    return render(
        request,
        "portal/orders/on_behalf.html",
        {
            **relation_context,
            "relation": relation,
            "allowed": [r for r in relations if r.pk in allowed_ids],
            "error": error,
            "error_field": error_field,
            "posted": posted,
            "registered": registered,
            "submit_key": (posted.get("submit_key") if posted is not None else "") or uuid.uuid4(),
        },
        status=status,
    )
