"""The support case's state machine is enforced: every (from, to) pair outside ``TRANSITIONS`` is refused with
``InvalidTransition``, by the assert helper and by the services' ``_move``."""

from itertools import product
from types import SimpleNamespace

import pytest

from avrop.cases.models import Case
from avrop.cases.services import _move
from avrop.cases.workflows import TRANSITIONS, Status
from avrop.core.errors import InvalidTransition
from avrop.core.workflows import assert_transition

PAIRS = list(product(Status.values, repeat=2))
FORBIDDEN = [(s, t) for s, t in PAIRS if t not in {str(x) for x in TRANSITIONS[s]}]
ALLOWED = [(s, t) for s, t in PAIRS if t in {str(x) for x in TRANSITIONS[s]}]


def test_the_table_names_every_status_and_only_statuses():
    assert {str(s) for s in TRANSITIONS} == set(Status.values)
    assert {str(t) for targets in TRANSITIONS.values() for t in targets} <= set(Status.values)
    assert FORBIDDEN and ALLOWED


@pytest.mark.parametrize(("source", "to"), FORBIDDEN)
def test_every_pair_outside_the_table_is_refused(source, to):
    with pytest.raises(InvalidTransition):
        assert_transition(SimpleNamespace(pk=1, status=source), to=to, transitions=TRANSITIONS)
    case = Case(pk=1, status=source)
    with pytest.raises(InvalidTransition):
        _move(case, to)
    assert case.status == source


@pytest.mark.parametrize(("source", "to"), ALLOWED)
def test_every_pair_of_the_table_passes(source, to):
    assert_transition(SimpleNamespace(pk=1, status=source), to=to, transitions=TRANSITIONS)
