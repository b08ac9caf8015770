"""The price-list version's state machine is enforced: every (from, to) pair outside
``VERSION_TRANSITIONS`` is refused with ``InvalidTransition`` by the assert helper."""

from avrop.catalogue.workflows import VERSION_TRANSITIONS, VersionStatus
from avrop.core.tests.transition_tables import table_tests, with_core_assert

TABLES = {"version": (VERSION_TRANSITIONS, VersionStatus, with_core_assert(VERSION_TRANSITIONS))}

test_tables_name_every_status, test_pairs_outside_are_refused, test_pairs_inside_pass = table_tests(TABLES)
