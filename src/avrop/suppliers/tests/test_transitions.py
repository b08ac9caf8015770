"""The state machines of supplier master data are enforced: every (from, to) pair outside
``BANK_ACCOUNT_TRANSITIONS``, ``INVITATION_TRANSITIONS`` and ``BANK_CHANGE_TRANSITIONS`` is refused with
``InvalidTransition`` by the assert helper."""

from itertools import product
from types import SimpleNamespace

import pytest

from avrop.core.errors import InvalidTransition
from avrop.core.workflows import assert_transition
from avrop.suppliers.workflows import (
    BANK_ACCOUNT_TRANSITIONS,
    BANK_CHANGE_TRANSITIONS,
    INVITATION_TRANSITIONS,
    BankStatus,
    ChangeStatus,
    InvitationStatus,
)

TABLES = {
    "bank_account": (BANK_ACCOUNT_TRANSITIONS, BankStatus),
    "invitation": (INVITATION_TRANSITIONS, InvitationStatus),
    "bank_change": (BANK_CHANGE_TRANSITIONS, ChangeStatus),
}


def _pairs(*, allowed):
    return [
        (name, source, to)
        for name, (table, states) in TABLES.items()
        for source, to in product(states.values, repeat=2)
        if (to in {str(t) for t in table[source]}) is allowed
    ]


@pytest.mark.parametrize("name", TABLES)
def test_each_table_names_every_status_and_only_statuses(name):
    table, states = TABLES[name]
    assert {str(s) for s in table} == set(states.values)
    assert {str(t) for targets in table.values() for t in targets} <= set(states.values)


@pytest.mark.parametrize(("name", "source", "to"), _pairs(allowed=False))
def test_every_pair_outside_the_tables_is_refused(name, source, to):
    with pytest.raises(InvalidTransition):
        assert_transition(SimpleNamespace(pk=1, status=source), to=to, transitions=TABLES[name][0])


@pytest.mark.parametrize(("name", "source", "to"), _pairs(allowed=True))
def test_every_pair_of_the_tables_passes(name, source, to):
    assert_transition(SimpleNamespace(pk=1, status=source), to=to, transitions=TABLES[name][0])
