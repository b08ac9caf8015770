"""The tantivy engine: an embedded full-text index in files under ``AVROP_DATA_DIR/search/``.

Layout::

    search/CURRENT        the name of the index directory in use
    search/<index>.feed   how far that index has followed the database's change feed (JSON, see below)
    search/writer.lock    held (flock) by whoever writes: one writer at a time across all processes
    search/items-<stamp>/ a tantivy index

Writers (the indexing task, the rebuild command) take ``writer.lock``, write and commit. The segment merges a
commit starts finish in a thread of the writing process, which holds ``writer.lock`` until they are done: the
commit is searchable at once, the task is free for its next job, and the next writer waits for the merges
(a process waits for them before it exits). A rebuild writes a new directory and then switches
``CURRENT``, so searches go on against the old index meanwhile. Readers in any web process notice a commit
(``meta.json`` changes) or a switch (``CURRENT`` changes) with two ``stat`` calls per search and reload.

Text is analysed for Swedish: lower case, diacritics folded (so "kok" finds "kök"), Snowball stems. A query
word matches exactly (ranked by BM25F over one field of all the item's text, ``text``), as a prefix (the last
word, as people type) and with one typo (two for long words); article numbers and GTINs match exactly or by
prefix. An index written before ``text`` existed is read and written field by field until it is rebuilt.

Every node keeps its own index on local disk and follows the database's change feed
(``avrop.catalogue.services.feed``): ``<index>.feed`` beside the index directory holds the position in the
feed that index has applied. It is written by the writer that applied the changes, under ``writer.lock``,
after the commit (a rebuild writes it before it switches ``CURRENT``); an index without one is of unknown
age and is rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import tantivy

from avrop.catalogue.search import ItemDocument, SearchQuery, SearchResult

ANALYZER = "sv_text"
RAW = "raw_lower"
FOLD = "sv_folded"
MIN_PART = 4
COMMON_SHARE = 200  # a word in more than 1/200 of the names is common
VERY_COMMON_SHARE = 20
WRITER_HEAP = 64 * 1024 * 1024
MAX_TOKENS = 8

logger = logging.getLogger(__name__)


def _text_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("swedish"))
        .build()
    )


def _raw_analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.lowercase()).build()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("agreement", indexed=True, fast=True)
    builder.add_unsigned_field("supplier", indexed=True)
    for name in ("name", "brand", "keywords"):
        builder.add_text_field(name, tokenizer_name=ANALYZER, index_option="freq")
    # Every word of the item in one field, weighted by repetition: the name three times, keywords and brand
    # twice, the description once (BM25F: the weights add to a word's frequency before BM25 saturates it).
    # A word is looked for here, in one list of postings, instead of in a union of four fields: the union
    # decodes and scores every posting of every field before the words are intersected, which made two
    # frequent words (hundreds of thousands of matches) the slowest query.
    builder.add_text_field("text", tokenizer_name=ANALYZER, index_option="freq")
    # The name reversed and unstemmed, for Swedish compounds: "penna" finds "blyertspenna" because the
    # reversed query word is a prefix of the reversed compound, a cheap walk of the term dictionary. (The
    # stemmer cuts a compound differently from its last word, so the stemmed field cannot do this.)
    builder.add_text_field("name_reversed", tokenizer_name=FOLD, index_option="basic")
    for name in ("article", "category", "eco"):
        builder.add_text_field(name, tokenizer_name=RAW, index_option="basic")
    builder.add_float_field("price", indexed=True, fast=True)
    return builder.build()


SCHEMA = _schema()
NAMING_FIELDS = (("name", 3.0), ("keywords", 2.0), ("brand", 2.0))
TEXT_WEIGHTS = (("name", 3), ("keywords", 2), ("brand", 2), ("description", 1))
# Boosted so that an exact word stays well above its typo, prefix and compound variants (a constant 1 to 1.5
# each): BM25F of a word in the name alone is about half of what name x 3 gave.
TEXT_FIELDS = (("text", 2.0),)
# The tiers of a word's matches (see ``build_query``): far apart, so that BM25F (a few units, tens for a rare
# word) only orders the items inside a tier; a small share of the other variants breaks ties.
WHOLE_WORD_SCORE = 100.0
COMPOUND_SCORE = 50.0
PREFIX_SCORE = 4.0
TYPO_SCORE = 3.0
TIE_BREAKER = 0.1
TYPO_MAX_NAMES = 50
# An index written before the "text" field (it has "description" instead) is searched field by field until
# ``avrop catalogue_reindex`` replaces it.
LEGACY_TEXT_FIELDS = (*NAMING_FIELDS, ("description", 1.0))


def _open(path: Path) -> tantivy.Index:
    """The index at ``path`` with the schema it was written with, or a new one with ``SCHEMA``."""
    path.mkdir(parents=True, exist_ok=True)
    if tantivy.Index.exists(str(path)):
        index = tantivy.Index.open(str(path))
    else:
        index = tantivy.Index(SCHEMA, path=str(path))
    index.register_tokenizer(ANALYZER, _text_analyzer())
    index.register_tokenizer(RAW, _raw_analyzer())
    index.register_tokenizer(FOLD, _fold_analyzer())
    return index


def _fold_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def is_legacy(schema: tantivy.Schema) -> bool:
    """Written before the "text" field."""
    try:
        tantivy.Query.term_query(schema, "text", "")
    except ValueError:
        return True
    return False


def to_tantivy(doc: ItemDocument, schema: tantivy.Schema = SCHEMA, legacy: bool = False) -> tantivy.Document:
    """The document for ``doc`` in the shape of ``schema`` (``legacy``: an index without the "text" field)."""
    articles = [doc.article_number]
    if doc.gtin:
        articles.append(doc.gtin)
    values = {
        "id": doc.id,
        "agreement": doc.agreement_id,
        "supplier": doc.supplier_id,
        "name": doc.name,
        "name_reversed": doc.name[::-1],
        "brand": doc.brand,
        "keywords": doc.keywords,
        "article": articles,
        "category": list(doc.categories),
        "eco": list(doc.eco_labels),
        "price": doc.unit_price,
    }
    if legacy:
        values["description"] = doc.description
    else:
        values["text"] = [getattr(doc, field) for field, times in TEXT_WEIGHTS for _ in range(times)]
    return tantivy.Document.from_dict(values, schema)


DELETE_BATCH = 5000


def _batched(values: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class TantivyEngine:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._local = threading.local()
        self._text = _text_analyzer()
        self._fold = _fold_analyzer()

    # --- files and locks ------------------------------------------------------------------------------

    def _current_name(self) -> str:
        try:
            return (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return ""

    def _switch(self, name: str) -> None:
        tmp = self.root / f"CURRENT.{os.getpid()}"
        tmp.write_text(name)
        os.replace(tmp, self.root / "CURRENT")

    # --- the change feed's position --------------------------------------------------------------------

    def feed_state(self) -> dict[str, Any] | None:
        """How far the index in use has followed the change feed, or None when that is not known (no index,
        or no ``<index>.feed``)."""
        name = self._current_name()
        if not name or not (self.root / name).is_dir():
            return None
        try:
            state = json.loads((self.root / f"{name}.feed").read_text())
        except (FileNotFoundError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def _write_feed_state(self, name: str, state: dict[str, Any]) -> None:
        tmp = self.root / f"{name}.feed.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.root / f"{name}.feed")

    def healthy(self) -> bool:
        """The index in use opens and can be searched (a missing or damaged one cannot)."""
        name = self._current_name()
        if not name or not tantivy.Index.exists(str(self.root / name)):
            return False
        try:
            _open(self.root / name).searcher()
        except Exception:  # tantivy raises ValueError or OSError for damaged files
            logger.warning("search index: %s cannot be opened", self.root / name, exc_info=True)
            return False
        return True

    def _lock(self) -> IO[str]:
        """Take ``writer.lock``; an flock, so it also waits for another thread of this process."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = (self.root / "writer.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            handle.close()
            raise
        return handle

    @staticmethod
    def _unlock(handle: IO[str]) -> None:
        try:
            fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        handle = self._lock()
        try:
            yield
        finally:
            self._unlock(handle)

    def wait_for_merges(self) -> None:
        """Return when no writer holds the index, background merges included."""
        with self._writer_lock():
            pass

    def _merge_then_unlock(self, writer: tantivy.IndexWriter, handle: IO[str]) -> None:
        def run() -> None:
            try:
                writer.wait_merging_threads()
            except Exception:  # a failed merge leaves the committed segments as they are
                logger.exception("search index: segment merge failed")
            finally:
                self._unlock(handle)

        # Not a daemon: the interpreter waits for the merges at exit instead of dropping them.
        threading.Thread(target=run, name="search-index-merges").start()

    def _ensure_current(self) -> str:
        name = self._current_name()
        if not name:
            name = f"items-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
            _open(self.root / name)
            self._switch(name)
        return name

    # --- reading ---------------------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher | None:
        """A searcher for this thread, reloaded when the index was committed to or switched."""
        try:
            current_stat = os.stat(self.root / "CURRENT").st_mtime_ns
        except FileNotFoundError:
            return None
        local = self._local
        if getattr(local, "current_stat", None) != current_stat:
            name = self._current_name()
            if not name or not (self.root / name).exists():
                return None
            local.index = _open(self.root / name)
            local.schema = local.index.schema
            local.name = name
            local.current_stat = current_stat
            local.meta_stat = None
        try:
            meta_stat = os.stat(self.root / local.name / "meta.json").st_mtime_ns
        except FileNotFoundError:
            return None
        if local.meta_stat != meta_stat:
            local.index.reload()
            local.meta_stat = meta_stat
        return local.index.searcher()

    def _tokens(self, text: str) -> list[str]:
        return self._text.analyze(text)[:MAX_TOKENS]

    def build_query(
        self,
        query: SearchQuery,
        searcher: tantivy.Searcher | None = None,
        schema: tantivy.Schema | None = None,
    ) -> tantivy.Query | None:
        """The query for ``query``; with a searcher, words that are common in names match exactly only.

        A word found in many names is a word people spell right; its typo, prefix and compound variants
        would only re-score the same hundreds of thousands of documents. ``schema``: the searched index's.
        """
        schema = schema or SCHEMA
        legacy = is_legacy(schema)
        common = max(1000, (searcher.num_docs if searcher is not None else 0) // COMMON_SHARE)
        should = tantivy.Occur.Should
        must = tantivy.Occur.Must
        words = query.text.split()
        tokens = self._tokens(query.text)
        words_folded = self._fold.analyze(query.text)[:MAX_TOKENS]
        # The words: every token must match (in some field, or through its variants); a single word may
        # also be an article number or GTIN.
        token_queries: list[list[tuple[tantivy.Occur, tantivy.Query]]] = []
        for position, token in enumerate(tokens):
            last = position == len(tokens) - 1
            in_names = searcher.doc_freq("name", token) if searcher is not None else 0
            is_common = searcher is not None and in_names >= common
            # A word in one name of twenty, alone in the query, is looked for where it names the item: its
            # matches in descriptions alone would rank below tens of thousands of items named by it, and
            # scoring them is what makes the most frequent word slow. Beside other words, or less frequent,
            # a word is looked for everywhere.
            very_common = (
                searcher is not None
                and len(tokens) == 1
                and in_names >= max(1000, searcher.num_docs // VERY_COMMON_SHARE)
            )
            fields = NAMING_FIELDS if very_common else LEGACY_TEXT_FIELDS if legacy else TEXT_FIELDS
            options: list[tuple[tantivy.Occur, tantivy.Query]] = [
                (should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, field, token), boost))
                for field, boost in fields
            ]
            if very_common:
                # Kept flat: this word alone matches a large share of the catalogue (see the decision).
                token_queries.append(options)
                continue
            word = words_folded[position] if position < len(words_folded) else token
            # The tiers: the word as a whole word of the name, then as the last part of a compound in the
            # name ("papper" in "Kopieringspapper"), then its stem anywhere (BM25F), then typo and prefix
            # variants. Each tier is a constant (the word's variants are one disjunction that takes the best
            # of them), so a stem that happens to be a word of its own ("papp" for "papper") never outranks
            # the word the requisitioner typed.
            variants: list[tantivy.Query] = [
                tantivy.Query.boost_query(tantivy.Query.term_query(schema, field, token), boost)
                for field, boost in fields
            ]
            variants.append(
                tantivy.Query.const_score_query(
                    tantivy.Query.term_query(schema, "name_reversed", word[::-1]), WHOLE_WORD_SCORE
                )
            )
            if len(word) >= MIN_PART:
                variants.append(
                    tantivy.Query.const_score_query(
                        tantivy.Query.fuzzy_term_query(
                            schema, "name_reversed", word[::-1], distance=0, prefix=True
                        ),
                        COMPOUND_SCORE,
                    )
                )
            # A word found in a few dozen names is spelt right: its typo variants (automata over the
            # reversed name words, which match every compound ending near it) would only add cost.
            if not is_common and in_names < TYPO_MAX_NAMES:
                # One typo (two in long words), in the words of the name and their compound endings
                # (reversed and unstemmed: "pappr" finds "Kopieringspapper"), and in the keywords, which
                # break ties between typo matches. Automata are cheap, but each field and segment walks its
                # own term dictionary, so a common word (spelt right) gets none.
                distance = 2 if len(word) >= 8 else 1 if len(word) >= MIN_PART else 0
                if distance:
                    variants.append(
                        tantivy.Query.const_score_query(
                            tantivy.Query.fuzzy_term_query(
                                schema,
                                "name_reversed",
                                word[::-1],
                                distance=distance,
                                transposition_cost_one=True,
                                prefix=True,
                            ),
                            TYPO_SCORE,
                        )
                    )
                    variants.append(
                        tantivy.Query.const_score_query(
                            tantivy.Query.fuzzy_term_query(
                                schema, "keywords", token, distance=distance, transposition_cost_one=True
                            ),
                            TYPO_SCORE / 2,
                        )
                    )
            if not is_common and last and len(token) >= 2:
                # The word being typed: any word that starts with it.
                variants.extend(
                    tantivy.Query.const_score_query(
                        tantivy.Query.fuzzy_term_query(schema, field, token, distance=0, prefix=True),
                        PREFIX_SCORE,
                    )
                    for field in ("name", "keywords", "brand")
                )
            token_queries.append([(should, tantivy.Query.disjunction_max_query(variants, TIE_BREAKER))])
        article_options: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if len(words) == 1 and words[0].strip():
            article = words[0].strip().lower()
            article_options.append(
                (
                    should,
                    tantivy.Query.boost_query(tantivy.Query.term_query(schema, "article", article), 10.0),
                )
            )
            if len(article) >= 3:
                article_options.append(
                    (
                        should,
                        tantivy.Query.boost_query(
                            tantivy.Query.fuzzy_term_query(
                                schema, "article", article, distance=0, prefix=True
                            ),
                            5.0,
                        ),
                    )
                )
        # Alternatives that together say what matches: any one of them is enough.
        if len(token_queries) == 1:
            alternatives = token_queries[0] + article_options
        elif token_queries:
            all_tokens = tantivy.Query.boolean_query(
                [(must, tantivy.Query.boolean_query(o)) for o in token_queries]
            )
            alternatives = [(should, all_tokens), *article_options]
        else:
            alternatives = article_options

        # The scope: agreements callable today, and the requisitioner's filters.
        required: list[tuple[tantivy.Occur, tantivy.Query]] = []
        excluded: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if query.excluded_agreement_ids:
            if len(query.excluded_agreement_ids) < len(query.agreement_ids):
                # Fewer postings to walk; the database check of the hits keeps the scope exact.
                excluded.append(
                    (
                        tantivy.Occur.MustNot,
                        tantivy.Query.term_set_query(
                            schema, "agreement", sorted(query.excluded_agreement_ids)
                        ),
                    )
                )
            else:
                required.append(
                    (must, tantivy.Query.term_set_query(schema, "agreement", sorted(query.agreement_ids)))
                )
        # With nothing excluded every indexed agreement is callable; the database check of the hits still
        # drops an item whose price list ended a moment ago.
        if query.supplier_ids:
            # The index stores ids as unsigned 64-bit numbers: an id outside that range (a negative one from a
            # query string) matches no supplier, and 0 is no supplier's id.
            suppliers = sorted(i for i in query.supplier_ids if 0 < i < 2**63) or [0]
            required.append((must, tantivy.Query.term_set_query(schema, "supplier", suppliers)))
        if query.category:
            required.append((must, tantivy.Query.term_query(schema, "category", query.category.lower())))
        if query.eco_label:
            required.append((must, tantivy.Query.term_query(schema, "eco", query.eco_label.lower())))
        if query.price_min is not None or query.price_max is not None:
            required.append(
                (
                    must,
                    tantivy.Query.range_query(
                        schema,
                        "price",
                        tantivy.FieldType.Float,
                        float(query.price_min) if query.price_min is not None else None,
                        float(query.price_max) if query.price_max is not None else None,
                    ),
                )
            )
        if not alternatives:
            if not (query.category or query.eco_label or query.supplier_ids):
                return None  # no words and no filter that narrows: nothing to search for
            return tantivy.Query.boolean_query([*required, *excluded])
        if not required:
            # Kept flat: tantivy scores a flat union far faster than the same union nested inside a
            # required clause (the most frequent word matches most of the catalogue).
            return tantivy.Query.boolean_query([*alternatives, *excluded])
        # Beside a required clause, optional clauses only score; the alternatives must be required as a whole.
        return tantivy.Query.boolean_query(
            [(must, tantivy.Query.boolean_query(alternatives)), *required, *excluded]
        )

    def search(self, query: SearchQuery) -> SearchResult:
        if not query.agreement_ids:
            return SearchResult()
        searcher = self._searcher()
        if searcher is None:
            return SearchResult()
        built = self.build_query(query, searcher, self._local.schema)
        if built is None:
            return SearchResult()
        found = searcher.search(built, limit=query.limit, count=True, offset=query.offset)
        addresses = [address for _score, address in found.hits]
        # The ids from their column: a window of a few hundred hits costs no stored-document reads.
        values = searcher.fast_field_values("id", addresses) if addresses else []
        ids = [
            int(value) if value is not None else searcher.doc(address)["id"][0]
            for value, address in zip(values, addresses, strict=True)
        ]
        # tantivy's stubs omit SearchResult.count, which search(count=True) sets.
        return SearchResult(ids=ids, total=found.count or 0)  # type: ignore[attr-defined]

    def count(self) -> int:
        searcher = self._searcher()
        return searcher.num_docs if searcher is not None else 0

    # --- writing ---------------------------------------------------------------------------------------

    def update(
        self, *, documents: Iterable[ItemDocument], removed_ids: Iterable[int], fresh: bool = False
    ) -> int:
        """Replace the given documents and delete the removed ones, in one commit.

        ``fresh``: the documents are new to the index (a first price list), so there is nothing to replace.
        """
        handle = self._lock()
        try:
            writer, written = self._write(documents, removed_ids, fresh=fresh)
        except BaseException:
            self._unlock(handle)
            raise
        # Searchable now; the merges the commit started may take seconds on a large index.
        self._merge_then_unlock(writer, handle)
        return written

    def apply_feed(
        self,
        plan: Callable[
            [dict[str, Any] | None], tuple[Iterable[ItemDocument], Iterable[int], dict[str, Any]] | None
        ],
    ) -> int:
        """Apply changes of the feed under the writer lock: ``plan`` gets the position as it is now (another
        process of this node may have moved it meanwhile) and returns the documents, the removed ids and the
        new position, or None when there is nothing to do. The position is written after the commit."""
        handle = self._lock()
        try:
            planned = plan(self.feed_state())
            if planned is None:
                self._unlock(handle)
                return 0
            documents, removed_ids, state = planned
            writer, written = self._write(documents, removed_ids, fresh=False)
            self._write_feed_state(self._current_name(), state)
        except BaseException:
            self._unlock(handle)
            raise
        self._merge_then_unlock(writer, handle)
        return written

    def _write(
        self, documents: Iterable[ItemDocument], removed_ids: Iterable[int], *, fresh: bool
    ) -> tuple[tantivy.IndexWriter, int]:
        """Write and commit, with ``writer.lock`` held by the caller."""
        written = 0
        index = _open(self.root / self._ensure_current())
        schema = index.schema
        legacy = is_legacy(schema)
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        try:
            # Deleted by a query on the id: tantivy's delete by term does not match an unsigned id given
            # as a Python int. A delete applies to documents added before it, so each batch of ids is
            # deleted before its new documents are added.
            for batch in _batched(removed_ids, DELETE_BATCH):
                writer.delete_documents_by_query(tantivy.Query.term_set_query(schema, "id", batch))
            for batch in _batched(documents, DELETE_BATCH):
                if not fresh:
                    ids = [doc.id for doc in batch]
                    writer.delete_documents_by_query(tantivy.Query.term_set_query(schema, "id", ids))
                for doc in batch:
                    writer.add_document(to_tantivy(doc, schema, legacy))
                written += len(batch)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        return writer, written

    def rebuild(
        self,
        documents: Iterable[ItemDocument],
        feed_state: Callable[[], dict[str, Any]] | None = None,
    ) -> int:
        """Write a complete new index beside the old one, then switch to it and remove the old one.

        ``feed_state``: called under the writer lock before the documents are read, it returns the position
        in the change feed the new index will have applied (written before the switch)."""
        written = 0
        with self._writer_lock():
            state = feed_state() if feed_state is not None else None
            name = f"items-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 100000}"
            index = _open(self.root / name)
            writer = index.writer(heap_size=WRITER_HEAP * 2, num_threads=2)
            for doc in documents:
                writer.add_document(to_tantivy(doc))
                written += 1
            writer.commit()
            writer.wait_merging_threads()
            if state is not None:
                self._write_feed_state(name, state)
            self._switch(name)
            # The old index, and any a rebuild cut short left behind (no other writer runs: the lock is ours).
            for path in self.root.glob("items-*"):
                if path.name == name or path.name.startswith(f"{name}.feed"):
                    continue
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        return written
