"""The Chroma store: articles and their chunks in two collections (embedded or on a `chroma run` server).

Queries only show chunks whose article record exists, so an article whose chunks were written but
whose record was not (a crash in between) is never visible. The chunk collection's ``generation``
changes with every write; the BM25 cache beside the store compares it to know it is current.
Chroma's network failures become ``StoreUnavailableError`` naming the server settings.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx

from ingest.errors import IsnadError
from ingest.models import Article, Chunk
from vectorstore.embeddings import SentenceEmbedder
from vectorstore.errors import IndexMismatchError, StoreUnavailableError
from vectorstore.records import (
    Hit,
    SearchFilter,
    StoredArticle,
    StoredChunk,
    article_metadata,
    chunk_metadata,
)

SCHEMA_VERSION = "1"
_PAGE = 2000
# What chromadb's HttpClient raises when the server is down or goes away: httpx's transport errors
# (ConnectError, ReadError, RemoteProtocolError, timeouts) from every call, and at construction a
# ValueError raised while handling one of them (so it is the ValueError's __context__).
_NETWORK_ERRORS = (httpx.TransportError, ConnectionError)
# HNSW candidate list for a search. Chroma's default (100) let the 40 nearest chunks differ in their tail
# from one process to the next over the same index (37 of 40 in common), and with them the evidence and
# the abstention; at 400 the search is stable (docs/benchmarks.md, "Repeatable answers").
SEARCH_EF = 400


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
    with _chroma_errors((host, port)):
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, headers=headers, settings=chroma_settings)


def server_down_message(host: str, port: int, exc: BaseException) -> str:
    return (
        f"The Chroma server at {host}:{port} did not answer ({exc}). Start it (`chroma run --path DIR "
        f"--port {port}`) or fix ISNAD_CHROMA_HOST / ISNAD_CHROMA_PORT; unset ISNAD_CHROMA_HOST to use "
        "the embedded store."
    )


class ChromaStore:
    """The article and chunk collections: reading, dense search, and the steps an ingest writes with."""

    def __init__(
        self, client: Any, embedder: SentenceEmbedder, data_dir: Path, collection: str, server: tuple[str, int] | None
    ) -> None:
        self.embedder = embedder
        self.data_dir = data_dir
        self._client = client
        self._server = server
        self._meta = {"embedding_model": embedder.name, "dimension": embedder.dimension, "schema": SCHEMA_VERSION}
        with self.mapped_errors():
            self._chunks = client.get_or_create_collection(
                f"{collection}_chunks",
                embedding_function=None,
                metadata={**self._meta, "generation": "0"},
                configuration={"hnsw": {"space": "cosine", "ef_search": SEARCH_EF}},
            )
            if (self._chunks.configuration_json or {}).get("hnsw", {}).get("ef_search") != SEARCH_EF:
                self._chunks.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})  # an index made before
            self._articles = client.get_or_create_collection(
                f"{collection}_articles", embedding_function=None, metadata=dict(self._meta)
            )
        self._check_model(self._chunks.metadata or {})

    @property
    def name(self) -> str:
        """The chunk collection's name (the BM25 cache's folder is named after it)."""
        return str(self._chunks.name)

    # ------------------------------------------------------------------ guards
    def _check_model(self, meta: dict[str, Any]) -> None:
        built_with = meta.get("embedding_model")
        if built_with != self.embedder.name or int(meta.get("dimension", 0)) != self.embedder.dimension:
            raise IndexMismatchError(
                f"The index in {self.data_dir} was built with the embedding model {built_with!r}, but "
                f"ISNAD_EMBEDDING_MODEL is {self.embedder.name!r}. Use the same model, or point "
                "ISNAD_DATA_DIR (or ISNAD_COLLECTION) at a new index and ingest again."
            )

    def mapped_errors(self) -> AbstractContextManager[None]:
        return _chroma_errors(self._server)

    # ------------------------------------------------------------------ reading
    def stats(self) -> dict[str, int]:
        with self.mapped_errors():
            return {"articles": self._articles.count(), "chunks": self._chunks.count()}

    def chunk_count(self) -> int:
        """Every stored chunk, committed or not."""
        with self.mapped_errors():
            return int(self._chunks.count())

    def committed_ids(self, doc_ids: Iterable[str]) -> set[str]:
        ids = sorted(set(doc_ids))
        if not ids:
            return set()
        with self.mapped_errors():
            return set(self._articles.get(ids=ids, include=[])["ids"])

    def dense_search(self, vector: list[float], k: int, flt: SearchFilter | None = None) -> list[Hit]:
        """Nearest chunks by cosine similarity, only from fully indexed articles."""
        if k <= 0:
            return []
        with self.mapped_errors():
            result = self._chunks.query(
                query_embeddings=[vector],
                n_results=k,
                where=flt.where() if flt else None,
                include=["documents", "metadatas", "distances"],
            )
        hits = [
            Hit(StoredChunk.from_record(cid, doc or "", meta or {}), 1.0 - float(dist))
            for cid, doc, meta, dist in zip(
                result["ids"][0],
                result["documents"][0],
                result["metadatas"][0],
                result["distances"][0],
                strict=True,
            )
        ]
        visible = self.committed_ids(h.chunk.doc_id for h in hits)
        return [h for h in hits if h.chunk.doc_id in visible]

    def chunk_ids_matching(self, flt: SearchFilter) -> set[str]:
        """Ids of the chunks a filter lets through."""
        with self.mapped_errors():
            return set(self._chunks.get(where=flt.where(), include=[])["ids"])

    def get_chunks(self, chunk_ids: list[str]) -> dict[str, StoredChunk]:
        records = self._records(self._chunks, chunk_ids)
        return {cid: StoredChunk.from_record(cid, doc, meta) for cid, doc, meta in records}

    def get_articles(self, doc_ids: Iterable[str]) -> dict[str, StoredArticle]:
        records = self._records(self._articles, sorted(set(doc_ids)))
        return {did: StoredArticle.from_record(did, doc, meta) for did, doc, meta in records}

    def _records(self, collection: Any, ids: list[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(id, document, metadata) of the records with these ids that exist."""
        if not ids:
            return
        with self.mapped_errors():
            got = collection.get(ids=ids, include=["documents", "metadatas"])
        for rid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            yield rid, doc or "", dict(meta or {})

    def list_articles(self, limit: int | None = None, offset: int = 0) -> list[StoredArticle]:
        """Articles with metadata (text left empty), newest first."""
        with self.mapped_errors():
            got = self._articles.get(include=["metadatas"], limit=limit, offset=offset)
        articles = [
            StoredArticle.from_record(did, "", meta or {})
            for did, meta in zip(got["ids"], got["metadatas"], strict=True)
        ]
        return sorted(articles, key=lambda a: a.published, reverse=True)

    def sources(self) -> list[str]:
        return sorted({a.source for a in self.list_articles() if a.source})

    def existing(self) -> tuple[dict[str, str], set[str]]:
        """Map of article key -> doc id, and the set of committed doc ids."""
        with self.mapped_errors():
            got = self._articles.get(include=["metadatas"])
        by_key = {str((meta or {}).get("key", "")): did for did, meta in zip(got["ids"], got["metadatas"], strict=True)}
        return by_key, set(got["ids"])

    def chunk_owners(self) -> dict[str, str]:
        """Every stored chunk id and its article's doc id, committed or not (for consistency checks)."""
        owners: dict[str, str] = {}
        for cid, _, meta in self._chunk_pages(["metadatas"]):
            owners[cid] = str(meta.get("doc_id", ""))
        return owners

    def committed_chunk_texts(self) -> Iterator[tuple[str, str]]:
        """(chunk id, text) of every chunk whose article record exists."""
        with self.mapped_errors():
            committed = set(self._articles.get(include=[])["ids"])
        for cid, doc, meta in self._chunk_pages(["documents", "metadatas"]):
            if meta.get("doc_id") in committed:
                yield cid, doc

    def _chunk_pages(self, include: list[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        offset = 0
        while True:
            with self.mapped_errors():
                page = self._chunks.get(include=include, limit=_PAGE, offset=offset)
            if not page["ids"]:
                return
            docs = page["documents"] or [""] * len(page["ids"])
            for cid, doc, meta in zip(page["ids"], docs, page["metadatas"] or [], strict=True):
                yield cid, doc or "", dict(meta or {})
            offset += len(page["ids"])

    # ------------------------------------------------------------------ generation
    def generation(self) -> str:
        """The chunk collection's generation, read from the store (another process may have moved it)."""
        with self.mapped_errors():
            meta = self._client.get_collection(self._chunks.name).metadata or {}
        return str(meta.get("generation", "0"))

    def bump_generation(self) -> str:
        """Mark the store as changed; returns the new generation."""
        generation = uuid.uuid4().hex
        with self.mapped_errors():
            self._chunks.modify(metadata={**self._meta, "generation": generation})
        return generation

    # ------------------------------------------------------------------ writing steps
    def chunk_ids_of(self, doc_ids: Sequence[str]) -> list[str]:
        """Ids of the stored chunks of these articles, committed or not."""
        if not doc_ids:
            return []
        with self.mapped_errors():
            return list(self._chunks.get(where={"doc_id": {"$in": list(doc_ids)}}, include=[])["ids"])

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        if chunk_ids:
            with self.mapped_errors():
                self._chunks.delete(ids=list(chunk_ids))

    def add_chunks(self, chunks: Sequence[tuple[Article, Chunk]], vectors: Any) -> None:
        if not chunks:
            return
        with self.mapped_errors():
            self._chunks.add(
                ids=[c.chunk_id for _, c in chunks],
                embeddings=vectors,
                documents=[c.text for _, c in chunks],
                metadatas=[chunk_metadata(a, c) for a, c in chunks],
            )

    def add_articles(self, chunked: Sequence[tuple[Article, list[Chunk]]]) -> None:
        """The article records: from here on their chunks are visible."""
        with self.mapped_errors():
            self._articles.add(
                ids=[a.doc_id for a, _ in chunked],
                embeddings=[[1.0]] * len(chunked),
                documents=[a.text for a, _ in chunked],
                metadatas=[article_metadata(a, len(cs)) for a, cs in chunked],
            )

    def delete_article(self, doc_id: str) -> list[str]:
        """Remove an article's record (hiding it at once), then its chunks; returns their ids."""
        with self.mapped_errors():
            self._articles.delete(ids=[doc_id])
        chunk_ids = self.chunk_ids_of([doc_id])
        self.delete_chunks(chunk_ids)
        return chunk_ids


@contextmanager
def _chroma_errors(server: tuple[str, int] | None) -> Iterator[None]:
    """Maps the network's exceptions (by type) to StoreUnavailableError, naming the server settings."""
    try:
        yield
    except IsnadError:
        raise
    except Exception as exc:
        if server and _network_failure(exc):
            raise StoreUnavailableError(server_down_message(*server, exc)) from exc
        raise


def _network_failure(exc: BaseException) -> bool:
    """Whether ``exc``, or an exception it was raised from or while handling, is a transport error."""
    seen: BaseException | None = exc
    for _ in range(4):  # chromadb wraps at most once; a short walk is enough
        if seen is None:
            return False
        if isinstance(seen, _NETWORK_ERRORS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
