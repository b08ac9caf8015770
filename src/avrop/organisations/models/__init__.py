"""The models of the organisations app, one module per family."""

from avrop.organisations.models.approval import ApprovalDelegation, ApprovalLimit, DocumentKind
from avrop.organisations.models.chart import Account, Chart, Dimension, DimensionObject
from avrop.organisations.models.imports import ImportJob
from avrop.organisations.models.requests import DepartmentRequest, DepartmentRequestSupplier
from avrop.organisations.models.tenancy import DeliveryAddress, Department, Membership, Organisation, User

__all__ = [
    "Account",
    "ApprovalDelegation",
    "ApprovalLimit",
    "Chart",
    "DeliveryAddress",
    "Department",
    "DepartmentRequest",
    "DepartmentRequestSupplier",
    "Dimension",
    "DimensionObject",
    "DocumentKind",
    "ImportJob",
    "Membership",
    "Organisation",
    "User",
]
