"""The state machines of organisations are enforced: every (from, to) pair outside
``DEPARTMENT_REQUEST_TRANSITIONS`` and ``IMPORT_JOB_TRANSITIONS`` is refused with ``InvalidTransition`` by
the app's assert helpers."""

from itertools import product
from types import SimpleNamespace

import pytest

from avrop.core.errors import InvalidTransition
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


def _pairs(*, allowed):
    return [
        (name, source, to)
        for name, (table, states, _check) in TABLES.items()
        for source, to in product(states.values, repeat=2)
        if (to in {str(t) for t in table[source]}) is allowed
    ]


@pytest.mark.parametrize("name", TABLES)
def test_each_table_names_every_status_and_only_statuses(name):
    table, states, _check = TABLES[name]
    assert {str(s) for s in table} == set(states.values)
    assert {str(t) for targets in table.values() for t in targets} <= set(states.values)


@pytest.mark.parametrize(("name", "source", "to"), _pairs(allowed=False))
def test_every_pair_outside_the_tables_is_refused(name, source, to):
    _table, _states, check = TABLES[name]
    with pytest.raises(InvalidTransition):
        check(SimpleNamespace(pk=1, status=source), to=to)


@pytest.mark.parametrize(("name", "source", "to"), _pairs(allowed=True))
def test_every_pair_of_the_tables_passes(name, source, to):
    _table, _states, check = TABLES[name]
    check(SimpleNamespace(pk=1, status=source), to=to)
