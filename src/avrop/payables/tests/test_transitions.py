"""The state machines of payables are enforced: every (from, to) pair outside ``TRANSITIONS`` (the supplier
invoice) and ``INBOUND_TRANSITIONS`` (the inbound document) is refused with ``InvalidTransition`` by the
app's assert helpers."""

from avrop.core.tests.transition_tables import table_tests
from avrop.payables.workflows import (
    INBOUND_TRANSITIONS,
    TRANSITIONS,
    Inbound,
    Status,
    assert_inbound_transition,
    assert_transition,
)

TABLES = {
    "invoice": (TRANSITIONS, Status, assert_transition),
    "inbound": (INBOUND_TRANSITIONS, Inbound, assert_inbound_transition),
}

test_tables_name_every_status, test_pairs_outside_are_refused, test_pairs_inside_pass = table_tests(TABLES)
