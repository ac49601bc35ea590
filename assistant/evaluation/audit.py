"""A consistency check of an index: the article records, the chunks in Chroma and the BM25 cache
must describe the same set of articles, each once and whole.

Used after crashes and under load (tests, ``benchmarks/loadtest.py``). Orphan chunks (written
by an ingest that died before the article record) are reported but are not an inconsistency:
queries never show them and the next ingest of the same article removes them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vectorstore.news_index import NewsIndex


@dataclass
class IndexAudit:
    articles: int = 0
    chunks: int = 0  # chunks of committed articles
    orphan_chunks: list[str] = field(default_factory=list)  # article record missing: invisible
    incomplete_articles: list[str] = field(default_factory=list)  # stored chunk count != the record's
    duplicate_keys: list[str] = field(default_factory=list)  # one URL/file committed under two ids
    bm25_missing: list[str] = field(default_factory=list)  # committed chunks BM25 does not know
    bm25_extra: list[str] = field(default_factory=list)  # BM25 chunks that are not committed
    bm25_duplicates: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not (
            self.incomplete_articles or self.duplicate_keys or self.bm25_missing or self.bm25_extra
            or self.bm25_duplicates
        )

    def summary(self) -> dict[str, int | bool]:
        return {
            "articles": self.articles,
            "chunks": self.chunks,
            "orphan_chunks": len(self.orphan_chunks),
            "incomplete_articles": len(self.incomplete_articles),
            "duplicate_keys": len(self.duplicate_keys),
            "bm25_missing": len(self.bm25_missing),
            "bm25_extra": len(self.bm25_extra),
            "bm25_duplicates": len(self.bm25_duplicates),
            "consistent": self.consistent,
        }


def audit_index(index: NewsIndex) -> IndexAudit:
    """Compare article records, Chroma chunks and the BM25 cache (as the index would load it now).

    Run it while no ingest is writing: it reads the store page by page."""
    articles = {a.doc_id: a for a in index.list_articles()}
    owners = index.chunk_owners()
    committed = {cid for cid, doc in owners.items() if doc in articles}
    per_article = Counter(owners[cid] for cid in committed)
    keys = Counter(a.key for a in articles.values())
    bm25_ids = index.lexical_index().chunk_ids
    bm25 = set(bm25_ids)
    return IndexAudit(
        articles=len(articles),
        chunks=len(committed),
        orphan_chunks=sorted(set(owners) - committed),
        incomplete_articles=sorted(d for d, a in articles.items() if per_article[d] != a.chunks),
        duplicate_keys=sorted(k for k, n in keys.items() if n > 1),
        bm25_missing=sorted(committed - bm25),
        bm25_extra=sorted(bm25 - committed),
        bm25_duplicates=sorted(c for c, n in Counter(bm25_ids).items() if n > 1),
    )
