import pytest
from django.db import models

from avrop.core.errors import InvalidTransition
from avrop.core.workflows import assert_transition


class Status(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


TRANSITIONS = {Status.OPEN: frozenset({Status.DONE}), Status.DONE: frozenset()}


class Thing:
    pk = 7

    def __init__(self, status):
        self.status = status


def test_allowed_transition_passes_for_enum_and_text():
    assert_transition(Thing(Status.OPEN), to=Status.DONE, transitions=TRANSITIONS)
    assert_transition(Thing("open"), to="done", transitions=TRANSITIONS)


def test_refused_transition_names_the_rule_in_plain_text():
    with pytest.raises(InvalidTransition) as info:
        assert_transition(Thing(Status.DONE), to=Status.OPEN, transitions=TRANSITIONS)
    detail = info.value.detail  # for logs and developers: the rule
    assert "from 'done' to 'open'" in detail
    assert "none (final state)" in detail
    assert "Status." not in detail
    message = info.value.message  # for people: the state, no internal keys
    assert ("“done”" in message or "”done”" in message) and "'open'" not in message
    assert "allowed from" not in message
