"""NewsIndex: articles and their chunks in Chroma (embedded or server) plus a BM25 index beside it.

Write order makes a crash harmless: an article's chunks are written first and its article record
last. Queries only show chunks whose article record exists, so a half-indexed article is never
visible, and re-running the ingest clears its orphan chunks and writes it again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from ingest.chunking import chunk_article
from ingest.errors import IsnadError
from ingest.models import Article, Chunk
from vectorstore.embeddings import SentenceEmbedder
from vectorstore.errors import IndexMismatchError, StoreUnavailableError
from vectorstore.lexical import LexicalHit, LexicalIndex
from vectorstore.records import (
    Hit,
    IngestReport,
    SearchFilter,
    StoredArticle,
    StoredChunk,
    article_metadata,
    chunk_metadata,
)

log = logging.getLogger(__name__)
SCHEMA_VERSION = "1"
_PAGE = 2000
Progress = Callable[[int], None]


def open_chroma_client(
    data_dir: Path, host: str | None = None, port: int = 8000, ssl: bool = False, token: str | None = None
) -> Any:
    """An embedded persistent client in ``data_dir/chroma``, or a client of a ``chroma run`` server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not host:
        data_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=chroma_settings)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, headers=headers, settings=chroma_settings)
    except Exception as exc:
        raise StoreUnavailableError(server_down_message(host, port, exc)) from exc


def server_down_message(host: str, port: int, exc: BaseException) -> str:
    return (
        f"The Chroma server at {host}:{port} did not answer ({exc}). Start it (`chroma run --path DIR "
        f"--port {port}`) or fix ISNAD_CHROMA_HOST / ISNAD_CHROMA_PORT; unset ISNAD_CHROMA_HOST to use "
        "the embedded store."
    )


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
        self.chunk_tokens = chunk_tokens
        self.overlap_sentences = overlap_sentences
        self.bm25_refresh_s = bm25_refresh_s
        self._server = server
        self._client = client
        self._write_lock = threading.Lock()
        self._lexical_lock = threading.Lock()
        self._meta = {
            "embedding_model": embedder.name,
            "dimension": embedder.dimension,
            "schema": SCHEMA_VERSION,
        }
        with self._mapped_errors():
            self._chunks = client.get_or_create_collection(
                f"{collection}_chunks",
                embedding_function=None,
                metadata={**self._meta, "generation": "0"},
                configuration={"hnsw": {"space": "cosine"}},
            )
            self._articles = client.get_or_create_collection(
                f"{collection}_articles", embedding_function=None, metadata=dict(self._meta)
            )
        self._check_model(self._chunks.metadata or {})
        self._lexical: LexicalIndex | None = None
        self._lexical_checked = 0.0

    # ------------------------------------------------------------------ guards
    def _check_model(self, meta: dict[str, Any]) -> None:
        built_with = meta.get("embedding_model")
        if built_with != self.embedder.name or int(meta.get("dimension", 0)) != self.embedder.dimension:
            raise IndexMismatchError(
                f"The index in {self.data_dir} was built with the embedding model {built_with!r}, but "
                f"ISNAD_EMBEDDING_MODEL is {self.embedder.name!r}. Use the same model, or point "
                "ISNAD_DATA_DIR (or ISNAD_COLLECTION) at a new index and ingest again."
            )

    def _mapped_errors(self) -> AbstractContextManager[None]:
        return _chroma_errors(self._server)

    # ------------------------------------------------------------------ reading
    def stats(self) -> dict[str, int]:
        with self._mapped_errors():
            return {"articles": self._articles.count(), "chunks": self._chunks.count()}

    def committed_ids(self, doc_ids: Iterable[str]) -> set[str]:
        ids = sorted(set(doc_ids))
        if not ids:
            return set()
        with self._mapped_errors():
            return set(self._articles.get(ids=ids, include=[])["ids"])

    def dense_search(self, vector: list[float], k: int, flt: SearchFilter | None = None) -> list[Hit]:
        """Nearest chunks by cosine similarity, only from fully indexed articles."""
        if k <= 0:
            return []
        with self._mapped_errors():
            result = self._chunks.query(
                query_embeddings=[vector],
                n_results=k,
                where=flt.where() if flt else None,
                include=["documents", "metadatas", "distances"],
            )
        hits = [
            Hit(StoredChunk.from_record(cid, doc or "", meta or {}), 1.0 - float(dist))
            for cid, doc, meta, dist in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0],
                strict=True,
            )
        ]
        visible = self.committed_ids(h.chunk.doc_id for h in hits)
        return [h for h in hits if h.chunk.doc_id in visible]

    def lexical_search(self, query: str, k: int, flt: SearchFilter | None = None) -> list[Hit]:
        """BM25 over normalised text; refreshes the BM25 cache when the store has changed."""
        lexical = self.lexical_index()
        allowed = None
        if flt and flt.active:
            with self._mapped_errors():
                allowed = set(self._chunks.get(where=flt.where(), include=[])["ids"])
        found: list[LexicalHit] = lexical.search(query, k, allowed)
        chunks = self.get_chunks([h.chunk_id for h in found])
        visible = self.committed_ids(c.doc_id for c in chunks.values())
        return [
            Hit(chunks[h.chunk_id], h.score)
            for h in found
            if h.chunk_id in chunks and chunks[h.chunk_id].doc_id in visible
        ]

    def get_chunks(self, chunk_ids: list[str]) -> dict[str, StoredChunk]:
        if not chunk_ids:
            return {}
        with self._mapped_errors():
            got = self._chunks.get(ids=chunk_ids, include=["documents", "metadatas"])
        return {
            cid: StoredChunk.from_record(cid, doc or "", meta or {})
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    def get_articles(self, doc_ids: Iterable[str]) -> dict[str, StoredArticle]:
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        with self._mapped_errors():
            got = self._articles.get(ids=ids, include=["documents", "metadatas"])
        return {
            did: StoredArticle.from_record(did, doc or "", meta or {})
            for did, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    def list_articles(self, limit: int | None = None, offset: int = 0) -> list[StoredArticle]:
        """Articles with metadata (text left empty), newest first."""
        with self._mapped_errors():
            got = self._articles.get(include=["metadatas"], limit=limit, offset=offset)
        articles = [
            StoredArticle.from_record(did, "", meta or {})
            for did, meta in zip(got["ids"], got["metadatas"], strict=True)
        ]
        return sorted(articles, key=lambda a: a.published, reverse=True)

    def sources(self) -> list[str]:
        return sorted({a.source for a in self.list_articles() if a.source})

    # ------------------------------------------------------------------ BM25 cache
    def lexical_index(self) -> LexicalIndex:
        """The BM25 index, loaded from disk or rebuilt when the store's generation moved on."""
        now = time.monotonic()
        if self._lexical is not None and now - self._lexical_checked < self.bm25_refresh_s:
            return self._lexical
        with self._lexical_lock:
            generation = self._generation()
            self._lexical_checked = time.monotonic()
            if self._lexical is not None and self._lexical.generation == generation:
                return self._lexical
            loaded = LexicalIndex.load(self._bm25_dir)
            if loaded is not None and loaded.generation == generation:
                self._lexical = loaded
            else:
                if loaded is None and generation != "0" and not LexicalIndex.saved_in(self._bm25_dir):
                    log.warning("The BM25 index %s is missing; rebuilding it from the stored chunks.", self._bm25_dir)
                self._lexical = self._rebuild_lexical(generation)
            return self._lexical

    @property
    def _bm25_dir(self) -> Path:
        return self.data_dir / f"bm25-{self._chunks.name}"

    def chunk_owners(self) -> dict[str, str]:
        """Every stored chunk id and its article's doc id, committed or not (for consistency checks)."""
        owners: dict[str, str] = {}
        offset = 0
        with self._mapped_errors():
            while ids := (page := self._chunks.get(include=["metadatas"], limit=_PAGE, offset=offset))["ids"]:
                for cid, meta in zip(ids, page["metadatas"], strict=True):
                    owners[cid] = str((meta or {}).get("doc_id", ""))
                offset += len(ids)
        return owners

    def _generation(self) -> str:
        with self._mapped_errors():
            meta = self._client.get_collection(self._chunks.name).metadata or {}
        return str(meta.get("generation", "0"))

    def _bump_generation(self) -> str:
        generation = uuid.uuid4().hex
        with self._mapped_errors():
            self._chunks.modify(metadata={**self._meta, "generation": generation})
        return generation

    def _rebuild_lexical(self, generation: str) -> LexicalIndex:
        ids: list[str] = []
        texts: list[str] = []
        for chunk_id, text in self._committed_chunk_texts():
            ids.append(chunk_id)
            texts.append(text)
        index = LexicalIndex.build(ids, texts, generation)
        try:
            index.save(self._bm25_dir)
        except OSError as exc:
            log.warning("Could not save the BM25 index to %s: %s", self._bm25_dir, exc)
        return index

    def _committed_chunk_texts(self) -> Iterator[tuple[str, str]]:
        with self._mapped_errors():
            committed = set(self._articles.get(include=[])["ids"])
            offset = 0
            while True:
                page = self._chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
                if not page["ids"]:
                    break
                for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
                    if meta and meta.get("doc_id") in committed:
                        yield cid, doc or ""
                offset += len(page["ids"])

    def refresh_lexical(self) -> None:
        """Rebuild the BM25 cache now (after this process changed the store)."""
        with self._lexical_lock:
            self._lexical = self._rebuild_lexical(self._generation())
            self._lexical_checked = time.monotonic()

    # ------------------------------------------------------------------ writing
    def ingest(
        self,
        articles: Iterable[Article],
        *,
        batch_articles: int = 64,
        progress: Progress | None = None,
        on_total: Progress | None = None,
    ) -> IngestReport:
        """Add new articles, skip unchanged ones (same content hash), replace changed ones (same key).

        The new articles are chunked first (cheap), so ``on_total(n)`` can announce the number of
        chunks to embed; ``progress(n)`` is then called with the number embedded in each step.
        """
        started = time.perf_counter()
        report = IngestReport()
        with self._write_lock:
            by_key, committed = self._existing()
            seen: set[str] = set()
            pending: list[tuple[Article, list[Chunk]]] = []
            for article in articles:
                doc_id = article.doc_id
                if doc_id in committed or doc_id in seen:
                    report.unchanged += 1
                    continue
                seen.add(doc_id)
                chunks = chunk_article(article, self.embedder.count_tokens, self.chunk_tokens, self.overlap_sentences)
                pending.append((article, chunks))
            if on_total:
                on_total(sum(len(chunks) for _, chunks in pending))
            for begin in range(0, len(pending), batch_articles):
                self._write_batch(pending[begin : begin + batch_articles], by_key, report, progress)
            if pending:
                self.refresh_lexical()
        report.seconds = time.perf_counter() - started
        return report

    def _existing(self) -> tuple[dict[str, str], set[str]]:
        """Map of article key -> doc id, and the set of committed doc ids."""
        by_key: dict[str, str] = {}
        with self._mapped_errors():
            got = self._articles.get(include=["metadatas"])
        for did, meta in zip(got["ids"], got["metadatas"], strict=True):
            by_key[str((meta or {}).get("key", ""))] = did
        return by_key, set(got["ids"])

    def _write_batch(
        self,
        chunked: list[tuple[Article, list[Chunk]]],
        by_key: dict[str, str],
        report: IngestReport,
        progress: Progress | None,
    ) -> None:
        batch = [a for a, _ in chunked]
        chunks = [(a, c) for a, cs in chunked for c in cs]
        vectors = self.embedder.encode_passages([c.text for _, c in chunks], progress)
        with self._mapped_errors():
            # Orphans of an earlier interrupted run of these same articles.
            self._chunks.delete(where={"doc_id": {"$in": [a.doc_id for a in batch]}})
            if chunks:
                self._chunks.add(
                    ids=[c.chunk_id for _, c in chunks],
                    embeddings=vectors,
                    documents=[c.text for _, c in chunks],
                    metadatas=[chunk_metadata(a, c) for a, c in chunks],
                )
            self._bump_generation()
            self._articles.add(
                ids=[a.doc_id for a, _ in chunked],
                embeddings=[[1.0]] * len(chunked),
                documents=[a.text for a, _ in chunked],
                metadatas=[article_metadata(a, len(cs)) for a, cs in chunked],
            )
        report.chunks += len(chunks)
        for article, _ in chunked:
            previous = by_key.get(article.key)
            if previous and previous != article.doc_id:
                self._delete(previous)
                report.replaced += 1
            else:
                report.added += 1
            by_key[article.key] = article.doc_id
        self._bump_generation()

    def delete_article(self, doc_id: str) -> bool:
        """Remove an article and its chunks from both indexes. False if it was not there."""
        with self._write_lock:
            if not self.committed_ids([doc_id]):
                return False
            self._delete(doc_id)
            self._bump_generation()
            self.refresh_lexical()
            return True

    def _delete(self, doc_id: str) -> None:
        with self._mapped_errors():
            self._articles.delete(ids=[doc_id])  # hidden from queries from here on
            self._chunks.delete(where={"doc_id": doc_id})


@contextmanager
def _chroma_errors(server: tuple[str, int] | None) -> Iterator[None]:
    """Maps Chroma's and the network's exceptions to ours, naming the server settings."""
    try:
        yield
    except IsnadError:
        raise
    except Exception as exc:
        if server and _is_connection_error(exc):
            raise StoreUnavailableError(server_down_message(*server, exc)) from exc
        raise


def _is_connection_error(exc: BaseException) -> bool:
    import httpx

    text = str(exc).lower()
    return isinstance(exc, httpx.TransportError | ConnectionError) or "connect" in text
