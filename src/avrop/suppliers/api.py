"""Suppliers over the JSON API: the register, contacts, customer numbers and (read-only) bank details."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from avrop.core.errors import NotAllowed
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors import department_get
from avrop.suppliers import services
from avrop.suppliers.models import BankAccount, CustomerNumber, Supplier, SupplierContact
from avrop.suppliers.selectors import (
    bank_account_list,
    buyer_supplier_get,
    contact_get,
    contact_list,
    customer_number_list,
    supplier_get,
    supplier_list,
)

router = Router(tags=["suppliers"])
BANK_VIEW_ROLES = frozenset({"coordinator", "procurement_officer", "ap_clerk", "admin", "auditor"})


class SupplierOut(Schema):
    id: int
    name: str
    org_number: str
    vat_number: str
    peppol_id: str
    buyer_name: str
    connection: str
    order_email: str
    is_active: bool

    @staticmethod
    def resolve_name(obj: Supplier) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_org_number(obj: Supplier) -> str:
        return obj.organisation.org_number

    @staticmethod
    def resolve_vat_number(obj: Supplier) -> str:
        return obj.organisation.vat_number

    @staticmethod
    def resolve_peppol_id(obj: Supplier) -> str:
        return obj.organisation.peppol_id

    @staticmethod
    def resolve_buyer_name(obj: Supplier) -> str:
        return obj.buyer.name


class ContactIn(Schema):
    topic: str
    name: str
    email: str = ""
    phone: str = ""


class ContactOut(Schema):
    id: int
    topic: str
    name: str
    email: str
    phone: str


class DepartmentCustomerNumberIn(Schema):
    department_id: int
    number: str


class CustomerNumberOut(Schema):
    department_id: int
    department_name: str
    number: str

    @staticmethod
    def resolve_department_name(obj: CustomerNumber) -> str:
        return obj.department.name


class BankAccountOut(Schema):
    id: int
    kind: str
    number: str
    display_number: str
    bic: str
    status: str
    registered_at: dt.datetime
    verified_at: dt.datetime | None

    @staticmethod
    def resolve_registered_at(obj: BankAccount) -> dt.datetime:
        return obj.created_at


@router.get("/", response=list[SupplierOut])
def list_suppliers(request: MemberRequest) -> list[Supplier]:
    return list(supplier_list(user=request.user, organisation=request.organisation))


@router.get("/{supplier_id}", response=SupplierOut)
def get_supplier(request: MemberRequest, supplier_id: int) -> Supplier:
    return supplier_get(user=request.user, organisation=request.organisation, supplier_id=supplier_id)


@router.get("/{supplier_id}/contacts", response=list[ContactOut])
def list_contacts(request: MemberRequest, supplier_id: int) -> list[SupplierContact]:
    return list(contact_list(user=request.user, organisation=request.organisation, supplier_id=supplier_id))


@router.post("/{supplier_id}/contacts", response={201: ContactOut})
def add_contact(request: MemberRequest, supplier_id: int, payload: ContactIn) -> Status[SupplierContact]:
    supplier = buyer_supplier_get(
        user=request.user, organisation=request.organisation, supplier_id=supplier_id
    )
    return Status(201, services.supplier_contact_add(actor=request.user, supplier=supplier, **payload.dict()))


@router.put("/contacts/{contact_id}", response=ContactOut)
def update_contact(request: MemberRequest, contact_id: int, payload: ContactIn) -> SupplierContact:
    contact = contact_get(user=request.user, organisation=request.organisation, contact_id=contact_id)
    return services.supplier_contact_update(actor=request.user, contact_id=contact.pk, **payload.dict())


@router.delete("/contacts/{contact_id}", response={204: None})
def remove_contact(request: MemberRequest, contact_id: int) -> Status[None]:
    contact = contact_get(user=request.user, organisation=request.organisation, contact_id=contact_id)
    services.supplier_contact_remove(actor=request.user, contact_id=contact.pk)
    return Status(204, None)


@router.get("/{supplier_id}/customer-numbers", response=list[CustomerNumberOut])
def list_customer_numbers(request: MemberRequest, supplier_id: int) -> list[CustomerNumber]:
    return list(
        customer_number_list(user=request.user, organisation=request.organisation, supplier_id=supplier_id)
    )


@router.put("/{supplier_id}/customer-numbers", response=list[CustomerNumberOut])
def set_customer_number(
    request: MemberRequest, supplier_id: int, payload: DepartmentCustomerNumberIn
) -> list[CustomerNumber]:
    """Set one department's number; an empty number removes it. Returns all of the supplier's numbers."""
    supplier = buyer_supplier_get(
        user=request.user, organisation=request.organisation, supplier_id=supplier_id
    )
    department = department_get(
        user=request.user, organisation=request.organisation, department_id=payload.department_id
    )
    services.customer_number_set(
        actor=request.user, supplier=supplier, department=department, number=payload.number
    )
    return list(
        customer_number_list(user=request.user, organisation=request.organisation, supplier_id=supplier_id)
    )


@router.get("/{supplier_id}/bank-accounts", response=list[BankAccountOut])
def list_bank_accounts(
    request: MemberRequest, supplier_id: int, include_retired: bool = False
) -> list[BankAccount]:
    if not request.roles & BANK_VIEW_ROLES:
        raise NotAllowed(
            _("This needs one of the roles: %(roles)s.") % {"roles": ", ".join(sorted(BANK_VIEW_ROLES))}
        )
    return list(
        bank_account_list(
            user=request.user,
            organisation=request.organisation,
            supplier_id=supplier_id,
            include_retired=include_retired,
        )
    )
