"""Actions on supplier relations."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode
from avrop.organisations.models import Department, Organisation, User
from avrop.suppliers.models import CustomerNumber, Supplier, SupplierContact


@transaction.atomic
def supplier_connect(
    *, actor: User | None, buyer: Organisation, organisation: Organisation, connection: str, order_email: str = ""
) -> Supplier:
    if organisation.kind not in {Organisation.Kind.SUPPLIER, Organisation.Kind.SERVICE_PARTNER}:
        raise DomainError(ErrorCode.VALIDATION, _("%(name)s is not a supplier.") % {"name": organisation.name},
                          field="organisation")
    if connection == Supplier.Connection.PEPPOL and not organisation.peppol_id:
        raise DomainError(ErrorCode.VALIDATION, _("A Peppol connection needs the supplier's Peppol id."),
                          field="connection")
    if connection == Supplier.Connection.EMAIL and not order_email:
        raise DomainError(ErrorCode.VALIDATION, _("An e-mail connection needs an e-mail address for orders."),
                          field="order_email")
    supplier = Supplier.objects.create(buyer=buyer, organisation=organisation, connection=connection,
                                       order_email=order_email)
    audit(actor=actor, action="supplier.connect", obj=supplier, organisation=buyer, after=snapshot(supplier))
    return supplier


@transaction.atomic
def supplier_contact_add(
    *, actor: User | None, supplier: Supplier, topic: str, name: str, email: str = "", phone: str = ""
) -> SupplierContact:
    contact = SupplierContact.objects.create(supplier=supplier, topic=topic, name=name, email=email, phone=phone)
    audit(actor=actor, action="supplier_contact.add", obj=contact, organisation=supplier.buyer,
          after=snapshot(contact))
    return contact


@transaction.atomic
def customer_number_set(
    *, actor: User | None, supplier: Supplier, department: Department, number: str
) -> CustomerNumber:
    if department.organisation_id != supplier.buyer_id:
        raise DomainError(ErrorCode.VALIDATION, _("The department belongs to another organisation."),
                          field="department")
    existing = CustomerNumber.objects.filter(supplier=supplier, department=department).first()
    before = snapshot(existing) if existing else None
    record, _created = CustomerNumber.objects.update_or_create(
        supplier=supplier, department=department, defaults={"number": number}
    )
    audit(actor=actor, action="customer_number.set", obj=record, organisation=supplier.buyer, before=before,
          after=snapshot(record))
    return record
