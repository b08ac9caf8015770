"""What the organisations app needs from the suppliers app, provided by it.

Suppliers depend on organisations (a supplier relation joins two organisations; customer numbers are per
department), never the other way round (decision 0011). The new-department workflow and the department page
still have to reach the organisation's suppliers: tell each of them about a new department, record the
customer number each one gives it, and show those numbers. This module declares those needs; the suppliers
app provides them once, when Django starts (``SuppliersConfig.ready`` calls ``provide``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from avrop.organisations.models import Department, Organisation, User


@dataclass(frozen=True)
class SupplierRecipient:
    """One of an organisation's suppliers and the address that takes its e-commerce matters ("" if none)."""

    supplier_id: int
    name: str
    email: str


@dataclass(frozen=True)
class CustomerNumberLine:
    supplier_name: str
    number: str
    # The buyer's supplier relation, whose page edits the number.
    supplier_id: int | None = None


class SupplierDirectory(Protocol):
    def recipients(self, *, organisation: Organisation) -> list[SupplierRecipient]:
        """The organisation's active suppliers, by name."""
        ...

    def customer_number_set(
        self, *, actor: User | None, supplier_id: int, department: Department, number: str
    ) -> None:
        """Record the number the supplier gave the department, with the suppliers app's rules and audit."""
        ...

    def customer_numbers(self, *, department: Department) -> list[CustomerNumberLine]:
        """The department's customer numbers at its organisation's suppliers, by supplier name."""
        ...


_directory: SupplierDirectory | None = None


def provide(directory: SupplierDirectory) -> None:
    global _directory
    _directory = directory


def suppliers() -> SupplierDirectory:
    if _directory is None:
        raise ImproperlyConfigured(
            "No app provides the supplier directory: avrop.suppliers must be in INSTALLED_APPS "
            "(it calls avrop.organisations.supplier_directory.provide when Django starts)."
        )
    return _directory
