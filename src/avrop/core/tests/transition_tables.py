"""Tests that every state machine is enforced, shared by the apps: ``table_tests`` makes, for a set of
(table, statuses, assert helper) triples, the three tests each app's ``test_transitions.py`` binds to
module-level names so that pytest collects them:

    test_tables_name_every_status, test_pairs_outside_are_refused, test_pairs_inside_pass = (
        table_tests(TABLES)
    )
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from itertools import product
from types import SimpleNamespace
from typing import Any

import pytest

from avrop.core.errors import InvalidTransition
from avrop.core.workflows import assert_transition

Check = Callable[..., None]
Table = tuple[Mapping[str, frozenset[str]], Any, Check]


def with_core_assert(transitions: Mapping[str, frozenset[str]]) -> Check:
    """The core helper bound to ``transitions``, for a table whose app has no helper of its own."""
    return partial(assert_transition, transitions=transitions)


def pairs(tables: Mapping[str, Table], *, allowed: bool) -> list[tuple[str, str, str]]:
    """(table name, from, to) for every pair of statuses the table allows (or, with ``allowed`` False,
    does not allow)."""
    found = [
        (name, source, to)
        for name, (table, states, _check) in tables.items()
        for source, to in product(states.values, repeat=2)
        if (to in {str(t) for t in table[source]}) is allowed
    ]
    assert found, "no pairs: a table that allows nothing, or everything, is not tested"
    return found


def table_tests(tables: Mapping[str, Table]) -> tuple[Any, Any, Any]:
    @pytest.mark.parametrize("name", tables)
    def test_tables_name_every_status(name: str) -> None:
        table, states, _check = tables[name]
        assert {str(s) for s in table} == set(states.values)
        assert {str(t) for targets in table.values() for t in targets} <= set(states.values)

    @pytest.mark.parametrize(("name", "source", "to"), pairs(tables, allowed=False))
    def test_pairs_outside_are_refused(name: str, source: str, to: str) -> None:
        _table, _states, check = tables[name]
        with pytest.raises(InvalidTransition):
            check(SimpleNamespace(pk=1, status=source), to=to)

    @pytest.mark.parametrize(("name", "source", "to"), pairs(tables, allowed=True))
    def test_pairs_inside_pass(name: str, source: str, to: str) -> None:
        _table, _states, check = tables[name]
        check(SimpleNamespace(pk=1, status=source), to=to)

    return test_tables_name_every_status, test_pairs_outside_are_refused, test_pairs_inside_pass
