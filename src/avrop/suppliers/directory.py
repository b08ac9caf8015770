"""The suppliers app's answers to what organisations asks of it (``avrop.organisations.supplier_directory``).

Provided when Django starts (``SuppliersConfig.ready``). The callers, the new-department workflow and the
department page, have already scoped the organisation and the department to the acting user; writes go
through this app's services, with their role checks and audit events.
"""

from __future__ import annotations

from avrop.organisations.models import Department, Organisation, User
from avrop.organisations.supplier_directory import CustomerNumberLine, SupplierRecipient
from avrop.suppliers.models import CustomerNumber, Supplier, SupplierContact
from avrop.suppliers.services import customer_number_set


def _ecommerce_address(supplier: Supplier) -> str:
    ecommerce = [c for c in supplier.contacts.all() if c.topic == SupplierContact.Topic.ECOMMERCE and c.email]
    if ecommerce:
        return ecommerce[0].email
    return supplier.order_email or supplier.organisation.email or ""


class SupplierDirectory:
    def recipients(self, *, organisation: Organisation) -> list[SupplierRecipient]:
        suppliers = (
            Supplier.objects.filter(buyer=organisation, is_active=True)
            .select_related("organisation")
            .prefetch_related("contacts")
            .order_by("organisation__name")
        )
        return [
            SupplierRecipient(supplier_id=s.pk, name=s.organisation.name, email=_ecommerce_address(s))
            for s in suppliers
        ]

    def customer_number_set(
        self, *, actor: User | None, supplier_id: int, department: Department, number: str
    ) -> None:
        supplier = Supplier.objects.select_related("buyer").get(pk=supplier_id)
        customer_number_set(actor=actor, supplier=supplier, department=department, number=number)

    def customer_numbers(self, *, department: Department) -> list[CustomerNumberLine]:
        numbers = (
            CustomerNumber.objects.filter(department=department)
            .select_related("supplier__organisation")
            .order_by("supplier__organisation__name")
        )
        return [
            CustomerNumberLine(
                supplier_name=c.supplier.organisation.name, number=c.number, supplier_id=c.supplier_id
            )
            for c in numbers
        ]
