"""Every node's search index follows the database's change feed (avrop.catalogue.services.feed).

A node is an index directory here: the settings point at one node's directory or the other's, as two
machines with their own ``CATALOGUE_SEARCH_DIR`` would."""

from __future__ import annotations

import pytest

from avrop.catalogue.models import CatalogueChange, CatalogueItem
from avrop.catalogue.search import SearchQuery, get_engine
from avrop.catalogue.selectors import search_items
from avrop.catalogue.services import feed
from avrop.catalogue.tests.factories import active_catalogue, approve, csv_bytes, office_rows, receive, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def nodes(settings, tmp_path):
    """Switch between two nodes' index directories; node 1 is in use at first."""

    def use(number: int) -> None:
        settings.CATALOGUE_SEARCH_DIR = str(tmp_path / f"node{number}" / "search")

    use(1)
    return use


def _names(requisitioner, buyer, text: str) -> list[str]:
    return [i.name for i in search_items(user=requisitioner, organisation=buyer, text=text).items]


def _indexed(text: str, agreement) -> list[int]:
    """What this node's index holds (no check of the feed, no database)."""
    return get_engine().search(SearchQuery(text=text, agreement_ids=frozenset([agreement.pk]))).ids


def test_a_price_list_approved_on_one_node_is_found_on_the_other(make_member, nodes):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    nodes(2)
    assert feed.catch_up()[0] == "rebuilt"  # node 2 starts without an index
    assert _names(requisitioner, buyer, "gem") == ["Gem 32 mm"]
    nodes(1)
    version = receive(
        actor=coordinator,
        organisation=buyer,
        agreement=agreement,
        data=csv_bytes([*office_rows(2), row("NY-1", "Laminator A3")]),
    )
    approve(coordinator, buyer, version)  # indexed on node 1 by the task, published for every node
    assert _names(requisitioner, buyer, "laminator") == ["Laminator A3"]
    nodes(2)
    state = get_engine().feed_state()
    assert state is not None and feed.has_pending(state)
    assert feed.follow() >= 1
    assert _names(requisitioner, buyer, "laminator") == ["Laminator A3"]
    # The item the new price list removed ("Gem 32 mm", not in the file) is gone from node 2's index too.
    gem = CatalogueItem.objects.get(agreement=agreement, article_number="ART-0003")
    assert not gem.is_active
    assert gem.pk not in _indexed("gem", agreement)
    assert get_engine().feed_state()["position"] == CatalogueChange.objects.latest("pk").pk


def test_nothing_changed_costs_one_query_and_single_items_follow(
    make_member, nodes, django_assert_num_queries
):
    _coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    nodes(2)
    feed.catch_up()
    with django_assert_num_queries(1):
        assert feed.follow() == 0
    item = CatalogueItem.objects.get(agreement=agreement, article_number="ART-0002")
    item.shop_keywords = "ritstift"
    item.save(update_fields=["shop_keywords"])
    feed.publish_items(item_ids=[item.pk])
    assert _indexed("ritstift", agreement) == []
    assert feed.follow() == 1
    assert _indexed("ritstift", agreement) == [item.pk]
    item.is_active = False
    item.save(update_fields=["is_active"])
    feed.publish_items(item_ids=[item.pk])
    feed.follow()
    assert _indexed("ritstift", agreement) == []


def test_the_check_before_a_search_applies_the_feed(make_member, nodes, settings, monkeypatch):
    settings.CATALOGUE_FEED_CHECK_SECONDS = 0
    monkeypatch.setattr(feed, "_next_check", 0.0)
    _coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    nodes(2)
    feed.catch_up()
    item = CatalogueItem.objects.get(agreement=agreement, article_number="ART-0001")
    item.shop_keywords = "ritstift"
    item.save(update_fields=["shop_keywords"])
    feed.publish_items(item_ids=[item.pk])
    # Inside the test's transaction the check applies the feed before it searches.
    assert _names(requisitioner, buyer, "ritstift") == [item.name]


def test_a_late_commit_below_the_position_is_not_skipped(make_member, nodes):
    _coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    nodes(2)
    feed.catch_up()
    item = CatalogueItem.objects.get(agreement=agreement, article_number="ART-0001")
    # Another transaction took the next id but has not committed; a later one has.
    early = CatalogueChange.objects.create(item_ids=[item.pk])
    early_id = early.pk
    early.delete()
    later = CatalogueChange.objects.create(item_ids=[])
    feed.follow()
    state = get_engine().feed_state()
    assert state["position"] == later.pk
    assert early_id in [gap for gap, _since in state["gaps"]]
    item.shop_keywords = "ritstift"
    item.save(update_fields=["shop_keywords"])
    CatalogueChange.objects.create(pk=early_id, item_ids=[item.pk])  # it commits now
    feed.follow()
    assert _indexed("ritstift", agreement) == [item.pk]
    assert early_id not in [gap for gap, _since in get_engine().feed_state()["gaps"]]


def test_start_rebuilds_a_missing_damaged_or_far_behind_index(make_member, nodes, monkeypatch):
    _coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    engine = get_engine()
    assert feed.catch_up()[0] == "followed"  # node 1 is up to date
    name = (engine.root / "CURRENT").read_text().strip()
    (engine.root / name / "meta.json").write_text("not json")
    assert not engine.healthy()
    assert feed.catch_up()[0] == "rebuilt"
    assert engine.healthy()
    assert _names(requisitioner, buyer, "gem") == ["Gem 32 mm"]
    monkeypatch.setattr(feed, "BEHIND", 1)
    for _ in range(2):
        feed.publish_items(item_ids=[CatalogueItem.objects.filter(agreement=agreement).first().pk])
    assert feed.behind(engine.feed_state())
    assert feed.catch_up()[0] == "rebuilt"
    assert not feed.behind(engine.feed_state())
