"""The state machines of organisations are enforced: every (from, to) pair outside
``DEPARTMENT_REQUEST_TRANSITIONS`` and ``IMPORT_JOB_TRANSITIONS`` is refused with ``InvalidTransition`` by
the app's assert helpers."""

from avrop.core.tests.transition_tables import table_tests
from avrop.organisations.workflows import (
    DEPARTMENT_REQUEST_TRANSITIONS,
    IMPORT_JOB_TRANSITIONS,
    DepartmentRequestStatus,
    ImportJobStatus,
    assert_import_transition,
    assert_request_transition,
)

TABLES = {
    "department_request": (
        DEPARTMENT_REQUEST_TRANSITIONS,
        DepartmentRequestStatus,
        assert_request_transition,
    ),
    "import_job": (IMPORT_JOB_TRANSITIONS, ImportJobStatus, assert_import_transition),
}

test_tables_name_every_status, test_pairs_outside_are_refused, test_pairs_inside_pass = table_tests(TABLES)
