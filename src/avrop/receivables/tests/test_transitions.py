"""The customer invoice state machine is enforced: every (from, to) pair outside ``TRANSITIONS`` is refused
with ``InvalidTransition`` by the app's assert helper, every pair inside passes."""

from avrop.core.tests.transition_tables import table_tests
from avrop.receivables.workflows import TRANSITIONS, Status, assert_transition

TABLES = {"customer_invoice": (TRANSITIONS, Status, assert_transition)}

test_tables_name_every_status, test_pairs_outside_are_refused, test_pairs_inside_pass = table_tests(TABLES)
