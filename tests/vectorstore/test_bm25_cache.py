"""The BM25 cache follows a small ingest and a delete without a full rebuild, and still equals one.

Real embedded Chroma and the real e5 model. Another writer's changes (seen through the generation
or the chunk count) make it rebuild in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import bbc_records

from ingest.chunking import chunk_article
from ingest.models import Article
from vectorstore.chroma_store import ChromaStore, open_chroma_client
from vectorstore.lexical import LexicalIndex
from vectorstore.news_index import NewsIndex

pytestmark = pytest.mark.integration
QUERIES = ("القوات الأمريكية في سوريا", "الحكومة العراقية", "الأمم المتحدة", "غارات جوية")


def bbc_articles(count: int) -> list[Article]:
    """Real BBC Arabic articles cut to their first three paragraphs (one or two chunks each)."""
    articles = []
    for n, record in enumerate(bbc_records(limit=count, about_syria=count // 2)):
        text = "\n".join([p for p in record["text"].split("\n") if p.strip()][:3])
        articles.append(Article(key=f"bbc:{n}", title=record.get("title", ""), text=text, source="BBC"))
    return articles


def open_index(data: Path, embedder, refresh_s: float = 30.0) -> NewsIndex:
    return NewsIndex(open_chroma_client(data), embedder, data, bm25_refresh_s=refresh_s)


def full_rebuild(index: NewsIndex) -> LexicalIndex:
    """What a rebuild from every committed chunk in Chroma gives now."""
    pairs = list(index.store.committed_chunk_texts())
    return LexicalIndex.build([c for c, _ in pairs], [t for _, t in pairs], index.store.generation())


def rankings(lexical: LexicalIndex) -> list[list[tuple[str, float]]]:
    return [[(h.chunk_id, h.score) for h in lexical.search(q, len(lexical))] for q in QUERIES]


def assert_same_as_a_full_rebuild(index: NewsIndex) -> None:
    cached, rebuilt = index.lexical_index(), full_rebuild(index)
    assert cached.generation == rebuilt.generation
    assert cached.chunk_ids == rebuilt.chunk_ids
    assert rankings(cached) == rankings(rebuilt) and any(rankings(rebuilt))
    saved = LexicalIndex.load(index.bm25.folder)
    assert saved is not None and saved.generation == cached.generation, "the cache on disk is current"
    assert rankings(saved) == rankings(rebuilt)


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return bbc_articles(12)


def test_a_small_ingest_and_a_delete_update_the_cache_without_reading_every_chunk(
    tmp_path: Path, embedder, articles: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = open_index(tmp_path, embedder)
    assert index.ingest(articles[:8]).added == 8
    assert_same_as_a_full_rebuild(index)

    def no_full_read(self: ChromaStore):
        raise AssertionError("the BM25 cache was rebuilt from every stored chunk")

    monkeypatch.setattr(ChromaStore, "committed_chunk_texts", no_full_read)
    assert index.ingest(articles[8:9]).added == 1
    assert index.delete_article(articles[2].doc_id)
    changed = index.ingest([Article(key=articles[3].key, title="تحديث", text=articles[3].text + " (تحديث)")])
    assert changed.replaced == 1
    monkeypatch.undo()

    lexical = index.lexical_index()
    assert not any(c.startswith((articles[2].doc_id, articles[3].doc_id)) for c in lexical.chunk_ids)
    assert any(c.startswith(articles[8].doc_id) for c in lexical.chunk_ids)
    assert_same_as_a_full_rebuild(index)


def test_another_writer_during_an_ingest_makes_it_rebuild_in_full(
    tmp_path: Path, embedder, articles: list[Article]
) -> None:
    writer, other = open_index(tmp_path, embedder), open_index(tmp_path, embedder, refresh_s=0)
    assert writer.ingest(articles[:4]).added == 4
    wrote: list[int] = []

    def meanwhile(_: int) -> None:  # called while the writer embeds, before it writes
        if not wrote:
            wrote.append(other.ingest(articles[4:5]).added)

    assert writer.ingest(articles[5:7], progress=meanwhile).added == 2
    assert wrote == [1]
    lexical = writer.lexical_index()
    for article in articles[:7]:
        assert any(c.startswith(article.doc_id) for c in lexical.chunk_ids), article.key
    assert_same_as_a_full_rebuild(writer)
    assert_same_as_a_full_rebuild(other)


def test_a_write_whose_generation_was_lost_is_caught_by_the_chunk_count(
    tmp_path: Path, embedder, articles: list[Article]
) -> None:
    """Another writer's final generation can be overwritten by ours (read-then-write is not atomic);
    its chunks then show in the store's chunk count."""
    index, other = open_index(tmp_path, embedder), open_index(tmp_path, embedder)
    assert index.ingest(articles[:3]).added == 3
    change = index.bm25.start_change()
    lost = articles[3]
    chunks = chunk_article(lost, embedder.count_tokens, 200, 1)
    other.store.add_chunks([(lost, c) for c in chunks], embedder.encode_passages([c.text for c in chunks]))
    other.store.add_articles([(lost, chunks)])
    change.bump(index.store)  # the generation is the one this writer saw: the loss is not visible there
    index.bm25.finish(change)
    assert any(c.startswith(lost.doc_id) for c in index.lexical_index().chunk_ids)
    assert_same_as_a_full_rebuild(index)


def test_another_process_write_is_seen_through_the_generation(
    tmp_path: Path, embedder, articles: list[Article]
) -> None:
    reader = open_index(tmp_path, embedder, refresh_s=0)
    assert reader.lexical_search(QUERIES[0], 5) == []
    writer = open_index(tmp_path, embedder)
    assert writer.ingest(articles[:2]).added == 2
    found = {h.chunk.doc_id for h in reader.lexical_search(QUERIES[0], 50)}
    assert found and found <= {a.doc_id for a in articles[:2]}
    assert len(reader.lexical_index()) == writer.stats()["chunks"]
    assert reader.lexical_index().generation == writer.store.generation()
