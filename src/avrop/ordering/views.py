"""Ordering pages: shop (search, templates), cart, free-text form, coding, requisitions, approvals (also from
the e-mail link), purchase orders with their timeline, and the coordinator's troubleshooting view.

Thin views: parse, call one service, render. HTMX requests get the page's changed part; everything works
without JavaScript too.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core import formatting, lists
from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError, NotFound
from avrop.ordering import cart_parts, checks, display, page_parts, selectors, services, tasks
from avrop.ordering import lists as order_lists
from avrop.ordering.forms import (
    AttachmentForm,
    CancelForm,
    CodingFormSet,
    ConfirmationForm,
    DecisionForm,
    FreeTextForm,
    LineForm,
)
from avrop.ordering.models import Attachment, OrderDocument
from avrop.ordering.services._common import ORDER_ROLES, OVERSIGHT_ROLES, READ_ALL_ROLES
from avrop.ordering.workflows import LineDecision, RequisitionStatus, TransmissionStatus
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.organisations.selectors import delivery_address_list

BUYER_ROLES = frozenset(Role.values) - {Role.SUPPLIER_USER, Role.SPOC, Role.SERVICE_PARTNER}


def _not_found(exc: Exception) -> None:
    """Another tenant's id looks like a missing one: 404, never a message that it exists."""
    if isinstance(exc, NotFound):
        raise exc


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or default
    if not target.startswith("/") or target.startswith("//"):
        target = default
    return redirect(target)


# --- shop and cart ----------------------------------------------------------------------------------------


def _cart_context(request: MemberRequest, bound: Mapping[int, LineForm] | None = None) -> dict[str, Any]:
    """The cart page; ``bound`` keeps a line's submitted form with its errors in place of a fresh one."""
    cart = services.cart_get(user=request.user, organisation=request.organisation)
    if cart is None:
        return {"cart": None, "lines": [], "readiness": None}
    lines = selectors.requisition_lines(cart)
    # Each line gets its ``form``, ``problems`` and ``delivery`` for the page (not declared by the model).
    active: list[Any] = [line for line in lines if line.decision != LineDecision.REJECTED]
    readiness = checks.readiness(cart, active)
    addresses = list(delivery_address_list(user=request.user, organisation=request.organisation))
    machines = cart_parts.machines(user=request.user, organisation=request.organisation)
    machine_by_serial = {m.serial_number: m.id for m in machines}
    deliveries = cart_parts.delivery_days(cart=cart, lines=active, today=timezone.localdate())
    by_supplier: dict[int, dict[str, Any]] = {}
    for line in active:
        line.delivery = deliveries.get(line.pk)
        line.form = (bound or {}).get(line.pk) or LineForm(
            prefix=f"l{line.pk}",
            addresses=addresses,
            machines=machines,
            initial={
                "quantity": formatting.input_number(line.quantity),
                "delivery_address": line.delivery_address_id,
                "requested_delivery_date": line.requested_delivery_date,
                "note_to_supplier": line.note_to_supplier,
                "is_consumable": line.is_consumable,
                "machine": machine_by_serial.get(line.machine_serial) if line.is_consumable else None,
                "machine_serial": line.machine_serial,
                "machine_placement": line.machine_placement,
                "machine_building": line.machine_building,
                "machine_floor": line.machine_floor,
                "machine_contact": line.machine_contact,
                "outside_agreement_reason": line.outside_agreement_reason,
            },
        )
        line.problems = readiness.for_line(line.pk)
        group = by_supplier.setdefault(
            line.supplier_id, {"supplier": line.supplier, "lines": [], "total": Decimal("0")}
        )
        group["lines"].append(line)
        group["total"] += line.line_amount
    import uuid

    return {
        "cart": cart,
        "lines": active,
        "groups": list(by_supplier.values()),
        "readiness": readiness,
        "attachments": [a for line in lines for a in line.attachments.all()]
        + list(Attachment.objects.filter(requisition=cart, line__isnull=True)),
        "attachment_form": AttachmentForm(lines=active),
        "submit_key": uuid.uuid4(),
        "machines": machines,
    }


@buyer_view(ORDER_ROLES)
@require_GET
def shop(request: MemberRequest) -> HttpResponse:
    from avrop.catalogue.selectors import search_items, template_list
    from avrop.catalogue.services.searches import search_log_record
    from avrop.catalogue.views import search_page_number, search_window

    text = request.GET.get("q", "").strip()[:200]
    page_number, more = search_page_number(request)
    page = None
    if text:
        limit, offset = search_window(page_number, more)
        page = search_items(
            user=request.user, organisation=request.organisation, text=text, limit=limit, offset=offset
        )
        if not more:
            search_log_record(
                user=request.user, organisation=request.organisation, query=text, hits=page.total
            )
    context: dict[str, Any] = {
        "q": text,
        "page": page,
        "result": page,
        "can_order": True,
        "more_url": f"{reverse('ordering:shop')}?{urlencode({'q': text})}&page={page_number + 1}",
    }
    if more:
        return render(request, "catalogue/partials/hits.html", context)
    if request.htmx and request.htmx.target == "results":
        return render(request, "ordering/partials/results.html", context)
    cart = services.cart_get(user=request.user, organisation=request.organisation)
    context.update(
        templates=template_list(user=request.user, organisation=request.organisation)[:20],
        cart=cart,
        cart_count=cart.lines.count() if cart else 0,
    )
    return render(request, "ordering/pages/shop.html", context)


def _cart_response(request: MemberRequest, bound: Mapping[int, LineForm] | None = None) -> HttpResponse:
    if request.htmx:
        return render(request, "ordering/partials/cart_body.html", _cart_context(request, bound))
    return redirect("ordering:cart")


@buyer_view(ORDER_ROLES)
@require_POST
def cart_add(request: MemberRequest) -> HttpResponse:
    try:
        item_id = int(request.POST.get("item", ""))
        services.cart_add_item(
            actor=request.user,
            organisation=request.organisation,
            item_id=item_id,
            quantity=request.POST.get("quantity") or 1,
        )
    except ValueError:
        raise Http404() from None
    except DomainError as exc:
        _not_found(exc)
        if request.htmx:
            return render(
                request, "ordering/partials/added.html", {"error": exc.message}, status=exc.http_status
            )
        _error(request, exc)
        return _back(request, reverse("ordering:shop"))
    if request.htmx:
        cart = services.cart_get(user=request.user, organisation=request.organisation)
        return render(
            request, "ordering/partials/added.html", {"cart_count": cart.lines.count() if cart else 0}
        )
    messages.success(request, _("Added to the cart."))
    return _back(request, reverse("ordering:shop"))


@buyer_view(ORDER_ROLES)
@require_POST
def cart_add_template(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        lines = services.cart_add_template(
            actor=request.user, organisation=request.organisation, template_id=pk
        )
    except DomainError as exc:
        _not_found(exc)
        _error(request, exc)
        return _back(request, reverse("ordering:shop"))
    messages.success(request, _("%(n)s lines added from the template.") % {"n": len(lines)})
    return redirect("ordering:cart")


@buyer_view(ORDER_ROLES)
@require_GET
def cart(request: MemberRequest) -> HttpResponse:
    try:
        context = _cart_context(request)
    except DomainError as exc:
        _not_found(exc)
        context = {"cart": None, "error": exc.message}
    return render(request, "ordering/pages/cart.html", context)


@buyer_view(ORDER_ROLES)
@require_POST
def line_update(request: MemberRequest, pk: int) -> HttpResponse:
    addresses = list(delivery_address_list(user=request.user, organisation=request.organisation))
    machines = cart_parts.machines(user=request.user, organisation=request.organisation)
    form = LineForm(request.POST, prefix=f"l{pk}", addresses=addresses, machines=machines)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}")
        return _cart_response(request, {pk: form})
    data = form.cleaned_data
    try:
        services.line_update(
            actor=request.user,
            line_id=pk,
            quantity=data["quantity"],
            machine_id=data["machine"],
            delivery_address_id=data["delivery_address"] or None,
            requested_delivery_date=data["requested_delivery_date"],
            note_to_supplier=data["note_to_supplier"],
            is_consumable=data["is_consumable"],
            machine_serial=data["machine_serial"],
            machine_placement=data["machine_placement"],
            machine_building=data["machine_building"],
            machine_floor=data["machine_floor"],
            machine_contact=data["machine_contact"],
            outside_agreement_reason=data["outside_agreement_reason"],
        )
    except DomainError as exc:
        _not_found(exc)
        _error(request, exc)
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _cart_response(request, {pk: form})
    return _cart_response(request)


@buyer_view(ORDER_ROLES)
@require_POST
def line_remove(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        services.line_remove(actor=request.user, line_id=pk)
    except DomainError as exc:
        _not_found(exc)
        _error(request, exc)
    return _cart_response(request)


@buyer_view(ORDER_ROLES)
@require_http_methods(["GET", "POST"])
def line_coding(request: MemberRequest, pk: int) -> HttpResponse:
    cart = services.cart_get(user=request.user, organisation=request.organisation)
    line = cart.lines.filter(pk=pk).prefetch_related("splits").first() if cart else None
    if line is None:
        raise Http404()
    initial = [
        {
            "account": s.account,
            "cost_centre": s.cost_centre,
            "project": s.dimensions.get("project", ""),
            "percent": formatting.input_number(s.percent) if s.percent is not None else None,
            "amount": s.amount if s.percent is None else None,
        }
        for s in line.splits.all()
    ]
    formset = CodingFormSet(request.POST or None, initial=initial, prefix="split")
    if request.method == "POST" and formset.is_valid():
        rows: list[Mapping[str, Any]] = [
            {
                "account": f.cleaned_data.get("account", ""),
                "cost_centre": f.cleaned_data.get("cost_centre", ""),
                "dimensions": {"project": f.cleaned_data.get("project", "")},
                "percent": f.cleaned_data.get("percent"),
                "amount": f.cleaned_data.get("amount"),
            }
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.line_coding_set(actor=request.user, line_id=line.pk, splits=rows)
        except DomainError as exc:
            _not_found(exc)
            left = (
                _coding_errors_in_place(request.organisation, formset)
                if exc.code == "coding_invalid"
                else None
            )
            placed = any(form.errors for form in formset.forms)
            message = " ".join(left) if left and placed else (None if placed else exc.message)
            if message:
                # Django's own slot for a formset-wide error, which django-stubs does not declare.
                formset._non_form_errors = formset.error_class([message])  # type: ignore[attr-defined]  # noqa: SLF001
        else:
            messages.success(request, _("The coding of line %(n)s was saved.") % {"n": line.position})
            return redirect("ordering:cart")
    return render(
        request,
        "ordering/pages/coding.html",
        {"line": line, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


def _coding_errors_in_place(organisation: Any, formset: Any) -> list[str]:
    """Show each coding problem at the field of the part it belongs to (the same check as the service, the
    parts told apart by their place); what belongs to no field on the page is returned for the top."""
    from avrop.ordering.models import CodingSplit

    forms_by_index = {
        index: form
        for index, form in enumerate(formset.forms)
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    }
    splits = [
        (
            index,
            CodingSplit(
                account=(form.cleaned_data.get("account") or "").strip(),
                cost_centre=(form.cleaned_data.get("cost_centre") or "").strip(),
                dimensions={"project": p} if (p := (form.cleaned_data.get("project") or "").strip()) else {},
            ),
        )
        for index, form in forms_by_index.items()
    ]
    left: list[str] = []
    for problem in checks.coding_problems(organisation, splits):
        form = forms_by_index.get(problem.line_id) if problem.line_id is not None else None
        if form is not None and problem.field in form.fields:
            form.add_error(problem.field, problem.message)
        else:
            left.append(problem.message)
    return left


@buyer_view(ORDER_ROLES)
@require_POST
def attachment_add(request: MemberRequest) -> HttpResponse:
    cart = services.cart_get(user=request.user, organisation=request.organisation)
    if cart is None:
        raise Http404()
    form = AttachmentForm(request.POST, request.FILES, lines=list(cart.lines.all()))
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user,
                requisition_id=cart.pk,
                upload=form.cleaned_data["file"],
                line_id=form.cleaned_data["line"],
            )
            messages.success(request, _("The file was attached."))
        except DomainError as exc:
            _not_found(exc)
            _error(request, exc)
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("ordering:cart")


@buyer_view(ORDER_ROLES)
@require_POST
def attachment_remove(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        services.attachment_remove(actor=request.user, attachment_id=pk)
    except DomainError as exc:
        _not_found(exc)
        _error(request, exc)
    return redirect("ordering:cart")


@buyer_view(ORDER_ROLES)
@require_POST
def submit(request: MemberRequest) -> HttpResponse:
    cart = services.cart_get(user=request.user, organisation=request.organisation)
    key = request.POST.get("submit_key") or None
    if cart is None:
        from avrop.ordering.models import Requisition

        done = Requisition.objects.filter(submit_key=key, requisitioner=request.user).first() if key else None
        if done is not None:
            return redirect("ordering:requisition", done.pk)
        raise Http404()
    try:
        requisition = services.requisition_submit(actor=request.user, requisition_id=cart.pk, submit_key=key)
    except (DomainError, ValueError) as exc:
        _not_found(exc)
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("ordering:cart")
    messages.success(
        request, _("Requisition %(number)s was sent for approval.") % {"number": requisition.number}
    )
    return redirect("ordering:requisition", requisition.pk)


@buyer_view(ORDER_ROLES)
@require_http_methods(["GET", "POST"])
def free_text(request: MemberRequest) -> HttpResponse:
    from avrop.agreements.models import Agreement
    from avrop.catalogue.selectors import callable_agreement_ids
    from avrop.suppliers.selectors import buyer_supplier_list

    forms_available = list(selectors.free_text_forms(user=request.user, organisation=request.organisation))
    chosen = None
    form_id = request.POST.get("form") or request.GET.get("form")
    if form_id:
        chosen = selectors.free_text_form_get(
            user=request.user, organisation=request.organisation, form_id=form_id
        )
    suppliers = list(
        buyer_supplier_list(user=request.user, organisation=request.organisation).filter(is_active=True)
    )
    agreements = list(
        Agreement.objects.filter(pk__in=callable_agreement_ids(organisation=request.organisation))
        .select_related("supplier")
        .order_by("supplier__name", "reference")
    )
    form = FreeTextForm(
        request.POST or None,
        suppliers=suppliers,
        agreements=agreements,
        questions=chosen.fields if chosen else [],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cart_add_free_text(
                actor=request.user,
                organisation=request.organisation,
                supplier_id=data["supplier"],
                name=data["name"],
                description=data["description"],
                quantity=data["quantity"],
                unit=data["unit"],
                unit_price=data["unit_price"],
                form_id=chosen.pk if chosen else None,
                answers=form.answers(),
                agreement_id=data["agreement"],
                outside_agreement_reason=data["outside_agreement_reason"],
            )
        except DomainError as exc:
            _not_found(exc)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The line was added to the cart."))
            return redirect("ordering:cart")
    return render(
        request,
        "ordering/pages/free_text.html",
        {"form": form, "forms": forms_available, "chosen": chosen},
        status=400 if form.errors else 200,
    )


# --- requisitions and approval ----------------------------------------------------------------------------


@buyer_view(BUYER_ROLES)
@require_GET
def requisitions(request: MemberRequest) -> HttpResponseBase:
    everyone = request.GET.get("all") == "1" and bool(request.roles & READ_ALL_ROLES)
    rows = selectors.requisition_list(user=request.user, organisation=request.organisation, everyone=everyone)
    listing = lists.listing(
        request,
        rows,
        order_lists.RequisitionTable,
        filterset_class=order_lists.RequisitionFilter,
        filename=str(_("requisitions")),
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    return render(
        request,
        "ordering/pages/requisitions.html",
        {"listing": listing, "everyone": everyone, "can_see_all": bool(request.roles & READ_ALL_ROLES)},
    )


@buyer_view(BUYER_ROLES)
@require_GET
def requisition(request: MemberRequest, pk: int) -> HttpResponse:
    requisition = selectors.requisition_get(
        user=request.user, organisation=request.organisation, requisition_id=pk
    )
    return render(
        request,
        "ordering/pages/requisition.html",
        {
            "requisition": requisition,
            "lines": selectors.requisition_lines(requisition),
            "steps": selectors.requisition_steps(requisition),
            "orders": list(requisition.purchase_orders.select_related("supplier__organisation")),
            "can_cancel": requisition.requisitioner_id == request.user.pk
            and requisition.status == RequisitionStatus.PENDING_APPROVAL,
        },
    )


@buyer_view(BUYER_ROLES)
@require_POST
def requisition_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        services.requisition_cancel(
            actor=request.user, requisition_id=pk, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("The requisition was cancelled."))
    except DomainError as exc:
        _not_found(exc)
        _error(request, exc)
    if request.POST.get("next") == "cart":
        return redirect("ordering:shop")
    return redirect("ordering:requisition", pk)


@buyer_view([Role.APPROVER])
@require_GET
def approvals(request: MemberRequest) -> HttpResponse:
    return render(
        request,
        "ordering/pages/approvals.html",
        {
            "queue": selectors.approval_queue(user=request.user, organisation=request.organisation),
            "decided": selectors.approvals_decided(user=request.user, organisation=request.organisation),
        },
    )


def _decision_context(requisition: Any, user: Any) -> dict[str, Any]:
    steps = (
        services.steps_for(requisition, user)
        if requisition.status
        in {
            RequisitionStatus.PENDING_APPROVAL,
            RequisitionStatus.PENDING_REAPPROVAL,
        }
        else []
    )
    scope = {pk for step in steps for pk in step.line_ids}
    lines = [
        line for line in selectors.requisition_lines(requisition) if line.decision != LineDecision.REJECTED
    ]
    return {
        "requisition": requisition,
        "steps": steps,
        "all_steps": selectors.requisition_steps(requisition),
        "lines": lines,
        "scope_lines": [line for line in lines if line.pk in scope],
        "orders": list(requisition.purchase_orders.select_related("supplier__organisation")),
    }


@buyer_view([Role.APPROVER])
@require_http_methods(["GET", "POST"])
def approve(request: MemberRequest, pk: int) -> HttpResponse:
    requisition = selectors.requisition_get(
        user=request.user, organisation=request.organisation, requisition_id=pk
    )
    context = _decision_context(requisition, request.user)
    form = DecisionForm(request.POST or None, lines=context["scope_lines"])
    if request.method == "POST" and form.is_valid():
        approve_it = request.POST.get("decision") == "approve"
        try:
            services.requisition_decide(
                requisition_id=requisition.pk,
                approver=request.user,
                approve=approve_it,
                comment=form.cleaned_data["comment"],
                reject_line_ids=form.cleaned_data["reject_lines"] if approve_it else (),
            )
        except DomainError as exc:
            _not_found(exc)
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                (_("You approved %(number)s.") if approve_it else _("You rejected %(number)s."))
                % {"number": requisition.number},
            )
            return redirect("ordering:approvals")
    return render(
        request, "ordering/pages/approve.html", {**context, "form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def approve_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link from the e-mail. It needs no login (the signed, single-use token stands for the
    approver), but deciding is a POST: mail scanners that open links must not approve anything."""
    try:
        check = services.approval_link_check(token=token)
    except DomainError as exc:
        _not_found(exc)
        return render(request, "ordering/pages/approve_link.html", {"error": exc.message}, status=410)
    context = _decision_context(check.requisition, check.link.user)
    context["approver"] = check.link.user
    if request.method == "POST":
        approve_it = request.POST.get("decision") == "approve"
        try:
            requisition = services.approval_link_use(
                token=token, approve=approve_it, comment=request.POST.get("comment", "")[:2000]
            )
        except DomainError as exc:
            _not_found(exc)
            context["error"] = exc.message
            return render(request, "ordering/pages/approve_link.html", context, status=exc.http_status)
        return render(
            request,
            "ordering/pages/approve_link.html",
            {**context, "done": True, "approved": approve_it, "requisition": requisition},
        )
    return render(request, "ordering/pages/approve_link.html", context)


# --- purchase orders --------------------------------------------------------------------------------------


@buyer_view()
@require_GET
def orders(request: MemberRequest) -> HttpResponseBase:
    can_see_all = bool(request.roles & READ_ALL_ROLES)
    # Someone who oversees orders without ordering (a coordinator) has none of their own: the list starts
    # with the organisation's, and "only yours" is one click away.
    default = "1" if can_see_all and Role.REQUISITIONER not in request.roles else "0"
    everyone = request.GET.get("all", default) == "1" and can_see_all
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.purchase_order_list(
        user=request.user, organisation=request.organisation, everyone=everyone, overdue=overdue
    )
    listing = lists.listing(
        request,
        rows,
        order_lists.OrderTable,
        filterset_class=order_lists.OrderFilter,
        filename=str(_("orders")),
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    return render(
        request,
        "ordering/pages/orders.html",
        {
            "listing": listing,
            "everyone": everyone,
            "overdue": overdue,
            "can_see_all": can_see_all,
        },
    )


def _highlight(lines: list[Any]) -> None:
    for line in lines:
        line.quantity_changed = (
            line.confirmed_quantity is not None and line.confirmed_quantity != line.quantity
        )
        line.price_changed = (
            line.confirmed_unit_price is not None and line.confirmed_unit_price != line.unit_price
        )
        line.price_up = line.price_changed and line.confirmed_unit_price > line.unit_price
        line.date_changed = (
            line.confirmed_delivery_date is not None
            and line.confirmed_delivery_date != line.requested_delivery_date
        )


@buyer_view()
@require_GET
def order(request: MemberRequest, pk: int) -> HttpResponse:
    order = selectors.purchase_order_get(user=request.user, organisation=request.organisation, order_id=pk)
    lines = selectors.order_lines(order)
    _highlight(lines)
    is_buyer = request.organisation.pk == order.organisation_id
    can_act = is_buyer and (
        order.requisition.requisitioner_id == request.user.pk or bool(request.roles & OVERSIGHT_ROLES)
    )
    return render(
        request,
        "ordering/pages/order.html",
        {
            "order": order,
            "lines": lines,
            "confirmed_total": display.confirmed_total(lines) if order.response_code else None,
            "responses": selectors.order_responses(order),
            "transmissions": selectors.order_transmissions(order),
            "timeline": selectors.order_timeline(order),
            "documents": list(order.documents.defer("content").order_by("created_at")),
            "parts": page_parts.render(request, order),
            "can_act": can_act,
            "is_buyer": is_buyer,
            "can_see_requisition": is_buyer
            and selectors.requisition_visible(
                user=request.user, roles=request.roles, requisition=order.requisition
            ),
            "can_resend": is_buyer and bool(request.roles & OVERSIGHT_ROLES),
            "cancel_form": CancelForm(),
            "is_open": order.status
            in {"queued", "sent", "acknowledged", "accepted", "accepted_with_changes"},
        },
    )


@buyer_view(BUYER_ROLES)
@require_POST
def order_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you cancel the order."))
        return redirect("ordering:order", pk)
    try:
        services.purchase_order_cancel(actor=request.user, order_id=pk, reason=form.cleaned_data["reason"])
        messages.success(request, _("The cancellation was registered."))
    except DomainError as exc:
        _not_found(exc)
        _error(request, exc)
    return redirect("ordering:order", pk)


@buyer_view(BUYER_ROLES)
@require_POST
def order_cancellation_confirmed(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        services.purchase_order_cancellation_register(
            actor=request.user, order_id=pk, note=request.POST.get("note", "")
        )
        messages.success(request, _("The order is cancelled."))
    except DomainError as exc:
        _not_found(exc)
        _error(request, exc)
    return redirect("ordering:order", pk)


@buyer_view(BUYER_ROLES)
@require_http_methods(["GET", "POST"])
def order_change(request: MemberRequest, pk: int) -> HttpResponse:
    order = selectors.purchase_order_get(user=request.user, organisation=request.organisation, order_id=pk)
    lines = selectors.order_lines(order)
    error = ""
    if request.method == "POST":
        changes = {
            str(line.pk): {
                "quantity": request.POST.get(f"quantity-{line.pk}", "").strip(),
                "requested_delivery_date": request.POST.get(f"date-{line.pk}", "").strip() or None,
            }
            for line in lines
        }
        try:
            services.purchase_order_change_request(
                actor=request.user, order_id=order.pk, changes=changes, note=request.POST.get("note", "")
            )
        except (DomainError, ValueError) as exc:
            _not_found(exc)
            error = getattr(exc, "message", str(exc))
        else:
            messages.success(request, _("The change was registered."))
            return redirect("ordering:order", order.pk)
    return render(
        request,
        "ordering/pages/order_change.html",
        {"order": order, "lines": lines, "error": error},
        status=400 if error else 200,
    )


@buyer_view(BUYER_ROLES)
@require_http_methods(["GET", "POST"])
def order_confirmation(request: MemberRequest, pk: int) -> HttpResponse:
    order = selectors.purchase_order_get(user=request.user, organisation=request.organisation, order_id=pk)
    form = ConfirmationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_confirmation_register(
                actor=request.user,
                order_id=order.pk,
                code=form.cleaned_data["code"],
                text=form.cleaned_data["text"],
                promised_delivery_date=form.cleaned_data["promised_delivery_date"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            _not_found(exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The confirmation was registered on the order."))
            return redirect("ordering:order", order.pk)
    return render(
        request,
        "ordering/pages/confirmation.html",
        {"order": order, "form": form},
        status=400 if form.errors else 200,
    )


@buyer_view()
@require_GET
def document(request: MemberRequest, pk: int, document_id: int) -> HttpResponse:
    order = selectors.purchase_order_get(user=request.user, organisation=request.organisation, order_id=pk)
    found = OrderDocument.objects.filter(purchase_order=order, pk=document_id).first()
    if found is None:
        raise Http404()
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.filename or "document") or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


@buyer_view(OVERSIGHT_ROLES)
@require_POST
def resend(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        row = services.transmission_resend(actor=request.user, transmission_id=pk)
        messages.success(
            request, _("The %(what)s was queued again.") % {"what": row.get_kind_display().lower()}
        )
    except DomainError as exc:
        _not_found(exc)
        _error(request, exc)
    return _back(request, reverse("ordering:troubleshooting"))


@buyer_view(READ_ALL_ROLES)
@require_GET
def troubleshooting(request: MemberRequest) -> HttpResponse:
    user, organisation = request.user, request.organisation
    return render(
        request,
        "ordering/pages/troubleshooting.html",
        {
            "health": services.transmission_health(organisation_id=organisation.pk),
            "failing": selectors.failing_transmissions(user=user, organisation=organisation)[:100],
            "refused": selectors.refused_responses(user=user, organisation=organisation)[:50],
            "silent": selectors.orders_without_response(user=user, organisation=organisation)[:50],
            "overdue": selectors.orders_overdue(user=user, organisation=organisation, everyone=True)[:50],
            "recent": selectors.purchase_order_list(user=user, organisation=organisation, everyone=True)[:20],
            "can_resend": bool(request.roles & OVERSIGHT_ROLES),
            "failed_status": TransmissionStatus.FAILED,
        },
    )


@buyer_view(OVERSIGHT_ROLES)
@require_POST
def intake_now(request: MemberRequest) -> HttpResponse:
    """Fetching and sending talk to the access point and the mail server: a task does it, not the request."""
    tasks.fetch_and_send_now()
    messages.success(
        request,
        _(
            "Order responses are being fetched and waiting documents sent; "
            "this page shows the result in a moment."
        ),
    )
    return redirect("ordering:troubleshooting")


# --- suppliers' SPOCs ordering on the organisation's behalf ----------------------------------------------


@buyer_view(OVERSIGHT_ROLES)
@require_http_methods(["GET", "POST"])
def on_behalf_permissions(request: MemberRequest) -> HttpResponse:
    """The coordinator decides which suppliers' SPOCs may register orders for the requisitioners."""
    if request.method == "POST":
        try:
            permission = services.on_behalf_permission_set(
                actor=request.user,
                supplier_id=request.POST.get("supplier", ""),
                allowed=request.POST.get("allowed") == "1",
            )
        except DomainError as exc:
            _not_found(exc)
            _error(request, exc)
        else:
            messages.success(
                request,
                (
                    _("%(supplier)s may now register orders on your behalf.")
                    if permission.is_active
                    else _("%(supplier)s may no longer register orders on your behalf.")
                )
                % {"supplier": permission.supplier.organisation.name},
            )
        return redirect("ordering:on_behalf_permissions")
    return render(
        request,
        "ordering/pages/on_behalf_permissions.html",
        {"relations": selectors.on_behalf_relations(user=request.user, organisation=request.organisation)},
    )
