"""Fulfilment pages: the goods receiver's deliveries to receive and the signed receipt form, the
coordinator's despatch form for an e-mail supplier, delivery attempts (coordinator and supplier), the
post-delivery tasks, and the part of the order page ordering shows (``order_part``, registered in
``apps``). Thin views: parse, call one service, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.decorators import buyer_view, org_view
from avrop.core.errors import DomainError, NotFound
from avrop.fulfilment import selectors, selectors_centres, services
from avrop.fulfilment.forms import CentreForm
from avrop.fulfilment.models import DeliveryAttempt, GoodsReceipt, PostDeliveryTask, TaskKind
from avrop.fulfilment.selectors_centres import REGISTER_ROLES
from avrop.fulfilment.services._common import OVERSIGHT_ROLES, SUPPLIER_ROLES
from avrop.fulfilment.services.despatch import DESPATCHABLE, remaining_by_line
from avrop.ordering.models import Channel, PurchaseOrder
from avrop.organisations.models import Organisation
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.organisations.selectors import department_list
from avrop.suppliers.selectors import buyer_supplier_list

RECEIVER_ROLES = selectors.RECEIVER_ROLES
CENTRE_TEXT_FIELDS = (
    "name",
    "gln",
    "street",
    "postal_code",
    "city",
    "building",
    "contact_name",
    "contact_phone",
)


def _order(request: MemberRequest, pk: int) -> PurchaseOrder:
    try:
        return PurchaseOrder.objects.select_related(
            "supplier__organisation", "department", "requisition__requisitioner", "organisation"
        ).get(pk=pk, organisation=request.organisation)
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise Http404() from None


def _receivable_order(request: MemberRequest, pk: int) -> PurchaseOrder:
    """An order of the receiver's departments (another department's or organisation's id: 404)."""
    order = _order(request, pk)
    departments = selectors.receiver_departments(user=request.user, organisation=request.organisation)
    if departments is not None and order.department_id not in departments:
        raise Http404()
    return order


def _back(request: HttpRequest, order: PurchaseOrder) -> HttpResponse:
    """To the page the form was on (the order page, or the receipt page for a goods receiver)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("ordering:order", order.pk)


# --- the order page's part ---------------------------------------------------------------------------------


def order_part(request: Any, order: PurchaseOrder) -> str:
    """Despatches, refused T16s, receipts, attempts and tasks of ``order`` on ordering's order page."""
    roles: frozenset[str] = getattr(request, "roles", frozenset())
    is_buyer = request.organisation is not None and request.organisation.pk == order.organisation_id
    despatches = selectors.order_despatches(order)
    receipts = selectors.order_receipts(order)
    refused = selectors.order_refused_despatches(order) if is_buyer else []
    if order.status not in selectors.RECEIVABLE and not (despatches or receipts or refused):
        return ""  # nothing is on its way (queued, rejected, cancelled): no delivery to show
    readiness = selectors.order_readiness(order)
    line_statuses = selectors.line_statuses(order)
    context = {
        "order": order,
        "is_buyer": is_buyer,
        "despatches": despatches,
        "line_statuses": line_statuses,
        "refused": refused,
        "receipts": receipts,
        "attempts": selectors.order_attempts(order),
        "machines": selectors.order_machines(order),
        "can_register_machine": is_buyer
        and bool(roles & RECEIVER_ROLES)
        and any(s.received > 0 for s in line_statuses),
        "readiness": readiness,
        "questions": selectors.checklist_questions(order) if is_buyer else [],
        "can_receive": is_buyer
        and Role.GOODS_RECEIVER in roles
        and order.status in selectors.RECEIVABLE
        and not readiness.delivery_accepted,
        "can_despatch": is_buyer
        and bool(roles & OVERSIGHT_ROLES)
        and order.channel != Channel.PEPPOL
        and order.status in DESPATCHABLE,
        "can_log_attempt": is_buyer
        and bool(roles & OVERSIGHT_ROLES)
        and order.status in selectors.RECEIVABLE,
        "can_tasks": is_buyer,
        "attempt_outcomes": DeliveryAttempt.Outcome.choices,
        "today": timezone.localdate().isoformat(),
        "distribution": selectors.order_distribution(order, today=timezone.localdate()),
        "consumables": selectors.consumable_sla(order),
    }
    return render_to_string("fulfilment/partials/order_part.html", context, request=request)


# --- the goods receiver -----------------------------------------------------------------------------------


@buyer_view(RECEIVER_ROLES)
@require_GET
def deliveries(request: MemberRequest) -> HttpResponse:
    orders = list(selectors.deliveries_to_receive(user=request.user, organisation=request.organisation)[:200])
    return render(request, "fulfilment/pages/deliveries.html", {"orders": orders})


@buyer_view(RECEIVER_ROLES)
@require_http_methods(["GET", "POST"])
def receive(request: MemberRequest, pk: int) -> HttpResponse:
    order = _receivable_order(request, pk)
    posted = request.POST if request.method == "POST" else None
    error = ""
    error_field = ""
    if posted is not None:
        entries = {
            str(line.line_number): {
                "quantity": posted.get(f"quantity-{line.line_number}", "").strip(),
                "condition": posted.get(f"condition-{line.line_number}", "ok"),
                "note": posted.get(f"note-{line.line_number}", ""),
            }
            for line in order.lines.all()
        }
        try:
            receipt = services.goods_receipt_register(
                actor=request.user,
                order_id=order.pk,
                lines=entries,
                received_on=posted.get("received_on", "").strip() or None,
                note=posted.get("note", "")[:4000],
                submit_key=posted.get("submit_key") or None,
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404() from None
            error = exc.message
            error_field = exc.field or ""
        else:
            messages.success(
                request,
                _("Receipt %(number)s was signed; the requisitioner gets a confirmation.")
                % {"number": receipt.number},
            )
            if receipt.case_id:
                messages.warning(
                    request,
                    _("The deviations were reported to the supplier in support case #%(case)s.")
                    % {"case": receipt.case_id},
                )
            return redirect("fulfilment:deliveries")
    lines: list[Any] = list(order.lines.order_by("line_number"))
    received = selectors.received_by_line([order])
    shipped = selectors.shipped_by_line(order)
    wanted = selectors.wanted_by_line(lines)
    for line in lines:
        line.shipped = shipped.get(line.pk)
        line.received_before = received.get(line.pk)
        line.left = max(wanted[line.pk] - received.get(line.pk, 0), 0)
        key = f"quantity-{line.line_number}"
        line.field_name = key
        line.value = (
            posted.get(key, "") if posted is not None else (f"{line.left.normalize():f}" if line.left else "")
        )
        line.condition = posted.get(f"condition-{line.line_number}", "ok") if posted is not None else "ok"
        line.note_value = posted.get(f"note-{line.line_number}", "") if posted is not None else ""
        line.has_error = error_field == key
    return render(
        request,
        "fulfilment/pages/receive.html",
        {
            "order": order,
            "part": order_part(request, order),
            "lines": lines,
            "conditions": GoodsReceipt.Condition.choices,
            "error": error,
            "posted": posted,
            "today": timezone.localdate().isoformat(),
            "submit_key": (posted.get("submit_key") if posted is not None else "") or uuid.uuid4(),
        },
        status=400 if error else 200,
    )


# --- the coordinator: an e-mail supplier's despatch, attempts -----------------------------------------------


@buyer_view(OVERSIGHT_ROLES)
@require_http_methods(["GET", "POST"])
def despatch(request: MemberRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    posted = request.POST if request.method == "POST" else None
    lines: list[Any] = list(order.lines.order_by("line_number"))
    error = ""
    error_field = ""
    if posted is not None:
        try:
            advice = services.despatch_advice_register_manual(
                actor=request.user,
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
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404() from None
            error = exc.message
            error_field = exc.field or ""
        else:
            messages.success(
                request, _("Despatch advice %(number)s was registered.") % {"number": advice.number}
            )
            return _back(request, order)
    remaining = remaining_by_line(order, lines)
    for line in lines:
        line.remaining = remaining.get(line.pk)
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
        "fulfilment/pages/despatch.html",
        {
            "order": order,
            "lines": lines,
            "error": error,
            "posted": posted,
            "today": timezone.localdate().isoformat(),
            "submit_key": (posted.get("submit_key") if posted is not None else "") or uuid.uuid4(),
        },
        status=400 if error else 200,
    )


def _log_attempt(request: MemberRequest, order_id: int) -> str:
    try:
        services.delivery_attempt_log(
            actor=request.user,
            organisation=request.organisation,
            order_id=order_id,
            outcome=request.POST.get("outcome", ""),
            new_date=request.POST.get("new_date", "").strip() or None,
            note=request.POST.get("note", "")[:2000],
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404() from None
        return exc.message
    return ""


@buyer_view(OVERSIGHT_ROLES)
@require_POST
def attempt(request: MemberRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    error = _log_attempt(request, order.pk)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The delivery attempt was logged."))
    return _back(request, order)


def _is_supplier(organisation: Organisation) -> bool:
    return organisation.kind == Organisation.Kind.SUPPLIER


@org_view(SUPPLIER_ROLES, organisation_test=_is_supplier, hide_from_other_kinds=True)
@require_POST
def supplier_attempt(request: MemberRequest, pk: int) -> HttpResponse:
    """The supplier logs an attempt from the portal's order page (and goes back there)."""
    if not PurchaseOrder.objects.filter(pk=pk, supplier__organisation=request.organisation).exists():
        raise Http404()
    error = _log_attempt(request, pk)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The delivery attempt was logged and shown to the customer."))
    return redirect("portal:order", pk)


@org_view(SUPPLIER_ROLES, organisation_test=_is_supplier, hide_from_other_kinds=True)
@require_POST
def supplier_certificate(request: MemberRequest, pk: int) -> HttpResponse:
    """The supplier uploads the wipe or destruction certificate from the portal's order page."""
    if not PurchaseOrder.objects.filter(pk=pk, supplier__organisation=request.organisation).exists():
        raise Http404()
    upload = request.FILES.get("certificate")
    try:
        services.post_delivery_task_complete(
            actor=request.user,
            order_id=pk,
            kind=TaskKind.STORAGE_WIPE,
            note=request.POST.get("note", ""),
            certificate=(upload.name or "", upload.read(11 * 1024 * 1024)) if upload is not None else None,
        )
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The wipe certificate was uploaded and shown to the customer."))
    return redirect("portal:order", pk)


# --- post-delivery tasks ----------------------------------------------------------------------------------


@buyer_view()
@require_POST
def task(request: MemberRequest, pk: int, kind: str) -> HttpResponse:
    order = _order(request, pk)
    if kind not in TaskKind.values:
        raise Http404()
    certificate = None
    upload = request.FILES.get("certificate")
    if upload is not None:
        certificate = (upload.name or "", upload.read(11 * 1024 * 1024))
    answers = {
        question: request.POST.get(f"answer-{index}", "")
        for index, question in enumerate(selectors.checklist_questions(order), start=1)
    }
    try:
        services.post_delivery_task_complete(
            actor=request.user,
            order_id=order.pk,
            kind=kind,
            answers=answers,
            note=request.POST.get("note", "")[:4000],
            certificate=certificate,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404() from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(task)s is done.") % {"task": TaskKind(kind).label})
    return _back(request, order)


@buyer_view()
@require_GET
def certificate(request: MemberRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    found = (
        PostDeliveryTask.objects.filter(purchase_order=order, kind=TaskKind.STORAGE_WIPE)
        .exclude(certificate_name="")
        .first()
    )
    if found is None or found.certificate is None:
        raise Http404()
    content = bytes(found.certificate)
    kind = (
        "application/pdf"
        if content.startswith(b"%PDF")
        else "image/png"
        if content.startswith(b"\x89PNG")
        else "image/jpeg"
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{found.certificate_name.replace(chr(34), "")}"'
    return response


# --- the installed base -----------------------------------------------------------------------------------


@buyer_view(RECEIVER_ROLES)
@require_POST
def machine_register(request: MemberRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    try:
        machine = services.installed_machine_register(
            actor=request.user,
            order_id=order.pk,
            line_number=request.POST.get("line", ""),
            serial_number=request.POST.get("serial_number", ""),
            building=request.POST.get("building", ""),
            floor=request.POST.get("floor", ""),
            room=request.POST.get("room", ""),
            contact_name=request.POST.get("contact_name", ""),
            contact_phone=request.POST.get("contact_phone", ""),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404() from None
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Machine %(serial)s was added to the installed base.") % {"serial": machine.serial_number},
        )
    return _back(request, order)


@buyer_view()
@require_GET
def machines(request: MemberRequest) -> HttpResponse:
    found = list(selectors.installed_base(user=request.user, organisation=request.organisation)[:500])
    return render(request, "fulfilment/pages/machines.html", {"machines": found, "for_supplier": False})


@org_view(SUPPLIER_ROLES, organisation_test=_is_supplier, hide_from_other_kinds=True)
@require_GET
def supplier_machines(request: MemberRequest) -> HttpResponse:
    found = list(
        selectors.installed_base_for_supplier(user=request.user, organisation=request.organisation)[:500]
    )
    return render(request, "fulfilment/pages/machines.html", {"machines": found, "for_supplier": True})


# --- the distribution centre ------------------------------------------------------------------------------


@buyer_view(RECEIVER_ROLES)
@require_GET
def centres(request: MemberRequest) -> HttpResponse:
    found = list(selectors.distribution_centres(user=request.user, organisation=request.organisation))
    if len(found) == 1:
        return redirect("fulfilment:centre", found[0].pk)
    return render(request, "fulfilment/pages/centres.html", {"centres": found})


def _centre(request: MemberRequest, pk: int) -> Any:
    centre = (
        selectors.distribution_centres(user=request.user, organisation=request.organisation)
        .filter(pk=pk)
        .first()
    )
    if centre is None:
        raise Http404()
    return centre


@buyer_view(RECEIVER_ROLES)
@require_http_methods(["GET", "POST"])
def centre(request: MemberRequest, pk: int) -> HttpResponse:
    """What arrived at the centre per department (received in one go), and what waits to be handed on."""
    found = _centre(request, pk)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "receive":
                receipts = services.distribution_receive(
                    actor=request.user, centre_id=found.pk, order_ids=request.POST.getlist("order")
                )
                messages.success(
                    request,
                    _("%(count)s orders received: %(numbers)s")
                    % {"count": len(receipts), "numbers": ", ".join(r.number for r in receipts)},
                )
                return redirect("fulfilment:centre", found.pk)
            if action == "hand_over":
                handover = services.distribution_hand_over(
                    actor=request.user,
                    centre_id=found.pk,
                    department_id=int(request.POST.get("department", "0") or 0),
                    order_ids=request.POST.getlist("order"),
                    note=request.POST.get("note", ""),
                )
                messages.success(
                    request,
                    _("Handed over to %(department)s.") % {"department": handover.department.name},
                )
                return redirect("fulfilment:centre", found.pk)
            raise Http404()
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            error = exc.message
    groups = selectors.centre_overview(found, today=timezone.localdate())
    return render(
        request,
        "fulfilment/pages/centre.html",
        {"centre": found, "groups": groups, "error": error, "today": timezone.localdate()},
        status=400 if error else 200,
    )


# --- the coordinator's register of distribution centres ---------------------------------------------------


@buyer_view(REGISTER_ROLES)
@require_GET
def centre_register(request: MemberRequest) -> HttpResponse:
    found = list(selectors_centres.centre_register(user=request.user, organisation=request.organisation))
    return render(request, "fulfilment/pages/centre_register.html", {"centres": found})


@buyer_view(REGISTER_ROLES)
@require_http_methods(["GET", "POST"])
def centre_edit(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    """A new centre (no ``pk``) or a change of one: address, contact, routes and delivery days."""
    centre = None
    if pk is not None:
        centre = (
            selectors_centres.centre_register(user=request.user, organisation=request.organisation)
            .filter(pk=pk)
            .first()
        )
        if centre is None:
            raise Http404()
    suppliers = list(buyer_supplier_list(user=request.user, organisation=request.organisation))
    departments = list(department_list(user=request.user, organisation=request.organisation))
    initial: dict[str, Any] = {"is_active": True}
    if centre is not None:
        initial = {
            name: getattr(centre, name)
            for name in ("name", "gln", "street", "postal_code", "city", "building")
        } | {
            "contact_name": centre.contact_name,
            "contact_phone": centre.contact_phone,
            "is_active": centre.is_active,
            "suppliers": [r.supplier_id for r in centre.routes.all() if r.supplier_id],
            "category_prefixes": ", ".join(
                r.category_prefix for r in centre.routes.all() if r.category_prefix
            ),
        }
        for day in centre.days.all():
            initial.setdefault(f"days_{day.department_id}", []).append(str(day.weekday))
    form = CentreForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        suppliers=suppliers,
        departments=departments,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.distribution_centre_save(
                actor=request.user,
                organisation=request.organisation,
                centre_id=centre.pk if centre is not None else None,
                supplier_ids=data["suppliers"],
                category_prefixes=form.prefixes(),
                days=form.days(),
                is_active=data["is_active"],
                **{name: data[name] for name in CENTRE_TEXT_FIELDS},
            )
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The distribution centre %(name)s is saved.") % {"name": saved.name})
            return redirect("fulfilment:centre_register")
    return render(
        request,
        "fulfilment/pages/centre_edit.html",
        {"form": form, "centre": centre},
        status=400 if form.errors else 200,
    )
