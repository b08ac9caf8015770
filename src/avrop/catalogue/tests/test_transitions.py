"""The price-list version's state machine is enforced: every (from, to) pair outside
``VERSION_TRANSITIONS`` is refused with ``InvalidTransition`` by the assert helper."""

from itertools import product
from types import SimpleNamespace

import pytest

from avrop.catalogue.workflows import VERSION_TRANSITIONS, VersionStatus
from avrop.core.errors import InvalidTransition
from avrop.core.workflows import assert_transition

PAIRS = list(product(VersionStatus.values, repeat=2))
FORBIDDEN = [(s, t) for s, t in PAIRS if t not in {str(x) for x in VERSION_TRANSITIONS[s]}]
ALLOWED = [(s, t) for s, t in PAIRS if t in {str(x) for x in VERSION_TRANSITIONS[s]}]


def test_the_table_names_every_status_and_only_statuses():
    assert {str(s) for s in VERSION_TRANSITIONS} == set(VersionStatus.values)
    assert {str(t) for targets in VERSION_TRANSITIONS.values() for t in targets} <= set(VersionStatus.values)
    assert FORBIDDEN and ALLOWED


@pytest.mark.parametrize(("source", "to"), FORBIDDEN)
def test_every_pair_outside_the_table_is_refused(source, to):
    with pytest.raises(InvalidTransition):
        assert_transition(SimpleNamespace(pk=1, status=source), to=to, transitions=VERSION_TRANSITIONS)


@pytest.mark.parametrize(("source", "to"), ALLOWED)
def test_every_pair_of_the_table_passes(source, to):
    assert_transition(SimpleNamespace(pk=1, status=source), to=to, transitions=VERSION_TRANSITIONS)
