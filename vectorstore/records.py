"""What the store hands back: stored chunks and articles, hits, filters and ingest reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ingest.models import Article, Chunk, Rejection


def day_number(published: str) -> int:
    """20180413 for '2018-04-13…'; 0 when the date is unknown (so it sorts as oldest)."""
    digits = published[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored, with the article metadata every citation needs."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    title: str
    source: str
    published: str
    url: str
    language: str

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> StoredChunk:
        return cls(
            chunk_id=chunk_id,
            doc_id=str(meta["doc_id"]),
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
            title=str(meta.get("title", "")),
            source=str(meta.get("source", "")),
            published=str(meta.get("published", "")),
            url=str(meta.get("url", "")),
            language=str(meta.get("language", "")),
        )


def chunk_metadata(article: Article, chunk: Chunk) -> dict[str, Any]:
    return {
        "doc_id": chunk.doc_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "title": article.title,
        "source": article.source,
        "published": article.published,
        "day": day_number(article.published),
        "url": article.url,
        "language": article.language,
    }


@dataclass(frozen=True)
class StoredArticle:
    doc_id: str
    key: str
    title: str
    text: str
    source: str
    published: str
    url: str
    language: str
    chunks: int

    @classmethod
    def from_record(cls, doc_id: str, text: str, meta: dict[str, Any]) -> StoredArticle:
        return cls(
            doc_id=doc_id,
            key=str(meta.get("key", "")),
            title=str(meta.get("title", "")),
            text=text,
            source=str(meta.get("source", "")),
            published=str(meta.get("published", "")),
            url=str(meta.get("url", "")),
            language=str(meta.get("language", "")),
            chunks=int(meta.get("chunks", 0)),
        )


def article_metadata(article: Article, n_chunks: int) -> dict[str, Any]:
    return {
        "key": article.key,
        "title": article.title,
        "source": article.source,
        "published": article.published,
        "day": day_number(article.published),
        "url": article.url,
        "language": article.language,
        "origin": article.origin,
        "chunks": n_chunks,
    }


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk and its score under one signal (cosine, BM25 or fused)."""

    chunk: StoredChunk
    score: float


@dataclass(frozen=True)
class SearchFilter:
    """Outlets and an inclusive date range; empty means no restriction."""

    sources: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.sources or self.date_from or self.date_to)

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause for this filter."""
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.date_from:
            clauses.append({"day": {"$gte": int(self.date_from.strftime("%Y%m%d"))}})
        if self.date_to:
            clauses.append({"day": {"$lte": int(self.date_to.strftime("%Y%m%d"))}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def describe(self) -> str:
        parts = [", ".join(self.sources) if self.sources else "all outlets"]
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'}…{self.date_to or '…'}")
        return ", ".join(parts)


@dataclass
class IngestReport:
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    chunks: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0
