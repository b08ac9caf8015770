"""Search as requisitioners use it: one hit per article, tiers of relevance, typos, paging, pictures and the
cart, and a log that counts each search once whichever search box it came from."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.agreements.models import Agreement
from avrop.agreements.tests.factories import AgreementFactory
from avrop.catalogue.models import CatalogueItem, SearchLog
from avrop.catalogue.selectors import item_offers, search_items
from avrop.catalogue.services.searches import search_log_record
from avrop.catalogue.tests.factories import approve, csv_bytes, receive, row, setup_agreement
from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db


def _load(coordinator, owner, agreement, rows):
    approve(
        coordinator,
        owner,
        receive(actor=coordinator, organisation=owner, agreement=agreement, data=csv_bytes(rows)),
    )


@pytest.fixture
def two_agreements(make_member):
    """The buyer's own customer-specific agreement and a shared one (a service centre's) with the same
    supplier, both callable by the buyer; the supplier sells the same articles under both."""
    coordinator, requisitioner, buyer, own = setup_agreement(make_member)
    centre_coordinator, centre = make_member(Role.COORDINATOR)
    shared = AgreementFactory(
        owner=centre,
        supplier=own.supplier,
        kind=Agreement.Kind.SHARED,
        parties=[buyer],
        max_price_increase_percent=Decimal("3.00"),
    )
    return coordinator, requisitioner, buyer, own, centre_coordinator, centre, shared


def test_an_article_under_two_agreements_is_one_hit_offered_under_the_buyers_own_agreement(two_agreements):
    coordinator, requisitioner, buyer, own, centre_coordinator, centre, shared = two_agreements
    _load(coordinator, buyer, own, [row("K-1", "Kaffe mellanrost", "79.00"), row("K-2", "Kaffe mörkrost")])
    # Cheaper under the shared agreement, and one article only there.
    _load(
        centre_coordinator,
        centre,
        shared,
        [row("K-1", "Kaffe mellanrost", "69.00"), row("K-3", "Kaffe bryggmalet", "59.00")],
    )
    page = search_items(user=requisitioner, organisation=buyer, text="kaffe")
    assert page.total == 3 and not page.total_is_estimate
    by_article = {item.article_number: item for item in page.items}
    assert sorted(by_article) == ["K-1", "K-2", "K-3"]
    # The buyer's own customer-specific agreement comes first, even at a higher price.
    assert by_article["K-1"].agreement_id == own.pk and by_article["K-1"].other_offers == 1
    assert by_article["K-3"].agreement_id == shared.pk and by_article["K-3"].other_offers == 0
    offers = item_offers(user=requisitioner, organisation=buyer, item=by_article["K-1"])
    assert [(o.agreement_id, o.price_amount) for o in offers] == [
        (own.pk, Decimal("79.00")),
        (shared.pk, Decimal("69.00")),
    ]


def test_between_agreements_that_are_not_the_buyers_own_the_lowest_price_wins(make_member):
    requisitioner, buyer = make_member(Role.REQUISITIONER)
    first_coordinator, first_owner = make_member(Role.COORDINATOR)
    second_coordinator, second_owner = make_member(Role.COORDINATOR)
    first = AgreementFactory(
        owner=first_owner, kind=Agreement.Kind.SHARED, parties=[buyer], max_price_increase_percent=Decimal(3)
    )
    second = AgreementFactory(
        owner=second_owner,
        supplier=first.supplier,
        kind=Agreement.Kind.SHARED,
        parties=[buyer],
        max_price_increase_percent=Decimal(3),
    )
    _load(first_coordinator, first_owner, first, [row("T-1", "Tejp transparent", "30.00")])
    _load(second_coordinator, second_owner, second, [row("T-1", "Tejp transparent", "25.00")])
    page = search_items(user=requisitioner, organisation=buyer, text="tejp")
    assert [(i.agreement_id, i.other_offers) for i in page.items] == [(second.pk, 1)]


def test_a_whole_word_in_the_name_ranks_above_compounds_stems_typos_and_prefixes(make_member):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    _load(
        coordinator,
        buyer,
        agreement,
        [
            # "papp" is the Swedish stem of "papper": before the tiers this register came first.
            row("R-1", "Register A4 1–12 papp", "20.90", description="Register"),
            row("K-1", "Kopieringspapper A4 80 g", "42.50", description="Kopiering", keywords="papper"),
            row("P-1", "Papper A4 färgat", "55.00", description="Färgat"),
            row("S-1", "Pappersservett vit", "30.00", description="Servett"),
        ],
    )

    def ranked(text):
        return [
            i.article_number for i in search_items(user=requisitioner, organisation=buyer, text=text).items
        ]

    found = ranked("papper")
    assert found[:2] == ["P-1", "K-1"], found  # the whole word, then the compound that ends with it
    assert found.index("R-1") > found.index("K-1")
    # A typo finds the compound ending: copy paper before the register whose word is one letter off.
    typo = ranked("pappr")
    assert typo[0] in {"P-1", "K-1"} and "K-1" in typo and typo.index("K-1") < typo.index("R-1"), typo


def test_show_more_pages_through_distinct_articles_and_the_total_counts_articles(two_agreements):
    coordinator, requisitioner, buyer, own, centre_coordinator, centre, shared = two_agreements
    rows = [row(f"G-{n:02d}", f"Gem {n} mm", "5.00") for n in range(1, 46)]
    _load(coordinator, buyer, own, rows)
    _load(centre_coordinator, centre, shared, rows[:30])  # 30 of the 45 also under the shared agreement

    first = search_items(user=requisitioner, organisation=buyer, text="gem", limit=20)
    assert first.total == 45 and first.has_more and len(first.items) == 20
    second = search_items(user=requisitioner, organisation=buyer, text="gem", limit=20, offset=20)
    third = search_items(user=requisitioner, organisation=buyer, text="gem", limit=20, offset=40)
    assert len(second.items) == 20 and second.has_more
    assert len(third.items) == 5 and not third.has_more
    articles = [i.article_number for page in (first, second, third) for i in page.items]
    assert len(articles) == len(set(articles)) == 45
    assert all(i.agreement_id == own.pk for page in (first, second, third) for i in page.items)


def test_a_search_is_logged_once_however_many_requests_it_took(make_member):
    requisitioner, buyer = make_member(Role.REQUISITIONER)
    for typed in ("pap", "papp", "papper", "papper", "pappe"):
        search_log_record(user=requisitioner, organisation=buyer, query=typed, hits=0)
    search_log_record(user=requisitioner, organisation=buyer, query="kaffe", hits=4)
    assert list(SearchLog.objects.order_by("pk").values_list("normalised", "hits")) == [
        ("pappe", 0),
        ("kaffe", 4),
    ]
    other, _ = make_member(Role.REQUISITIONER, organisation=buyer)
    search_log_record(user=other, organisation=buyer, query="kaffe", hits=4)
    assert SearchLog.objects.filter(normalised="kaffe").count() == 2  # another person's search counts


@pytest.fixture
def shop(make_member):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    _load(coordinator, buyer, agreement, [row(f"G-{n:02d}", f"Gem {n} mm", "5.00") for n in range(1, 26)])
    return coordinator, requisitioner, buyer, agreement


@pytest.mark.parametrize("url_name", ["catalogue:search", "ordering:shop"])
def test_every_search_box_logs_a_search_without_hits_once_and_offers_the_free_text_form(
    client, shop, url_name
):
    coordinator, requisitioner, buyer, agreement = shop
    client.force_login(requisitioner)
    url = reverse(url_name)
    # As typed: each pause sends, then the change event and the submit send the same words again.
    for typed in ("lamin", "laminator", "laminator", "laminator"):
        response = client.get(url, {"q": typed}, headers={"HX-Request": "true", "HX-Target": "results"})
        assert response.status_code == 200
    assert list(SearchLog.objects.values_list("normalised", "hits")) == [("laminator", 0)]
    page = response.content.decode()
    assert reverse("ordering:free_text") in page and reverse("catalogue:missing_new") in page


@pytest.mark.parametrize("url_name", ["catalogue:search", "ordering:shop"])
def test_show_more_appends_the_next_hits_with_pictures_and_add_to_cart(client, shop, url_name):
    coordinator, requisitioner, buyer, agreement = shop
    client.force_login(requisitioner)
    url = reverse(url_name)
    first = client.get(url, {"q": "gem"}).content.decode()
    assert "25 items found" in first or "25 artiklar hittades" in first
    assert first.count('class="result"') == 20 and 'class="more"' in first
    assert first.count(reverse("ordering:cart_add")) >= 20
    assert 'class="thumb no-thumb"' in first
    more = client.get(url, {"q": "gem", "page": "2", "more": "1"}, headers={"HX-Request": "true"})
    fragment = more.content.decode()
    assert (
        "<html" not in fragment and fragment.count('class="result"') == 5 and 'class="more"' not in fragment
    )
    # Without JavaScript the link opens the longer list; "show more" is not a new search.
    assert client.get(url, {"q": "gem", "page": "2"}).content.decode().count('class="result"') == 25
    assert SearchLog.objects.count() == 1


def test_the_item_page_adds_to_the_cart_and_lists_the_other_agreements(client, two_agreements):
    coordinator, requisitioner, buyer, own, centre_coordinator, centre, shared = two_agreements
    _load(coordinator, buyer, own, [row("K-1", "Kaffe mellanrost", "79.00")])
    _load(centre_coordinator, centre, shared, [row("K-1", "Kaffe mellanrost", "69.00")])
    mine = CatalogueItem.objects.get(agreement=own)
    client.force_login(requisitioner)
    page = client.get(reverse("catalogue:item", args=[mine.pk])).content.decode()
    assert reverse("ordering:cart_add") in page and 'id="offers"' in page and shared.reference in page
    client.force_login(coordinator)  # a coordinator does not order: no cart
    assert (
        reverse("ordering:cart_add")
        not in client.get(reverse("catalogue:item", args=[mine.pk])).content.decode()
    )


def test_the_result_page_does_not_grow_its_query_count_with_hits_or_offers(client, two_agreements):
    coordinator, requisitioner, buyer, own, centre_coordinator, centre, shared = two_agreements
    _load(coordinator, buyer, own, [row("G-1", "Gem 1 mm"), row("G-2", "Gem 2 mm")])
    client.force_login(requisitioner)
    for url in (reverse("catalogue:search"), reverse("ordering:shop")):
        client.get(url, {"q": "gem"})

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": "gem"}).status_code == 200
        return len(queries.captured_queries)

    before = {url: count(url) for url in (reverse("catalogue:search"), reverse("ordering:shop"))}
    rows = [row(f"G-{n}", f"Gem {n} mm") for n in range(1, 31)]
    _load(coordinator, buyer, own, rows)
    _load(centre_coordinator, centre, shared, rows)
    after = {url: count(url) for url in before}
    assert after == before
