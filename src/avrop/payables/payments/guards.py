"""Who may handle payments and accounting exports."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from avrop.core.errors import NotAllowed, NotFound
from avrop.organisations.roles import Role
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.services.guards import roles_of

PAY_ROLES = frozenset({Role.AP_CLERK, Role.ADMIN})
VIEW_ROLES = PAY_ROLES | {Role.AUDITOR}


def require_payer(actor: Any, organisation: Any) -> None:
    """Payments are for the organisation's finance roles (AP clerk, administrator); an auditor only reads."""
    roles = roles_of(actor, organisation)
    if not roles:
        raise NotFound()
    if not roles & PAY_ROLES:
        raise NotAllowed(
            _("Only an accounts payable clerk or an administrator may handle payments."),
            PaymentCode.NOT_PAYER,
        )
