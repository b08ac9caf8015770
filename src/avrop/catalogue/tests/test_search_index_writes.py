"""Writing the search index: commits are searchable at once, merges finish in the background, none is lost."""

import threading
import time

from avrop.catalogue.search import ItemDocument, SearchQuery
from avrop.catalogue.search.tantivy_engine import TantivyEngine


def _doc(n: int) -> ItemDocument:
    return ItemDocument(
        id=n,
        agreement_id=1,
        supplier_id=1,
        article_number=f"A{n}",
        gtin="",
        name=f"Kopieringspapper {n}",
        description="Papper för kontoret",
        brand="",
        keywords="",
        categories=(),
        eco_labels=(),
        unit_price=10.0,
    )


def test_every_commit_is_searchable_and_its_merges_are_not_dropped(tmp_path):
    engine = TantivyEngine(tmp_path / "search")
    commits = 12  # each commit makes a segment; the merge policy merges them in groups of eight
    for n in range(commits):
        engine.update(documents=[_doc(n)], removed_ids=[])
        # Searchable before the merges this commit started are over.
        found = engine.search(SearchQuery(text=f"a{n}", agreement_ids=frozenset({1})))
        assert found.ids == [n]
        assert engine.count() == n + 1
    engine.wait_for_merges()
    searcher = engine._searcher()
    assert searcher is not None and searcher.num_docs == commits
    # Merged, not dropped: a writer that let its merges go would leave one segment per commit.
    assert searcher.num_segments < commits


def test_the_next_writer_waits_for_the_merges_of_the_last_one(tmp_path):
    engine = TantivyEngine(tmp_path / "search")
    engine.update(documents=[_doc(1)], removed_ids=[])
    handle = engine._lock()  # as the merge thread holds it
    finished = threading.Event()

    def write() -> None:
        engine.update(documents=[_doc(2)], removed_ids=[])
        finished.set()

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3)
    assert not finished.is_set()
    engine._unlock(handle)
    writer.join(timeout=30)
    assert finished.is_set()
    engine.wait_for_merges()
    assert engine.count() == 2
