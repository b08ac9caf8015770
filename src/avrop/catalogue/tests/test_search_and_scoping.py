import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from avrop.agreements.models import AgreementParty
from avrop.catalogue.models import CatalogueItem
from avrop.catalogue.search import get_engine
from avrop.catalogue.selectors import callable_agreement_ids, item_get, search_items
from avrop.catalogue.tests.factories import (
    active_catalogue,
    approve,
    csv_bytes,
    office_rows,
    receive,
    row,
    setup_agreement,
)
from avrop.core.errors import NotFound
from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db


def test_requisitioners_see_only_agreements_their_organisation_may_call_off_today(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    outsider, other_org = make_member(Role.REQUISITIONER)
    assert search_items(user=outsider, organisation=other_org, text="gem").items == []
    item = CatalogueItem.objects.get(article_number="ART-0003")
    with pytest.raises(NotFound):
        item_get(user=outsider, organisation=other_org, item_id=item.pk)
    AgreementParty.objects.create(agreement=agreement, organisation=other_org)
    assert [i.pk for i in search_items(user=outsider, organisation=other_org, text="gem").items] == [item.pk]
    agreement.valid_to = dt.date.today() - dt.timedelta(days=1)
    agreement.valid_from = dt.date.today() - dt.timedelta(days=100)
    agreement.save()
    assert callable_agreement_ids(organisation=other_org) == frozenset()
    assert search_items(user=outsider, organisation=other_org, text="gem").items == []
    with pytest.raises(NotFound):
        item_get(user=requisitioner, organisation=buyer, item_id=item.pk)


def test_unapproved_items_are_never_shown_even_if_the_index_had_them(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 2)
    staged = receive(
        actor=coordinator,
        organisation=buyer,
        agreement=agreement,
        data=csv_bytes([*office_rows(2), row("NY-1", "Laminator A3")]),
    )
    assert staged.added == 1
    assert search_items(user=requisitioner, organisation=buyer, text="laminator").items == []
    removed = CatalogueItem.objects.get(article_number="ART-0001")
    removed.is_active = False
    removed.save()  # the database says no, whatever the index still holds
    assert search_items(user=requisitioner, organisation=buyer, text="kopieringspapper").items == []


def test_filters_and_ranking(make_member):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    rows = [
        row("P-1", "Kopieringspapper A4", "45", eco="SVANEN", keywords="papper"),
        row("P-2", "Papperskorg metall", "199", category="Möbler", unspsc="56101700"),
        row("P-3", "Toalettpapper 8 rullar", "49", eco="SVANEN", category="Hygien", unspsc="14111704"),
        row("P-4", "Papper", "30", description="Papper papper papper"),
    ]
    approve(
        coordinator,
        buyer,
        receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows)),
    )

    def found(**kwargs):
        return [
            i.article_number for i in search_items(user=requisitioner, organisation=buyer, **kwargs).items
        ]

    assert found(text="papper")[0] == "P-4"
    # The last word is a prefix (people type: papperskorg); compounds are found by their last part too.
    assert set(found(text="papper")) == {"P-1", "P-2", "P-3", "P-4"}
    assert set(found(text="toalett")) == {"P-3"}
    assert set(found(text="papper", eco_label="SVANEN")) == {"P-1", "P-3"}
    assert found(text="papper", price_max=Decimal("40")) == ["P-4"]
    assert found(text="", category="own:hygien") == ["P-3"]
    assert found(text="", category="unspsc:1411") == ["P-3"]
    assert found(text="toalettpaper") == ["P-3"]  # a typo
    assert found(text="xyzzy") == []
    assert found(text="papper", supplier_id=agreement.supplier_id + 1000) == []


def test_reindex_command_rebuilds_from_the_database(make_member, capsys):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 4)
    engine = get_engine()
    engine.rebuild([])
    assert search_items(user=requisitioner, organisation=buyer, text="gem").items == []
    call_command("catalogue_reindex")
    assert "Indexed 4 items" in capsys.readouterr().out
    assert engine.count() == 4
    assert len(search_items(user=requisitioner, organisation=buyer, text="gem").items) == 1


def test_scope_and_words_hold_in_every_shape_of_index_query(make_member):
    """Nothing excluded, a few agreements excluded, or most excluded: the index is asked differently each
    time, and a filter beside the words must never turn the words into a mere ranking hint."""
    from avrop.agreements.tests.factories import AgreementFactory

    coordinator, requisitioner, buyer, first = active_catalogue(make_member, 3)
    agreements = [first]
    for n in range(2):
        agreement = AgreementFactory(owner=buyer, max_price_increase_percent=Decimal("3.00"))
        rows = [row(f"B{n}-1", "Gem 50 mm"), row(f"B{n}-2", "Kaffe mörkrost", eco="SVANEN")]
        approve(
            coordinator,
            buyer,
            receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows)),
        )
        agreements.append(agreement)

    def found(user, org, **kwargs):
        return {i.article_number for i in search_items(user=user, organisation=org, **kwargs).items}

    # The buyer may call off all three: nothing is excluded.
    assert found(requisitioner, buyer, text="gem") == {"ART-0003", "B0-1", "B1-1"}
    assert found(requisitioner, buyer, text="kaffe", eco_label="SVANEN") == {"B0-2", "B1-2"}
    assert found(requisitioner, buyer, text="gem", eco_label="SVANEN") == set()
    # Another organisation may call off two of them: one agreement is excluded.
    outsider, other_org = make_member(Role.REQUISITIONER)
    for agreement in agreements[1:]:
        AgreementParty.objects.create(agreement=agreement, organisation=other_org)
    assert found(outsider, other_org, text="gem") == {"B0-1", "B1-1"}
    assert found(outsider, other_org, text="gem", eco_label="SVANEN") == set()
    assert found(outsider, other_org, text="b0-1") == {"B0-1"}  # an article number, two tokens
    # Only one of three: the callable one is required instead.
    AgreementParty.objects.filter(agreement=agreements[2], organisation=other_org).delete()
    assert found(outsider, other_org, text="gem") == {"B0-1"}
    assert found(outsider, other_org, text="kaffe", supplier_id=agreements[1].supplier_id) == {"B0-2"}
    assert found(outsider, other_org, text="kaffe", supplier_id=agreements[2].supplier_id) == set()


def test_a_reimport_replaces_changed_items_in_the_index_and_deletes_removed_ones(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 4)
    engine = get_engine()
    assert engine.count() == 4
    rows = office_rows(3)
    rows[0]["Pris"] = "10.50"  # ART-0001 changed (cheaper), ART-0004 removed
    approve(
        coordinator,
        buyer,
        receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows)),
    )
    assert engine.count() == 3 == CatalogueItem.objects.filter(is_active=True).count()
    page = search_items(user=requisitioner, organisation=buyer, text="kopieringspapper")
    assert page.total == 1 and [i.article_number for i in page.items] == ["ART-0001"]


def test_a_very_common_word_alone_is_looked_for_in_names_and_beside_others_everywhere(tmp_path):
    """Engine level, no database: 1,200 items are named "penna", 10 more only describe one."""
    from avrop.catalogue.search import ItemDocument, SearchQuery
    from avrop.catalogue.search.tantivy_engine import TantivyEngine

    def doc(n, name, description):
        return ItemDocument(n, 1, 1, f"A{n}", "", name, description, "", "", (), (), 10.0)

    engine = TantivyEngine(tmp_path / "search")
    named = [doc(n, f"Penna modell {n}", "skriver bra") for n in range(1, 1201)]
    described = [doc(n, f"Etui {n} blå", "för en penna") for n in range(2001, 2011)]
    engine.update(documents=[*named, *described], removed_ids=[], fresh=True)

    def search(text):
        return engine.search(SearchQuery(text=text, agreement_ids=frozenset({1}), limit=20)).total

    assert search("penna") == 1200  # the item that only mentions it would rank last among 1,200
    assert search("penna blå") == 10  # beside another word it is looked for in descriptions too
    assert search("etui") == 10  # a word in fewer names is looked for everywhere


def _doc(n, name, description, keywords=""):
    from avrop.catalogue.search import ItemDocument

    return ItemDocument(n, 1, 1, f"A{n}", "", name, description, "", keywords, (), (), 10.0)


def test_each_of_two_words_may_match_in_any_field_and_names_rank_first(tmp_path):
    """Engine level: the words are looked for in one field of all the text (name, keywords, brand and
    description), so a word found only in the description still matches beside a common word in the name."""
    from avrop.catalogue.search import SearchQuery
    from avrop.catalogue.search.tantivy_engine import TantivyEngine

    engine = TantivyEngine(tmp_path / "search")
    common = [_doc(n, f"Penna modell {n}", "skriver bra") for n in range(1, 1201)]  # common: exact only
    red = [_doc(n, f"Penna {n}", "röd tuschpenna") for n in range(2001, 2006)]
    named = [_doc(3001, "Penna röd", "skriver bra"), _doc(3002, "Märkpenna", "", keywords="röd, penna")]
    case = _doc(4001, "Etui", "för en penna")
    engine.update(documents=[*common, *red, *named, case], removed_ids=[], fresh=True)

    def search(text):
        return engine.search(SearchQuery(text=text, agreement_ids=frozenset({1}), limit=20))

    found = search("penna röd")
    assert found.total == 7 and set(found.ids) == {2001, 2002, 2003, 2004, 2005, 3001, 3002}
    assert found.ids[0] == 3001  # both words in the name before a word found in the description only
    assert search("röd penna").total == 7
    assert search("penna skriver").total == 1201
    assert search("penna etui").total == 1
    assert search("penna").total == 1207  # alone and very common: names, keywords and brands only


def test_an_index_from_before_the_text_field_is_searched_until_the_reindex_replaces_it(tmp_path):
    """An index written before the "text" field (with "description") keeps working, read and written field
    by field; the rebuild (``avrop catalogue_reindex``) writes the current schema."""
    import tantivy

    from avrop.catalogue.search import SearchQuery
    from avrop.catalogue.search import tantivy_engine as te

    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("agreement", indexed=True, fast=True)
    builder.add_unsigned_field("supplier", indexed=True)
    for name in ("name", "brand", "keywords", "description"):
        builder.add_text_field(name, tokenizer_name=te.ANALYZER, index_option="freq")
    builder.add_text_field("name_reversed", tokenizer_name=te.FOLD, index_option="basic")
    for name in ("article", "category", "eco"):
        builder.add_text_field(name, tokenizer_name=te.RAW, index_option="basic")
    builder.add_float_field("price", indexed=True, fast=True)
    root = tmp_path / "search"
    (root / "items-old").mkdir(parents=True)
    tantivy.Index(builder.build(), path=str(root / "items-old"))
    (root / "CURRENT").write_text("items-old")

    engine = te.TantivyEngine(root)
    docs = [_doc(1, "Kaffe mörkrost", "hela bönor"), _doc(2, "Bryggare", "för kaffe och te")]
    engine.update(documents=docs, removed_ids=[], fresh=True)
    engine.wait_for_merges()

    def search(text):
        return engine.search(SearchQuery(text=text, agreement_ids=frozenset({1}), limit=20)).ids

    assert search("kaffe") == [1, 2] and search("kaffe bönor") == [1] and search("bryggare te") == [2]
    assert te.is_legacy(engine._local.schema)
    engine.rebuild(docs)
    assert search("kaffe") == [1, 2] and search("kaffe bönor") == [1] and search("bryggare te") == [2]
    assert not te.is_legacy(engine._local.schema)
