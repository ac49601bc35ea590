"""The writer of the index: ingest (add, skip unchanged, replace changed) and delete, in Chroma and BM25.

Write order makes a crash harmless: an article's chunks are written first and its article record
last. Queries only show chunks whose article record exists, so a half-indexed article is never
visible, and re-running the ingest clears its orphan chunks and writes it again. The BM25 cache is
updated from what changed (the new chunks' tokens, the removed chunk ids), not rebuilt.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ingest.chunking import chunk_article
from ingest.models import Article, Chunk
from vectorstore.bm25_cache import Bm25Cache, PendingChange
from vectorstore.chroma_store import ChromaStore
from vectorstore.embeddings import SentenceEmbedder
from vectorstore.records import IngestReport

Progress = Callable[[int], None]
Chunked = list[tuple[Article, list[Chunk]]]


@dataclass
class Indexer:
    """Writes articles to the store and keeps the BM25 cache in step; one writer at a time per process."""

    store: ChromaStore
    bm25: Bm25Cache
    embedder: SentenceEmbedder
    chunk_tokens: int
    overlap_sentences: int
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def ingest(
        self, articles: Iterable[Article], batch_articles: int, progress: Progress | None, on_total: Progress | None
    ) -> IngestReport:
        """Add new articles, skip unchanged ones (same content hash), replace changed ones (same key).

        The new articles are chunked first (cheap), so ``on_total(n)`` can announce the number of
        chunks to embed; ``progress(n)`` is then called with the number embedded in each step.
        """
        started = time.perf_counter()
        report = IngestReport()
        with self._lock:
            by_key, committed = self.store.existing()
            pending = self._chunked_new(articles, committed, report)
            if on_total:
                on_total(sum(len(chunks) for _, chunks in pending))
            if pending:
                change = self.bm25.start_change()
                for begin in range(0, len(pending), batch_articles):
                    self._write_batch(pending[begin : begin + batch_articles], by_key, report, progress, change)
                self.bm25.finish(change)
        report.seconds = time.perf_counter() - started
        return report

    def _chunked_new(self, articles: Iterable[Article], committed: set[str], report: IngestReport) -> Chunked:
        """The articles not stored yet (each once), cut into chunks; counts the others as unchanged."""
        seen: set[str] = set()
        pending: Chunked = []
        for article in articles:
            doc_id = article.doc_id
            if doc_id in committed or doc_id in seen:
                report.unchanged += 1
                continue
            seen.add(doc_id)
            chunks = chunk_article(article, self.embedder.count_tokens, self.chunk_tokens, self.overlap_sentences)
            pending.append((article, chunks))
        return pending

    def _write_batch(
        self,
        chunked: Chunked,
        by_key: dict[str, str],
        report: IngestReport,
        progress: Progress | None,
        change: PendingChange,
    ) -> None:
        """Chunks, then article records, then the replaced articles' removal; the generation moves twice."""
        chunks = [(a, c) for a, cs in chunked for c in cs]
        vectors = self.embedder.encode_passages([c.text for _, c in chunks], progress)
        # Orphans of an earlier interrupted run of these same articles.
        orphans = self.store.chunk_ids_of([a.doc_id for a, _ in chunked])
        self.store.delete_chunks(orphans)
        change.remove(orphans)
        self.store.add_chunks(chunks, vectors)
        change.add({c.chunk_id: c.text for _, c in chunks})
        change.bump(self.store)
        self.store.add_articles(chunked)
        report.chunks += len(chunks)
        for article, _ in chunked:
            previous = by_key.get(article.key)
            if previous and previous != article.doc_id:
                change.remove(self.store.delete_article(previous))
                report.replaced += 1
            else:
                report.added += 1
            by_key[article.key] = article.doc_id
        change.bump(self.store)

    def delete_article(self, doc_id: str) -> bool:
        """Remove an article and its chunks from both indexes. False if it was not there."""
        with self._lock:
            if not self.store.committed_ids([doc_id]):
                return False
            change = self.bm25.start_change()
            change.remove(self.store.delete_article(doc_id))
            change.bump(self.store)
            self.bm25.finish(change)
            return True
