"""The roles of DESIGN.md §1. A user holds roles through memberships in organisations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUISITIONER = "requisitioner", _("Requisitioner")
    APPROVER = "approver", _("Approver")
    GOODS_RECEIVER = "goods_receiver", _("Goods receiver")
    COORDINATOR = "coordinator", _("E-commerce coordinator")
    PROCUREMENT_OFFICER = "procurement_officer", _("Procurement officer")
    AP_CLERK = "ap_clerk", _("Accounts payable clerk")
    AR_CLERK = "ar_clerk", _("Accounts receivable clerk")
    SUPPLIER_USER = "supplier_user", _("Supplier user")
    SPOC = "spoc", _("Supplier SPOC")
    SERVICE_PARTNER = "service_partner", _("Service partner")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


BUYER_ROLES = frozenset(
    {
        Role.REQUISITIONER,
        Role.APPROVER,
        Role.GOODS_RECEIVER,
        Role.COORDINATOR,
        Role.PROCUREMENT_OFFICER,
        Role.AP_CLERK,
        Role.AR_CLERK,
        Role.AUDITOR,
        Role.ADMIN,
    }
)
SUPPLIER_ROLES = frozenset({Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN})
SERVICE_PARTNER_ROLES = frozenset({Role.SERVICE_PARTNER, Role.ADMIN})
# Roles that maintain an organisation's master data.
MASTER_DATA_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
