"""The state machines of supplier master data are enforced: every (from, to) pair outside
``BANK_ACCOUNT_TRANSITIONS``, ``INVITATION_TRANSITIONS`` and ``BANK_CHANGE_TRANSITIONS`` is refused with
``InvalidTransition`` by the assert helper."""

from avrop.core.tests.transition_tables import table_tests, with_core_assert
from avrop.suppliers.workflows import (
    BANK_ACCOUNT_TRANSITIONS,
    BANK_CHANGE_TRANSITIONS,
    INVITATION_TRANSITIONS,
    BankStatus,
    ChangeStatus,
    InvitationStatus,
)

TABLES = {
    "bank_account": (BANK_ACCOUNT_TRANSITIONS, BankStatus, with_core_assert(BANK_ACCOUNT_TRANSITIONS)),
    "invitation": (INVITATION_TRANSITIONS, InvitationStatus, with_core_assert(INVITATION_TRANSITIONS)),
    "bank_change": (BANK_CHANGE_TRANSITIONS, ChangeStatus, with_core_assert(BANK_CHANGE_TRANSITIONS)),
}

test_tables_name_every_status, test_pairs_outside_are_refused, test_pairs_inside_pass = table_tests(TABLES)
