"""State machines of supplier master data: bank accounts, portal invitations, bank details changes."""

from __future__ import annotations

from avrop.suppliers.models import BankAccount, BankChangeProposal, PortalInvitation

BankStatus = BankAccount.Status
BANK_ACCOUNT_TRANSITIONS: dict[str, frozenset[str]] = {
    BankStatus.UNVERIFIED: frozenset({BankStatus.VERIFIED, BankStatus.RETIRED}),
    BankStatus.VERIFIED: frozenset({BankStatus.RETIRED}),
    BankStatus.RETIRED: frozenset(),
}

InvitationStatus = PortalInvitation.Status
INVITATION_TRANSITIONS: dict[str, frozenset[str]] = {
    InvitationStatus.PENDING: frozenset({InvitationStatus.ACCEPTED, InvitationStatus.REVOKED}),
    InvitationStatus.ACCEPTED: frozenset(),
    InvitationStatus.REVOKED: frozenset(),
}

ChangeStatus = BankChangeProposal.Status
BANK_CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    ChangeStatus.PENDING: frozenset({ChangeStatus.CONFIRMED, ChangeStatus.WITHDRAWN}),
    ChangeStatus.CONFIRMED: frozenset(),
    ChangeStatus.WITHDRAWN: frozenset(),
}
