"""NewsIndex: the one object retrieval reads and ingest writes: the Chroma store, its BM25 cache and their writer.

Roles live in their own modules: ``chroma_store`` (collections, reads, dense search, errors),
``bm25_cache`` (the lexical index kept at the store's generation) and ``indexer`` (ingest and delete,
with their write order). This class wires them and keeps the methods callers use.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingest.models import Article
from vectorstore.bm25_cache import Bm25Cache
from vectorstore.chroma_store import ChromaStore
from vectorstore.embeddings import SentenceEmbedder
from vectorstore.indexer import Indexer, Progress
from vectorstore.lexical import LexicalIndex
from vectorstore.records import Hit, IngestReport, SearchFilter, StoredArticle, StoredChunk


class NewsIndex:
    """The article and chunk store that retrieval reads and ingest writes."""

    def __init__(
        self,
        client: Any,
        embedder: SentenceEmbedder,
        data_dir: Path,
        *,
        collection: str = "isnad",
        chunk_tokens: int = 200,
        overlap_sentences: int = 1,
        bm25_refresh_s: float = 30.0,
        server: tuple[str, int] | None = None,
    ) -> None:
        self.embedder = embedder
        self.data_dir = data_dir
        self._client = client
        self.store = ChromaStore(client, embedder, data_dir, collection, server)
        self.bm25 = Bm25Cache(self.store, data_dir / f"bm25-{self.store.name}", bm25_refresh_s)
        self.indexer = Indexer(self.store, self.bm25, embedder, chunk_tokens, overlap_sentences)

    # ------------------------------------------------------------------ reading
    def stats(self) -> dict[str, int]:
        return self.store.stats()

    def committed_ids(self, doc_ids: Iterable[str]) -> set[str]:
        return self.store.committed_ids(doc_ids)

    def dense_search(self, vector: list[float], k: int, flt: SearchFilter | None = None) -> list[Hit]:
        """Nearest chunks by cosine similarity, only from fully indexed articles."""
        return self.store.dense_search(vector, k, flt)

    def lexical_search(self, query: str, k: int, flt: SearchFilter | None = None) -> list[Hit]:
        """BM25 over normalised text, only from fully indexed articles; refreshes the BM25 cache when
        the store has changed."""
        lexical = self.lexical_index()
        allowed = self.store.chunk_ids_matching(flt) if flt and flt.active else None
        found = lexical.search(query, k, allowed)
        chunks = self.store.get_chunks([h.chunk_id for h in found])
        visible = self.store.committed_ids(c.doc_id for c in chunks.values())
        return [
            Hit(chunks[h.chunk_id], h.score)
            for h in found
            if h.chunk_id in chunks and chunks[h.chunk_id].doc_id in visible
        ]

    def get_chunks(self, chunk_ids: list[str]) -> dict[str, StoredChunk]:
        return self.store.get_chunks(chunk_ids)

    def get_articles(self, doc_ids: Iterable[str]) -> dict[str, StoredArticle]:
        return self.store.get_articles(doc_ids)

    def list_articles(self, limit: int | None = None, offset: int = 0) -> list[StoredArticle]:
        """Articles with metadata (text left empty), newest first."""
        return self.store.list_articles(limit, offset)

    def sources(self) -> list[str]:
        return self.store.sources()

    def chunk_owners(self) -> dict[str, str]:
        """Every stored chunk id and its article's doc id, committed or not (for consistency checks)."""
        return self.store.chunk_owners()

    # ------------------------------------------------------------------ BM25 cache
    def lexical_index(self) -> LexicalIndex:
        """The BM25 index, loaded from disk or rebuilt when the store's generation moved on."""
        return self.bm25.current()

    def refresh_lexical(self) -> None:
        """Rebuild the BM25 cache from the stored chunks now."""
        self.bm25.rebuild()

    # ------------------------------------------------------------------ writing
    def ingest(
        self,
        articles: Iterable[Article],
        *,
        batch_articles: int = 64,
        progress: Progress | None = None,
        on_total: Progress | None = None,
    ) -> IngestReport:
        """Add new articles, skip unchanged ones (same content hash), replace changed ones (same key)."""
        return self.indexer.ingest(articles, batch_articles, progress, on_total)

    def delete_article(self, doc_id: str) -> bool:
        """Remove an article and its chunks from both indexes. False if it was not there."""
        return self.indexer.delete_article(doc_id)
