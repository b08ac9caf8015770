"""Departments, delivery addresses and the "new department" requests."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.decorators import buyer_view, org_view
from avrop.core.errors import NotFound
from avrop.organisations import services
from avrop.organisations.forms import (
    CustomerNumberForm,
    DeliveryAddressForm,
    DepartmentForm,
    DepartmentRequestForm,
    GlnForm,
    ReasonForm,
)
from avrop.organisations.models import DeliveryAddress, Department, DepartmentRequest
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import MASTER_DATA_ROLES
from avrop.organisations.selectors import (
    delivery_address_list,
    department_get,
    department_list,
    department_request_get,
    department_request_list,
)
from avrop.organisations.selectors.chart import objects_of
from avrop.organisations.supplier_directory import suppliers
from avrop.organisations.views._helpers import MASTER, act, submit
from avrop.organisations.workflows import DEPARTMENT_REQUEST_STEPS


def _cost_centres(request: MemberRequest):  # noqa: ANN202
    from avrop.organisations.models import Dimension

    return (
        objects_of(organisation=request.organisation)
        .filter(dimension__kind=Dimension.Kind.COST_CENTRE, is_active=True)
        .order_by("code")
    )


@org_view()
@require_GET
def departments(request: MemberRequest) -> HttpResponse:
    rows = department_list(user=request.user, organisation=request.organisation).annotate(
        address_count=Count("delivery_addresses")
    )
    return render(
        request,
        "organisations/pages/departments.html",
        {"departments": rows, "can_edit": bool(request.roles & MASTER_DATA_ROLES)},
    )


@org_view()
@require_GET
def department_detail(request: MemberRequest, pk: int) -> HttpResponse:
    department = department_get(user=request.user, organisation=request.organisation, department_id=pk)
    return render(
        request,
        "organisations/pages/department_detail.html",
        {
            "department": department,
            "addresses": department.delivery_addresses.all(),
            "customer_numbers": suppliers().customer_numbers(department=department),
            "members": department.memberships.filter(is_active=True)
            .select_related("user")
            .order_by("user__last_name"),
            "can_edit": bool(request.roles & MASTER_DATA_ROLES),
        },
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def department_edit(request: MemberRequest, pk: int) -> HttpResponse:
    department = department_get(user=request.user, organisation=request.organisation, department_id=pk)
    form = DepartmentForm(request.POST or None, instance=department, cost_centres=_cost_centres(request))
    if request.method == "POST":
        data = form.cleaned_data if form.is_valid() else {}
        done = submit(
            form,
            lambda: services.department_update(
                actor=request.user,
                department_id=department.pk,
                gln=data["gln"],
                default_cost_centre_id=data["default_cost_centre_id"],
                **{k: data[k] for k in DepartmentForm.Meta.fields},
            ),
        )
        if done is not None:
            return redirect("organisations:department_detail", department.pk)
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": department.name},
            "back": reverse("organisations:department_detail", args=[department.pk]),
        },
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def address_edit(request: MemberRequest, department_pk: int, pk: int | None = None) -> HttpResponse:
    department = department_get(
        user=request.user, organisation=request.organisation, department_id=department_pk
    )
    address = None
    if pk is not None:
        address = (
            delivery_address_list(user=request.user, organisation=request.organisation)
            .filter(department=department, pk=pk)
            .first()
        )
        if address is None:
            raise NotFound()
    form = DeliveryAddressForm(
        request.POST or None, instance=address or DeliveryAddress(department=department)
    )
    if request.method == "POST":
        data = {**form.cleaned_data} if form.is_valid() else {}
        if address is None:
            done = submit(
                form,
                lambda: services.delivery_address_create(actor=request.user, department=department, **data),
            )
        else:
            done = submit(
                form,
                lambda: services.delivery_address_update(actor=request.user, address_id=address.pk, **data),
            )
        if done is not None:
            return redirect("organisations:department_detail", department.pk)
    title = _("New delivery address") if address is None else _("Edit %(label)s") % {"label": address.label}
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "title": title,
            "lead": department.name,
            "back": reverse("organisations:department_detail", args=[department.pk]),
        },
    )


# --- Requests -----------------------------------------------------------------------------------------


@buyer_view()
@require_GET
def request_list(request: MemberRequest) -> HttpResponse:
    rows = department_request_list(user=request.user, organisation=request.organisation).annotate(
        suppliers=Count("supplier_steps"),
        numbers=Count("supplier_steps", filter=~Q(supplier_steps__customer_number="")),
    )
    return render(request, "organisations/pages/department_requests.html", {"requests": rows})


@buyer_view()
@require_http_methods(["GET", "POST"])
def request_new(request: MemberRequest) -> HttpResponse:
    organisation = request.organisation
    initial = {
        "invoice_street": organisation.street,
        "invoice_postal_code": organisation.postal_code,
        "invoice_city": organisation.city,
    }
    form = DepartmentRequestForm(request.POST or None, initial=initial, cost_centres=_cost_centres(request))
    if request.method == "POST":
        data = {**form.cleaned_data} if form.is_valid() else {}
        created = submit(
            form,
            lambda: services.department_request_submit(actor=request.user, organisation=organisation, **data),
        )
        if created is not None:
            return redirect("organisations:request_detail", created.pk)
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "title": _("New ordering department"),
            "lead": _(
                "Replaces the form “Ny beställningsavdelning e-handel”. The coordinator approves, "
                "assigns a GLN and tells the suppliers."
            ),
            "back": reverse("organisations:requests"),
        },
    )


def _suggested_gln(department_request: DepartmentRequest) -> str:
    """The next free number in the organisation's GLN series, as a suggestion for the coordinator."""
    from stdnum import ean

    highest = (
        Department.objects.filter(organisation=department_request.organisation_id)
        .exclude(gln="")
        .order_by("-gln")
        .values_list("gln", flat=True)
        .first()
    )
    if not highest:
        return ""
    base = int(highest[:12])
    for step in range(1, 50):
        candidate = f"{base + step:012d}"
        gln = candidate + ean.calc_check_digit(candidate)
        if not Department.objects.filter(gln=gln).exists():
            return gln
    return ""


def _detail_context(request: MemberRequest, department_request: DepartmentRequest, **forms: object) -> dict:
    steps = list(
        department_request.supplier_steps.select_related("supplier__organisation", "message").order_by(
            "supplier__organisation__name"
        )
    )
    status = department_request.status
    index = next((i for i, step in enumerate(DEPARTMENT_REQUEST_STEPS) if step == status), -1)
    context: dict = {
        "req": department_request,
        "steps": steps,
        "done_steps": [
            (step.label, "done" if i < index else "current" if i == index else "todo")
            for i, step in enumerate(DEPARTMENT_REQUEST_STEPS)
        ],
        "can_decide": bool(request.roles & MASTER_DATA_ROLES),
        "reason_form": ReasonForm(),
        "gln_form": GlnForm(initial={"gln": _suggested_gln(department_request)})
        if status == DepartmentRequest.Status.APPROVED
        else None,
        "missing": sum(1 for s in steps if not s.customer_number),
    }
    context.update(forms)
    return context


@buyer_view()
@require_GET
def request_detail(request: MemberRequest, pk: int) -> HttpResponse:
    department_request = department_request_get(
        user=request.user, organisation=request.organisation, request_id=pk
    )
    return render(
        request, "organisations/pages/department_request.html", _detail_context(request, department_request)
    )


@buyer_view()
@require_POST
def request_action(request: MemberRequest, pk: int, action: str) -> HttpResponse:
    department_request = department_request_get(
        user=request.user, organisation=request.organisation, request_id=pk
    )
    target = reverse("organisations:request_detail", args=[pk])
    reason = request.POST.get("reason", "").strip()
    calls = {
        "approve": (
            lambda: services.department_request_approve(actor=request.user, request_id=pk),
            _("Approved. The department is created, inactive until it is ready."),
        ),
        "reject": (
            lambda: services.department_request_reject(actor=request.user, request_id=pk, reason=reason),
            _("Rejected."),
        ),
        "cancel": (
            lambda: services.department_request_cancel(actor=request.user, request_id=pk, reason=reason),
            _("Cancelled."),
        ),
        "notify": (
            lambda: services.department_request_notify_suppliers(actor=request.user, request_id=pk),
            _("The suppliers have been sent the department's data."),
        ),
        "complete": (
            lambda: services.department_request_complete(actor=request.user, request_id=pk),
            _("The department is ready for ordering; the requester has been told."),
        ),
    }
    if action == "gln":
        form = GlnForm(request.POST)
        if (
            submit(
                form,
                lambda: services.department_request_assign_gln(
                    actor=request.user, request_id=pk, gln=form.cleaned_data["gln"]
                ),
            )
            is None
        ):
            return _request_with_form(request, department_request, "gln_form", form)
        return redirect(target)
    if action == "customer-number":
        number_form = CustomerNumberForm(request.POST)
        if (
            submit(
                number_form,
                lambda: services.department_request_customer_number(
                    actor=request.user,
                    request_id=pk,
                    supplier_id=number_form.cleaned_data["supplier"],
                    number=number_form.cleaned_data["number"],
                ),
            )
            is None
        ):
            errors = [str(e) for field_errors in number_form.errors.values() for e in field_errors]
            return _request_with_form(
                request,
                department_request,
                "number_error",
                (request.POST.get("supplier", ""), " ".join(errors)),
            )
        return redirect(target + "#suppliers")
    if action not in calls:
        raise NotFound()
    call, success = calls[action]
    return act(request, call, success, target)


def _request_with_form(
    request: MemberRequest, department_request: DepartmentRequest, name: str, form: object
) -> HttpResponse:
    return render(
        request,
        "organisations/pages/department_request.html",
        _detail_context(request, department_request, **{name: form}),
        status=400,
    )
